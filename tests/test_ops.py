"""Every row of ``autograd.ops.OPS`` against oracles that do not read the table.

The table-driven properties are the public kit's (``autograd.testing.properties``, which
``check_op`` runs for a user's op): each test applies them to a built-in row through its public
caller, then adds the oracles: analytic derivatives written here in a different form from the
table's ``local_grads``, ``math``'s own functions, IEEE results outside the domain, and a table
of special values at the kinks.
"""

from __future__ import annotations

import inspect
import math
import operator
from collections.abc import Callable

import mpmath
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import CALLERS, call

import autograd
from autograd import Value, detect_anomaly, dot, grad, sum_values
from autograd.ops import OPS, Op
from autograd.testing import (
    ANALYTIC_ATOL,
    ANALYTIC_RTOL,
    assert_grads_close,
    gradgradcheck,
    hessian,
    is_close,
)
from autograd.testing.properties import (
    check_forward_finite,
    check_local_grads,
    check_rule_on_values,
    check_second_derivatives,
)
from autograd.testing.strategies import extreme_floats, floats_between, points

ROWS = list(OPS.values())
each_row = pytest.mark.parametrize("op", ROWS, ids=lambda op: op.name)

Floats = tuple[float, ...]
Params = dict[str, float]


# --- independent oracles: written here, in a different form from the table where one exists ---


def _swap_pairs(t: Floats, p: Params) -> Floats:
    # d (b + sum w_i x_i): partner of each w/x (index k xor 1), then 1 for the bias.
    return (*(t[k ^ 1] for k in range(len(t) - 1)), 1.0)


def _step(x: float, below: float) -> float:
    return below + (1.0 - below) * (1.0 + math.copysign(1.0, x)) / 2.0  # away from x = 0


ANALYTIC: dict[str, Callable[[Floats, Params], Floats]] = {
    "add": lambda t, p: (1.0, 1.0),
    "sub": lambda t, p: (1.0, -1.0),
    "mul": lambda t, p: (t[1], t[0]),
    "div": lambda t, p: (1.0 / t[1], -t[0] / t[1] ** 2),
    "neg": lambda t, p: (-1.0,),
    "pow": lambda t, p: (p["exponent"] * math.exp((p["exponent"] - 1.0) * math.log(t[0])),),
    "vpow": lambda t, p: (t[1] * t[0] ** t[1] / t[0],
                          math.log(t[0]) * math.exp(t[1] * math.log(t[0]))),  # x**y = e^(y ln x)
    "exp": lambda t, p: (math.exp(t[0]),),
    "log": lambda t, p: (t[0] ** -1.0,),
    "sqrt": lambda t, p: (0.5 * t[0] ** -0.5,),
    "softplus": lambda t, p: (math.exp(t[0]) / (1.0 + math.exp(t[0])),),
    "tanh": lambda t, p: (1.0 / math.cosh(t[0]) ** 2,),
    "sigmoid": lambda t, p: (math.exp(-t[0]) / (1.0 + math.exp(-t[0])) ** 2,),
    "relu": lambda t, p: (_step(t[0], 0.0),),
    "leaky_relu": lambda t, p: (_step(t[0], p["slope"]),),
    "abs": lambda t, p: (math.copysign(1.0, t[0]),),
    "sin": lambda t, p: (math.sin(t[0] + math.pi / 2.0),),
    "cos": lambda t, p: (math.cos(t[0] + math.pi / 2.0),),
    "sum": lambda t, p: (1.0,) * len(t),
    "dot": _swap_pairs,
    "heaviside": lambda t, p: (0.0,),  # constant on each side of the jump
    "max": lambda t, p: tuple(float(x == max(t)) for x in t),  # draws never tie
}  # fmt: skip


def _zeros(n: int) -> tuple[Floats, ...]:
    return tuple((0.0,) * n for _ in range(n))


def _sech2(x: float) -> float:
    return 1.0 / math.cosh(x) ** 2


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _dot_hessian(t: Floats, p: Params) -> tuple[Floats, ...]:
    n = len(t)
    return tuple(
        tuple(1.0 if i < n - 1 and j == i ^ 1 else 0.0 for j in range(n)) for i in range(n)
    )


