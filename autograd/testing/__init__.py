"""Check gradients against finite differences: ``numerical_grads``, ``gradcheck``, tolerances.

Use :func:`gradcheck` to test your own functions of Values: it compares the engine's
gradients (:func:`autograd.grad`) with central finite differences and reports the worst
mismatch and the input that caused it. :func:`gradgradcheck` does the same for second
derivatives, built with ``grad(create_graph=True)``.

>>> report = gradcheck(lambda x, y: x * y.sin(), [1.5, 0.5])
>>> report.passed
True

The step size and tolerances are named here once; the package's own tests use them too.
This module imports neither pytest nor Hypothesis. The property-based kit needs Hypothesis
(``pip install "autograd-scalar[testing]"``) and is loaded on first use:
:func:`check_op` runs the table's properties on one primitive, your own included
(:func:`autograd.ops.register`); :func:`assert_matches` checks a function's gradient against
your analytic derivative; :mod:`autograd.testing.strategies` draws inputs in an op's domain,
random expressions and small networks.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

from autograd import _checks
from autograd._checks import number
from autograd.engine import Value, grad
from autograd.messages import describe

if TYPE_CHECKING:  # loaded on first use by __getattr__ below: they need Hypothesis
    from autograd.testing import strategies as strategies
    from autograd.testing.properties import assert_matches as assert_matches
    from autograd.testing.properties import check_op as check_op

HYPOTHESIS_MISSING: Final = (
    "autograd.testing's property-based kit (check_op, assert_matches, strategies) needs "
    'Hypothesis: pip install "autograd-scalar[testing]"'
)


_LAZY: Final = {
    "strategies": "strategies",
    "properties": "properties",
    "check_op": "properties",
    "assert_matches": "properties",
}


def __getattr__(name: str) -> Any:
    """Load the kit that needs Hypothesis on first use: ``check_op``, ``strategies``, ...."""
    if name not in _LAZY:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    module = importlib.import_module(f"{__name__}.{_LAZY[name]}")
    return module if name == _LAZY[name] else getattr(module, name)


EPS: Final = 1e-6
"""Central-difference step, relative to ``max(1, |x|)``: error ~ EPS**2 + 1e-16/EPS."""

RTOL: Final = 1e-5
"""Relative tolerance of an engine gradient against central differences."""

ATOL: Final = 1e-6
"""Absolute tolerance of an engine gradient against central differences (for gradients near 0)."""

RTOL_ORDER2: Final = 1e-4
"""Relative tolerance of a second derivative against differences of the first derivative."""

ATOL_ORDER2: Final = 1e-5
"""Absolute tolerance of a second derivative against differences of the first derivative."""

ANALYTIC_RTOL: Final = 1e-10
"""Relative tolerance between two exact formulas of one derivative (rounding only)."""

ANALYTIC_ATOL: Final = 1e-12
"""Absolute tolerance between two exact formulas of one derivative (rounding near 0)."""

_SHOWN_ENTRIES: Final = 8  # rows of the comparison table printed by str(report)


def step_size(x: float, eps: float = EPS) -> float:
    """Return the central-difference step used at ``x``: ``eps * max(1, |x|)``.

    Raises:
        TypeError: ``x`` or ``eps`` is not a real number (a bool is refused).
        ValueError: ``x`` is not finite, or ``eps`` is not finite and > 0.

    >>> step_size(0.5), step_size(-4.0)
    (1e-06, 4e-06)
    """
    return _checks.positive("step_size: eps", eps) * max(1.0, abs(_checks.real("step_size: x", x)))


def numerical_grads(
    f: Callable[..., float], xs: Sequence[float], eps: float = EPS
) -> tuple[float, ...]:
    """Return ``d f / d x_i`` for each input by central differences of a float function.

    ``f`` is called as ``f(*xs)``; input ``i`` moves by ``±h`` with ``h = eps * max(1, |x_i|)``.

    Args:
        f: a function of floats returning a float.
        xs: the point.
        eps: the relative step.

    Returns:
        ``(f(x + h e_i) - f(x - h e_i)) / (2 h)`` for each ``i``.

    Raises:
        TypeError: ``f`` is not callable, ``xs`` not a list of real numbers, ``eps`` not a
            real number.
        ValueError: a point that is nan or infinite (no difference quotient exists there), or
            ``eps`` not finite and > 0.

    >>> [round(g, 6) for g in numerical_grads(lambda x, y: x * x * y, [3.0, 2.0])]
    [12.0, 9.0]
    """
    _checks.function("numerical_grads: f", f, "a function of floats returning a float")
    point = _finite_point(xs, "numerical_grads", "xs")
    eps = _checks.positive("numerical_grads: eps", eps)
    grads: list[float] = []
    for i, x in enumerate(point):
        h = step_size(x, eps)
        point[i] = x + h
        above = float(f(*point))
        point[i] = x - h
        below = float(f(*point))
        point[i] = x
        grads.append((above - below) / (2.0 * h))
    return tuple(grads)


def is_close(actual: float, expected: float, rtol: float = RTOL, atol: float = ATOL) -> bool:
    """Return whether ``|actual - expected| <= atol + rtol * |expected|``, both finite.

    Infinities are close only to themselves; nan is close to nothing.

    Raises:
        TypeError: a number that is not a real number (``rtol``, ``atol``: not a bool).
        ValueError: ``rtol`` or ``atol`` negative or not finite.

    >>> is_close(1.0 + 1e-7, 1.0), is_close(1.1, 1.0), is_close(math.inf, math.inf)
    (True, False, True)
    """
    actual = number("is_close: actual", actual)
    expected = number("is_close: expected", expected)
    rtol, atol = _tolerances("is_close", rtol, atol)
    if not (math.isfinite(actual) and math.isfinite(expected)):
        return actual == expected
    return abs(actual - expected) <= atol + rtol * abs(expected)


def assert_grads_close(
    actual: Sequence[float],
    expected: Sequence[float],
    *,
    rtol: float = RTOL,
    atol: float = ATOL,
    what: str = "gradient",
) -> None:
    """Raise ``GradcheckError`` unless each ``actual[i]`` is close to ``expected[i]``.

    Args:
        actual: the gradients under test.
        expected: the reference gradients.
        rtol: relative tolerance.
        atol: absolute tolerance.
        what: what is compared, for the message.

    Raises:
        GradcheckError: naming the first index that differs, with both numbers.
        TypeError: an argument of the wrong kind (a list holding a str, a bytes ``what``).
        ValueError: a tolerance negative or not finite.

    >>> assert_grads_close((1.0, 2.0), (1.0, 2.0000001))
    >>> assert_grads_close((1.0,), (1.5,))
    Traceback (most recent call last):
    ...
    autograd.testing.GradcheckError: gradient 0: got 1.0, expected 1.5 ...
    """
    actual = _checks.numbers_of("assert_grads_close: actual", actual)
    expected = _checks.numbers_of("assert_grads_close: expected", expected)
    rtol, atol = _tolerances("assert_grads_close", rtol, atol)
    what = _checks.text("assert_grads_close: what", what)
    if len(actual) != len(expected):
        raise GradcheckError(f"{what}: got {len(actual)} values, expected {len(expected)}")
    for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
        if not is_close(a, e, rtol, atol):
            raise GradcheckError(
                f"{what} {i}: got {a!r}, expected {e!r} (difference {abs(a - e):.3g}, "
                f"allowed {atol:g} + {rtol:g} * |expected|)"
            )


@dataclass(frozen=True, slots=True)
class Mismatch:
    """One compared derivative: where it is, the engine's and the numerical value.

    Attributes:
        index: ``(i,)`` for ``d f / d x_i``; ``(i, j)`` for ``d2 f / d x_i d x_j``.
        analytic: the engine's value.
        numerical: the central-difference value.
        abs_error: ``|analytic - numerical|`` (inf if either is not finite).
        rel_error: ``abs_error / |numerical|`` (inf if ``numerical`` is 0 and they differ).
        ok: whether it is within tolerance.
    """

    index: tuple[int, ...]
    analytic: float
    numerical: float
    abs_error: float
    rel_error: float
    ok: bool


def _compare(
    index: tuple[int, ...], analytic: float, numerical: float, rtol: float, atol: float
) -> Mismatch:
    ok = is_close(analytic, numerical, rtol, atol)
    if math.isfinite(analytic) and math.isfinite(numerical):
        abs_error = abs(analytic - numerical)
    else:
        abs_error = 0.0 if ok else math.inf
    if abs_error == 0.0:
        rel_error = 0.0
    elif numerical == 0.0 or not math.isfinite(abs_error):
        rel_error = math.inf
    else:
        rel_error = abs_error / abs(numerical)
    return Mismatch(index, analytic, numerical, abs_error, rel_error, ok)


@dataclass(frozen=True, slots=True)
class GradcheckReport:
    """What :func:`gradcheck` or :func:`gradgradcheck` found.

    Attributes:
        order: 1 for gradients, 2 for second derivatives.
        inputs: the point, as floats.
        entries: one :class:`Mismatch` per compared derivative.
        rtol: the relative tolerance used.
        atol: the absolute tolerance used.
        eps: the relative step used.
    """

    order: int
    inputs: tuple[float, ...]
    entries: tuple[Mismatch, ...]
    rtol: float
    atol: float
    eps: float

    @property
    def passed(self) -> bool:
        """True if every derivative is within tolerance."""
        return all(e.ok for e in self.entries)

    @property
    def worst(self) -> Mismatch | None:
        """The entry furthest outside (or least inside) its tolerance; None with no inputs."""
        if not self.entries:
            return None

        def excess(e: Mismatch) -> float:
            if not e.ok and not math.isfinite(e.abs_error):
                return math.inf
            return e.abs_error / (self.atol + self.rtol * abs(e.numerical))

        return max(self.entries, key=excess)

    @property
    def max_abs_error(self) -> float:
        """The largest ``|analytic - numerical|`` over all entries."""
        return max((e.abs_error for e in self.entries), default=0.0)

    @property
    def max_rel_error(self) -> float:
        """The largest relative error over all entries."""
        return max((e.rel_error for e in self.entries), default=0.0)

    def _name(self, index: tuple[int, ...]) -> str:
        if self.order == 1:
            return f"d f / d x{index[0]}"
        return f"d2 f / d x{index[0]} d x{index[1]}"

    def __str__(self) -> str:
        kind = "gradcheck" if self.order == 1 else "gradgradcheck"
        verdict = "passed" if self.passed else "FAILED"
        point = ", ".join(f"x{i}={x!r}" for i, x in enumerate(self.inputs))
        lines = [
            f"{kind} {verdict} at {point} (rtol={self.rtol:g}, atol={self.atol:g}, "
            f"eps={self.eps:g}): max abs error {self.max_abs_error:.3g}, "
            f"max rel error {self.max_rel_error:.3g}"
        ]
        worst = self.worst
        if worst is not None:
            lines.append(
                f"worst: {self._name(worst.index)}: engine {worst.analytic!r}, "
                f"finite differences {worst.numerical!r}"
            )
        shown = sorted(self.entries, key=lambda e: e.ok)[:_SHOWN_ENTRIES]
        for e in shown:
            mark = "ok " if e.ok else "BAD"
            lines.append(
                f"  {mark} {self._name(e.index)}: engine {e.analytic!r}, numerical {e.numerical!r}"
            )
        if len(self.entries) > len(shown):
            lines.append(f"  ... {len(self.entries) - len(shown)} more")
        return "\n".join(lines)


class GradcheckError(AssertionError):
    """A gradient differs from its reference; ``report`` holds the details (or None)."""

    def __init__(self, message: str, report: GradcheckReport | None = None) -> None:
        super().__init__(message)
        self.report = report


def _point(inputs: Sequence[Value | float], what: str) -> tuple[float, ...]:
    """The point of a check: Values' numbers or numbers, each finite.

    At nan or inf there is no derivative to compare: the check would report a misleading failure.
    """
    return tuple(_finite_point(inputs, what, "inputs"))


def _finite_point(inputs: object, what: str, arg: str) -> list[float]:
    items = _checks.sequence(f"{what}: {arg}", inputs, "a list of numbers (or Values)")
    point = [
        x.data if isinstance(x, Value) else number(f"{what}: {arg}[{i}]", x)
        for i, x in enumerate(items)
    ]
    for i, x in enumerate(point):
        if not math.isfinite(x):
            raise ValueError(
                f"{what}: {arg}[{i}] is {x!r}; a derivative is checked at a finite point (at "
                "nan or inf neither the engine's nor the difference quotient means anything)"
            )
    return point


def _tolerances(what: str, rtol: object, atol: object) -> tuple[float, float]:
    return _checks.non_negative(f"{what}: rtol", rtol), _checks.non_negative(f"{what}: atol", atol)


def _settings_of(what: str, eps: object, rtol: object, atol: object, raise_exception: object
                 ) -> tuple[float, float, float, bool]:  # fmt: skip
    """A check's step, tolerances and ``raise_exception``, each checked by name."""
    return (_checks.positive(f"{what}: eps", eps), *_tolerances(what, rtol, atol),
            _checks.flag(f"{what}: raise_exception", raise_exception))  # fmt: skip


