"""IEEE edges of the backward passes: zeros that select, zeros that multiply, signed zeros.

A row that selects (``Op.selects``: relu, abs) gives its input 0 where its local derivative is
0, even when the upstream gradient is inf or nan, as PyTorch's ``threshold_backward`` does for
relu; every other zero multiplies (``0 * inf = nan``, PyTorch's mul and leaky_relu). Each rule
is checked in every pass: ``backward()``, ``grad()``, ``grad(create_graph=True)``, the reference
``backprop`` and a compiled plan.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Callable

import numpy as np
import pytest
from strategies import call

from autograd import Value, grad, max_values
from autograd.compiled import compile_loss
from autograd.engine import apply, backprop
from autograd.ops import OPS, Op, step
from autograd.testing.strategies import input_count

INF, NAN = math.inf, math.nan
SELECTING = [op for op in OPS.values() if op.selects]
UPSTREAMS = (INF, -INF, NAN)


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def every_pass(f: Callable[[Value], Value], x: float) -> dict[str, float]:
    """d f / d x at ``x`` from each pass: backward, grad, create_graph, backprop, compiled."""
    leaf = Value(x)
    f(leaf).backward()
    found = {"backward": leaf.grad}
    leaf = Value(x)
    found["grad"] = grad(f(leaf), leaf)
    leaf = Value(x)
    found["create_graph"] = grad(f(leaf), leaf, create_graph=True).data  # type: ignore[union-attr]
    leaf = Value(x)
    found["backprop"] = backprop(f(leaf))[leaf]
    w = Value(x)  # the plan's parameter; its example input is a 0 added to it
    plan = compile_loss(lambda z: f(w + z), 0.0, [w], check_every=0)
    plan.forward_backward(np.zeros(1))
    found["compiled"] = w.grad
    return found


def zero_points(op: Op) -> list[tuple[tuple[float, ...], dict[str, float], int]]:
    """Points of ``op`` (kinks, sample ends) where the local derivative of input k is exactly 0."""
    params = {name: hi for name, (lo, hi) in op.domain.params.items()}
    candidates = {*op.domain.kinks, -0.0, *(v for lo, hi in op.domain.sample for v in (lo, hi))}
    found = []
    for v in sorted(candidates):
        xs = (v,) * input_count(op)
        local = op.local_grads(*xs, op.forward(*xs, **params), **params)
        found += [(xs, params, k) for k, d in enumerate(local) if d == 0]
    return found


def through(
    op: Op, xs: tuple[float, ...], params: dict[str, float], k: int, upstream: float
) -> Callable[[Value], Value]:
    """``op`` at ``xs`` as a function of input k, times ``upstream``: what reaches the op node."""

    def f(x: Value) -> Value:
        inputs = [x if i == k else Value(v) for i, v in enumerate(xs)]
        return call(op, inputs, params) * upstream

    return f


def test_the_flat_rows_select() -> None:
    """The table marks relu, abs, heaviside and max (selects=True in their rows)."""
    assert {op.name for op in SELECTING} >= {"relu", "abs", "heaviside", "max"}
    assert not OPS["leaky_relu"].selects
    assert not OPS["mul"].selects


@pytest.mark.parametrize("op", SELECTING, ids=lambda op: op.name)
@pytest.mark.parametrize("upstream", UPSTREAMS, ids=["inf", "-inf", "nan"])
def test_a_selecting_zero_stops_inf_and_nan_in_every_pass(op: Op, upstream: float) -> None:
    """Where a selecting row's local derivative is 0, its input gets 0 whatever arrives."""
    points = zero_points(op)
    assert points, f"{op.name} selects but has no point where its derivative is 0"
    for xs, params, k in points:
        found = every_pass(through(op, xs, params, k, upstream), xs[k])
        assert all(g == 0.0 for g in found.values()), (op.name, xs, k, found)


