"""Time this engine against micrograd 0.1.0 and hand-written numpy; print a markdown table.

Usage: ``python -m benchmarks.run [--quick] [--only moons,chain,memory,digits] [--repeats N]``
(``python benchmarks/run.py`` works too). Every contender must reproduce micrograd's loss and
gradients to 1e-9 relative before it is timed; one that does not is refused, reported, and
the run exits with status 1. This is a benchmark, not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import gc
import os
import platform
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from importlib import metadata
from pathlib import Path
from typing import Any, Final

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import numpy as np
from micrograd.engine import Value as MgValue  # type: ignore[import-untyped]

from autograd import Value, topological_order
from benchmarks import workloads as wl

TOLERANCE: Final = 1e-9  # largest relative difference from micrograd's loss and gradients
REFERENCE: Final = 0  # the first contender of each workload (micrograd) is the reference
WORKLOADS: Final = ("moons", "chain", "memory", "digits", "epoch")


@dataclass(frozen=True)
class Config:
    """Sizes and repeat counts of one run."""

    moons_points: int
    moons_repeats: int
    chain_ops: int
    chain_repeats: int
    memory_ops: int
    digits_batch: int
    digits_repeats: int


FULL: Final = Config(100, 7, 100_000, 5, 100_000, 64, 3)
QUICK: Final = Config(40, 2, 10_000, 2, 10_000, 4, 2)


@dataclass
class Row:
    """One line of the results table: a measure of one engine, with and without the collector."""

    workload: str
    engine: str
    seconds: float | None
    seconds_gc_off: float | None = None


@dataclass
class Report:
    """Everything one run found: timing rows, memory rows, notes and refusals."""

    rows: list[Row] = field(default_factory=list)
    memory: list[tuple[str, int, int, int]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)


# --- checking before timing ---------------------------------------------------------------------


def relative_difference(a: float, b: float) -> float:
    """``|a - b| / max(|a|, |b|)``, 0 when both are equal (two exact zeros included)."""
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b))


def agreeing(contenders: list[wl.Contender], report: Report, workload: str) -> list[wl.Contender]:
    """The contenders whose loss and gradients match the reference's; the others are refused."""
    ref_name = contenders[REFERENCE].name
    ref_loss, ref_grads = contenders[REFERENCE].loss_and_grads()
    kept = [contenders[REFERENCE]]
    worst_kept = 0.0
    for c in contenders[REFERENCE + 1 :]:
        loss, grads = c.loss_and_grads()
        if len(grads) != len(ref_grads):
            report.refused.append(
                f"{workload}: {c.name} has {len(grads)} gradients, {ref_name} {len(ref_grads)}"
            )
            continue
        worst = max(
            [relative_difference(loss, ref_loss)]
            + [relative_difference(g, r) for g, r in zip(grads, ref_grads, strict=True)]
        )
        if worst > TOLERANCE:
            report.refused.append(
                f"{workload}: {c.name} differs from {ref_name} by {worst:.2e} relative "
                f"(loss {loss!r} vs {ref_loss!r}); not timed"
            )
            continue
        kept.append(c)
        worst_kept = max(worst_kept, worst)
    report.notes.append(
        f"{workload}: loss {ref_loss:.6f} and {len(ref_grads)} gradients agree with {ref_name} "
        f"to {worst_kept:.1e} relative (limit {TOLERANCE:g}) in: "
        + "; ".join(c.name for c in kept[1:])
    )
    return kept


# --- timing -------------------------------------------------------------------------------------


def median_step(c: wl.Contender, repeats: int, gc_off: bool) -> float:
    """Median seconds of one training step over ``repeats`` consecutive steps.

    With the collector on, steps run back to back as in a training loop, so a step pays for
    the collections the previous steps' garbage triggers. With it off, the collector is
    disabled for the timed step only and catches up, untimed, after it.
    """
    c.reset()
    gc.collect()
    samples = []
    for _ in range(repeats):
        if gc_off:
            gc.disable()
        try:
            start = time.perf_counter()
            for _ in range(c.inner):
                c.step()
            samples.append((time.perf_counter() - start) / c.inner)
        finally:
            if gc_off:
                gc.enable()
                gc.collect()
    c.reset()
    gc.collect()
    return statistics.median(samples)


def run_steps(label: str, contenders: list[wl.Contender], repeats: int, report: Report) -> None:
    """Time every agreeing contender's training step, collector on and off."""
    for c in agreeing(contenders, report, label):
        on = median_step(c, repeats, gc_off=False)
        off = median_step(c, repeats, gc_off=True)
        report.rows.append(Row(label, c.name, on, off))
        print(f"  {label:<28} {c.name:<40} {fmt_time(on):>10} {fmt_time(off):>10}", flush=True)


