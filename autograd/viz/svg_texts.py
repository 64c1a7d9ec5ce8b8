"""A laid-out graph's texts set to one frame's: what a page shows where its script does not run.

The players' script rewrites, at every frame, each box's ``data`` and ``grad`` fields, each
edge's label and their hover texts, on the one SVG Graphviz laid out. The training player lays
its graph out with placeholder numbers (boxes sized for the widest number six digits print);
:func:`set_texts` writes a recorded frame's texts into that SVG, so a page opened without
scripts shows the engine's numbers, never the placeholders. Nothing is laid out again.

>>> svg = ('<g id="n0" class="node"><a xlink:title="x: data 9"><text>x</text>'
...        '<text x="1">data 9</text></a></g>')
>>> set_texts(svg, boxes={"n0": {"data": "data 2"}}, titles={"n0": "x: data 2"})
'<g id="n0" class="node"><a xlink:title="x: data 2"><text>x</text><text x="1">data 2</text></a></g>'
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping
from typing import Final

_GROUP: Final = re.compile(r'<g id="([^"]+)" class="(node|edge|cluster)">')
_TITLE: Final = re.compile(r'(<a xlink:title=")[^"]*(")')
_FIELDS: Final = {
    key: re.compile(rf"(<text\b[^>]*>){key} [^<]*(</text>)") for key in ("data", "grad")
}
_LABEL: Final = re.compile(r"(<text\b[^>]*>)[^<]*(</text>)")


def set_texts(
    svg: str,
    *,
    boxes: Mapping[str, Mapping[str, str]] | None = None,
    edges: Mapping[str, str] | None = None,
    titles: Mapping[str, str] | None = None,
) -> str:
    """Return ``svg`` with the given texts of its nodes and edges (Graphviz's SVG, by id).

    Args:
        svg: an SVG drawn by Graphviz, whose node and edge groups carry ``id`` attributes.
        boxes: each box's fields by node id: ``{"data": "data 2", "grad": "grad 1"}``
            replaces the field texts starting ``data `` and ``grad ``.
        edges: each edge's label text by edge id.
        titles: each node's or edge's hover text by id.
    """
    boxes, edges, titles = boxes or {}, edges or {}, titles or {}
    starts = [m.start() for m in _GROUP.finditer(svg)]
    pieces = [svg[: starts[0]] if starts else svg]
    for start, end in zip(starts, [*starts[1:], len(svg)], strict=True):
        piece = svg[start:end]  # one group, up to the next: its texts come before any other's
        found = _GROUP.match(piece)
        name, kind = (found.group(1), found.group(2)) if found else ("", "")
        for key, text in boxes.get(name, {}).items() if kind == "node" else ():
            piece = _put(_FIELDS[key], piece, text)
        if kind == "edge" and name in edges:
            piece = _put(_LABEL, piece, edges[name])
        if name in titles:
            piece = _put(_TITLE, piece, titles[name], quote=True)
        pieces.append(piece)
    return "".join(pieces)


def _put(where: re.Pattern[str], piece: str, text: str, *, quote: bool = False) -> str:
    """Replace the first text ``where`` finds in ``piece`` (between its two groups)."""
    escaped = html.escape(text, quote=quote)
    return where.sub(lambda m: m.group(1) + escaped + m.group(2), piece, count=1)
