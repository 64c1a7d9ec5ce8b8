"""JSON save/load: exact round trip, atomic writes, and a clear error for every corrupt file."""

from __future__ import annotations

import json
import math
import os
import stat
import subprocess
import sys
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograd import Value, serialize
from autograd.files import write_atomic
from autograd.nn import MLP, Dropout, Layer, Module, Neuron, mlp_parameter_count
from autograd.serialize import FORMAT, VERSION, load, load_into, read, save


def values(model: Any) -> list[float]:
    return [p.data for p in model.parameters()]


def test_round_trip_is_exact(tmp_path: Path) -> None:
    """Saved and reloaded parameters are bit-identical, and the rebuilt model computes the same."""
    model = MLP(3, [5, 4, 2], activation="tanh", output_activation="linear", seed=3)
    path = tmp_path / "m.json"
    save(model, path)
    copy = load(path)
    assert isinstance(copy, MLP)
    assert repr(copy) == repr(model)
    assert values(copy) == values(model)
    x = [0.1, -0.7, 2.2]
    assert [v.data for v in copy(x)] == [v.data for v in model(x)]  # type: ignore[union-attr]


@pytest.mark.parametrize("model", [Neuron(3, "sigmoid", seed=0), Layer(2, 3, "tanh", seed=0)])
def test_round_trip_of_neuron_and_layer(tmp_path: Path, model: Any) -> None:
    """Neurons and layers round-trip too."""
    save(model, tmp_path / "m.json")
    copy = load(tmp_path / "m.json")
    assert type(copy) is type(model)
    assert values(copy) == values(model)


