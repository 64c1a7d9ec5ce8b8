"""Bad input gets a clear TypeError; extreme numbers get IEEE results, never a Python exception.

Operands that are not real numbers are refused with a message naming the operation and the
offending type; numpy scalars and bools are numbers. No ``ZeroDivisionError``,
``OverflowError`` or "math domain error" escapes forward, backward or ``grad`` for any row.
"""

from __future__ import annotations

import copy
import math
import operator
import pickle
import re
from collections.abc import Callable
from decimal import Decimal
from fractions import Fraction
from typing import Any

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import CALLERS

from autograd import Value, dot, grad, sum_values, topological_order, zero_grad
from autograd.ops import OPS, Op
from autograd.testing.properties import check_anomaly, check_ieee
from autograd.testing.strategies import extreme_points

# (id, bad operand, the type name the message must show)
BAD: list[tuple[str, object, str]] = [
    ("str", "2.0", "str"),
    ("None", None, "NoneType"),
    ("list", [1.0], "list"),
    ("complex", 1 + 2j, "complex"),
    ("ndarray", np.array([1.0, 2.0]), "array of shape"),
    ("ndarray0d", np.array(2.0), "array of shape"),
    ("dict", {"x": 1.0}, "dict"),
]
BAD_IDS = [b[0] for b in BAD]

# (dunder name, operator, the op name the message must show)
BINARY: list[tuple[str, Callable[[Any, Any], Any], str]] = [
    ("+", operator.add, "add"),
    ("-", operator.sub, "sub"),
    ("*", operator.mul, "mul"),
    ("/", operator.truediv, "div"),
    ("**", operator.pow, "pow"),
]


@pytest.mark.parametrize(("symbol", "fn", "name"), BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize(("kind", "bad", "type_name"), BAD, ids=BAD_IDS)
def test_bad_operand_on_the_right_names_op_and_type(
    symbol: str, fn: Callable[[Any, Any], Any], name: str, kind: str, bad: object, type_name: str
) -> None:
    """Value <op> bad raises TypeError naming the operation and the operand's type."""
    with pytest.raises(TypeError, match=rf"{name} \({re.escape(symbol)}\).*\b{type_name}\b"):
        fn(Value(2.0), bad)


@pytest.mark.parametrize(("symbol", "fn", "name"), BINARY, ids=[b[0] for b in BINARY])
@pytest.mark.parametrize(("kind", "bad", "type_name"), BAD, ids=BAD_IDS)
def test_bad_operand_on_the_left_names_op_and_type(
    symbol: str, fn: Callable[[Any, Any], Any], name: str, kind: str, bad: object, type_name: str
) -> None:
    """bad <op> Value raises TypeError naming the operation and the operand's type."""
    name = "vpow" if name == "pow" else name  # number ** Value has a Value exponent: vpow
    with pytest.raises(TypeError, match=rf"{name} \({re.escape(symbol)}\).*\b{type_name}\b"):
        fn(bad, Value(2.0))


@pytest.mark.parametrize(("kind", "bad", "type_name"), BAD, ids=BAD_IDS)
def test_bad_data_in_value_constructor(kind: str, bad: object, type_name: str) -> None:
    """Value(bad) raises TypeError naming Value, the type, and what to do."""
    with pytest.raises(TypeError, match=rf"^Value: .*\b{type_name}\b.*float\(\.\.\.\)"):
        Value(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "bad", "type_name"), BAD, ids=BAD_IDS)