@pytest.mark.parametrize(
    ("name", "f", "x", "expected"),
    [
        ("relu(-1).log()", lambda x: x.relu().log(), -1.0, 0.0),  # issue 12: was nan
        ("relu(0).log()", lambda x: x.relu().log(), 0.0, 0.0),
        ("abs(0).log()", lambda x: abs(x).log(), 0.0, 0.0),
        ("abs(-0.0) * nan", lambda x: abs(x) * NAN, -0.0, 0.0),
        ("relu(2).log()", lambda x: x.relu().log(), 2.0, 0.5),  # a 1 passes upstream as it is
        ("heaviside(-1).log()", lambda x: x.heaviside().log(), -1.0, 0.0),
        ("max(x, 1).log() at -1", lambda x: max_values([x, 1.0]).log() * NAN, -1.0, 0.0),
        # leaky_relu multiplies by its slope, as PyTorch's leaky_relu_backward: 0 * -inf is nan.
        ("leaky_relu(-1, 0).log()", lambda x: x.leaky_relu(0.0).log(), -1.0, NAN),
        ("leaky_relu(-1, 0.5).log()", lambda x: x.leaky_relu(0.5).log(), -1.0, -1.0),
        # mul's zero is a number it computes: 0 * inf is nan, as PyTorch's mul backward.
        ("(x * 0) * inf", lambda x: (x * 0.0) * INF, 1.0, NAN),
    ],
)
def test_zeros_that_select_and_zeros_that_multiply(
    name: str, f: Callable[[Value], Value], x: float, expected: float
) -> None:
    """Each convention holds in every pass, bit for bit alike."""
    found = every_pass(f, x)
    assert all(_same(g, expected) for g in found.values()), (name, found)


def test_overflow_of_a_local_derivative_meeting_a_zero_is_nan_as_documented() -> None:
    """tanh(1e300 / x) at x = 1e-8: exactly 0, but div's local -1e316 overflows and meets 0.

    Each local derivative is computed alone, before it meets the upstream gradient (here
    tanh'(1e308) = 0), so the overflow cannot be undone: the README says so, PyTorch agrees.
    """
    found = every_pass(lambda x: (1e300 / x).tanh(), 1e-8)
    assert all(math.isnan(g) for g in found.values()), found


def test_compiled_plan_tells_a_slope_of_minus_zero_from_zero() -> None:
    """leaky_relu slopes 0.0 and -0.0 on one level run apart (they were grouped by ==).

    At x = -1 they give -0.0 and 0.0, so 1/a + 1/b is -inf + inf = nan, in both engines.
    """
    w = Value(1.0)

    def f(x: Value) -> Value:
        return 1 / (w * x).leaky_relu(0.0) + 1 / (w * x).leaky_relu(-0.0)

    plan = compile_loss(f, 1.0, [w], check_every=0)
    assert math.isnan(f(Value(-1.0)).data)
    assert math.isnan(plan.forward(np.array([-1.0]))[0])
    assert plan.describe().count("leaky_relu x1") == 2


@pytest.mark.parametrize("where", ["constant", "slope"])
def test_recheck_tells_minus_zero_from_zero(where: str) -> None:
    """A re-check sees a constant or a slope turn from 0.0 to -0.0 (it compared them with ==)."""
    from autograd.compiled import DataDependentGraphError

    zero = [0.0]
    w = Value(-1.0)

    def loss(x: Value) -> Value:
        if where == "constant":
            return 1 / (w * x * zero[0])
        return 1 / (w * x).leaky_relu(zero[0])

    plan = compile_loss(loss, 1.0, [w], check_every=1)
    plan.forward(np.array([1.0]))
    zero[0] = -0.0  # state the trace cannot see: only a re-check can
    with pytest.raises(DataDependentGraphError, match="differs"):
        plan.forward(np.array([1.0]))


# A step (derivative 0 everywhere) and a product whose derivatives select: rows outside the
# table, to show that a new row, unary or binary, needs only the flag.
STEP = Op("threshold", "H", 1, step, lambda x, out: (0.0,), ("0",), selects=True)
MASKED_MUL = dataclasses.replace(OPS["mul"], name="masked_mul", selects=True)


@pytest.mark.parametrize(
    ("name", "f"),
    [
        ("threshold", lambda x: apply(STEP, x).log()),  # 0 * inf
        ("masked_mul", lambda x: apply(MASKED_MUL, x, 0.0).log()),  # 0 * -inf
    ],
)
def test_a_new_row_that_selects_needs_only_the_flag(name: str, f: Callable[[Value], Value]) -> None:
    """Unary or binary, a row with selects=True gets its zeros selected in every pass."""
    found = every_pass(f, -1.0)
    assert all(g == 0.0 for g in found.values()), (name, found)
    plain = dataclasses.replace(MASKED_MUL, selects=False)  # the same row without the flag
    assert math.isnan(every_pass(lambda x: apply(plain, x, 0.0).log(), -1.0)["backward"])
