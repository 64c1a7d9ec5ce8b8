"""Time this engine against micrograd 0.1.0 and hand-written numpy; print markdown tables.

Usage: ``python -m benchmarks.run [--quick] [--only moons,digits,...] [--rounds R]``
(``python benchmarks/run.py`` works too). Each (workload, engine) runs in a fresh ``python``
process of its own, once per round, the engines' order rotated from round to round; every
contender must reproduce the reference's loss and gradients (micrograd's, or hand-written
numpy's where micrograd cannot run: the digits epoch, the CNN) to 1e-9 relative in that process
before it is timed, and one that does not is refused, reported, and the run exits with status 1.
``--json PATH`` saves every child's result; ``--report PATH`` prints a saved run's report again.
This is a benchmark, not a test: nothing asserts a time.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

if __package__ in (None, ""):  # run as a script: make the repository root importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks import measure
from benchmarks import report as rp
from benchmarks import workloads as wl

CHAIN_WORKLOADS: Final = ("chain", "memory")
WORKLOADS: Final = (*wl.STEP_WORKLOADS, *CHAIN_WORKLOADS)
DEFAULT_ONLY: Final = ("moons", "digits", "sample", "epoch", "cnn", "chain", "memory")


@dataclass(frozen=True)
class Config:
    """Sizes, rounds and samples of one run."""

    rounds: int
    sizes: wl.Sizes
    repeats: dict[str, int]  # samples per timing, at least, per workload
    min_seconds: float  # and at least this much timed per timing (fast engines)
    chain_ops: int
    chain_repeats: int
    memory_ops: int


FULL: Final = Config(
    rounds=3,
    sizes=wl.Sizes(moons_points=100, digits_batch=32, sample_batch=16, cnn_batch=32),
    repeats={"moons": 5, "digits": 3, "sample": 3, "epoch": 5, "cnn": 5},
    min_seconds=0.3,
    chain_ops=100_000,
    chain_repeats=3,
    memory_ops=100_000,
)
QUICK: Final = Config(
    rounds=2,
    sizes=wl.Sizes(moons_points=20, digits_batch=4, sample_batch=4, cnn_batch=4),
    repeats=dict.fromkeys(wl.STEP_WORKLOADS, 2),
    min_seconds=0.01,
    chain_ops=10_000,
    chain_repeats=2,
    memory_ops=10_000,
)

GOALS: Final = (
    # (workload, engine, timing, what issue 15 asks, the bound, at least (True) or at most)
    ("moons", "nn", "compute", "part 2: autograd.nn.MLP, moons step, compute only", 15.0, True),
    ("sample", "nn", "compute", "part 2: digits per image, autograd.nn, compute only", 15.0, True),
)
BASE: Final = "base"
"""The engine name of ``--baseline``'s ``autograd.nn``: another commit's, beside this one's."""
BASE_WORKLOADS: Final = ("moons", "digits", "sample")
BASE_GOAL: Final = 2.0  # part 2: the compute-only step twice as fast as the baseline's
PLAN_FORMS: Final = {
    "compiled": "parameters as Values",
    "array": "value_and_grad, parameters in an array",
}
"""The compiled plan's two contenders (``workloads.PLAN_ENGINES``), as the report names them."""
VERSUS_GOALS: Final = (
    ("moons", "part 4: compiled ÷ numpy, moons step, compute only", 2.0),
    ("epoch", "part 4: compiled ÷ numpy, digits epoch, compute only", 2.0),
    ("cnn", "part 4: compiled ÷ numpy im2col, course CNN, compute only", 3.0),
)


# --- child processes -----------------------------------------------------------------------------


BLAS_THREADS: Final = dict.fromkeys(
    ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"), "1"
)
"""Every measuring process runs numpy's BLAS on one thread: on two shared cores a second BLAS
thread made hand-written numpy's epoch vary from 1.7 to 38 ms between rounds; one thread held
about 1.9 ms. Hand-written numpy and the compiled plans both call it, so both get the same."""


class ChildError(RuntimeError):
    """A benchmark process exited with an error (its output is in the message)."""


