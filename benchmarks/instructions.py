"""Count the CPU instructions of one training step with callgrind: the steady measure of speed.

Usage: ``python -m benchmarks.instructions [--only moons,cnn] [--engines nn,compiled,numpy]
[--steps 10] [--baseline DIR] [--quick]``. On a shared machine a step's time moves by 15 % from
one run to the next; its instruction count stays put (valgrind counts, whatever else the machine
does). Each (workload, engine) runs twice in a fresh process under ``valgrind --tool=callgrind``:
both build the contender that ``benchmarks.run`` times (and checks against its reference) and
take one step to warm up; the second then takes ``--steps`` more. The difference over
``--steps`` is one step. The collector is disabled (graphs of this engine go by reference
counting; micrograd's cycles are then not freed, so its count leaves their freeing out). Ten
steps hold one re-check of a compiled plan (``check_every=10``), as ten steps of training do.
This is a benchmark, not a test: nothing asserts a count.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Final

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import report as rp
from benchmarks import run
from benchmarks import workloads as wl

DEFAULT_ONLY: Final = ("moons", "cnn")
DEFAULT_ENGINES: Final = ("nn", "compiled", "array", "numpy")
COLLECTED: Final = re.compile(r"==\d+== Collected : (\d+)")
VALGRIND_HELP: Final = (
    "valgrind is not installed here; install it (`sudo apt-get install valgrind` on "
    "Debian/Ubuntu) and rerun"
)


def collected(stderr: str) -> int:
    """The instruction count callgrind prints when its program exits.

    >>> collected("==12== Events    : Ir\\n==12== Collected : 1234567\\n==12== I   refs: 1,234,567")
    1234567
    """
    found = COLLECTED.findall(stderr)
    if len(found) != 1:
        raise ValueError(f"collected: not one 'Collected : N' line in this output:\n{stderr}")
    return int(found[0])


def child_steps(workload: str, engine: str, sizes: wl.Sizes, steps: int) -> None:
    """The measured program: build the contender, one step to warm up, then ``steps`` steps."""
    contender = wl.STEP_WORKLOADS[workload].build(engine, sizes)
    contender.reset()
    gc.disable()
    contender.step()
    for _ in range(steps):
        contender.step()


def count(workload: str, engine: str, sizes: wl.Sizes, steps: int, cwd: Path) -> int:
    """Instructions of the child program with ``steps`` steps after its warm-up, under callgrind."""
    spec = {"workload": workload, "engine": engine, "sizes": dataclasses.asdict(sizes)}
    argv = [
        "valgrind",
        "--tool=callgrind",
        "--callgrind-out-file=/dev/null",
        sys.executable,
        "-m",
        "benchmarks.instructions",
        "--child",
        json.dumps({**spec, "steps": steps}),
    ]
    env = {**os.environ, **run.BLAS_THREADS, "PYTHONHASHSEED": "0"}  # the same work every run
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise run.ChildError(f"{workload} {engine}: exit status {done.returncode}\n{done.stderr}")
    return collected(done.stderr)


def per_step(workload: str, engine: str, sizes: wl.Sizes, steps: int, cwd: Path) -> float:
    """One step's instructions: (the program with ``steps`` steps - without them) / ``steps``."""
    with_steps = count(workload, engine, sizes, steps, cwd)
    return (with_steps - count(workload, engine, sizes, 0, cwd)) / steps


def fmt_count(n: float) -> str:
    """Millions with three significant digits.

    >>> fmt_count(233_512_345), fmt_count(3_150_000), fmt_count(712_000)
    ('234 M', '3.15 M', '0.712 M')
    """
    return f"{rp.fmt_number(n / 1e6)} M"


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    run.add_selection(parser, list(wl.STEP_WORKLOADS), DEFAULT_ONLY, DEFAULT_ENGINES)
    parser.add_argument("--steps", type=int, default=10, help="steps counted after the warm-up")
    parser.add_argument("--quick", action="store_true", help="run's small sizes: a smoke run")
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        metavar="DIR",
        help="a checkout of another commit: its autograd.nn is counted beside this one's",
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)  # internal: the program
    args = parser.parse_args(argv)
    run.check_common(parser, args, list(wl.STEP_WORKLOADS))
    if args.steps < 1:
        parser.error(f"--steps must be at least 1, got {args.steps}")
    return args


