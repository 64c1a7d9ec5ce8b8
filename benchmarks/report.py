"""The benchmark's report: the machine it ran on, medians over rounds, ratios, markdown tables.

Every figure is a median of medians: each (workload, engine) process reports its samples, a
round's figure is their median, the table's figure the median over rounds. A ratio is the
table's micrograd figure over the engine's, and beside it the least and the largest of the
per-round ratios (micrograd's and the engine's process of the same round), so a reader sees
how far one round's comparison strays from another's.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Final

import numpy as np

ROOT: Final = Path(__file__).resolve().parent.parent
TIMINGS: Final = ("loop", "compute")
TIMING_NAMES: Final = {"loop": "training loop", "compute": "compute only"}


# --- the machine ---------------------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, else what ``platform`` knows."""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown CPU"


def commit(root: Path = ROOT) -> str:
    """The short commit hash of the code measured, ``-dirty`` if tracked files have changes."""

    def git(*args: str) -> str:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
        return done.stdout.strip()

    try:
        head = git("rev-parse", "--short", "HEAD")
        dirty = git("status", "--porcelain", "--untracked-files=no")
    except OSError:
        return "unknown"
    return (head or "unknown") + ("-dirty" if dirty else "")


def load_average() -> str:
    """The 1, 5 and 15 minute load averages."""
    return ", ".join(f"{x:.2f}" for x in os.getloadavg())


def machine() -> dict[str, str]:
    """The machine, the software and the commit, and the load average now."""
    return {
        "cpu": cpu_model(),
        "cores": str(os.cpu_count()),
        "platform": platform.platform(),
        "python": f"{platform.python_version()} ({platform.python_implementation()})",
        "numpy": np.__version__,
        "micrograd": metadata.version("micrograd"),
        "commit": commit(),
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
        "load_start": load_average(),
    }


def header_lines(info: dict[str, str]) -> list[str]:
    """The machine as the report's first lines."""
    lines = [
        f"Machine: {info['cpu']}, {info['cores']} cores, {info['platform']}",
        f"Python {info['python']}, numpy {info['numpy']}, micrograd {info['micrograd']}",
        f"Commit {info['commit']}, {info['date']}",
        f"Load average at the start: {info['load_start']}; numpy's BLAS on one thread",
    ]
    if "baseline" in info:
        lines.append(f"Baseline (--baseline): {info['baseline']}")
    if "load_end" in info:
        lines.append(f"Load average at the end: {info['load_end']}")
    return lines


# --- results -------------------------------------------------------------------------------------


@dataclass
class Series:
    """One engine's figures on one workload: per round, the median of each timing's samples."""

    workload: str
    engine: str
    name: str
    rounds: dict[str, list[float]] = field(default_factory=lambda: {t: [] for t in TIMINGS})
    scale: float = 1.0  # the per-image workload reports a step's time divided by its images
    note: str = ""

    def add(self, samples: dict[str, list[float]]) -> None:
        """Record one round's samples (seconds per step) as their medians."""
        for t in TIMINGS:
            self.rounds[t].append(statistics.median(samples[t]) / self.scale)

    def median(self, timing: str) -> float | None:
        """The median over rounds, or None before any round."""
        values = self.rounds[timing]
        return statistics.median(values) if values else None


def ratios(numerator: Series, denominator: Series, timing: str) -> list[float]:
    """Per round, ``numerator``'s figure over ``denominator``'s (rounds both measured)."""
    pairs = zip(numerator.rounds[timing], denominator.rounds[timing], strict=False)
    return [a / b for a, b in pairs if b > 0]


def median_ratio(numerator: Series, denominator: Series, timing: str) -> float | None:
    """The ratio of the two medians over rounds."""
    a, b = numerator.median(timing), denominator.median(timing)
    return a / b if a is not None and b else None


# --- formatting ----------------------------------------------------------------------------------


def fmt_time(seconds: float | None) -> str:
    """Seconds as ``12.3 ms`` (three significant digits) or ``--`` when not measured."""
    if seconds is None:
        return "--"
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.3g} {unit}"
    return f"{seconds / 1e-9:.3g} ns"


def fmt_number(ratio: float) -> str:
    """A ratio's number: three significant digits, thousands separated."""
    return f"{ratio:.3g}" if ratio < 1000 else f"{ratio:,.0f}"


def fmt_ratio(ratio: float | None, per_round: Sequence[float] = ()) -> str:
    """``12.3×`` and, from two rounds on, the per-round range: ``12.3× (11.9–12.8)``."""
    if ratio is None:
        return "--"
    text = f"{fmt_number(ratio)}×"
    if len(per_round) > 1:
        text += f" ({fmt_number(min(per_round))}–{fmt_number(max(per_round))})"
    return text


