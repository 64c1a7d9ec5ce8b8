"""The benchmark harness checks, runs and reports; no test here asserts a time."""

from __future__ import annotations

import dataclasses
import functools
import importlib.util
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest

pytest.importorskip("micrograd")  # the benchmark's reference engine (the dev and bench extras)

from micrograd.engine import Value as MgValue  # type: ignore[import-untyped]  # after the skip

from benchmarks import measure, run
from benchmarks import report as rp
from benchmarks import workloads as wl

ROOT = Path(__file__).resolve().parent.parent


def module(name: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", name, *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return module("benchmarks.run", *args)


def test_a_child_checks_its_engine_then_reports_both_timings_as_json(tmp_path: Path) -> None:
    """One child process: checked against the reference, then loop and compute samples."""
    sizes = {"moons_points": 8, "digits_batch": 2, "sample_batch": 2, "cnn_batch": 2}
    reference = bench(
        "--child", json.dumps({"kind": "reference", "workload": "moons", "sizes": sizes})
    )
    assert reference.returncode == 0, reference.stderr
    found = json.loads(reference.stdout.splitlines()[-1])
    assert found["engine"] == "micrograd 0.1.0"
    assert len(found["grads"]) == 337  # MLP 2-16-16-1
    path = tmp_path / "reference.json"
    path.write_text(json.dumps(found), encoding="utf-8")
    spec: dict[str, Any] = {"kind": "step", "workload": "moons", "engine": "nn"}
    spec["sizes"] = sizes
    spec |= {"reference_path": str(path), "repeats": 2, "min_seconds": 0.0}
    timed = bench("--child", json.dumps(spec))
    assert timed.returncode == 0, timed.stderr
    result = json.loads(timed.stdout.splitlines()[-1])
    assert result["name"] == "ours, autograd.nn.MLP"
    assert result["difference"] < 1e-9
    assert len(result["loop"]) == 2
    assert len(result["compute"]) == 2
    assert all(t > 0 for t in result["loop"] + result["compute"])


def test_a_child_refuses_an_engine_that_disagrees_with_the_reference(tmp_path: Path) -> None:
    """A reference the engine does not reproduce: the child refuses and reports no samples."""
    sizes = {"moons_points": 8, "digits_batch": 2, "sample_batch": 2, "cnn_batch": 2}
    path = tmp_path / "reference.json"
    wrong = {"engine": "a wrong reference", "loss": 123.0, "grads": [0.0] * 337}
    path.write_text(json.dumps(wrong), encoding="utf-8")
    spec: dict[str, Any] = {"kind": "step", "workload": "moons", "engine": "numpy"}
    spec["sizes"] = sizes
    spec |= {"reference_path": str(path), "repeats": 1}
    result = json.loads(bench("--child", json.dumps(spec)).stdout.splitlines()[-1])
    assert "differs from a wrong reference" in result["refused"]
    assert "loop" not in result


def test_a_tiny_run_prints_the_machine_and_both_tables() -> None:
    """Two rounds of two engines, each its own process: header, ratios with ranges, tables."""
    done = bench(
        "--quick", "--only", "moons,memory", "--engines", "micrograd,numpy", "--repeats", "1"
    )
    assert done.returncode == 0, done.stderr
    report = done.stdout
    for expected in (
        "Machine: ",
        "Load average at the start: ",
        "Load average at the end: ",
        "Commit ",
        "2 rounds; each (workload, engine) a fresh process per round",
        "| workload | engine | training loop | micrograd ÷ this | compute only |",
        "| moons step, 20 points | micrograd 0.1.0 | ",
        "| engine | bytes per node | bytes per op | nodes traced |",
    ):
        assert expected in report
    numpy_row = next(line for line in report.splitlines() if "| numpy, hand-written |" in line)
    assert "× (" in numpy_row  # a ratio with its per-round range
    assert "round 2 of 2" in done.stderr  # progress goes to stderr, the report to stdout


def test_a_baseline_checkout_is_timed_beside_this_one_and_named(tmp_path: Path) -> None:
    """--baseline DIR: that checkout's autograd.nn is a row of its own, checked, with its goal.

    The baseline here is a copy of this package with its dot forward made wrong by 1 %, so the
    baseline child imports that copy and not this one: the check refuses it (exit 1).
    """
    copy = tmp_path / "other"
    shutil.copytree(ROOT / "autograd", copy / "autograd")
    ops_file = copy / "autograd" / "ops.py"
    text = ops_file.read_text(encoding="utf-8")
    line = "        total += w.data * x.data\n"
    wrong = text.replace(line, line.replace("x.data", "x.data * 1.01"))
    assert wrong != text
    ops_file.write_text(wrong, encoding="utf-8")
    done = bench("--quick", "--only", "moons", "--engines", "micrograd,nn", "--repeats", "1",
                 "--rounds", "1", "--baseline", str(copy))  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert "Baseline (--baseline): " in done.stdout
    assert "REFUSED" in done.stdout
    assert "the baseline at " in done.stdout
    ops_file.write_text(text, encoding="utf-8")  # the same code: checked, timed, compared
    done = bench("--quick", "--only", "moons", "--engines", "micrograd,nn", "--repeats", "1",
                 "--rounds", "1", "--baseline", str(copy))  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("|")]
    row = next(line for line in rows if "autograd.nn.MLP at unknown" in line)  # no git: unknown
    assert row.count("×") == 2  # both timings, each against micrograd
    assert "this commit against " in done.stdout
    assert "(target ≥ 2×: " in done.stdout


