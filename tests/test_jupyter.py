"""The pictures and players in real Jupyter front-ends: JupyterLab and Notebook 7, in chromium.

One Jupyter server per session (``jupyter lab``, which serves both front-ends) is started on
127.0.0.1 with a free port, a temporary root, config and data folder and a random token, and
stopped at the end. The notebooks it serves hold outputs made by the package's own display
methods (what a kernel would send): a ``draw_dot`` picture, two step-through players and a
training player. ``trusted.ipynb`` is signed with the server's secret, as ``jupyter trust``
does; ``untrusted.ipynb`` is the same notebook unsigned, as a student receives it.
"""

from __future__ import annotations

import base64
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import MARKS, launch

from autograd import Value
from autograd.viz import draw_dot, record_training, step_through

START_TIMEOUT = 90.0  # seconds for the server to answer
UI_TIMEOUT = 60_000  # milliseconds for a front-end to show the outputs
SHOTS = Path(os.environ.get("AUTOGRAD_SHOTS", "/nonexistent"))  # screenshots, when asked for

pytestmark = [*MARKS, pytest.mark.slow]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def outputs_of(*objects: Any) -> list[Any]:
    """The display_data outputs a kernel would send for ``objects`` (IPython's formatter)."""
    nbformat = pytest.importorskip("nbformat")
    formatters = pytest.importorskip("IPython.core.formatters")
    outputs = []
    for obj in objects:
        data, metadata = formatters.DisplayFormatter().format(obj)
        data = {
            mime: base64.b64encode(value).decode("ascii") if isinstance(value, bytes) else value
            for mime, value in data.items()
        }
        outputs.append(nbformat.v4.new_output("display_data", data=data, metadata=metadata))
    return outputs


def build_notebook() -> Any:
    """A notebook with a picture, two players and a training player among its outputs."""
    nbformat = pytest.importorskip("nbformat")
    from autograd.data import logic_table
    from autograd.losses import mse
    from autograd.nn import MLP
    from autograd.optim import SGD
    from autograd.train import Trainer

    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = x**2 + x * y + (x + y) ** 2
    f.label = "f"
    f.backward()
    a = Value(0.5, label="a")
    g = (a * a).tanh()
    g.label = "g"
    xs, ys = logic_table("xor")
    model = MLP(2, [2, 1], seed=0)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), mse, batch_size=None,
                      progress=False)  # fmt: skip
    training = record_training(trainer, xs, ys, steps=3, grid=8)
    cells = [
        nbformat.v4.new_markdown_cell("# pictures and players"),
        nbformat.v4.new_code_cell("draw_dot(f)"),
        nbformat.v4.new_code_cell("step_through(f)"),
        nbformat.v4.new_code_cell("step_through(g)"),
        nbformat.v4.new_code_cell("record_training(trainer, x, y, steps=3)"),
    ]
    shown = [draw_dot(f), step_through(f), step_through(g, grads="fresh"), training]
    for cell, out in zip(cells[1:], outputs_of(*shown), strict=True):
        cell.outputs = [out]
        cell.execution_count = 1
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["kernelspec"] = {"name": "none", "display_name": "no kernel", "language": "python"}
    return nb


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A Jupyter server (JupyterLab and Notebook 7) on 127.0.0.1, serving the two notebooks."""
    pytest.importorskip("jupyterlab")
    pytest.importorskip("notebook")
    nbformat = pytest.importorskip("nbformat")
    sign = pytest.importorskip("nbformat.sign")
    base = tmp_path_factory.mktemp("jupyter")
    root, data, config, runtime = (base / d for d in ("root", "data", "config", "runtime"))
    for d in (root, data, config, runtime):
        d.mkdir()
    nb = build_notebook()
    sign.NotebookNotary(data_dir=str(data)).sign(nb)
    nbformat.write(nb, root / "trusted.ipynb")
    # Trust is recorded by content: the copy a student received differs, and is not signed.
    nb.cells[0].source = "# pictures and players, as received"
    nbformat.write(nb, root / "untrusted.ipynb")
    token, port = secrets.token_hex(16), free_port()
    env = dict(os.environ, JUPYTER_DATA_DIR=str(data), JUPYTER_CONFIG_DIR=str(config),
               JUPYTER_RUNTIME_DIR=str(runtime), JUPYTER_PLATFORM_DIRS="1")  # fmt: skip
    argv = [
        sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
        f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
        "--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
        "--LabApp.extension_manager=readonly",  # no look-ups of extensions on the network
    ]  # fmt: skip
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        argv.append("--allow-root")  # CI runs as root
    log = (base / "server.log").open("w")
    process = subprocess.Popen(argv, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{url}/api/status?token={token}", timeout=5):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.flush()
                    pytest.fail(
                        f"the Jupyter server did not start:\n{(base / 'server.log').read_text()}"
                    )
                time.sleep(0.5)
        yield f"{url}|{token}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=20)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium for the module."""
    yield from launch()


