"""The engine: graph building, backward, grad, recording modes, against hand-worked numbers.

Random expression graphs drawn from the whole table are checked against central finite
differences; the rest are small graphs whose gradients are worked out by hand.
"""

from __future__ import annotations

import asyncio
import math
import sys
import threading
from collections.abc import Callable

import pytest
from hypothesis import assume, given, note
from hypothesis import strategies as st

from autograd import (
    Value,
    detect_anomaly,
    dot,
    fast_backward,
    grad,
    no_grad,
    sum_values,
    topological_order,
    zero_grad,
)
from autograd.engine import BackwardStep, apply, backprop
from autograd.ops import OPS
from autograd.testing import (
    ANALYTIC_ATOL,
    ANALYTIC_RTOL,
    EPS,
    gradcheck,
    gradgradcheck,
    is_close,
    numerical_grads,
)
from autograd.testing.strategies import GRAPH_BOUND, Expression, Step, expressions, extreme_floats

# --- random graphs from the table ----------------------------------------------------------------


@given(drawn=expressions(max_leaves=3, max_depth=8, max_ops=8))
def test_random_graph_gradients_match_finite_differences(
    drawn: tuple[Expression, tuple[float, ...]],
) -> None:
    """Graphs built from every row, shared sub-expressions and constants included, match
    central differences."""
    build, point = drawn
    note(str(build))
    leaves = [Value(x) for x in point]
    out = build(*leaves)  # rejects graphs that hit a kink or overflow
    # Steep graphs (sin(exp((2x)**2)) at 1.5: slope 6e4) are beyond what differences resolve.
    assume(all(abs(g) < GRAPH_BOUND for g in grad(out, leaves)))
    assume(_differences_resolve(build, point))
    gradcheck(build, point)
    out.backward()
    assert tuple(v.grad for v in leaves) == grad(out, leaves)


def _differences_resolve(build: Expression, point: tuple[float, ...]) -> bool:
    """Whether central differences at the kit's step agree with those at ten times that step.

    Their error grows with the step squared, so when the two agree within gradcheck's tolerance
    the kit's own are within a hundredth of it. A graph that curves on a scale near the step
    does not: at x = 0.15625, exp(exp(-2 sin(exp(s(x)**2)))) squashed into a division (s a
    sigmoid into [0.2, 4]) has slope -2.4633873 (mpmath: the engine's number to 2e-12), and
    differences at 1e-6 give -2.4635444 (at 1e-5: -2.479).
    """

    def f(*xs: float) -> float:
        return build(*[Value(x) for x in xs]).data

    coarse, fine = numerical_grads(f, point, 10 * EPS), numerical_grads(f, point, EPS)
    return all(is_close(c, g) for c, g in zip(coarse, fine, strict=True))


_CURVED = Expression(
    1,
    tuple(
        Step(OPS[name], args, params)
        for name, args, params in [
            ("pow", (0,), (("exponent", 2.0),)),
            ("exp", (1,), ()),
            ("sin", (2,), ()),
            ("neg", (3,), ()),
            ("add", (4, 4), ()),
            ("exp", (5,), ()),
            ("exp", (6,), ()),
            ("div", (7, 7), ()),
        ]
    ),
)


@given(st.just(0.15625))  # a given: the expression's squashing calls assume
def test_differences_that_do_not_resolve_a_graph_are_told_from_a_wrong_gradient(x: float) -> None:
    """The graph a soak run (4,000 examples) drew: differences fail it, the engine does not."""
    assert not _differences_resolve(_CURVED, (x,))
    assert not gradcheck(_CURVED, [x], raise_exception=False).passed
    leaf = Value(x)
    _CURVED(leaf).backward()
    assert leaf.grad == pytest.approx(-2.4633872975972981, rel=1e-11)  # mpmath, 50 digits


@given(drawn=expressions(max_leaves=2, max_depth=5, max_ops=5))
def test_random_graph_second_derivatives_match_finite_differences(
    drawn: tuple[Expression, tuple[float, ...]],
) -> None:
    """grad(create_graph=True) on random graphs gives Hessians that match differences."""
    build, point = drawn
    note(str(build))
    build(*[Value(x) for x in point])
    gradgradcheck(build, point)


