"""The project's commands: ``python3 tasks.py demo | test | lint | bench | readme``.

Standard library only, so it runs with any Python 3.11+ before anything is installed. Each
command creates ``.venv`` when it is missing, installs the project into it with
``pip install -e ".[dev]"`` only when ``pyproject.toml`` changed since the last install (a
stamp file inside ``.venv`` holds its hash), installs the system programs it needs with
``apt-get`` where it can (root or password-less sudo) and otherwise says what to do, then runs
its steps inside ``.venv``, streaming their output and stopping at the first failure.
"""
# ruff: noqa: T201  # a command-line tool reports to its user on stdout

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent
VENV: Final = ROOT / ".venv"
STAMP: Final = VENV / ".tasks-install-stamp"
PYPROJECT: Final = ROOT / "pyproject.toml"
MIN_PYTHON: Final = (3, 11)

DEMOS: Final = (
    "examples/worked_example.py",  # issue 2: values, gradients and the graph of f(x, y)
    "examples/digits.py",  # issues 3, 5: an MLP learns the 8x8 digits (about 5 s, compiled)
    "examples/cnn_digits.py",  # issue 13: a small CNN learns them too (about 2 s, compiled)
)
"""The scripts ``demo`` runs, in order."""

LINT_STEPS: Final = (
    ("ruff check", ("-m", "ruff", "check", ".")),
    ("ruff format --check", ("-m", "ruff", "format", "--check", ".")),
    ("mypy", ("-m", "mypy")),
)
PYTEST: Final = ("-m", "pytest", "-n", "2")
BENCH: Final = ("-m", "benchmarks.run")
README_TABLE: Final = ("scripts/readme_table.py",)

DOT_HELP: Final = (
    "Graphviz's `dot` is missing and could not be installed here, so graphs are written as DOT "
    "text only and the tests that render them are skipped. Install it with "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
    "`winget install graphviz` (Windows), make sure `dot` is on PATH, and rerun."
)
CHROMIUM_HELP: Final = (
    "Debian's chromium is missing and could not be installed here, so the browser test of the "
    "step-through viewer is skipped. Install it with `sudo apt-get install chromium` "
    "(it is looked for at /usr/bin/chromium) and rerun."
)


class TaskError(Exception):
    """A step failed; the message says which one and what to do, ``code`` is its exit status."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def say(message: str) -> None:
    """Print a line of tasks.py's own output, marked so it stands out from the tools' output."""
    print(f"[tasks] {message}", flush=True)


def run(what: str, argv: Sequence[str], env: dict[str, str] | None = None) -> None:
    """Run ``argv`` in the repository root with output streamed; raise TaskError on failure."""
    say(f"{what}: {' '.join(argv)}")
    try:
        code = subprocess.run(argv, cwd=ROOT, env=env, check=False).returncode
    except FileNotFoundError as err:
        raise TaskError(f"{what}: cannot run {argv[0]!r} ({err.strerror})") from err
    if code != 0:
        raise TaskError(f"{what} failed (exit status {code}); see its output above", code)


# --- the virtual environment -----------------------------------------------------------------


def venv_python() -> Path:
    """Return the path of the virtual environment's interpreter (POSIX or Windows layout)."""
    posix = VENV / "bin" / "python"
    return posix if posix.exists() or os.name != "nt" else VENV / "Scripts" / "python.exe"


def pyproject_digest(pyproject_text: bytes) -> str:
    """Return the hash the stamp records for a version of pyproject.toml.

    >>> pyproject_digest(b"a") == pyproject_digest(b"a") != pyproject_digest(b"b")
    True
    """
    return hashlib.sha256(pyproject_text).hexdigest()


def read_stamp(stamp: Path) -> tuple[str, frozenset[str]]:
    """Return (pyproject digest, extras) of the last install, or ("", {}) if there was none."""
    try:
        digest, _, extras = stamp.read_text(encoding="utf-8").strip().partition(" ")
    except OSError:
        return "", frozenset()
    return digest, frozenset(filter(None, extras.split(",")))


def write_stamp(stamp: Path, digest: str, extras: frozenset[str]) -> None:
    """Record a successful install of pyproject.toml (by digest) with ``extras``."""
    stamp.write_text(f"{digest} {','.join(sorted(extras))}\n", encoding="utf-8")


def needs_install(stamp: Path, digest: str, extras: frozenset[str]) -> bool:
    """Return True unless the last install used this pyproject.toml and covered ``extras``."""
    installed_digest, installed_extras = read_stamp(stamp)
    return installed_digest != digest or not extras <= installed_extras


def create_venv() -> None:
    """Create ``.venv`` with the running interpreter, with help if Debian lacks python3-venv."""
    say(f"creating {VENV} with Python {sys.version.split()[0]}")
    code = subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=False).returncode
    if code == 0 and venv_python().exists():
        return
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    if apt_install(f"{version}-venv", purpose="ensurepip for virtual environments"):
        shutil.rmtree(VENV, ignore_errors=True)
        run("create .venv", [sys.executable, "-m", "venv", str(VENV)])
        return
    raise TaskError(
        f"could not create {VENV}: this Python has no working `venv`/`ensurepip`. On "
        f"Debian/Ubuntu run `sudo apt-get install {version}-venv`, then rerun."
    )