def _vpow_hessian(t: Floats, p: Params) -> tuple[Floats, ...]:
    x, y = t
    ln = math.log(x)
    xy = x ** (y - 1.0) * (1.0 + y * ln)
    return ((y * (y - 1.0) * x ** (y - 2.0), xy), (xy, x**y * ln * ln))


SECOND: dict[str, Callable[[Floats, Params], tuple[Floats, ...]]] = {
    "add": lambda t, p: _zeros(2),
    "sub": lambda t, p: _zeros(2),
    "mul": lambda t, p: ((0.0, 1.0), (1.0, 0.0)),
    "div": lambda t, p: ((0.0, -1.0 / t[1] ** 2), (-1.0 / t[1] ** 2, 2.0 * t[0] / t[1] ** 3)),
    "neg": lambda t, p: _zeros(1),
    "pow": lambda t, p: ((p["exponent"] * (p["exponent"] - 1.0) * t[0] ** (p["exponent"] - 2.0),),),
    "vpow": _vpow_hessian,
    "exp": lambda t, p: ((math.exp(t[0]),),),
    "log": lambda t, p: ((-1.0 / t[0] ** 2,),),
    "sqrt": lambda t, p: ((-0.25 * t[0] ** -1.5,),),
    "softplus": lambda t, p: ((_logistic(t[0]) * _logistic(-t[0]),),),
    "tanh": lambda t, p: ((-2.0 * math.tanh(t[0]) * _sech2(t[0]),),),
    "sigmoid": lambda t, p: ((_logistic(t[0]) * _logistic(-t[0]) * math.tanh(-t[0] / 2.0),),),
    "relu": lambda t, p: _zeros(1),
    "leaky_relu": lambda t, p: _zeros(1),
    "abs": lambda t, p: _zeros(1),
    "sin": lambda t, p: ((-math.sin(t[0]),),),
    "cos": lambda t, p: ((-math.cos(t[0]),),),
    "sum": lambda t, p: _zeros(len(t)),
    "dot": _dot_hessian,
    "heaviside": lambda t, p: _zeros(1),
    "max": lambda t, p: _zeros(len(t)),  # piecewise linear
}  # fmt: skip

# The forward reference: ``math``'s own function where it has one, else the defining formula.
REFERENCE: dict[str, Callable[[Floats, Params], float]] = {
    "add": lambda t, p: t[0] + t[1],
    "sub": lambda t, p: t[0] - t[1],
    "mul": lambda t, p: t[0] * t[1],
    "div": lambda t, p: t[0] / t[1],
    "neg": lambda t, p: -t[0],
    "pow": lambda t, p: math.pow(t[0], p["exponent"]),
    "vpow": lambda t, p: math.pow(t[0], t[1]),
    "exp": lambda t, p: math.exp(t[0]),
    "log": lambda t, p: math.log(t[0]),
    "sqrt": lambda t, p: math.sqrt(t[0]),
    "softplus": lambda t, p: math.log1p(math.exp(t[0])),
    "tanh": lambda t, p: math.tanh(t[0]),
    "sigmoid": lambda t, p: 1.0 / (1.0 + math.exp(-t[0])),
    "relu": lambda t, p: max(0.0, t[0]),
    "leaky_relu": lambda t, p: max(t[0], p["slope"] * t[0]),
    "abs": lambda t, p: math.fabs(t[0]),
    "sin": lambda t, p: math.sin(t[0]),
    "cos": lambda t, p: math.cos(t[0]),
    "sum": lambda t, p: math.fsum(t),
    "dot": lambda t, p: math.fsum([t[-1], *map(operator.mul, t[0:-1:2], t[1:-1:2])]),
    "heaviside": lambda t, p: (1.0 + math.copysign(1.0, t[0])) / 2.0,  # away from the jump
    "max": lambda t, p: sorted(t)[-1],
}  # fmt: skip
EXACT_FORWARD = {"add", "sub", "mul", "div", "neg", "pow", "vpow", "exp", "log", "sqrt", "tanh",
                 "relu", "abs", "sin", "cos", "sum", "heaviside", "max"}  # fmt: skip


def _one_node(op: Op, xs: Floats, params: Params) -> tuple[list[Value], Value]:
    leaves = [Value(x) for x in xs]
    return leaves, call(op, leaves, params)


# --- (0) every oracle table covers every row ---------------------------------------------------


