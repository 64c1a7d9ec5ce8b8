"""The op table's rules on numpy arrays: one row of lanes per node, one column per example.

Rows of :mod:`autograd.ops` whose rule is plain arithmetic (``add``, ``mul``, ``div``, the
``local_grads`` of ``tanh``, ``exp``, ``pow``, ...) run on arrays unchanged: numpy arrays
support the operators. The math shim runs unchanged too: ``log(x)``, ``cos(x)`` and
``sigmoid(x)`` call methods that :class:`Lanes` has, as a ``Value`` does, and so do ``step`` and
``sign`` (the derivatives of ``relu``, ``leaky_relu`` and ``abs``) and ``choose`` (``vpow``'s
zeros), which :class:`Lanes` answers lane by lane, so every derivative rule is the table's own
(and :mod:`autograd.ops` needs no numpy). Only forward
rules that call :mod:`math` or branch with ``if`` on one number (``exp``, ``log``, ``relu``,
...) get a numpy version: :data:`NUMPY_FORWARD` maps them to the numpy function computing the
same formula (``sigmoid`` and ``softplus`` use the same overflow-free expressions as ``ops``).

numpy's exp, log, tanh, sin, cos and power run vectorised (SIMD) code that may differ from the C
library's in the last bit or two, so these kernels equal the table's rules exactly at special
values (0, -0.0, inf, nan, out of domain) and otherwise to a few units in the last place
(``tests/test_compiled_kernels.py`` pins both for every row).

The n-ary rows ``sum`` and ``dot`` loop over their terms in Python; their kernels in
:mod:`autograd.compiled.groups` contract the terms in one numpy call (``W @ X`` for a layer).
``max``, the third, groups like a fixed-arity row (nodes of as many terms): :func:`max_lanes`
scans the terms, and its table rule runs on lanes.

A registered op (:func:`autograd.ops.register`) has no numpy version: both its rules run on
:class:`Lanes`, so a rule written with the math shim and ``ops.step``/``ops.choose``/``ops.sign``
runs on whole batches unchanged. :func:`check_on_lanes` refuses, when a plan is built, a rule
that fails there (a Python ``if`` on a number, ``math.exp``) or gives other numbers than on
floats, naming the op.

>>> import numpy as np
>>> from autograd.ops import OPS
>>> x = np.array([[-1.0, 0.0, 2.0]])
>>> forward_rule(OPS["relu"])(x)
array([[0., 0., 2.]])
>>> local_rule(OPS["relu"])(x, forward_rule(OPS["relu"])(x))
(array([[0., 0., 1.]]),)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any, Final

import numpy as np

from autograd.ops import Op, is_builtin
from autograd.types import Array

# A rule returns arrays or plain floats (``add`` gives ``(1.0, 1.0)``); numpy broadcasts both.
Grads = tuple[Any, ...]


def power(x: Array, exponent: Any) -> Array:
    """Return ``x ** exponent`` elementwise with ``ops.safe_pow``'s results at special values.

    numpy computes a power of ``0.5`` as ``sqrt(x)``, which gives ``nan`` at ``-inf`` and
    ``-0.0`` at ``-0.0`` where ``pow`` gives ``inf`` and ``0.0``: those two lanes are fixed.

    >>> with np.errstate(all="ignore"):  # a plan runs its kernels so: IEEE results, no warnings
    ...     power(np.array([-np.inf, -0.0, 4.0]), 0.5)
    array([inf,  0.,  2.])
    """
    out: Array = np.power(x, exponent)
    if np.ndim(exponent) == 0 and exponent == 0.5:  # noqa: PLR2004  # numpy's sqrt fast path
        out = np.where(x == -np.inf, np.inf, out + 0.0)  # -0.0 + 0.0 is +0.0
    return out


class Lanes(np.ndarray):
    """An array with the methods the table's math shim calls on a ``Value``.

    ``ops.log(x)`` calls ``x.log()`` on anything that is not a float, so the very rule text
    ``out * log(x)`` of ``vpow`` runs on lanes of numbers unchanged; ``**`` is :func:`power`.

    >>> np.asarray([0.0, 1.0]).view(Lanes).cos()
    Lanes([1.        , 0.54030231])
    """

    def __pow__(self, exponent: Any) -> Lanes:  # type: ignore[override]  # lanes in, lanes out
        return power(np.asarray(self), exponent).view(Lanes)

    def exp(self) -> Lanes:
        """Return ``e**self`` elementwise."""
        return np.exp(self).view(Lanes)

    def log(self) -> Lanes:
        """Return the natural log elementwise (IEEE: ``-inf`` at 0, ``nan`` below)."""
        return np.log(self).view(Lanes)

    def sin(self) -> Lanes:
        """Return ``sin(self)`` elementwise."""
        return np.sin(self).view(Lanes)

    def cos(self) -> Lanes:
        """Return ``cos(self)`` elementwise."""
        return np.cos(self).view(Lanes)

    def sigmoid(self) -> Lanes:
        """Return the logistic function elementwise, without overflow."""
        return sigmoid(self).view(Lanes)

    def tanh(self) -> Lanes:
        """Return ``tanh(self)`` elementwise."""
        return np.tanh(self).view(Lanes)

    def sqrt(self) -> Lanes:
        """Return the square root elementwise (``nan`` below 0)."""
        return np.sqrt(self).view(Lanes)

    def softplus(self) -> Lanes:
        """Return ``log(1 + e**self)`` elementwise, without overflow."""
        return softplus(self).view(Lanes)

    # --- what ops.number, ops.step, ops.sign and ops.choose ask of anything not a float ---

    def number(self) -> Lanes:
        """Return the lanes themselves: they are the numbers a rule branches on.

        >>> from autograd.ops import number
        >>> number(np.array([1.0, -2.0]).view(Lanes))
        Lanes([ 1., -2.])
        """
        return self

    def step(self, below: float, above: float) -> Array:
        """Return ``above`` in the lanes ``> 0``, else ``below`` (``nan`` too): ``ops.step``.

        >>> from autograd.ops import step
        >>> step(np.array([-1.0, 0.0, 3.0, np.nan]).view(Lanes), below=0.25)
        array([0.25, 0.25, 1.  , 0.25])
        """
        above_zero = np.asarray(self) > 0  # a plain array: Lanes arithmetic is slower
        if below == 0.0 and above == 1.0 and math.copysign(1.0, below) == 1.0:
            return above_zero.astype(np.float64)  # relu's: 1.0 and 0.0, faster than np.where
        out: Array = np.where(above_zero, above, below)
        return out

    def sign(self) -> Array:
        """Return -1, 0 or 1 per lane (``nan``: 0): ``ops.sign``, the derivative of ``abs``.

        >>> from autograd.ops import sign
        >>> sign(np.array([-2.0, 0.0, 5.0, np.nan]).view(Lanes))
        array([-1.,  0.,  1.,  0.])
        """
        x = np.asarray(self)
        out: Array = np.where(x > 0, 1.0, np.where(x < 0, -1.0, 0.0))
        return out

    def where(self, then: Any, otherwise: Any) -> Array:
        """Return ``then`` in the lanes where this condition holds, else ``otherwise``.

        ``ops.choose`` on lanes: both branches were computed, numpy picks lane by lane.

        >>> from autograd.ops import choose
        >>> y = np.array([0.0, 2.0]).view(Lanes)
        >>> choose(y == 0, lambda: 0.0, lambda: y * 3)
        array([0., 6.])
        """
        out: Array = np.where(self, then, otherwise)
        return out


def sigmoid(x: Array) -> Array:
    """Return ``1 / (1 + e**-x)`` elementwise with the two branches of ``ops.sigmoid_float``.

    >>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
    array([0. , 0.5, 1. ])
    """
    e = np.exp(-np.abs(x))  # never overflows
    return np.where(x >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def softplus(x: Array) -> Array:
    """Return ``log(1 + e**x)`` as ``max(x, 0) + log1p(e**-|x|)``, like ``ops.softplus_float``.

    >>> softplus(np.array([1000.0]))
    array([1000.])
    """
    return np.maximum(x, 0.0) + np.log1p(np.exp(-np.abs(x)))


MANY_TERMS = 5  # from this many terms on, max runs as one reduction instead of a scan


def max_lanes(*terms: Array) -> Array:
    """Return the largest term lane by lane, as ``ops``' scan: a later term wins if larger or nan.

    ``np.maximum`` would do, but may pick either zero of ``max(-0.0, 0.0)``; the scan keeps
    the first one, as the scalar engine does. Many terms take one ``max`` over them and, in
    lanes whose largest is a zero, the first zero: the scan's number with fewer calls.

    >>> max_lanes(np.array([-0.0, 1.0]), np.array([0.0, np.nan]))
    array([-0., nan])
    """
    if len(terms) < MANY_TERMS:
        best = terms[0]
        for x in terms[1:]:
            best = np.where((x > best) | np.isnan(x), x, best)
        return best
    shape = terms[0].shape
    same = all(x.shape == shape for x in terms)  # (some terms may be uniform: one lane)
    stacked = np.stack(terms if same else np.broadcast_arrays(*terms))
    top: Array = stacked.max(axis=0)  # nan where any term is nan, as the scan
    zeros = top == 0
    if zeros.any():  # the first zero's sign: the scan keeps the first of equal terms
        first = (stacked == 0).argmax(axis=0)
        top = np.where(zeros, np.take_along_axis(stacked, first[None], axis=0)[0], top)
    return top


def max_grads(*args: Array) -> tuple[Array, ...]:
    """``ops``' local derivatives of ``max`` on lanes, in a few calls per term.

    The table's scan gives the gradient to the first largest term, or to the last nan. The
    output (the last argument, as the table rule takes it) is that term's number, so the
    first term equal to it takes the gradient -- in a lane with a nan, the last nan.
    ``tests/test_compiled_kernels.py`` pins this to the table rule, ties, zeros and nans too.

    >>> max_grads(np.array([1.0, 5.0]), np.array([3.0, 5.0]), np.array([3.0, 5.0]))
    (array([0., 1.]), array([1., 0.]))
    """
    *terms, out = args
    open_lanes = out == out  # lanes still to give (all but the nan ones)
    won: list[Array] = []
    for x in terms:
        takes = (x == out) & open_lanes
        open_lanes = open_lanes & ~takes
        won.append(takes)
    nans = out != out
    if nans.any():  # each nan lane goes to its last nan
        for i in range(len(terms) - 1, -1, -1):
            takes = nans & (terms[i] != terms[i])
            nans = nans & ~takes
            won[i] = won[i] | takes
    return tuple(w.astype(np.float64) for w in won)


NUMPY_LOCAL: Final[dict[str, Callable[..., Any]]] = {"max": max_grads}
"""Local-derivative rules for rows whose table rule, run on lanes, takes many calls per term."""


# A table rule gives what its operators give: a float on floats, an array on arrays -- hence Any.
NUMPY_FORWARD: Final[dict[str, Callable[..., Any]]] = {
    "pow": power,
    "vpow": np.power,  # an array exponent: numpy takes no sqrt shortcut
    "exp": np.exp,
    "log": np.log,
    "sqrt": np.sqrt,
    "softplus": softplus,
    "tanh": np.tanh,
    "sigmoid": sigmoid,
    # as ops: nan stays nan, and of -0.0 and 0.0 maximum gives its second argument, 0.0
    # (tests/test_compiled_kernels.py compares the zero's sign at -0.0)
    "relu": lambda x: np.maximum(x, 0.0),
    "leaky_relu": lambda x, slope: np.where(x > 0, x, slope * x),
    "sin": np.sin,
    "cos": np.cos,
    "heaviside": lambda x: np.heaviside(x, 0.0),  # as ops: 0 at the jump, nan stays nan
    "max": max_lanes,
}
"""Forward rules for rows whose table rule calls ``math`` or branches on one number."""


def forward_rule(op: Op) -> Callable[..., Any]:
    """Return the rule computing ``op`` on arrays of lanes: the table's own where it vectorises.

    A registered op's forward (:func:`autograd.ops.register`) is given :class:`Lanes`, so the
    math shim runs on them (see :func:`registered_rule`).

    >>> from autograd.ops import OPS
    >>> with np.errstate(all="ignore"):  # a plan runs its kernels so: IEEE results, no warnings
    ...     forward_rule(OPS["div"])(np.array([1.0, -1.0, 0.0]), np.array([0.0, 0.0, 0.0]))
    array([ inf, -inf,  nan])
    """
    if not is_builtin(op):
        return registered_rule(op, "forward")
    return NUMPY_FORWARD.get(op.name, op.forward)


def local_rule(op: Op) -> Callable[..., Grads]:
    """Return the rule for ``op``'s local derivatives on arrays of lanes.

    It is the table's own rule, given :class:`Lanes` inputs (see :func:`lanes_rule`).

    >>> from autograd.ops import OPS
    >>> x = np.array([-2.0, 0.0, 3.0])
    >>> local_rule(OPS["abs"])(x, np.abs(x))
    (array([-1.,  0.,  1.]),)
    """
    rule, lanes = lanes_rule(op)
    if not lanes:
        return rule

    def on_lanes(*args: Array, **params: float) -> Grads:
        return rule(*[a.view(Lanes) for a in args], **params)

    return on_lanes


def lanes_rule(op: Op) -> tuple[Callable[..., Grads], bool]:
    """Return ``op``'s local-derivative rule and whether its arguments must be :class:`Lanes`.

    True for the table's own rule (its math shim calls :class:`Lanes` methods); a plan that
    keeps its arrays makes their Lanes views once. False for a numpy version and for a
    registered op's rule, which makes its Lanes itself.

    >>> from autograd.ops import OPS
    >>> [lanes_rule(OPS[name])[1] for name in ("relu", "max")]
    [True, False]
    """
    if not is_builtin(op):
        return registered_rule(op, "local_grads"), False
    if op.name in NUMPY_LOCAL:
        return NUMPY_LOCAL[op.name], False
    return op.local_grads, True


class LanesError(TypeError):
    """A registered op's rule does not run on numpy lanes, or gives other numbers there."""


