"""``draw_dot``: a computation graph as a ``graphviz.Digraph``, edges labelled with derivatives.

A box per ``Value`` (label, data, grad), a small node per operation (its symbol, its derivative
formula as tooltip) and an edge per input, labelled with the number ``d out / d input`` that the
backward pass multiplies by. Nodes are named by their position in
:func:`autograd.topological_order`, so the same expression always gives the same DOT text.
Graphs larger than ``max_nodes`` are drawn collapsed (see :mod:`autograd.viz.collapse`);
``clusters=True`` draws an ``autograd.nn`` model's nodes in a cluster per neuron inside a
cluster per layer (see :mod:`autograd.viz.groups`).

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> y = x * x
>>> y.label = "y"
>>> y.backward()
>>> source = draw_dot(y).source
>>> 'n0 [label="{x|data 3|grad 6}"' in source, "n0 -> n1op [label=3" in source
(True, True)
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable, Mapping, Sequence, Set
from contextlib import nullcontext
from typing import Any, Final

from autograd import _checks
from autograd.engine import Value, topological_order
from autograd.messages import describe
from autograd.ops import Op
from autograd.viz.collapse import draw_collapsed
from autograd.viz.groups import neuron_clusters, parent_key
from autograd.viz.style import (
    HIGHLIGHT_COLOR,
    LAYER_BORDER,
    LEAF_COLOR,
    NEURON_BORDER,
    NEURON_FILL,
    OP_COLOR,
    VALUE_COLOR,
    fmt,
    natural_key,
    new_digraph,
    record_escape,
)

RANKDIRS: Final = ("LR", "TB", "RL", "BT")
"""The layout directions ``draw_dot`` accepts (Graphviz's ``rankdir``)."""

SHOWS: Final = ("data+grad", "data", "grad", "label")
"""What a Value's box shows besides its label."""

DEFAULT_MAX_NODES: Final = 400
"""Above this many Values a graph is drawn collapsed: one box per neuron, layer or depth."""

SHORT_SYMBOL: Final = 2  # symbols up to this long fit in a circle; longer ones get an ellipse


def node_id(index: int) -> str:
    """Return the id of the Value box at position ``index`` of the topological order.

    >>> node_id(3), op_id(node_id(3))
    ('n3', 'n3op')
    """
    return f"n{index}"


def op_id(box: str) -> str:
    """Return the id of the op node drawn beside the Value box ``box`` (the op that made it)."""
    return f"{box}op"


def node_ids(order: Iterable[Value]) -> dict[Value, str]:
    """Name each node by its position in topological order: ``n0``, ``n1``, ... (never ``id()``).

    >>> a = Value(1.0)
    >>> list(node_ids(topological_order(a + a)).values())
    ['n0', 'n1']
    """
    return {node: node_id(i) for i, node in enumerate(order)}


def edge_id(index: int, k: int) -> str:
    """Return the id of the edge from node ``n{index}``'s ``k``-th input to its op node.

    >>> edge_id(3, 1), out_edge_id(3)
    ('e3_1', 'o3')
    """
    return f"e{index}_{k}"


def out_edge_id(index: int) -> str:
    """Return the id of the edge from node ``n{index}``'s op node to its Value box."""
    return f"o{index}"


def op_text(node: Value) -> str:
    """Return what an op node shows: its symbol, with constant parameters (``** 2``).

    >>> op_text(Value(3.0) ** 2), op_text(Value(1.0).leaky_relu(0.1))
    ('** 2', 'leaky_relu(0.1)')
    """
    op = node.op
    if op is None:
        return ""
    params = node.params
    if op.name == "pow":
        return f"{op.symbol} {fmt(params['exponent'])}"
    if params:
        return f"{op.symbol}({', '.join(fmt(v) for v in params.values())})"
    return op.symbol


def value_text(node: Value, show: str, name: str | None = None, grad: float | None = None) -> str:
    """Return the record label of a Value's box: its label (if any), then data and/or grad.

    ``name`` replaces the node's label and ``grad`` its ``.grad`` when given.

    >>> value_text(Value(2.0, label="x"), "data+grad"), value_text(Value(0.5), "data")
    ('{x|data 2|grad 0}', '{data 0.5}')
    """
    label = node.label if name is None else name
    fields = [record_escape(label)] if label or show == "label" else []
    if show in ("data+grad", "data"):
        fields.append(f"data {fmt(node.data)}")
    if show in ("data+grad", "grad"):
        fields.append(f"grad {fmt(node.grad if grad is None else grad)}")
    return "{" + "|".join(fields) + "}"


def value_tooltip(node: Value) -> str:
    """Return a box's tooltip: the exact numbers (``repr``), which the label rounds."""
    name = f"{node.label}: " if node.label else ""
    return f"{name}data={node.data!r} grad={node.grad!r}"


def formula_text(op: Op) -> str:
    """Return a row's derivatives on one line: its texts per input (or per role) joined.

    >>> from autograd.ops import OPS
    >>> formula_text(OPS["mul"]), formula_text(OPS["dot"])
    ('b, a', 'x_i for w_i, w_i for x_i, 1 for b')
    """
    return ", ".join(op.formula)


def op_tooltip(op: Op) -> str:
    """Return an op node's tooltip: the row's name and all its local derivatives.

    >>> from autograd.ops import OPS
    >>> op_tooltip(OPS["div"])
    'div: d out / d inputs = 1/b, -a/b**2'
    """
    return f"{op.name}: d out / d inputs = {formula_text(op)}"


def edge_tooltip(node: Value, k: int) -> str:
    """Return the formula of ``d node / d input k``: the row's text for that input.

    An n-ary row's texts are per role, not per input, so its edges show the whole rule.

    >>> a, b = Value(2.0), Value(3.0)
    >>> edge_tooltip(a * b, 1)
    'mul: d out / d input 1 = a'
    """
    op = node.op
    if op is None:
        return ""
    formula = formula_text(op) if op.arity is None else op.formula[k]
    return f"{op.name}: d out / d input {k} = {formula}"


def check_root(root: object, caller: str) -> Value:
    """Return ``root`` if it is a Value (the output a picture shows), else raise a TypeError.

    >>> check_root(3.0, "draw_dot")
    Traceback (most recent call last):
    ...
    TypeError: draw_dot: root must be a Value (the output to draw), got float 3.0
    """
    return _checks.instance(f"{caller}: root", root, Value, "a Value (the output to draw)")


def _checked_colors(edge_colors: object) -> None:
    """``draw_dot``'s ``edge_colors``: None, or a mapping of edge ids (str) to colours (str)."""
    if edge_colors is None:
        return
    if not isinstance(edge_colors, Mapping):
        raise TypeError(
            f"draw_dot: edge_colors must be None or a dict of edge ids to colours, got "
            f"{describe(edge_colors)}"
        )
    for key, colour in edge_colors.items():
        if not (isinstance(key, str) and isinstance(colour, str)):
            raise TypeError(
                f"draw_dot: edge_colors must map edge ids (str, e.g. 'e3_0') to colours (str), "
                f"got {key!r}: {colour!r}"
            )


def draw_dot(
    root: Value,
    *,
    rankdir: str = "LR",
    show: str = "data+grad",
    edge_labels: bool = True,
    highlight: Value | Iterable[Value] | None = (),
    max_nodes: int = DEFAULT_MAX_NODES,
    clusters: bool = False,
    edge_colors: Mapping[str, str] | None = None,
) -> Any:  # a graphviz.Digraph; graphviz ships no type hints
    """Return the graph that computed ``root`` as a ``graphviz.Digraph``.

    Args:
        root: the output Value; everything it depends on is drawn.
        rankdir: layout direction, one of ``RANKDIRS``.
        show: what each Value's box shows besides its label, one of ``SHOWS``.
        edge_labels: label each input edge with its local derivative ``d out / d input``
            (a collapsed drawing labels its arrows with edge counts instead).
        highlight: a Value, or Values, whose boxes are filled in a highlight colour (None:
            none); a collapsed drawing highlights the boxes that hold them.
        max_nodes: past this many Values, draw one box per neuron, layer or depth instead.
        clusters: draw the nodes of each ``autograd.nn`` neuron (its parameters, weighted sum
            and activation, recognised by their dotted labels) in a cluster, inside a cluster
            per layer. Collapsed drawings are always grouped this way.
        edge_colors: colours by edge id (``e{node}_{k}`` for the ``k``-th input of node
            ``n{node}``, ``o{node}`` for its op-to-value edge); used by the path explainer.
            A collapsed drawing cannot show them, and warns.

    Returns:
        A ``graphviz.Digraph``: ``.source`` is the DOT text, ``.pipe(format="svg")`` renders.

    Raises:
        TypeError: ``root`` or a highlighted node is not a Value, ``edge_labels`` or
            ``clusters`` is not a bool, ``max_nodes`` is not an int, ``edge_colors`` is not
            None or a dict of str edge ids to str colours.
        ValueError: an unknown ``rankdir`` or ``show``, a ``max_nodes`` below 1, or a
            highlighted Value that is not in the graph.

    >>> from autograd import Value
    >>> draw_dot(Value(1.0), rankdir="XY")
    Traceback (most recent call last):
    ...
    ValueError: draw_dot: unknown rankdir 'XY' (must be one of ['LR', 'TB', 'RL', 'BT'])
    """
    check_root(root, "draw_dot")
    _checks.choice("rankdir", rankdir, RANKDIRS, caller="draw_dot")
    _checks.choice("show", show, SHOWS, caller="draw_dot")
    _checks.flag("draw_dot: edge_labels", edge_labels)
    _checks.flag("draw_dot: clusters", clusters)
    _checks.count("draw_dot: max_nodes", max_nodes)
    _checked_colors(edge_colors)
    order = topological_order(root)
    ids = node_ids(order)
    marked = _checked_highlight(highlight, ids)
    if len(order) > max_nodes:
        if edge_colors:
            warnings.warn(
                f"draw_dot: the graph has {len(order)} Values, more than max_nodes={max_nodes}, "
                "so it is drawn collapsed (one box per group) and the edge colours (the "
                "explainer's paths) cannot be shown; pass a larger max_nodes to draw every node",
                UserWarning,
                stacklevel=2,
            )
        return draw_collapsed(
            order, rankdir=rankdir, max_nodes=max_nodes, show=show, edge_labels=edge_labels,
            marked=marked,
        )  # fmt: skip
    groups: dict[Value, str] = {}
    if clusters:
        groups = neuron_clusters(order)
    return draw_full(
        order, ids=ids, rankdir=rankdir, show=show, edge_labels=edge_labels, marked=marked,
        colors=edge_colors or {}, clusters=groups,
    )  # fmt: skip


def draw_full(
    order: Sequence[Value],
    *,
    ids: Mapping[Value, str],
    rankdir: str,
    show: str,
    edge_labels: bool,
    marked: Set[Value] = frozenset(),
    colors: Mapping[str, str] | None = None,
    names: Mapping[Value, str] | None = None,
    grads: Mapping[Value, float] | None = None,
    clusters: Mapping[Value, str] | None = None,
) -> Any:  # a graphviz.Digraph; graphviz ships no type hints
    """Draw every node of ``order`` (checked arguments; ``draw_dot`` is the public entry).

    ``ids`` is ``node_ids(order)``, built once by the caller. ``names`` overrides the label
    shown in a box (the step-through viewer names unlabelled nodes by their id, so its text and
    its picture agree); ``grads`` overrides ``.grad`` (the viewer lays boxes out for the
    gradients its frames will show); ``clusters`` names the neuron (a dotted name, its layer the
    part before the last name) of each node drawn inside one.
    """
    colors = colors or {}
    names = names or {}
    grads = grads or {}
    clusters = clusters or {}
    graph = new_digraph("autograd", rankdir)

    def add(where: Any, node: Value) -> None:
        text = value_text(node, show, names.get(node), grads.get(node))
        _add_node(where, node, ids[node], text, node in marked)

    for node in order:
        if node not in clusters:
            add(graph, node)
    _add_clusters(graph, order, clusters, add)
    for index, node in enumerate(order):
        op = node.op
        if op is None:
            continue
        name = ids[node]
        locals_ = node.local_grads()
        for k, (parent, local) in enumerate(zip(node.parents, locals_, strict=True)):
            eid = edge_id(index, k)
            attrs = {"id": eid, "tooltip": edge_tooltip(node, k)}
            if edge_labels:
                attrs["label"] = fmt(local)
            if eid in colors:
                attrs.update(color=colors[eid], penwidth="2.5", fontcolor=colors[eid].split(":")[0])
            graph.edge(ids[parent], op_id(name), **attrs)
        oid = out_edge_id(index)
        out_attrs = {"id": oid}
        if oid in colors:
            out_attrs.update(color=colors[oid], penwidth="2.5")
        graph.edge(op_id(name), name, **out_attrs)
    return graph


def _add_clusters(
    graph: Any, order: Sequence[Value], clusters: Mapping[Value, str], add: Any
) -> None:
    """Declare each neuron's nodes inside its cluster, each layer's neurons inside the layer's.

    Clusters are numbered in the natural order of their names (``layers.0`` first), so the DOT
    text is deterministic.
    """
    members: dict[str, list[Value]] = {}
    for node in order:
        if node in clusters:
            members.setdefault(clusters[node], []).append(node)
    layers: dict[str, list[str]] = {}
    for neuron in sorted(members, key=natural_key):  # layers.2 before layers.10
        layers.setdefault(parent_key(neuron), []).append(neuron)
    for i, (layer, neurons) in enumerate(layers.items()):
        outer = graph.subgraph(name=f"cluster_{i}") if layer else nullcontext(graph)
        with outer as where:
            if layer:
                # the layer's name on the left, its neurons' names centred: they never overlap
                where.attr(label=layer, labeljust="l", style="rounded,dashed", color=LAYER_BORDER)
            for j, neuron in enumerate(neurons):
                with where.subgraph(name=f"cluster_{i}_{j}") as sub:
                    sub.attr(
                        label=neuron.removeprefix(layer + ".") if layer else neuron,
                        style="rounded,filled",
                        color=NEURON_BORDER,
                        fillcolor=NEURON_FILL,
                    )
                    for node in members[neuron]:
                        add(sub, node)


def _checked_highlight(
    highlight: Value | Iterable[Value] | None, ids: Mapping[Value, str]
) -> set[Value]:
    given: object = highlight  # checked as an object: callers may pass anything
    items: Iterable[object]
    if given is None:
        return set()
    if isinstance(given, Value):
        items = (given,)
    elif isinstance(given, Iterable) and not isinstance(given, str | bytes):
        items = given
    else:
        raise TypeError(
            "draw_dot: highlight must be a Value, an iterable of Values or None, got "
            f"{describe(given)}"
        )
    marked: set[Value] = set()
    for node in items:
        if not isinstance(node, Value):
            raise TypeError(f"draw_dot: highlight must hold Values, got {describe(node)}")
        if node not in ids:
            raise ValueError(
                f"draw_dot: highlighted {node!r} is not in the graph of root; "
                "highlight only nodes that root depends on"
            )
        marked.add(node)
    return marked


def _add_node(graph: Any, node: Value, name: str, text: str, marked: bool) -> None:
    fill = HIGHLIGHT_COLOR if marked else (LEAF_COLOR if node.op is None else VALUE_COLOR)
    graph.node(
        name,
        text,
        shape="record",
        style="filled",
        fillcolor=fill,
        id=name,
        tooltip=value_tooltip(node),
    )
    op = node.op
    if op is not None:
        text = op_text(node)
        graph.node(
            op_id(name),
            text,
            shape="circle" if len(text) <= SHORT_SYMBOL else "ellipse",
            style="filled",
            fillcolor=OP_COLOR,
            width="0.3",
            height="0.3",
            margin="0.02",
            id=op_id(name),
            tooltip=op_tooltip(op),
        )