def open_notebook(browser: Any, server: str, front: str, name: str) -> Any:
    url, token = server.split("|")
    # ?reset: JupyterLab would otherwise reopen the notebooks of the last visit beside it
    path = f"/lab/tree/{name}?reset&" if front == "lab" else f"/notebooks/{name}?"
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{url}{path}token={token}", wait_until="domcontentloaded", timeout=UI_TIMEOUT)
    page.wait_for_selector(".jp-Notebook .jp-OutputArea-output", timeout=UI_TIMEOUT)
    # The notebook names no installed kernel (nothing needs to run): decline the offer of one.
    dialog = page.locator(".jp-Dialog button", has_text="No Kernel")
    try:
        dialog.first.wait_for(timeout=10_000)
        dialog.first.click()
    except Exception:  # no dialog: nothing to dismiss
        pass
    page.wait_for_selector(".jp-Dialog", state="detached", timeout=UI_TIMEOUT)
    return page


def active_cell(page: Any) -> int:
    return int(
        page.evaluate(
            "() => Array.from(document.querySelectorAll('.jp-Notebook .jp-Cell'))"
            ".findIndex(c => c.classList.contains('jp-mod-active'))"
        )
    )


@pytest.mark.parametrize("front", ["lab", "notebook"])
def test_trusted_players_run_and_keep_their_keys_from_the_notebook(
    browser: Any, server: str, front: str
) -> None:
    """Buttons, arrow keys and the slider move each player; the notebook's selection stays."""
    page = open_notebook(browser, server, front, "trusted.ipynb")
    page.wait_for_function(
        "() => document.querySelectorAll('.ag-player[data-ready]').length === 3",
        timeout=UI_TIMEOUT,
    )
    players = page.locator(".ag-player")
    first, second = players.nth(0), players.nth(1)
    assert first.locator(".ag-noscript").count() == 0
    first.locator(".ag-next").click()
    assert first.get_attribute("data-frame") == "1"
    assert second.get_attribute("data-frame") == "0"  # two players, each its own
    first.locator(".ag-graph").click()
    before = active_cell(page)
    for key, frame in (("ArrowRight", "2"), ("ArrowDown", "3"), ("ArrowLeft", "2"),
                       ("ArrowUp", "1")):  # fmt: skip
        page.keyboard.press(key)
        assert first.get_attribute("data-frame") == frame, (front, key)
    assert active_cell(page) == before, "the notebook moved its cell selection"
    first.locator(".ag-slider").focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    assert first.get_attribute("data-frame") == "3", front
    assert page.evaluate("() => document.querySelector('.ag-slider').value") == "3"
    assert active_cell(page) == before
    training = players.nth(2)
    training.locator(".ag-next").click()
    assert training.get_attribute("data-step") == "1"
    page.screenshot(path=str(SHOTS / f"trusted_{front}.png")) if SHOTS.is_dir() else None
    page.close()


@pytest.mark.parametrize("front", ["lab", "notebook"])
def test_untrusted_notebook_shows_pictures_and_says_how_to_run_the_players(
    browser: Any, server: str, front: str
) -> None:
    """Untrusted: the picture shows as its PNG, each player says to trust or re-run, no dead UI."""
    page = open_notebook(browser, server, front, "untrusted.ipynb")
    page.wait_for_selector(".jp-RenderedImage img", timeout=UI_TIMEOUT)
    text = str(page.text_content(".jp-Notebook"))
    assert "Digraph at 0x" not in text
    assert "<Digraph" not in text  # the PNG, not the text fallback
    assert page.locator(".ag-player[data-ready]").count() == 0  # no script ran
    notes = page.locator(".ag-noscript")
    assert notes.count() == 3
    for i in range(3):
        assert notes.nth(i).is_visible()
        assert "Trust Notebook" in str(notes.nth(i).text_content())
    assert page.locator(".ag-player button:visible").count() == 0
    assert page.locator(".ag-player input:visible").count() == 0
    assert page.locator(".ag-player .ag-graph:visible").count() == 0  # no run-on text of an SVG
    assert page.locator(".ag-player .ag-static:visible").count() == 0  # no graph: not said
    page.screenshot(path=str(SHOTS / f"untrusted_{front}.png")) if SHOTS.is_dir() else None
    page.close()