def test_file_is_human_readable_json(tmp_path: Path) -> None:
    """The file is plain JSON with the format tag, architecture and named parameters."""
    model = MLP(1, [1], seed=0)
    save(model, tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    assert document["format"] == FORMAT
    assert document["version"] == VERSION
    assert document["architecture"]["nouts"] == [1]
    assert set(document["parameters"]) == {"layers.0.neurons.0.w.0", "layers.0.neurons.0.b"}


def test_load_into_copies_into_matching_model(tmp_path: Path) -> None:
    """load_into fills an existing model of the same architecture."""
    source, target = MLP(2, [3, 1], seed=1), MLP(2, [3, 1], seed=2)
    save(source, tmp_path / "m.json")
    assert load_into(target, tmp_path / "m.json") is target
    assert values(target) == values(source)


def test_load_into_names_the_architecture_mismatch(tmp_path: Path) -> None:
    """A different architecture raises naming the differing field; the model is unchanged."""
    save(MLP(2, [4, 1], seed=0), tmp_path / "m.json")
    target = MLP(2, [3, 1], seed=5)
    before = values(target)
    with pytest.raises(
        ValueError, match=r"architecture mismatch .*nouts: file has \[4, 1\], model has \[3, 1\]"
    ):
        load_into(target, tmp_path / "m.json")
    assert values(target) == before


def test_save_is_atomic_when_writing_fails(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A crash mid-write leaves the old file intact and no temporary file behind."""
    path = tmp_path / "m.json"
    old = MLP(2, [2, 1], seed=0)
    save(old, path)
    before = path.read_bytes()

    def crash(*args: object) -> None:
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", crash)
    with pytest.raises(OSError, match="disk full"):
        save(MLP(2, [2, 1], seed=1), path)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


def test_save_refuses_non_finite_parameters(tmp_path: Path) -> None:
    """nan or inf parameters are refused by name (JSON has no such numbers)."""
    model = MLP(1, [1], seed=0)
    model.layers[0].neurons[0].b.data = float("nan")
    with pytest.raises(ValueError, match=r"parameter 'layers.0.neurons.0.b' is nan"):
        save(model, tmp_path / "m.json")
    assert not (tmp_path / "m.json").exists()


def sealed(document: dict[str, Any]) -> dict[str, Any]:
    """The document with the digest of its architecture and parameters, as save writes it."""
    if "architecture" in document and "parameters" in document:
        parts = document["architecture"], document["parameters"]
        document[serialize.DIGEST] = serialize._digest(*parts)
    return document


def good_document() -> dict[str, Any]:
    model = MLP(2, [2, 1], seed=0)
    return sealed(
        {
            "format": FORMAT,
            "version": VERSION,
            "architecture": model.config(),
            "parameters": {name: p.data for name, p in model.named_parameters()},
        }
    )


def corrupt(document: dict[str, Any], change: str) -> str:  # noqa: C901  # one case per damage
    if change == "truncated":
        return json.dumps(document)[:50]
    if change == "not_an_object":
        return "[1, 2, 3]"
    if change == "nesting_bomb":
        return "[" * 1000 + "]" * 1000
    if change == "altered_number":  # one digit, as a flipped bit in the file would change it
        b = document["parameters"]["layers.0.neurons.0.w.0"]
        return json.dumps(document).replace(
            repr(b), repr(b)[:-1] + str((int(repr(b)[-1]) + 1) % 10)
        )
    if change in ("bad_digest", "null_digest"):
        document[serialize.DIGEST] = 1234 if change == "bad_digest" else None
        return json.dumps(document)
    if change == "wrong_format":
        document["format"] = "pickle"
    elif change == "wrong_version":
        document["version"] = 99
    elif change == "no_architecture":
        del document["architecture"]
    elif change == "no_parameters":
        del document["parameters"]
    elif change == "string_parameter":
        document["parameters"]["layers.0.neurons.0.b"] = "0.5"
    elif change == "bool_parameter":
        document["parameters"]["layers.0.neurons.0.b"] = True
    elif change == "missing_parameter":
        del document["parameters"]["layers.1.neurons.0.w.1"]
    elif change == "extra_parameter":
        document["parameters"]["layers.2.neurons.0.b"] = 0.0
    elif change == "renamed_parameter":
        document["parameters"]["layers.1.neurons.0.w.9"] = document["parameters"].pop(
            "layers.1.neurons.0.w.1"
        )
    elif change == "unknown_type":
        document["architecture"]["type"] = "Transformer"
    elif change == "bad_architecture":
        document["architecture"]["nouts"] = []
    text = json.dumps(sealed(document))  # edited consistently: the other checks must speak
    if change == "nan_parameter":
        text = text.replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": NaN')
    elif change == "overflowing_float":
        text = text.replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": -1e400')
    elif change == "overflowing_int":
        text = text.replace('"layers.0.neurons.0.b": 0.0', f'"layers.0.neurons.0.b": {10**400}')
    elif change == "underflowing_float":  # nonzero, yet below the smallest float: reads as 0.0
        text = text.replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": 1e-400')
    return text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("truncated", r"is not valid JSON .*corrupt or truncated"),
        ("not_an_object", r"holds a JSON list, expected an object"),
        ("nesting_bomb", r"nests too deeply for a model file; it is corrupt"),
        ("altered_number", r"was altered after it was saved: .* do not match its SHA-256 digest"),
        ("bad_digest", r"has 'sha256' int 1234, not a SHA-256 digest"),
        ("null_digest", r"has 'sha256' NoneType None, not a SHA-256 digest"),
        (
            "underflowing_float",
            r"parameter 'layers.0.neurons.0.b' is 1e-400 in the file, nonzero but below the "
            r"smallest float",
        ),
        ("wrong_format", r"has format 'pickle', expected 'autograd-scalar-model'"),
        ("wrong_version", r"has version 99; this code reads version 1"),
        ("no_architecture", r"has no 'architecture' object"),
        ("no_parameters", r"has no 'parameters' object"),
        ("string_parameter", r"parameter 'layers.0.neurons.0.b' is str '0.5', expected a number"),
        ("bool_parameter", r"parameter 'layers.0.neurons.0.b' is bool True, expected a number"),
        ("nan_parameter", r"NaN is not a finite number"),
        (
            "overflowing_float",
            r"parameter 'layers.0.neurons.0.b' is -inf, a number beyond the float",
        ),
        ("overflowing_int", r"parameter 'layers.0.neurons.0.b': int 1000.* is beyond the float"),
        (
            "missing_parameter",
            r"does not match its architecture: .* has 9 parameters, the file holds 8",
        ),
        (
            "extra_parameter",
            r"has 9 parameters, the file holds 10 values; it is damaged or was edited",
        ),
        (
            "renamed_parameter",
            r"1 parameters missing \['layers.1.neurons.0.w.1'\], "
            r"1 extra \['layers.1.neurons.0.w.9'\]",
        ),
        ("unknown_type", r"unknown architecture type 'Transformer'"),
        (
            "bad_architecture",
            r"bad.json.: build: MLP nouts must be a non-empty list of layer widths",
        ),
    ],
)
def test_every_corrupt_file_raises_a_clear_error(tmp_path: Path, change: str, message: str) -> None:
    """Each kind of damage raises ValueError naming the file and what is wrong."""
    path = tmp_path / "bad.json"
    path.write_text(corrupt(good_document(), change))
    with pytest.raises(ValueError, match=message) as info:
        load(path)
    assert "bad.json" in str(info.value)


def test_missing_and_binary_files(tmp_path: Path) -> None:
    """A missing file raises FileNotFoundError; bytes that are not UTF-8 raise ValueError."""
    with pytest.raises(FileNotFoundError):
        load(tmp_path / "nothing.json")
    (tmp_path / "binary.json").write_bytes(b"\xff\xfe\x00garbage")
    with pytest.raises(ValueError, match=r"is not UTF-8 text"):
        read(tmp_path / "binary.json")
    (tmp_path / "empty.json").write_text("")
    with pytest.raises(ValueError, match=r"is not valid JSON"):
        load(tmp_path / "empty.json")


def test_load_into_with_missing_parameter_leaves_model_unchanged(tmp_path: Path) -> None:
    """A file missing a parameter changes nothing in the target model."""
    document = good_document()
    del document["parameters"]["layers.0.neurons.1.b"]
    (tmp_path / "m.json").write_text(json.dumps(sealed(document)))
    target = MLP(2, [2, 1], seed=9)
    before = values(target)
    with pytest.raises(ValueError, match=r"parameters missing \['layers.0.neurons.1.b'\]"):
        load_into(target, tmp_path / "m.json")
    assert values(target) == before


def test_huge_declared_model_is_refused_before_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tiny file declaring 10**9-wide layers is refused by counting, without building."""

    def no_build(architecture: dict[str, Any]) -> Any:
        raise AssertionError(f"load built {architecture!r}")

    monkeypatch.setattr(serialize, "build", no_build)
    for nouts, declared in [([10**9, 1], mlp_parameter_count(2, [10**9, 1])), ([10**400], None)]:
        document = good_document()
        document["architecture"]["nouts"] = nouts
        (tmp_path / "huge.json").write_text(json.dumps(sealed(document)))
        with pytest.raises(ValueError, match=r"the file holds 9 values") as info:
            load(tmp_path / "huge.json")
        if declared is not None:
            assert f"has {declared} parameters" in str(info.value)
    assert mlp_parameter_count(2, [10**9, 1]) == 3 * 10**9 + 10**9 + 1  # worked: 4e9 + 1


@pytest.mark.parametrize(
    ("architecture", "count"),
    [
        ({"type": "Neuron", "nin": 4, "activation": "tanh"}, 5),
        ({"type": "Layer", "nin": 3, "nout": 2, "activation": "relu"}, 8),
        ({"type": "Dropout", "p": 0.5}, 0),
    ],
)
def test_declared_count_of_each_architecture(architecture: dict[str, Any], count: int) -> None:
    """Neuron nin + 1, Layer (nin + 1) nout, Dropout 0: the count equals the built module's."""
    assert serialize._declared_count(architecture) == count
    assert serialize.build(architecture).num_parameters() == count


def test_dropout_round_trip(tmp_path: Path) -> None:
    """A Dropout module has no parameters and round-trips its p."""
    save(Dropout(0.25), tmp_path / "d.json")
    copy = load(tmp_path / "d.json")
    assert isinstance(copy, Dropout)
    assert copy.p == 0.25


def test_loading_an_80k_parameter_model(tmp_path: Path) -> None:
    """The textbook MLP 12-300-200-100-1 (84,301 parameters) round-trips exactly.

    Loading used to rebuild a set of names per parameter: minutes for this model.
    """
    model = MLP(12, [300, 200, 100, 1], seed=0)
    assert model.num_parameters() == 84_301
    save(model, tmp_path / "big.json")
    copy = load(tmp_path / "big.json")
    assert values(copy) == values(model)
    target = MLP(12, [300, 200, 100, 1], seed=1)
    assert values(load_into(target, tmp_path / "big.json")) == values(model)


def test_save_creates_missing_folders(tmp_path: Path) -> None:
    """save writes into folders that do not exist yet, as its docstring says."""
    path = tmp_path / "a" / "b" / "m.json"
    save(Neuron(1, seed=0), path)
    assert read(path)["architecture"] == {"type": "Neuron", "nin": 1, "activation": "relu"}


def test_write_atomic_fsyncs_the_file_and_its_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On POSIX the rename is made durable by an fsync of the folder, after the file's fsync."""
    if os.name != "posix":
        pytest.skip("folders are fsynced on POSIX only")
    synced: list[str] = []
    real_fsync = os.fsync

    def recording_fsync(fd: int) -> None:
        synced.append("folder" if stat.S_ISDIR(os.fstat(fd).st_mode) else "file")
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    write_atomic(tmp_path / "x.txt", "data")
    assert synced == ["file", "folder"]
    assert (tmp_path / "x.txt").read_text() == "data"


@pytest.mark.parametrize(("umask", "mode"), [(0o022, 0o644), (0o077, 0o600), (0o002, 0o664)])
def test_write_atomic_respects_the_umask(tmp_path: Path, umask: int, mode: int) -> None:
    """The file gets 0o666 minus the umask, like any new file (mkstemp's 0o600 is not kept)."""
    if os.name != "posix":
        pytest.skip("POSIX permissions")
    previous = os.umask(umask)
    try:
        write_atomic(tmp_path / "x.txt", "data")
    finally:
        os.umask(previous)
    assert stat.S_IMODE((tmp_path / "x.txt").stat().st_mode) == mode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.txt"]  # no temporary left behind


def test_bias_free_models_round_trip(tmp_path: Path) -> None:
    """A model with bias=False saves and loads, its parameter count checked without biases."""
    for model in (MLP(3, [4, 2], bias=False, seed=0), Layer(2, 3, bias=False, seed=1),
                  Neuron(2, bias=False, seed=2)):  # fmt: skip
        path = tmp_path / "model.json"
        save(model, path)
        copy = load(path)
        assert repr(copy) == repr(model)
        assert [p.data for p in copy.parameters()] == [p.data for p in model.parameters()]


# --- integrity, damage and killed saves (issue 12) ----------------------------------------------


def test_file_without_a_digest_loads_with_a_warning(tmp_path: Path) -> None:
    """A file saved before files carried a digest (or with its line removed) loads, warning."""
    document = good_document()
    del document[serialize.DIGEST]
    (tmp_path / "old.json").write_text(json.dumps(document))
    with pytest.warns(UserWarning, match=r"has no 'sha256' digest .* save it again to add one"):
        model = load(tmp_path / "old.json")
    assert values(model) == list(document["parameters"].values())
    with pytest.warns(UserWarning, match=r"old.json' has no 'sha256' digest") as record:
        read(tmp_path / "old.json")
    assert record[0].filename == __file__  # the warning names the caller's line
    target = MLP(2, [2, 1], seed=5)
    with pytest.warns(UserWarning, match=r"has no 'sha256' digest"):
        load_into(target, tmp_path / "old.json")
    save(target, tmp_path / "old.json")  # saving again adds the digest: no warning any more
    assert values(load(tmp_path / "old.json")) == values(target)


def test_reformatting_a_file_is_not_an_alteration(tmp_path: Path) -> None:
    """Re-indented JSON, reordered keys, 1.0 written 1: the numbers are the same, so it loads."""
    model = MLP(2, [3, 1], seed=0)
    model.layers[0].neurons[0].b.data = 1.0
    save(model, tmp_path / "m.json")
    document = json.loads((tmp_path / "m.json").read_text())
    document["parameters"] = dict(reversed(document["parameters"].items()))
    text = json.dumps(document, indent=4, sort_keys=True)
    (tmp_path / "m.json").write_text(
        text.replace('"layers.0.neurons.0.b": 1.0', '"layers.0.neurons.0.b": 1')
    )
    assert values(load(tmp_path / "m.json")) == values(model)


def _outcome(path: Path, original: dict[str, Any]) -> str:
    """How reading a damaged copy ends: refused, harmless (the same contents), or silently wrong."""
    try:
        with warnings.catch_warnings(record=True):  # a damaged digest *key* leaves no digest
            warnings.simplefilter("always")
            found = read(path)
    except ValueError:
        return "refused"
    return "harmless" if found == original else "WRONG"


SMALL = Neuron(2, "tanh", seed=0)  # a small file: every byte of it is damaged in turn


def test_every_single_bit_flip_is_refused_or_harmless(tmp_path: Path) -> None:
    """Each of the 8 bit flips of each byte of a saved model: a ValueError, or the same model.

    Before the digest, 6.4 % of single-byte corruptions loaded with a changed weight.
    """
    save(SMALL, tmp_path / "m.json")
    original, good = read(tmp_path / "m.json"), (tmp_path / "m.json").read_bytes()
    damaged = tmp_path / "damaged.json"
    wrong = []
    for i in range(len(good)):
        for bit in range(8):
            damaged.write_bytes(good[:i] + bytes([good[i] ^ (1 << bit)]) + good[i + 1 :])
            if _outcome(damaged, original) == "WRONG":
                wrong.append((i, bit, good[max(0, i - 8) : i + 8]))
    assert not wrong, f"{len(wrong)} flips loaded a different model, e.g. {wrong[:3]}"


def test_every_truncation_is_refused_or_harmless(tmp_path: Path) -> None:
    """A file cut at any byte is refused (only the final newline may go)."""
    save(SMALL, tmp_path / "m.json")
    original, good = read(tmp_path / "m.json"), (tmp_path / "m.json").read_bytes()
    damaged = tmp_path / "damaged.json"
    outcomes = set()
    for n in range(len(good)):
        damaged.write_bytes(good[:n])
        outcomes.add((n == len(good) - 1, _outcome(damaged, original)))
    assert outcomes == {(False, "refused"), (True, "harmless")}


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_nesting_bombs_are_value_errors(tmp_path: Path, depth: int) -> None:
    """Deep JSON nesting, alone or inside the architecture, is a ValueError, not RecursionError."""
    (tmp_path / "bomb.json").write_text("[" * depth + "]" * depth)
    with pytest.raises(ValueError, match=r"nests too deeply"):
        load(tmp_path / "bomb.json")
    inside = json.dumps(good_document()).replace(
        '"nouts": [2, 1]', '"nouts": ' + "[" * depth + "]" * depth
    )
    (tmp_path / "bomb.json").write_text(inside)
    with pytest.raises(ValueError, match=r"nests too deeply"):
        read(tmp_path / "bomb.json")


@pytest.mark.parametrize(
    ("text", "number"),
    [("0.0", 0.0), ("-0.0", -0.0), ("0e-400", 0.0), ("5e-324", 5e-324), ("3e-324", 5e-324)],
)
def test_zeros_and_the_smallest_floats_are_not_underflows(
    tmp_path: Path, text: str, number: float
) -> None:
    """Only a nonzero number that reads as 0.0 is refused; a zero, or one that rounds up, loads."""
    document = good_document()
    document["parameters"]["layers.0.neurons.0.b"] = number
    raw = json.dumps(sealed(document)).replace(
        f'"layers.0.neurons.0.b": {number!r}', f'"layers.0.neurons.0.b": {text}'
    )
    (tmp_path / "m.json").write_text(raw)
    b = read(tmp_path / "m.json")["parameters"]["layers.0.neurons.0.b"]
    assert b == number
    assert math.copysign(1.0, b) == math.copysign(1.0, number)
    for refused in ("2e-324", "-1e-400", "0.00001e-330"):
        (tmp_path / "m.json").write_text(
            raw.replace(f'"layers.0.neurons.0.b": {text}', f'"layers.0.neurons.0.b": {refused}')
        )
        with pytest.raises(ValueError, match=rf"is {refused} in the file, nonzero but below"):
            read(tmp_path / "m.json")


# A writer that stops for good inside its save, after its temporary is written: killed there,
# it leaves the temporary behind, as a save killed at a random moment does.
STUCK_WRITER = """
import os, sys, time
from autograd.nn import MLP
from autograd.serialize import save
def stop(fd):
    print("writing", flush=True)
    time.sleep(600)
os.fsync = stop
save(MLP(2, [3, 1], seed=1), sys.argv[1])
"""

# A writer that saves two models in turn, as fast as it can, until it is killed.
BUSY_WRITER = """
import sys
from autograd.nn import MLP
from autograd.serialize import save
models = [MLP(8, [64, 64, 1], seed=s) for s in (1, 2)]
print("writing", flush=True)
while True:
    for m in models:
        save(m, sys.argv[1])
"""


def _start(code: str, target: Path) -> subprocess.Popen[str]:
    """Run ``code`` in a new interpreter; return once it says it is writing."""
    process = subprocess.Popen(
        [sys.executable, "-c", code, str(target)], stdout=subprocess.PIPE, text=True
    )
    assert process.stdout is not None
    assert process.stdout.readline() == "writing\n"
    return process


def _kill(process: subprocess.Popen[str]) -> None:
    process.kill()  # SIGKILL: no finally, no cleanup, as a power cut or the OOM killer
    process.wait(timeout=30)
    if process.stdout is not None:
        process.stdout.close()


def _temporaries(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".tmp"))


def test_a_killed_save_leaves_a_temporary_that_the_next_save_removes(tmp_path: Path) -> None:
    """A live writer's temporary survives another save; once it is killed, the next save cleans.

    300 saves killed at random moments used to leave 9 orphaned temporaries (6.9 MB).
    """
    target = tmp_path / "m.json"
    save(MLP(2, [3, 1], seed=0), target)
    writer = _start(STUCK_WRITER, target)
    try:
        (live,) = _temporaries(tmp_path)  # the other process is inside its save
        save(MLP(2, [3, 1], seed=2), target)  # our save must not take a live writer's file
        assert _temporaries(tmp_path) == [live]
    finally:
        _kill(writer)
    assert _temporaries(tmp_path) == [live]  # orphaned now
    assert values(load(target)) == values(MLP(2, [3, 1], seed=2))  # old or new file, intact
    save(MLP(2, [3, 1], seed=3), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]
    other = tmp_path / "other.json"  # another target's temporaries are not this save's business
    (tmp_path / ".other.json.0123abcd.tmp").write_text("half")
    save(Neuron(1, seed=0), target)
    assert _temporaries(tmp_path) == [".other.json.0123abcd.tmp"]
    save(Neuron(1, seed=0), other)
    assert _temporaries(tmp_path) == []


@pytest.mark.parametrize("delay", [0.05, 0.15, 0.3])
def test_saves_killed_at_any_moment_leave_a_whole_file_and_no_litter(
    tmp_path: Path, delay: float
) -> None:
    """Killed mid-loop, a writer leaves the old or the new model, and at most its temporary."""
    target = tmp_path / "m.json"
    models = [values(MLP(8, [64, 64, 1], seed=s)) for s in (0, 1, 2)]
    save(MLP(8, [64, 64, 1], seed=0), target)
    writer = _start(BUSY_WRITER, target)
    time.sleep(delay)
    _kill(writer)
    assert values(load(target)) in models
    assert len(_temporaries(tmp_path)) <= 1
    save(Neuron(1, seed=0), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.json"]


# --- the course's modules (issue 13): every module of autograd.nn saves and loads ------------


def _course_modules() -> list[Any]:
    from autograd import nn

    return [
        nn.Sequential(nn.Layer(2, 3, seed=0), nn.Activation("tanh"), nn.Layer(3, 1, seed=1)),
        nn.Activation("sigmoid"),
        nn.PReLU(0.1),
        nn.Flatten(),
        nn.Unflatten((1, 2, 2)),
        nn.Conv2d(2, 3, (2, 1), stride=(1, 2), padding=1, seed=2),
        nn.Conv2d(1, 2, 3, bias=False, seed=3),
        nn.MaxPool2d(2, stride=1),
        nn.AvgPool2d((2, 1)),
        nn.RNNCell(2, 3, nonlinearity="relu", seed=4),
        nn.LSTMCell(2, 2, seed=5),
        nn.GRUCell(1, 2, bias=False, seed=6),
        nn.Unrolled(nn.LSTMCell(1, 2, seed=7)),
        nn.Sequential(nn.Sequential(nn.Layer(2, 2, seed=8), nn.Dropout(0.5)), nn.PReLU()),
        nn.MLP(3, [4, 2], dropout=0.25, bias=False, seed=9),
    ]


@pytest.mark.parametrize("model", _course_modules(), ids=repr)
def test_every_module_round_trips_its_config_and_numbers(tmp_path: Path, model: Any) -> None:
    """save then load gives the same config and every parameter, bit for bit; so does build."""
    for i, p in enumerate(model.parameters()):  # numbers no init draws: each one must travel
        p.data = 0.1 * i - 0.35
    save(model, tmp_path / "m.json")
    copy = load(tmp_path / "m.json")
    assert type(copy) is type(model)
    assert copy.config() == model.config()
    assert serialize.build(model.config()).config() == model.config()
    assert serialize._declared_count(model.config()) == model.num_parameters()
    assert [(n, p.data) for n, p in copy.named_parameters()] == [
        (n, p.data) for n, p in model.named_parameters()
    ]
    target = serialize.build(model.config())
    assert load_into(target, tmp_path / "m.json") is target
    assert values(target) == values(model)


def test_a_trained_cnn_saves_and_loads_with_the_same_outputs(tmp_path: Path) -> None:
    """A small CNN trained a few steps, saved and loaded, gives the very same outputs."""
    from autograd import nn
    from autograd.losses import cross_entropy
    from autograd.optim import Adam
    from autograd.train import Trainer

    def cnn() -> nn.Sequential:
        return nn.Sequential(
            nn.Unflatten((1, 4, 4)), nn.Conv2d(1, 2, 3, padding=1, seed=0), nn.Activation("relu"),
            nn.MaxPool2d(2), nn.Flatten(), nn.Layer(8, 3, "linear", seed=1),
        )  # fmt: skip

    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(12, 16)), rng.integers(0, 3, 12)
    model = cnn()
    Trainer(model, Adam(model.parameters(), lr=0.05), cross_entropy, progress=False).fit(x, y, 3)
    save(model, tmp_path / "cnn.json")
    copy = load(tmp_path / "cnn.json")
    for row in x.tolist():
        assert [v.data for v in copy(row)] == [v.data for v in model(row)]
    assert load_into(cnn(), tmp_path / "cnn.json").config() == model.config()


class _NoConfig(Module):
    def __init__(self) -> None:
        self.w = Value(1.0)

    def __call__(self, x: Any) -> Any:
        return self.w * x

    def _own_parameters(self) -> list[tuple[str, Value]]:
        return [("w", self.w)]


def test_a_module_of_your_own_without_config_is_named(tmp_path: Path) -> None:
    """save and load_into say which class lacks config(), and where it sits; nothing is written."""
    from autograd import nn

    model = nn.Sequential(nn.Layer(1, 1, seed=0), _NoConfig())
    for call in (lambda: save(model, tmp_path / "m.json"),
                 lambda: load_into(model, tmp_path / "m.json")):  # fmt: skip
        with pytest.raises(TypeError, match=r"_NoConfig \(the module '1' of the model\) has no "
                           r"config\(\).*define _NoConfig.config\(\)"):  # fmt: skip
            call()
    assert list(tmp_path.iterdir()) == []


def test_a_module_of_your_own_with_config_saves_and_loads_into_a_model(tmp_path: Path) -> None:
    """With config() it saves; load cannot build it (unknown type), load_into fills one."""

    class Scale(_NoConfig):
        def config(self) -> dict[str, Any]:
            return {"type": "Scale"}

    model = Scale()
    model.w.data = 2.5
    save(model, tmp_path / "s.json")
    with pytest.raises(ValueError, match=r"unknown architecture type 'Scale'"):
        load(tmp_path / "s.json")
    assert load_into(Scale(), tmp_path / "s.json").w.data == 2.5


@pytest.mark.parametrize(
    "architecture",
    [
        {"type": "Conv2d", "in_channels": 1, "out_channels": 10**9, "kernel_size": [3, 3]},
        {"type": "LSTMCell", "input_size": 10**400, "hidden_size": 2},
        {"type": "Sequential", "modules": [{"type": "Layer", "nin": 10**9, "nout": 10**9}]},
        {"type": "Unrolled", "cell": {"type": "GRUCell", "input_size": 1, "hidden_size": 10**6}},
    ],
    ids=["conv", "lstm", "sequential", "unrolled"],
)
def test_a_huge_course_module_is_refused_by_counting_before_building(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, architecture: dict[str, Any]
) -> None:
    """A tiny file declaring a huge convolution or cell is refused without building anything."""

    def no_build(architecture: dict[str, Any]) -> Any:
        raise AssertionError(f"load built {architecture!r}")

    save(Neuron(2, seed=0), tmp_path / "n.json")
    document = json.loads((tmp_path / "n.json").read_text())
    document["architecture"] = architecture
    (tmp_path / "huge.json").write_text(json.dumps(sealed(document)))
    monkeypatch.setattr(serialize, "build", no_build)
    with pytest.raises(ValueError, match=r"parameters, the file holds 3 values"):
        load(tmp_path / "huge.json")


def test_build_bounds_sizes_and_nesting() -> None:
    """build refuses a size past MAX_SIZE and Sequentials nested past MAX_NESTING, by name."""
    with pytest.raises(ValueError, match=r"build: Conv2d out_channels must be at most MAX_SIZE"):
        serialize.build({"type": "Conv2d", "in_channels": 1, "out_channels": 10**9,
                         "kernel_size": 3})  # fmt: skip
    deep: dict[str, Any] = {"type": "Flatten"}
    for _ in range(serialize.MAX_NESTING + 1):
        deep = {"type": "Sequential", "modules": [deep]}
    with pytest.raises(ValueError, match=r"build: modules nest more than MAX_NESTING = 32 deep"):
        serialize.build(deep)
    with pytest.raises(ValueError, match=r"'Sequential' needs 'modules'"):
        serialize.build({"type": "Sequential", "modules": []})
    with pytest.raises(ValueError, match=r"does not describe a Unrolled: Unrolled: cell must be"):
        serialize.build({"type": "Unrolled", "cell": {"type": "Flatten"}})


@pytest.mark.parametrize(
    ("call", "error", "pattern"),
    [
        (lambda p: save(None, p), TypeError, r"save: model must be an autograd.nn.Module"),
        (lambda p: serialize.build(None), TypeError, r"build: architecture must be a dict"),
        (lambda p: load_into(None, p), TypeError, r"load_into: model must be an autograd.nn"),
        (lambda p: save(Neuron(1), None), TypeError, r"save: path must be a str or a pathlib"),
        (lambda p: load(b"m.json"), TypeError, r"load: path must be a str or a pathlib.Path"),
    ],
    ids=["save(None, p)", "build(None)", "load_into(None, p)", "save(m, None)", "load(bytes)"],
)
def test_issue_examples_raise_named_errors(
    tmp_path: Path, call: Any, error: type[Exception], pattern: str
) -> None:
    """save(None, p), build(None), load_into(None, p) raised AttributeError; now named."""
    save(Neuron(1, seed=0), tmp_path / "m.json")
    before = (tmp_path / "m.json").read_bytes()
    with pytest.raises(error, match=pattern):
        call(tmp_path / "m.json")
    assert (tmp_path / "m.json").read_bytes() == before
