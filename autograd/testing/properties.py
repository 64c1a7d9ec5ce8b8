"""The table's properties for one primitive, your own included: ``check_op``, ``assert_matches``.

Each ``check_*`` function checks one property at one point and raises
:class:`~autograd.testing.GradcheckError` (an ``AssertionError``) naming the op, the point and
both numbers; :func:`check_op` runs them all under Hypothesis over the op's domain (so a
failure is reported at Hypothesis's shrunk example), and the project's own table-driven tests
call them for every built-in row. Needs Hypothesis (``pip install "autograd-scalar[testing]"``).

``build`` (optional everywhere) makes the op's node from leaf Values and keyword parameters;
by default :func:`autograd.engine.apply`, the path a registered op's function takes.

>>> check_op("tanh", max_examples=10)
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any, Final

from autograd.testing import (
    ANALYTIC_ATOL,
    ANALYTIC_RTOL,
    HYPOTHESIS_MISSING,
    GradcheckError,
    GradcheckReport,
    assert_grads_close,
    gradcheck,
    gradgradcheck,
    is_close,
    numerical_grads,
)

try:
    from hypothesis import given, settings
    from hypothesis import strategies as st
except ModuleNotFoundError as err:  # an optional dependency: say how to get it
    raise ModuleNotFoundError(HYPOTHESIS_MISSING) from err

from autograd.engine import Value, apply, backprop, grad
from autograd.messages import describe
from autograd.modes import detect_anomaly
from autograd.ops import OPS, Op, Primitive
from autograd.testing.strategies import extreme_points, points

Build = Callable[..., Value]
"""``build(*leaves, **params)``: the op's node made from leaf Values (a public caller)."""

Check = Callable[..., Any]
"""``check(op, xs, params, build=...)``: one property at one point; raises on a failure."""

IEEE_HINT: Final = (
    "outside its domain a rule must give IEEE results (inf, nan) and raise nothing: write it "
    "with the math shim (ops.exp, ops.log, ops.power, ...), which does"
)


def _at(op: Op, xs: Sequence[float], params: dict[str, float]) -> str:
    extra = f" with {params}" if params else ""
    return f"{op.name} at {tuple(xs)!r}{extra}"


def _node(
    op: Op, xs: Sequence[float], params: dict[str, float], build: Build | None
) -> tuple[list[Value], Value]:
    """The leaves and the one node ``build`` (default ``apply``) makes of them."""
    leaves = [Value(x) for x in xs]
    out = (build or partial(apply, op))(*leaves, **params)
    if not isinstance(out, Value) or out.op is not op:
        made = out.op.name if isinstance(out, Value) and out.op else describe(out)
        raise GradcheckError(f"{_at(op, xs, params)}: build made {made}, not a {op.name} node")
    return leaves, out


def check_local_grads(op: Op, xs: Sequence[float], params: dict[str, float] | None = None) -> None:
    """The rule's local derivatives agree with central differences of the forward rule.

    >>> check_local_grads(OPS["mul"], (3.0, 4.0))
    """
    p = params or {}
    local = op.local_grads(*xs, op.forward(*xs, **p), **p)
    numerical = numerical_grads(lambda *v: op.forward(*v, **p), xs)
    what = f"{_at(op, xs, p)}: local_grads vs central differences, d out / d input"
    assert_grads_close(local, numerical, what=what)


def check_rule_on_values(
    op: Op,
    xs: Sequence[float],
    params: dict[str, float] | None = None,
    *,
    build: Build | None = None,
) -> tuple[float, ...]:
    """backward() through one node gives the rule on floats, and the rule on Values agrees.

    The rule applied to Values is what ``grad(create_graph=True)`` differentiates again; its
    numbers must be the float rule's (up to rounding).

    Returns:
        The gradients ``backward()`` gave the inputs.

    >>> check_rule_on_values(OPS["mul"], (3.0, 4.0))
    (4.0, 3.0)
    """
    p = params or {}
    at = _at(op, xs, p)
    leaves, out = _node(op, xs, p, build)
    floats = tuple(op.local_grads(*xs, out.data, **p))
    out.backward()
    got = tuple(v.grad for v in leaves)
    if got != floats or grad(out, leaves) != got:
        raise GradcheckError(f"{at}: backward() gave {got}, the rule on floats {floats}")
    on_values = op.local_grads(*leaves, out, **p)
    data = [d.data if isinstance(d, Value) else d for d in on_values]
    tol = {"rtol": ANALYTIC_RTOL, "atol": ANALYTIC_ATOL}
    assert_grads_close(data, floats, **tol, what=f"{at}: the rule on Values vs on floats, input")
    firsts = [g.data for g in grad(out, leaves, create_graph=True)]
    assert_grads_close(firsts, floats, **tol, what=f"{at}: grad(create_graph=True) vs the rule")
    return got