@dataclass(frozen=True)
class ChainEngine:
    """How one engine makes a leaf and back-propagates a chain."""

    name: str
    leaf: Callable[[float], Any]
    backward: Callable[[Any], None]


def chain_times(engine: ChainEngine, n: int, gc_off: bool) -> tuple[float, float, float, Any]:
    """Seconds to build, to back-propagate and to free an ``n``-op chain; and what it computed.

    Freeing is dropping the last reference and calling ``gc.collect()`` (also with the
    collector disabled, which only stops automatic collections): micrograd's nodes are
    reference cycles that only the collector reclaims, ours go by reference counting.
    """
    gc.collect()
    if gc_off:
        gc.disable()
    try:
        t0 = time.perf_counter()
        x = engine.leaf(1.0)
        root = build_chain(x, n)
        t1 = time.perf_counter()
        engine.backward(root)
        t2 = time.perf_counter()
        computed = (float(root.data), float(x.grad))
        t3 = time.perf_counter()
        del root, x
        gc.collect()
        t4 = time.perf_counter()
    finally:
        if gc_off:
            gc.enable()
    return t1 - t0, t2 - t1, t4 - t3, computed


def build_chain(x: Any, n: int) -> Any:
    """The chain of workload (2); a module-level name so profiles show where time goes."""
    return wl.build_chain(x, n)


CHAIN_PARTS: Final = ("build", "backward", "free", "build + backward + free")


def chain_medians(engine: ChainEngine, n: int, repeats: int, gc_off: bool) -> list[Any]:
    """Median seconds of each chain part, then the set of (value, gradient) computed."""
    runs = [chain_times(engine, n, gc_off) for _ in range(repeats)]
    medians: list[Any] = [statistics.median(r[i] for r in runs) for i in range(3)]
    medians.append(statistics.median(r[0] + r[1] + r[2] for r in runs))
    medians.append({r[3] for r in runs})
    return medians


def run_chain(n: int, repeats: int, report: Report) -> None:
    """Workload (2): build, backward and build+backward+free of an ``n``-op chain."""
    engines = [
        ChainEngine("micrograd 0.1.0", MgValue, lambda root: wl.micrograd_backward(root, n)),
        ChainEngine("ours", Value, lambda root: root.backward()),
    ]
    want = wl.chain_reference(1.0, n)
    report.notes.append(
        f"chain: micrograd's recursive topological sort needs sys.setrecursionlimit raised "
        f"(to {2 * n + 10_000:,} here, for micrograd's backward only, restored after); ours "
        "walks the graph iteratively"
    )
    label = f"chain of {n:,} ops"
    found = {}
    for engine in engines:
        on = chain_medians(engine, n, repeats, gc_off=False)
        off = chain_medians(engine, n, repeats, gc_off=True)
        for data, grad in on[-1] | off[-1]:
            if data != want[0] or relative_difference(grad, want[1]) > TOLERANCE:
                report.refused.append(
                    f"chain: {engine.name} computed value {data!r}, gradient {grad!r}; "
                    f"expected {want[0]!r} and {want[1]!r}"
                )
                return
        found[engine.name] = (on, off)
        print(f"  {label:<28} {engine.name:<40} {fmt_time(on[3]):>10} {fmt_time(off[3]):>10}")
    for i, part in enumerate(CHAIN_PARTS):
        for name, (on, off) in found.items():
            report.rows.append(Row(f"{label}: {part}", name, on[i], off[i]))
    report.notes.append(
        f"chain: both engines computed value {want[0]!r} and gradient {want[1]:.12g} "
        "(= 0.9999 ** (n // 2), checked to 1e-9 relative); free = del + gc.collect()"
    )
    sweep, walk = floor_seconds(n, repeats)
    mg_backward = found["micrograd 0.1.0"][0][1]
    report.notes.append(
        f"chain backward, the interpreter's floor: a bare reverse sweep over an order computed "
        f"beforehand (per op node one call of its table rule and two multiply-adds into .grad, no "
        f"bookkeeping) takes {fmt_time(sweep)}, {mg_backward / sweep:.1f}x faster than "
        f"micrograd's backward; the least walk that finds the op nodes (one dict entry per node, "
        f"no counting) takes {fmt_time(walk)}. A backward that finds its order by walking the "
        f"graph therefore cannot beat {mg_backward / (sweep + walk):.1f}x micrograd here"
    )


