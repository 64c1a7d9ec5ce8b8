"""The README's promises: its op table is the registry, its two commands do what it says.

The README's own code example is a doctest that pytest runs (``--doctest-glob=README.md``);
these tests cover the rest: the generated table, ``tasks.py`` and ``.ci/run``, and the demo.
"""

from __future__ import annotations

import doctest
import importlib.util
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest
from hypothesis import given
from hypothesis import strategies as st

from autograd.ops import OPS

ROOT = Path(__file__).resolve().parent.parent


def load(relative: str) -> ModuleType:
    """Import a script of the repository (not part of the package) by its path."""
    path = ROOT / relative
    name = "_readme_test_" + path.stem
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses and doctest look modules up by name
    spec.loader.exec_module(module)
    return module


readme_table = load("scripts/readme_table.py")
tasks = load("tasks.py")
worked_example = load("examples/worked_example.py")

README = (ROOT / "README.md").read_text(encoding="utf-8")


def table_rows(text: str) -> list[list[str]]:
    """Split the README's op table into cells, header and separator dropped."""
    lines = readme_table.current_table(text).splitlines()
    return [[cell.strip() for cell in line.strip("|").split(" | ")] for line in lines[2:]]


# --- the op table ---------------------------------------------------------------------------


def test_readme_op_table_is_current() -> None:
    """The table between the markers is exactly what the registry generates today."""
    assert readme_table.current_table(README) == readme_table.render_table(), (
        "README.md's op table is stale: run `python3 tasks.py readme`"
    )


def test_readme_op_table_lists_every_primitive_once_in_registry_order() -> None:
    """Reading the table back gives each row's name, symbol and formula, in registry order."""
    rows = table_rows(README)
    assert [row[0].strip("`") for row in rows] == list(OPS)
    for row, op in zip(rows, OPS.values(), strict=True):
        assert row[1].strip("`") == op.symbol
        assert row[3].strip("`") == ", ".join(op.formula)
        assert row[4] == op.domain.where
        assert row[2].split()[0] == ("n" if op.arity is None else str(op.arity))


def test_readme_check_fails_on_a_stale_table_and_regeneration_repairs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--check`` exits 1 when a row is missing; a plain run restores the table exactly."""
    copy = tmp_path / "README.md"
    stale = README.replace(readme_table.render_row(OPS["tanh"]) + "\n", "")
    assert stale != README
    copy.write_text(stale, encoding="utf-8")

    assert readme_table.main(["--check", "--readme", str(copy)]) == 1
    assert "stale" in capsys.readouterr().err
    assert readme_table.main(["--readme", str(copy)]) == 0
    assert copy.read_text(encoding="utf-8") == README
    assert readme_table.main(["--check", "--readme", str(copy)]) == 0


def test_readme_table_markers_missing_raises_with_instructions() -> None:
    """Without the marker comments the generator refuses and names the markers to add."""
    with pytest.raises(ValueError, match="op table markers not found"):
        readme_table.current_table("# a README without markers\n")


def test_readme_table_cell_escapes_pipes() -> None:
    """A ``|`` inside a formula cannot split a Markdown cell."""
    assert readme_table._code("a | b") == "`a \\| b`"


# --- the two commands -----------------------------------------------------------------------


def test_readme_names_the_two_commands_and_ci_runs_exactly_the_test_command() -> None:
    """README shows ``tasks.py demo`` and ``tasks.py test``; ``.ci/run`` runs only the latter."""
    assert "python3 tasks.py demo" in README
    assert "python3 tasks.py test" in README
    script = (ROOT / ".ci" / "run").read_text(encoding="utf-8").splitlines()
    commands = [line for line in script if line.strip() and not line.startswith("#")]
    assert commands == [
        "set -euo pipefail",
        'cd "$(dirname "${BASH_SOURCE[0]}")/.."',
        "python3 tasks.py test",
    ]
    assert set(tasks.COMMANDS) >= {"demo", "test"}


def test_install_stamp_reinstalls_only_when_pyproject_or_extras_change(tmp_path: Path) -> None:
    """No stamp, a changed pyproject or a new extra means pip runs; otherwise it is skipped."""
    stamp = tmp_path / "stamp"
    old, new = tasks.pyproject_digest(b"[project]\n"), tasks.pyproject_digest(b"[project]\n#\n")
    dev, bench = frozenset({"dev"}), frozenset({"bench"})

    assert tasks.needs_install(stamp, old, dev)
    tasks.write_stamp(stamp, old, dev)
    assert not tasks.needs_install(stamp, old, dev)
    assert tasks.needs_install(stamp, new, dev)
    assert tasks.needs_install(stamp, old, dev | bench)
    tasks.write_stamp(stamp, old, dev | bench)
    assert not tasks.needs_install(stamp, old, dev)
    assert tasks.read_stamp(stamp) == (old, dev | bench)


def fake_runner(
    calls: list[tuple[str, list[str], dict[str, str] | None]], failing: str | None, code: int
) -> Callable[..., None]:
    """Return a stand-in for ``tasks.run`` that records calls and fails at step ``failing``."""

    def run(what: str, argv: list[str], env: dict[str, str] | None = None) -> None:
        calls.append((what, argv, env))
        if what == failing:
            raise tasks.TaskError(f"{what} failed (exit status {code})", code)

    return run


@pytest.fixture
def no_setup(monkeypatch: pytest.MonkeyPatch) -> None:
    """Skip venv creation and system installs: the tests below look only at the steps."""
    monkeypatch.setattr(tasks, "ensure_venv", lambda *extras: Path("venv-python"))
    monkeypatch.setattr(tasks, "ensure_dot", lambda: True)
    monkeypatch.setattr(tasks, "ensure_chromium", lambda: True)


@pytest.mark.usefixtures("no_setup")
def test_test_command_runs_checks_in_order_then_pytest_with_ci_profile(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """``test`` runs ruff check, ruff format, mypy, pytest -n 2 (+ args); CI selects ``ci``."""
    calls: list[tuple[str, list[str], dict[str, str] | None]] = []
    monkeypatch.setattr(tasks, "run", fake_runner(calls, None, 0))
    monkeypatch.setenv("CI", "true")
    assert tasks.main(["test", "-k", "tanh"]) == 0
    assert [what for what, _, _ in calls] == ["ruff check", "ruff format --check", "mypy", "pytest"]
    _, argv, env = calls[-1]
    assert argv == ["venv-python", "-m", "pytest", "-n", "2", "-k", "tanh"]
    assert env is not None
    assert env["HYPOTHESIS_PROFILE"] == "ci"


@pytest.mark.usefixtures("no_setup")
def test_test_command_stops_at_first_failure_and_returns_its_status(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failing mypy ends the run before pytest, with mypy's exit status and a clear line."""
    calls: list[tuple[str, list[str], dict[str, str] | None]] = []
    monkeypatch.setattr(tasks, "run", fake_runner(calls, "mypy", 3))
    assert tasks.main(["test"]) == 3
    assert [what for what, _, _ in calls] == ["ruff check", "ruff format --check", "mypy"]
    assert "FAILED: mypy failed (exit status 3)" in capsys.readouterr().out