def check_second_derivatives(
    op: Op,
    xs: Sequence[float],
    params: dict[str, float] | None = None,
    *,
    build: Build | None = None,
) -> GradcheckReport:
    """Second derivatives through ``grad(create_graph=True)`` match differences of the first.

    >>> check_second_derivatives(OPS["sin"], (0.5,)).passed
    True
    """
    p = params or {}
    make = build or partial(apply, op)
    try:
        return gradgradcheck(lambda *vs: make(*vs, **p), xs)
    except GradcheckError as err:
        raise GradcheckError(f"{_at(op, xs, p)}: second derivatives: {err}", err.report) from err


def check_forward_finite(
    op: Op,
    xs: Sequence[float],
    params: dict[str, float] | None = None,
    *,
    build: Build | None = None,
) -> None:
    """Inside the sampled domain the node's number is the rule's and finite; so are its derivatives.

    >>> check_forward_finite(OPS["log"], (0.5,))
    """
    p = params or {}
    _, out = _node(op, xs, p, build)
    expected = op.forward(*xs, **p)
    local = out.local_grads()
    if not (isinstance(out.data, float) and math.isfinite(out.data) and out.data == expected):
        raise GradcheckError(
            f"{_at(op, xs, p)}: forward gave {out.data!r}, a finite float expected"
        )
    if not all(math.isfinite(d) for d in local):
        raise GradcheckError(f"{_at(op, xs, p)}: local derivatives {local} inside the domain")


def check_ieee(
    op: Op,
    xs: Sequence[float],
    params: dict[str, float] | None = None,
    *,
    build: Build | None = None,
) -> None:
    """Anywhere (inf, nan, 0, huge, tiny): forward, backward and second order give floats.

    No ``ZeroDivisionError``, ``OverflowError`` or "math domain error": IEEE results, as numpy
    and PyTorch give.

    >>> check_ieee(OPS["log"], (-1.0,))
    """
    p = params or {}
    at = _at(op, xs, p)
    try:
        leaves, out = _node(op, xs, p, build)
        local = out.local_grads()
        out.backward()
        firsts = grad(out, leaves, create_graph=True)
        for g in firsts:
            grad(g, leaves)
    except (ArithmeticError, ValueError) as err:
        raise GradcheckError(f"{at}: {type(err).__name__}: {err}; {IEEE_HINT}") from err
    if not isinstance(out.data, float):
        raise GradcheckError(f"{at}: forward gave {describe(out.data)}, not a float")
    if len(local) != len(xs) or not all(isinstance(v.grad, float) for v in leaves):
        raise GradcheckError(f"{at}: local derivatives {local} are not one float per input")
    if not all(isinstance(g, Value) for g in firsts):
        raise GradcheckError(f"{at}: grad(create_graph=True) gave {firsts}, not Values")


def check_anomaly(
    op: Op,
    xs: Sequence[float],
    params: dict[str, float] | None = None,
    *,
    build: Build | None = None,
) -> None:
    """Under ``detect_anomaly()`` a nan or inf (result or gradient), and only that, names the op.

    >>> check_anomaly(OPS["log"], (0.0,))
    """
    p = params or {}
    at = _at(op, xs, p)
    plain_leaves, plain = _node(op, xs, p, build)
    plain.backward()
    if not math.isfinite(plain.data):
        expected = rf"{re.escape(op.name)} produced "
    elif not all(math.isfinite(v.grad) for v in plain_leaves):
        expected = rf"backward through {re.escape(op.name)} node"
    else:
        with detect_anomaly():
            leaves, out = _node(op, xs, p, build)
            out.backward()
        if [v.grad for v in leaves] != [v.grad for v in plain_leaves]:
            raise GradcheckError(f"{at}: detect_anomaly() changed the gradients")
        return
    try:
        with detect_anomaly():
            _node(op, xs, p, build)[1].backward()
    except FloatingPointError as err:
        if not re.match(expected, str(err)):
            raise GradcheckError(f"{at}: detect_anomaly() raised {err}, not naming the op") from err
        return
    raise GradcheckError(f"{at}: a nan or inf went by detect_anomaly() without an error")


