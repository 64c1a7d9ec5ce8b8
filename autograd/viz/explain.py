"""The sum-over-paths explainer: ``d output / d input`` as a sum over every path between them.

The chain rule on a graph says: the derivative of the output with respect to an input is the
sum, over every path from the input to the output, of the product of the local derivatives on
the path's edges. :func:`explain_paths` lists those paths with their factors (each one the
``local_grads()`` the backward pass uses), their products and the total, beside the engine's
own gradient. Paths are counted first, by dynamic programming over the topological order, so
a graph with exponentially many paths is refused with the count instead of enumerated.

>>> from autograd import Value
>>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
>>> f = x * y + x
>>> f.label = "f"
>>> e = explain_paths(f, x)
>>> [p.product for p in e.paths], e.total, e.gradient
([3.0, 1.0], 4.0, 4.0)
"""

from __future__ import annotations

import html
import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

from autograd import _checks
from autograd.engine import BackwardStep, Value, backprop, topological_order
from autograd.viz.collapse import COLLAPSED
from autograd.viz.dot import (
    check_root,
    draw_dot,
    edge_id,
    node_id,
    op_text,
    out_edge_id,
)
from autograd.viz.style import WARNING_COLOR, operand

DEFAULT_PATH_LIMIT: Final = 1000
"""More paths than this are refused: listing them would teach nothing and take too long."""

PALETTE: Final = (
    "#e69f00",
    "#0072b2",
    "#009e73",
    "#cc79a7",
    "#d55e00",
    "#56b4e9",
    "#000000",
    "#f0e442",
)
"""Path colours (Okabe and Ito's, told apart with any colour vision); past eight they repeat."""


@dataclass(frozen=True, slots=True)
class Step:
    """One edge of a path: ``parent`` is input ``index`` of ``child``, with its local derivative.

    Attributes:
        parent: the node the edge leaves.
        child: the op node the edge enters.
        index: which input of ``child`` the edge is (``a * a`` has edges 0 and 1).
        factor: ``d child / d parent`` along this edge: the local derivative the engine's
            backward pass multiplied by on it (``child.local_grads()[index]``).
    """

    parent: Value
    child: Value
    index: int
    factor: float


@dataclass(frozen=True, slots=True)
class Path:
    """One path from the input to the output: its steps in order and their product."""

    steps: tuple[Step, ...]
    product: float