def run_child(spec: dict[str, Any], cwd: Path = rp.ROOT) -> dict[str, Any]:
    """Run one measure in a fresh interpreter and return the JSON object it printed last.

    ``cwd`` is the folder it imports ``benchmarks`` and ``autograd`` from (the baseline's: a
    folder linking this ``benchmarks`` and another checkout's ``autograd``).
    """
    argv = [sys.executable, "-m", "benchmarks.run", "--child", json.dumps(spec)]
    env = {**os.environ, **BLAS_THREADS}
    done = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True, check=False)
    lines = done.stdout.strip().splitlines()
    if done.returncode != 0 or not lines:
        raise ChildError(
            f"{spec['kind']} {spec.get('workload', '')} {spec.get('engine', '')}: exit status "
            f"{done.returncode}\n{done.stderr.strip()}"
        )
    result: dict[str, Any] = json.loads(lines[-1])
    return result


def baseline_folder(tmp: Path, baseline: Path) -> Path:
    """A folder in ``tmp`` to import from: this ``benchmarks`` and ``baseline``'s ``autograd``."""
    folder = tmp / "baseline"
    folder.mkdir()
    (folder / "benchmarks").symlink_to(rp.ROOT / "benchmarks")
    (folder / "autograd").symlink_to(baseline.resolve() / "autograd")
    return folder


def child_main(text: str) -> int:
    """The child's side: parse the spec, measure, print the result as one JSON line."""
    spec = json.loads(text)
    base = spec.get("engine") == BASE  # another commit's autograd.nn, imported from cwd
    if base:
        spec["engine"] = "nn"
    reference = None
    if spec.get("reference_path"):
        reference = json.loads(Path(spec["reference_path"]).read_text(encoding="utf-8"))
    args = measure.ChildArgs(
        kind=spec["kind"],
        workload=spec.get("workload", ""),
        engine=spec.get("engine", ""),
        sizes=wl.Sizes(**spec.get("sizes", dataclasses.asdict(FULL.sizes))),
        reference=reference,
        repeats=spec.get("repeats", 1),
        min_seconds=spec.get("min_seconds", 0.0),
        ops=spec.get("ops", 0),
    )
    found = measure.child(args)
    if base and "name" in found:
        found["name"] += f" at {spec['base_commit']}"
    if base and "refused" in found:
        found["refused"] = f"the baseline at {spec['base_commit']}: {found['refused']}"
    print(json.dumps(found))
    return 0


# --- the run -------------------------------------------------------------------------------------


