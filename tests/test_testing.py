"""``autograd.testing``: differences, gradcheck, gradgradcheck and the kit catch what they should.

A wrong gradient is made honestly with ``detach()``: the engine then differentiates a
different function from the one finite differences see, by a known amount.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys
from typing import Any

import pytest
from hypothesis import find, given, settings
from hypothesis import strategies as st

import autograd.testing
from autograd import Value, ops
from autograd.nn import MLP
from autograd.ops import OPS, Domain, Op
from autograd.testing import (
    ATOL,
    EPS,
    RTOL,
    GradcheckError,
    assert_grads_close,
    assert_matches,
    check_op,
    gradcheck,
    gradgradcheck,
    hessian,
    is_close,
    numerical_grads,
    step_size,
    strategies,
)


def test_numerical_grads_of_a_cubic() -> None:
    """d/dx x**3 y = 3 x**2 y and d/dy = x**3 at (2, -1.5), to central-difference accuracy."""
    got = numerical_grads(lambda x, y: x**3 * y, [2.0, -1.5])
    assert got == pytest.approx((-18.0, 8.0), rel=1e-8)


def test_numerical_grads_error_is_second_order_in_the_step() -> None:
    """Halving eps divides the error of the central difference by about 4 (truncation ~ eps**2)."""
    exact = math.cos(1.0)
    errors = [abs(numerical_grads(math.sin, [1.0], eps)[0] - exact) for eps in (1e-2, 5e-3)]
    assert 3.5 < errors[0] / errors[1] < 4.5


def test_step_size_is_relative_beyond_one() -> None:
    """The step is eps near 0 and eps * |x| for large x, so big inputs are not under-resolved."""
    assert step_size(0.0) == EPS
    assert step_size(-1e6) == EPS * 1e6
    big = numerical_grads(lambda x: x * x, [1e6])[0]
    assert big == pytest.approx(2e6, rel=1e-9)


def test_gradcheck_passes_a_correct_function() -> None:
    """A smooth function of three inputs passes, with tiny reported errors."""
    report = gradcheck(lambda x, y, z: (x * y).tanh() + z.exp() / y, [0.3, 1.7, -0.4])
    assert report.passed
    assert report.order == 1
    assert report.inputs == (0.3, 1.7, -0.4)
    assert len(report.entries) == 3
    assert report.max_abs_error < 1e-8
    assert "gradcheck passed" in str(report)


def test_gradcheck_finds_the_wrong_input_and_raises() -> None:
    """f(a, b) = a + b * detach(b): the engine says df/db = b = 3, differences say 2b = 6."""

    def f(a: Value, b: Value) -> Value:
        return a + b * b.detach()

    with pytest.raises(GradcheckError, match=r"FAILED at x0=1\.0, x1=3\.0") as info:
        gradcheck(f, [1.0, 3.0])
    assert isinstance(info.value, AssertionError)
    assert re.search(r"worst: d f / d x1: engine 3\.0, finite differences (5\.9999|6\.0000)",
                     str(info.value))  # fmt: skip
    report = info.value.report
    assert report is not None
    worst = report.worst
    assert worst is not None
    assert worst.index == (1,)
    assert worst.analytic == 3.0
    assert worst.numerical == pytest.approx(6.0, rel=1e-8)
    assert report.max_abs_error == pytest.approx(3.0, rel=1e-8)
    assert report.max_rel_error == pytest.approx(0.5, rel=1e-8)
    assert [e.ok for e in report.entries] == [True, False]


def test_gradcheck_without_raising_returns_the_failed_report() -> None:
    """raise_exception=False returns the report; relu at its kink differs from the differences."""
    report = gradcheck(lambda x: x.relu(), [0.0], raise_exception=False)
    assert not report.passed
    worst = report.worst
    assert worst is not None
    assert (worst.analytic, round(worst.numerical, 9)) == (0.0, 0.5)
    assert "BAD d f / d x0" in str(report)


def test_gradcheck_leaves_value_inputs_untouched() -> None:
    """Values given as inputs are read, not differentiated: their .grad stays as it was."""
    x = Value(0.7)
    x.grad = 5.0
    assert gradcheck(lambda v: v.sin() * v, [x]).passed
    assert (x.data, x.grad) == (0.7, 5.0)


def test_gradcheck_rejects_bad_input_and_bad_f() -> None:
    """A non-number input or an f that returns no Value raises TypeError saying which."""
    with pytest.raises(TypeError, match=r"gradcheck: inputs\[1\].*\bstr\b"):
        gradcheck(lambda x, y: x * y, [1.0, "2"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"gradcheck: f must return a Value, got float"):
        gradcheck(lambda x: 2.0, [1.0])  # type: ignore[arg-type,return-value]


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda: gradcheck(lambda x: x * x, [1.0], eps=0), ValueError,
         r"gradcheck: eps must be a finite number > 0, got 0"),  # ZeroDivisionError before
        (lambda: gradcheck(lambda x: x * x, [math.nan]), ValueError,
         r"gradcheck: inputs\[0\] is nan; a derivative is checked at a finite point"),
        (lambda: gradcheck(lambda x: x * x, [math.inf]), ValueError,
         r"gradcheck: inputs\[0\] is inf"),  # a misleading "FAILED" report before
        (lambda: gradgradcheck(lambda x: x * x, [1.0], rtol=-1), ValueError,
         r"gradgradcheck: rtol must be a finite number >= 0"),
        (lambda: gradcheck(None, [1.0]), TypeError, r"gradcheck: f must be a function"),
        (lambda: gradcheck(lambda x: x, [1.0], raise_exception="no"), TypeError,
         r"gradcheck: raise_exception must be True or False"),
    ],
    ids=["eps=0", "nan", "inf", "rtol<0", "f=None", "raise_exception"],
)  # fmt: skip
def test_gradcheck_refuses_a_point_or_setting_it_cannot_check(
    call: Any, error: type[Exception], pattern: str
) -> None:
    """eps=0 divided by zero, a nan point reported a misleading FAILED; now both are named."""
    with pytest.raises(error, match=pattern):
        call()


def test_gradcheck_tolerances_are_used() -> None:
    """A loose enough tolerance accepts the detach mismatch; the default does not."""
    f = lambda x: x * x.detach()  # noqa: E731  # engine: x, differences: 2x
    assert not gradcheck(f, [1.0], raise_exception=False).passed
    assert gradcheck(f, [1.0], rtol=0.0, atol=1.01).passed


def test_gradgradcheck_passes_hessian_of_x2y_plus_sin_xy() -> None:
    """Second derivatives of x**2 y + sin(xy) through create_graph match differences."""
    report = gradgradcheck(lambda x, y: x**2 * y + (x * y).sin(), [0.8, -1.1])
    assert report.passed
    assert report.order == 2
    assert [e.index for e in report.entries] == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_gradgradcheck_catches_a_wrong_second_derivative() -> None:
    """f = x * x * detach(x): gradient 2x**2 (as numbers), engine second derivative 2x, true 4x."""
    with pytest.raises(GradcheckError, match=r"gradgradcheck FAILED at x0=1\.5") as info:
        gradgradcheck(lambda x: x * x * x.detach(), [1.5])
    report = info.value.report
    assert report is not None
    worst = report.worst
    assert worst is not None
    assert worst.index == (0, 0)
    assert worst.analytic == 3.0
    assert worst.numerical == pytest.approx(6.0, rel=1e-7)


def test_hessian_of_a_quadratic_form() -> None:
    """The Hessian of x**2 y at (3, 2) is [[2y, 2x], [2x, 0]] = [[4, 6], [6, 0]], exactly."""
    assert hessian(lambda x, y: x * x * y, [3.0, 2.0]) == ((4.0, 6.0), (6.0, 0.0))


def test_is_close_and_assert_grads_close() -> None:
    """Closeness is atol + rtol * |expected|; inf only to itself; nan to nothing."""
    assert is_close(1.0 + 0.5 * RTOL, 1.0)
    assert not is_close(1.0 + 3.0 * RTOL, 1.0)
    assert is_close(0.5 * ATOL, 0.0)
    assert not is_close(math.nan, math.nan)
    assert not is_close(math.inf, -math.inf)
    with pytest.raises(GradcheckError, match=r"gradient 1: got 2\.0, expected 3\.0"):
        assert_grads_close((1.0, 2.0), (1.0, 3.0))
    with pytest.raises(GradcheckError, match=r"got 1 values, expected 2"):
        assert_grads_close((1.0,), (1.0, 3.0))


def test_importing_testing_imports_neither_pytest_nor_hypothesis() -> None:
    """autograd.testing is for users: it must not pull in the test tools."""
    code = (
        "import sys, autograd.testing; "
        "print(sorted(m for m in ('pytest', 'hypothesis') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_importing_autograd_imports_no_hypothesis_and_the_kit_loads_on_use() -> None:
    """import autograd loads no Hypothesis; autograd.testing.check_op loads it on first use."""
    code = (
        "import sys, autograd, autograd.testing as t; before = 'hypothesis' in sys.modules; "
        "t.check_op; t.strategies.inputs; print(before, 'hypothesis' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "True"]


def test_without_hypothesis_the_kit_says_how_to_install_it() -> None:
    """With Hypothesis missing, the kit's import error names the extra to install."""
    code = (
        "import sys; sys.modules['hypothesis'] = None; import autograd.testing as t\n"
        "try:\n    t.check_op\nexcept ModuleNotFoundError as e:\n    print(e)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert 'needs Hypothesis: pip install "autograd-scalar[testing]"' in out.stdout
    with pytest.raises(AttributeError, match="has no attribute 'nothing'"):
        autograd.testing.nothing  # noqa: B018  # the lazy attributes are only the kit's


# --- the property-based kit ----------------------------------------------------------------------


@given(xs=strategies.inputs(OPS["div"]))
def test_inputs_are_in_the_sampled_domain_away_from_kinks(xs: tuple[float, ...]) -> None:
    """inputs(op) draws one number per input inside domain.sample, KINK_MARGIN from a kink."""
    (a, b) = xs
    assert -5.0 <= a <= 5.0
    assert 0.5 <= b <= 5.0
    assert all(abs(x) >= strategies.KINK_MARGIN for x in xs)


def test_check_op_names_the_op_the_shrunk_input_and_both_numbers() -> None:
    """A wrong derivative (x instead of 2x) fails at Hypothesis's shrunk point, 1.0."""
    bad = ops.register(Op("bad_square", "²", 1, lambda x: x * x, lambda x, out: (x,), ("x",)))
    with pytest.raises(GradcheckError) as info:
        check_op(bad, derandomize=True)
    message = str(info.value)
    assert message.startswith("bad_square at (1.0,): local_grads vs central differences")
    assert "got 1.0, expected 2.0000" in message


def test_check_op_catches_a_rule_right_on_floats_but_constant_on_values() -> None:
    """math.cos in a rule gives the right first derivative, but create_graph sees a constant."""
    wrong = Op("msin", "msin", 1, ops.sin, lambda x, out: (math.cos(x),), ("cos(x)",))
    with pytest.raises(
        GradcheckError, match=r"^msin at .*second derivatives: gradgradcheck FAILED"
    ):
        check_op(ops.register(wrong), derandomize=True)


def test_check_op_catches_an_exception_outside_the_domain() -> None:
    """math.exp in a forward overflows at 1000: the IEEE property names the op and the input."""
    raw = Op("mexp", "mexp", 1, lambda x: math.exp(x), lambda x, out: (out,), ("exp(x)",))
    with pytest.raises(GradcheckError, match=r"^mexp at \(.*\): OverflowError: .*math shim"):
        check_op(ops.register(raw), derandomize=True)


def test_check_op_accepts_a_name_an_op_or_its_function_and_refuses_anything_else() -> None:
    """A built-in by name passes; an unknown name or a number is refused naming check_op."""
    check_op("sigmoid", max_examples=5)
    check_op(OPS["relu"], max_examples=5)
    with pytest.raises(ValueError, match=r"check_op: no op named 'nope'"):
        check_op("nope")
    with pytest.raises(TypeError, match=r"check_op: expected an op, its name or its function"):
        check_op(3.0)  # type: ignore[arg-type]


def test_assert_matches_passes_a_right_derivative_and_shrinks_a_wrong_one() -> None:
    """d/dx x sin x = sin x + x cos x passes; dropping sin x fails at the shrunk point."""
    points = strategies.floats_between(-3.0, 3.0)
    assert_matches(lambda x: x * x.sin(), lambda x: math.sin(x) + x * math.cos(x), points)
    with pytest.raises(GradcheckError) as info:
        assert_matches(lambda x: x * x.sin(), lambda x: x * math.cos(x), points, derandomize=True)
    assert re.fullmatch(  # sin 1 + cos 1 by the engine, cos 1 by the wrong df
        r"assert_matches at x0=1\.0: d f / d x0 is 1\.38177329067\d* by the engine, "
        r"0\.54030230586\d* by your df \(central differences: 1\.3817732906\d*\)",
        str(info.value),
    )


def test_assert_matches_takes_tuples_for_functions_of_several_inputs() -> None:
    """A point is a tuple, one number per argument; df gives one derivative per argument."""
    assert_matches(
        lambda x, y: x * y.exp(),
        lambda x, y: (math.exp(y), x * math.exp(y)),
        st.tuples(st.floats(-2.0, 2.0), st.floats(-2.0, 2.0)),
        max_examples=10,
    )


@given(drawn=strategies.expressions(max_leaves=2, max_depth=3, max_ops=8))
def test_expressions_respect_the_bounds(
    drawn: tuple[strategies.Expression, tuple[float, ...]],
) -> None:
    """At most max_leaves inputs and max_ops steps; no chain of steps is longer than max_depth."""
    build, point = drawn
    depth = [0] * len(point)
    for step in build.steps:
        depth.append(1 + max(depth[a] for a in step.args if isinstance(a, int)))
    assert 1 <= len(point) == build.inputs <= 2
    assert 1 <= len(build.steps) <= 8
    assert max(depth) <= 3


def test_expressions_draw_registered_ops_and_constants_on_either_side() -> None:
    """A registered op is drawn like a built-in; a binary op may take a constant on either side."""
    swish = ops.register(
        Op(
            "swish_",
            "swish",
            1,
            lambda x: x * ops.sigmoid(x),
            lambda x, out: (ops.sigmoid(x) * (1.0 + x - out),),
            ("σ(1+x-out)",),
        )
    )

    @given(drawn=strategies.expressions(ops=[swish.op, "mul"]))
    def gradients_match(drawn: tuple[strategies.Expression, tuple[float, ...]]) -> None:
        build, point = drawn
        assert {s.op.name for s in build.steps} <= {"swish_", "mul"}
        assert all(isinstance(a, int) for s in build.steps if s.op is swish.op for a in s.args)
        gradcheck(build, point)

    gradients_match()
    quiet = settings(database=None, max_examples=2000)  # find stops at the first: a budget
    # of the profile's 40 missed a constant on one side in about one run of ten
    for side in (0, 1):
        found = find(
            strategies.expressions(ops=["mul"]),
            lambda d, k=side: isinstance(d[0].steps[0].args[k], float),
            settings=quiet,
        )
        assert "mul(" in str(found[0])


@given(drawn=strategies.mlps())
def test_mlps_draw_a_network_and_an_input(drawn: tuple[MLP, list[float]]) -> None:
    """mlps() draws a seeded MLP with one output and an input of its width: gradcheck passes."""
    model, x = drawn
    out = model(x)
    assert isinstance(out, Value)
    assert len(x) == model.nin
    if model.activation not in ("relu", "leaky_relu"):  # kinks: differences need not agree there
        gradcheck(lambda *xs: model(list(xs)), x)


# --- the select rule: check_op's property for rows that select (Op.selects) -----------------


STEP = Op(
    "step_t", "step", 1, lambda x: ops.step(x), lambda x, out: (0.0 * x,), ("0",),
    Domain(kinks=(0.0,)), selects=True,
)  # fmt: skip


@pytest.mark.parametrize("name", ["relu", "abs", "heaviside", "max", "mul", "leaky_relu"])
def test_check_selects_holds_for_the_built_in_rows(name: str) -> None:
    """relu, abs, heaviside and max give 0 where flat; mul and leaky_relu multiply (nan)."""
    from autograd.testing.properties import check_selects

    op = OPS[name]
    points = {"relu": (-1.0,), "abs": (0.0,), "heaviside": (2.0,), "max": (1.0, 3.0, 2.0),
              "mul": (0.0, 2.0), "leaky_relu": (-1.0,)}  # fmt: skip
    params = {"slope": 0.0} if name == "leaky_relu" else None
    check_selects(op, points[name], params)


def test_check_op_checks_the_select_rule_of_a_registered_op() -> None:
    """A registered row that selects passes check_op, whose properties include the select rule."""
    step = ops.register(STEP)
    check_op(step, max_examples=20, derandomize=True)
    x = Value(-1.0)
    (step(x) * math.inf).backward()  # type: ignore[operator]
    assert x.grad == 0.0


def test_check_selects_catches_a_pass_that_multiplies_where_the_row_selects(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """If a pass (here backprop, so grad(create_graph=True) too) ignored selects, it is named."""
    from autograd.testing.properties import check_selects

    monkeypatch.setattr(Op, "term", lambda self, local, upstream: local * upstream)
    pattern = (
        r"relu at \(-1.0,\): with inf arriving, grad\(create_graph=True\) gave \[nan\]; the "
        r"row selects \(0 where flat\)"
    )
    with pytest.raises(GradcheckError, match=pattern):
        check_selects(OPS["relu"], (-1.0,))
