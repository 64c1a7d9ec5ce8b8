"""From a traced scalar graph to a plan: stores, levels, and groups of same-op nodes.

Each node of the graph gets a row in one of two stores (see :mod:`autograd.compiled.groups`):
the uniform store ``U`` for parameters, the other leaves (constants, Values made outside the
traced function) and nodes computed from them only, the varying store ``V`` for the example's
inputs and every node that depends on them. A node's level is its depth, the longest path from
the leaves to it (:func:`autograd.engine.depths`), so every node's parents are computed at an
earlier level; nodes of one level with the same op, parameters and shape form one group.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from autograd.compiled.groups import (
    UNIFORM,
    VARYING,
    Accumulate,
    Dot,
    Elementwise,
    Group,
    Place,
    Sliding,
    Sum,
    as_index,
)
from autograd.compiled.kernels import check_on_lanes, forward_rule, lanes_rule
from autograd.engine import Value, depths
from autograd.ops import is_builtin


@dataclass(slots=True)
class Layout:
    """Where every node lives, and what is known about it before any batch arrives."""

    order: list[Value]
    store: dict[Value, int] = field(default_factory=dict)
    row: dict[Value, int] = field(default_factory=dict)
    level: dict[Value, int] = field(default_factory=dict)
    needs_grad: dict[Value, bool] = field(default_factory=dict)
    sizes: list[int] = field(default_factory=lambda: [0, 0])
    zero_row: int | None = None
    """A row of ``V`` that holds 0 at every call: a padded convolution window's missing pixels."""

    def zero(self) -> int:
        """The zero row of ``V``, made the first time one is needed."""
        if self.zero_row is None:
            self.zero_row = self.sizes[VARYING]
            self.sizes[VARYING] += 1
        return self.zero_row


def _classify(
    order: list[Value], inputs: Sequence[Value], params: Sequence[Value], leaves: Sequence[Value]
) -> tuple[Layout, list[list[Value]]]:
    """Place the leaves, compute level, store and gradient need of every op node."""
    layout = Layout(order)
    param_set = set(params)
    for i, p in enumerate([*params, *leaves]):  # read at every call: rows 0.. of U, in order
        layout.store[p], layout.row[p] = UNIFORM, i
    for i, x in enumerate(inputs):  # inputs are rows 0.. of V, in argument order
        layout.store[x], layout.row[x] = VARYING, i
    layout.sizes = [len(params) + len(leaves), len(inputs)]
    layout.level = depths(order)
    levels: list[list[Value]] = []
    for node in order:
        if node._op is None:
            if node not in layout.store:  # a constant: a number fixed when the graph was traced
                layout.store[node], layout.row[node] = UNIFORM, layout.sizes[UNIFORM]
                layout.sizes[UNIFORM] += 1
            layout.needs_grad[node] = node in param_set
            continue
        parents = node._parents
        depth = layout.level[node]
        layout.store[node] = max(layout.store[p] for p in parents)  # VARYING if any parent is
        layout.needs_grad[node] = any(layout.needs_grad[p] for p in parents)
        while len(levels) < depth:
            levels.append([])
        levels[depth - 1].append(node)
    return layout, levels


def _key(node: Value, layout: Layout) -> tuple[Any, ...]:
    """Nodes with equal keys at one level run as one numpy call."""
    op = node._op
    assert op is not None  # noqa: S101  # only op nodes are grouped
    stores = tuple(layout.store[p] for p in node._parents)
    if op.name == "sum":
        return ("sum", stores.count(VARYING), stores.count(UNIFORM))
    if op.name == "dot":
        pairs = [tuple(sorted(stores[i : i + 2])) for i in range(0, len(stores) - 1, 2)]
        kinds = tuple(pairs.count(k) for k in ((0, 1), (1, 1), (0, 0)))
        return ("dot", kinds, stores[-1])
    # Parameters by their repr, not ==: 0.0 == -0.0, yet leaky_relu's slope -0.0 makes -0.0 * x.
    params = tuple(sorted((name, repr(v)) for name, v in (node._params or {}).items()))
    return (op.name, params, stores)


