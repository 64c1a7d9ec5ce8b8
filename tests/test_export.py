"""Stills and GIFs of the players: one layout and one canvas for every frame."""

from __future__ import annotations

import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from autograd import Value
from autograd.viz import step_through

pytestmark = [
    pytest.mark.skipif(
        shutil.which("dot") is None,
        reason="Graphviz's dot is not installed (apt-get install graphviz)",
    ),
    pytest.mark.needs_dot,
]

SVG = "{http://www.w3.org/2000/svg}"
TRANSLATE = re.compile(r"translate\(([-\d.]+)[ ,]([-\d.]+)\)")


def nodes_of(svg: str) -> dict[str, ET.Element]:
    """Each node group of a Graphviz SVG by its id (parsing checks that the SVG is valid XML)."""
    root = ET.fromstring(svg)
    return {g.attrib["id"]: g for g in root.iter(f"{SVG}g") if g.attrib.get("class") == "node"}


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


def test_every_frame_is_drawn_on_one_canvas_with_each_node_in_place(tmp_path: Path) -> None:
    """Captions of any length move no node: each still has the width and node places of frame 0."""
    a = Value(0.5, label="a")
    f = a.tanh()
    f.label = "f"
    player: Any = step_through(f, grads="fresh", rankdir="TB")  # narrower than its captions
    first = player.save(tmp_path / "0.svg", frame=0).read_text(encoding="utf-8")
    width = ET.fromstring(first).attrib["width"]
    for k in range(1, player.frame_count()):
        svg = player.save(tmp_path / f"{k}.svg", frame=k).read_text(encoding="utf-8")
        assert ET.fromstring(svg).attrib["width"] == width, k
        assert placed(svg) == placed(first), k