@dataclass(frozen=True)
class PathExplanation:
    """Every path from ``input`` to ``output``, their products, the total and the gradient.

    ``total`` sums the products in path order; ``gradient`` is the engine's
    ``grad(output, input)``, from the same backward pass the factors come from. They are equal
    when the numbers are exact in binary (the worked example); otherwise they may differ in
    the last digits, because the engine adds the same terms in a different order.

    ``index`` is each node's position in ``topological_order(output)``, the number in its
    ``draw_dot`` id (``n3``), so the text and the picture name nodes alike; left out, it is
    computed from the output.
    """

    output: Value
    input: Value
    paths: tuple[Path, ...]
    total: float
    gradient: float
    index: Mapping[Value, int] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        if not self.index:  # never empty for a real graph: it holds the output at least
            order = topological_order(self.output)
            object.__setattr__(self, "index", {n: i for i, n in enumerate(order)})

    def name(self, node: Value) -> str:
        """Return how a node is written in the explanation: its label, else ``n<i> (<op>)``.

        ``n<i>`` is the node's id in :func:`autograd.viz.draw_dot` (its topological index). A
        label holding an operator or a space is bracketed (``(x+y)``), so
        ``d (x+y)**2 / d x`` cannot be misread.
        """
        if node.label:
            return operand(node.label)
        if node not in self.index:  # an input the output does not depend on
            return "(a Value outside the graph)"
        box = node_id(self.index[node])
        return f"{box} ({op_text(node)})" if node.op is not None else box

    def path_text(self, path: Path) -> str:
        """Return one path as ``x -(4.0)-> n1 (** 2) -(1.0)-> f  = 4.0 × 1.0 = 4.0``."""
        if not path.steps:
            return f"{self.name(self.input)} is the output itself  = 1.0"
        parts = [self.name(path.steps[0].parent)]
        for step in path.steps:
            parts.append(f"-({step.factor!r})-> {self.name(step.child)}")
        factors = " × ".join(repr(step.factor) for step in path.steps)
        return f"{' '.join(parts)}  = {factors} = {path.product!r}"

    def __str__(self) -> str:
        out, inp = self.name(self.output), self.name(self.input)
        lines = [
            f"d {out} / d {inp} = sum over {len(self.paths)} path(s) of the product of the "
            "local derivatives along each path"
        ]
        lines += [f"  path {i}: {self.path_text(p)}" for i, p in enumerate(self.paths, 1)]
        terms = " + ".join(repr(p.product) for p in self.paths) or "0.0 (no path)"
        lines.append(f"  total = {terms} = {self.total!r}")
        lines.append(f"  engine: grad({out}, {inp}) = {self.gradient!r}")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        return f"<pre>{html.escape(str(self))}</pre>"

    def edge_colors(self) -> dict[str, str]:
        """Return ``draw_dot`` edge ids mapped to colours, one colour per path.

        An edge on several paths gets all their colours (drawn as parallel strokes).
        """
        index = self.index
        colors: dict[str, list[str]] = {}
        for i, path in enumerate(self.paths):
            color = PALETTE[i % len(PALETTE)]
            for step in path.steps:
                child = index[step.child]
                for eid in (edge_id(child, step.index), out_edge_id(child)):
                    colors.setdefault(eid, []).append(color)
        return {eid: ":".join(dict.fromkeys(cs)) for eid, cs in colors.items()}

    def draw(self, **kwargs: Any) -> Any:  # a graphviz.Digraph; graphviz ships no type hints
        """Return ``draw_dot(output)`` with each path in its own colour and a legend.

        Keyword arguments go to :func:`autograd.viz.draw_dot` (``rankdir``, ``show``, ...).
        A graph past ``max_nodes`` is drawn collapsed, where paths cannot be coloured:
        ``draw_dot`` warns, and the legend keeps only the total.
        """
        kwargs.setdefault("highlight", [self.input] if self.input in self.index else [])
        graph = draw_dot(self.output, edge_colors=self.edge_colors(), **kwargs)
        total = f"total {self.total!r} = engine's gradient {self.gradient!r}"
        if graph.name == COLLAPSED:  # a plain-text title, not an HTML-like label
            graph.graph_attr["label"] += f"; {total}"
            return graph
        rows = [
            f'<font color="{PALETTE[i % len(PALETTE)]}">path {i + 1}: '
            f"{html.escape(self.path_text(p).split('  = ')[-1])}</font>"
            for i, p in enumerate(self.paths)
        ]
        rows.append(html.escape(total))
        note = graph.graph_attr.get("label", "")  # draw_dot's note on stale .grad, if any
        if note:
            said = html.escape(note.replace("\\n", " "))
            rows.insert(0, f'<font color="{WARNING_COLOR}">{said}</font>')
        graph.attr(label="<" + "<br/>".join(rows) + ">", labelloc="b")
        return graph


def path_counts(order: Sequence[Value], input: Value) -> dict[Value, int]:
    """Return how many paths lead from ``input`` to each node of ``order`` (parents first).

    Dynamic programming: a node is reached by the sum of its inputs' counts (an input used
    twice counts twice), so no path is enumerated.

    >>> a = Value(1.0)
    >>> b = a * a
    >>> list(path_counts(topological_order(b + a), a).values())
    [1, 2, 3]
    """
    counts: dict[Value, int] = {}
    for node in order:
        counts[node] = 1 if node is input else sum(counts[p] for p in node.parents)
    return counts


def count_paths(output: Value, input: Value) -> int:
    """Return how many paths lead from ``input`` to ``output`` (one pass, no enumeration).

    ``a * a`` counts two paths from ``a``: the two edges are distinct.

    >>> a = Value(1.0)
    >>> b = a * a
    >>> count_paths(b * b, a)
    4
    """
    check_root(output, "count_paths")
    _checks.instance("count_paths: input", input, Value, "a Value")
    return path_counts(topological_order(output), input)[output]


