"""``autograd.testing``: finite differences, gradcheck and gradgradcheck catch what they should.

A wrong gradient is made honestly with ``detach()``: the engine then differentiates a
different function from the one finite differences see, by a known amount.
"""

from __future__ import annotations

import math
import re
import subprocess
import sys

import pytest

from autograd import Value
from autograd.testing import (
    ATOL,
    EPS,
    RTOL,
    GradcheckError,
    assert_grads_close,
    gradcheck,
    gradgradcheck,
    hessian,
    is_close,
    numerical_grads,
    step_size,
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
    with pytest.raises(TypeError, match=r"gradcheck inputs\[1\].*\bstr\b"):
        gradcheck(lambda x, y: x * y, [1.0, "2"])  # type: ignore[list-item]
    with pytest.raises(TypeError, match=r"gradcheck: f must return a Value, got float"):
        gradcheck(lambda x: 2.0, [1.0])  # type: ignore[arg-type,return-value]


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