# --- the tuned pass is the reference pass ------------------------------------------------------


def _build_raw(build: Expression, leaves: list[Value]) -> Value:
    """The expression's graph as written: no squashing into domains, nothing rejected."""
    nodes: list[Value] = list(leaves)
    for s in build.steps:
        args = [nodes[a] if isinstance(a, int) else a for a in s.args]
        nodes.append(apply(s.op, *args, **dict(s.params)))
    return nodes[-1]


def _same_float(a: float, b: float) -> bool:
    """The same number bit for bit, except that a zero may carry either sign (nan is nan)."""
    return a == b or (math.isnan(a) and math.isnan(b))


# Where tanh and sigmoid saturate, where a local derivative overflows, and where relu is flat.
EDGE_FLOATS = (-1.0, 19.5, -40.0, 1e-8, -1e-300, 1e300)
POLES = (("log", ()), ("sqrt", ()), ("pow", (("exponent", -1.0),)))


@st.composite
def expressions_at_edges(draw: st.DrawFn) -> tuple[Expression, tuple[float, ...]]:
    """Random expressions; half end with a selecting row (relu) feeding a pole (log)."""
    build, point = draw(expressions(max_leaves=2, max_depth=16, max_ops=16))
    if not draw(st.booleans()):
        return build, point
    nodes = build.inputs + len(build.steps)
    selector = draw(st.sampled_from([op for op in OPS.values() if op.selects]))
    pole, params = draw(st.sampled_from(POLES))
    steps = (
        Step(selector, (draw(st.integers(0, nodes - 1)),), ()),
        Step(OPS[pole], (nodes,), params),
    )
    return Expression(build.inputs, build.steps + steps), point


@given(
    drawn=expressions_at_edges(),
    leaves=st.lists(
        st.one_of(st.floats(-3.0, 3.0), extreme_floats(), st.sampled_from(EDGE_FLOATS)),
        min_size=3,
        max_size=3,
    ),
    data=st.data(),
)
def test_tuned_backward_equals_the_reference_pass_bit_for_bit(
    drawn: tuple[Expression, tuple[float, ...]], leaves: list[float], data: st.DataObject
) -> None:
    """backward() and grad() give backprop()'s sums, in its order, over any graph and any .grad.

    Leaves include inf, nan, -0.0 and huge numbers, so out-of-domain rules, IEEE fallbacks and
    0 * inf meet, and a selecting row's 0 meets an inf or nan upstream; every node starts with
    an arbitrary .grad that backward() must add to.
    """
    build, _ = drawn
    note(str(build))
    xs = [Value(v) for v in leaves[: build.inputs]]
    root = _build_raw(build, xs)
    order = topological_order(root)
    reference = backprop(root)
    assert set(reference) == set(order)
    fresh = grad(root, order)  # the tuned pass, every .grad put back
    assert all(_same_float(g, reference[n]) for g, n in zip(fresh, order, strict=True))
    old = data.draw(st.lists(extreme_floats(), min_size=len(order), max_size=len(order)))
    for node, g in zip(order, old, strict=True):
        node.grad = g
    root.backward()
    for node, g in zip(order, old, strict=True):
        assert _same_float(node.grad, g + reference[node]), (node, g, reference[node])


def test_tuned_backward_adds_in_the_reference_order_where_order_matters() -> None:
    """x reaches the root by three paths worth 1e16, 1 and -1e16: the order of the sum shows.

    Left to right, 1e16 + 1 rounds to 1e16 and the 1 is lost; other orders keep it.
    """
    x = Value(0.5, label="x")
    for terms in ([1e16, 1.0, -1e16], [1.0, 1e16, -1e16], [1e16, -1e16, 1.0]):
        root = sum_values([x * t for t in terms])
        expected = backprop(root)[x]
        x.grad = 0.0
        root.backward()
        assert x.grad == expected == grad(root, x)


