"""Every row of the op table, compiled, against the scalar engine at kinks, extremes and beyond.

For each row of ``autograd.ops.OPS`` (so a new row is covered the day it is added) the plan's
kernels run on lanes holding ordinary points of ``op.domain.sample``, every kink, 0.0, -0.0,
+-1e-300, +-1000, 710, -745.5, +-inf, nan and points outside the domain -- in one numpy call,
so a rule that branches on one number cannot hide. The reference is the scalar engine: the
table's ``forward`` for values, ``Value.backward`` for gradients.

Equal means: the same bits (or both nan) for rows computed with exact IEEE operations; at most
``MAX_ULP`` units in the last place for rows whose kernels call numpy's vectorised exp, log,
tanh, sin, cos or power (SIMD code that may round differently from the C library; measured
<= 2 ulp on this AVX-512 machine), which must still match exactly where the result is
0, inf or nan; and for ``sum`` the rounding bound of a sum, since the scalar engine rounds once
(``math.fsum``) and numpy after each addition.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
import pytest
from hypothesis import given, note
from strategies import call

from autograd import Value, dot, sum_values, zero_grad
from autograd.compiled import compile_loss
from autograd.ops import OPS, Op
from autograd.testing.strategies import Expression, expressions, input_count

EPS = 2.0**-53  # the unit roundoff of float64
MAX_ULP = 4
ULP_ROWS = frozenset({"exp", "log", "tanh", "sigmoid", "softplus", "sin", "cos", "pow", "vpow"})
"""Rows whose kernels call numpy's vectorised transcendental functions."""
SUM_ROWS = frozenset({"sum"})
"""Rows the scalar engine rounds once (math.fsum) and a plan after each addition."""

SPECIALS = (0.0, -0.0, 1e-300, -1e-300, 1000.0, -1000.0, 710.0, -745.5, math.inf, -math.inf,
            math.nan, 1.0, -1.0, 0.5, -2.0)  # fmt: skip
EXPONENTS = (0.0, -1.0, 0.5, 2.5, 3.0, 1.5, 1.0, 2.0, -0.5, -2.0, 1.0 / 3.0)
N_ARY_RANDOM = 400  # random combinations for rows of more than two inputs
ROWS = list(OPS.values())
each_row = pytest.mark.parametrize("op", ROWS, ids=lambda op: op.name)


def position_values(op: Op, position: int, rng: np.random.Generator) -> list[float]:
    """The special values, the kinks, ordinary points and points just outside the sample."""
    lo, hi = op.domain.sample[position % len(op.domain.sample)]
    ordinary = rng.uniform(lo, hi, 3).tolist()
    return [*SPECIALS, *op.domain.kinks, lo - 1.0, hi + 1.0, *ordinary]


def points(op: Op) -> list[tuple[float, ...]]:
    """Every combination for one or two inputs; for more, each value at each place plus a sample."""
    rng = np.random.default_rng(len(op.name))
    n = input_count(op)
    columns = [position_values(op, j, rng) for j in range(n)]
    if n <= 2:  # unary and binary rows: the whole product
        return list(itertools.product(*columns))
    middle = [0.5 * (lo + hi) for lo, hi in op.domain.sample]
    found = [
        tuple(v if i == j else middle[i] for i in range(n)) for j in range(n) for v in columns[j]
    ]
    found += [tuple(float(rng.choice(c)) for c in columns) for _ in range(N_ARY_RANDOM)]
    return found


def param_sets(op: Op) -> list[dict[str, float]]:
    """Constant parameters to try: for pow many exponents, else the interval's ends and middle."""
    if op.name == "pow":
        return [{"exponent": e} for e in EXPONENTS]
    if not op.domain.params:
        return [{}]
    ends = {name: (lo, 0.5 * (lo + hi), hi) for name, (lo, hi) in op.domain.params.items()}
    return [dict(zip(ends, combo, strict=True)) for combo in itertools.product(*ends.values())]


def same(op: Op, got: float, want: float, terms: Sequence[float] = ()) -> bool:
    """Equal as the module docstring says: bits, ulps or a sum's rounding, by row."""
    if math.isnan(want) or math.isnan(got):
        return math.isnan(want) and math.isnan(got)
    exact = got == want and math.copysign(1.0, got) == math.copysign(1.0, want)
    if exact or not (math.isfinite(want) and math.isfinite(got)):
        return exact
    if op.name in SUM_ROWS:  # a cancelling sum may round to 0 one way and not the other
        return abs(got - want) <= len(terms) * EPS * math.fsum(abs(t) for t in terms)
    if op.name in ULP_ROWS and want != 0.0 and got != 0.0:
        return abs(got - want) <= MAX_ULP * math.ulp(want)
    return False