HOW_TO_VECTORISE: Final = (
    "a compiled plan runs each rule once on a whole batch (numpy lanes), so a rule must branch "
    "with ops.step, ops.choose or ops.sign instead of Python's if, and call the math shim "
    "(ops.exp, ops.log, ops.sigmoid, ...) instead of math's functions"
)


def registered_rule(op: Op, which: str) -> Callable[..., Any]:
    """Return a registered op's ``forward`` or ``local_grads`` run on :class:`Lanes`.

    Raises:
        LanesError: when the rule raises on lanes (a Python ``if`` on a number, ``math.exp``),
            naming the op and saying how to write it.
    """
    rule = getattr(op, which)

    def on_lanes(*args: Array, **params: float) -> Any:
        lanes = [np.asarray(a, dtype=float).view(Lanes) for a in args]
        try:
            return rule(*lanes, **params)
        except (TypeError, ValueError, AttributeError) as err:
            raise LanesError(
                f"compile_loss: {op.name}'s {which} does not run on numpy lanes "
                f"({type(err).__name__}: {err}); {HOW_TO_VECTORISE}"
            ) from err

    return on_lanes


PROBE_LANES: Final = 7
"""Points of ``domain.sample`` at which :func:`check_on_lanes` runs a registered op's rules."""
PROBE_RTOL: Final = 1e-9  # numpy's vectorised exp, tanh, ... may differ in the last bits
PROBE_ATOL: Final = 1e-12