def test_run_propagates_a_real_exit_status() -> None:
    """``tasks.run`` turns a child's non-zero exit into TaskError carrying that status."""
    with pytest.raises(tasks.TaskError, match=r"exit status 7") as info:
        tasks.run("child", [sys.executable, "-c", "raise SystemExit(7)"])
    assert info.value.code == 7


@pytest.mark.usefixtures("no_setup")
def test_demo_command_runs_every_listed_demo(monkeypatch: pytest.MonkeyPatch) -> None:
    """``demo`` runs each script of ``DEMOS`` in order with the venv's interpreter."""
    calls: list[tuple[str, list[str], dict[str, str] | None]] = []
    monkeypatch.setattr(tasks, "run", fake_runner(calls, None, 0))
    assert tasks.main(["demo"]) == 0
    assert [argv for _, argv, _ in calls] == [["venv-python", s] for s in tasks.DEMOS]
    assert all((ROOT / script).is_file() for script in tasks.DEMOS)


def test_missing_program_is_installed_with_apt_get_update_then_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As root, a missing program gets one ``apt-get update``, then a non-interactive install."""
    bin_dir, log = tmp_path / "bin", tmp_path / "apt.log"
    bin_dir.mkdir()
    fake_apt = bin_dir / "apt-get"
    fake_apt.write_text(
        "#!/bin/sh\n"
        f'echo "$DEBIAN_FRONTEND $*" >> "{log}"\n'
        f'if [ "$1" = install ]; then printf "#!/bin/sh\\n" > "{bin_dir}/fakeprog"; '
        f'chmod +x "{bin_dir}/fakeprog"; fi\n',
        encoding="utf-8",
    )
    fake_apt.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_dir}:/usr/bin:/bin")
    monkeypatch.setattr(tasks.os, "geteuid", lambda: 0, raising=False)
    monkeypatch.setattr(tasks, "_APT_UPDATED", set())
    assert tasks.ensure_program("fakeprog", "fakepkg", "a test", "install fakepkg yourself")
    assert tasks.apt_install("otherpkg", "a second package: no second update")
    assert log.read_text(encoding="utf-8").splitlines() == [
        "noninteractive update",
        "noninteractive install -y --no-install-recommends fakepkg",
        "noninteractive install -y --no-install-recommends otherpkg",
    ]


def test_missing_program_without_apt_prints_what_to_do(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without apt-get the command warns with the help text and carries on (returns False)."""
    monkeypatch.setenv("PATH", str(tmp_path))
    assert not tasks.ensure_program("fakeprog", "fakepkg", "a test", "install fakepkg yourself")
    assert "WARNING: install fakepkg yourself" in capsys.readouterr().out


