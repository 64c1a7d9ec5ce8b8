"""A primitive of the user's own (``autograd.ops.register``) works with every part of the package.

Each test registers what it needs; ``conftest.py`` unregisters it after the test, so no op leaks
into another test. swish(x) = x * sigmoid(x) is checked against its derivative written here in
another form, sigmoid(x) * (1 + x * (1 - sigmoid(x))), and against finite differences.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

import numpy as np
import pytest

from autograd import Value, detect_anomaly, grad, ops
from autograd.compiled import compile_loss
from autograd.compiled.kernels import LanesError
from autograd.ops import Domain, Op, Primitive
from autograd.testing import ANALYTIC_ATOL, ANALYTIC_RTOL, check_op, gradcheck, gradgradcheck
from autograd.viz import draw_dot, explain_paths, step_through
from autograd.viz.stepper import BACKWARD
from autograd.viz.style import fmt

SWISH = Op(
    "swish",
    "swish",
    1,
    lambda x: x * ops.sigmoid(x),
    lambda x, out: (ops.sigmoid(x) * (1.0 + x - out),),
    ("sigmoid(x) * (1 + x - out)",),
)
SCALED = Op(  # a constant parameter, passed as a keyword
    "scaled_swish",
    "swish_β",
    1,
    lambda x, beta: x * ops.sigmoid(beta * x),
    lambda x, out, beta: (ops.sigmoid(beta * x) * (1.0 + beta * (x - out)),),
    ("sigmoid(βx) * (1 + β(x - out))",),
    Domain(params={"beta": (0.5, 2.0)}),
)


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def d_swish(x: float) -> float:
    return _sigmoid(x) * (1.0 + x * (1.0 - _sigmoid(x)))


def d2_swish(x: float) -> float:
    s = _sigmoid(x)
    return s * (1.0 - s) * (2.0 + x * (1.0 - 2.0 * s))


def test_compile_loss_runs_a_registered_op_on_lanes() -> None:
    """The rule runs on numpy lanes through the shim: the plan gives the scalar engine's numbers."""
    swish = ops.register(SWISH)
    scaled = ops.register(SCALED)
    w = Value(0.75)
    batch = np.array([-3.0, -0.5, 0.0, 1.25, 4.0])

    def loss(x: Value) -> Value:
        return swish(w * x) + scaled(x - w, beta=1.5)

    plan = compile_loss(loss, 0.0, [w], reduction="sum", check_every=1)
    got = plan.forward_backward(batch)
    compiled = w.grad
    w.grad = 0.0
    total = sum((loss(Value(float(x))) for x in batch), Value(0.0))
    total.backward()
    assert got == pytest.approx(total.data, rel=1e-12)
    assert compiled == pytest.approx(w.grad, rel=1e-12)
    assert "swish x1: one elementwise call" in plan.describe()


def _clip(x: float) -> float:
    return x if x > 0 else 0.0  # a Python if on one number: no lanes


@pytest.mark.parametrize(
    ("op", "pattern"),
    [
        (Op("clip", "clip", 1, _clip, lambda x, out: (ops.step(x),), ("step(x)",)),
         r"clip's forward does not run on numpy lanes \(ValueError: The truth value"),
        (Op("mexp", "mexp", 1, lambda x: ops.exp(x), lambda x, out: (math.exp(x),), ("exp(x)",)),
         r"mexp's local_grads does not run on numpy lanes \(TypeError"),
        (Op("odd", "odd", 1, lambda x: x * 1.0 if isinstance(x, float) else x * 2.0,
            lambda x, out: (1.0,), ("1",)),
         r"odd's forward gives -10.0 on numpy lanes at \(-5.0,\) but -5.0 on the numbers"),
    ],
    ids=["python-if", "math-exp", "other-numbers"],
)  # fmt: skip
def test_compile_loss_refuses_a_rule_that_fails_on_lanes_naming_the_op(
    op: Op, pattern: str
) -> None:
    """A rule that raises on lanes or gives other numbers there is refused when the plan is made."""
    f = ops.register(op)
    assert f(Value(2.0)).data == op.forward(2.0)  # the scalar engine runs it
    with pytest.raises(LanesError, match=pattern) as info:
        compile_loss(lambda x: f(x), 0.0, [])
    assert isinstance(info.value, TypeError)
    assert "branch with ops.step, ops.choose or ops.sign" in str(info.value)


def test_registered_function_is_a_primitive_of_the_table() -> None:
    """register returns the Primitive of the row now in OPS; the row is the record itself."""
    swish = ops.register(SWISH)
    assert isinstance(swish, Primitive)
    assert swish.op is SWISH is ops.OPS["swish"]
    assert "swish" not in ops.BUILTINS
    assert not ops.is_builtin(SWISH)
    assert repr(swish) == "<primitive 'swish' (autograd.ops.register)>"


