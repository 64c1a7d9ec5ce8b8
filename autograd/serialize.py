"""Save and load a model's parameters as human-readable JSON, atomically, never with pickle.

The file holds a format tag, a version, a SHA-256 digest, the architecture (the module's
``config()``) and every parameter by its dotted name, written with ``repr`` precision so floats
round-trip exactly::

    {"format": "autograd-scalar-model", "version": 1, "sha256": "9f2c...",
     "architecture": {"type": "MLP", "nin": 2, "nouts": [3, 1], ...},
     "parameters": {"layers.0.neurons.0.w.0": 0.12, ...}}

The digest is that of the canonical text of the architecture and the parameters (sorted keys,
no spaces, every parameter as the shortest text of its float; :func:`_digest`), so any change to
a name or a number -- one flipped digit -- is refused with a ``ValueError`` saying the file was
altered, while reformatting the JSON is not a change. A file without a digest (saved before
model files carried one, or edited by hand with its digest line removed) loads with a warning.

Saving writes a temporary file in the same folder and renames it over the target
(``os.replace``, see :func:`autograd.files.write_atomic`), so a crash mid-write leaves the old
file intact, and the temporaries of saves that were killed are removed by the next save.
Loading checks everything and raises ``ValueError`` naming the problem: not JSON (nesting too
deep included), wrong format or version, an altered digest, a different architecture, a missing,
extra, non-numeric or non-finite parameter, or one too small for a float (``1e-400`` would read
as 0.0). :func:`load` compares the number of parameters the architecture implies with the
number of values in the file before it builds anything, so a small file cannot make it build a
huge model.

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

import hashlib
import json
import math
import os
import re
import warnings
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

from autograd._checks import real
from autograd.files import write_atomic
from autograd.messages import describe
from autograd.nn import MLP, Dropout, Layer, Module, Neuron, mlp_parameter_count

FORMAT: Final = "autograd-scalar-model"
"""The ``format`` tag every model file carries."""

VERSION: Final = 1
"""The file layout version this code writes and reads."""

DIGEST: Final = "sha256"
"""The field holding the SHA-256 of the canonical text of the architecture and parameters."""

SUMMARY_LIMIT: Final = 120
"""Longest architecture repr quoted in an error message."""

_HEX_DIGEST: Final = re.compile(r"[0-9a-f]{64}")
_MISSING: Final = object()  # no digest field at all (null is a damaged one)
_NONZERO_DIGIT: Final = re.compile(r"[1-9]")

PathLike = str | os.PathLike[str]


def save(model: Module, path: PathLike) -> None:
    """Write ``model``'s architecture and parameters to ``path`` as JSON, atomically.

    Args:
        model: a Neuron, Layer or MLP (anything with ``config()`` and ``named_parameters()``).
        path: the file to write; missing folders on the way are created.

    Raises:
        ValueError: if a parameter is nan or infinite (JSON has no such numbers).

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "new folder" / "neuron.json"
    >>> save(Neuron(2, init="constant", value=0.5), path)
    >>> read(path)["parameters"]
    {'w.0': 0.5, 'w.1': 0.5, 'b': 0.0}
    """
    parameters: dict[str, float] = {}
    for name, p in model.named_parameters():
        if not math.isfinite(p.data):
            raise ValueError(
                f"save: parameter {name!r} is {p.data!r}; JSON holds only finite numbers, "
                "so fix the training (a smaller lr, detect_anomaly()) before saving"
            )
        parameters[name] = p.data
    architecture = model.config()
    document = {
        "format": FORMAT,
        "version": VERSION,
        DIGEST: _digest(architecture, parameters),
        "architecture": architecture,
        "parameters": parameters,
    }
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    write_atomic(path, text)


def read(path: PathLike) -> dict[str, Any]:
    """Read and check a model file; return ``{"architecture": ..., "parameters": ...}``.

    Every parameter must be a finite number: ``1e400`` (beyond the float range, which JSON
    reads as infinity), ``1e-400`` (nonzero, yet below the smallest float, so it would read as
    0.0), an int too large for a float, ``NaN`` and ``Infinity`` are refused. The architecture
    and parameters must match the file's SHA-256 digest; a file without one is read with a
    ``UserWarning``.

    Raises:
        FileNotFoundError: if there is no such file.
        ValueError: if the file is not a valid model file, naming what is wrong.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "layer.json"
    >>> save(Layer(1, 2, init="constant", value=1.0), path)
    >>> document = read(path)
    >>> document["architecture"], list(document["parameters"].values())
    ({'type': 'Layer', 'nin': 1, 'nout': 2, 'activation': 'relu'}, [1.0, 0.0, 1.0, 0.0])
    >>> _ = path.write_text(path.read_text().replace("1.0", "1e400", 1))
    >>> read(path)
    Traceback (most recent call last):
    ...
    ValueError: model file '...layer.json': parameter 'neurons.0.w.0' is inf, a number beyond ...
    """
    return _read(path)


def _read(path: PathLike) -> dict[str, Any]:
    """The work of :func:`read`; load and load_into call it too, so a warning names their caller."""
    where = f"model file {str(path)!r}"
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise ValueError(f"{where} is not UTF-8 text ({err}); it is corrupt") from err
    try:
        document = json.loads(text, parse_constant=_reject_constant, parse_float=_parse_float)
    except ValueError as err:  # JSONDecodeError, or NaN/Infinity refused by _reject_constant
        raise ValueError(f"{where} is not valid JSON ({err}); it is corrupt or truncated") from err
    except RecursionError as err:  # "[" * 1000: json's parser recurses once per level
        raise ValueError(f"{where} nests too deeply for a model file; it is corrupt") from err
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
        _check_number(name, value, where)
    _check_digest(document.get(DIGEST, _MISSING), architecture, parameters, where)
    return {"architecture": architecture, "parameters": parameters}


def _digest(architecture: Mapping[str, Any], parameters: Mapping[str, float]) -> str:
    """The SHA-256 (hex) of the canonical text of an architecture and its parameters.

    Canonical: sorted keys, no spaces, ASCII, every parameter as the shortest text of its float
    (``1`` and ``1.0`` are one number), so re-indenting the file changes nothing.

    >>> _digest({"type": "Neuron"}, {"b": 1}) == _digest({"type": "Neuron"}, {"b": 1.0})
    True
    """
    canonical = json.dumps(
        {"architecture": architecture, "parameters": {k: float(v) for k, v in parameters.items()}},
        sort_keys=True,
        separators=(",", ":"),
        allow_nan=False,
    )
    return hashlib.sha256(canonical.encode("ascii")).hexdigest()


def _check_digest(
    stored: object, architecture: dict[str, Any], parameters: dict[str, Any], where: str
) -> None:
    """Refuse a file whose numbers or names changed since it was saved; warn if it has no digest."""
    if stored is _MISSING:
        warnings.warn(
            f"{where} has no {DIGEST!r} digest (it was saved before model files carried one, or "
            "the line was removed), so a changed number cannot be detected; save it again to "
            "add one",
            UserWarning,
            stacklevel=4,  # the caller of read, load or load_into
        )
        return
    if not isinstance(stored, str) or not _HEX_DIGEST.fullmatch(stored):
        raise ValueError(
            f"{where} has {DIGEST!r} {describe(stored)}, not a SHA-256 digest (64 hex digits); "
            "the file is damaged"
        )
    if stored != _digest(architecture, parameters):
        raise ValueError(
            f"{where} was altered after it was saved: its architecture and parameters do not "
            f"match its SHA-256 digest, so a number or a name changed (damage, or an edit); "
            f"to load an edited file anyway, remove its {DIGEST!r} line"
        )


def _check_number(name: str, value: object, where: str) -> None:
    """A parameter read from a file: a finite number (1e400 parses as inf, 10**400 as an int)."""
    if isinstance(value, bool) or not isinstance(value, int | float):  # JSON: numbers or not
        raise ValueError(f"{where}: parameter {name!r} is {describe(value)}, expected a number")
    if isinstance(value, float) and not math.isfinite(value):  # 1e400 in the file parses as inf
        raise ValueError(
            f"{where}: parameter {name!r} is {value!r}, a number beyond the float range "
            "(|x| <= 1.8e308) in the file; a model file holds only finite numbers"
        )
    if isinstance(value, _Underflow):
        raise ValueError(
            f"{where}: parameter {name!r} is {value.text} in the file, nonzero but below the "
            "smallest float (about 4.9e-324), so it would read as 0.0; a model file holds only "
            "numbers a float can hold"
        )
    real(f"{where}: parameter {name!r}", value)  # an int beyond the float range: named


class _Underflow(float):
    """A nonzero number of the file that rounds to 0.0 (``1e-400``): kept, to be refused."""

    text: str


def _parse_float(text: str) -> float:
    """A float of the file; a nonzero one that underflows to 0.0 is marked (:class:`_Underflow`)."""
    value = float(text)
    if value == 0.0 and _NONZERO_DIGIT.search(text.lower().partition("e")[0]):
        underflow = _Underflow(value)
        underflow.text = text
        return underflow
    return value


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

    The number of parameters the architecture implies is compared with the number of values
    in the file first: a file that declares a model larger (or smaller) than the values it
    holds is refused before anything is built.

    Raises:
        FileNotFoundError: if there is no such file.
        ValueError: if the file is corrupt or its parameters do not fit its architecture.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mlp.json"
    >>> save(MLP(2, [3, 1], seed=0), path)
    >>> model = load(path)
    >>> model, model.num_parameters()
    (MLP(2, [3, 1], activation='relu', output_activation='linear'), 13)
    """
    document = _read(path)
    where = f"model file {str(path)!r}"
    architecture, parameters = document["architecture"], document["parameters"]
    declared = _declared_count(architecture)
    if declared is not None and declared != len(parameters):
        raise ValueError(
            f"{where} does not match its architecture: {_summary(architecture)} has {declared} "
            f"parameters, the file holds {len(parameters)} values; it is damaged or was edited"
        )
    try:
        model = build(document["architecture"])
    except ValueError as err:
        raise ValueError(f"{where}: {err}") from err
    _assign(model, parameters, where)
    return model


