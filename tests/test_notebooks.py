"""The notebooks: stored without outputs, and each one executes top to bottom (nbclient)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from dot_check import chain_rule

NOTEBOOKS = sorted((Path(__file__).resolve().parent.parent / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds per cell; each notebook runs in well under a minute here
KERNEL = "autograd-tests"


def test_there_are_five_notebooks() -> None:
    """The five notebooks of the course are present, numbered in reading order."""
    assert [p.name[:3] for p in NOTEBOOKS] == ["01_", "02_", "03_", "04_", "05_"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_is_stored_without_outputs(path: Path) -> None:
    """No committed outputs or execution counts: the tests produce them, git never holds them."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            assert cell["outputs"] == [], f"{path.name}: a cell has outputs"
            assert cell["execution_count"] is None, f"{path.name}: a cell has a count"


@pytest.fixture
def kernel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A kernel spec running this interpreter (the .venv), found first on JUPYTER_PATH."""
    spec_dir = tmp_path / "jupyter" / "kernels" / KERNEL
    spec_dir.mkdir(parents=True)
    spec = {
        "argv": [sys.executable, "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "autograd tests",
        "language": "python",
    }
    (spec_dir / "kernel.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setenv("JUPYTER_PATH", str(tmp_path / "jupyter"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")  # silences jupyter_core's migration warning
    monkeypatch.delenv("MPLBACKEND", raising=False)  # the kernel's inline backend (Agg) draws
    monkeypatch.setenv("PYDEVD_DISABLE_FILE_VALIDATION", "1")  # debugpy's frozen-modules note
    return KERNEL


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_executes(path: Path, kernel_env: str, tmp_path: Path) -> None:
    """Every cell runs without error or warning, and the run leaves no file behind.

    The cells assert their own hand-worked numbers. Anything a cell writes to stderr (a
    warning, a progress bar) would show in the reader's notebook, so none is allowed; files
    are written to temporary folders, so running a notebook from ``notebooks/`` leaves the
    repository as it was.
    """
    nbformat = pytest.importorskip("nbformat")
    nbclient = pytest.importorskip("nbclient")
    nb = nbformat.read(path, as_version=4)
    workdir = tmp_path / "run"
    workdir.mkdir()
    client = nbclient.NotebookClient(
        nb,
        kernel_name=kernel_env,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(workdir)}},
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "error"
    ]
    assert errors == []
    stderr = [
        out.text
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if out.output_type == "stream" and out.name == "stderr"
    ]
    assert stderr == []
    assert sorted(p.name for p in workdir.iterdir()) == []
    pictures = [
        out["data"]["text/vnd.graphviz"]
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.outputs
        if "text/vnd.graphviz" in out.get("data", {})
    ]
    for k, source in enumerate(pictures):  # every draw_dot picture the notebook shows
        verdict = chain_rule(source)
        assert verdict.holds, f"{path.name}, picture {k}: {verdict.worst}"
        assert "WARNING" not in source
    for cell in nb.cells:  # a notebook a student receives untrusted still shows each picture
        for out in cell.get("outputs", []):
            if "image/svg+xml" in out.get("data", {}):
                assert "image/png" in out["data"], f"{path.name}: an SVG without its PNG"