def test_bad_leaky_relu_slope(kind: str, bad: object, type_name: str) -> None:
    """leaky_relu(slope=bad) raises TypeError naming the slope and the type."""
    with pytest.raises(TypeError, match=rf"leaky_relu slope.*\b{type_name}\b"):
        Value(-1.0).leaky_relu(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize(("kind", "bad", "type_name"), BAD, ids=BAD_IDS)
def test_bad_comparison_operand(kind: str, bad: object, type_name: str) -> None:
    """Value < bad raises TypeError naming the comparison and the type."""
    with pytest.raises(TypeError, match=rf"comparison <.*\b{type_name}\b"):
        _ = Value(1.0) < bad  # type: ignore[operator]


@pytest.mark.parametrize(
    ("call_bad", "pattern"),
    [
        (lambda: sum_values([Value(1.0), "x"]), r"sum_values.*\bstr\b"),  # type: ignore[list-item]
        (lambda: dot([None], [Value(1.0)]), r"dot: weights.*\bNoneType\b"),  # type: ignore[list-item]
        (lambda: dot([1.0], [[1.0]]), r"dot: inputs.*\blist\b"),  # type: ignore[list-item]
        (lambda: dot([1.0], [2.0], 1j), r"dot: bias.*\bcomplex\b"),  # type: ignore[arg-type]
        (lambda: dot([1.0, 2.0], [3.0]), r"dot: got 2 weights and 1 inputs"),
        (lambda: grad(2.0, [Value(1.0)]), r"grad: output must be a Value, got float"),  # type: ignore[call-overload]
        (lambda: grad(Value(1.0), [Value(1.0), 3.0]), r"grad: inputs\[1\] must be a Value"),  # type: ignore[list-item]
        (lambda: Value(1.0, label=3), r"label must be a str, got int"),  # type: ignore[arg-type]
        (lambda: topological_order(3), r"topological_order: root must be a Value, got int 3"),  # type: ignore[arg-type]
        (lambda: zero_grad(3), r"zero_grad: expected Values .*, got int 3"),  # type: ignore[arg-type]
        (lambda: zero_grad([Value(1.0), 2.0]), r"zero_grad: values\[1\] must be a Value"),  # type: ignore[list-item]
    ],
    ids=["sum_values", "dot-weight", "dot-input", "dot-bias", "dot-lengths", "grad-output",
         "grad-inputs", "label", "topological_order", "zero_grad-number", "zero_grad-entry"],
)  # fmt: skip
def test_bad_arguments_of_functions(call_bad: Callable[[], object], pattern: str) -> None:
    """The package's functions name themselves and the offending argument."""
    with pytest.raises((TypeError, ValueError), match=pattern):
        call_bad()


# --- numbers that are not Python floats --------------------------------------------------------

NUMPY_SCALARS = [np.float64(2.5), np.float32(2.5), np.int64(2), np.int32(2), np.float16(2.5)]


@pytest.mark.parametrize("scalar", NUMPY_SCALARS, ids=lambda s: type(s).__name__)
def test_numpy_scalars_are_plain_floats(scalar: Any) -> None:
    """numpy scalars are accepted everywhere and become plain Python floats."""
    expected = float(scalar)
    x = Value(scalar)
    assert type(x.data) is float
    assert x.data == expected
    for y, value in [
        (Value(1.0) + scalar, 1.0 + expected),
        (scalar + Value(1.0), expected + 1.0),
        (scalar * Value(3.0), expected * 3.0),
        (Value(3.0) - scalar, 3.0 - expected),
        (scalar / Value(2.0), expected / 2.0),
        (Value(2.0) ** scalar, 2.0**expected),
        (scalar ** Value(2.0), expected**2.0),
        (Value(-4.0).leaky_relu(scalar), -4.0 * expected),
    ]:
        assert isinstance(y, Value)
        assert type(y.data) is float
        assert y.data == value
        y.backward()
        assert all(type(p.grad) is float for p in y.parents)


def test_bool_is_the_number_zero_or_one() -> None:
    """bool counts as 0 or 1, as in Python, numpy and PyTorch (documented choice, not an error)."""
    assert Value(True).data == 1.0
    assert Value(False).data == 0.0
    x = Value(3.0)
    y = x * True + False
    y.backward()
    assert (y.data, x.grad) == (3.0, 1.0)
    assert (x**True).data == 3.0
    assert (True - x).data == -2.0


def test_int_becomes_float() -> None:
    """An int is stored as a float, so results never turn into ints."""
    assert type(Value(3).data) is float
    assert type((Value(3) * 2).data) is float


# --- extreme floats never raise a Python arithmetic exception ----------------------------------


@pytest.mark.parametrize("op", list(OPS.values()), ids=lambda op: op.name)
@given(data=st.data())
def test_extreme_floats_never_raise(op: Op, data: st.DataObject) -> None:
    """inf, nan, 0, huge and tiny inputs: forward, backward and second order give floats."""
    xs, params = data.draw(extreme_points(op))
    check_ieee(op, xs, params, build=CALLERS[op.name])


@pytest.mark.parametrize("op", list(OPS.values()), ids=lambda op: op.name)
@given(data=st.data())
def test_extreme_floats_raise_only_floating_point_error_under_anomaly(
    op: Op, data: st.DataObject
) -> None:
    """Under detect_anomaly() a nan/inf result or gradient, and only that, raises naming the op."""
    xs, params = data.draw(extreme_points(op))
    check_anomaly(op, xs, params, build=CALLERS[op.name])


HUGE_INT = 10**400  # an exact int beyond the largest float


@pytest.mark.parametrize(
    ("what", "make"),
    [
        ("Value", lambda: Value(HUGE_INT)),
        ("mul", lambda: Value(2.0) * HUGE_INT),
        ("sub", lambda: HUGE_INT - Value(1.0)),
        ("pow", lambda: Value(2.0) ** HUGE_INT),
        ("leaky_relu slope", lambda: Value(-1.0).leaky_relu(HUGE_INT)),
    ],
    ids=["Value", "mul", "rsub", "pow", "slope"],
)
def test_int_beyond_float_range_is_inf_or_a_named_error(
    what: str, make: Callable[[], Value]
) -> None:
    """An int too big for a float rounds to ±inf (IEEE) or is refused naming the operation.

    A bare ``OverflowError: int too large to convert to float`` names nothing: not allowed.
    """
    try:
        out = make()
    except (TypeError, ValueError) as err:
        message = str(err)
    else:
        assert not math.isfinite(out.data)
        return
    assert what in message


def test_leaves_copy_and_pickle_with_number_gradient_and_label() -> None:
    w = Value(2.5, label="w")
    w.grad = -1.5
    for twin in (copy.copy(w), copy.deepcopy(w), pickle.loads(pickle.dumps(w))):
        assert twin is not w
        assert (twin.data, twin.grad, twin.label, twin.op, twin.parents) == (
            2.5,
            -1.5,
            "w",
            None,
            (),
        )
        twin.data = 9.0
        assert w.data == 2.5


@pytest.mark.parametrize("depth", [1, 100_000])  # deep: refused at once, never a RecursionError
@pytest.mark.parametrize(
    "how", [copy.copy, copy.deepcopy, pickle.dumps], ids=["copy", "deepcopy", "pickle"]
)
def test_computed_nodes_refuse_copy_and_pickle_naming_the_op(
    depth: int, how: Callable[[Value], object]
) -> None:
    x = Value(1.0)
    node = x
    for _ in range(depth):
        node = node * 1.0
    with pytest.raises(
        TypeError, match=r"copy/pickle: Value\(data=1\.0, .*computed by mul \(\*\).*detach"
    ):
        how(node)


GRADS_SET_BY_HAND = [
    (None, TypeError, "not a number"),
    ("a", TypeError, "not a number"),
    ([1.0], TypeError, "not a number"),
    (1j, TypeError, "not a number"),  # complex gradients, silently, before
    (10**400, ValueError, "beyond the float range"),  # an OverflowError, every .grad lost, before
]


@pytest.mark.parametrize(
    ("bad", "error", "what"), GRADS_SET_BY_HAND, ids=["None", "str", "list", "complex", "10**400"]
)
@pytest.mark.parametrize("where", ["leaf", "interior", "root"])
def test_a_grad_set_to_a_non_number_is_named_and_backward_changes_nothing(
    bad: object, error: type[Exception], what: str, where: str
) -> None:
    """``p.grad = None`` (PyTorch's reset), ``1j`` or ``10**400``: a named error; no .grad moves."""
    x, w = Value(2.0, label="x"), Value(-3.0, label="w")
    h = (x * w).tanh()
    y = h * h + x
    y.backward()  # every node now holds a gradient, so the next pass takes them out first
    target = {"leaf": x, "interior": h, "root": y}[where]
    target.grad = bad  # type: ignore[assignment]
    nodes = topological_order(y)
    before = [node.grad for node in nodes]
    with pytest.raises(error, match=rf"backward: Value\(data=.*\.grad = .*{what}.*zero_grad"):
        y.backward()
    assert [node.grad for node in nodes] == before


@pytest.mark.parametrize("by_hand", [1, np.float64(0.5), np.float32(0.5), True], ids=repr)
def test_a_grad_set_by_hand_to_an_int_or_numpy_number_is_added_as_a_float(by_hand: object) -> None:
    x = Value(2.0)
    x.grad = by_hand  # type: ignore[assignment]
    (x * x).backward()
    assert type(x.grad) is float
    assert x.grad == float(by_hand) + 4.0  # type: ignore[arg-type]


# --- issue 12 §4's examples, each refused by name (the battery, tests/test_battery.py, tries
# every public callable; these are the calls the issue lists) -----------------------------------


def _plan() -> Any:
    from autograd.compiled import compile_loss

    w = Value(2.0)
    return compile_loss(lambda x: w * x, 1.0, [w])


def _trainer_without_loss() -> object:
    from autograd import nn
    from autograd.optim import SGD
    from autograd.train import Trainer

    model = nn.MLP(2, [1])
    return Trainer(model, SGD(model.parameters()), None)  # type: ignore[arg-type]


def _write_array(tmp: object) -> object:
    import tempfile
    from pathlib import Path

    from autograd.files import write_atomic

    folder = Path(tempfile.mkdtemp())
    try:
        return write_atomic(folder / "a.bin", np.arange(3))  # type: ignore[arg-type]
    finally:
        assert list(folder.iterdir()) == []  # nothing written


def _issue_examples() -> list[Any]:
    from autograd import nn, schedules
    from autograd.losses import graph_max, softmax

    return [
        pytest.param(lambda: dot(b"ab", [1, 2]), TypeError,  # type: ignore[arg-type]
                     r"dot: weights must be a list of numbers or Values .*got bytes b'ab'",
                     id="dot(b'ab', [1, 2]) was 293.0"),
        pytest.param(lambda: graph_max("x"), TypeError,  # type: ignore[arg-type]
                     r"graph_max: values must be a number, a Value or a list of them, got str",
                     id="graph_max('x') was 'x'"),
        pytest.param(lambda: softmax([1.0, 2.0], temperature=True), TypeError,
                     r"softmax: temperature must be a real number, got bool True",
                     id="softmax(temperature=True) accepted"),
        pytest.param(lambda: softmax([1.0, 2.0], temperature=math.inf), ValueError,
                     r"softmax: temperature must be a finite number, got inf",
                     id="softmax(temperature=inf) accepted"),
        pytest.param(lambda: _write_array(None), TypeError,
                     r"write_atomic: data must be a str \(written as UTF-8\) or bytes, got an "
                     r"array of shape \(3,\)", id="write_atomic(path, np.arange(3)) wrote bytes"),
        pytest.param(_trainer_without_loss, TypeError, r"Trainer: loss must be a loss function",
                     id="Trainer(model, opt, None) failed later"),
        pytest.param(lambda: schedules.Constant(1).then("x", 5), TypeError,  # type: ignore[arg-type]
                     r"then: other must be a Schedule", id="Constant(1).then('x', 5) failed later"),
        pytest.param(lambda: _plan().forward([[1.0, [1.0, 2.0]]]), ValueError,
                     r"forward: argument 0 is ragged: example 0, entry 0 is a number and example "
                     r"0, entry 1 has length 2", id="compile_loss.forward StopIteration"),
        pytest.param(lambda: nn.Layer(2, 10**400), ValueError, r"Layer nout must be at most "
                     r"MAX_SIZE", id="Layer(2, 10**400) hung"),
        pytest.param(lambda: nn.MLP(2, [10**400]), ValueError, r"MLP nouts\[0\] must be at most",
                     id="MLP(2, [10**400]) hung"),
        pytest.param(lambda: nn.Conv2d(1, 10**9, 3), ValueError, r"Conv2d out_channels must be "
                     r"at most MAX_SIZE", id="Conv2d(1, 10**9, 3) hung"),
        pytest.param(lambda: nn.MLP(1000, [10_000] * 200), ValueError, r"MLP with nin=1000 and "
                     r"nouts=.* would hold .* parameters, more than MAX_SIZE", id="MLP total"),
        pytest.param(lambda: nn.init_weights("uniform", 2, 2, None), TypeError,  # type: ignore[arg-type]
                     r"init_weights: rng must be a numpy.random.Generator, got NoneType None",
                     id="init_weights(rng=None) AttributeError"),
        pytest.param(lambda: nn.mlp_parameter_count(math.nan, [2]), TypeError,  # type: ignore[arg-type]
                     r"mlp_parameter_count: nin must be an int", id="mlp_parameter_count(nan) nan"),
        pytest.param(lambda: nn.Layer(2, 3, seed="x"), TypeError,  # type: ignore[arg-type]
                     r"Layer seed must be None, an int >= 0 or a numpy.random.Generator",
                     id="seed numpy error"),
        pytest.param(lambda: nn.MLP(2, [3], value="x"), TypeError,  # type: ignore[arg-type]
                     r"MLP value must be a real number", id="MLP value named Neuron"),
        pytest.param(lambda: nn.Sequential(nn.Layer(2, 3), nn.Layer(2, 1))([1.0, 2.0]),
                     ValueError, r"Sequential: module 1 \(Layer\(2, 1.*\)\) refused its input "
                     r"\(the output of module 0\): Layer expects 2 inputs, got 3",
                     id="Sequential names the module"),
    ]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "pattern"), _issue_examples())