def _target(layout: Layout, nodes: Sequence[Value | None]) -> Accumulate | None:
    """Where gradients of these argument nodes go, or None if none of them needs one.

    A None is the zero row of ``V`` (a padded window's missing pixel): what it receives is
    never read.
    """
    real = [n for n in nodes if n is not None]
    if not any(layout.needs_grad[n] for n in real):
        return None
    return Accumulate.into(layout.store[real[0]], [_row(layout, n) for n in nodes])


def _row(layout: Layout, node: Value | None) -> int:
    return layout.zero() if node is None else layout.row[node]


def _rows(
    layout: Layout, table: Sequence[Sequence[Value | None]]
) -> np.ndarray[Any, np.dtype[np.intp]]:
    return np.array([[_row(layout, n) for n in line] for line in table], dtype=np.intp)


def _windows(members: list[list[Value]], layout: Layout) -> tuple[list[Value], Windows] | None:
    """Dot nodes of several fan-ins that are one convolution's windows, padded to whole ones.

    A window on the border of a padded convolution reads fewer pixels, so its node has fewer
    pairs: its weights are some of its filter's, in their order. When every node's weights
    are, in order, taps of one filter (a node of the largest fan-in, with the same bias), each
    node becomes its filter on a whole window whose missing pixels read the zero row -- one
    ``W @ X`` for the whole convolution instead of one product per fan-in. Returns the nodes
    (those of the largest fan-in first) and their padded weights and inputs, or None.
    """
    widest = max(members, key=lambda nodes: len(nodes[0]._parents))
    filters = _filters(widest, layout)
    if filters is None:
        return None
    nodes = [n for nodes in (widest, *(m for m in members if m is not widest)) for n in nodes]
    padded_w: list[list[Value]] = []
    padded_x: list[list[Value | None]] = []
    for n in nodes:
        padded = _padded(n, layout, filters)
        if padded is None:
            return None
        padded_w.append(padded[0])
        padded_x.append(padded[1])
    return nodes, (padded_w, padded_x)


Filters = tuple[list[list[Value]], list[Value], dict[Value, tuple[int, int]]]
"""A convolution's filters (weights in order), their biases, and each weight's (filter, tap)."""


def _filters(widest: list[Value], layout: Layout) -> Filters | None:
    """The distinct weight rows of whole windows' nodes, or None if a weight is in two places."""
    rows: list[list[Value]] = []
    biases: list[Value] = []
    tap: dict[Value, tuple[int, int]] = {}
    for n in widest:
        weights = [w for w, _ in _pairs(n, layout)]
        if weights[0] in tap:  # a filter met before: the very same row and bias
            f = tap[weights[0]][0]
            if rows[f] != weights or biases[f] is not n._parents[-1]:
                return None
            continue
        if any(w in tap for w in weights):
            return None
        tap.update((w, (len(rows), i)) for i, w in enumerate(weights))
        rows.append(weights)
        biases.append(n._parents[-1])
    return rows, biases, tap


def _padded(
    node: Value, layout: Layout, filters: Filters
) -> tuple[list[Value], list[Value | None]] | None:
    """``node`` as its filter on a whole window (None where a pixel is missing), or None."""
    rows, biases, tap = filters
    pairs = _pairs(node, layout)
    places = [tap.get(w) for w, _ in pairs]
    if not places or places[0] is None:
        return None
    f = places[0][0]
    taps = [p[1] for p in places if p is not None and p[0] == f]
    if len(taps) != len(pairs) or taps != sorted(set(taps)) or biases[f] is not node._parents[-1]:
        return None  # another filter's weight, a repeat, another order or another bias
    window: list[Value | None] = [None] * len(rows[f])
    for i, (_, x) in zip(taps, pairs, strict=True):
        window[i] = x
    return rows[f], window


def _slides(windows: Windows) -> bool:
    """Whether padded windows are every filter on every window (:meth:`Sliding.find`).

    Only then do they run as one ``W @ X``, whose missing pixels are left out next to an
    infinite weight or upstream; the same test as on the rows, on numbers standing for nodes.
    """
    number: dict[Value | None, int] = {}
    weights, inputs = (
        np.array([[number.setdefault(v, len(number)) for v in line] for line in part])
        for part in windows
    )
    return Sliding.find(weights, inputs) is not None


