"""Stills and GIFs of the players: the collapsed player's frames, and one layout for all frames."""

from __future__ import annotations

import html
import io
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from autograd import Value, sum_values
from autograd.nn import MLP
from autograd.viz import label_parameters, step_through
from autograd.viz.collapsed_player import CollapsedStepThrough
from autograd.viz.frames import BACKWARD
from autograd.viz.player import PALETTE

pytestmark = [
    pytest.mark.skipif(
        shutil.which("dot") is None,
        reason="Graphviz's dot is not installed (apt-get install graphviz)",
    ),
    pytest.mark.needs_dot,
]

SVG = "{http://www.w3.org/2000/svg}"
TRANSLATE = re.compile(r"translate\(([-\d.]+)[ ,]([-\d.]+)\)")


def collapsed() -> CollapsedStepThrough:
    """An MLP(3, [4, 2]) on three examples, played a box (neuron) at a time."""
    model = MLP(3, [4, 2], seed=0)
    label_parameters(model)
    outs = [model([float(i), 1.0, -1.0]) for i in range(3)]
    loss = sum_values([o * o for out in outs for o in out])  # type: ignore[union-attr]
    loss.label = "loss"
    player = step_through(loss, collapsed=True)
    assert isinstance(player, CollapsedStepThrough)
    return player


def nodes_of(svg: str) -> dict[str, ET.Element]:
    """Each node group of a Graphviz SVG by its id (parsing checks that the SVG is valid XML)."""
    root = ET.fromstring(svg)
    return {g.attrib["id"]: g for g in root.iter(f"{SVG}g") if g.attrib.get("class") == "node"}


def texts(group: ET.Element) -> list[str]:
    return [html.unescape(t.text or "") for t in group.iter(f"{SVG}text")]


def placed(svg: str) -> dict[str, list[tuple[float, float]]]:
    """Each node's outline on the canvas: its polygon's points, moved by the drawing's offset."""
    root = ET.fromstring(svg)
    graph = next(g for g in root.iter(f"{SVG}g") if g.attrib.get("class") == "graph")
    found = TRANSLATE.search(graph.attrib["transform"])
    assert found is not None
    dx, dy = float(found.group(1)), float(found.group(2))
    where = {}
    for name, group in nodes_of(svg).items():
        polygon = next(group.iter(f"{SVG}polygon"), None)
        if polygon is None:
            continue
        pairs = (p.split(",") for p in polygon.attrib["points"].split())
        where[name] = [(round(float(x) + dx, 1), round(float(y) + dy, 1)) for x, y in pairs]
    return where


def shown_fields(player: CollapsedStepThrough, k: int) -> dict[str, str]:
    """Each box's output field after frame ``k``: the last one its frames wrote, else pending."""
    fields = dict(player.pending)
    for record in player.records[: k + 1]:
        if record["field"]:
            fields[record["box"]] = record["field"]
    return fields


def test_collapsed_stills_show_each_box_as_the_frame_left_it(tmp_path: Path) -> None:
    """A collapsed still is the collapsed picture with that frame's recorded fields and caption."""
    player = collapsed()
    first_back = [f.phase for f in player.frames].index(BACKWARD)
    for k in (0, first_back - 1, first_back, len(player.frames) - 1):
        svg = player.save(tmp_path / f"c{k}.svg", frame=k).read_text(encoding="utf-8")
        nodes = nodes_of(svg)
        assert set(player.boxes) <= set(nodes)
        for box, field in shown_fields(player, k).items():
            assert field in texts(nodes[box]), (k, box, field)
        current = nodes[player.records[k]["box"]].iter(f"{SVG}polygon")
        assert any(p.attrib.get("fill") == PALETTE["current"] for p in current)
        caption = " ".join(html.unescape(svg).split())
        assert f"frame {k + 1} of {len(player.frames)}" in caption
        assert " ".join(player.frames[k].text.split()[:4]) in caption
    last = player.save(tmp_path / "last.png")  # the default still: the last frame
    assert last.read_bytes().startswith(b"\x89PNG")


def test_collapsed_stills_show_no_number_the_frames_do_not_hold(tmp_path: Path) -> None:
    """Before a box is computed its still shows the pending field, never the engine's numbers."""
    player = collapsed()
    svg = player.save(tmp_path / "first.svg", frame=0).read_text(encoding="utf-8")
    nodes = nodes_of(svg)
    later = {r["box"]: r["field"] for r in player.records[1:] if r["field"]}
    for box, field in later.items():
        if box != player.records[0]["box"]:
            assert field not in texts(nodes[box])
            assert player.pending[box] in texts(nodes[box])