def test_issue_examples_are_refused_by_name(
    call: Callable[[], object], error: type[Exception], pattern: str
) -> None:
    """Each call the issue lists raises the right error, naming the function and the argument."""
    with pytest.raises(error, match=pattern):
        call()


@pytest.mark.parametrize(
    ("bad", "error", "pattern"),
    [
        (10**400, ValueError, r"SGD.step: params\[1\].grad: int 1000.* is beyond the float range"),
        (1j, TypeError, r"SGD.step: params\[1\].grad is complex 1j, not a float"),
        (None, TypeError, r"SGD.step: params\[1\].grad is NoneType None, not a float"),
    ],
    ids=["10**400", "complex", "None"],
)
def test_a_step_refuses_a_grad_set_by_hand_and_changes_nothing(
    bad: object, error: type[Exception], pattern: str
) -> None:
    """``p.grad = 10**400`` then ``opt.step()`` raised a bare OverflowError; now it names it."""
    from autograd.optim import SGD

    ps = [Value(1.0), Value(2.0)]
    opt = SGD(ps, lr=0.1, momentum=0.9)
    ps[0].grad = ps[1].grad = 1.0
    opt.step()
    ps[1].grad = bad  # type: ignore[assignment]
    before = ([p.data for p in ps], opt.state, opt.steps)
    with pytest.raises(error, match=pattern):
        opt.step()
    assert ([p.data for p in ps], opt.state, opt.steps) == before