def step_table(series: Sequence[Series], labels: dict[str, str]) -> list[str]:
    """The markdown table of every step workload: both timings, ratios to micrograd."""
    lines = [
        "| workload | engine | training loop | micrograd ÷ this "
        "| compute only | micrograd ÷ this |",
        "|---|---|---:|---:|---:|---:|",
    ]
    by_workload: dict[str, list[Series]] = {}
    for s in series:
        by_workload.setdefault(s.workload, []).append(s)
    for workload, rows in by_workload.items():
        reference = next((s for s in rows if s.engine == "micrograd"), None)
        shown = labels[workload]
        for s in rows:
            cells = []
            for t in TIMINGS:
                if reference is None:
                    ratio = "--"
                elif s is reference:
                    ratio = "1×"
                elif s.note:  # scaled from another workload: no rounds of its own to range
                    ratio = fmt_ratio(median_ratio(reference, s, t))
                else:
                    ratio = fmt_ratio(median_ratio(reference, s, t), ratios(reference, s, t))
                cells += [fmt_time(s.median(t)), ratio]
            name = f"{s.name}{s.note}"
            lines.append(f"| {shown} | {name} | " + " | ".join(cells) + " |")
            shown = ""
    return lines


def versus_table(pairs: Sequence[tuple[str, Series, Series]]) -> list[str]:
    """compiled ÷ hand-written numpy per workload (how many times numpy's time), both timings."""
    lines = [
        "| workload | numpy, compute only | compiled, compute only "
        "| compiled ÷ numpy, compute only | compiled ÷ numpy, training loop |",
        "|---|---:|---:|---:|---:|",
    ]
    for label, numpy_series, compiled in pairs:
        cells = [
            fmt_time(numpy_series.median("compute")),
            fmt_time(compiled.median("compute")),
            *(
                fmt_ratio(
                    median_ratio(compiled, numpy_series, t), ratios(compiled, numpy_series, t)
                )
                for t in ("compute", "loop")
            ),
        ]
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return lines


CHAIN_PARTS: Final = ("build", "backward", "free", "build + backward + free")
CHAIN_MODES: Final = {"on": "collector on", "off": "collector disabled"}


def chain_rounds(result: dict[str, Any], mode: str) -> list[float]:
    """One round's median seconds of each chain part, and of their sum, for one mode."""
    runs: list[list[float]] = result[mode]
    medians = [statistics.median(r[i] for r in runs) for i in range(3)]
    medians.append(statistics.median(sum(r) for r in runs))
    return medians


def chain_table(
    label: str, rounds: dict[str, list[dict[str, Any]]], names: dict[str, str]
) -> list[str]:
    """The chain's parts for both engines, with the collector on and disabled."""
    lines = [
        "| workload | engine | collector on | micrograd ÷ this | collector disabled "
        "| micrograd ÷ this |",
        "|---|---|---:|---:|---:|---:|",
    ]
    per_part: dict[str, dict[str, list[list[float]]]] = {
        engine: {mode: [chain_rounds(r, mode) for r in results] for mode in CHAIN_MODES}
        for engine, results in rounds.items()
    }
    reference = per_part.get("micrograd")
    for i, part in enumerate(CHAIN_PARTS):
        shown = f"{label}: {part}"
        for engine, modes in per_part.items():
            cells = []
            for mode in CHAIN_MODES:
                values = [r[i] for r in modes[mode]]
                mine = statistics.median(values)
                ratio = "--"
                if engine == "micrograd":
                    ratio = "1×"
                elif reference is not None:
                    theirs = [r[i] for r in reference[mode]]
                    per_round = [a / b for a, b in zip(theirs, values, strict=False) if b > 0]
                    ratio = fmt_ratio(statistics.median(theirs) / mine, per_round)
                cells += [fmt_time(mine), ratio]
            lines.append(f"| {shown} | {names[engine]} | " + " | ".join(cells) + " |")
            shown = ""
    return lines


def memory_table(memory: Sequence[dict[str, Any]]) -> list[str]:
    """The markdown table of traced bytes per node."""
    lines = ["| engine | bytes per node | bytes per op | nodes traced |", "|---|---:|---:|---:|"]
    for m in memory:
        used, nodes, ops = m["bytes"], m["nodes"], m["ops"]
        lines.append(f"| {m['name']} | {used / nodes:,.0f} | {used / ops:,.0f} | {nodes:,} |")
    return lines
