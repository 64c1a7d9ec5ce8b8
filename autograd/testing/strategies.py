"""Hypothesis strategies drawn from the primitive table: inputs, random expressions, networks.

Needs Hypothesis (``pip install "autograd-scalar[testing]"``). Inputs come from ``op.domain``:
one float per ``domain.sample`` interval, kept :data:`KINK_MARGIN` away from ``domain.kinks``
by bounds (nothing is filtered out), constant parameters from ``domain.params``. Registered ops
(:func:`autograd.ops.register`) are drawn like the built-in rows.

>>> from hypothesis import given
>>> from autograd.ops import OPS
>>> @given(inputs(OPS["log"]))
... def test_log_is_finite_inside_its_domain(xs):
...     assert math.isfinite(OPS["log"].forward(*xs))
>>> test_log_is_finite_inside_its_domain()
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from autograd.testing import HYPOTHESIS_MISSING

try:
    from hypothesis import assume
    from hypothesis import strategies as st
except ModuleNotFoundError as err:  # an optional dependency: say how to get it
    raise ModuleNotFoundError(HYPOTHESIS_MISSING) from err

from autograd.engine import Value, apply
from autograd.nn import ACTIVATIONS, MLP
from autograd.ops import OPS, Op

KINK_MARGIN: Final = 1e-3
"""How far drawn inputs stay from a kink: far beyond any finite-difference step at |x| <= 5."""

GRAPH_BOUND: Final = 1e4
"""Random expressions whose numbers grow past this are rejected (``assume``)."""

GRAPH_LEAF_RANGE: Final = (-2.0, 2.0)
"""Where the leaves of random expressions and the inputs of random networks are drawn."""

Point = tuple[tuple[float, ...], dict[str, float]]
"""An op's inputs and its constant parameters."""


def input_count(op: Op) -> int:
    """The number of inputs drawn for ``op``: its arity, or ``len(domain.sample)`` if n-ary.

    >>> input_count(OPS["mul"]), input_count(OPS["dot"])
    (2, 5)
    """
    return op.arity if op.arity is not None else len(op.domain.sample)


def floats_between(
    lo: float, hi: float, kinks: Sequence[float] = (), margin: float = KINK_MARGIN
) -> st.SearchStrategy[float]:
    """Finite floats in ``[lo, hi]`` at least ``margin`` from every kink (bounds, no filter).

    >>> floats_between(-1.0, 1.0, kinks=[0.0])
    one_of(floats(min_value=-1.0, max_value=-0.001), floats(min_value=0.001, max_value=1.0))
    """
    pieces: list[tuple[float, float]] = [(lo, hi)]
    for k in kinks:
        split: list[tuple[float, float]] = []
        for a, b in pieces:
            if a <= k + margin and k - margin <= b:
                if a <= k - margin:
                    split.append((a, k - margin))
                if k + margin <= b:
                    split.append((k + margin, b))
            else:
                split.append((a, b))
        pieces = split
    return st.one_of(*(st.floats(a, b) for a, b in pieces))


def inputs(op: Op) -> st.SearchStrategy[tuple[float, ...]]:
    """Points in ``op.domain.sample``, away from its kinks: a tuple, one number per input."""
    return st.tuples(*(floats_between(lo, hi, op.domain.kinks) for lo, hi in op.domain.sample))


def params(op: Op) -> st.SearchStrategy[dict[str, float]]:
    """The op's constant parameters, each drawn from its ``domain.params`` interval."""
    return st.fixed_dictionaries(
        {name: st.floats(lo, hi) for name, (lo, hi) in op.domain.params.items()}
    )


def points(op: Op) -> st.SearchStrategy[Point]:
    """``(inputs, params)`` for ``op`` inside its sampled domain."""
    return st.tuples(inputs(op), params(op))


SPECIAL_FLOATS: Final = (0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 1e308, -1e308,
                         5e-324, 710.0, -746.0, 1e-300, 0.5)  # fmt: skip
"""Zeros, infinities, nan, the largest and a subnormal, and ``exp``'s overflow thresholds."""


