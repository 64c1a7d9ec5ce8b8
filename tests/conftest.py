"""Hypothesis profiles for the whole suite: ``dev`` locally, ``ci`` (derandomized) under CI.

``HYPOTHESIS_PROFILE`` picks a profile by name; otherwise ``ci`` is loaded when the ``CI``
environment variable is set (``tasks.py test`` sets both), else ``dev``. Example counts are
modest so the whole suite stays at a few minutes on two cores.

A suite started in the background (``nohup``, ``cmd &`` in a script) inherits SIGINT ignored,
and Python then installs no ``KeyboardInterrupt`` handler: the Ctrl-C tests get Python's usual
handler for their run, as an interactive run has it.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterator

import pytest
from hypothesis import settings

settings.register_profile("dev", deadline=None, max_examples=40)
# derandomize: a red CI run reproduces locally with HYPOTHESIS_PROFILE=ci.
settings.register_profile("ci", deadline=None, max_examples=40, derandomize=True, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True)
def _ctrl_c_raises() -> Iterator[None]:
    """SIGINT raises KeyboardInterrupt during each test, even where the runner ignores it."""
    ignored = signal.getsignal(signal.SIGINT) is signal.SIG_IGN
    if ignored:
        signal.signal(signal.SIGINT, signal.default_int_handler)
    yield
    if ignored:
        signal.signal(signal.SIGINT, signal.SIG_IGN)