@pytest.mark.parametrize(
    ("table", "name"),
    [(ANALYTIC, "ANALYTIC"), (SECOND, "SECOND"), (REFERENCE, "REFERENCE"), (CALLERS, "CALLERS")],
    ids=["analytic", "second", "reference", "callers"],
)
def test_oracle_table_covers_every_row(table: dict[str, object], name: str) -> None:
    """Each oracle table has exactly one entry per registry row: a new row needs its oracles."""
    assert set(table) == set(OPS), f"{name}: missing {set(OPS) - set(table)}"


# --- (1) local_grads against central differences -----------------------------------------------


@each_row
@given(data=st.data())
def test_local_grads_match_central_difference(op: Op, data: st.DataObject) -> None:
    """The table's local derivatives agree with central differences of its own forward."""
    xs, params = data.draw(points(op))
    check_local_grads(op, xs, params)


# --- (2) backward through one node equals local_grads and the analytic derivative ---------------


@each_row
@given(data=st.data())
def test_backward_one_node_matches_local_grads_and_analytic(op: Op, data: st.DataObject) -> None:
    """backward() on a one-node graph gives local_grads exactly and the analytic derivative.

    The kit's check builds the node with the row's public caller, compares backward() and
    grad() with the rule on floats, bit for bit, and the rule on Values with both.
    """
    xs, params = data.draw(points(op))
    got = check_rule_on_values(op, xs, params, build=CALLERS[op.name])
    assert_grads_close(got, ANALYTIC[op.name](xs, params), rtol=ANALYTIC_RTOL, atol=ANALYTIC_ATOL,
                       what=f"{op.name} backward vs analytic")  # fmt: skip


# --- (3) forward against math -------------------------------------------------------------------


@each_row
@given(data=st.data())
def test_forward_matches_math(op: Op, data: st.DataObject) -> None:
    """forward equals math's function (bit for bit where it calls it) or the defining formula."""
    xs, params = data.draw(points(op))
    check_forward_finite(op, xs, params, build=CALLERS[op.name])
    got = call(op, [Value(x) for x in xs], params).data
    expected = REFERENCE[op.name](xs, params)
    if op.name in EXACT_FORWARD:
        assert got == expected
    else:
        assert is_close(got, expected, ANALYTIC_RTOL, ANALYTIC_ATOL), (got, expected)


def test_sum_and_dot_accept_any_number_of_terms() -> None:
    """The n-ary rows work for 1 to 7 terms, not just the sampled count."""
    for n in range(1, 8):
        xs = [Value(0.5 * k - 1.0) for k in range(n)]
        s = sum_values(xs)
        assert s.data == math.fsum(0.5 * k - 1.0 for k in range(n))
        w = [Value(1.0 + k) for k in range(n)]
        d = dot(w, xs, 0.25)
        assert d.data == 0.25 + sum((1.0 + k) * (0.5 * k - 1.0) for k in range(n))
        d.backward()
        assert [v.grad for v in w] == [v.data for v in xs]
        assert [v.grad for v in xs] == [v.data for v in w]


ACCUMULATING = [op for op in ROWS if op.accumulate is not None]


def test_the_n_ary_sum_and_dot_rows_accumulate() -> None:
    """sum and dot, the n-ary rows of every MLP, have the tuned pass's accumulating form."""
    assert {op.name for op in ACCUMULATING} >= {"sum", "dot"}


@pytest.mark.parametrize("op", ACCUMULATING, ids=lambda op: op.name)
@given(data=st.data())
def test_accumulate_adds_local_grads_times_upstream_bit_for_bit(
    op: Op, data: st.DataObject
) -> None:
    """accumulate adds op.term(local_grads[i], upstream) into each input's .grad, in input order.

    Bit for bit, at any floats (inf, nan, -0.0, subnormals), with inputs repeated (``dot(p, p)``)
    and arbitrary starting gradients: it is the reference pass's loop over local_grads.
    """
    numbers = st.one_of(extreme_floats(), st.floats(-1e16, 1e16))  # sums that round visibly
    pool = [Value(x) for x in data.draw(st.lists(numbers, min_size=1, max_size=3))]
    picks = data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=1, max_size=9))
    if op.name == "dot" and len(picks) % 2 == 0:  # (w_1, x_1, ..., w_n, x_n, b): an odd count
        picks = picks[:-1]
    parents = tuple(pool[i] for i in picks)
    upstream = data.draw(numbers)
    starts = data.draw(st.lists(numbers, min_size=len(pool), max_size=len(pool)))
    inputs = [p.data for p in parents]
    local = op.local_grads(*inputs, op.forward(*inputs))
    expected = dict(zip(pool, starts, strict=True))
    for parent, d in zip(parents, local, strict=True):
        expected[parent] = expected[parent] + op.term(d, upstream)
    for v, g in zip(pool, starts, strict=True):
        v.grad = g
    assert op.accumulate is not None
    op.accumulate(parents, upstream)
    got = [v.grad for v in pool]
    assert all(_same_float(g, expected[v]) for g, v in zip(got, pool, strict=True)), got