def _merge_windows(
    by_key: dict[tuple[Any, ...], list[Value]], layout: Layout
) -> dict[tuple[Any, ...], Windows]:
    """Put the groups of a level that are one padded convolution's windows together (in place).

    Candidates: groups of dots with only (weight, input) pairs whose outputs vary, by bias
    store; returns the padded windows of each merged group, by its new key.
    """
    found: dict[tuple[Any, ...], Windows] = {}
    buckets: dict[tuple[Any, ...], list[tuple[Any, ...]]] = {}
    for key in by_key:
        store, name, *rest = key
        if name == "dot" and store == VARYING and rest[0][1:] == (0, 0) and rest[0][0]:
            buckets.setdefault((store, rest[1]), []).append(key)
    for (store, bias_store), keys in buckets.items():
        if len(keys) < 2:  # noqa: PLR2004  # one fan-in: nothing to pad
            continue
        merged = _windows([by_key[k] for k in keys], layout)
        if merged is None or not _slides(merged[1]):
            continue
        for k in keys:
            del by_key[k]
        key = (store, "dot", "windows", bias_store)
        by_key[key], found[key] = merged[0], merged[1]
    return found


def _elementwise(nodes: list[Value], layout: Layout, out: slice, store: int) -> Group:
    op = nodes[0]._op
    assert op is not None  # noqa: S101  # only op nodes are grouped
    group = Elementwise(store, out, len(nodes), name=op.name)
    if not is_builtin(op):  # a registered op: its rules must hold on lanes
        check_on_lanes(op)
    group.forward_rule = forward_rule(op)
    group.local_rule, group.lanes = lanes_rule(op)
    group.params = dict(nodes[0]._params or {})
    group.selects = op.selects
    for k in range(len(nodes[0]._parents)):
        column = [n._parents[k] for n in nodes]
        rows = [layout.row[p] for p in column]
        group.args.append(Place.of(layout.store[column[0]], rows))
        group.targets.append(_target(layout, column))
    return group


def _sum(nodes: list[Value], layout: Layout, out: slice, store: int) -> Group:
    group = Sum(store, out, len(nodes))
    for kind, attr in ((VARYING, "varying"), (UNIFORM, "uniform")):
        table = [[p for p in n._parents if layout.store[p] == kind] for n in nodes]
        if table[0]:
            setattr(group, attr, Place.of(kind, _rows(layout, table)))
            group.targets.append(_target(layout, [p for line in table for p in line]))
        else:
            group.targets.append(None)
    return group


def _pairs(node: Value, layout: Layout) -> list[tuple[Value, Value]]:
    """A dot node's (w_i, x_i) pairs, each with its uniform member first (weight, input)."""
    ps = node._parents
    pairs = [(ps[i], ps[i + 1]) for i in range(0, len(ps) - 1, 2)]
    return [(b, a) if layout.store[a] > layout.store[b] else (a, b) for a, b in pairs]


Windows = tuple[list[list[Value]], list[list[Value | None]]]
"""A padded convolution's weights and inputs, node by node; None: the zero row of ``V``."""


