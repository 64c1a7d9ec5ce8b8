"""pytest, for every test and doctest (README, package, tests/): the op table ends as it began.

A test or doctest may add primitives of its own (``autograd.ops.register``); they are removed
after it, so none leaks into the next test run by the same worker process.
"""

from __future__ import annotations

import pytest

from autograd import ops


def pytest_runtest_teardown(item: pytest.Item) -> None:
    """Unregister every op the test registered: the next test sees the built-in table only."""
    for name in set(ops.OPS) - set(ops.BUILTINS):
        ops.unregister(name)
