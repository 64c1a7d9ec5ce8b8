"""The benchmark harness runs and reports; it times nothing here that a test could assert on."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("micrograd")  # the benchmark's reference engine (the dev and bench extras)

ROOT = Path(__file__).resolve().parent.parent


def bench(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "benchmarks.run", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )


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
    spec = {"kind": "step", "workload": "moons", "engine": "nn", "sizes": sizes}
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
    spec = {"kind": "step", "workload": "moons", "engine": "numpy", "sizes": sizes}
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
