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
from collections.abc import Mapping, Set
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

    def __call__(self, picture: Any, back: Set[str] = frozenset()) -> Any:
        """Place ``picture`` as the layout did (drawn by ``neato -n2``); return it.

        Nodes are re-declared with their place (later attributes win in DOT); an edge or a
        cluster cannot be declared twice, so their places are written into the statements the
        picture already holds (the edges found by their ``id``). The edges in ``back`` keep
        their route but point the other way (:func:`reversed_route`): in a backward frame the
        arrowhead points where the gradient goes, as the page draws it.
        """
        picture.engine = "neato"
        picture.graph_attr.update(splines="line", overlap="true")  # for an edge not laid out
        body = []
        for line in picture.body:
            stripped = line.strip()
            if " -> " in stripped and stripped.endswith("]"):
                found = _EDGE_ID.search(stripped)
                edge = (found.group(1) or found.group(2)) if found else None
                place = self.edges.get(edge) if edge is not None else None
                if place:
                    if edge in back and "pos" in place:
                        place = {**place, "pos": reversed_route(place["pos"])}
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


ARROW_PT: Final = 10.0  # how far an arrowhead reaches back along its edge (Graphviz's default)


def reversed_route(pos: str) -> str:
    """Return an edge's laid-out route (Graphviz ``pos``) drawn the other way round.

    A route ``e,X,Y p0 ... pn`` runs from the tail (``p0``) to just short of the head, where
    the arrowhead reaches to ``(X, Y)``. The reversed route starts at ``(X, Y)``, runs back
    along the same curve and ends ``ARROW_PT`` short of ``p0``, where the arrowhead now sits.

    >>> reversed_route("e,0,30 0,0 0,5 0,15 0,20")
    'e,0,0 0,30 0,30 0,20 0,20 0,15 0,5 0,10'
    """
    parts = pos.split()
    if not parts or not parts[0].startswith("e,"):
        return pos  # no arrowhead to move (a route with a start arrow is left as it is)
    head = tuple(float(v) for v in parts[0][2:].split(","))
    points = [tuple(float(v) for v in p.split(",")) for p in parts[1:]]
    tail, after = points[0], points[1] if len(points) > 1 else head
    dx, dy = after[0] - tail[0], after[1] - tail[1]
    length = (dx * dx + dy * dy) ** 0.5 or 1.0
    short = (tail[0] + ARROW_PT * dx / length, tail[1] + ARROW_PT * dy / length)
    route = [head, head, points[-1], *reversed(points)]  # a straight piece, then the curve back
    route[-1] = short
    return " ".join(["e," + _xy(tail), *(_xy(p) for p in route)])


def _xy(point: tuple[float, ...]) -> str:
    return ",".join(f"{v:g}" for v in point)


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