def test_reference_pass_reports_every_step_in_order() -> None:
    """on_step sees each edge once, with total = before + local * upstream (x*y + x at 2, 3)."""
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = x * y + x
    steps: list[BackwardStep] = []
    grads = backprop(f, on_step=steps.append)
    seen = [(s.node.op.name, s.node.parents[s.index].label or "x*y", s.local, s.upstream,
             s.before, s.total) for s in steps]  # fmt: skip
    assert seen == [
        ("add", "x*y", 1.0, 1.0, None, 1.0),
        ("add", "x", 1.0, 1.0, None, 1.0),
        ("mul", "x", 3.0, 1.0, 1.0, 4.0),  # the two paths from x meet: 1 + 3
        ("mul", "y", 2.0, 1.0, None, 2.0),
    ]
    assert (grads[x], grads[y]) == (4.0, 2.0)


# --- shared sub-expressions and repeated edges -------------------------------------------------


def test_shared_subexpression_accumulates_micrograd_64() -> None:
    """b = a + a; c = b + b gives dc/da = 4 and dc/db = 2 (micrograd issue #64)."""
    a = Value(3.0)
    b = a + a
    c = b + b
    c.backward()
    assert (c.data, b.grad, a.grad) == (12.0, 2.0, 4.0)


def test_square_has_two_edges() -> None:
    """a * a records a twice and its gradient is 2a, one a from each edge."""
    a = Value(-1.5)
    y = a * a
    assert y.parents == (a, a)
    assert y.local_grads() == (-1.5, -1.5)
    y.backward()
    assert a.grad == -3.0


def test_diamond_sums_every_path() -> None:
    """A node reached along three paths gets the sum of the three path products."""
    x = Value(2.0)
    u = x * 3.0  # du/dx = 3
    y = u * u + u.exp() + x  # dy/du = 2u + e^u, plus the direct edge
    y.backward()
    assert x.grad == pytest.approx(3.0 * (2.0 * 6.0 + math.exp(6.0)) + 1.0, rel=ANALYTIC_RTOL)
    assert u.grad == pytest.approx(12.0 + math.exp(6.0), rel=ANALYTIC_RTOL)


def test_topological_order_lists_each_node_once_parents_first() -> None:
    """The walk visits every node once, each after all of its parents, the root last."""
    a, b = Value(1.0), Value(2.0)
    c = a * b
    d = c + a
    e = d * c + b
    order = topological_order(e)
    assert len(order) == len(set(order)) == 6  # a, b, c, d, d*c, e
    assert order[-1] is e
    position = {node: i for i, node in enumerate(order)}
    assert all(position[p] < position[n] for n in order for p in n.parents)


# --- backward twice --------------------------------------------------------------------------


def test_backward_twice_adds_exactly_one_more_gradient() -> None:
    """y = (x*x)*3 at x = 2: dy/dx = 12 after one call, 24 after two (micrograd gives 36)."""
    x = Value(2.0)
    sq = x * x
    y = sq * 3
    y.backward()
    assert (x.grad, sq.grad, y.grad) == (12.0, 3.0, 1.0)
    y.backward()
    assert (x.grad, sq.grad, y.grad) == (24.0, 6.0, 2.0)


def test_backward_from_an_intermediate_node_twice() -> None:
    """Backward from the intermediate x*x twice adds 2x each time, leaving the rest alone."""
    x = Value(2.0)
    sq = x * x
    y = sq * 3
    sq.backward()
    sq.backward()
    assert (x.grad, sq.grad, y.grad) == (8.0, 2.0, 0.0)
    zero_grad([x, sq])
    y.backward()
    assert (x.grad, sq.grad) == (12.0, 3.0)


def test_backward_of_a_leaf_seeds_one() -> None:
    """A leaf's backward gives it gradient 1 and nothing else."""
    x = Value(5.0)
    x.backward()
    assert x.grad == 1.0


# --- plain numbers on either side of each operator -----------------------------------------------

