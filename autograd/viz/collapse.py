"""Collapsed drawing of a large graph: one box per neuron or layer, else per band of depth.

Nodes are grouped per neuron by their ``autograd.nn`` labels (see :mod:`autograd.viz.groups`
and :func:`label_parameters`); leaves without a dotted label are the inputs; everything else
is grouped by its depth in the graph. If that gives more groups than ``max_nodes``, groups
merge by their first prefix (the layer), and if that is still too many, every node is grouped
by depth band. A box of leaves shows how many it holds; any other box shows its node count,
ops, fan-in (edges entering from other groups) and its outputs (the op nodes read by other
groups, or the root): one output's data and grad, or the range of several (a neuron applied
to a batch has one output per example). All of it is one pass over the topological order, so
huge graphs draw in seconds.

>>> from autograd import Value, topological_order, sum_values
>>> xs = [Value(float(i)) for i in range(6)]
>>> picture = draw_collapsed(topological_order(sum_values(xs)), rankdir="LR", max_nodes=3)
>>> "6 leaves" in picture.source, '7 Values drawn as 1 group"' in picture.source
(True, True)
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any, Final

from autograd.engine import Value, depths
from autograd.messages import describe
from autograd.nn import Module
from autograd.viz.consistency import wrap
from autograd.viz.groups import INPUTS, groups_by_label, parent_key
from autograd.viz.style import (
    DEFAULT_DIGITS,
    GROUP_FILL,
    HIGHLIGHT_COLOR,
    LAYER_BORDER,
    LEAF_COLOR,
    WARNING_COLOR,
    fmt,
    new_digraph,
    plural,
    record_escape,
)

__all__ = [
    "COLLAPSED",
    "INPUTS",
    "cross_edges",
    "draw_collapsed",
    "group_nodes",
    "groups_by_label",
    "label_parameters",
    "parent_key",
]

COLLAPSED: Final = "autograd_collapsed"
"""The name of a collapsed drawing's ``graphviz.Digraph`` (a full one is ``"autograd"``)."""

MAX_OPS_LISTED: Final = 4  # op names shown per box, most frequent first
MAX_BANDS: Final = 40  # depth bands of an unlabelled graph: more would be unreadable


def label_parameters(module: Any) -> None:
    """Label each unlabelled parameter of an ``autograd.nn`` module with its dotted name.

    Collapsed drawings then group the graph per neuron and per layer.

    >>> from autograd.nn import Neuron
    >>> n = Neuron(2, seed=0)
    >>> label_parameters(n)
    >>> [p.label for p in n.parameters()]
    ['w.0', 'w.1', 'b']
    """
    if not isinstance(module, Module):
        raise TypeError(f"label_parameters: module must be an autograd.nn.Module, got "
                        f"{describe(module)}")  # fmt: skip
    for name, parameter in module.named_parameters():
        if not parameter.label:
            parameter.label = name


def cross_edges(order: Sequence[Value], group: Mapping[Value, str | None]) -> int:
    """Return how many distinct (group, group) pairs the graph's edges connect.

    >>> from autograd import Value, topological_order
    >>> a = Value(1.0)
    >>> order = topological_order(a * a + a)
    >>> cross_edges(order, {n: str(i) for i, n in enumerate(order)})
    3
    """
    pairs: set[tuple[str | None, str | None]] = set()
    for node in order:
        pairs.update((group[p], group[node]) for p in node.parents if group[p] != group[node])
    return len(pairs)


