"""A primitive of the user's own (``autograd.ops.register``) works with every part of the package.

Each test registers what it needs; ``conftest.py`` unregisters it after the test, so no op leaks
into another test. swish(x) = x * sigmoid(x) is checked against its derivative written here in
another form, sigmoid(x) * (1 + x * (1 - sigmoid(x))), and against finite differences.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Value, ops
from autograd.compiled import compile_loss
from autograd.compiled.kernels import LanesError
from autograd.ops import Domain, Op, Primitive

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