def floor_seconds(n: int, repeats: int) -> tuple[float, float]:
    """Median seconds of the least work a backward over the ``n``-op chain does: sweep, walk.

    The sweep calls each op node's rule from the table and adds ``local * upstream`` into its
    parents' ``.grad`` over an order computed untimed, and does nothing else. The walk visits
    every op node once, remembering it in a dict, as any walk that finds the nodes must. Both
    read the node's private slots directly: the properties would cost a call each and make
    the floor look higher than it is.
    """
    root = build_chain(Value(1.0), n)
    nodes = topological_order(root)
    order = [node for node in reversed(nodes) if node.op is not None]
    sweeps, walks = [], []
    for _ in range(repeats):
        for node in nodes:
            node.grad = 0.0
        root.grad = 1.0
        gc.collect()
        sweeps.append(_sweep(order))
        walks.append(_walk(root))
    return statistics.median(sweeps), statistics.median(walks)


def _sweep(order: list[Value]) -> float:
    start = time.perf_counter()
    for node in order:
        upstream = node.grad
        a, b = node._parents
        da, db = node._op.local_grads(a.data, b.data, node.data)  # type: ignore[union-attr]
        a.grad += da * upstream
        b.grad += db * upstream
    return time.perf_counter() - start


def _walk(root: Value) -> float:
    start = time.perf_counter()
    seen = {root: True}
    stack = [root]
    push, pop = stack.append, stack.pop
    while stack:
        for parent in pop()._parents:
            if parent._op is not None and parent not in seen:
                seen[parent] = True
                push(parent)
    return time.perf_counter() - start


def bytes_per_node(make_leaf: Callable[[float], Any], n: int) -> tuple[int, int]:
    """Bytes traced by ``tracemalloc`` while an ``n``-op chain is built, and its node count.

    The chain holds ``2 n + 1`` nodes: the leaf, and per op its result and its constant.
    """
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        root = wl.build_chain(make_leaf(1.0), n)
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    if isinstance(root, Value):
        nodes = len(topological_order(root))
        if nodes != 2 * n + 1:
            raise RuntimeError(f"chain of {n} ops has {nodes} nodes, expected {2 * n + 1}")
    del root
    gc.collect()
    return used, 2 * n + 1


def run_memory(n: int, report: Report) -> None:
    """Workload (3): traced bytes per graph node of an ``n``-op chain, both engines."""
    for name, leaf in (("micrograd 0.1.0", MgValue), ("ours", Value)):
        used, nodes = bytes_per_node(leaf, n)
        report.memory.append((name, used, nodes, n))
        print(f"  memory, chain of {n:,} ops      {name:<40} {used / nodes:>8.0f} B/node")


def run_epoch(repeats: int, report: Report) -> None:
    """Workload (4b): one full-batch digits epoch, numpy and compiled; scalar engines scaled.

    micrograd would need minutes per epoch, so its row (and the scalar engine's) is the
    batch-row median of this run times ``1797 / batch``, marked as not run.
    """
    contenders, notes = wl.digits_epoch_contenders()
    report.notes.extend(notes)
    label = f"digits epoch, {wl.DIGITS_IMAGES:,} images (full batch)"
    batch_rows = [r for r in report.rows if r.workload.startswith("digits step, batch ")]
    measured = len(report.rows)
    run_steps(label, contenders, repeats, report)
    scaled = []
    for r in batch_rows:
        if r.engine.startswith(("micrograd", "ours, fused")) and r.seconds is not None:
            batch = int(r.workload.rsplit(" ", 1)[1])
            factor = wl.DIGITS_IMAGES / batch
            off = r.seconds_gc_off * factor if r.seconds_gc_off is not None else None
            engine = f"{r.engine}: batch row × {wl.DIGITS_IMAGES}/{batch}, not run"
            scaled.append(Row(label, engine, r.seconds * factor, off))
    report.rows[measured:measured] = scaled
    timed = {r.engine: r.seconds for r in report.rows[measured:] if r.seconds is not None}
    numpy_time = timed.get("numpy, hand-written")
    compiled_time = timed.get(wl.COMPILED_NAME)
    if numpy_time and compiled_time:
        report.notes.append(
            f"digits epoch: autograd.compiled takes {compiled_time / numpy_time:.3g}× the time "
            "of hand-written numpy (issue 5 asks for at most 10×)"
        )


# --- output -------------------------------------------------------------------------------------


def fmt_time(seconds: float | None) -> str:
    """Seconds as ``12.3 ms`` (three significant digits) or ``--`` when not measured."""
    if seconds is None:
        return "--"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_ratio(reference: float | None, seconds: float | None) -> str:
    """``reference / seconds`` as ``12.3×``."""
    if reference is None or seconds is None or seconds == 0:
        return "--"
    ratio = reference / seconds
    return f"{ratio:.3g}×" if ratio < 1000 else f"{ratio:,.0f}×"