X = 1.5
K = 4.0
# (expression, expected value, expected d/dx), worked by hand at x = 1.5, k = 4.
MIXED: list[tuple[str, Callable[[Value], Value], float, float]] = [
    ("x + k", lambda x: x + K, X + K, 1.0),
    ("k + x", lambda x: K + x, K + X, 1.0),
    ("x - k", lambda x: x - K, X - K, 1.0),
    ("k - x", lambda x: K - x, K - X, -1.0),
    ("x * k", lambda x: x * K, X * K, K),
    ("k * x", lambda x: K * x, K * X, K),
    ("x / k", lambda x: x / K, X / K, 1.0 / K),
    ("k / x", lambda x: K / x, K / X, -K / X**2),
    ("x ** k", lambda x: x**K, X**K, K * X**3),
    ("k ** x", lambda x: K**x, K**X, K**X * math.log(K)),
    ("int 2 * x", lambda x: 2 * x, 2 * X, 2.0),
    ("x ** int 2", lambda x: x**2, X**2, 2 * X),
    ("-x", lambda x: -x, -X, -1.0),
    ("abs(-x)", lambda x: abs(-x), X, 1.0),
]


@pytest.mark.parametrize(("expr", "f", "value", "slope"), MIXED, ids=[m[0] for m in MIXED])
def test_plain_number_on_either_side(
    expr: str, f: Callable[[Value], Value], value: float, slope: float
) -> None:
    """A plain int or float works on either side of each operator, with the right derivative."""
    x = Value(X)
    y = f(x)
    assert isinstance(y, Value)
    assert is_close(y.data, value, ANALYTIC_RTOL, 0.0), (y.data, value)
    y.backward()
    assert is_close(x.grad, slope, ANALYTIC_RTOL, 0.0), (x.grad, slope)


def test_number_operand_is_a_leaf_not_a_parameter() -> None:
    """k - x records a constant leaf for k, first, so the drawn graph reads like the code."""
    x = Value(1.0)
    y = 7 - x
    left, right = y.parents
    assert (left.data, left.op, right) == (7.0, None, x)


def test_comparisons_read_data_and_build_nothing() -> None:
    """<, <=, >, >= compare .data with Values or numbers and return plain bools."""
    a, b = Value(1.0), Value(2.0)
    assert (a < b, a <= 1, b > 1.5, b >= a, a < 3) == (True, True, True, True, True)
    assert isinstance(a < b, bool)


# --- the million-op chain ----------------------------------------------------------------------

CHAIN = 1_000_000


@pytest.mark.slow
def test_million_op_chain_backward_without_recursion_error() -> None:
    """y = x * a**N as N multiplications: dy/dx = a**N and dy/da = N x a**(N-1), no recursion."""
    limit = sys.getrecursionlimit()
    x, a = Value(0.5), Value(1.0 + 1e-6)
    y = x
    for _ in range(CHAIN):
        y = y * a
    y.backward()
    assert x.grad == pytest.approx(a.data**CHAIN, rel=1e-9)
    assert a.grad == pytest.approx(CHAIN * 0.5 * a.data ** (CHAIN - 1), rel=1e-9)
    assert len(topological_order(y)) == CHAIN + 2
    assert sys.getrecursionlimit() == limit


# --- no_grad, detach, grad ---------------------------------------------------------------------


def test_no_grad_records_nothing() -> None:
    """Inside no_grad results are leaves with the right numbers; recording resumes after."""
    x = Value(3.0)
    with no_grad():
        y = x * x + 1
        z = y.tanh()
    assert (y.data, y.op, y.parents) == (10.0, None, ())
    assert z.op is None
    y.backward()
    assert x.grad == 0.0
    w = x * x
    assert w.op is OPS["mul"]


def test_no_grad_in_one_thread_does_not_affect_another() -> None:
    """A thread inside no_grad leaves another thread recording at the same moment."""
    inside, done = threading.Event(), threading.Event()
    recorded: list[bool] = []

    def quiet() -> None:
        with no_grad():
            inside.set()
            done.wait(timeout=10)
            recorded.append((Value(1.0) * 2).op is not None)

    def loud() -> None:
        inside.wait(timeout=10)
        recorded.append((Value(1.0) * 2).op is not None)
        done.set()

    threads = [threading.Thread(target=quiet), threading.Thread(target=loud)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=10)
    assert sorted(recorded) == [False, True]
    assert (Value(1.0) * 2).op is not None