def first_mismatch(
    op: Op, got: Sequence[float], want: Sequence[float], where: Sequence[object]
) -> str | None:
    for g, w, at in zip(got, want, where, strict=True):
        terms = at[0] if isinstance(at, tuple) and at and isinstance(at[0], tuple) else ()
        if not same(op, g, w, terms):
            return f"{op.name} at {at}: compiled {g!r}, scalar engine {w!r}"
    return None


def build(
    op: Op, params: dict[str, float], pts: list[tuple[float, ...]], pattern: str
) -> tuple[Callable[[Value], Value], list[Value]]:
    """The loss of a graph with one op node per point, and its leaves holding the points.

    ``varying``: the op reads ``p - x`` with the example's input ``x = 0`` (exact: the lanes
    hold the special values) and runs on the varying store; ``uniform``: it reads ``p``.
    """
    leaves = [[Value(v) for v in pt] for pt in pts]
    flat = [p for row in leaves for p in row]

    def loss(x: Value) -> Value:
        args = [[p - x for p in row] if pattern == "varying" else row for row in leaves]
        return sum_values([call(op, a, params) for a in args])

    return loss, flat


@each_row
@pytest.mark.parametrize("pattern", ["varying", "uniform"])
def test_compiled_kernels_equal_the_scalar_engine_at_special_points(op: Op, pattern: str) -> None:
    """Every node's value and every input's gradient equal the table's, lane by lane."""
    pts = points(op)
    for params in param_sets(op):
        loss, flat = build(op, params, pts, pattern)
        plan = compile_loss(loss, 0.0, flat, reduction="sum", check_every=0)
        values = plan.node_values(np.zeros(1))
        nodes = plan.graph.parents  # the op nodes, one per point, in order
        assert len(nodes) == len(pts)
        assert all(n.op is op for n in nodes)
        got = [float(values[n][0]) for n in nodes]
        want = [op.forward(*pt, **params) for pt in pts]
        where = [(pt, params) for pt in pts]
        assert first_mismatch(op, got, want, where) is None

        for p in flat:
            p.grad = 0.0
        plan.forward_backward(np.zeros(1))
        compiled = [p.grad for p in flat]
        # The scalar engine's backward, given the compiled forward values: so a kernel's
        # derivative is compared with the table's rule at the very same `out`.
        for p in flat:
            p.grad = 0.0
        reference = loss(Value(0.0))
        for node, value in zip(reference.parents, got, strict=True):
            node.data = value
        reference.backward()
        scalar = [p.grad for p in flat]
        where_grads = [
            (pt, params, f"d/d input{i}") for pt in pts for i in range(len(pt))
        ]  # fmt: skip
        assert first_mismatch(op, compiled, scalar, where_grads) is None


@each_row
def test_compiled_forward_equals_the_table_across_examples(op: Op) -> None:
    """The finite special points as a batch of examples (one column each) give op.forward."""
    pts = [pt for pt in points(op) if all(math.isfinite(v) for v in pt)]
    for params in param_sets(op):
        n = input_count(op)
        plan = compile_loss(
            lambda *xs, params=params: call(op, xs, params), (0.5,) * n, [], check_every=0
        )
        columns = tuple(np.array([pt[j] for pt in pts]) for j in range(n))
        got = plan.forward(columns).tolist()
        want = [op.forward(*pt, **params) for pt in pts]
        assert first_mismatch(op, got, want, [(pt, params) for pt in pts]) is None


def test_every_row_meets_the_special_points() -> None:
    """The points include the kinks, both zeros, both infinities, nan, and out-of-domain values."""
    for op in ROWS:
        values = [v for pt in points(op) for v in pt]
        assert {0.0, math.inf, -math.inf, 710.0, -745.5} <= set(values)
        assert any(math.isnan(v) for v in values)
        assert any(math.copysign(1.0, v) < 0 and v == 0 for v in values)
        assert set(op.domain.kinks) <= set(values)
        assert all(any(v < lo or v > hi for v in values) for lo, hi in op.domain.sample)