def timing_table(rows: Sequence[Row]) -> list[str]:
    """The markdown table of medians and micrograd/this ratios, collector on and off."""
    lines = [
        "| workload | engine | median | micrograd ÷ this | median, gc off | ÷, gc off |",
        "|---|---|---:|---:|---:|---:|",
    ]
    reference = {r.workload: r for r in rows if r.engine.startswith("micrograd")}
    last = None
    for r in rows:
        ref = reference.get(r.workload)
        on_ref = ref.seconds if ref else None
        off_ref = ref.seconds_gc_off if ref else None
        shown = r.workload if r.workload != last else ""
        last = r.workload
        lines.append(
            f"| {shown} | {r.engine} | {fmt_time(r.seconds)} | {fmt_ratio(on_ref, r.seconds)} "
            f"| {fmt_time(r.seconds_gc_off)} | {fmt_ratio(off_ref, r.seconds_gc_off)} |"
        )
    return lines


def memory_table(memory: Sequence[tuple[str, int, int, int]]) -> list[str]:
    """The markdown table of traced bytes per node."""
    lines = ["| engine | bytes per node | bytes per op | nodes traced |", "|---|---:|---:|---:|"]
    for name, used, nodes, ops in memory:
        lines.append(f"| {name} | {used / nodes:,.0f} | {used / ops:,.0f} | {nodes:,} |")
    return lines


def commit() -> str:
    """The short commit hash of the code measured, ``-dirty`` if the engine has local changes."""
    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", "autograd"],
            cwd=root,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return (head or "unknown") + ("-dirty" if dirty else "")


def machine() -> str:
    """Cores, CPU, Python and library versions, commit, and the load average now."""
    load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
    return (
        f"{os.cpu_count()} cores ({platform.machine()}, {platform.processor() or 'cpu'}), "
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"numpy {np.__version__}, micrograd {metadata.version('micrograd')}, "
        f"commit {commit()}, load average {load}"
    )


def print_report(report: Report, started: str, elapsed: float) -> None:
    """Print the machine, the notes, both tables and any refusals."""
    print()
    print(f"Machine: {started}")
    print(f"Load average at the end: {', '.join(f'{x:.2f}' for x in os.getloadavg())}")
    print(f"Total time: {elapsed:.0f} s")
    print()
    for note in report.notes:
        print(f"- {note}")
    print()
    print("\n".join(timing_table(report.rows)))
    if report.memory:
        print()
        print("\n".join(memory_table(report.memory)))
    for refusal in report.refused:
        print(f"REFUSED: {refusal}")


# --- main ---------------------------------------------------------------------------------------


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: a ~20 s smoke run")
    parser.add_argument(
        "--only",
        default=",".join(WORKLOADS),
        help=f"comma-separated subset of {','.join(WORKLOADS)}",
    )
    parser.add_argument("--repeats", type=int, default=None, help="timing samples per measure")
    parser.add_argument("--chain-ops", type=int, default=None, help="length of the chain (2, 3)")
    parser.add_argument("--digits-batch", type=int, default=None, help="images per digits step")
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(WORKLOADS)
    if unknown:
        parser.error(f"unknown workload(s) {sorted(unknown)} (must be among {list(WORKLOADS)})")
    for flag in ("repeats", "chain_ops", "digits_batch"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            parser.error(f"--{flag.replace('_', '-')} must be at least 1, got {value}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen workloads, print the tables; exit status 1 if a contender was refused."""
    args = parse(argv)
    cfg = QUICK if args.quick else FULL
    cfg = replace(
        cfg,
        chain_ops=args.chain_ops or cfg.chain_ops,
        memory_ops=args.chain_ops or cfg.memory_ops,
        digits_batch=args.digits_batch or cfg.digits_batch,
    )
    only = args.only.split(",")
    report = Report()
    started = machine()
    print(f"Machine: {started}", flush=True)
    begin = time.perf_counter()
    if "moons" in only:
        contenders, notes = wl.moons_contenders(cfg.moons_points)
        report.notes.extend(notes)
        label = f"moons step, {cfg.moons_points} points"
        run_steps(label, contenders, args.repeats or cfg.moons_repeats, report)
    if "chain" in only:
        run_chain(cfg.chain_ops, args.repeats or cfg.chain_repeats, report)
    if "memory" in only:
        run_memory(cfg.memory_ops, report)
    if "digits" in only:
        contenders, notes = wl.digits_contenders(cfg.digits_batch)
        report.notes.extend(notes)
        label = f"digits step, batch {cfg.digits_batch}"
        run_steps(label, contenders, args.repeats or cfg.digits_repeats, report)
    if "epoch" in only:
        run_epoch(args.repeats or cfg.digits_repeats, report)
    print_report(report, started, time.perf_counter() - begin)
    return 1 if report.refused else 0


if __name__ == "__main__":
    sys.exit(main())