def extreme_floats() -> st.SearchStrategy[float]:
    """Any float at all: infinities, nan, subnormals, the largest, and overflow thresholds."""
    return st.one_of(st.sampled_from(SPECIAL_FLOATS), st.floats())


def extreme_points(op: Op) -> st.SearchStrategy[Point]:
    """``(inputs, params)`` for ``op`` anywhere at all: in, out of and at the edge of its domain."""
    inputs = st.tuples(*(extreme_floats() for _ in range(input_count(op))))
    params = st.fixed_dictionaries({name: extreme_floats() for name in op.domain.params})
    return st.tuples(inputs, params)


# --- random expression graphs from the table ----------------------------------------------------

Arg = int | float
"""An argument of a step: an ``int`` indexes an earlier node, a ``float`` is a constant."""


@dataclass(frozen=True, repr=False)
class Step:
    """One node of a random expression: an op applied to earlier nodes and constants."""

    op: Op
    args: tuple[Arg, ...]
    params: tuple[tuple[str, float], ...]

    def __repr__(self) -> str:  # the op by name: a shrunk example stays readable
        return f"Step({self.op.name!r}, {self.args!r}, {self.params!r})"


@dataclass(frozen=True)
class Expression:
    """A random expression graph, called as ``build(*values) -> Value``.

    The values are its leaves ``x0, x1, ...``; each step adds one node, the last is the
    output. A node index used twice is a shared sub-expression; a float argument is a constant
    (on either side of a binary op). Inputs of ops with a restricted domain (``log``, ``/``,
    ``**``, ...) are squashed into the op's sample interval with ``lo + (hi - lo) * sigmoid(v)``,
    so every graph is defined and smooth; building rejects (Hypothesis ``assume``) a graph that
    meets a kink or overflows, so call it inside the test.
    """

    inputs: int
    steps: tuple[Step, ...]

    def __post_init__(self) -> None:
        if not self.steps:
            raise ValueError("Expression: steps must hold at least one op node (the output)")

    def __call__(self, *values: Value | float) -> Value:
        """Build the graph on ``values`` (one per input) and return its output."""
        if len(values) != self.inputs:
            raise TypeError(f"Expression: takes {self.inputs} value(s), got {len(values)}")
        nodes: list[Value | float] = list(values)
        for s in self.steps:
            out = self._node(s, nodes)
            nodes.append(out)
        return out

    @staticmethod
    def _node(s: Step, nodes: Sequence[Value | float]) -> Value:
        op = s.op
        xs = [nodes[a] if isinstance(a, int) else a for a in s.args]
        intervals = op.domain.sample
        if op.domain.where != "all real x":
            xs = [
                lo + (hi - lo) * x.sigmoid() if isinstance(x, Value) else x
                for x, (lo, hi) in zip(xs, intervals, strict=True)
            ]
        for x in xs:
            if isinstance(x, Value):
                assume(all(abs(x.data - k) > KINK_MARGIN for k in op.domain.kinks))
        if op.name == "max":  # a tie between two different inputs is max's kink
            numbers = [(x, float(x)) for x in xs]
            assume(all(a is b or abs(u - v) > KINK_MARGIN for a, u in numbers for b, v in numbers))
        out = apply(op, *xs, **dict(s.params))
        assume(math.isfinite(out.data) and abs(out.data) < GRAPH_BOUND)
        return out

    def __str__(self) -> str:
        names = [f"x{i}" for i in range(self.inputs)]
        lines = []
        for s in self.steps:
            args = ", ".join(names[a] if isinstance(a, int) else repr(a) for a in s.args)
            extra = "".join(f", {k}={v!r}" for k, v in s.params)
            names.append(f"n{len(names) - self.inputs}")
            lines.append(f"{names[-1]} = {s.op.name}({args}{extra})")
        return "\n".join(lines)


