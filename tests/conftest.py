"""Hypothesis profiles for the whole suite: ``dev`` locally, ``ci`` (derandomized) under CI.

``HYPOTHESIS_PROFILE`` picks a profile by name; otherwise ``ci`` is loaded when the ``CI``
environment variable is set (``tasks.py test`` sets both), else ``dev``. Example counts are
modest so the whole suite stays at a few minutes on two cores.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", deadline=None, max_examples=40)
# derandomize: a red CI run reproduces locally with HYPOTHESIS_PROFILE=ci.
settings.register_profile("ci", deadline=None, max_examples=40, derandomize=True, print_blob=True)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)