# --- registration: refused before anything is added ---------------------------------------------


def _with(**changes: Any) -> Op:
    return dataclasses.replace(SWISH, **changes)


@pytest.mark.parametrize(
    ("op", "error", "pattern"),
    [
        (_with(name="tanh"), ValueError, r"an op named 'tanh' exists \(a built-in row\)"),
        (_with(name="my op"), ValueError, r"name must be an identifier, got 'my op'"),
        (_with(forward=2.0), TypeError, r"swish's forward must be callable, got 2.0"),
        (_with(local_grads=None), TypeError, r"swish's local_grads must be callable, got None"),
        (_with(local_grads=lambda x, out: 1.0), ValueError,
         r"swish's local_grads must return one derivative per input \(a tuple of 1\), got 1.0"),
        (_with(local_grads=lambda x, out: (1.0, 2.0)), ValueError,
         r"swish's local_grads must return one derivative per input"),
        (_with(arity=2, formula=("a", "b"), domain=Domain(sample=((0.0, 1.0),) * 2)), ValueError,
         r"swish's forward failed at \(0.5, 0.5\): TypeError"),  # the rule takes one input
        (_with(arity=None), ValueError, r"swish's arity must be an int >= 1, got None"),
        (_with(arity=2), ValueError, r"swish takes 2 input\(s\) but its formula has 1 text"),
        (_with(formula="σ(x)"), TypeError, r"swish's formula must be a tuple of texts"),
        (_with(domain=Domain(sample=((0.0, 1.0),) * 2)), ValueError,
         r"swish takes 1 input\(s\) but its domain.sample has 2 interval\(s\)"),
        (_with(forward=lambda x: (x, x)), TypeError, r"swish's forward must return a number"),
        (_with(accumulate=lambda parents, upstream: None), ValueError,
         r"swish's accumulate must be None \(it is the tuned pass's form of the built-in n-ary"),
        (_with(evaluate=lambda parents: 0.0), ValueError,
         r"swish's evaluate must be None \(it is the scalar engine's form of the built-in dot"),
        (_with(selects=1), TypeError, r"swish's selects must be True or False, got 1"),
        (_with(selects="yes"), TypeError, r"swish's selects must be True or False, got 'yes'"),
    ],
    ids=["builtin-name", "name", "forward", "local", "not-a-tuple", "two-derivatives",
         "arity-vs-rule", "n-ary", "formula-count", "formula-str", "domain", "forward-result",
         "accumulate", "evaluate", "selects=1", "selects='yes'"],
)  # fmt: skip
def test_register_refuses_a_bad_record_naming_the_op(
    op: Op, error: type[Exception], pattern: str
) -> None:
    """A bad record raises naming the op and the problem, and nothing is added to the table."""
    before = dict(ops.OPS)
    with pytest.raises(error, match=rf"^register: .*{pattern}"):
        ops.register(op)
    assert dict(ops.OPS) == before


def test_register_refuses_a_name_registered_before_and_unregister_frees_it() -> None:
    """A second registration of a name is refused; after unregister the name is free again."""
    ops.register(SWISH)
    with pytest.raises(ValueError, match=r"an op named 'swish' exists \(already registered\)"):
        ops.register(SWISH)
    assert ops.unregister("swish") is SWISH
    assert "swish" not in ops.OPS
    ops.register(SWISH)


def test_unregister_keeps_builtin_rows_and_names_unknown_ones() -> None:
    """Built-in rows cannot be removed; an unknown name is refused with the registered ones."""
    with pytest.raises(ValueError, match=r"unregister: 'tanh' is a built-in row"):
        ops.unregister("tanh")
    ops.register(SWISH)
    with pytest.raises(ValueError, match=r"no registered op 'nope' \(registered: \['swish'\]\)"):
        ops.unregister("nope")


def test_calling_a_registered_op_checks_inputs_and_parameters() -> None:
    """Numbers become constant leaves; a wrong count or an unknown parameter is a TypeError."""
    swish, scaled = ops.register(SWISH), ops.register(SCALED)
    y = swish(2.0)
    assert y.op is SWISH
    assert y.parents[0].op is None
    assert y.data == 2.0 * _sigmoid(2.0)
    assert scaled(Value(1.0), beta=2.0).params == {"beta": 2.0}
    with pytest.raises(TypeError, match=r"^swish takes 1 input\(s\), got 2"):
        swish(1.0, 2.0)
    with pytest.raises(TypeError, match=r"^scaled_swish: unknown parameter 'gamma'"):
        scaled(1.0, gamma=2.0)
    with pytest.raises(TypeError, match=r"swish input 0"):
        swish("x")


# --- every feature, one test each ----------------------------------------------------------------