UPSTREAMS: Final = (math.inf, -math.inf, math.nan)
"""The gradients :func:`check_selects` sends into a node: where 0 times them is nan."""


def _same(a: float, b: float) -> bool:
    return a == b or (math.isnan(a) and math.isnan(b))


def check_selects(
    op: Op,
    xs: Sequence[float],
    params: dict[str, float] | None = None,
    *,
    build: Build | None = None,
) -> None:
    """Every pass obeys the row's ``selects``: 0 where it is flat, whatever gradient arrives.

    An inf, -inf or nan gradient is sent into the node (``y = node * K`` with ``K`` holding
    it). Where a local derivative is exactly 0, a row that selects (``Op.selects``: relu, abs,
    heaviside, max) gives that input 0 -- as PyTorch's ``threshold_backward`` -- and any other
    row gives ``0 * inf = nan``; elsewhere every row gives ``local * upstream``. ``backward()``,
    ``grad()``, ``grad(create_graph=True)`` and the reference pass
    (:func:`autograd.engine.backprop`) must all give that.

    >>> check_selects(OPS["relu"], (-1.0,))
    """
    p = params or {}
    at = _at(op, xs, p)
    for upstream in UPSTREAMS:
        leaves, out = _node(op, xs, p, build)
        local = out.local_grads()
        expected = [
            0.0 if op.selects and d == 0 else d * upstream for d in local
        ]  # written out, not Op.term: the rule the passes must follow
        y = out * Value(upstream)  # d y / d out = upstream, whatever out is
        y.backward()
        found = {
            "backward()": [v.grad for v in leaves],
            "grad()": list(grad(y, leaves)),
            "grad(create_graph=True)": [g.data for g in grad(y, leaves, create_graph=True)],
            "backprop": [backprop(y).get(v, 0.0) for v in leaves],
        }
        rule = "selects (0 where flat)" if op.selects else "multiplies (0 * inf = nan)"
        for name, got in found.items():
            if not all(_same(g, e) for g, e in zip(got, expected, strict=True)):
                raise GradcheckError(
                    f"{at}: with {upstream!r} arriving, {name} gave {got}; the row {rule} and "
                    f"its local derivatives {local} give {expected}"
                )


PROPERTIES: Final[tuple[tuple[str, Check, bool], ...]] = (
    ("local derivatives against central differences", check_local_grads, False),
    ("the rule on Values equals the rule on floats", check_rule_on_values, False),
    ("second derivatives against differences of first derivatives", check_second_derivatives,
     False),
    ("forward finite inside the domain", check_forward_finite, False),
    ("IEEE results outside the domain", check_ieee, True),
    ("detect_anomaly() names the op", check_anomaly, True),
    ("a row that selects gives 0 where flat, whatever arrives", check_selects, True),
)  # fmt: skip
"""(what, check, anywhere): each property :func:`check_op` runs; ``anywhere`` draws any floats."""


def _row(op: Op | str | Primitive, caller: str) -> Op:
    if isinstance(op, Primitive):
        return op.op
    if isinstance(op, Op):
        return op
    if isinstance(op, str):
        if op not in OPS:
            raise ValueError(f"{caller}: no op named {op!r} in the table (ops.register adds one)")
        return OPS[op]
    raise TypeError(f"{caller}: expected an op, its name or its function, got {describe(op)}")


def _settings(overrides: dict[str, Any]) -> settings:
    # No example database unless asked, so a check run in a notebook leaves no folder behind;
    # no deadline: a numerical check is not a timing test, and a busy machine is no failure.
    return settings(**{"database": None, "deadline": None, **overrides})