@dataclass
class Results:
    """Everything one run found."""

    info: dict[str, str]
    config: Config
    labels: dict[str, str] = field(default_factory=dict)
    series: dict[tuple[str, str], rp.Series] = field(default_factory=dict)
    chain: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    memory: list[dict[str, Any]] = field(default_factory=list)
    floor: dict[str, list[float]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    references: dict[str, dict[str, Any]] = field(default_factory=dict)
    agreed: dict[str, dict[str, float]] = field(default_factory=dict)  # the worst difference
    refused: list[str] = field(default_factory=list)
    raw: list[dict[str, Any]] = field(default_factory=list)


def rotated(items: Sequence[str], by: int) -> list[str]:
    """``items`` started ``by`` places further on: round r runs the engines in this order.

    >>> rotated(["a", "b", "c"], 1)
    ['b', 'c', 'a']
    """
    if not items:
        return []
    k = by % len(items)
    return [*items[k:], *items[:k]]


def say(line: str) -> None:
    """A progress line (stderr: stdout is the report)."""
    print(line, file=sys.stderr, flush=True)


def record(results: Results, spec: dict[str, Any], found: dict[str, Any]) -> None:
    """Add what one child process found (``spec`` asked it) to ``results``.

    A run records every child as it returns; ``--report`` records the children of a run saved
    with ``--json`` in the same order, so both print the same report.
    """
    results.raw.append({"spec": spec, "result": found})
    kind = spec["kind"]
    if kind == "reference":
        _record_reference(results, spec["workload"], found)
    elif kind == "step":
        _record_step(results, spec["workload"], spec["engine"], found)
    elif kind == "chain":
        if "refused" in found:
            results.refused.append(found["refused"])
        else:
            results.chain.setdefault(spec["engine"], []).append(found)
    elif kind == "floor":
        results.floor = found
    elif kind == "memory":
        if "refused" in found:
            results.refused.append(found["refused"])
        else:
            results.memory.append(found)
    else:
        raise ValueError(f"unknown child kind {kind!r}")


def _record_reference(results: Results, workload: str, found: dict[str, Any]) -> None:
    label = wl.STEP_WORKLOADS[workload].label(results.config.sizes)
    if "unavailable" in found:
        results.notes.append(f"{label}: not measured: {found['unavailable']}")
        return
    results.references[workload] = found
    results.labels[workload] = label


def _record_step(results: Results, workload: str, engine: str, found: dict[str, Any]) -> None:
    spec = wl.STEP_WORKLOADS[workload]
    label = results.labels[workload]
    if "unavailable" in found:
        name = spec.names.get(engine, engine)
        results.notes.append(f"{label}: no {name} row: {found['unavailable']}")
        return
    if "refused" in found:
        results.refused.append(f"{label}: {found['refused']}")
        return
    key = (workload, engine)
    if key not in results.series:
        scale = results.config.sizes.sample_batch if workload == "sample" else 1
        results.series[key] = rp.Series(workload, engine, found["name"], scale=scale)
    agreed = results.agreed.setdefault(workload, {})
    agreed[found["name"]] = max(agreed.get(found["name"], 0.0), found["difference"])
    results.series[key].add(found)


class Runner:
    """Starts the child processes of one run, round by round, and collects what they find."""

    def __init__(
        self,
        config: Config,
        only: Sequence[str],
        engines: Sequence[str] | None,
        baseline: Path | None = None,
    ):
        self.config = config
        self.only = list(only)
        self.engines = None if engines is None else list(engines)
        self.results = Results(rp.machine(), config)
        self.references: dict[str, Path] = {}
        self.skip: set[tuple[str, str]] = set()  # refused or unavailable: not run again
        self.tmp = tempfile.TemporaryDirectory(prefix="bench-")
        self.base: Path | None = None  # the folder a baseline child imports from
        self.base_commit = ""
        if baseline is not None:
            self.base = baseline_folder(Path(self.tmp.name), baseline)
            self.base_commit = rp.commit(baseline)
            self.results.info["baseline"] = f"{self.base_commit} ({baseline})"

    def engines_of(self, workload: str) -> list[str]:
        """The workload's engines this run measures."""
        spec = wl.STEP_WORKLOADS[workload]
        chosen = spec.engines if self.engines is None else tuple(self.engines)
        found = [e for e in spec.engines if e in chosen and (workload, e) not in self.skip]
        wanted = self.base is not None and workload in BASE_WORKLOADS
        if wanted and "nn" in found and (workload, BASE) not in self.skip:
            found.insert(found.index("nn") + 1, BASE)
        return found

    def child(self, spec: dict[str, Any]) -> dict[str, Any]:
        """Run one child process and record what it found."""
        if spec.get("engine") == BASE and self.base is not None:
            found = run_child({**spec, "base_commit": self.base_commit}, self.base)
        else:
            found = run_child(spec)
        record(self.results, spec, found)
        return found

    def references_for(self, workload: str) -> bool:
        """Compute the workload's reference loss and gradients once; False if unavailable."""
        sizes = dataclasses.asdict(self.config.sizes)
        found = self.child({"kind": "reference", "workload": workload, "sizes": sizes})
        if "unavailable" in found:
            return False
        path = Path(self.tmp.name) / f"{workload}.json"
        path.write_text(json.dumps(found), encoding="utf-8")
        self.references[workload] = path
        say(f"{workload}: reference loss {found['loss']:.6f} from {found['engine']}")
        return True

    def step(self, workload: str, engine: str) -> None:
        """One round of one engine on one step workload, in its own process."""
        found = self.child(
            {
                "kind": "step",
                "workload": workload,
                "engine": engine,
                "sizes": dataclasses.asdict(self.config.sizes),
                "reference_path": str(self.references[workload]),
                "repeats": self.config.repeats[workload],
                "min_seconds": self.config.min_seconds,
            }
        )
        label = self.results.labels[workload]
        if "unavailable" in found or "refused" in found:
            self.skip.add((workload, engine))
            if "refused" in found:
                say(f"REFUSED {label}: {found['refused']}")
            return
        series = self.results.series[(workload, engine)]
        say(
            f"  {label:<44} {found['name']:<40} loop {rp.fmt_time(series.rounds['loop'][-1]):>9}"
            f"  compute {rp.fmt_time(series.rounds['compute'][-1]):>9}"
        )

    def chain(self, engine: str) -> None:
        """One round of the chain for one engine."""
        found = self.child(
            {
                "kind": "chain",
                "engine": engine,
                "ops": self.config.chain_ops,
                "repeats": self.config.chain_repeats,
            }
        )
        if "refused" in found:
            self.skip.add(("chain", engine))
            say(f"REFUSED {found['refused']}")
            return
        total = rp.chain_rounds(found, "on")[3]
        say(
            f"  {'chain of ' + format(self.config.chain_ops, ',') + ' ops':<44} "
            f"{found['name']:<40} total {rp.fmt_time(total):>9}"
        )

    def run(self) -> Results:
        """Every chosen workload, in rounds; then memory and the floor, once each."""
        steps = [w for w in wl.STEP_WORKLOADS if w in self.only]
        steps = [w for w in steps if self.references_for(w)]
        chain_engines = [e for e in ("micrograd", "ours") if "chain" in self.only]
        for r in range(self.config.rounds):
            say(f"round {r + 1} of {self.config.rounds}")
            for workload in steps:
                for engine in rotated(self.engines_of(workload), r):
                    self.step(workload, engine)
            for engine in rotated(chain_engines, r):
                if ("chain", engine) not in self.skip:
                    self.chain(engine)
        if "chain" in self.only:
            self.child(
                {
                    "kind": "floor",
                    "ops": self.config.chain_ops,
                    "repeats": self.config.chain_repeats,
                }
            )
        if "memory" in self.only:
            for engine in ("micrograd", "ours"):
                self.child({"kind": "memory", "engine": engine, "ops": self.config.memory_ops})
        self.results.info["load_end"] = rp.load_average()
        self.tmp.cleanup()
        return self.results


def saved_run(path: Path) -> tuple[Results, float | None]:
    """The results of a run saved with ``--json``, recorded again child by child; its time."""
    data = json.loads(path.read_text(encoding="utf-8"))
    saved = data["config"]
    config = Config(**{**saved, "sizes": wl.Sizes(**saved["sizes"])})
    results = Results(dict(data["machine"]), config)
    for item in data["raw"]:
        record(results, item["spec"], item["result"])
    return results, data.get("elapsed")


# --- what the run found, as text -----------------------------------------------------------------


def epoch_scaled(results: Results) -> list[rp.Series]:
    """micrograd's and the fused engine's digits-step figures scaled to 1,797 images: not run."""
    scaled = []
    batch = results.config.sizes.digits_batch
    factor = wl.DIGITS_IMAGES / batch
    for engine in ("micrograd", "fused"):
        source = results.series.get(("digits", engine))
        if source is None:
            continue
        s = rp.Series(
            "epoch", engine, source.name, note=f": batch step × {wl.DIGITS_IMAGES}/{batch}, not run"
        )
        s.rounds = {t: [v * factor for v in source.rounds[t]] for t in rp.TIMINGS}
        scaled.append(s)
    return scaled


def ordered_series(results: Results) -> list[rp.Series]:
    """Every measured series in table order, the epoch's scaled rows first in its block."""
    rows: list[rp.Series] = []
    for workload, spec in wl.STEP_WORKLOADS.items():
        if workload == "epoch" and workload in results.labels:  # the epoch measured too
            rows.extend(epoch_scaled(results))
        engines = [*spec.engines]
        if "nn" in engines:  # the baseline's row right below this commit's
            engines.insert(engines.index("nn") + 1, BASE)
        rows.extend(
            results.series[(workload, e)] for e in engines if (workload, e) in results.series
        )
    return rows


def goal_lines(results: Results) -> list[str]:
    """Issue 15's targets, each beside what this run measured."""
    lines = []
    for workload, engine, timing, what, bound, at_least in GOALS:
        mine, theirs = (
            results.series.get((workload, engine)),
            results.series.get((workload, "micrograd")),
        )
        if mine is None or theirs is None:
            lines.append(f"{what}: not measured (target ≥ {bound:g}× micrograd)")
            continue
        ratio = rp.median_ratio(theirs, mine, timing)
        shown = rp.fmt_ratio(ratio, rp.ratios(theirs, mine, timing))
        met = (
            "met"
            if ratio is not None and (ratio >= bound if at_least else ratio <= bound)
            else "not met"
        )
        lines.append(f"{what}: {shown} micrograd (target ≥ {bound:g}×: {met})")
    for workload in BASE_WORKLOADS:
        base, mine = results.series.get((workload, BASE)), results.series.get((workload, "nn"))
        if base is None or mine is None:
            continue
        ratio = rp.median_ratio(base, mine, "compute")
        shown = rp.fmt_ratio(ratio, rp.ratios(base, mine, "compute"))
        met = "met" if ratio is not None and ratio >= BASE_GOAL else "not met"
        lines.append(
            f"part 2: autograd.nn, {workload} step, compute only, this commit against "
            f"{results.info.get('baseline', 'the baseline')}: {shown} faster "
            f"(target ≥ {BASE_GOAL:g}×: {met})"
        )
    for workload, what, bound in VERSUS_GOALS:
        for engine, form in PLAN_FORMS.items():
            numpy_s, plan = (
                results.series.get((workload, "numpy")),
                results.series.get((workload, engine)),
            )
            if numpy_s is None or plan is None:
                lines.append(f"{what}, {form}: not measured (target ≤ {bound:g}×)")
                continue
            ratio = rp.median_ratio(plan, numpy_s, "compute")
            shown = rp.fmt_ratio(ratio, rp.ratios(plan, numpy_s, "compute"))
            met = "met" if ratio is not None and ratio <= bound else "not met"
            lines.append(f"{what}, {form}: {shown} (target ≤ {bound:g}×: {met})")
    return lines


def agreement_notes(results: Results) -> list[str]:
    """Per workload: the reference's loss and how closely every timed engine matched it."""
    notes = []
    for workload, agreed in results.agreed.items():
        ref = results.references[workload]
        others = {name: d for name, d in agreed.items() if name != ref["engine"]}
        if not others:
            continue
        notes.append(
            f"{results.labels[workload]}: loss {ref['loss']:.6f} and {len(ref['grads'])} "
            f"gradients agree with {ref['engine']} to {max(others.values()):.1e} relative "
            f"(limit {measure.TOLERANCE:g}) in: " + "; ".join(others)
        )
    return notes


def floor_note(results: Results) -> str | None:
    """The chain's backward floor beside micrograd's backward."""
    if not results.floor or "micrograd" not in results.chain:
        return None
    sweep = statistics.median(results.floor["sweep"])
    walk = statistics.median(results.floor["walk"])
    mg_backward = statistics.median(rp.chain_rounds(r, "on")[1] for r in results.chain["micrograd"])
    return (
        f"chain backward, the interpreter's floor: a bare reverse sweep over an order computed "
        f"beforehand (per op node one call of its table rule and two multiply-adds into .grad, no "
        f"bookkeeping) takes {rp.fmt_time(sweep)}, {mg_backward / sweep:.1f}x faster than "
        f"micrograd's backward; the least walk that finds the op nodes (one dict entry per node, "
        f"no counting) takes {rp.fmt_time(walk)}. A backward that finds its order by walking the "
        f"graph therefore cannot beat {mg_backward / (sweep + walk):.1f}x micrograd here"
    )


SUMMARY: Final = (
    # (workload, engine, what the README calls the row)
    ("moons", "nn", "moons step (MLP 2-16-16-1, {moons} points), `autograd.nn.MLP`"),
    ("moons", "plain", "the same, micrograd's graph (a node per `*` and `+`, no fused `dot`)"),
    ("digits", "nn", "digits step (MLP 64-32-10, softmax CE, {digits} images in one graph)"),
    ("sample", "nn", "digits, per image ({sample} images, one graph each), time per image"),
)


def versus_cell(results: Results, workload: str, numpy_name: str) -> str | None:
    """The compiled plan's compute-only times and ratios to numpy's, parameters as Values and
    in an array: ``1 ms; 2× numpy (value_and_grad: 0.5 ms; 1× numpy)``."""
    numpy_s = results.series.get((workload, "numpy"))
    cells = []
    for engine in PLAN_FORMS:
        plan_s = results.series.get((workload, engine))
        if numpy_s is None or plan_s is None:
            continue
        ratio = rp.fmt_ratio(
            rp.median_ratio(plan_s, numpy_s, "compute"), rp.ratios(plan_s, numpy_s, "compute")
        )
        cells.append(f"{rp.fmt_time(plan_s.median('compute'))}; {ratio} {numpy_name}")
    if not cells:
        return None
    return cells[0] if len(cells) == 1 else f"{cells[0]} (value_and_grad: {cells[1]})"


def summary_table(results: Results) -> list[str]:
    """The README's table: the headline rows, both timings, the compiled plan beside them."""
    sizes = results.config.sizes
    lines = [
        "| workload | timing | micrograd 0.1.0 | this engine | micrograd ÷ this "
        "| compiled (numpy batch) |",
        "|---|---|---:|---:|---:|---:|",
    ]
    for workload, engine, what in SUMMARY:
        mine = results.series.get((workload, engine))
        theirs = results.series.get((workload, "micrograd"))
        if mine is None or theirs is None:
            continue
        compiled = results.series.get((workload, "compiled")) if engine == "nn" else None
        shown = what.format(
            moons=sizes.moons_points, digits=sizes.digits_batch, sample=sizes.sample_batch
        )
        for t in rp.TIMINGS:
            ratio = rp.fmt_ratio(rp.median_ratio(theirs, mine, t), rp.ratios(theirs, mine, t))
            plan = "—" if compiled is None else rp.fmt_time(compiled.median(t))
            if t == "compute" and workload == "moons" and compiled is not None:
                plan = versus_cell(results, workload, "hand-written numpy") or plan
            lines.append(
                f"| {shown} | {rp.TIMING_NAMES[t]} | {rp.fmt_time(theirs.median(t))} "
                f"| {rp.fmt_time(mine.median(t))} | {ratio} | {plan} |"
            )
            shown = ""
    if results.chain.get("micrograd") and results.chain.get("ours"):
        for mode, name in rp.CHAIN_MODES.items():
            theirs_c = [rp.chain_rounds(r, mode)[3] for r in results.chain["micrograd"]]
            mine_c = [rp.chain_rounds(r, mode)[3] for r in results.chain["ours"]]
            per_round = [a / b for a, b in zip(theirs_c, mine_c, strict=False)]
            a, b = statistics.median(theirs_c), statistics.median(mine_c)
            label = f"{results.config.chain_ops:,}-op chain, build + backward + free"
            lines.append(
                f"| {label if mode == 'on' else ''} | {name} | {rp.fmt_time(a)} "
                f"| {rp.fmt_time(b)} | {rp.fmt_ratio(a / b, per_round)} | — |"
            )
    epoch = versus_cell(results, "epoch", "hand-written numpy")
    if epoch is not None:
        lines.append(
            f"| one digits epoch, {wl.DIGITS_IMAGES:,} images, full batch | compute only | — "
            f"| — | — | {epoch} |"
        )
    cnn = versus_cell(results, "cnn", "hand-written numpy im2col")
    if cnn is not None:
        scalar = results.series.get(("cnn", "nn"))
        shown = "—" if scalar is None else rp.fmt_time(scalar.median("compute"))
        lines.append(
            f"| course CNN step (`examples/cnn_digits.py`'s network, {sizes.cnn_batch} images) "
            f"| compute only | — | {shown} | — | {cnn} |"
        )
    if len(results.memory) == 2:  # micrograd's and ours
        mg, ours = results.memory
        less = mg["bytes"] / ours["bytes"]
        lines.append(
            f"| memory per op (result node + its constant) | — | {mg['bytes'] / mg['ops']:,.0f} B "
            f"| {ours['bytes'] / ours['ops']:,.0f} B | {less:.2g}× less | — |"
        )
    return lines


def report_lines(results: Results, elapsed: float | None) -> list[str]:
    """The whole report: machine, goals, notes, tables, refusals."""
    cfg = results.config
    lines = rp.header_lines(results.info)
    if elapsed is not None:
        lines.append(f"Total time: {elapsed:.0f} s")
    lines.append("")
    lines.append(
        f"{cfg.rounds} rounds; each (workload, engine) a fresh process per round, engines in "
        "rotated order. training loop = steps back to back, collector on; compute only = "
        f"gc.collect() before each sample (one step; numpy and compiled: {wl.FAST_INNER}), "
        "untimed, collector on during it. Figures: median over rounds of each process's median; "
        "ratios: of those medians, with the min–max of the per-round ratios."
    )
    if cfg.sizes.check_every != wl.PLAN_CHECK_EVERY:
        lines.append(
            f"The compiled plans re-check every {cfg.sizes.check_every} steps (0: never; "
            f"--check-every), not every {wl.PLAN_CHECK_EVERY} as compile_loss does by default."
        )
    lines += ["", "Issue 15's targets:", *(f"- {g}" for g in goal_lines(results)), ""]
    lines += [f"- {n}" for n in [*agreement_notes(results), *results.notes]]
    floor = floor_note(results)
    if floor:
        lines.append(f"- {floor}")
    rows = ordered_series(results)
    if rows:
        labels = dict(results.labels)
        lines += ["", *rp.step_table(rows, labels)]
    pairs = [
        (
            results.labels[w] + ("" if engine == "compiled" else ", value_and_grad"),
            results.series[(w, "numpy")],
            results.series[(w, engine)],
        )
        for w in wl.STEP_WORKLOADS
        for engine in PLAN_FORMS
        if (w, "numpy") in results.series and (w, engine) in results.series
    ]
    if pairs:
        lines += ["", *rp.versus_table(pairs)]
    if results.chain:
        names = {e: measure.CHAIN_ENGINES[e][0] for e in results.chain}
        lines += ["", *rp.chain_table(f"chain of {cfg.chain_ops:,} ops", results.chain, names)]
    if results.memory:
        lines += ["", *rp.memory_table(results.memory)]
    summary = summary_table(results)
    if len(summary) > 2:  # more than the table's head
        lines += ["", "For the README:", "", *summary]
    lines += [f"REFUSED: {r}" for r in results.refused]
    return lines


# --- main ----------------------------------------------------------------------------------------


def add_selection(
    parser: argparse.ArgumentParser,
    workloads: Sequence[str],
    only: Sequence[str],
    engines: Sequence[str] | None,
) -> None:
    """Add ``--only`` and ``--engines`` (None: every engine of each workload)."""
    parser.add_argument(
        "--only",
        default=",".join(only),
        help=f"comma-separated subset of {','.join(workloads)}",
    )
    parser.add_argument(
        "--engines",
        default=None if engines is None else ",".join(engines),
        help=f"comma-separated subset of {','.join(wl.ALL_ENGINES)} (step workloads)",
    )
    parser.add_argument(
        "--check-every",
        type=int,
        default=None,
        help=f"the compiled plans re-check every N steps (default {wl.PLAN_CHECK_EVERY}, 0: never)",
    )


def check_common(
    parser: argparse.ArgumentParser, args: argparse.Namespace, workloads: Sequence[str]
) -> None:
    """Refuse (exit 2, naming the flag) an unknown workload or engine, a --baseline without a
    package, a negative --check-every: the checks of the flags ``run`` and ``instructions``
    share."""
    if args.baseline is not None and not (args.baseline / "autograd" / "__init__.py").is_file():
        parser.error(f"--baseline {args.baseline}: no autograd package there (a checkout's root)")
    unknown = set(args.only.split(",")) - set(workloads)
    if unknown:
        parser.error(f"unknown workload(s) {sorted(unknown)} (must be among {list(workloads)})")
    if args.check_every is not None and args.check_every < 0:
        parser.error(f"--check-every must be 0 (never) or more, got {args.check_every}")
    if args.engines is not None:
        bad = set(args.engines.split(",")) - set(wl.ALL_ENGINES)
        if bad:
            parser.error(f"unknown engine(s) {sorted(bad)} (must be among {list(wl.ALL_ENGINES)})")


def parse(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument(
        "--quick", action="store_true", help="small sizes: a smoke run (about 25 s)"
    )
    add_selection(parser, WORKLOADS, DEFAULT_ONLY, None)
    parser.add_argument("--rounds", type=int, default=None, help="rounds (fresh processes each)")
    parser.add_argument("--repeats", type=int, default=None, help="samples per timing, at least")
    parser.add_argument("--chain-ops", type=int, default=None, help="length of the chain (2, 3)")
    parser.add_argument("--digits-batch", type=int, default=None, help="images per digits step")
    parser.add_argument("--sample-batch", type=int, default=None, help="images per per-image step")
    parser.add_argument("--cnn-batch", type=int, default=None, help="images per CNN step")
    parser.add_argument("--json", type=Path, default=None, help="also write every sample here")
    parser.add_argument(
        "--report",
        type=Path,
        default=None,
        metavar="JSON",
        help="measure nothing: print the report of a run saved with --json",
    )
    parser.add_argument(
        "--baseline",
        type=Path,
        default=None,
        metavar="DIR",
        help="a checkout of another commit (git worktree add DIR 17172b2): its autograd.nn is "
        "timed beside this one's on the moons, digits and per-image steps, in the same rounds",
    )
    parser.add_argument("--child", default=None, help=argparse.SUPPRESS)  # internal: one measure
    args = parser.parse_args(argv)
    check_common(parser, args, WORKLOADS)
    for flag in ("rounds", "repeats", "chain_ops", "digits_batch", "sample_batch", "cnn_batch"):
        value = getattr(args, flag)
        if value is not None and value < 1:
            parser.error(f"--{flag.replace('_', '-')} must be at least 1, got {value}")
    return args


def configure(args: argparse.Namespace) -> Config:
    """The run's configuration: FULL or QUICK, with the command line's overrides."""
    cfg = QUICK if args.quick else FULL
    sizes = dataclasses.replace(
        cfg.sizes,
        digits_batch=args.digits_batch or cfg.sizes.digits_batch,
        sample_batch=args.sample_batch or cfg.sizes.sample_batch,
        cnn_batch=args.cnn_batch or cfg.sizes.cnn_batch,
        check_every=cfg.sizes.check_every if args.check_every is None else args.check_every,
    )
    repeats = cfg.repeats if args.repeats is None else dict.fromkeys(cfg.repeats, args.repeats)
    return dataclasses.replace(
        cfg,
        rounds=args.rounds or cfg.rounds,
        sizes=sizes,
        repeats=repeats,
        chain_ops=args.chain_ops or cfg.chain_ops,
        memory_ops=args.chain_ops or cfg.memory_ops,
        chain_repeats=args.repeats or cfg.chain_repeats,
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Run the chosen workloads, print the tables; exit status 1 if a contender was refused."""
    args = parse(argv)
    if args.child is not None:
        return child_main(args.child)
    if args.report is not None:
        saved, took = saved_run(args.report)
        print("\n".join(report_lines(saved, took)))
        return 1 if saved.refused else 0
    config = configure(args)
    engines = None if args.engines is None else args.engines.split(",")
    runner = Runner(config, args.only.split(","), engines, args.baseline)
    for line in rp.header_lines(runner.results.info):
        say(line)
    begin = time.perf_counter()
    try:
        results = runner.run()
    except ChildError as err:
        print(f"FAILED: {err}", file=sys.stderr)
        return 2
    elapsed = time.perf_counter() - begin
    print("\n".join(report_lines(results, elapsed)))
    if args.json is not None:
        args.json.write_text(
            json.dumps(
                {
                    "machine": results.info,
                    "config": dataclasses.asdict(config),
                    "elapsed": elapsed,
                    "raw": results.raw,
                },
                indent=1,
            ),
            encoding="utf-8",
        )
    return 1 if results.refused else 0


if __name__ == "__main__":
    sys.exit(main())