def test_collapsed_gif_has_every_frame(tmp_path: Path) -> None:
    """save('x.gif') animates a collapsed player: one GIF frame per frame of the player."""
    image = pytest.importorskip("PIL.Image")
    player = collapsed()
    gif = image.open(io.BytesIO(player.save(tmp_path / "c.gif").read_bytes()))
    assert gif.n_frames == len(player.frames) == player.frame_count()
    with pytest.raises(ValueError, match=r"frame 99 is not a frame of this player"):
        player.save(tmp_path / "c.png", frame=99)
    with pytest.raises(ValueError, match=r"^StepThrough.save: cannot write '.jpg'"):
        player.save(tmp_path / "c.jpg")


@pytest.mark.parametrize("kind", ["full", "collapsed"])
def test_every_frame_is_drawn_on_one_canvas_with_each_node_in_place(
    kind: str, tmp_path: Path
) -> None:
    """Captions of any length move no node: each still has the width and node places of frame 0."""
    if kind == "collapsed":
        player: Any = collapsed()
    else:
        a = Value(0.5, label="a")
        f = a.tanh()
        f.label = "f"
        player = step_through(f, grads="fresh", rankdir="TB")  # narrower than its captions
    first = player.save(tmp_path / "0.svg", frame=0).read_text(encoding="utf-8")
    width = ET.fromstring(first).attrib["width"]
    for k in range(1, player.frame_count()):
        svg = player.save(tmp_path / f"{k}.svg", frame=k).read_text(encoding="utf-8")
        assert ET.fromstring(svg).attrib["width"] == width, k
        assert placed(svg) == placed(first), k


def _points(shape: ET.Element) -> list[tuple[float, float]]:
    if shape.tag.endswith("ellipse"):
        cx, cy = float(shape.attrib["cx"]), float(shape.attrib["cy"])
        rx, ry = float(shape.attrib["rx"]), float(shape.attrib["ry"])
        return [(cx - rx, cy - ry), (cx + rx, cy + ry)]
    return [(float(a), float(b)) for a, b in (p.split(",") for p in shape.attrib["points"].split())]


def _gap(point: tuple[float, float], box: list[tuple[float, float]]) -> float:
    """How far ``point`` lies outside the bounding box of ``box``'s points (0 inside)."""
    xs, ys = [p[0] for p in box], [p[1] for p in box]
    dx = max(min(xs) - point[0], 0.0, point[0] - max(xs))
    dy = max(min(ys) - point[1], 0.0, point[1] - max(ys))
    return float((dx * dx + dy * dy) ** 0.5)


def test_a_backward_still_points_its_arrowheads_where_the_gradient_goes(tmp_path: Path) -> None:
    """In a backward frame's still the highlighted edge's arrowhead sits at the input that
    receives the gradient (as the page draws it), in a forward frame at the op it feeds."""
    x = Value(2.0, label="x")
    f = x * 3.0
    f.label = "f"
    player = step_through(f)
    frames = list(player.frames)
    back = next(k for k, fr in enumerate(frames) if fr.phase == BACKWARD and fr.node is x)
    ahead = next(k for k, fr in enumerate(frames) if fr.phase != BACKWARD and fr.node is f)
    for k, toward in ((back, "n0"), (ahead, "n2op")):  # x.grad += 3 * 1; f = x * 3
        path = tmp_path / f"frame{k}.svg"
        player.save(path, frame=k)
        svg = ET.fromstring(path.read_text(encoding="utf-8"))
        groups = {g.attrib.get("id"): g for g in svg.iter(f"{SVG}g")}
        tip = _points(next(groups["e2_0"].iter(f"{SVG}polygon")))
        head = (sum(p[0] for p in tip) / len(tip), sum(p[1] for p in tip) / len(tip))
        gaps = {}
        for name in ("n0", "n2op"):
            shapes = [*groups[name].iter(f"{SVG}polygon"), *groups[name].iter(f"{SVG}ellipse")]
            gaps[name] = _gap(head, _points(shapes[0]))
        assert min(gaps, key=gaps.__getitem__) == toward, (k, head, gaps)
