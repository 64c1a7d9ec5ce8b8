"""Regenerate ``TORCH_TRAJECTORIES`` of ``tests/test_optim.py`` with PyTorch itself.

PyTorch is no dependency of the project and ``tasks.py test`` never runs this script. From the
repository root, in a throwaway venv (2.13.0 is the version the table was made with)::

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python scripts/gen_optim_reference.py          # print the table
    /tmp/torchvenv/bin/python scripts/gen_optim_reference.py --check  # compare it, bit for bit

Each case runs ``torch.optim``'s class of that name with its keywords on float64 tensors,
from ``START`` on :func:`rosenbrock_lite`: ``STEPS`` times zero_grad, backward, step, recording
``(a.item(), b.item())``; the numbers are printed with ``repr``, so they round-trip exactly.
``--check`` reads the table from the test file (with ``ast``, importing nothing of the
project) and exits 1 naming every case that differs.

The script needs torch and the standard library only. ``tests/test_optim.py`` imports
``CASES``, ``START``, ``STEPS``, :func:`rosenbrock_lite` and :func:`torch_trajectories` from
here, and checks that ``CASES`` is its own table of optimizers, so the two cannot drift apart.
"""

from __future__ import annotations

import argparse
import ast
import sys
from pathlib import Path
from typing import Any

TEST_FILE = Path(__file__).resolve().parent.parent / "tests" / "test_optim.py"
TABLE = "TORCH_TRAJECTORIES"
TORCH_VERSION = "2.13.0"
START = (-0.5, 1.0)
STEPS = 5

# name -> (the torch.optim class, its keywords); the same names and keywords as the test's
# OPTIMIZERS, where the class is autograd.optim's of the same name.
CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "sgd": ("SGD", {"lr": 0.05}),
    "sgd_momentum": ("SGD", {"lr": 0.05, "momentum": 0.9}),
    "sgd_nesterov": ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "sgd_dampening_decay": (
        "SGD",
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1},
    ),
    "rmsprop": ("RMSprop", {"lr": 0.01}),
    "rmsprop_momentum_centered": (
        "RMSprop",
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.9, "centered": True, "weight_decay": 0.1},
    ),
    "adam": ("Adam", {"lr": 0.1}),
    "adam_amsgrad_decay": (
        "Adam",
        {"lr": 0.1, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True},
    ),
    "adamw": ("AdamW", {"lr": 0.1, "weight_decay": 0.1}),
}

Trajectory = list[tuple[float, float]]


def rosenbrock_lite(a: Any, b: Any) -> Any:
    """(1 - a)^2 + 2 (b - a^2)^2: written once, evaluated on Values, tensors and floats.

    >>> rosenbrock_lite(1.0, 1.0), rosenbrock_lite(0.0, 1.0)
    (0.0, 3.0)
    """
    return (1 - a) ** 2 + 2 * (b - a * a) ** 2


def torch_trajectories(torch: Any) -> dict[str, Trajectory]:
    """Run every case with ``torch`` (the module, passed in): ``(a, b)`` after each step."""
    torch.set_default_dtype(torch.float64)
    paths: dict[str, Trajectory] = {}
    for name, (cls_name, kwargs) in CASES.items():
        a = torch.tensor(START[0], requires_grad=True)
        b = torch.tensor(START[1], requires_grad=True)
        opt = getattr(torch.optim, cls_name)([a, b], **kwargs)
        path = []
        for _ in range(STEPS):
            opt.zero_grad()
            rosenbrock_lite(a, b).backward()
            opt.step()
            path.append((a.item(), b.item()))
        paths[name] = path
    return paths


def render(paths: dict[str, Trajectory]) -> str:
    """The table as Python source, laid out as in the test file.

    >>> print(render({"sgd": [(-0.5, 0.85)]}))
    TORCH_TRAJECTORIES: dict[str, list[tuple[float, float]]] = {
        "sgd": [
            (-0.5, 0.85),
        ],
    }
    """
    lines = [f"{TABLE}: dict[str, list[tuple[float, float]]] = {{"]
    for name, path in paths.items():
        lines.append(f'    "{name}": [')
        lines += [f"        ({a!r}, {b!r})," for a, b in path]
        lines.append("    ],")
    lines.append("}")
    return "\n".join(lines)


def hard_coded(test_file: Path = TEST_FILE) -> dict[str, Trajectory]:
    """The table as written in the test file, read with ``ast`` (nothing is imported)."""
    tree = ast.parse(test_file.read_text(encoding="utf-8"))
    for node in tree.body:
        if (
            isinstance(node, ast.AnnAssign)
            and isinstance(node.target, ast.Name)
            and node.target.id == TABLE
            and node.value is not None
        ):
            table: dict[str, Trajectory] = ast.literal_eval(node.value)
            return table
    raise LookupError(f"{test_file}: no {TABLE} table")


def differences(got: dict[str, Trajectory], written: dict[str, Trajectory]) -> list[str]:
    """One line per case that is missing, extra, or differs in any bit.

    >>> differences({"sgd": [(1.0, 2.0)]}, {"sgd": [(1.0, 2.0000000000000004)]})
    ['sgd: torch gives [(1.0, 2.0)], the test has [(1.0, 2.0000000000000004)]']
    """
    lines = []
    for name in sorted(set(got) | set(written)):
        if got.get(name) != written.get(name):
            lines.append(f"{name}: torch gives {got.get(name)}, the test has {written.get(name)}")
    return lines


def main(argv: list[str] | None = None) -> int:
    """Print the table, or with ``--check`` compare it with the test file's (1 if they differ)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with the test file")
    args = parser.parse_args(argv)
    import torch  # here, not at the top: the tests import this module without torch

    if not torch.__version__.startswith(TORCH_VERSION):
        sys.stderr.write(f"note: torch {torch.__version__}, the table was made with 2.13.0\n")
    paths = torch_trajectories(torch)
    if not args.check:
        sys.stdout.write(render(paths) + "\n")
        return 0
    problems = differences(paths, hard_coded())
    for line in problems:
        sys.stderr.write(line + "\n")
    if problems:
        return 1
    sys.stdout.write(f"{TEST_FILE.name}: {TABLE} matches torch {torch.__version__} bit for bit\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