def test_unknown_command_is_refused_with_the_choices() -> None:
    """A typo gets argparse's usage error listing the commands, exit status 2."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "tasks.py"), "tset"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "invalid choice: 'tset'" in done.stderr
    assert "'demo', 'test'" in done.stderr


# --- the demo: the worked example of issue 2 --------------------------------------------------


def test_worked_example_matches_the_hand_derivation_at_2_3() -> None:
    """At (2, 3): f = 4 + 6 + 25 = 35, df/dx = 4 + 3 + 10 = 17, df/dy = 2 + 10 = 12."""
    f, x, y = worked_example.build(2.0, 3.0)
    f.backward()
    assert (f.data, x.grad, y.grad) == (35.0, 17.0, 12.0)


@given(
    st.floats(-100, 100, allow_subnormal=False),
    st.floats(-100, 100, allow_subnormal=False),
)
def test_worked_example_gradients_equal_the_formulas_anywhere(x0: float, y0: float) -> None:
    """Engine gradients and the replayed chain-rule steps equal 2x + y + 2(x + y), x + 2(x + y)."""
    f, x, y = worked_example.build(x0, y0)
    f.backward()
    want_f, want_dx, want_dy = worked_example.by_hand(x0, y0)
    _, replayed = worked_example.backward_steps(f)
    # The engine and the formula add the same terms in a different order: allow rounding
    # relative to the size of the terms, which can cancel (f = (2x + y)(x + y)).
    terms_f = x0 * x0 + abs(x0 * y0) + (x0 + y0) ** 2
    terms_grad = 4 * (abs(x0) + abs(y0))
    assert f.data == pytest.approx(want_f, rel=0, abs=1e-15 * terms_f)
    assert x.grad == pytest.approx(want_dx, rel=0, abs=1e-15 * terms_grad)
    assert y.grad == pytest.approx(want_dy, rel=0, abs=1e-15 * terms_grad)
    assert (replayed[x], replayed[y]) == (x.grad, y.grad)


def test_worked_example_main_prints_numbers_and_writes_the_graph(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The demo exits 0, prints 35/17/12 beside the formulas, writes the DOT (and SVG with dot)."""
    assert worked_example.main(["--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "df/dx = 17" in out
    assert "2x + y + 2(x + y)       = 17" in out
    assert "df/dy = 12" in out
    assert "agree exactly" in out
    source = (tmp_path / "demo_worked_example.dot").read_text(encoding="utf-8")
    assert source.lstrip().startswith("digraph")
    if shutil.which("dot") is None:
        assert "apt-get install graphviz" in out
    else:
        assert (tmp_path / "demo_worked_example.svg").read_text(encoding="utf-8").count("<svg") == 1


def test_worked_example_writes_the_same_dot_file_every_run(tmp_path: Path) -> None:
    """Two runs give byte-identical DOT files, so a committed picture does not churn."""
    first, second = tmp_path / "first", tmp_path / "second"
    assert worked_example.main(["--out", str(first)]) == 0
    assert worked_example.main(["--out", str(second)]) == 0
    dot_file = "demo_worked_example.dot"
    assert (first / dot_file).read_bytes() == (second / dot_file).read_bytes()


def test_worked_example_docstrings_run() -> None:
    """The examples in the demo's own docstrings (not collected by pytest) pass."""
    result = doctest.testmod(worked_example, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0
    assert result.failed == 0


def test_tasks_and_generator_docstrings_run() -> None:
    """The doctests in tasks.py and scripts/readme_table.py pass."""
    for module in (tasks, readme_table):
        result = doctest.testmod(module)
        assert result.attempted > 0, module.__name__
        assert result.failed == 0, module.__name__


def test_demo_outputs_are_ignored_by_git_and_never_a_committed_file() -> None:
    """What the demos write on every run is ignored by git, so `demo` leaves a clean tree."""
    if shutil.which("git") is None or not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    written = [
        f"viz/{worked_example.STEM}.svg",
        f"viz/{worked_example.STEM}.dot",
        "viz/demo_neuron.svg",
        "viz/demo_neuron.dot",
    ]
    ignored = subprocess.run(
        ["git", "check-ignore", "--no-index", *written], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert sorted(ignored) == sorted(written)
    tracked = subprocess.run(
        ["git", "ls-files", *written], cwd=ROOT, capture_output=True, text=True
    ).stdout.split()
    assert tracked == []


def test_layout_lists_every_module_of_the_package() -> None:
    """The README's Layout block names every module and subpackage of autograd/, so it cannot
    fall behind a new file (the indentation shows which folder a name is in)."""
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    layout = text.split("## Layout", 1)[1].split("```text", 1)[1].split("```", 1)[0]
    names = {line.split()[0] for line in layout.splitlines() if line.strip()}
    package = ROOT / "autograd"
    missing = [
        str(path.relative_to(package))
        for path in sorted(package.rglob("*.py"))
        if path.name != "__init__.py" and path.name not in names
    ]
    missing += [
        str(folder.relative_to(package))
        for folder in sorted(package.iterdir())
        if folder.is_dir() and not folder.name.startswith("__") and f"{folder.name}/" not in names
    ]
    assert not missing, f"README's Layout does not list: {missing}"
