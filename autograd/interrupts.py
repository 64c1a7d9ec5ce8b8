"""Ctrl-C (SIGINT) without half-done work: held back during an optimizer step, a flag in training.

Both take SIGINT over only where Python can, and put the previous handler back after: only the
main thread receives ``KeyboardInterrupt``, and a handler set outside Python
(``signal.getsignal`` gives None) could not be restored, so it is left alone.

>>> with deferred_sigint():
...     pass
>>> with sigint_as_flag() as pressed:
...     pressed()
False
"""

from __future__ import annotations

import signal
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType

Handler = Callable[[int, FrameType | None], None]


def sigint_catchable() -> bool:
    """Return whether Python code here can take over Ctrl-C (SIGINT) and put it back after.

    >>> sigint_catchable() == (threading.current_thread() is threading.main_thread())
    True
    """
    return (
        threading.current_thread() is threading.main_thread()
        and signal.getsignal(signal.SIGINT) is not None
    )


@contextmanager
def _sigint_handler(handler: Handler) -> Iterator[bool]:
    """Run the block with ``handler`` for SIGINT where it can be taken over (yields whether)."""
    if not sigint_catchable():
        yield False
        return
    previous = signal.signal(signal.SIGINT, handler)
    try:
        yield True
    finally:
        signal.signal(signal.SIGINT, previous)


@contextmanager
def deferred_sigint() -> Iterator[None]:
    """Hold back Ctrl-C until the block is done, then deliver it to the usual handler.

    Two ``sigaction`` calls cost about a microsecond, nothing next to an optimizer step.
    """
    received: list[int] = []
    with _sigint_handler(lambda signum, frame: received.append(signum)):
        yield
    if received:  # the previous handler decides: KeyboardInterrupt, a flag, or nothing
        signal.raise_signal(signal.SIGINT)


@contextmanager
def sigint_as_flag() -> Iterator[Callable[[], bool]]:
    """Turn Ctrl-C into a flag checked between steps, so no step is cut in half.

    Yields a function returning whether Ctrl-C was pressed. A second Ctrl-C raises
    ``KeyboardInterrupt`` at once -- inside an optimizer step, as soon as the step is complete.
    Where SIGINT cannot be taken over the flag stays False (a ``KeyboardInterrupt`` is then
    handled by the caller).
    """
    pressed = [False]

    def handler(signum: int, frame: FrameType | None) -> None:
        if pressed[0]:
            raise KeyboardInterrupt
        pressed[0] = True

    with _sigint_handler(handler):
        yield lambda: pressed[0]