def test_no_grad_in_one_asyncio_task_does_not_affect_another() -> None:
    """An asyncio task suspended inside no_grad leaves a concurrent task recording."""

    async def quiet(inside: asyncio.Event, done: asyncio.Event) -> bool:
        with no_grad():
            inside.set()
            await done.wait()
            return (Value(1.0) * 2).op is not None

    async def loud(inside: asyncio.Event, done: asyncio.Event) -> bool:
        await inside.wait()
        recorded = (Value(1.0) * 2).op is not None
        done.set()
        return recorded

    async def main() -> list[bool]:
        inside, done = asyncio.Event(), asyncio.Event()
        return list(await asyncio.gather(quiet(inside, done), loud(inside, done)))

    assert asyncio.run(main()) == [False, True]


def test_detach_stops_the_gradient() -> None:
    """y = x * detach(x) treats the second factor as a constant: dy/dx = x, not 2x."""
    x = Value(3.0)
    d = x.detach()
    assert (d.data, d.op, d.parents) == (3.0, None, ())
    assert d is not x
    y = x * d
    y.backward()
    assert (x.grad, d.grad) == (3.0, 3.0)


def test_grad_does_not_touch_dot_grad() -> None:
    """grad() returns gradients and leaves every .grad as it was."""
    x, y = Value(2.0), Value(-1.0)
    x.grad = 0.25
    z = x * y + y
    assert grad(z, [x, y]) == (-1.0, 3.0)
    assert grad(z, x) == -1.0
    assert (x.grad, y.grad, z.grad) == (0.25, 0.0, 0.0)
    dz = grad(z, [x, y], create_graph=True)
    assert [float(g) for g in dz] == [-1.0, 3.0]
    assert (x.grad, y.grad, z.grad) == (0.25, 0.0, 0.0)


def test_grad_leaves_interior_and_leaf_grads_bit_for_bit() -> None:
    """grad() after backward() restores every node's .grad, interior nodes included."""
    x, y = Value(0.3), Value(-1.7)
    h = (x * y).tanh()
    z = h * h + x
    z.backward()
    nodes = topological_order(z)
    before = [n.grad for n in nodes]
    (gx, gy) = grad(z, [x, y])
    assert [n.grad for n in nodes] == before
    # dz/dx = 2 h (1 - h²) y + 1 and dz/dy = 2 h (1 - h²) x, with h = tanh(xy)
    t = math.tanh(0.3 * -1.7)
    assert math.isclose(gx, 2 * t * (1 - t * t) * -1.7 + 1, rel_tol=1e-15)
    assert math.isclose(gy, 2 * t * (1 - t * t) * 0.3, rel_tol=1e-15)
    assert (gx, gy) == (x.grad, y.grad)  # one backward from zero gave the same numbers


def _graph_with_grads() -> tuple[Value, Value, list[Value], list[float]]:
    x = Value(2.0, label="x")
    y = (x * 3.0).exp() * (x - 2.0).log()  # log(0) = -inf: backward meets inf * 0
    y.grad, x.grad = 0.5, 7.0
    nodes = topological_order(y)
    return x, y, nodes, [n.grad for n in nodes]


def test_backward_that_raises_midway_leaves_every_grad_as_it_was() -> None:
    """A FloatingPointError inside backward (detect_anomaly) changes no .grad at all."""
    _, y, nodes, before = _graph_with_grads()
    with pytest.raises(FloatingPointError, match="backward through"), detect_anomaly():
        y.backward()
    assert [n.grad for n in nodes] == before


