"""Save and load a model's parameters as human-readable JSON, atomically, never with pickle.

The file holds a format tag, a version, the architecture (the module's ``config()``) and every
parameter by its dotted name, written with ``repr`` precision so floats round-trip exactly::

    {"format": "autograd-scalar-model", "version": 1,
     "architecture": {"type": "MLP", "nin": 2, "nouts": [3, 1], ...},
     "parameters": {"layers.0.neurons.0.w.0": 0.12, ...}}

Saving writes a temporary file in the same folder and renames it over the target
(``os.replace``), so a crash mid-write leaves the old file intact. Loading checks everything
and raises ``ValueError`` naming the problem: not JSON, wrong format or version, a different
architecture, a missing, extra or non-numeric parameter.

>>> import tempfile, pathlib
>>> from autograd.nn import MLP
>>> model = MLP(2, [3, 1], seed=0)
>>> path = pathlib.Path(tempfile.mkdtemp()) / "model.json"
>>> save(model, path)
>>> copy = load(path)
>>> [p.data for p in copy.parameters()] == [p.data for p in model.parameters()]
True
"""

from __future__ import annotations

import json
import math
import os
from pathlib import Path
from typing import Any, Final

from autograd.files import write_atomic
from autograd.nn import MLP, Dropout, Layer, Module, Neuron

FORMAT: Final = "autograd-scalar-model"
"""The ``format`` tag every model file carries."""

VERSION: Final = 1
"""The file layout version this code writes and reads."""

PathLike = str | os.PathLike[str]


def save(model: Module, path: PathLike) -> None:
    """Write ``model``'s architecture and parameters to ``path`` as JSON, atomically.

    Args:
        model: a Neuron, Layer or MLP (anything with ``config()`` and ``named_parameters()``).
        path: the file to write; its folder must exist.

    Raises:
        ValueError: if a parameter is nan or infinite (JSON has no such numbers).
    """
    parameters: dict[str, float] = {}
    for name, p in model.named_parameters():
        if not math.isfinite(p.data):
            raise ValueError(
                f"save: parameter {name!r} is {p.data!r}; JSON holds only finite numbers, "
                "so fix the training (a smaller lr, detect_anomaly()) before saving"
            )
        parameters[name] = p.data
    document = {
        "format": FORMAT,
        "version": VERSION,
        "architecture": model.config(),
        "parameters": parameters,
    }
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    write_atomic(path, text)


def read(path: PathLike) -> dict[str, Any]:
    """Read and check a model file; return ``{"architecture": ..., "parameters": ...}``.

    Raises:
        FileNotFoundError: if there is no such file.
        ValueError: if the file is not a valid model file, naming what is wrong.
    """
    where = f"model file {str(path)!r}"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{where} is not UTF-8 text ({err}); it is corrupt") from err
    try:
        document = json.loads(text, parse_constant=_reject_constant)
    except ValueError as err:  # JSONDecodeError, or NaN/Infinity refused by _reject_constant
        raise ValueError(f"{where} is not valid JSON ({err}); it is corrupt or truncated") from err
    if not isinstance(document, dict):
        raise ValueError(f"{where} holds a JSON {type(document).__name__}, expected an object")
    if document.get("format") != FORMAT:
        raise ValueError(
            f"{where} has format {document.get('format')!r}, expected {FORMAT!r}: "
            "not a model saved by autograd.serialize.save"
        )
    if document.get("version") != VERSION:
        raise ValueError(
            f"{where} has version {document.get('version')!r}; this code reads version {VERSION}"
        )
    architecture = document.get("architecture")
    if not isinstance(architecture, dict):
        raise ValueError(f"{where} has no 'architecture' object")
    parameters = document.get("parameters")
    if not isinstance(parameters, dict):
        raise ValueError(f"{where} has no 'parameters' object")
    for name, value in parameters.items():
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValueError(f"{where}: parameter {name!r} is {value!r}, expected a number")
    return {"architecture": architecture, "parameters": parameters}


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a finite number; a model file holds only finite numbers")


def build(architecture: dict[str, Any]) -> Module:
    """Build a fresh module (zero weights) from an architecture dict as ``config()`` returns.

    >>> build({"type": "Layer", "nin": 2, "nout": 3, "activation": "tanh"})
    Layer(2, 3, activation='tanh')
    """
    kind = architecture.get("type")
    args = {k: v for k, v in architecture.items() if k != "type"}
    try:
        if kind == "MLP":
            return MLP(**args, init="zeros")
        if kind == "Layer":
            return Layer(**args, init="zeros")
        if kind == "Neuron":
            return Neuron(**args, init="zeros")
        if kind == "Dropout":
            return Dropout(**args)
    except TypeError as err:
        raise ValueError(
            f"architecture {architecture!r} does not describe a {kind}: {err}"
        ) from err
    raise ValueError(
        f"unknown architecture type {kind!r} (must be one of ['MLP', 'Layer', 'Neuron', 'Dropout'])"
    )


def load(path: PathLike) -> Module:
    """Rebuild the module saved in ``path`` with its parameters.

    Raises:
        FileNotFoundError: if there is no such file.
        ValueError: if the file is corrupt or its parameters do not fit its architecture.
    """
    document = read(path)
    where = f"model file {str(path)!r}"
    try:
        model = build(document["architecture"])
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from err
    _assign(model, document["parameters"], where)
    return model


def load_into(model: Module, path: PathLike) -> Module:
    """Copy the parameters saved in ``path`` into ``model``, whose architecture must match.

    Returns:
        ``model``, for chaining.

    Raises:
        ValueError: naming the mismatch, if the file's architecture differs from the model's
            or a parameter is missing or extra; ``model`` is left unchanged then.
    """
    document = read(path)
    where = f"model file {str(path)!r}"
    expected = model.config()
    found = document["architecture"]
    if found != expected:
        differences = [
            f"{key}: file has {found.get(key)!r}, model has {expected.get(key)!r}"
            for key in sorted(set(expected) | set(found))
            if found.get(key) != expected.get(key)
        ]
        raise ValueError(
            f"architecture mismatch between {where} and the model: {'; '.join(differences)}"
        )
    _assign(model, document["parameters"], where)
    return model


def _assign(model: Module, parameters: dict[str, float], where: str) -> None:
    named = model.named_parameters()
    names = [name for name, _ in named]
    missing = [n for n in names if n not in parameters]
    extra = [n for n in parameters if n not in set(names)]
    if missing or extra:
        raise ValueError(
            f"{where} does not match the architecture: "
            f"{len(missing)} parameters missing {missing[:3]}, {len(extra)} extra {extra[:3]}"
        )
    for name, p in named:  # every check passed: now change the model
        p.data = float(parameters[name])