def test_a_baseline_without_a_package_is_refused_by_name(tmp_path: Path) -> None:
    done = bench("--baseline", str(tmp_path))
    assert done.returncode == 2
    assert f"--baseline {tmp_path}: no autograd package there" in done.stderr


# --- in one process: the contenders, the check, the report -------------------------------------

TINY_SIZES = wl.Sizes(moons_points=8, digits_batch=2, sample_batch=2, cnn_batch=2)


@pytest.fixture(scope="module", autouse=True)
def _micrograd_as_it_was() -> Iterator[None]:
    """The digits contenders give micrograd's Value exp and log; take them away afterwards."""
    had = hasattr(MgValue, "log")
    yield
    if not had and hasattr(MgValue, "log"):
        del MgValue.exp, MgValue.log


@functools.cache
def reference(workload: str) -> dict[str, Any]:
    return measure.reference_child(workload, TINY_SIZES)


@pytest.mark.parametrize(
    ("workload", "engine"),
    [(w, e) for w, spec in wl.STEP_WORKLOADS.items() for e in spec.engines],
)
def test_every_contender_matches_its_reference_and_its_step_starts_from_the_same_weights(
    workload: str, engine: str
) -> None:
    """What the timing child checks, in-process; then a step moves the weights, reset undoes it."""
    c = wl.STEP_WORKLOADS[workload].build(engine, TINY_SIZES)
    loss, grads = c.loss_and_grads()
    worst, refused = measure.disagreement(loss, grads, reference(workload), c.name)
    assert refused is None
    assert worst <= measure.TOLERANCE
    assert any(g != 0.0 for g in grads)
    # numpy's and the plan's steps (a millisecond or less) are timed 50 to a sample, alike
    assert c.inner == (wl.FAST_INNER if engine in ("numpy", *wl.PLAN_ENGINES) else 1)
    c.reset()
    first = c.step()  # the loss before the update: the checked weights' loss
    assert measure.relative_difference(first, loss) < 1e-12
    assert c.step() != first  # the update changed the weights
    # loss_and_grads resets first. Not bit for bit: micrograd sorts its graph through sets of
    # nodes (hashed by address), so its sums of gradients may add in another order each time.
    again = {"engine": "the first call", "loss": loss, "grads": grads}
    assert measure.disagreement(*c.loss_and_grads(), again, c.name)[1] is None