def _chosen(ops: Iterable[Op | str] | None) -> list[Op]:
    if ops is None:
        return list(OPS.values())
    chosen = [OPS[op] if isinstance(op, str) else op for op in ops]
    if not chosen:
        raise ValueError("expressions: ops must name at least one op")
    return chosen


@st.composite
def _step(draw: st.DrawFn, table: list[Op], depth: list[int], max_depth: int) -> Step:
    op = draw(st.sampled_from(table))
    n = input_count(op)
    eligible = [i for i, d in enumerate(depth) if d < max_depth]
    # Bias towards the newest node so graphs are deep, while any earlier node may be shared.
    args: list[Arg] = [
        draw(st.one_of(st.just(eligible[-1]), st.sampled_from(eligible))) for _ in range(n)
    ]
    constant = draw(st.none() | st.integers(0, n - 1)) if n >= 2 else None  # noqa: PLR2004
    if constant is not None:  # a number on one side: x * 2.5, 2.5 - x, ...
        lo, hi = op.domain.sample[constant]
        args[constant] = draw(floats_between(lo, hi, op.domain.kinks))
    drawn = draw(params(op))
    depth.append(1 + max(depth[a] for a in args if isinstance(a, int)))
    return Step(op, tuple(args), tuple(sorted(drawn.items())))


@st.composite
def expressions(
    draw: st.DrawFn,
    ops: Iterable[Op | str] | None = None,
    max_leaves: int = 4,
    max_depth: int = 5,
    max_ops: int | None = None,
) -> tuple[Expression, tuple[float, ...]]:
    """Draw ``(build, point)``: a random expression graph and a point to build it at.

    Deep products grow steep fast (``x**16`` has slope 6e5 at 2): where a gradient is beyond
    what central differences resolve, reject the example (``assume``) before a ``gradcheck``.

    Args:
        draw: (given by Hypothesis).
        ops: the ops (or their names) to draw from; every op of ``OPS`` by default, built-in
            and registered.
        max_leaves: the most inputs.
        max_depth: the longest chain of op nodes from an input to the output.
        max_ops: the most op nodes (default ``2 * max_depth``).

    >>> from hypothesis import given
    >>> from autograd.testing import gradcheck
    >>> @given(expressions(ops=["mul", "sin", "add"], max_depth=3))
    ... def test_gradients(drawn):
    ...     build, point = drawn
    ...     gradcheck(build, point)
    >>> test_gradients()
    """
    table = _chosen(ops)
    n_leaves = draw(st.integers(1, max_leaves))
    point = tuple(draw(st.floats(*GRAPH_LEAF_RANGE)) for _ in range(n_leaves))
    depth = [0] * n_leaves
    steps = [
        draw(_step(table, depth, max_depth))
        for _ in range(draw(st.integers(1, max_ops or 2 * max_depth)))
    ]
    return Expression(n_leaves, tuple(steps)), point


@st.composite
def mlps(
    draw: st.DrawFn, max_inputs: int = 3, max_layers: int = 2, max_width: int = 4
) -> tuple[MLP, list[float]]:
    """Draw ``(model, x)``: a small seeded ``MLP`` and one input for it.

    The activation is any of ``autograd.nn.ACTIVATIONS`` but ``heaviside`` (a jump, which no
    finite difference can check), the output layer linear; ``x`` has ``model.nin`` numbers in
    :data:`GRAPH_LEAF_RANGE`.

    >>> from hypothesis import given
    >>> @given(mlps())
    ... def test_one_output(drawn):
    ...     model, x = drawn
    ...     assert isinstance(model(x), Value)
    >>> test_one_output()
    """
    nin = draw(st.integers(1, max_inputs))
    widths = [draw(st.integers(1, max_width)) for _ in range(draw(st.integers(0, max_layers - 1)))]
    model = MLP(
        nin,
        [*widths, 1],
        activation=draw(st.sampled_from(sorted(set(ACTIVATIONS) - {"heaviside"}))),
        seed=draw(st.integers(0, 2**32 - 1)),
    )
    x = [draw(st.floats(*GRAPH_LEAF_RANGE)) for _ in range(nin)]
    return model, x