@pytest.mark.parametrize("x0", [-4.0, -0.5, 0.0, 1.5, 3.0])
def test_backward_through_a_registered_op_gives_the_analytic_derivative(x0: float) -> None:
    """backward() through swish(x) * x gives d/dx = swish(x) + x swish'(x), written here."""
    swish = ops.register(SWISH)
    x = Value(x0)
    y = swish(x) * x
    y.backward()
    expected = x0 * _sigmoid(x0) + x0 * d_swish(x0)
    assert math.isclose(x.grad, expected, rel_tol=ANALYTIC_RTOL, abs_tol=ANALYTIC_ATOL)


@pytest.mark.parametrize("x0", [-4.0, -0.5, 0.0, 1.5, 3.0])
def test_second_derivative_of_a_registered_op_comes_from_the_same_rule(x0: float) -> None:
    """grad(create_graph=True) differentiates the rule again: swish'' = s(1-s)(2 + x(1-2s))."""
    swish = ops.register(SWISH)
    x = Value(x0)
    first = grad(swish(x), x, create_graph=True)
    assert isinstance(first, Value)
    assert math.isclose(first.data, d_swish(x0), rel_tol=ANALYTIC_RTOL, abs_tol=ANALYTIC_ATOL)
    second = grad(first, x)
    assert math.isclose(second, d2_swish(x0), rel_tol=ANALYTIC_RTOL, abs_tol=ANALYTIC_ATOL)


def test_gradcheck_and_gradgradcheck_pass_a_registered_op() -> None:
    """The engine's first and second derivatives agree with finite differences."""
    swish, scaled = ops.register(SWISH), ops.register(SCALED)
    assert gradcheck(lambda x, y: swish(x * y) + scaled(y, beta=1.5), [0.7, -1.3]).passed
    assert gradgradcheck(lambda x, y: swish(x * y) + scaled(y, beta=1.5), [0.7, -1.3]).passed


def test_check_op_passes_a_right_registered_op() -> None:
    """check_op runs the table's properties on swish and on its parametrized cousin."""
    check_op(ops.register(SWISH), max_examples=20)
    ops.register(SCALED)
    check_op("scaled_swish", max_examples=20)


def test_draw_dot_shows_the_symbol_edge_labels_and_formula_tooltips() -> None:
    """The op node shows its symbol (and parameter), an edge its derivative, a tooltip its text."""
    swish, scaled = ops.register(SWISH), ops.register(SCALED)
    x = Value(1.5, label="x")
    y = swish(x)
    source = draw_dot(scaled(y, beta=2.0)).source
    assert "[label=swish " in source
    assert 'label="swish_β(2)"' in source
    assert 'tooltip="swish: d out / d inputs = sigmoid(x) * (1 + x - out)"' in source
    assert '(swish: d out / d input 0 = sigmoid(x) * (1 + x - out))"' in source
    assert 'tooltip="scaled_swish: d out / d inputs = sigmoid(βx) * (1 + β(x - out))"' in source
    assert f"n0 -> n1op [label={fmt(y.local_grads()[0])} " in source


def test_explain_paths_multiplies_a_registered_ops_local_derivatives() -> None:
    """x reaches swish(x) * x by two paths: through swish (x swish'(x)) and directly (swish(x))."""
    swish = ops.register(SWISH)
    x = Value(1.5, label="x")
    f = swish(x) * x
    f.label = "f"
    e = explain_paths(f, x)
    assert [[s.child.op.name for s in p.steps] for p in e.paths] == [["swish", "mul"], ["mul"]]
    assert e.paths[0].product == pytest.approx(1.5 * d_swish(1.5), rel=ANALYTIC_RTOL)
    assert e.total == pytest.approx(e.gradient, rel=ANALYTIC_RTOL)
    assert "swish" in str(e)


def test_step_through_shows_a_registered_op_in_its_frames() -> None:
    """The player's forward frame names the op; its backward frame uses the op's local grad.

    (``tests/test_browser.py`` clicks through a registered op's player in chromium.)
    """
    swish = ops.register(SWISH)
    x = Value(1.5, label="x")
    y = swish(x)
    y.label = "y"
    player = step_through(y)
    texts = [frame.text for frame in player.frames]
    assert any(t.startswith(f"y = swish(x) = swish(1.5) = {y.data:.6g}") for t in texts), texts
    (back,) = [f for f in player.frames if f.phase == BACKWARD and f.node is x]
    assert back.grad == y.local_grads()[0] == grad(y, x)


def test_detect_anomaly_names_a_registered_op() -> None:
    """A nan made by a registered op raises under detect_anomaly(), worded from its domain."""
    root = ops.register(Op("root", "√", 1, ops.sqrt, lambda x, out: (0.5 / out,), ("1 / 2√x",),
                           Domain("x >= 0", ((0.1, 4.0),))))  # fmt: skip
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"^root produced nan .*x >= 0"):
        root(Value(-1.0, label="x"))