def ensure_venv(extras: frozenset[str] = frozenset({"dev"})) -> Path:
    """Create ``.venv`` if needed and install the project when pyproject.toml changed."""
    if sys.version_info < MIN_PYTHON:
        raise TaskError(
            f"Python {'.'.join(map(str, MIN_PYTHON))} or newer is needed, this is "
            f"{sys.version.split()[0]}; run tasks.py with a newer python3"
        )
    if not venv_python().exists():
        create_venv()
    python = str(venv_python())
    digest = pyproject_digest(PYPROJECT.read_bytes())
    if needs_install(STAMP, digest, extras):
        extras |= read_stamp(STAMP)[1]  # keep extras an earlier command installed up to date
        spec = f".[{','.join(sorted(extras))}]"
        say("pyproject.toml is new or changed: installing (the first time takes a few minutes)")
        pip = [python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check"]
        run("install the project into .venv", [*pip, "-e", spec])
        write_stamp(STAMP, digest, extras)
    else:
        say("pyproject.toml unchanged since the last install: skipping pip")
    return Path(python)


# --- system programs -----------------------------------------------------------------------------


def _apt_prefix() -> list[str] | None:
    """Return how to call apt-get with root rights (``[]`` or ``["sudo", "-n"]``), or None."""
    if shutil.which("apt-get") is None:
        return None
    geteuid = getattr(os, "geteuid", None)
    if geteuid is not None and geteuid() == 0:
        return []
    if shutil.which("sudo") is None:
        return None
    probe = subprocess.run(["sudo", "-n", "true"], capture_output=True, check=False)
    return ["sudo", "-n"] if probe.returncode == 0 else None


_APT_UPDATED: Final[set[tuple[str, ...]]] = set()


def _apt_update(apt: tuple[str, ...]) -> None:
    """Run ``apt-get update`` once per tasks.py run, whichever install asks first."""
    if apt not in _APT_UPDATED:
        run("apt-get update", [*apt, "update"])
        _APT_UPDATED.add(apt)


def apt_install(package: str, purpose: str) -> bool:
    """Install a Debian package with apt-get if we may; return whether it succeeded."""
    prefix = _apt_prefix()
    if prefix is None:
        return False
    apt = (*prefix, "env", "DEBIAN_FRONTEND=noninteractive", "apt-get")
    say(f"installing Debian package {package!r} ({purpose})")
    try:
        _apt_update(apt)
        run(
            f"apt-get install {package}",
            [*apt, "install", "-y", "--no-install-recommends", package],
        )
    except TaskError as err:
        say(f"could not install {package!r}: {err}")
        return False
    return True


def ensure_program(program: str, package: str, purpose: str, help_text: str) -> bool:
    """Make sure ``program`` is on PATH, installing ``package`` if we can; else print help."""
    if shutil.which(program):
        return True
    if apt_install(package, purpose) and shutil.which(program):
        return True
    say(f"WARNING: {help_text}")
    return False


def ensure_dot() -> bool:
    """Graphviz's ``dot``: renders the graph pictures (demo and tests)."""
    return ensure_program("dot", "graphviz", "Graphviz's dot renders graphs", DOT_HELP)


def ensure_chromium() -> bool:
    """Debian's chromium at /usr/bin/chromium: the browser test of the viewer drives it."""
    return ensure_program("chromium", "chromium", "headless browser tests", CHROMIUM_HELP)


# --- the commands --------------------------------------------------------------------------------


def lint(python: Path) -> None:
    """Run ruff check, ruff format --check and mypy, stopping at the first failure."""
    for what, args in LINT_STEPS:
        run(what, [str(python), *args])


def cmd_demo(extra: Sequence[str]) -> None:
    """Run every script in DEMOS."""
    python = ensure_venv()
    ensure_dot()
    for script in DEMOS:
        run(f"demo {script}", [str(python), script, *extra])


def cmd_test(extra: Sequence[str]) -> None:
    """Lint, type-check, then run pytest on two workers (extra arguments go to pytest)."""
    python = ensure_venv()
    ensure_dot()
    ensure_chromium()
    lint(python)
    env = dict(os.environ)
    if env.get("CI"):
        env["HYPOTHESIS_PROFILE"] = "ci"  # derandomized: a red CI run reproduces locally
    run("pytest", [str(python), *PYTEST, *extra], env=env)


def cmd_lint(extra: Sequence[str]) -> None:
    """Run only the static checks."""
    if extra:
        raise TaskError(f"lint takes no arguments, got {list(extra)!r}", 2)
    lint(ensure_venv())


def cmd_bench(extra: Sequence[str]) -> None:
    """Run the benchmarks against micrograd (installs the bench extra)."""
    python = ensure_venv(frozenset({"bench", "dev"}))
    run("bench", [str(python), *BENCH, *extra])


def cmd_readme(extra: Sequence[str]) -> None:
    """Regenerate the README's op table from autograd.ops.OPS (``--check`` only checks)."""
    python = ensure_venv()
    run("readme", [str(python), *README_TABLE, *extra])


COMMANDS: Final = {
    "demo": cmd_demo,
    "test": cmd_test,
    "lint": cmd_lint,
    "bench": cmd_bench,
    "readme": cmd_readme,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the command line, run one command and return its exit status."""
    parser = argparse.ArgumentParser(
        prog="python3 tasks.py",
        description="Project commands; each sets up .venv first.",
        epilog="Arguments after the command go to the tool it runs (pytest for `test`).",
    )
    parser.add_argument("command", choices=COMMANDS, help="what to run")
    args = list(sys.argv[1:] if argv is None else argv)
    options = parser.parse_args(args[:1])  # the rest belongs to the tool, options included
    extra = args[2:] if args[1:2] == ["--"] else args[1:]
    try:
        COMMANDS[options.command](extra)
    except TaskError as err:
        say(f"FAILED: {err}")
        return err.code
    except KeyboardInterrupt:
        say("interrupted")
        return 130
    say(f"{options.command}: done")
    return 0


if __name__ == "__main__":
    sys.exit(main())