def _call(f: Callable[..., Value], xs: Sequence[Value], what: str) -> Value:
    out = f(*xs)
    if not isinstance(out, Value):
        raise TypeError(
            f"{what}: f must return a Value, got {describe(out)}; "
            "build the result from the Values f receives"
        )
    return out


def _engine_grads(f: Callable[..., Value], point: Sequence[float], what: str) -> tuple[float, ...]:
    leaves = [Value(x) for x in point]
    found: tuple[float, ...] = grad(_call(f, leaves, what), leaves)
    return found


def _finish(report: GradcheckReport, raise_exception: bool) -> GradcheckReport:
    if raise_exception and not report.passed:
        raise GradcheckError(str(report), report)
    return report


def gradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float],
    *,
    eps: float = EPS,
    rtol: float = RTOL,
    atol: float = ATOL,
    raise_exception: bool = True,
) -> GradcheckReport:
    """Compare the engine's gradients of ``f`` with central finite differences.

    ``f`` receives one fresh leaf Value per input and returns a Value; the engine's
    ``grad`` of it is compared with ``(f(x + h) - f(x - h)) / 2h`` for every input. Pick a
    point where ``f`` is smooth and finite (not at a kink such as ``relu`` at 0).

    Args:
        f: a function of Values returning a Value.
        inputs: the point: floats or Values (their ``.data`` is used; they are not modified).
        eps: relative finite-difference step (see :func:`step_size`).
        rtol: relative tolerance.
        atol: absolute tolerance.
        raise_exception: raise on a mismatch instead of returning a failed report.

    Returns:
        A :class:`GradcheckReport`; ``str(report)`` shows the worst mismatch.

    Raises:
        GradcheckError: if ``raise_exception`` and some gradient is out of tolerance.
        TypeError: if ``f`` is not callable or does not return a Value, an input is not a
            number, or a setting is of the wrong kind.
        ValueError: if an input is nan or infinite, ``eps`` is not finite and > 0 (``eps=0``
            divided by zero), or a tolerance is negative.

    >>> print(gradcheck(lambda x: x.tanh() * 2, [0.5]))  # doctest: +ELLIPSIS
    gradcheck passed at x0=0.5 (rtol=1e-05, atol=1e-06, eps=1e-06): max abs error ...
    >>> bad = gradcheck(lambda x: x.relu(), [0.0], raise_exception=False)
    >>> bad.passed, bad.worst.index, bad.worst.analytic
    (False, (0,), 0.0)
    """
    _checks.function("gradcheck: f", f, "a function of Values returning a Value")
    point = _point(inputs, "gradcheck")
    eps, rtol, atol, raise_exception = _settings_of("gradcheck", eps, rtol, atol, raise_exception)
    analytic = _engine_grads(f, point, "gradcheck")

    def value_of(*xs: float) -> float:
        return _call(f, [Value(x) for x in xs], "gradcheck").data

    numerical = numerical_grads(value_of, point, eps)
    entries = tuple(
        _compare((i,), a, n, rtol, atol)
        for i, (a, n) in enumerate(zip(analytic, numerical, strict=True))
    )
    report = GradcheckReport(1, point, entries, rtol, atol, eps)
    return _finish(report, raise_exception)


