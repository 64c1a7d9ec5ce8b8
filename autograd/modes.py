"""Recording modes: ``no_grad()``, ``detect_anomaly()`` and the tracer's ``recording()``.

One context variable holds the mode as bits, so every op pays a single lookup to know whether
to record. A ``ContextVar`` (not a global) keeps the modes per thread and per asyncio task.

>>> from autograd import Value
>>> with no_grad():
...     (Value(2.0) * 3).op is None
True
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from contextvars import ContextVar
from typing import Final

NO_GRAD: Final = 1
"""Mode bit: results are leaves; nothing is recorded."""
ANOMALY: Final = 2
"""Mode bit: the first nan or inf made in forward or backward raises ``FloatingPointError``."""
MODE: ContextVar[int] = ContextVar("autograd_mode", default=0)
"""The current mode bits (0: record everything, check nothing)."""


@contextmanager
def _mode(bits: int, *, replace: bool = False) -> Iterator[None]:
    """Turn the mode ``bits`` on inside (or set exactly them, with ``replace``); then restore."""
    token = MODE.set(bits if replace else MODE.get() | bits)
    try:
        yield
    finally:
        MODE.reset(token)


def no_grad() -> AbstractContextManager[None]:
    """Record nothing inside: results are leaves (per thread and per asyncio task).

    >>> from autograd import Value
    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.op is None
    True
    """
    return _mode(NO_GRAD)


def detect_anomaly() -> AbstractContextManager[None]:
    """Raise ``FloatingPointError`` at the first nan or inf made in forward or backward.

    >>> from autograd import Value
    >>> with detect_anomaly():
    ...     Value(0.0, label="x").log()
    Traceback (most recent call last):
    ...
    FloatingPointError: log produced -inf from x=0.0 ('x'); log is defined for x > 0
    """
    return _mode(ANOMALY)


def recording() -> AbstractContextManager[None]:
    """Record graphs inside, even within ``no_grad()`` or ``detect_anomaly()`` (for tracing).

    >>> from autograd import Value
    >>> with no_grad(), recording():
    ...     (Value(2.0) * 3).op.name
    'mul'
    """
    return _mode(0, replace=True)


def anomaly_enabled() -> bool:
    """Return whether :func:`detect_anomaly` is on in this thread or task.

    >>> with detect_anomaly():
    ...     anomaly_enabled()
    True
    """
    return bool(MODE.get() & ANOMALY)