def test_pow_of_minus_infinity_to_one_half_is_infinity_like_the_scalar_engine() -> None:
    """numpy takes x**0.5 as sqrt(x) (nan at -inf, -0.0 at -0.0); the plan gives pow's inf, 0.0."""
    p = Value(-math.inf)
    q = Value(-0.0)
    plan = compile_loss(lambda x: (p - x) ** 0.5 + (q - x) ** 0.5, 0.0, [p, q], check_every=0)
    values = plan.node_values(np.zeros(1))
    roots = [float(values[n][0]) for n in plan.graph.parents]
    assert roots == [math.inf, 0.0]
    assert math.copysign(1.0, roots[1]) == 1.0
    assert (Value(-math.inf) ** 0.5).data == math.inf  # the scalar engine, for the record


def test_dot_of_varying_pairs_adds_in_the_scalar_engine_order() -> None:
    """1 + 1e16*1 + 1e16*(-1): left to right it is 0.0 (1e16 + 1 rounds to 1e16), as the engine."""
    plan = compile_loss(lambda a, b: dot(a, b, 1.0), ([1.0, 1.0], [1.0, 1.0]), [], check_every=0)
    batch = (np.array([[1e16, 1e16]]), np.array([[1.0, -1.0]]))
    want = dot([Value(1e16), Value(1e16)], [Value(1.0), Value(-1.0)], 1.0).data
    assert want == 0.0
    assert plan.forward(batch).tolist() == [want]
    assert "product-and-sum in the scalar engine's order" in plan.describe()


def test_dot_as_a_matrix_product_stays_within_the_rounding_of_its_sum() -> None:
    """dot([w, w], [x, -1], 1) at w = 1e16, x = 1: the engine says 0.0, the matmul path 1.0.

    Both are within the documented bound ``k * 2**-53 * (|b| + sum |w_i x_i|)`` (here about
    4.4): a sum that cancels to far below its terms is only known to that absolute accuracy.
    """
    w = Value(1e16)
    plan = compile_loss(lambda x: dot([w, w], [x, -1.0], 1.0), 0.0, [w], check_every=0)
    got = plan.forward(np.array([1.0]))[0]
    want = dot([w, w], [Value(1.0), Value(-1.0)], 1.0).data
    terms = [1.0, 1e16, -1e16]
    assert abs(got - want) <= len(terms) * EPS * sum(abs(t) for t in terms)
    assert (got, want) == (1.0, 0.0)  # documented: the two engines differ here, both in bound


def test_branching_derivatives_come_from_the_table() -> None:
    """relu, leaky_relu, abs and vpow branch with step, sign and choose of ops.py, on lanes too."""
    from autograd.compiled import kernels

    x = np.array([-1.0, -0.0, 0.0, 2.0, math.nan])
    (d,) = kernels.local_rule(OPS["leaky_relu"])(x, x, slope=0.25)
    np.testing.assert_array_equal(d, [0.25, 0.25, 0.25, 1.0, 0.25])
    (d,) = kernels.local_rule(OPS["abs"])(x, np.abs(x))
    np.testing.assert_array_equal(d, [-1.0, 0.0, 0.0, 1.0, 0.0])
    # vpow's zeros (PyTorch's): d/dx x**0 = 0 at x = 0, d/dy 0**y = 0 for y >= 0; nan stays nan.
    x = np.array([0.0, 0.0, 0.0, 2.0, math.nan])
    y = np.array([0.0, 2.0, -1.0, 3.0, 1.0])
    with np.errstate(all="ignore"):
        dx, dy = kernels.local_rule(OPS["vpow"])(x, y, np.power(x, y))
    np.testing.assert_array_equal(dx, [0.0, 0.0, -math.inf, 12.0, 1.0])  # nan ** 0 is 1
    np.testing.assert_array_equal(dy, [0.0, 0.0, -math.inf, 8.0 * math.log(2.0), math.nan])
    for lane in range(len(x)):  # the very same numbers as the scalar rule, lane by lane
        xl, yl = float(x[lane]), float(y[lane])
        want = OPS["vpow"].local_grads(xl, yl, OPS["vpow"].forward(xl, yl))
        np.testing.assert_array_equal([dx[lane], dy[lane]], want)