def _summary(architecture: dict[str, Any]) -> str:
    """A short description of an architecture for messages (its repr, cut if long)."""
    text = repr(architecture)
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 3] + "..."


def _size(architecture: dict[str, Any], key: str) -> int | None:
    value = architecture.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def _declared_count(architecture: dict[str, Any]) -> int | None:
    """The number of parameters the architecture implies, computed without building it.

    None when the architecture is malformed: :func:`build` then reports what is wrong.
    Python ints are exact, so a declared width of 10**400 gives a (huge) count, not an error.
    """
    kind = architecture.get("type")
    nin = _size(architecture, "nin")
    bias = architecture.get("bias", True) is not False  # a bias-free model says bias: false
    if kind == "Dropout":
        return 0
    if nin is None:
        return None
    if kind == "Neuron":
        return nin + bias
    if kind == "Layer":
        nout = _size(architecture, "nout")
        return None if nout is None else (nin + bias) * nout
    nouts = architecture.get("nouts")
    if kind != "MLP" or not isinstance(nouts, list) or not nouts:
        return None
    widths = [_size({"n": n}, "n") for n in nouts]
    if any(w is None for w in widths):
        return None
    return mlp_parameter_count(nin, [w for w in widths if w is not None], bias)


def load_into(model: Module, path: PathLike) -> Module:
    """Copy the parameters saved in ``path`` into ``model``, whose architecture must match.

    Returns:
        ``model``, for chaining.

    Raises:
        ValueError: naming the mismatch, if the file's architecture differs from the model's
            or a parameter is missing or extra; ``model`` is left unchanged then.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "neuron.json"
    >>> save(Neuron(1, init="constant", value=2.0), path)
    >>> target = Neuron(1, init="constant", value=-1.0)
    >>> [p.data for p in load_into(target, path).parameters()]
    [2.0, 0.0]
    """
    document = _read(path)
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
    names = {name for name, _ in named}  # one set: a lookup per parameter, not a rebuild
    missing = [name for name, _ in named if name not in parameters]
    extra = [n for n in parameters if n not in names]
    if missing or extra:
        raise ValueError(
            f"{where} does not match the architecture: "
            f"{len(missing)} parameters missing {missing[:3]}, {len(extra)} extra {extra[:3]}"
        )
    for name, p in named:  # every check passed: now change the model
        p.data = float(parameters[name])
