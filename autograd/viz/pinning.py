r"""One layout, many frames: every frame of a player drawn where the page's one layout put it.

``pinned(dot_source)`` lays the player's picture out once with ``dot`` and returns a
:class:`Pin`; calling it on a frame's picture (the same nodes, edges and clusters, with that
frame's texts and colours) hands the picture to ``neato -n2`` with every node, edge, edge
label and cluster where the layout has them -- the page's drawing, curves and clusters
included -- so an animation of the frames does not jump and a still matches the page.

>>> import graphviz
>>> pin = pinned("digraph { a -> b [id=e0 label=2] }")  # renders with Graphviz's dot
>>> sorted(pin.nodes), sorted(pin.edges)
(['a', 'b'], ['e0'])
>>> frame = pin(graphviz.Digraph(body=["\ta -> b [id=e0 label=3]\n"]))
>>> frame.body[0].startswith("\ta -> b [id=e0 label=3 pos=")
True
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from autograd.viz.style import FONT

CANVAS: Final = "ag_canvas_"  # the invisible corner nodes that hold a frame's canvas
CAPTION_CHARS: Final = (60, 110)  # a caption line's characters: at least, at most
CAPTION_PT: Final = 14  # Graphviz's default size of a graph's label, the caption
CAPTION_MARGIN: Final = 1.1  # a line of letters and digits is narrower than as many digits
POINTS_PER_INCH: Final = 72
_EDGE_ID: Final = re.compile(r'\bid=(?:"([^"]*)"|([^\s\]"]+))')


@dataclass(frozen=True)
class Pin:
    """Where one layout put each node, edge and cluster, and the canvas of every frame.

    Graphviz widens a drawing whose caption is wider than the rest on both sides, which would
    shift every node of that frame: two invisible corner nodes hold the canvas at ``width``
    points, wide enough for a caption of ``chars`` characters a line.

    Attributes:
        nodes: each node's attributes that place it (``pos``, ``width``, ``height``).
        edges: each edge's route and label position (``pos``, ``lp``), by edge id.
        clusters: each cluster's box and label position (``bb``, ``lp``), by name.
        left, bottom: the canvas's lower left corner (points).
        width: the canvas's width (points).
        chars: the characters of a caption line (``wrap`` width) that fit the canvas.
    """

    nodes: Mapping[str, Mapping[str, str]]
    edges: Mapping[str, Mapping[str, str]]
    clusters: Mapping[str, Mapping[str, str]]
    left: float
    bottom: float
    width: float
    chars: int

    def __call__(self, picture: Any) -> Any:
        """Place ``picture`` as the layout did (drawn by ``neato -n2``); return it.

        Nodes are re-declared with their place (later attributes win in DOT); an edge or a
        cluster cannot be declared twice, so their places are written into the statements the
        picture already holds (the edges found by their ``id``).
        """
        picture.engine = "neato"
        picture.graph_attr.update(splines="line", overlap="true")  # for an edge not laid out
        body = []
        for line in picture.body:
            stripped = line.strip()
            if " -> " in stripped and stripped.endswith("]"):
                found = _EDGE_ID.search(stripped)
                place = self.edges.get(found.group(1) or found.group(2)) if found else None
                if place:
                    line = line.rstrip()[:-1] + " " + _attrs(place) + "]\n"
            body.append(line)
            words = stripped.split()
            if len(words) == 3 and words[0] == "subgraph" and words[2] == "{":  # noqa: PLR2004
                place = self.clusters.get(words[1].strip('"'))
                if place:
                    body.append(f"\t\tgraph [{_attrs(place)}]\n")
        picture.body[:] = body
        for name, place in self.nodes.items():
            picture.node(name, fixedsize="true", **place)
        for corner, x in (("l", self.left), ("r", self.left + self.width)):
            picture.node(f"{CANVAS}{corner}", label="", shape="point", style="invis",
                         width="0", height="0", pos=f"{x:.2f},{self.bottom:.2f}!")  # fmt: skip
        return picture


def _attrs(place: Mapping[str, str]) -> str:
    return " ".join(f'{key}="{value}"' for key, value in place.items())


def pinned(dot_source: str) -> Pin:
    """Lay ``dot_source`` out once (``dot``) and return where it put everything."""
    import graphviz

    laid = json.loads(graphviz.Source(dot_source).pipe(format="json"))
    nodes, clusters = {}, {}
    for obj in laid.get("objects", []):
        if "pos" in obj and "width" in obj:
            nodes[obj["name"]] = {
                "pos": obj["pos"] + "!", "width": obj["width"], "height": obj["height"]
            }  # fmt: skip
        elif "bb" in obj:
            clusters[obj["name"]] = {k: obj[k] for k in ("bb", "lp") if k in obj}
    edges = {
        edge["id"]: {k: edge[k] for k in ("pos", "lp") if k in edge}
        for edge in laid.get("edges", [])
        if "id" in edge and "pos" in edge
    }
    left, bottom, right, _ = (float(v) for v in laid["bb"].split(","))
    char = caption_char_pt()
    low, high = CAPTION_CHARS
    chars = max(low, min(high, int((right - left) / char)))
    return Pin(nodes=nodes, edges=edges, clusters=clusters, left=left, bottom=bottom,
               width=max(right - left, chars * char), chars=chars)  # fmt: skip


def caption_char_pt() -> float:
    """The widest a caption's character is (a digit, with a margin), as Graphviz sets it."""
    import graphviz

    probe = "0" * CAPTION_CHARS[1]
    source = (
        f'digraph {{ node [shape=plaintext margin=0 fontname="{FONT}" fontsize={CAPTION_PT}]; '
        f'probe [label="{probe}"] }}'
    )
    laid = json.loads(graphviz.Source(source).pipe(format="json"))
    inches = float(laid["objects"][0]["width"])
    return inches * POINTS_PER_INCH / len(probe) * CAPTION_MARGIN