def test_optimizers_refuse_a_computed_value_as_a_parameter() -> None:
    """A step sets a parameter's .data; a computed node's is never read again, so it is refused."""
    from autograd.optim import Adam

    w = Value(1.0)
    with pytest.raises(TypeError, match=r"Adam: params\[1\] must be a leaf Value .* by mul"):
        Adam([w, w * 2.0])


@pytest.mark.parametrize(
    ("bad", "error"),
    [(10**400, ValueError), (1j, TypeError), (None, TypeError), (Decimal(1), TypeError),
     ([1.0], TypeError), ("1.0", TypeError)],
    ids=["10**400", "complex", "None", "Decimal", "list", "str"],
)  # fmt: skip
def test_a_compiled_step_refuses_a_grad_set_by_hand_and_changes_no_grad(
    bad: object, error: type[Exception]
) -> None:
    """forward_backward adds into every .grad only once each sum is checked (a bare error and
    half the parameters updated, before)."""
    from autograd.compiled import compile_loss

    w, v = Value(2.0), Value(3.0)
    plan = compile_loss(lambda x: w * v * x, 1.0, [w, v])
    w.grad, v.grad = 0.5, bad  # type: ignore[assignment]
    with pytest.raises(error, match=r"forward_backward: Value\(data=3.0\) has .grad = "):
        plan.forward_backward(np.array([1.0, 2.0]))
    assert (w.grad, v.grad) == (0.5, bad)


