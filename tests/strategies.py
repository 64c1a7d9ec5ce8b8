"""Hypothesis strategies drawn from the primitive table, and the public way to call each row.

Inputs come from ``op.domain``: one float per ``domain.sample`` interval (n-ary rows get
``len(domain.sample)`` inputs), kept ``KINK_MARGIN`` away from ``domain.kinks`` by bounds,
and constant parameters from ``domain.params``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from hypothesis import assume
from hypothesis import strategies as st

from autograd import Value, dot, max_values, sum_values
from autograd.ops import OPS, Op

KINK_MARGIN = 1e-3  # far beyond any finite-difference step at |x| <= 5
GRAPH_BOUND = 1e4  # random graphs whose numbers grow past this are rejected
GRAPH_LEAF_RANGE = (-2.0, 2.0)

Point = tuple[tuple[float, ...], dict[str, float]]


def _dot(*terms: Value) -> Value:
    return dot(terms[0:-1:2], terms[1:-1:2], terms[-1])


# How a user reaches each row: an operator, a method or a function of the package.
CALLERS: dict[str, Callable[..., Value]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": lambda x, exponent: x**exponent,
    "vpow": lambda x, y: x**y,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "softplus": lambda x: x.softplus(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "leaky_relu": lambda x, slope: x.leaky_relu(slope),
    "abs": lambda x: abs(x),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "sum": lambda *xs: sum_values(xs),
    "dot": _dot,
    "heaviside": lambda x: x.heaviside(),
    "max": lambda *xs: max_values(xs),
}


def call(op: Op, xs: Sequence[Value], params: dict[str, float]) -> Value:
    """Apply ``op`` to Values through its public operator, method or function."""
    return CALLERS[op.name](*xs, **params)


def arity(op: Op) -> int:
    """The number of inputs the tests give ``op`` (``len(domain.sample)`` for n-ary rows)."""
    return op.arity if op.arity is not None else len(op.domain.sample)


def floats_between(
    lo: float, hi: float, kinks: Sequence[float] = (), margin: float = KINK_MARGIN
) -> st.SearchStrategy[float]:
    """Finite floats in ``[lo, hi]`` at least ``margin`` from every kink (bounds, no filter)."""
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


def inputs_in_domain(op: Op) -> st.SearchStrategy[tuple[float, ...]]:
    """One float per ``op.domain.sample`` interval, away from ``op.domain.kinks``."""
    return st.tuples(*(floats_between(lo, hi, op.domain.kinks) for lo, hi in op.domain.sample))


def params_in_domain(op: Op) -> st.SearchStrategy[dict[str, float]]:
    """The op's constant parameters, each drawn from its ``domain.params`` interval."""
    return st.fixed_dictionaries(
        {name: st.floats(lo, hi) for name, (lo, hi) in op.domain.params.items()}
    )


def points_in_domain(op: Op) -> st.SearchStrategy[Point]:
    """``(inputs, params)`` for ``op`` inside its sampled domain."""
    return st.tuples(inputs_in_domain(op), params_in_domain(op))


SPECIAL_FLOATS = (0.0, -0.0, 1.0, -1.0, math.inf, -math.inf, math.nan, 1e308, -1e308, 5e-324,
                  710.0, -746.0, 1e-300, 0.5)  # fmt: skip


def extreme_floats() -> st.SearchStrategy[float]:
    """Any float at all: infinities, nan, subnormals, the largest, and overflow thresholds."""
    return st.one_of(st.sampled_from(SPECIAL_FLOATS), st.floats())


# --- random expression graphs from the table ----------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One node of a random program: an op applied to earlier nodes (by index)."""

    op: str
    args: tuple[int, ...]
    params: tuple[tuple[str, float], ...]


@dataclass(frozen=True)
class Program:
    """A random expression graph: leaves ``x0..x{n-1}`` then steps; the last node is the output.

    Inputs of ops with a restricted domain (``log``, ``/``, ``**``, ...) are squashed into the
    op's sample interval with ``lo + (hi - lo) * sigmoid(v)``, so every graph is defined and
    smooth; a node index used twice is a shared sub-expression.
    """

    n_leaves: int
    steps: tuple[Step, ...]
    leaves: tuple[float, ...]

    def build(self, leaves: Sequence[Value]) -> Value:
        """Build the graph on ``leaves``; reject (hypothesis ``assume``) a kink or overflow."""
        nodes: list[Value] = list(leaves)
        for s in self.steps:
            op = OPS[s.op]
            xs = [nodes[i] for i in s.args]
            if op.domain.where != "all real x":
                xs = [
                    lo + (hi - lo) * x.sigmoid()
                    for x, (lo, hi) in zip(xs, op.domain.sample, strict=True)
                ]
            for x in xs:
                assume(all(abs(x.data - k) > KINK_MARGIN for k in op.domain.kinks))
            if s.op == "max":  # a tie between two different nodes is max's kink
                assume(all(a is b or abs(a.data - b.data) > KINK_MARGIN for a in xs for b in xs))
            out = call(op, xs, dict(s.params))
            assume(math.isfinite(out.data) and abs(out.data) < GRAPH_BOUND)
            nodes.append(out)
        return nodes[-1]

    def __str__(self) -> str:
        names = [f"x{i}" for i in range(self.n_leaves)]
        lines = [f"leaves {dict(zip(names, self.leaves, strict=True))}"]
        for s in self.steps:
            args = ", ".join(names[i] for i in s.args)
            extra = "".join(f", {k}={v!r}" for k, v in s.params)
            names.append(f"n{len(names) - self.n_leaves}")
            lines.append(f"{names[-1]} = {s.op}({args}{extra})")
        return "\n".join(lines)


@st.composite
def programs(draw: st.DrawFn, max_leaves: int = 3, max_steps: int = 8) -> Program:
    """Draw a random expression graph over every row of the table."""
    n_leaves = draw(st.integers(1, max_leaves))
    leaves = tuple(draw(st.floats(*GRAPH_LEAF_RANGE)) for _ in range(n_leaves))
    steps: list[Step] = []
    for _ in range(draw(st.integers(1, max_steps))):
        op = draw(st.sampled_from(list(OPS.values())))
        n = op.arity if op.arity is not None else len(op.domain.sample)
        available = n_leaves + len(steps)
        # Bias towards recent nodes so graphs are deep, while any earlier node may be shared.
        args = tuple(
            draw(st.one_of(st.just(available - 1), st.integers(0, available - 1))) for _ in range(n)
        )
        params = draw(params_in_domain(op))
        steps.append(Step(op.name, args, tuple(sorted(params.items()))))
    return Program(n_leaves, tuple(steps), leaves)