def _lane_mismatch(got: Any, want: Sequence[float]) -> int | None:
    lanes = np.broadcast_to(np.asarray(got, dtype=float), (len(want),))
    ok = np.isclose(lanes, want, rtol=PROBE_RTOL, atol=PROBE_ATOL, equal_nan=True)
    bad = np.flatnonzero(~ok)
    return int(bad[0]) if bad.size else None


def check_on_lanes(op: Op) -> None:
    """Refuse a registered op whose rules fail on lanes or give other numbers than on floats.

    Both rules run once on :data:`PROBE_LANES` points spread over ``op.domain.sample`` (its
    parameters at the middle of their intervals) and are compared lane by lane with the rules
    on the same floats: a rule that only looks right on one number cannot reach a plan.

    Raises:
        LanesError: naming the op, the rule, the point and both numbers.

    >>> from autograd import ops
    >>> def bad_relu(x):
    ...     return x if x > 0 else 0.0
    >>> check_on_lanes(ops.Op("bad_relu", "r", 1, bad_relu, lambda x, out: (ops.step(x),),
    ...                       ("step(x)",)))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    autograd.compiled.kernels.LanesError: compile_loss: bad_relu's forward does not run on ...
    """
    columns = [np.linspace(lo, hi, PROBE_LANES) for lo, hi in op.domain.sample]
    for k in range(1, len(columns), 2):  # not every input rising together
        columns[k] = columns[k][::-1].copy()
    params = {name: lo / 2 + hi / 2 for name, (lo, hi) in op.domain.params.items()}
    points = [tuple(float(c[lane]) for c in columns) for lane in range(PROBE_LANES)]
    with np.errstate(all="ignore"):
        outs = forward_rule(op)(*columns, **params)
        outs = np.broadcast_to(np.asarray(outs, dtype=float), (PROBE_LANES,))
        local = tuple(local_rule(op)(*columns, outs, **params))
    want_outs = [op.forward(*pt, **params) for pt in points]
    want_local = [
        op.local_grads(*pt, out, **params) for pt, out in zip(points, want_outs, strict=True)
    ]
    checks = [("forward", outs, want_outs)]
    if len(local) != len(columns):
        raise LanesError(
            f"compile_loss: {op.name}'s local_grads gives {len(local)} derivatives on numpy "
            f"lanes, {len(columns)} on numbers; {HOW_TO_VECTORISE}"
        )
    checks += [(f"local_grads[{i}]", d, [w[i] for w in want_local]) for i, d in enumerate(local)]
    for which, got, want in checks:
        lane = _lane_mismatch(got, want)
        if lane is not None:
            value = float(np.broadcast_to(np.asarray(got, dtype=float), (PROBE_LANES,))[lane])
            raise LanesError(
                f"compile_loss: {op.name}'s {which} gives {value!r} on numpy lanes at "
                f"{points[lane]} but {want[lane]!r} on the numbers; {HOW_TO_VECTORISE}"
            )
