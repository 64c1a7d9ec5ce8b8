"""Argument checks shared by ``nn``, ``data``, ``optim``, ``schedules`` and ``train``.

One rule and one wording per kind of argument, so ``MLP(0, [1])``, ``batches(10, 0)`` and
``Cosine(1.0, t_max=0)`` all say ``... must be an int >= 1, got 0``. Python numbers and numpy
scalars (``np.int64``, ``np.float32``) are accepted alike; ``bool`` is refused everywhere (a
``True`` where a count or a rate belongs is a slip, not a 1). A value of the wrong kind raises
``TypeError``, one outside the allowed range ``ValueError``; both name the argument and show
the value.

>>> count("MLP nin", np.int64(3)), probability("Dropout p", np.float32(0.5))
(3, 0.5)
>>> count("batch_size", 0)
Traceback (most recent call last):
...
ValueError: batch_size must be an int >= 1, got 0
"""

from __future__ import annotations

import math
import numbers

import numpy as np

from autograd.messages import describe


def count(what: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` as an ``int >= minimum`` (a Python or numpy integer, not a bool).

    >>> count("epochs", 2), count("t", 0, minimum=0)
    (2, 0)
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int >= {minimum}, got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{what} must be an int >= {minimum}, got {value!r}")
    return int(value)


def real(what: str, value: object) -> float:
    """Return ``value`` as a finite float (a Python or numpy real number, not a bool).

    >>> real("gamma", np.float32(0.5))
    0.5
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {describe(value)}")
    try:
        x = float(value)
    except OverflowError as err:  # an int beyond the float range
        raise ValueError(
            f"{what} must be a finite number, got an int too large for a float ({len(str(value))} "
            "digits)"
        ) from err
    if not math.isfinite(x):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return x


def interval(
    what: str,
    value: object,
    low: float,
    high: float,
    *,
    closed: tuple[bool, bool] = (True, True),
) -> float:
    """Return ``value`` as a float in the interval from ``low`` to ``high``.

    Args:
        what: the argument's name, for the message.
        value: the number to check.
        low: the lower end (``-math.inf`` for none).
        high: the upper end (``math.inf`` for none).
        closed: whether each end belongs to the interval.

    >>> interval("alpha", 0.5, 0.0, 1.0, closed=(True, False))
    0.5
    >>> interval("alpha", 1.0, 0.0, 1.0, closed=(True, False))
    Traceback (most recent call last):
    ...
    ValueError: alpha must be in [0, 1), got 1.0
    """
    x = real(what, value)
    above = x >= low if closed[0] else x > low
    below = x <= high if closed[1] else x < high
    if not (above and below):
        raise ValueError(f"{what} must be {_interval_text(low, high, closed)}, got {value!r}")
    return x


def _interval_text(low: float, high: float, closed: tuple[bool, bool]) -> str:
    if high == math.inf:
        return f"a finite number {'>=' if closed[0] else '>'} {low:g}"
    return f"in {'[' if closed[0] else '('}{low:g}, {high:g}{']' if closed[1] else ')'}"


def non_negative(what: str, value: object) -> float:
    """Return ``value`` as a finite float ``>= 0``.

    >>> non_negative("momentum", 0)
    0.0
    """
    return interval(what, value, 0.0, math.inf)


def positive(what: str, value: object) -> float:
    """Return ``value`` as a finite float ``> 0``.

    >>> positive("s0", 2)
    2.0
    """
    return interval(what, value, 0.0, math.inf, closed=(False, True))


def probability(what: str, value: object) -> float:
    """Return ``value`` as a float in ``[0, 1]``.

    >>> probability("p", 1)
    1.0
    """
    x = real(what, value)
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"{what} must be a probability in [0, 1], got {value!r}")
    return x