def test_a_compiled_step_adds_into_any_real_grad_as_python_adds() -> None:
    """Old .grad values of every real kind (an int, a bool, a numpy float32, a Fraction) are
    added as ``old + new`` in Python floats, the sums floats; among floats or alone."""
    from autograd.compiled import compile_loss

    olds: list[object] = [0.25, 3, True, np.float32(0.1), Fraction(1, 3), 2**60 + 1]
    ps = [Value(float(i + 1)) for i in range(len(olds))]
    plan = compile_loss(lambda x: sum_values([p * x for p in ps]), 1.0, ps, check_every=0)
    for kept in (olds, olds[1:2], olds[2:3]):  # all together, an int alone, a bool alone
        for p, old in zip(ps, kept, strict=False):
            p.grad = old  # type: ignore[assignment]
        plan.forward_backward(np.array([2.0, 4.0]))  # mean of x: each d/dp is 3.0
        for p, old in zip(ps, kept, strict=False):
            assert type(p.grad) is float
            assert p.grad == float(old) + 3.0  # type: ignore[arg-type]
        for p in ps:
            p.grad = 0.0


def test_graph_max_takes_numbers_as_max_values_does() -> None:
    """graph_max([1.0, 2.0]) raised AttributeError ('float' object has no attribute 'relu')."""
    from autograd.losses import graph_max

    assert graph_max([1.0, 2.0]).data == 2.0