def test_keyboard_interrupt_inside_backward_leaves_every_grad_as_it_was(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ctrl-C in the middle of a backward pass loses nothing: every .grad is put back."""
    x = Value(1.5, label="x")
    y = x
    for _ in range(50):
        y = ((y * 0.9) ** 1.0).sin() + x  # x shared by every step; pow runs local_floats
    y.grad = 3.0
    nodes = topological_order(y)
    for i, n in enumerate(nodes):
        n.grad = float(i % 3)
    before = [n.grad for n in nodes]
    calls = 0
    real = fast_backward.local_floats

    def interrupt_on_the_20th(node: Value) -> tuple[float, ...]:
        nonlocal calls
        calls += 1
        if calls == 20:
            raise KeyboardInterrupt
        return real(node)

    monkeypatch.setattr(fast_backward, "local_floats", interrupt_on_the_20th)
    with pytest.raises(KeyboardInterrupt):
        y.backward()
    assert calls == 20
    assert [n.grad for n in nodes] == before
    calls = 0
    with pytest.raises(KeyboardInterrupt):
        grad(y, x)
    assert [n.grad for n in nodes] == before


def test_unused_inputs_get_zero() -> None:
    """An input the output does not depend on gets 0, as a float or as a Value."""
    x, unused = Value(2.0), Value(7.0)
    y = x * x
    assert grad(y, [x, unused]) == (4.0, 0.0)
    g = grad(y, [x, unused], create_graph=True)
    assert isinstance(g[1], Value)
    assert g[1].data == 0.0
    assert grad(y, unused) == 0.0


def test_grad_create_graph_gives_differentiable_values() -> None:
    """d/dx of x**3 is a Value 3x**2 whose own gradient is 6x."""
    x = Value(0.5)
    dy = grad(x**3, x, create_graph=True)
    assert isinstance(dy, Value)
    assert dy.data == 0.75
    assert grad(dy, x) == 3.0


def test_zero_grad_resets() -> None:
    """zero_grad sets .grad to 0 for every node given, and only those."""
    x, y = Value(1.0), Value(2.0)
    (x * y).backward()
    zero_grad([x])
    assert (x.grad, y.grad) == (0.0, 1.0)


def test_sum_values_and_dot_gradients_match_the_unfused_graph() -> None:
    """One sum node and one dot node give the same gradients as chains of + and *."""
    w = [Value(0.5), Value(-2.0), Value(3.0)]
    x = [Value(1.5), Value(0.25), Value(-1.0)]
    b = Value(0.75)
    fused = dot(w, x, b) + sum_values(w)
    chained = w[0] * x[0] + w[1] * x[1] + w[2] * x[2] + b + w[0] + w[1] + w[2]
    leaves = [*w, *x, b]
    assert fused.data == chained.data
    assert grad(fused, leaves) == grad(chained, leaves)
    assert sum_values([]).data == 0.0


# --- the worked example of issue 2 --------------------------------------------------------------


def worked_example(x: Value, y: Value) -> Value:
    """f(x, y) = x**2 + x*y + (x + y)**2."""
    return x**2 + x * y + (x + y) ** 2


def test_worked_example_at_a_hand_worked_point() -> None:
    """At (2, 3): f = 4 + 6 + 25 = 35, df/dx = 4 + 3 + 10 = 17, df/dy = 2 + 10 = 12."""
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = worked_example(x, y)
    f.backward()
    assert (f.data, x.grad, y.grad) == (35.0, 17.0, 12.0)


@given(x=st.floats(-100.0, 100.0), y=st.floats(-100.0, 100.0))
def test_worked_example_matches_its_derivatives(x: float, y: float) -> None:
    """df/dx = 2x + y + 2(x + y) and df/dy = x + 2(x + y) wherever hypothesis looks."""
    vx, vy = Value(x), Value(y)
    f = worked_example(vx, vy)
    f.backward()
    scale = 1.0 + abs(x) + abs(y)  # rounding grows with the terms, not with their sum
    assert is_close(vx.grad, 2 * x + y + 2 * (x + y), 0.0, ANALYTIC_ATOL * scale)
    assert is_close(vy.grad, x + 2 * (x + y), 0.0, ANALYTIC_ATOL * scale)
    gradcheck(worked_example, [x, y], rtol=1e-5, atol=1e-6 * scale)


def test_constant_parameters_are_shared_read_only_and_exact() -> None:
    """x**2 nodes share one parameter dict; .params is a copy; -0.0 and nan stay themselves."""
    x = Value(1.5)
    a, b = x**2, x**2
    assert a._params is b._params
    a.params["exponent"] = 3.0  # a copy: the nodes keep their exponent
    assert (a.params, b.params, a.data) == ({"exponent": 2.0}, {"exponent": 2.0}, 2.25)
    negative_zero = (x**-0.0).params["exponent"]
    assert math.copysign(1.0, negative_zero) == -1.0
    assert math.isnan((x ** float("nan")).params["exponent"])
    assert x.leaky_relu(0.25)._params is x.leaky_relu(0.25)._params
    assert x.leaky_relu(0.25).params == {"slope": 0.25}