def check_op(op: Op | str | Primitive, **hypothesis_settings: Any) -> None:
    """Check one primitive with the table's properties, under Hypothesis.

    Over ``op.domain.sample`` (away from its kinks): the local derivatives against central
    differences, the rule on Values (``create_graph``) equal to the rule on floats, second
    derivatives against differences of first derivatives, the forward finite; anywhere at all:
    IEEE results, ``detect_anomaly()`` naming the op, and every pass obeying the row's
    ``selects`` (:func:`check_selects`: 0 where a selecting row is flat, even times an inf or
    nan gradient). The checks run on the op's node as :func:`autograd.engine.apply` builds it.

    Args:
        op: the op (an ``Op``), its name, or the function :func:`autograd.ops.register` returned.
        **hypothesis_settings: ``hypothesis.settings`` for every property (``max_examples=...``,
            ``derandomize=True``); else the loaded profile's, without a deadline or database.

    Raises:
        GradcheckError: an ``AssertionError`` naming the op, the (shrunk) point and both numbers.

    >>> from autograd import ops
    >>> bad = ops.register(ops.Op("bad_square", "²", 1, lambda x: x * x,
    ...                           lambda x, out: (x,), ("x",)))  # should be 2 x
    >>> check_op(bad, derandomize=True)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd.testing.GradcheckError: bad_square at (...,): local_grads vs central differences, ...
    """
    row = _row(op, "check_op")
    chosen = _settings(hypothesis_settings)
    for _, check, anywhere in PROPERTIES:
        _run_property(row, check, extreme_points(row) if anywhere else points(row), chosen)


def _run_property(op: Op, check: Check, drawn: st.SearchStrategy[Any], chosen: settings) -> None:
    @chosen
    @given(point=drawn)
    def run(point: tuple[tuple[float, ...], dict[str, float]]) -> None:
        check(op, *point)

    run()


def _as_tuple(x: Any) -> tuple[float, ...]:
    return tuple(x) if isinstance(x, (tuple, list)) else (x,)


def assert_matches(
    f: Callable[..., Value],
    df: Callable[..., float | Sequence[float]],
    strategy: st.SearchStrategy[Any],
    *,
    rtol: float = ANALYTIC_RTOL,
    atol: float = ANALYTIC_ATOL,
    **hypothesis_settings: Any,
) -> None:
    """Check the engine's gradient of ``f`` against your analytic ``df`` and finite differences.

    At every point Hypothesis draws from ``strategy`` (a number, or a tuple with one number per
    argument of ``f``): the engine's ``grad`` of ``f`` must equal ``df`` at the point (to
    ``rtol``/``atol``: two exact formulas differ by rounding only), and
    :func:`~autograd.testing.gradcheck` must pass.

    Args:
        f: a function of Values returning a Value (a registered op's function, a composite).
        df: your derivative, on floats: a number, or one per argument of ``f``.
        strategy: the points, e.g. ``strategies.floats_between(-5.0, 5.0)``.
        rtol: relative tolerance between the engine and ``df``.
        atol: absolute tolerance between the engine and ``df``.
        **hypothesis_settings: ``hypothesis.settings`` (``max_examples=...``).

    Raises:
        GradcheckError: at the shrunk point, with the engine's, ``df``'s and the difference
            quotient's numbers.

    >>> from autograd.testing.strategies import floats_between
    >>> assert_matches(lambda x: x.sin() * x, lambda x: math.cos(x) * x + math.sin(x),
    ...                floats_between(-3.0, 3.0), max_examples=20)
    """

    @_settings(hypothesis_settings)
    @given(point=strategy)
    def run(point: Any) -> None:
        xs = _as_tuple(point)
        report = gradcheck(f, xs, raise_exception=False)
        expected = _as_tuple(df(*xs))
        where = ", ".join(f"x{i}={x!r}" for i, x in enumerate(xs))
        if len(expected) != len(xs):
            raise GradcheckError(f"assert_matches: df gave {len(expected)} values for {where}")
        for e, want in zip(report.entries, expected, strict=True):
            if not is_close(e.analytic, float(want), rtol, atol):
                raise GradcheckError(
                    f"assert_matches at {where}: d f / d x{e.index[0]} is {e.analytic!r} by the "
                    f"engine, {float(want)!r} by your df (central differences: {e.numerical!r})"
                )
        if not report.passed:
            raise GradcheckError(f"assert_matches at {where}: {report}", report)

    run()