@given(data=st.data())
def test_dot_evaluate_is_its_forward_bit_for_bit(data: st.DataObject) -> None:
    """dot's evaluate (the scalar engine's forward, read from .data) is forward, bit for bit.

    At any floats (inf, nan, -0.0, subnormals, sums that round), inputs repeated (``dot(p, p)``).
    """
    numbers = st.one_of(extreme_floats(), st.floats(-1e16, 1e16))
    pool = [Value(x) for x in data.draw(st.lists(numbers, min_size=1, max_size=4))]
    pairs = data.draw(st.integers(0, 6))
    size = 2 * pairs + 1  # (w_1, x_1, ..., w_n, x_n, b)
    picks = data.draw(st.lists(st.integers(0, len(pool) - 1), min_size=size, max_size=size))
    parents = tuple(pool[i] for i in picks)
    dot_row = OPS["dot"]
    assert dot_row.evaluate is not None
    got, expected = dot_row.evaluate(parents), dot_row.forward(*[p.data for p in parents])
    assert _same_float(got, expected), (got, expected)


def test_only_dot_has_an_evaluate_form() -> None:
    """evaluate is the built-in dot's alone: every other row's forward is its only form."""
    assert [op.name for op in ROWS if op.evaluate is not None] == ["dot"]


def test_accumulate_adds_in_input_order_where_order_matters() -> None:
    """x is each pair's input with weights 1, 1e16, -1e16: added in that order x.grad is 0."""
    x = Value(1.0)
    weights = [Value(1.0), Value(1e16), Value(-1e16)]
    add_dot, add_sum = OPS["dot"].accumulate, OPS["sum"].accumulate
    assert add_dot is not None
    assert add_sum is not None
    add_dot(dot(weights, [x, x, x]).parents, 1.0)
    assert x.grad == 0.0  # (1 + 1e16) - 1e16; the other way round, (-1e16 + 1e16) + 1 = 1
    x.grad = 1e16
    add_sum(sum_values([x, x, x]).parents, 1.0)
    assert x.grad == 1e16 + 1.0 + 1.0 + 1.0  # one term at a time: 1e16, not 1e16 + 4


# --- (4) outside the domain: the IEEE result, and FloatingPointError under detect_anomaly -------

