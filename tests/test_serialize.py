"""JSON save/load: exact round trip, atomic writes, and a clear error for every corrupt file."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path
from typing import Any

import pytest

from autograd import serialize
from autograd.files import write_atomic
from autograd.nn import MLP, Dropout, Layer, Neuron, mlp_parameter_count
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


def good_document() -> dict[str, Any]:
    model = MLP(2, [2, 1], seed=0)
    return {
        "format": FORMAT,
        "version": VERSION,
        "architecture": model.config(),
        "parameters": {name: p.data for name, p in model.named_parameters()},
    }


def corrupt(document: dict[str, Any], change: str) -> str:  # noqa: C901  # one case per damage
    if change == "truncated":
        return json.dumps(document)[:50]
    if change == "not_an_object":
        return "[1, 2, 3]"
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
    text = json.dumps(document)
    if change == "nan_parameter":
        text = text.replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": NaN')
    elif change == "overflowing_float":
        text = text.replace('"layers.0.neurons.0.b": 0.0', '"layers.0.neurons.0.b": -1e400')
    elif change == "overflowing_int":
        text = text.replace('"layers.0.neurons.0.b": 0.0', f'"layers.0.neurons.0.b": {10**400}')
    return text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ("truncated", r"is not valid JSON .*corrupt or truncated"),
        ("not_an_object", r"holds a JSON list, expected an object"),
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
        ("bad_architecture", r"bad.json.: MLP nouts must be a non-empty list of layer widths"),
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
    (tmp_path / "m.json").write_text(json.dumps(document))
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
        (tmp_path / "huge.json").write_text(json.dumps(document))
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