def test_the_check_refuses_a_gradient_off_by_1e_8_and_keeps_rounding_noise_at_zero() -> None:
    """The timing child's check: 1e-9 relative, except around zero, where the scale counts."""
    ref = reference("cnn")
    grads = list(ref["grads"])
    big = max(range(len(grads)), key=lambda i: abs(grads[i]))
    assert measure.disagreement(ref["loss"], grads, ref, "same")[1] is None

    off = list(grads)
    off[big] *= 1 + 1e-8
    worst, refused = measure.disagreement(ref["loss"], off, ref, "off")
    assert refused is not None
    assert "off differs from numpy, hand-written im2col" in refused
    assert worst == pytest.approx(1e-8, rel=1e-3)

    worst, refused = measure.disagreement(ref["loss"] * (1 + 1e-8), grads, ref, "loss off")
    assert refused is not None

    refused = measure.disagreement(ref["loss"], grads[:-1], ref, "short")[1]
    assert refused == f"short has {len(grads) - 1} gradients, the reference {len(grads)}"

    # a sum that cancels: -1.4e-17 against 0.0 is rounding at the numbers' scale (1.0); 1e-9
    # against 0.0 is a thousandth of the floor (1e-6 of that scale), far above it: refused
    scaled = {"engine": "a reference", "loss": 1.0, "grads": [0.5, 0.0]}
    assert measure.disagreement(1.0, [0.5, -1.4e-17], scaled, "noise")[1] is None
    assert measure.disagreement(1.0, [0.5, 1e-9], scaled, "a real difference")[1] is not None


def test_a_timing_child_refuses_a_contender_one_gradient_off() -> None:
    """The compiled CNN against a reference with one gradient moved by 1e-7: never timed."""
    ref = dict(reference("cnn"))
    grads = list(ref["grads"])
    grads[0] = grads[0] * (1 + 1e-7) + 1e-7
    ref["grads"] = grads
    found = measure.step_child("cnn", "compiled", TINY_SIZES, ref, repeats=1, min_seconds=0.0)
    assert set(found) == {"refused", "name"}
    assert found["name"] == wl.COMPILED_NAME
    timed = measure.step_child(
        "cnn", "compiled", TINY_SIZES, reference("cnn"), repeats=1, min_seconds=0.0
    )
    assert timed["difference"] <= measure.TOLERANCE
    assert timed["gradients"] == 1370
    assert len(timed["loop"]) == len(timed["compute"]) == 1


def test_the_cnn_workload_is_the_demos_network_with_its_initial_weights() -> None:
    """examples/cnn_digits.py's model(): the same layers and the same 1,370 starting numbers."""
    spec = importlib.util.spec_from_file_location("_cnn_demo", ROOT / "examples" / "cnn_digits.py")
    assert spec is not None
    assert spec.loader is not None
    demo = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(demo)
    ours, theirs = wl.course_cnn(), demo.model()
    assert ours.config() == theirs.config()
    assert [p.data for p in ours.parameters()] == [p.data for p in theirs.parameters()]
    assert wl.cnn_weights(ours).flat() == [p.data for p in ours.parameters()]


def test_im2col_puts_each_padded_window_in_one_row() -> None:
    """Window (i, j) of image b is row (b * 8 + i) * 8 + j, its pixels row-major, zero padded."""
    images = np.arange(2 * 64, dtype=np.float64).reshape(2, 64)
    cols = wl.im2col(images)
    assert cols.shape == (2 * 64, 9)
    picture = images[1].reshape(8, 8)
    assert cols[64 + 3 * 8 + 5].tolist() == picture[2:5, 4:7].ravel().tolist()
    first = images[0].reshape(8, 8)
    assert cols[0].tolist() == [0.0, 0.0, 0.0, 0.0, *first[0, :2], 0.0, *first[1, :2]]