def group_nodes(order: Sequence[Value], max_nodes: int) -> dict[Value, str]:
    """Assign each node a group name: per neuron, else per layer, else per band of depth.

    Neurons are used while there are at most ``max_nodes`` of them and at most
    ``max_nodes // 2`` distinct arrows between boxes (a dense 32 x 10 layer pair is drawn
    per layer instead); depth bands number at most ``MAX_BANDS``.

    >>> from autograd import Value, topological_order
    >>> w = Value(2.0, label="L0.N0.w0")
    >>> x = Value(3.0)
    >>> sorted(set(group_nodes(topological_order((w * x).tanh()), 10).values()))
    ['L0.N0', 'inputs']
    """
    depth = depths(order)
    max_depth = max(depth.values())
    bands = max(1, min(MAX_BANDS, max_nodes // 2))
    width = max(1, -(-(max_depth + 1) // bands))  # ceil division: depths per band

    def band(node: Value) -> str:
        low = depth[node] // width * width
        return f"depth {low}" if width == 1 else f"depth {low}-{low + width - 1}"

    if any(parent_key(node.label) for node in order):
        for coarse in (False, True):
            keys = groups_by_label(order, coarse)
            named = {node: key if key is not None else band(node) for node, key in keys.items()}
            if len(set(named.values())) <= max_nodes and cross_edges(order, named) <= max(
                1, max_nodes // 2
            ):
                return named
    return {node: band(node) for node in order}


@dataclass
class _Box:
    """What one box of a collapsed drawing summarises."""

    members: int = 0
    leaves: int = 0
    ops: Counter[str] = field(default_factory=Counter)
    fan_in: int = 0
    outs: list[Value] = field(default_factory=list)
    marked: list[Value] = field(default_factory=list)


def summarise(
    order: Sequence[Value], group: Mapping[Value, str], marked: Set[Value] = frozenset()
) -> tuple[dict[str, _Box], Counter[tuple[str, str]]]:
    """Return each group's summary (first-seen order) and the edge count between groups.

    A group's outputs are its op nodes read by another group, and the root.

    >>> from autograd import Value, topological_order
    >>> a = Value(2.0)
    >>> order = topological_order((a * 3.0).tanh())
    >>> boxes, _ = summarise(order, {n: "g" if n.op else "inputs" for n in order})
    >>> [(name, b.members, b.leaves, len(b.outs)) for name, b in boxes.items()]
    [('inputs', 2, 2, 0), ('g', 2, 0, 1)]
    """
    boxes: dict[str, _Box] = {}
    edges: Counter[tuple[str, str]] = Counter()
    read_outside: set[Value] = set()
    for node in order:
        g = group[node]
        box = boxes.setdefault(g, _Box())
        box.members += 1
        if node.op is None:
            box.leaves += 1
        else:
            box.ops[node.op.symbol] += 1
        if node in marked:
            box.marked.append(node)
        for parent in node.parents:
            if group[parent] != g:
                edges[(group[parent], g)] += 1
                read_outside.add(parent)
    for (_, dst), count in edges.items():
        boxes[dst].fan_in += count
    root = order[-1]
    for node in order:
        if node.op is not None and (node in read_outside or node is root):
            boxes[group[node]].outs.append(node)
    return boxes, edges


def draw_collapsed(
    order: Sequence[Value],
    *,
    rankdir: str,
    max_nodes: int,
    show: str = "data+grad",
    edge_labels: bool = True,
    marked: Set[Value] = frozenset(),
    grads: Mapping[Value, float] | None = None,
    note: str = "",
    digits: int = DEFAULT_DIGITS,
    group: Mapping[Value, str] | None = None,
    outs: Mapping[str, str] | None = None,
    colors: Mapping[str, str] | None = None,
) -> Any:
    """Return a ``graphviz.Digraph`` with one box per group of ``order`` (see the module doc).

    Boxes whose names share a first part (``layer1.neuron0``, ``layer1.neuron1``) are drawn
    inside one cluster per layer; an edge between boxes is labelled with how many graph edges
    it stands for (unless ``edge_labels`` is False). ``show`` selects the output numbers a box
    shows (none for ``"label"``), ``grads`` the gradients (None: ``.grad``); a box holding a
    ``marked`` Value is filled in the highlight colour; ``note`` (stale ``.grad``) is added to
    the title. ``group`` is ``group_nodes(order, max_nodes)``, if the caller has it.

    A player's frame passes ``outs``, each box's output field by box id (``g0``, ``g1``, ...,
    in first-seen order), to show in place of the numbers; boxes it does not name work theirs
    out. ``colors`` colours arrows by id (:func:`group_edge_id`).
    """
    group = group_nodes(order, max_nodes) if group is None else group
    boxes, edges = summarise(order, group, marked)
    box_id = {name: f"g{i}" for i, name in enumerate(boxes)}  # first-seen order: deterministic

    graph = new_digraph(COLLAPSED, rankdir)
    title = f"{plural(len(order), 'Value')} drawn as {plural(len(boxes), 'group')}"
    if note:
        title += "\\n" + "\\n".join(wrap(note))
        graph.graph_attr.update(fontcolor=WARNING_COLOR)
    graph.graph_attr.update(label=title, labelloc="t")
    vertical = rankdir in ("LR", "RL")  # a record's fields run across the rank direction
    for cluster, inside in _clusters(list(boxes)).items():
        with graph.subgraph(name=f"cluster_{box_id[inside[0]]}" if cluster else None) as sub:
            if cluster:
                sub.attr(label=cluster, style="rounded,dashed", color=LAYER_BORDER)
            for name in inside:
                bid, box = box_id[name], boxes[name]
                if outs is not None and bid in outs:
                    out = outs[bid]  # a frame's own text: nothing is worked out again
                else:
                    out = out_text(box.outs, show, grads, digits) if box.outs else ""
                _add_box(sub, bid, name, box, vertical, show, out)
    colors = colors or {}
    for (src, dst), count in edges.items():
        attrs = {"label": str(count)} if edge_labels else {}
        a, b = box_id[src], box_id[dst]
        eid = group_edge_id(a, b)
        if eid in colors:
            attrs.update(color=colors[eid], penwidth="2.5", fontcolor=colors[eid])
        graph.edge(a, b, id=eid, tooltip=plural(count, "edge"), **attrs)
    return graph


def group_edge_id(src: str, dst: str) -> str:
    """Return the id of the arrow from box ``src`` to box ``dst`` of a collapsed drawing.

    >>> group_edge_id("g0", "g3")
    'cg0_g3'
    """
    return f"c{src}_{dst}"


def _clusters(names: Sequence[str]) -> dict[str, list[str]]:
    """Group box names by their owner (a neuron's layer); names without one stand alone ("")."""
    clusters: dict[str, list[str]] = {}
    for name in names:
        clusters.setdefault(parent_key(name), []).append(name)
    return clusters


def out_text(
    outs: Sequence[Value],
    show: str,
    grads: Mapping[Value, float | None] | None = None,
    digits: int = DEFAULT_DIGITS,
    data: Mapping[Value, float | None] | None = None,
) -> str:
    """Return a box's output field: one output's numbers, or the range of several.

    ``grads`` and ``data`` replace ``.grad`` and ``.data`` when given; a number that is None
    (not computed yet, in a player's frame) shows as ``?`` (data) or ``·`` (grad).

    >>> out_text([Value(0.5)], "data+grad")
    'out data 0.5 grad 0'
    >>> out_text([Value(0.5), Value(-1.0), Value(2.0)], "data")
    '3 outs, data in [-1, 2]'
    """
    numbers = {
        "data": [o.data if data is None else data[o] for o in outs],
        "grad": [o.grad if grads is None else grads[o] for o in outs],
    }
    pending = {"data": "?", "grad": "·"}
    shown = [k for k in ("data", "grad") if k in show.split("+")]
    if len(outs) == 1:
        first = [numbers[k][0] for k in shown]
        return " ".join(
            ["out", *(f"{k} {pending[k] if x is None else fmt(x, digits)}"
                      for k, x in zip(shown, first, strict=True))]
        )  # fmt: skip
    ranges = []
    for k in shown:
        known = [x for x in numbers[k] if x is not None]
        if len(known) < len(outs):
            ranges.append(f"{k} {pending[k]}")
        else:
            ranges.append(f"{k} in [{fmt(min(known), digits)}, {fmt(max(known), digits)}]")
    return ", ".join([f"{len(outs)} outs", *ranges])


def _add_box(
    graph: Any, box_id: str, name: str, box: _Box, vertical: bool, show: str, out: str
) -> None:
    if not box.ops:
        fields = [record_escape(name), plural(box.leaves, "leaf", "leaves")]
    else:
        listed = ", ".join(f"{sym}×{n}" for sym, n in box.ops.most_common(MAX_OPS_LISTED))
        more = len(box.ops) - MAX_OPS_LISTED
        if more > 0:
            listed += f", +{more} more"
        fields = [
            record_escape(name),
            f"{plural(box.members, 'node')}, {plural(box.leaves, 'leaf', 'leaves')}",
            record_escape(listed),
            f"fan-in {box.fan_in}",
        ]
        if show != "label" and out:
            fields.append(record_escape(out))
    text = "|".join(fields)
    fill = HIGHLIGHT_COLOR if box.marked else (LEAF_COLOR if not box.ops else GROUP_FILL)
    held = ", ".join(n.label or "an unlabelled node" for n in box.marked)
    graph.node(
        box_id,
        text if vertical else "{" + text + "}",
        shape="record",
        style="filled",
        fillcolor=fill,
        id=box_id,
        tooltip=f"{name}: holds the highlighted {held}" if held else name,
    )
