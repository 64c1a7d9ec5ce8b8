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

import math
import warnings
from collections.abc import Callable, Iterable, Mapping, Sequence, Set
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any, Final

from autograd import _checks
from autograd.engine import Value, backprop, topological_order
from autograd.messages import describe
from autograd.ops import Op
from autograd.viz.collapse import draw_collapsed
from autograd.viz.consistency import (
    GRADS,
    GradCheck,
    check_grads,
    warn_stale,
    wrap,
)
from autograd.viz.groups import neuron_clusters, parent_key
from autograd.viz.style import (
    DEFAULT_DIGITS,
    HIGHLIGHT_COLOR,
    LAYER_BORDER,
    LEAF_COLOR,
    NEURON_BORDER,
    NEURON_FILL,
    OP_COLOR,
    VALUE_COLOR,
    WARNING_COLOR,
    check_digits,
    fmt,
    natural_key,
    new_digraph,
    operand,
    record_escape,
    text_choice,
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


def value_text(
    node: Value,
    show: str,
    name: str | None = None,
    grad: float | None = None,
    digits: int = DEFAULT_DIGITS,
    data: float | None = None,
) -> str:
    """Return the record label of a Value's box: its name (if any), then data and/or grad.

    ``name``, ``grad`` and ``data`` replace the node's label, ``.grad`` and ``.data`` when
    given.

    >>> value_text(Value(2.0, label="x"), "data+grad"), value_text(Value(0.5), "data")
    ('{x|data 2|grad 0}', '{data 0.5}')
    """
    label = node.label if name is None else name
    fields = [record_escape(label)] if label or show == "label" else []
    if show in ("data+grad", "data"):
        fields.append(f"data {fmt(node.data if data is None else data, digits)}")
    if show in ("data+grad", "grad"):
        fields.append(f"grad {fmt(node.grad if grad is None else grad, digits)}")
    return "{" + "|".join(fields) + "}"


def number_text(key: str, x: float, digits: int) -> str:
    """Return ``key x`` as a box shows it, with the exact number after it where it is rounded.

    >>> number_text("grad", 17.0, 6), number_text("data", 2 ** 0.5, 6)
    ('grad 17', 'data 1.41421 (exactly 1.4142135623730951)')
    """
    shown = fmt(x, digits)
    if math.isnan(x) or float(shown) == x:
        return f"{key} {shown}"
    return f"{key} {shown} (exactly {x!r})"


def value_tooltip(node: Value, name: str, grad: float | None, digits: int = DEFAULT_DIGITS) -> str:
    """Return a box's tooltip: its name and the numbers it shows, exact where they are rounded.

    ``grad`` is the gradient the box shows (None: the box shows none).

    >>> value_tooltip(Value(2.0), "n0", 0.5)
    'n0: data 2, grad 0.5'
    """
    parts = [number_text("data", node.data, digits)]
    if grad is not None:
        parts.append(number_text("grad", grad, digits))
    return f"{name}: {', '.join(parts)}"


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


def display_names(
    order: Sequence[Value], ids: Mapping[Value, str] | None = None
) -> dict[Value, str]:
    """Name each node by its label, else by its id (``n3``); labels used twice get ids too.

    Every view -- ``draw_dot``, the player, the path explainer -- names nodes this way, so a
    name in a caption is the name in the box. ``ids`` is ``node_ids(order)``, if the caller has
    it already.

    >>> a = Value(1.0, label="a")
    >>> sorted(display_names(topological_order(a * a)).values())
    ['a', 'n1']
    """
    ids = node_ids(order) if ids is None else ids
    seen: dict[str, int] = {}
    for node in order:
        if node.label:
            seen[node.label] = seen.get(node.label, 0) + 1
    return {
        node: node.label if node.label and seen[node.label] == 1 else ids[node] for node in order
    }


@dataclass(frozen=True)
class PictureGrads:
    """The gradients a picture shows, and what it says about them.

    Attributes:
        values: each node's drawn gradient (None: no gradient is drawn).
        note: the warning a picture shows when ``.grad`` is not one pass from the root.
        stale: the nodes whose ``.grad`` disagrees with that pass (outlined in the picture).
        check: the comparison behind them (None when nothing was compared).
    """

    values: Mapping[Value, float] | None
    note: str = ""
    stale: frozenset[Value] = frozenset()
    check: GradCheck | None = None


def picture_grads(
    root: Value,
    order: Sequence[Value],
    *,
    grads: str,
    shown: bool,
    names: Mapping[Value, str],
    digits: int,
    caller: str,
    stacklevel: int,
) -> PictureGrads:
    """Return the gradients a picture of ``root`` draws (see ``draw_dot``'s ``grads``).

    ``".grad"``: the stored ``.grad``, checked against one fresh pass; when they are not one
    pass from ``root`` the caller's picture gets a note and a ``StaleGradWarning`` is raised.
    ``"fresh"``: that pass itself, ``d root / d node`` (``grad()``'s numbers). Nothing is
    checked when no gradient is ``shown``.
    """
    if not shown:
        return PictureGrads(None)
    if grads == "fresh":
        fresh = backprop(root, order=order)
        return PictureGrads({node: fresh[node] + 0.0 for node in order})  # -0.0 shows as 0
    check = check_grads(root, order)
    values = {node: node.grad for node in order}
    if check.consistent:
        return PictureGrads(values, check=check)
    note = check.note(names, len(order), digits, f'{caller}(..., grads="fresh")')
    warn_stale(caller, note, stacklevel + 1)
    return PictureGrads(values, note, frozenset(check.stale), check)


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
    grads: str = ".grad",
    digits: int = DEFAULT_DIGITS,
) -> Any:  # a graphviz.Digraph; graphviz ships no type hints
    """Return the graph that computed ``root`` as a ``graphviz.Digraph``.

    Args:
        root: the output Value; everything it depends on is drawn.
        rankdir: layout direction, one of ``RANKDIRS``. ``"TB"`` stacks each box's fields
            and suits wide graphs (a layer of neurons side by side).
        show: what each Value's box shows besides its name, one of ``SHOWS``.
        edge_labels: label each input edge with its local derivative ``d out / d input``
            (a collapsed drawing labels its arrows with edge counts instead); the number is
            also in the edge's tooltip, so ``False`` keeps it on hover.
        highlight: a Value, or Values, whose boxes are filled in a highlight colour (None:
            none); a collapsed drawing highlights the boxes that hold them.
        max_nodes: past this many Values, draw one box per neuron, layer or depth instead.
        clusters: draw the nodes of each ``autograd.nn`` neuron (its parameters, weighted sum
            and activation, recognised by their dotted labels) in a cluster, inside a cluster
            per layer; a box in a cluster shows its name inside the neuron (``w.0``).
            Collapsed drawings are always grouped this way.
        edge_colors: colours by edge id (``e{node}_{k}`` for the ``k``-th input of node
            ``n{node}``, ``o{node}`` for its op-to-value edge); used by the path explainer.
            A collapsed drawing cannot show them, and warns.
        grads: which gradients the boxes show. ``".grad"`` (the default) draws what the
            engine holds, the numbers ``print(x.grad)`` shows, and checks them: when they are
            not one backward pass from ``root`` (sums left by an earlier ``backward()`` that
            no ``zero_grad`` cleared, or by another root), the picture says so in a note at
            the top, outlines the boxes that disagree and a ``StaleGradWarning`` is raised --
            a teacher wants that mistake seen, not silently redrawn. ``"fresh"``
            draws one fresh pass from ``root`` instead, computed without touching ``.grad``
            (``grad()``'s numbers), whatever ``.grad`` holds. Both obey the chain rule of the
            picture whenever no note is shown; ``root.backward()`` called ``k`` times draws
            ``k`` times one pass, which is consistent too (the root shows ``grad k``).
        digits: significant digits of the numbers drawn (tooltips add the exact number).

    Returns:
        A ``graphviz.Digraph``: ``.source`` is the DOT text, ``.pipe(format="svg")`` renders;
        Jupyter shows it as SVG, with a PNG beside it for notebooks that are not trusted.

    Raises:
        TypeError: ``root`` or a highlighted node is not a Value, ``edge_labels`` or
            ``clusters`` is not a bool, ``max_nodes`` or ``digits`` is not an int, ``grads``
            is not a str, ``edge_colors`` is not None or a dict of str edge ids to str colours.
        ValueError: an unknown ``rankdir``, ``show`` or ``grads``, a ``max_nodes`` below 1,
            ``digits`` outside 1 to 17, or a highlighted Value that is not in the graph.

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
    text_choice("draw_dot", "grads", grads, GRADS)
    check_digits("draw_dot", digits)
    order = topological_order(root)
    ids = node_ids(order)
    marked = _checked_highlight(highlight, ids)
    names = display_names(order, ids)
    drawn = picture_grads(
        root, order, grads=grads, shown="grad" in show, names=names, digits=digits,
        caller="draw_dot", stacklevel=2,
    )  # fmt: skip
    if len(order) > max_nodes:
        if edge_colors:
            warnings.warn(
                f"draw_dot: the graph has {len(order)} Values, more than max_nodes={max_nodes}, "
                "so it is drawn collapsed (one box per group) and the edge colours (the "
                "explainer's paths) cannot be shown; pass a larger max_nodes to draw every node",
                UserWarning,
                stacklevel=2,
            )
        picture = draw_collapsed(
            order, rankdir=rankdir, max_nodes=max_nodes, show=show, edge_labels=edge_labels,
            marked=marked, grads=drawn.values, note=drawn.note, digits=digits,
        )  # fmt: skip
    else:
        picture = draw_full(
            order, ids=ids, rankdir=rankdir, show=show, edge_labels=edge_labels, marked=marked,
            colors=edge_colors or {}, clusters=neuron_clusters(order) if clusters else {},
            names=names, grads=drawn.values, stale=drawn.stale, note=drawn.note, digits=digits,
        )  # fmt: skip
    picture.values = len(order)
    return picture


def draw_full(
    order: Sequence[Value],
    *,
    ids: Mapping[Value, str],
    rankdir: str,
    show: str,
    edge_labels: bool,
    names: Mapping[Value, str],
    marked: Set[Value] = frozenset(),
    colors: Mapping[str, str] | None = None,
    grads: Mapping[Value, float] | None = None,
    clusters: Mapping[Value, str] | None = None,
    stale: Set[Value] = frozenset(),
    note: str = "",
    digits: int = DEFAULT_DIGITS,
    data: Mapping[Value, float] | None = None,
) -> Any:  # a graphviz.Digraph; graphviz ships no type hints
    """Draw every node of ``order`` (checked arguments; ``draw_dot`` is the public entry).

    ``ids`` is ``node_ids(order)`` and ``names`` is ``display_names(order, ids)``, built once
    by the caller. ``grads`` gives the gradient each box shows (None: ``.grad``); the player
    lays its boxes out for the gradients its frames will show. ``clusters`` names the neuron
    (a dotted name, its layer the part before the last name) of each node drawn inside one.
    ``stale`` boxes are outlined, and ``note`` is shown at the top, when ``.grad`` is stale.
    ``data`` replaces ``.data`` (the training player lays boxes out for its widest numbers).
    """
    colors = colors or {}
    clusters = clusters or {}
    graph = new_digraph("autograd", rankdir)
    if note:
        graph.graph_attr.update(label="\\n".join(wrap(note)), labelloc="t", fontcolor=WARNING_COLOR)

    def add(where: Any, node: Value) -> None:
        name = names[node]
        owner = clusters.get(node)
        if owner and name.startswith(owner + "."):
            name = name[len(owner) + 1 :]  # the cluster says whose it is: w.0 in neurons.1
        grad = node.grad if grads is None else grads[node]
        text = value_text(node, show, name, grad, digits, None if data is None else data[node])
        tip = value_tooltip(node, names[node], grad if "grad" in show else None, digits)
        _add_node(where, node, ids[node], text, tip, node in marked, node in stale)

    declared = reading_order(order, rankdir)
    for node in declared:
        if node not in clusters:
            add(graph, node)
    _add_clusters(graph, declared, clusters, add, reverse=rankdir in ("TB", "BT"))
    _order_inputs(graph, order, ids, clusters or neuron_clusters(order))
    _add_edges(graph, order, ids, names, edge_labels, colors, digits, clusters)
    return graph


def _add_edges(
    graph: Any,
    order: Sequence[Value],
    ids: Mapping[Value, str],
    names: Mapping[Value, str],
    edge_labels: bool,
    colors: Mapping[str, str],
    digits: int,
    clusters: Mapping[Value, str],
) -> None:
    """Draw each input edge (labelled with its local derivative) and each op-to-value edge.

    An edge from one neuron's cluster into another's (a layer reading the previous one) spans
    two ranks, so the neuron's parameters get the rank between: a layer follows the one it reads
    instead of standing beside it.
    """
    for index, node in enumerate(order):
        if node.op is None:
            continue
        name = ids[node]
        for k, (parent, local) in enumerate(zip(node.parents, node.local_grads(), strict=True)):
            eid = edge_id(index, k)
            tip = f"∂{operand(names[node])}/∂{operand(names[parent])} = {fmt(local, digits)}"
            attrs = {"id": eid, "tooltip": f"{tip}  ({edge_tooltip(node, k)})"}
            if edge_labels:
                attrs["label"] = fmt(local, digits)
            if node in clusters and parent in clusters and clusters[parent] != clusters[node]:
                attrs["minlen"] = "2"
            if eid in colors:
                attrs.update(color=colors[eid], penwidth="2.5", fontcolor=colors[eid].split(":")[0])
            graph.edge(ids[parent], op_id(name), **attrs)
        oid = out_edge_id(index)
        out_attrs = {"id": oid}
        if oid in colors:
            out_attrs.update(color=colors[oid], penwidth="2.5")
        graph.edge(op_id(name), name, **out_attrs)


def _order_inputs(
    graph: Any, order: Sequence[Value], ids: Mapping[Value, str], owners: Mapping[Value, str]
) -> None:
    """Keep an ``autograd.nn`` graph in reading order: the data first, each once.

    The leaves without a dotted name that neurons read (``owners`` gives each neuron's nodes)
    share the first rank, in the order the neurons read them; invisible edges hold that order,
    which Graphviz would otherwise change to shorten edges.
    """
    inputs = list(
        dict.fromkeys(
            p
            for node in order
            if node in owners and node.op is not None
            for p in node.parents
            if p.op is None and p not in owners
        )
    )
    if not inputs:
        return
    with graph.subgraph() as first:
        first.attr(rank="min")
        for node in inputs:
            first.node(ids[node])


MCLIMIT_IN_ORDER: Final = "0.01"
"""Graphviz's crossing-minimisation budget in clustered top-to-bottom pictures: so little that
the declared order of neurons and parameters survives (a full budget shuffles them)."""


def reading_order(order: Sequence[Value], rankdir: str) -> list[Value]:
    """Return the order to declare nodes in, so that each neuron's parameters read in order.

    Graphviz places the nodes of a rank in the order they are declared -- reversed in a
    top-to-bottom layout -- so each neuron's parameters (``w.0, w.1, ..., b``, the order its
    weighted sum reads them) are declared together where the first one stands, reversed for
    ``TB`` and ``BT``; every other node keeps its topological place.
    """
    owners = neuron_clusters(order)
    reverse = rankdir in ("TB", "BT")
    params: dict[str, list[Value]] = {}
    for node in order:
        if node.op is not None and node in owners:
            for p in node.parents:
                if p.op is None and owners.get(p) == owners[node]:
                    params.setdefault(owners[node], []).append(p)
    placed: set[Value] = set()
    declared: list[Value] = []
    for node in order:
        if node in placed:
            continue
        block = params.get(owners.get(node, ""), []) if node.op is None else []
        if node in block:
            group = list(dict.fromkeys(block))
            declared.extend(reversed(group) if reverse else group)
            placed.update(group)
        else:
            declared.append(node)
    return declared


def _add_clusters(
    graph: Any,
    order: Sequence[Value],
    clusters: Mapping[Value, str],
    add: Callable[[Any, Value], None],
    *,
    reverse: bool = False,
) -> None:
    """Declare each neuron's nodes inside its cluster, each layer's neurons inside the layer's.

    Clusters are numbered in the natural order of their names (``layers.0`` first), so the DOT
    text is deterministic; inside each, nodes are declared in the order of ``order``. With
    ``reverse`` (a top-to-bottom layout, which places a rank's nodes in reverse declaration
    order) a layer's neurons are declared last first, and Graphviz is told to keep its initial
    order (a low ``mclimit``), so neurons and their parameters read left to right in order.
    """
    if reverse and clusters:
        graph.attr(mclimit=MCLIMIT_IN_ORDER)
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
            for j, neuron in enumerate(reversed(neurons) if reverse else neurons):
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


def _add_node(
    graph: Any, node: Value, name: str, text: str, tooltip: str, marked: bool, stale: bool
) -> None:
    fill = HIGHLIGHT_COLOR if marked else (LEAF_COLOR if node.op is None else VALUE_COLOR)
    attrs = {"color": WARNING_COLOR, "penwidth": "2", "style": "filled,dashed"} if stale else {}
    graph.node(
        name,
        text,
        **{"shape": "record", "style": "filled", "fillcolor": fill, "id": name,
           "tooltip": tooltip, **attrs},
    )  # fmt: skip
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