def explain_paths(
    output: Value,
    input: Value,
    *,
    limit: int = DEFAULT_PATH_LIMIT,
) -> PathExplanation:
    """List every path from ``input`` to ``output`` with its local derivatives and product.

    One topological order and one recorded run of the engine's backward pass
    (:func:`autograd.engine.backprop`) give everything: the path counts, each edge's factor
    and the gradient.

    Args:
        output: the Value being differentiated.
        input: the Value it is differentiated with respect to.
        limit: refuse (with the count) when there are more paths than this.

    Returns:
        A :class:`PathExplanation`; ``print`` it, or ``.draw()`` it in colours.

    Raises:
        TypeError: ``output`` or ``input`` is not a Value, or ``limit`` is not an int.
        ValueError: more than ``limit`` paths, or a ``limit`` below 1.

    >>> a = Value(1.0, label="a")
    >>> y = a
    >>> for _ in range(40):
    ...     y = y + y
    >>> explain_paths(y, a)
    Traceback (most recent call last):
    ...
    ValueError: explain_paths: 1099511627776 paths lead from a to the output, more than ...
    """
    check_root(output, "explain_paths")
    _checks.instance("explain_paths: input", input, Value, "a Value")
    _checks.count("explain_paths: limit", limit)
    order = topological_order(output)
    counts = path_counts(order, input)
    edges, gradient = _recorded_pass(output, input, order, counts)
    if counts[output] > limit:
        who = operand(input.label) if input.label else repr(input)
        raise ValueError(
            f"explain_paths: {counts[output]} paths lead from {who} to the output, more than "
            f"limit={limit}; pass a larger limit, or explain a smaller part of the graph "
            f"(the gradient itself is {gradient!r})"
        )
    paths = tuple(_enumerate(output, input, edges))
    total = 0.0
    for path in paths:
        total += path.product
    index = {node: i for i, node in enumerate(order)}
    return PathExplanation(output, input, paths, total, gradient, index)


def _recorded_pass(
    output: Value, input: Value, order: Sequence[Value], counts: Mapping[Value, int]
) -> tuple[dict[Value, list[Step]], float]:
    """Run the engine's backward pass once: the edges on paths from ``input``, its gradient.

    Each op node keeps, in input order, the edges that a path from ``input`` takes, each with
    the local derivative the pass multiplied by on it.
    """
    edges: dict[Value, list[Step]] = {}

    def keep(step: BackwardStep) -> None:
        parent = step.node.parents[step.index]
        if counts[parent]:
            edges.setdefault(step.node, []).append(Step(parent, step.node, step.index, step.local))

    grads = backprop(output, order=order, on_step=keep)
    # The reference pass starts each sum at its first term, grad() at +0.0: adding +0.0 turns
    # an exact -0.0 into grad()'s +0.0 and changes no other number.
    gradient = float(grads.get(input, 0.0)) + 0.0
    return edges, gradient


_Link: TypeAlias = "tuple[Step, _Link] | None"
"""A partial path: its first step and the rest of it, None past the output."""


def _enumerate(output: Value, input: Value, edges: Mapping[Value, list[Step]]) -> list[Path]:
    """Walk back from the output along the recorded edges that reach the input (a stack).

    A partial path is a linked list ``(step, rest)`` from the node reached back to the output,
    so a step costs the same however long the path is; each path becomes a tuple once, when it
    reaches the input (a chain a million nodes deep is one walk, not a million copies).
    """
    found: list[Path] = []
    stack: list[tuple[Value, _Link]] = [(output, None)]
    while stack:
        node, link = stack.pop()
        if node is input:
            steps: list[Step] = []
            while link is not None:  # from the input's edge to the output's
                steps.append(link[0])
                link = link[1]
            product = math.prod(step.factor for step in steps)
            found.append(Path(tuple(steps), float(product)))
            continue
        branches = [(step.parent, (step, link)) for step in edges.get(node, ())]
        stack.extend(reversed(branches))  # the first input's paths come first
    return found