INF, NAN = math.inf, math.nan
# (op, inputs, params, IEEE result): at least one case per row (completeness below).
IEEE_CASES: list[tuple[str, Floats, Params, float]] = [
    ("add", (1e308, 1e308), {}, INF),
    ("add", (INF, -INF), {}, NAN),
    ("sub", (INF, INF), {}, NAN),
    ("sub", (-1e308, 1e308), {}, -INF),
    ("mul", (1e308, 10.0), {}, INF),
    ("mul", (INF, 0.0), {}, NAN),
    ("div", (1.0, 0.0), {}, INF),
    ("div", (-1.0, 0.0), {}, -INF),
    ("div", (1.0, -0.0), {}, -INF),
    ("div", (0.0, 0.0), {}, NAN),
    ("div", (1e308, 1e-10), {}, INF),
    ("neg", (NAN,), {}, NAN),
    ("neg", (INF,), {}, -INF),
    ("pow", (0.0,), {"exponent": -1.0}, INF),
    ("pow", (-0.0,), {"exponent": -1.0}, -INF),
    ("pow", (-8.0,), {"exponent": 1.0 / 3.0}, NAN),
    ("pow", (10.0,), {"exponent": 400.0}, INF),
    ("pow", (-10.0,), {"exponent": 401.0}, -INF),
    ("vpow", (0.0, -1.0), {}, INF),
    ("vpow", (-8.0, 1.0 / 3.0), {}, NAN),
    ("vpow", (10.0, 400.0), {}, INF),
    ("exp", (1000.0,), {}, INF),
    ("exp", (NAN,), {}, NAN),
    ("log", (0.0,), {}, -INF),
    ("log", (-1.0,), {}, NAN),
    ("log", (-INF,), {}, NAN),
    ("sqrt", (-1.0,), {}, NAN),
    ("sqrt", (-INF,), {}, NAN),
    ("softplus", (INF,), {}, INF),
    ("softplus", (NAN,), {}, NAN),
    ("tanh", (NAN,), {}, NAN),
    ("sigmoid", (NAN,), {}, NAN),
    ("relu", (NAN,), {}, NAN),
    ("relu", (INF,), {}, INF),
    ("leaky_relu", (-INF,), {"slope": 0.1}, -INF),
    ("leaky_relu", (NAN,), {"slope": 0.1}, NAN),
    ("abs", (-INF,), {}, INF),
    ("sin", (INF,), {}, NAN),
    ("sin", (-INF,), {}, NAN),
    ("cos", (INF,), {}, NAN),
    ("cos", (-INF,), {}, NAN),
    ("sum", (1e308, 1e308, 1.0), {}, INF),
    ("sum", (INF, -INF, 1.0), {}, NAN),
    ("dot", (1e200, 1e200, 1.0, 1.0, 0.0), {}, INF),
    ("dot", (INF, 0.0, 1.0, 1.0, 0.0), {}, NAN),
    ("heaviside", (NAN,), {}, NAN),  # a step cannot overflow: only nan in gives nan out
    ("max", (1.0, NAN, 2.0), {}, NAN),
    ("max", (-INF, -INF, -INF), {}, -INF),
]
IEEE_IDS = [f"{name}{xs}{p or ''}" for name, xs, p, _ in IEEE_CASES]


def _same_float(a: float, b: float) -> bool:
    return (math.isnan(a) and math.isnan(b)) or (
        a == b and math.copysign(1, a) == math.copysign(1, b)
    )


def test_ieee_cases_cover_every_row() -> None:
    """Every row has at least one out-of-domain (or overflowing) case below."""
    assert {name for name, *_ in IEEE_CASES} == set(OPS)


@pytest.mark.parametrize(("name", "xs", "params", "expected"), IEEE_CASES, ids=IEEE_IDS)
def test_out_of_domain_gives_ieee_result(
    name: str, xs: Floats, params: Params, expected: float
) -> None:
    """Outside the domain, forward and backward return IEEE numbers and raise nothing."""
    op = OPS[name]
    assert _same_float(op.forward(*xs, **params), expected)
    leaves, out = _one_node(op, xs, params)
    assert _same_float(out.data, expected), (out.data, expected)
    out.backward()  # no ZeroDivisionError, OverflowError or "math domain error"
    assert all(isinstance(v.grad, float) for v in leaves)
    second = grad(out, leaves, create_graph=True)
    assert all(isinstance(g, Value) for g in second)


@pytest.mark.parametrize(("name", "xs", "params", "expected"), IEEE_CASES, ids=IEEE_IDS)
def test_out_of_domain_raises_under_detect_anomaly(
    name: str, xs: Floats, params: Params, expected: float
) -> None:
    """Under detect_anomaly() the non-finite result raises FloatingPointError naming the op."""
    op = OPS[name]
    leaves = [Value(x, label=f"in{i}") for i, x in enumerate(xs)]
    with detect_anomaly(), pytest.raises(FloatingPointError, match=rf"^{name} produced "):
        call(op, leaves, params)


@pytest.mark.parametrize(
    ("name", "x", "params"),
    [("sqrt", 0.0, {}), ("pow", 0.0, {"exponent": 0.5}), ("log", 1e-320, {})],
    ids=["sqrt(0)", "pow(0, 0.5)", "log(subnormal)"],
)
def test_backward_anomaly_names_op(name: str, x: float, params: Params) -> None:
    """A finite forward with an infinite derivative raises in backward, naming op and label."""
    out = call(OPS[name], [Value(x, label="x")], params)
    out.label = "y"
    assert math.isfinite(out.data)
    with (
        detect_anomaly(),
        pytest.raises(FloatingPointError, match=rf"backward through {name} node 'y'"),
    ):
        out.backward()


