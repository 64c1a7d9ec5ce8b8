"""Random graphs at edge inputs against exact references: the chain rule worked out in mpmath.

The leaves are drawn where the table's rules are hardest -- both zeros, the kinks, the points
where tanh and sigmoid saturate (|x| from 10 to 354), tiny and huge numbers -- and the graph is
built from every row. The reference evaluates each node's local derivatives exactly (mpmath,
50 digits, formulas written here, not the table's) at the very inputs the engine's node saw,
and runs the chain rule exactly; so what is compared is the backward pass alone. Its rounding
is bounded by ``REL`` times the sum of the absolute values of the path products (a gradient
whose paths cancel is known to that absolute accuracy only), plus ``FLOOR`` where it underflows.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import mpmath
import pytest
from hypothesis import assume, given, note, settings
from hypothesis import strategies as st

from autograd import Value, topological_order
from autograd.engine import apply
from autograd.ops import BUILTINS
from autograd.testing.strategies import Expression, expressions

mpmath.mp.dps = 50
Mp = mpmath.mpf
REL = 1e-12  # a few ulp per local derivative and per product along a path of <= 30 nodes
FLOOR = 1e-300  # below the normal floats (2.2e-308) a gradient underflows: accuracy ends there
EDGE_LEAVES = (0.0, -0.0, 0.5, -1.0, 3.0, 10.0, -15.0, 19.06, -19.5, 30.0, -37.0, 40.0, 100.0,
               -354.0, 1e-8, -1e-300, 5e-324)  # fmt: skip


def _sign(x: Mp) -> Mp:
    return Mp(1) if x > 0 else Mp(-1) if x < 0 else Mp(0)


def _dot(xs: Sequence[Mp], p: dict[str, float]) -> tuple[Mp, ...]:
    return (*(xs[k ^ 1] for k in range(len(xs) - 1)), Mp(1))


def _max(xs: Sequence[Mp], p: dict[str, float]) -> tuple[Mp, ...]:
    first = xs.index(max(xs))  # a tie sends the gradient to the first (max_pool2d's choice)
    return tuple(Mp(1) if i == first else Mp(0) for i in range(len(xs)))


# d out / d input_i at exact inputs, written from the definitions (not copied from the table).
EXACT_LOCAL: dict[str, Callable[[Sequence[Mp], dict[str, float]], tuple[Mp, ...]]] = {
    "add": lambda xs, p: (Mp(1), Mp(1)),
    "sub": lambda xs, p: (Mp(1), Mp(-1)),
    "mul": lambda xs, p: (xs[1], xs[0]),
    "div": lambda xs, p: (1 / xs[1], -xs[0] / xs[1] ** 2),
    "neg": lambda xs, p: (Mp(-1),),
    "pow": lambda xs, p: (Mp(0) if p["exponent"] == 0 else
                          p["exponent"] * mpmath.power(xs[0], Mp(p["exponent"]) - 1),),
    "vpow": lambda xs, p: (xs[1] * mpmath.power(xs[0], xs[1] - 1),
                           mpmath.power(xs[0], xs[1]) * mpmath.log(xs[0])),
    "exp": lambda xs, p: (mpmath.exp(xs[0]),),
    "log": lambda xs, p: (1 / xs[0],),
    "sqrt": lambda xs, p: (1 / (2 * mpmath.sqrt(xs[0])),),
    "softplus": lambda xs, p: (1 / (1 + mpmath.exp(-xs[0])),),
    "tanh": lambda xs, p: (1 / mpmath.cosh(xs[0]) ** 2,),
    "sigmoid": lambda xs, p: (mpmath.exp(-xs[0]) / (1 + mpmath.exp(-xs[0])) ** 2,),
    "relu": lambda xs, p: (Mp(1) if xs[0] > 0 else Mp(0),),  # 0 at the kink (PyTorch)
    "leaky_relu": lambda xs, p: (Mp(1) if xs[0] > 0 else Mp(p["slope"]),),
    "abs": lambda xs, p: (_sign(xs[0]),),
    "heaviside": lambda xs, p: (Mp(0),),  # flat on both sides of its jump
    "sin": lambda xs, p: (mpmath.cos(xs[0]),),
    "cos": lambda xs, p: (-mpmath.sin(xs[0]),),
    "sum": lambda xs, p: (Mp(1),) * len(xs),
    "dot": _dot,
    "max": _max,
}  # fmt: skip


def test_exact_locals_cover_every_row() -> None:
    """Each built-in row of the table has an exact reference here: a new row needs one."""
    assert set(EXACT_LOCAL) == set(BUILTINS)


def build_at_edges(build: Expression, leaves: Sequence[Value]) -> Value:
    """The expression's graph, restricted inputs squashed into the domain (as ``build(...)``).

    Unlike calling the expression it rejects nothing: kinks and saturated activations are the
    point here.
    """
    nodes: list[Value] = list(leaves)
    for s in build.steps:
        op = s.op
        xs = [nodes[a] if isinstance(a, int) else a for a in s.args]
        if op.domain.where != "all real x":
            xs = [
                lo + (hi - lo) * x.sigmoid() if isinstance(x, Value) else x
                for x, (lo, hi) in zip(xs, op.domain.sample, strict=True)
            ]
        nodes.append(apply(op, *xs, **dict(s.params)))
    return nodes[-1]


def exact_gradients(root: Value) -> dict[Value, tuple[Mp, Mp]]:
    """For every node: the exact d root / d node, and the sum of |path products| to it."""
    grads: dict[Value, tuple[Mp, Mp]] = {root: (Mp(1), Mp(1))}
    for node in reversed(topological_order(root)):
        if node.op is None or node not in grads:
            continue
        upstream, size = grads[node]
        xs = [Mp(p.data) for p in node.parents]
        for parent, d in zip(node.parents, EXACT_LOCAL[node.op.name](xs, node.params), strict=True):
            g, m = grads.get(parent, (Mp(0), Mp(0)))
            term = Mp(0) if d == 0 else d * upstream  # a flat piece passes nothing on
            grads[parent] = (g + term, m + abs(d) * size)
    return grads


@settings(max_examples=150)  # about a second; the profile's derandomize holds (conftest.py)
@given(
    drawn=expressions(ops=list(BUILTINS.values()), max_leaves=3, max_depth=10, max_ops=10),
    values=st.lists(
        st.one_of(st.sampled_from(EDGE_LEAVES), st.floats(-40.0, 40.0)), min_size=3, max_size=3
    ),
)
def test_random_graphs_at_edge_inputs_match_the_exact_chain_rule(
    drawn: tuple[Expression, tuple[float, ...]], values: list[float]
) -> None:
    """backward() gives the exact gradient of each leaf, to the rounding of its path products."""
    build, _ = drawn  # its point is ordinary: the leaves are drawn at the edges instead
    leaves = [Value(v) for v in values[: build.inputs]]
    root = build_at_edges(build, leaves)
    note(f"{build}\nat {values[: build.inputs]}")
    order = topological_order(root)
    assume(all(math.isfinite(n.data) for n in order))  # an inf in forward: IEEE, no exact value
    reference = exact_gradients(root)
    assume(all(reference.get(x, (0, 0))[1] < 1e300 for x in leaves))  # beyond the float range
    root.backward()
    for i, x in enumerate(leaves):
        exact, size = reference.get(x, (Mp(0), Mp(0)))
        error = abs(Mp(x.grad) - exact)
        assert error <= REL * size + FLOOR, (
            f"x{i}: engine {x.grad!r}, exact {mpmath.nstr(exact, 20)}, paths {mpmath.nstr(size, 5)}"
        )


@pytest.mark.parametrize(
    ("expression", "x"),
    [("tanh", 15.0), ("tanh", -19.5), ("sigmoid", 37.0), ("sigmoid", -30.0), ("softplus", 40.0)],
)
def test_saturated_activation_in_a_chain_is_exact(expression: str, x: float) -> None:
    """One saturated activation inside a chain: exact to 1e-12 (1 - tanh**2 was 77 % off)."""
    leaf = Value(x)
    root = getattr(leaf * 1.0, expression)() * 3.0
    root.backward()
    exact, size = exact_gradients(root)[leaf]
    assert abs(Mp(leaf.grad) - exact) <= REL * size
    assert exact != 0
