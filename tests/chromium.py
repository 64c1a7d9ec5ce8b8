"""What the browser tests share: Debian's chromium, its headless options, and their skip marks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]

MARKS = [
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's chromium is not at /usr/bin/chromium (sudo apt-get install chromium)",
    ),
    pytest.mark.skipif(
        shutil.which("dot") is None,
        reason="Graphviz's dot is not installed (sudo apt-get install graphviz)",
    ),
    pytest.mark.needs_dot,
]
"""A browser test's marks: skipped, saying why, where chromium or Graphviz is missing."""


def launch() -> Iterator[Any]:
    """Yield one headless chromium (for a module- or session-scoped fixture)."""
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield browser
        browser.close()