# --- (5) special values: the conventions at kinks, pinned -----------------------------------------

# (op, inputs, params, expected d out / d input_i)
SPECIAL: list[tuple[str, Floats, Params, Floats]] = [
    ("relu", (0.0,), {}, (0.0,)),
    ("relu", (-0.0,), {}, (0.0,)),
    ("abs", (0.0,), {}, (0.0,)),
    ("abs", (-0.0,), {}, (0.0,)),
    ("leaky_relu", (0.0,), {"slope": 0.1}, (0.1,)),
    ("leaky_relu", (0.0,), {"slope": 0.01}, (0.01,)),
    ("sqrt", (0.0,), {}, (INF,)),
    ("log", (0.0,), {}, (INF,)),
    ("pow", (0.0,), {"exponent": 0.5}, (INF,)),
    ("pow", (0.0,), {"exponent": 2.0}, (0.0,)),
    ("pow", (0.0,), {"exponent": 1.0}, (1.0,)),
    # x**0 is the constant 1: its derivative is 0 everywhere, 0 included (PyTorch: 0).
    ("pow", (0.0,), {"exponent": 0.0}, (0.0,)),
    # 0**y is 0 for y > 0: d/dy is 0 there (PyTorch masks x == 0, y >= 0 to 0).
    ("vpow", (0.0, 2.0), {}, (0.0, 0.0)),
    ("vpow", (0.0, 0.0), {}, (0.0, 0.0)),  # PyTorch pow_backward_self / _exponent: both 0
    ("vpow", (2.0, 0.0), {}, (0.0, math.log(2.0))),
    ("tanh", (0.0,), {}, (1.0,)),
    ("sigmoid", (0.0,), {}, (0.25,)),
    ("softplus", (0.0,), {}, (0.5,)),
    ("exp", (0.0,), {}, (1.0,)),
    ("sin", (0.0,), {}, (1.0,)),
    ("cos", (0.0,), {}, (0.0,)),
    ("tanh", (1000.0,), {}, (0.0,)),
    ("sigmoid", (-1000.0,), {}, (0.0,)),
    ("softplus", (1000.0,), {}, (1.0,)),
    ("div", (0.0, 0.0), {}, (INF, NAN)),
    ("heaviside", (0.0,), {}, (0.0,)),
    ("heaviside", (-0.0,), {}, (0.0,)),
    ("heaviside", (INF,), {}, (0.0,)),
    # ties: the first largest input takes the gradient, a nan wins (the last one): max_pool2d's
    ("max", (1.0, 1.0, 0.0), {}, (1.0, 0.0, 0.0)),
    ("max", (0.0, 2.0, 2.0), {}, (0.0, 1.0, 0.0)),
    ("max", (-0.0, 0.0), {}, (1.0, 0.0)),
    ("max", (3.0,), {}, (1.0,)),
    ("max", (NAN, 1.0, NAN), {}, (0.0, 0.0, 1.0)),
]


@pytest.mark.parametrize(("name", "xs", "params", "expected"), SPECIAL,
                         ids=[f"{n}{xs}{p or ''}" for n, xs, p, _ in SPECIAL])  # fmt: skip
def test_special_values_of_derivatives(
    name: str, xs: Floats, params: Params, expected: Floats
) -> None:
    """The derivative at a kink or edge is the documented convention (PyTorch's)."""
    leaves, out = _one_node(OPS[name], xs, params)
    out.backward()
    got = tuple(v.grad for v in leaves)
    assert all(_same_float(g, e) or (g == e == 0.0) for g, e in zip(got, expected, strict=True)), (
        f"{name}{xs} {params}: got {got}, expected {expected}"
    )


def test_special_values_cover_every_kink() -> None:
    """Every row with a kink has a special value pinned at each of its kinks."""
    pinned = {(name, xs[0]) for name, xs, *_ in SPECIAL}
    for op in ROWS:
        for k in op.domain.kinks:
            if op.name != "div":  # div's kink is its pole b = 0: pinned as div(0, 0) above
                assert (op.name, k) in pinned, op.name


# --- (5b) exact values where the activations saturate (mpmath, 50 digits) -----------------------

