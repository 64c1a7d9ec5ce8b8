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
    Sliding,
    Sum,
    as_index,
)
from autograd.compiled.kernels import check_on_lanes, forward_rule, local_rule
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


def _target(layout: Layout, nodes: Sequence[Value]) -> Accumulate | None:
    """Where gradients of these argument nodes go, or None if none of them needs one."""
    if not any(layout.needs_grad[n] for n in nodes):
        return None
    return Accumulate.into(layout.store[nodes[0]], [layout.row[n] for n in nodes])


def _rows(layout: Layout, table: list[list[Value]]) -> np.ndarray[Any, np.dtype[np.intp]]:
    return np.array([[layout.row[n] for n in line] for line in table], dtype=np.intp)


def _elementwise(nodes: list[Value], layout: Layout, out: slice, store: int) -> Group:
    op = nodes[0]._op
    assert op is not None  # noqa: S101  # only op nodes are grouped
    group = Elementwise(store, out, len(nodes), name=op.name)
    if not is_builtin(op):  # a registered op: its rules must hold on lanes
        check_on_lanes(op)
    group.forward_rule, group.local_rule = forward_rule(op), local_rule(op)
    group.params = dict(nodes[0]._params or {})
    group.selects = op.selects
    for k in range(len(nodes[0]._parents)):
        column = [n._parents[k] for n in nodes]
        rows = [layout.row[p] for p in column]
        group.args.append((layout.store[column[0]], as_index(rows)))
        group.targets.append(_target(layout, column))
    return group


def _sum(nodes: list[Value], layout: Layout, out: slice, store: int) -> Group:
    group = Sum(store, out, len(nodes))
    for kind, attr in ((VARYING, "varying"), (UNIFORM, "uniform")):
        table = [[p for p in n._parents if layout.store[p] == kind] for n in nodes]
        if table[0]:
            setattr(group, attr, _rows(layout, table))
            group.targets.append(_target(layout, [p for line in table for p in line]))
        else:
            group.targets.append(None)
    return group


def _dot(nodes: list[Value], layout: Layout, out: slice, store: int) -> Group:
    group = Dot(store, out, len(nodes))
    split: dict[tuple[int, int], list[list[tuple[Value, Value]]]] = {
        (0, 1): [], (1, 1): [], (0, 0): []
    }  # fmt: skip
    for n in nodes:
        ps = n._parents
        pairs = [(ps[i], ps[i + 1]) for i in range(0, len(ps) - 1, 2)]
        # put the uniform member first: (weight, input) whichever order the caller used
        pairs = [(b, a) if layout.store[a] > layout.store[b] else (a, b) for a, b in pairs]
        for kind, line in split.items():
            line.append([p for p in pairs if (layout.store[p[0]], layout.store[p[1]]) == kind])
    t = group.targets
    mixed = split[(0, 1)]
    if mixed[0]:
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
        for members in by_key.values():
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
            build = _sum if name == "sum" else _dot if name == "dot" else _elementwise
            groups.append(build(members, layout, out, store))
    return layout, groups