@pytest.mark.parametrize("pairs", [3, 40])  # added slice by slice, and by np.add.accumulate
@pytest.mark.parametrize("pattern", ["varying", "uniform"])
def test_dot_without_a_matrix_product_equals_the_scalar_engine_bit_for_bit(
    pairs: int, pattern: str
) -> None:
    """1 + 1e16 - 1e16 + ...: left to right the 1 is lost, as in the scalar engine, bit for bit."""
    rng = np.random.default_rng(pairs)
    values = rng.normal(size=(2, pairs)) * 10.0 ** rng.integers(-8, 8, size=(2, pairs))
    values[:, :2] = [[1e16, 1e16], [1.0, -1.0]]  # a sum that cancels after the bias
    w = [Value(float(v)) for v in values[0]]
    x = [Value(float(v)) for v in values[1]]
    bias = Value(1.0)
    if pattern == "varying":  # w_i - z and x_i - z with the example's z = 0: exact, varying
        plan = compile_loss(
            lambda z: dot([a - z for a in w], [b - z for b in x], bias), 0.0, [], check_every=0
        )
    else:  # pairs of two parameters, as in an L2 penalty dot(params, params)
        plan = compile_loss(lambda z: dot(w, x, bias) + z, 0.0, [*w, *x], check_every=0)
    got = plan.forward(np.zeros(1))[0]
    want = dot(w, x, bias).data
    assert got == want
    assert want != math.fsum([1.0, *(values[0] * values[1])])  # the order matters here
    assert "product-and-sum in the scalar engine's order" in plan.describe()


GRAPH_RTOL = 1e-12  # a few roundings of sums and of numpy's transcendental functions


@given(drawn=expressions(max_leaves=3, max_depth=10, max_ops=10))
@pytest.mark.parametrize("pattern", ["varying", "uniform"])
def test_random_graphs_compile_to_the_scalar_engine_numbers(
    drawn: tuple[Expression, tuple[float, ...]], pattern: str
) -> None:
    """Random graphs over every row (shared nodes, repeated edges, constants): value and
    gradients agree."""
    build, point = drawn
    note(str(build))
    leaves = [Value(x) for x in point]
    build(*leaves)  # rejects graphs that hit a kink or overflow

    def loss(z: list[Value]) -> Value:
        args = [p - zi for p, zi in zip(leaves, z, strict=True)] if pattern == "varying" else leaves
        return build(*args) + z[0]

    zeros = [0.0] * len(leaves)
    plan = compile_loss(loss, zeros, leaves, reduction="sum", check_every=0)
    zero_grad(leaves)
    got = plan.forward_backward(np.array([zeros]))
    compiled = [p.grad for p in leaves]
    zero_grad(leaves)
    reference = loss([Value(0.0) for _ in leaves])
    reference.backward()
    assert got == pytest.approx(reference.data, rel=GRAPH_RTOL, abs=GRAPH_RTOL)
    scale = max([1.0, *(abs(p.grad) for p in leaves)])
    assert compiled == pytest.approx(
        [p.grad for p in leaves], rel=GRAPH_RTOL, abs=GRAPH_RTOL * scale
    )


def test_max_kernel_is_the_table_rule_at_ties_zeros_and_nans() -> None:
    """max's kernels give, lane by lane, the table rule's numbers: the first largest, the last nan.

    Every lane of 3 or 4 terms drawn from {-1, -0.0, 0.0, 2, inf, nan} (ties everywhere), and
    random normal lanes; the scalar forward and local rule are the reference, bit for bit.
    """
    from autograd.compiled import kernels

    pool = (-1.0, -0.0, 0.0, 2.0, math.inf, math.nan)
    rng = np.random.default_rng(0)
    for k in (1, 3, 4, 5, 6):  # a scan up to 4 terms, one reduction from 5 on
        lanes = [list(c) for c in itertools.product(pool, repeat=k)]
        lanes += rng.normal(size=(200, k)).tolist()
        terms = [np.array([lane[i] for lane in lanes]) for i in range(k)]
        out = kernels.forward_rule(OPS["max"])(*terms)
        grads = kernels.local_rule(OPS["max"])(*terms, out)
        for j, lane in enumerate(lanes):
            want_out = OPS["max"].forward(*lane)
            assert math.copysign(1.0, out[j]) == math.copysign(1.0, want_out)
            assert out[j] == want_out or (math.isnan(out[j]) and math.isnan(want_out))
            want = OPS["max"].local_grads(*lane, want_out)
            assert [float(g[j]) for g in grads] == list(want), lane
    # a uniform term (one lane, as a parameter's row) among varying ones: broadcast
    varying = [np.array([-1.0, 0.0, -0.0, 3.0, math.nan]) for _ in range(5)]
    out = kernels.forward_rule(OPS["max"])(np.array([-0.0]), *varying)
    want = [OPS["max"].forward(-0.0, *[float(v[j]) for v in varying]) for j in range(5)]
    np.testing.assert_array_equal(out, want)
    assert np.signbit(out[1:3]).all()  # the uniform -0.0 came first: the scan keeps it