SMALLEST_NORMAL = 2.0**-1022
EXACT_RTOL = 1e-12  # issue 12: tanh' was 77 % off at x = 19 and 0 past 19.06, sigmoid' 0 from 37
SATURATED = (0.5, 3.0, 10.0, 15.0, 19.0, 19.06, 20.0, 30.0, 37.0, 40.0, 100.0, 300.0, 354.0,
             354.8, 700.0, 708.0, 745.0, 1000.0)  # fmt: skip


def _logistic_mp(x: float) -> mpmath.mpf:
    return 1 / (1 + mpmath.exp(-mpmath.mpf(x)))


def _sigmoid_mp(x: float) -> tuple[mpmath.mpf, mpmath.mpf]:
    s, r = _logistic_mp(x), _logistic_mp(-x)  # 1 - s would round to 0 at large x, even here
    return mpmath.exp(-mpmath.mpf(x)) * s * s, s * r * (r - s)


# (first, second derivative) of each activation, written from their definitions in mpmath.
EXACT: dict[str, Callable[[float], tuple[mpmath.mpf, mpmath.mpf]]] = {
    "tanh": lambda x: (1 / mpmath.cosh(x) ** 2, -2 * mpmath.tanh(x) / mpmath.cosh(x) ** 2),
    "sigmoid": _sigmoid_mp,
    "softplus": lambda x: (_logistic_mp(x), _logistic_mp(x) * _logistic_mp(-x)),
}


def _close_to_exact(got: float, exact: mpmath.mpf) -> bool:
    """Within EXACT_RTOL where the exact value is a normal float, else within a subnormal ulp."""
    if abs(exact) >= SMALLEST_NORMAL:
        return bool(abs(got - exact) <= EXACT_RTOL * abs(exact))
    return bool(abs(got - exact) <= 4 * 2.0**-1074)


@pytest.mark.parametrize("name", sorted(EXACT))
@pytest.mark.parametrize("x", [s * v for v in SATURATED for s in (1.0, -1.0)])
def test_derivatives_are_exact_where_the_activation_saturates(name: str, x: float) -> None:
    """First and second derivatives are within 1e-12 of mpmath's wherever they are normal floats.

    The first through backward() and through grad(create_graph=True), the second through
    create_graph twice: the table's one rule on floats and on Values.
    """
    op = OPS[name]
    with mpmath.workdps(60):
        first, second = EXACT[name](x)
        leaf = Value(x)
        call(op, [leaf], {}).backward()
        assert _close_to_exact(leaf.grad, first), (leaf.grad, first)
        leaf = Value(x)
        on_values = grad(call(op, [leaf], {}), leaf, create_graph=True)
        assert isinstance(on_values, Value)
        assert on_values.data == leaf.grad or leaf.grad == 0.0
        assert _close_to_exact(on_values.data, first)
        assert _close_to_exact(grad(on_values, leaf), second), (grad(on_values, leaf), second)


# --- (6) registry completeness: methods, operators and functions <-> rows ------------------------

NOT_MATH = {"backward", "detach", "local_grads", "data", "grad", "label", "op", "parents", "params"}
DUNDERS = {"__add__": "add", "__radd__": "add", "__sub__": "sub", "__rsub__": "sub",
           "__mul__": "mul", "__rmul__": "mul", "__truediv__": "div", "__rtruediv__": "div",
           "__neg__": "neg", "__pow__": "pow", "__rpow__": "vpow", "__abs__": "abs"}  # fmt: skip


def test_every_value_method_has_a_row() -> None:
    """Each public math method of Value is a row of the table, and building it records that row."""
    methods = {n for n, _ in inspect.getmembers(Value) if not n.startswith("_")} - NOT_MATH
    assert methods <= set(OPS), methods - set(OPS)
    for name in methods:
        op = OPS[name]
        params = dict.fromkeys(op.domain.params, 0.1)
        assert getattr(Value(0.5), name)(*params.values()).op is op


def test_every_operator_records_its_row() -> None:
    """Each arithmetic dunder builds a node of the row it stands for."""
    x = Value(2.0)
    for dunder, name in DUNDERS.items():
        args = (3.0,) if dunder not in {"__neg__", "__abs__"} else ()
        assert getattr(x, dunder)(*args).op is OPS[name], dunder
    assert (x**x).op is OPS["vpow"]


