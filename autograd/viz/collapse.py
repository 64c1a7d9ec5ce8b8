"""Collapsed drawing of a large graph: one box per neuron or layer, else per band of depth.

A node whose label is a dotted parameter name belongs to its neuron: ``"L1.N3.w0"`` and
``"layers.1.neurons.3.w.0"`` (``autograd.nn`` names, see :func:`label_parameters`) both name
a weight of neuron ``L1.N3`` / ``layers.1.neurons.3``, in layer ``L1`` / ``layers.1``. An
unlabelled op joins the group of the labelled parameters it reads
(a neuron's weighted sum), or of its single input (the neuron's activation); leaves without a
dotted label are the inputs; everything else is grouped by its depth in the graph. If that
gives more groups than ``max_nodes``, groups merge by their first prefix (the layer), and if
that is still too many, every node is grouped by depth band. Each box shows its node count,
ops, fan-in (edges entering from other groups) and output (its last node's data and grad).
All of it is one pass over the topological order, so huge graphs draw in seconds.

>>> from autograd import Value, topological_order, sum_values
>>> xs = [Value(float(i)) for i in range(6)]
>>> picture = draw_collapsed(topological_order(sum_values(xs)), rankdir="LR", max_nodes=3)
>>> "6 leaves" in picture.source
True
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Any, Final

from autograd.engine import Value
from autograd.viz.dot import LEAF_COLOR, fmt, new_digraph, record_escape

INPUTS: Final = "inputs"
"""The group of leaves that carry no dotted label (data, constants)."""

MAX_OPS_LISTED: Final = 4  # op names shown per box, most frequent first
MAX_BANDS: Final = 40  # depth bands of an unlabelled graph: more would be unreadable


def parent_key(name: str) -> str:
    """Return the owner a dotted name names: drop a trailing index, then the last name.

    >>> parent_key("L1.N3.w0"), parent_key("layers.1.neurons.3.w.0"), parent_key("x")
    ('L1.N3', 'layers.1.neurons.3', '')
    >>> parent_key("layers.1.neurons.3"), parent_key("L1.N3")
    ('layers.1', 'L1')
    """
    parts = name.split(".")
    if len(parts) > 1 and parts[-1].isdigit():
        parts.pop()
    parts.pop()
    return ".".join(parts)


def label_parameters(module: Any) -> None:
    """Label each unlabelled parameter of an ``autograd.nn`` module with its dotted name.

    Collapsed drawings then group the graph per neuron and per layer.

    >>> from autograd.nn import Neuron
    >>> n = Neuron(2, seed=0)
    >>> label_parameters(n)
    >>> [p.label for p in n.parameters()]
    ['w.0', 'w.1', 'b']
    """
    for name, parameter in module.named_parameters():
        if not parameter.label:
            parameter.label = name


def depths(order: Sequence[Value]) -> dict[Value, int]:
    """Return each node's depth: 0 for a leaf, else 1 + the deepest input (one pass, no recursion).

    >>> from autograd import Value, topological_order
    >>> x = Value(1.0)
    >>> sorted(depths(topological_order((x * 2).tanh())).values())
    [0, 0, 1, 2]
    """
    depth: dict[Value, int] = {}
    for node in order:
        depth[node] = 1 + max((depth[p] for p in node.parents), default=-1)
    return depth


def groups_by_label(order: Sequence[Value], coarse: bool) -> dict[Value, str | None]:
    """Return each node's group from the nn labels (None: not decided by labels).

    Args:
        order: the graph in topological order.
        coarse: use only the first part of a prefix (the layer, not the neuron).
    """
    keys: dict[Value, str | None] = {}
    for node in order:
        prefix = parent_key(node.label)
        if coarse and prefix:
            prefix = parent_key(prefix) or prefix
        if prefix:
            keys[node] = prefix
        elif node.op is None:
            keys[node] = INPUTS
        else:
            owners = [keys[p] for p in node.parents if p.op is None and keys[p] != INPUTS]
            if owners:
                keys[node] = owners[0]
            elif len(node.parents) == 1 and keys[node.parents[0]] != INPUTS:
                keys[node] = keys[node.parents[0]]
            else:
                keys[node] = None
    return keys


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


def draw_collapsed(order: Sequence[Value], *, rankdir: str, max_nodes: int) -> Any:
    """Return a ``graphviz.Digraph`` with one box per group of ``order`` (see the module doc).

    Boxes whose names share a first part (``layer1.neuron0``, ``layer1.neuron1``) are drawn
    inside one cluster per layer; an edge between boxes is labelled with how many graph edges
    it stands for.
    """
    group = group_nodes(order, max_nodes)
    names = list(dict.fromkeys(group[node] for node in order))  # first-seen order: deterministic
    box = {name: f"g{i}" for i, name in enumerate(names)}
    members: Counter[str] = Counter(group.values())
    leaves: Counter[str] = Counter(group[n] for n in order if n.op is None)
    ops: dict[str, Counter[str]] = {name: Counter() for name in names}
    last: dict[str, Value] = {}
    edges: Counter[tuple[str, str]] = Counter()
    for node in order:
        g = group[node]
        last[g] = node
        if node.op is not None:
            ops[g][node.op.symbol] += 1
        for parent in node.parents:
            if group[parent] != g:
                edges[(group[parent], g)] += 1
    fan_in: Counter[str] = Counter()
    for (_, dst), count in edges.items():
        fan_in[dst] += count

    graph = new_digraph("autograd_collapsed", rankdir)
    graph.attr(label=f"{len(order)} Values drawn as {len(names)} groups", labelloc="t")
    vertical = rankdir in ("LR", "RL")  # a record's fields run across the rank direction
    for cluster, inside in _clusters(names).items():
        with graph.subgraph(name=f"cluster_{box[inside[0]]}" if cluster else None) as sub:
            if cluster:
                sub.attr(label=cluster, style="rounded,dashed", color="#9e9e9e")
            for name in inside:
                _add_box(sub, box[name], name, vertical, members, leaves, ops, fan_in, last)
    for (src, dst), count in edges.items():
        graph.edge(box[src], box[dst], label=str(count), tooltip=f"{count} edges")
    return graph


def _clusters(names: Sequence[str]) -> dict[str, list[str]]:
    """Group box names by their owner (a neuron's layer); names without one stand alone ("")."""
    clusters: dict[str, list[str]] = {}
    for name in names:
        clusters.setdefault(parent_key(name), []).append(name)
    return clusters


def _add_box(
    graph: Any,
    box_id: str,
    name: str,
    vertical: bool,
    members: Mapping[str, int],
    leaves: Mapping[str, int],
    ops: Mapping[str, Counter[str]],
    fan_in: Mapping[str, int],
    last: Mapping[str, Value],
) -> None:
    listed = ", ".join(f"{sym}×{n}" for sym, n in ops[name].most_common(MAX_OPS_LISTED))
    more = len(ops[name]) - MAX_OPS_LISTED
    if more > 0:
        listed += f", +{more} more"
    out = last[name]
    fields = [
        record_escape(name),
        f"{members[name]} nodes, {leaves[name]} leaves",
        record_escape(listed) if listed else "no ops",
        f"fan-in {fan_in[name]}",
        f"out data {fmt(out.data)} grad {fmt(out.grad)}",
    ]
    text = "|".join(fields)
    graph.node(
        box_id,
        text if vertical else "{" + text + "}",
        shape="record",
        style="filled",
        fillcolor=LEAF_COLOR if ops[name].total() == 0 else "white",
        id=box_id,
    )