def hessian(
    f: Callable[..., Value], inputs: Sequence[Value | float]
) -> tuple[tuple[float, ...], ...]:
    """Return the engine's matrix of second derivatives of ``f``, via ``grad(create_graph=True)``.

    Args:
        f: a function of Values returning a Value.
        inputs: the point: floats or Values.

    Returns:
        ``H[i][j] = d2 f / d x_i d x_j``.

    Raises:
        TypeError, ValueError: as :func:`gradcheck`, for ``f`` and ``inputs``.

    >>> hessian(lambda x, y: x * x * y, [3.0, 2.0])
    ((4.0, 6.0), (6.0, 0.0))
    """
    _checks.function("hessian: f", f, "a function of Values returning a Value")
    leaves = [Value(x) for x in _point(inputs, "hessian")]
    firsts = grad(_call(f, leaves, "hessian"), leaves, create_graph=True)
    rows: list[tuple[float, ...]] = []
    for first in firsts:
        second: tuple[float, ...] = grad(first, leaves)
        rows.append(second)
    return tuple(rows)


def gradgradcheck(
    f: Callable[..., Value],
    inputs: Sequence[Value | float],
    *,
    eps: float = EPS,
    rtol: float = RTOL_ORDER2,
    atol: float = ATOL_ORDER2,
    raise_exception: bool = True,
) -> GradcheckReport:
    """Compare the engine's second derivatives of ``f`` with differences of its first ones.

    The engine's Hessian comes from differentiating ``grad(f, create_graph=True)`` again;
    the reference is the central difference of the engine's gradient along each input.

    Args:
        f: a function of Values returning a Value.
        inputs: the point: floats or Values.
        eps: relative finite-difference step.
        rtol: relative tolerance.
        atol: absolute tolerance.
        raise_exception: raise on a mismatch instead of returning a failed report.

    Returns:
        A :class:`GradcheckReport` of order 2 with entries indexed ``(i, j)``.

    Raises:
        GradcheckError: if ``raise_exception`` and some second derivative is out of tolerance.
        TypeError, ValueError: as :func:`gradcheck`.

    >>> gradgradcheck(lambda x, y: x * x * y + (x * y).sin(), [0.5, -1.5]).passed
    True
    """
    _checks.function("gradgradcheck: f", f, "a function of Values returning a Value")
    point = _point(inputs, "gradgradcheck")
    eps, rtol, atol, raise_exception = _settings_of(
        "gradgradcheck", eps, rtol, atol, raise_exception
    )
    analytic = hessian(f, point)
    # Column j: how the engine's whole gradient moves along input j (one pair of passes).
    columns: list[list[float]] = []
    moved = list(point)
    for j, x in enumerate(point):
        h = step_size(x, eps)
        moved[j] = x + h
        above = _engine_grads(f, moved, "gradgradcheck")
        moved[j] = x - h
        below = _engine_grads(f, moved, "gradgradcheck")
        moved[j] = x
        columns.append([(a - b) / (2.0 * h) for a, b in zip(above, below, strict=True)])
    entries = tuple(
        _compare((i, j), analytic[i][j], columns[j][i], rtol, atol)
        for i in range(len(point))
        for j in range(len(point))
    )
    report = GradcheckReport(2, point, entries, rtol, atol, eps)
    return _finish(report, raise_exception)
