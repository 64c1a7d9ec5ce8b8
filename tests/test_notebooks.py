"""The notebooks: stored without outputs, and each one executes top to bottom (nbclient)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

import pytest
from dot_check import chain_rule

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
CELL_TIMEOUT = 120  # seconds per cell; each notebook runs in well under a minute here
KERNEL = "autograd-tests"
BOOK_START = 10  # the problem book's notebooks: 10 + sheet - 1 (sheets 1-7), then the lectures'
SHEET_EXERCISES = {  # the problem book's sheets: their first and last exercise
    1: (1, 10),
    2: (11, 14),
    3: (15, 18),
    4: (19, 26),
    5: (27, 39),
    6: (40, 47),
    7: (48, 52),
}
BOOK = [p for p in NOTEBOOKS if int(p.name[:2]) >= BOOK_START]
SHEETS = [p for p in BOOK if re.match(r"\d\d_sheet\d_", p.name)]


def test_course_notebooks_are_numbered_in_reading_order() -> None:
    """The course's notebooks are numbered from 01 in reading order, before the problem book."""
    course = [int(p.name[:2]) for p in NOTEBOOKS if int(p.name[:2]) < BOOK_START]
    assert len(course) >= 5
    assert course[0] == 1
    assert course == sorted(set(course))  # one notebook per number


def _exercise_headings(path: Path) -> list[int]:
    nb = json.loads(path.read_text(encoding="utf-8"))
    text = "\n".join("".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "markdown")
    return [int(n) for n in re.findall(r"^## Exercise (\d+) — ", text, flags=re.MULTILINE)]


@pytest.mark.parametrize("path", SHEETS, ids=lambda p: p.stem)
def test_sheet_notebook_has_every_exercise_in_order(path: Path) -> None:
    """A sheet's notebook is numbered after its sheet and has a section per exercise, in order.

    Exercises without a computation get a section too, saying why, so nothing is skipped
    silently.
    """
    sheet = int(path.name.split("_")[1].removeprefix("sheet"))
    assert int(path.name[:2]) == BOOK_START + sheet - 1
    first, last = SHEET_EXERCISES[sheet]
    assert _exercise_headings(path) == list(range(first, last + 1))


def test_readme_indexes_the_problem_book_notebooks() -> None:
    """The README's index of the problem book links every problem-book notebook."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## The problem book, worked", 1)[1].split("\n## ", 1)[0]
    linked = set(re.findall(r"\(notebooks/([\w.]+\.ipynb)\)", section))
    assert linked == {p.name for p in BOOK}


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