Counts = dict[tuple[str, str], tuple[str, float]]
"""(workload, engine) -> (the engine's name, instructions per step); engine ``run.BASE``: the
baseline's ``autograd.nn``."""


def count_all(args: argparse.Namespace, sizes: wl.Sizes, base: Path | None) -> Counts:
    """Count every chosen (workload, engine), the baseline's ``autograd.nn`` beside this one's."""
    found: Counts = {}
    for workload in args.only.split(","):
        spec = wl.STEP_WORKLOADS[workload]
        for engine in [e for e in spec.engines if e in args.engines.split(",")]:
            where = [(engine, spec.names[engine], rp.ROOT)]
            if base is not None and engine == "nn" and workload in run.BASE_WORKLOADS:
                named = f"{spec.names[engine]} at {rp.commit(args.baseline)}"
                where.append((run.BASE, named, base))
            for key, name, cwd in where:
                n = per_step(workload, engine, sizes, args.steps, cwd)
                run.say(f"  {spec.label(sizes):<40} {name:<44} {fmt_count(n):>9}")
                found[(workload, key)] = (name, n)
    return found


def table_lines(counts: Counts, sizes: wl.Sizes, steps: int) -> list[str]:
    """The counts as a markdown table, then the ratios the speed targets are about.

    >>> counts = {("moons", "nn"): ("ours", 2e8), ("moons", "base"): ("ours at a", 4e8),
    ...           ("moons", "compiled"): ("compiled", 3e6), ("moons", "numpy"): ("numpy", 1e6)}
    >>> print("\\n".join(table_lines(counts, run.FULL.sizes, 10)[-2:]))
    - moons step, 100 points: ours at a ÷ ours = 2×
    - moons step, 100 points: compiled ÷ numpy = 3×
    """
    checks = "never" if sizes.check_every == 0 else f"every {sizes.check_every} steps"
    lines = [
        f"Instructions per step (callgrind, collector off, {steps} steps after one; the "
        f"compiled plans re-check {checks}):",
        "",
        "| workload | engine | instructions per step |",
        "|---|---|---:|",
    ]
    ratios = []
    for (workload, _), (name, n) in counts.items():
        label = wl.STEP_WORKLOADS[workload].label(sizes)
        lines.append(f"| {label} | {name} | {fmt_count(n)} |")
    for workload in dict.fromkeys(w for w, _ in counts):
        label = wl.STEP_WORKLOADS[workload].label(sizes)
        for top, bottom in ((run.BASE, "nn"), ("compiled", "numpy"), ("array", "numpy")):
            if (workload, top) in counts and (workload, bottom) in counts:
                (a, x), (b, y) = counts[(workload, top)], counts[(workload, bottom)]
                ratios.append(f"- {label}: {a} ÷ {b} = {rp.fmt_number(x / y)}×")
    return [*lines, "", *ratios] if ratios else lines


def main(argv: Sequence[str] | None = None) -> int:
    """Count every chosen (workload, engine) and print a markdown table of counts and ratios."""
    args = parse(argv)
    if args.child is not None:
        spec = json.loads(args.child)
        child_steps(spec["workload"], spec["engine"], wl.Sizes(**spec["sizes"]), spec["steps"])
        return 0
    if shutil.which("valgrind") is None:
        print(VALGRIND_HELP, file=sys.stderr)
        return 2
    sizes = (run.QUICK if args.quick else run.FULL).sizes
    if args.check_every is not None:
        sizes = dataclasses.replace(sizes, check_every=args.check_every)
    info = rp.machine()
    if args.baseline is not None:
        info["baseline"] = f"{rp.commit(args.baseline)} ({args.baseline})"
    with tempfile.TemporaryDirectory(prefix="instructions-") as tmp:
        base = None if args.baseline is None else run.baseline_folder(Path(tmp), args.baseline)
        try:
            counts = count_all(args, sizes, base)
        except run.ChildError as err:
            print(f"FAILED: {err}", file=sys.stderr)
            return 2
    print("\n".join([*rp.header_lines(info), "", *table_lines(counts, sizes, args.steps)]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