def _dot(
    nodes: list[Value], layout: Layout, out: slice, store: int, windows: Windows | None = None
) -> Group:
    group = Dot(store, out, len(nodes))
    split: dict[tuple[int, int], list[list[tuple[Value, Value]]]] = {
        (0, 1): [], (1, 1): [], (0, 0): []
    }  # fmt: skip
    for n in nodes:
        pairs = _pairs(n, layout)
        for kind, line in split.items():
            line.append([p for p in pairs if (layout.store[p[0]], layout.store[p[1]]) == kind])
    t = group.targets
    mixed = split[(0, 1)]
    if windows is not None:  # border windows padded to whole ones: the missing pixels read 0
        _padded_windows(group, layout, windows)
    elif mixed[0]:
        firsts = [[a for a, _ in line] for line in mixed]
        seconds = [[b for _, b in line] for line in mixed]
        group.weights, group.inputs = _rows(layout, firsts), _rows(layout, seconds)
        alone = not split[(1, 1)][0] and not split[(0, 0)][0]  # only mixed pairs
        if all(line == seconds[0] for line in seconds):
            group.shared = as_index(group.inputs[0])
            t["inputs"] = _target(layout, seconds[0])
        elif alone and (sliding := Sliding.find(group.weights, group.inputs)) is not None:
            group.sliding = sliding  # a convolution: filters x patches, one W @ X
            count = len(sliding.patches)
            first = [int(sliding.order[f * count]) for f in range(len(sliding.filters))]
            t["filters"] = _target(layout, [p for n in first for p in firsts[n]])
            patches = [seconds[int(n)] for n in sliding.order[:count]]
            t["patches"] = _target(layout, [p for line in patches for p in line])
        else:
            t["inputs"] = _target(layout, [p for line in seconds for p in line])
        t["weights"] = _target(layout, [p for line in firsts for p in line])
    for kind, name in (((1, 1), "varying"), ((0, 0), "uniform")):
        table = split[kind]
        if table[0]:
            a = [[x for x, _ in line] for line in table]
            b = [[y for _, y in line] for line in table]
            setattr(group, f"both_{name}", (_rows(layout, a), _rows(layout, b)))
            t[f"{name}_a"] = _target(layout, [p for line in a for p in line])
            t[f"{name}_b"] = _target(layout, [p for line in b for p in line])
    biases = [n._parents[-1] for n in nodes]
    group.bias = (layout.store[biases[0]], as_index([layout.row[p] for p in biases]))
    t["bias"] = _target(layout, biases)
    return group


def _padded_windows(group: Dot, layout: Layout, windows: Windows) -> None:
    """Set up ``group``'s padded windows as one ``W @ X``: every filter on every window."""
    firsts, seconds = windows
    group.weights, group.inputs = _rows(layout, firsts), _rows(layout, seconds)
    sliding = Sliding.find(group.weights, group.inputs)
    assert sliding is not None  # noqa: S101  # _merge_windows tested it (_slides)
    group.sliding = sliding
    sliding.missing = sliding.patches == layout.zero()
    t = group.targets
    count = len(sliding.patches)
    first = [int(sliding.order[f * count]) for f in range(len(sliding.filters))]
    t["filters"] = _target(layout, [p for n in first for p in firsts[n]])
    patches = [seconds[int(n)] for n in sliding.order[:count]]
    t["patches"] = _target(layout, [p for line in patches for p in line])
    t["weights"] = _target(layout, [p for line in firsts for p in line])


def plan_graph(
    root: Value,
    inputs: Sequence[Value],
    params: Sequence[Value],
    order: list[Value],
    leaves: Sequence[Value] = (),
) -> tuple[Layout, list[Group]]:
    """Lay out the traced graph of ``root`` in two stores and group its nodes level by level.

    Args:
        root: the traced loss of one example.
        inputs: the example's input leaves, in argument order.
        params: the parameters, in the caller's order.
        order: ``topological_order(root)``.
        leaves: the other leaves, read at every call after the parameters (constants, Values
            made outside the traced function): rows ``len(params)..`` of ``U``.

    Returns:
        The layout (store and row of every node) and the groups in execution order.
    """
    layout, levels = _classify(order, inputs, params, leaves)
    groups: list[Group] = []
    for nodes in levels:
        by_key: dict[tuple[Any, ...], list[Value]] = {}
        for node in nodes:
            by_key.setdefault((layout.store[node], *_key(node, layout)), []).append(node)
        windows = _merge_windows(by_key, layout)
        for key, members in by_key.items():
            if len(members[0]._parents) == 1:  # unary: in its inputs' order, which makes the
                # input rows one slice when they are one block (a relu after a convolution);
                # stable, so repeated inputs keep their order and every sum its rounding
                members.sort(key=lambda n: (layout.store[n._parents[0]], layout.row[n._parents[0]]))
            store = layout.store[members[0]]
            start = layout.sizes[store]
            for i, node in enumerate(members):
                layout.row[node] = start + i
            layout.sizes[store] += len(members)
            out = slice(start, start + len(members))
            name = members[0]._op.name  # type: ignore[union-attr]  # grouped nodes have an op
            if key in windows:
                groups.append(_dot(members, layout, out, store, windows[key]))
                continue
            build = _sum if name == "sum" else _dot if name == "dot" else _elementwise
            groups.append(build(members, layout, out, store))
    return layout, groups