@each_row
def test_formula_has_one_text_per_input_or_per_role(op: Op) -> None:
    """A fixed-arity row's formula has one text per input; an n-ary row's, one per role."""
    assert isinstance(op.formula, tuple)
    assert all(isinstance(text, str) and text for text in op.formula)
    roles = {"sum": 1, "dot": 3, "max": 1}  # every term; w_i, x_i and b (see Op's docstring)
    assert len(op.formula) == (op.arity if op.arity is not None else roles[op.name])


@each_row
def test_every_row_is_reachable(op: Op) -> None:
    """Each row is built by a public operator, method or function of the package."""
    xs = tuple(lo / 2 + hi / 2 for lo, hi in op.domain.sample)
    params = {k: lo / 2 + hi / 2 for k, (lo, hi) in op.domain.params.items()}
    leaves = [Value(x) for x in xs]
    out = call(op, leaves, params)
    assert out.op is op
    assert out.parents == tuple(leaves)
    assert out.params == params
    assert set(autograd.__all__) >= {"sum_values", "dot"}


# --- (7) second derivatives through grad(create_graph=True) -------------------------------------


@each_row
@given(data=st.data())
def test_second_derivatives_match_differences_and_analytic(op: Op, data: st.DataObject) -> None:
    """The Hessian through create_graph matches differences of the gradient and the analytic one."""
    xs, params = data.draw(points(op))
    check_second_derivatives(op, xs, params, build=CALLERS[op.name])
    got = hessian(lambda *vs: call(op, vs, params), xs)
    expected = SECOND[op.name](xs, params)
    for row_got, row_expected in zip(got, expected, strict=True):
        assert_grads_close(row_got, row_expected, rtol=ANALYTIC_RTOL, atol=ANALYTIC_ATOL,
                           what=f"{op.name} second derivative")  # fmt: skip


@given(x=floats_between(-5.0, 5.0))
def test_tanh_second_derivative(x: float) -> None:
    """d2/dx2 tanh(x) = -2 tanh(x) sech(x)**2, through grad(create_graph=True) twice."""
    v = Value(x)
    d1 = grad(v.tanh(), v, create_graph=True)
    assert isinstance(d1, Value)
    d2 = grad(d1, v)
    assert is_close(
        float(d2), -2.0 * math.tanh(x) / math.cosh(x) ** 2, ANALYTIC_RTOL, ANALYTIC_ATOL
    )


def test_hessian_of_x2y_plus_sin_xy_at_a_hand_worked_point() -> None:
    """The Hessian of x**2*y + sin(x*y) at (1, 2) against the hand-derived entries."""

    def f(x: Value, y: Value) -> Value:
        return x**2 * y + (x * y).sin()

    # f_xx = 2y - y^2 sin(xy), f_xy = 2x + cos(xy) - xy sin(xy), f_yy = -x^2 sin(xy)
    s, c = math.sin(2.0), math.cos(2.0)
    expected = ((4.0 - 4.0 * s, 2.0 + c - 2.0 * s), (2.0 + c - 2.0 * s, -s))
    got = hessian(f, [1.0, 2.0])
    for row_got, row_expected in zip(got, expected, strict=True):
        assert_grads_close(row_got, row_expected, rtol=ANALYTIC_RTOL, atol=ANALYTIC_ATOL)
    gradgradcheck(f, [1.0, 2.0])
    # f_xxx = -y^3 cos(xy): a third derivative, create_graph twice
    x, y = Value(1.0), Value(2.0)
    f_x = grad(f(x, y), x, create_graph=True)
    assert isinstance(f_x, Value)
    f_xx = grad(f_x, x, create_graph=True)
    assert isinstance(f_xx, Value)
    assert is_close(float(grad(f_xx, x)), -(2.0**3) * c, ANALYTIC_RTOL, ANALYTIC_ATOL)


@pytest.mark.parametrize("point", [(0.3, -0.7), (-1.2, 0.4), (2.0, 1.5)])
def test_hessian_of_x2y_plus_sin_xy_is_symmetric_and_checked(point: tuple[float, float]) -> None:
    """The Hessian is symmetric and matches differences of the gradient at several points."""
    h = hessian(lambda x, y: x**2 * y + (x * y).sin(), point)
    assert h[0][1] == pytest.approx(h[1][0], rel=ANALYTIC_RTOL)
    gradgradcheck(lambda x, y: x**2 * y + (x * y).sin(), point)
