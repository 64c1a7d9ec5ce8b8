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

>>> import numpy as np
>>> from autograd.ops import OPS
>>> x = np.array([[-1.0, 0.0, 2.0]])
>>> forward_rule(OPS["relu"])(x)
array([[0., 0., 2.]])
>>> local_rule(OPS["relu"])(x, forward_rule(OPS["relu"])(x))
(array([[0., 0., 1.]]),)
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final

import numpy as np

from autograd.ops import Op
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
        out: Array = np.where(self > 0, above, below)
        return out

    def sign(self) -> Array:
        """Return -1, 0 or 1 per lane (``nan``: 0): ``ops.sign``, the derivative of ``abs``.

        >>> from autograd.ops import sign
        >>> sign(np.array([-2.0, 0.0, 5.0, np.nan]).view(Lanes))
        array([-1.,  0.,  1.,  0.])
        """
        out: Array = np.where(self > 0, 1.0, np.where(self < 0, -1.0, 0.0))
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


def max_lanes(*terms: Array) -> Array:
    """Return the largest term lane by lane, by ``ops``' scan: a later term wins if larger or nan.

    ``np.maximum`` would do, but may pick either zero of ``max(-0.0, 0.0)``; the scan keeps
    the first one, as the scalar engine does.

    >>> max_lanes(np.array([-0.0, 1.0]), np.array([0.0, np.nan]))
    array([-0., nan])
    """
    best = terms[0]
    for x in terms[1:]:
        best = np.where((x > best) | np.isnan(x), x, best)
    return best


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
    "relu": lambda x: np.where(x <= 0, 0.0, x),  # as ops: nan stays nan
    "leaky_relu": lambda x, slope: np.where(x > 0, x, slope * x),
    "sin": np.sin,
    "cos": np.cos,
    "heaviside": lambda x: np.heaviside(x, 0.0),  # as ops: 0 at the jump, nan stays nan
    "max": max_lanes,
}
"""Forward rules for rows whose table rule calls ``math`` or branches on one number."""


def forward_rule(op: Op) -> Callable[..., Any]:
    """Return the rule computing ``op`` on arrays of lanes: the table's own where it vectorises.

    >>> from autograd.ops import OPS
    >>> with np.errstate(all="ignore"):  # a plan runs its kernels so: IEEE results, no warnings
    ...     forward_rule(OPS["div"])(np.array([1.0, -1.0, 0.0]), np.array([0.0, 0.0, 0.0]))
    array([ inf, -inf,  nan])
    """
    return NUMPY_FORWARD.get(op.name, op.forward)


def local_rule(op: Op) -> Callable[..., Grads]:
    """Return the rule for ``op``'s local derivatives on arrays of lanes.

    It is the table's own rule, given :class:`Lanes` inputs.

    >>> from autograd.ops import OPS
    >>> x = np.array([-2.0, 0.0, 3.0])
    >>> local_rule(OPS["abs"])(x, np.abs(x))
    (array([-1.,  0.,  1.]),)
    """
    table = op.local_grads

    def on_lanes(*args: Array, **params: float) -> Grads:
        return table(*[a.view(Lanes) for a in args], **params)

    return on_lanes