def _fake_run(tmp_path: Path, refused: bool = False) -> Path:
    """A saved run (what --json writes) with made-up samples: two rounds, three workloads."""
    config = dataclasses.asdict(run.QUICK)
    machine = {
        "cpu": "a test CPU",
        "cores": "2",
        "platform": "test",
        "python": "3.11",
        "numpy": "2",
        "micrograd": "0.1.0",
        "commit": "abc1234",
        "date": "2026-12-01 12:00 UTC",
        "load_start": "0.10, 0.20, 0.30",
        "load_end": "0.40, 0.50, 0.60",
    }

    def step(workload: str, engine: str, name: str, seconds: float) -> dict[str, Any]:
        return {
            "spec": {"kind": "step", "workload": workload, "engine": engine},
            "result": {
                "name": name,
                "difference": 1e-15,
                "gradients": 3,
                "loop": [seconds] * 3,
                "compute": [seconds / 2] * 3,
            },
        }

    grads = {"loss": 1.0, "grads": [0.1, 0.2, 0.3]}
    raw = [
        {
            "spec": {"kind": "reference", "workload": "moons"},
            "result": {"engine": "micrograd 0.1.0", **grads},
        },
        {
            "spec": {"kind": "reference", "workload": "cnn"},
            "result": {"engine": "numpy, hand-written im2col", **grads},
        },
        {
            "spec": {"kind": "reference", "workload": "epoch"},
            "result": {"unavailable": "a reason given by the child"},
        },
    ]
    for mg_seconds in (0.1, 0.12):  # micrograd's two rounds: 10x and 12x the engine's 0.01
        raw += [
            step("moons", "micrograd", "micrograd 0.1.0", mg_seconds),
            step("moons", "nn", "ours, autograd.nn.MLP", 0.01),
            step("cnn", "numpy", "numpy, hand-written im2col", 0.001),
            step("cnn", "compiled", wl.COMPILED_NAME, 0.0025),
        ]
    if refused:
        raw.append(
            {
                "spec": {"kind": "step", "workload": "moons", "engine": "plain"},
                "result": {"name": "ours, micrograd's graph", "refused": "it was wrong"},
            }
        )
    path = tmp_path / "bench.json"
    doc = {"machine": machine, "config": config, "elapsed": 12.0, "raw": raw}
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def test_a_saved_run_renders_its_tables_ratios_and_targets(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--report: medians over rounds, ratios with the per-round range, compiled ÷ numpy."""
    assert run.main(["--report", str(_fake_run(tmp_path))]) == 0
    report = capsys.readouterr().out
    for expected in (
        "Machine: a test CPU, 2 cores, test",
        "Commit abc1234, 2026-12-01 12:00 UTC",
        "Load average at the end: 0.40, 0.50, 0.60",
        "Total time: 12 s",
        "2 rounds; each (workload, engine) a fresh process per round",
        # micrograd's median 0.11 s over the engine's 0.01 s; per round 10x and 12x
        "| moons step, 20 points | micrograd 0.1.0 | 110 ms | 1× | 55 ms | 1× |",
        "|  | ours, autograd.nn.MLP | 10 ms | 11× (10–12) | 5 ms | 11× (10–12) |",
        "| course CNN step, batch 4 | numpy, hand-written im2col | 1 ms | -- | 500 µs | -- |",
        "| course CNN step, batch 4 | 500 µs | 1.25 ms | 2.5× (2.5–2.5) | 2.5× (2.5–2.5) |",
        "part 2: autograd.nn.MLP, moons step, compute only: 11× (10–12) micrograd "
        "(target ≥ 15×: not met)",
        "part 4: compiled ÷ numpy im2col, course CNN, compute only, parameters as Values: "
        "2.5× (2.5–2.5) (target ≤ 3×: met)",
        "part 4: compiled ÷ numpy im2col, course CNN, compute only, value_and_grad, parameters "
        "in an array: not measured",
        "part 4: compiled ÷ numpy, digits epoch, compute only, parameters as Values: not measured",
        "digits epoch, 1,797 images (full batch): not measured: a reason given by the child",
        "| course CNN step (`examples/cnn_digits.py`'s network, 4 images) | compute only | — "
        "| — | — | 1.25 ms; 2.5× (2.5–2.5) hand-written numpy im2col |",
    ):
        assert expected in report
    assert "REFUSED" not in report


def test_a_saved_run_with_a_refused_contender_says_so_and_exits_1(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run.main(["--report", str(_fake_run(tmp_path, refused=True))]) == 1
    report = capsys.readouterr().out
    assert "REFUSED: moons step, 20 points: it was wrong" in report


def test_the_smallest_run_of_the_cnn_exits_0_and_its_saved_json_reports_the_same(
    tmp_path: Path,
) -> None:
    """One round, one sample: a reference and three timing processes; --report repeats it."""
    saved = tmp_path / "run.json"
    done = bench(
        "--quick", "--only", "cnn", "--rounds", "1", "--repeats", "1", "--json", str(saved)
    )
    assert done.returncode == 0, done.stderr
    for name in wl.CNN_NAMES.values():
        assert f"| {name} |" in done.stdout
    for form in run.PLAN_FORMS.values():
        assert f"part 4: compiled ÷ numpy im2col, course CNN, compute only, {form}: " in done.stdout
    assert "REFUSED" not in done.stdout
    again = bench("--report", str(saved))
    assert again.returncode == 0, again.stderr
    assert again.stdout == done.stdout


def instructions(*args: str) -> subprocess.CompletedProcess[str]:
    return module("benchmarks.instructions", *args, timeout=300)


@pytest.mark.skipif(shutil.which("valgrind") is None, reason="valgrind is not installed")
def test_instructions_counts_a_step_under_callgrind_and_prints_it_in_a_table() -> None:
    """Two programs under callgrind, with and without the steps: their difference is a step."""
    done = instructions("--quick", "--only", "moons", "--engines", "numpy", "--steps", "2")
    assert done.returncode == 0, done.stderr
    row = next(line for line in done.stdout.splitlines() if "numpy, hand-written" in line)
    millions = float(row.split("|")[3].split()[0])
    # A hand-written numpy step on 20 points: a few dozen numpy calls of a few thousand
    # instructions each; the interpreter's start and numpy's import (about 1e9) cancel out.
    assert 0.05 < millions < 5, row


def test_instructions_refuses_bad_arguments_by_name(tmp_path: Path) -> None:
    for args, said in [
        (("--steps", "0"), "--steps must be at least 1, got 0"),
        (("--only", "moon"), "unknown workload(s) ['moon']"),
        (("--engines", "jax"), "unknown engine(s) ['jax']"),
        (("--baseline", str(tmp_path)), "no autograd package there"),
        (("--check-every", "-1"), "--check-every must be 0 (never) or more, got -1"),
    ]:
        done = instructions(*args)
        assert done.returncode == 2, args
        assert said in done.stderr, done.stderr


def test_collected_wants_exactly_one_count_line() -> None:
    from benchmarks.instructions import collected

    assert collected("==7== Collected : 42\n") == 42
    with pytest.raises(ValueError, match="not one 'Collected : N' line"):
        collected("==7== Collected : 42\n==8== Collected : 43\n")


def test_a_run_of_the_digits_step_without_the_epoch_reports_it() -> None:
    """The epoch's scaled rows come from the digits step; without the epoch there are none
    (it raised KeyError: 'epoch' while printing the report)."""
    done = bench("--quick", "--only", "digits", "--engines", "micrograd,nn", "--repeats", "1",
                 "--rounds", "1")  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "batch step ×" not in done.stdout
    assert any(
        "digits step" in line and "ours, autograd.nn" in line for line in done.stdout.splitlines()
    )


@pytest.mark.parametrize("workload", ["moons", "digits", "epoch", "cnn"])
def test_check_every_reaches_every_compiled_contender(
    workload: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--check-every N becomes Sizes.check_every, which every compiled plan is built with: at 0
    no step rebuilds an example, at 1 every step does (seen by counting the rebuilds)."""
    from autograd.compiled import CompiledLoss

    rebuilt: list[int] = []
    original = CompiledLoss._check_example

    def counting(self: CompiledLoss, columns: list[np.ndarray], example: int) -> None:
        rebuilt.append(example)
        original(self, columns, example)

    monkeypatch.setattr(CompiledLoss, "_check_example", counting)
    for engine in wl.PLAN_ENGINES:
        for every, expected in ((0, 0), (1, 3)):
            sizes = run.configure(run.parse(["--quick", "--check-every", str(every)])).sizes
            assert sizes.check_every == every
            c = wl.STEP_WORKLOADS[workload].build(engine, sizes)
            rebuilt.clear()
            for _ in range(3):
                c.step()
            assert len(rebuilt) == expected, (engine, every)
    never = run.Results(rp.machine(), run.configure(run.parse(["--check-every", "0"])))
    lines = run.report_lines(never, None)
    assert any("re-check every 0 steps (0: never; --check-every)" in line for line in lines)
