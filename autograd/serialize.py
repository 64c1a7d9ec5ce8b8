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
from collections.abc import Callable, Mapping
from typing import Any, Final

from autograd import _checks
from autograd._checks import real
from autograd.files import write_atomic
from autograd.messages import describe
from autograd.nn import (
    MLP,
    Activation,
    AvgPool2d,
    Conv2d,
    Dropout,
    Flatten,
    GRUCell,
    Layer,
    LSTMCell,
    MaxPool2d,
    Module,
    Neuron,
    PReLU,
    RNNCell,
    Sequential,
    Unflatten,
    Unrolled,
    mlp_parameter_count,
)

FORMAT: Final = "autograd-scalar-model"
"""The ``format`` tag every model file carries."""

VERSION: Final = 1
"""The file layout version this code writes and reads."""

DIGEST: Final = "sha256"
"""The field holding the SHA-256 of the canonical text of the architecture and parameters."""

SUMMARY_LIMIT: Final = 120
"""Longest architecture repr quoted in an error message."""

MAX_NESTING: Final = 32
"""How deep Sequential and Unrolled may nest in a model file (a deeper one is damaged)."""

WEIGHTED: Final[dict[str, Callable[..., Module]]] = {
    "MLP": MLP, "Layer": Layer, "Neuron": Neuron, "Conv2d": Conv2d,
    "RNNCell": RNNCell, "LSTMCell": LSTMCell, "GRUCell": GRUCell,
}  # fmt: skip
"""The modules built with zero weights (``init="zeros"``): the file's numbers replace them."""

PLAIN: Final[dict[str, Callable[..., Module]]] = {
    "Dropout": Dropout, "Activation": Activation, "Flatten": Flatten, "Unflatten": Unflatten,
    "MaxPool2d": MaxPool2d, "AvgPool2d": AvgPool2d,
}  # fmt: skip
"""The modules without weights, built from their config as it is."""

TYPES: Final = (*WEIGHTED, *PLAIN, "PReLU", "Sequential", "Unrolled")
"""Every architecture type a model file may hold: every module of :mod:`autograd.nn`."""

_GATES: Final = {"RNNCell": 1, "LSTMCell": 4, "GRUCell": 3}

_HEX_DIGEST: Final = re.compile(r"[0-9a-f]{64}")
_MISSING: Final = object()  # no digest field at all (null is a damaged one)
_NONZERO_DIGIT: Final = re.compile(r"[1-9]")

PathLike = str | os.PathLike[str]


def save(model: Module, path: PathLike) -> None:
    """Write ``model``'s architecture and parameters to ``path`` as JSON, atomically.

    Every module of :mod:`autograd.nn` can be saved, nested in ``Sequential`` and ``Unrolled``
    too (a trained CNN: ``Sequential(Conv2d, Activation, MaxPool2d, Flatten, Layer)``). A
    module of your own needs a ``config()``; :func:`load` cannot rebuild it, but
    :func:`load_into` fills a model you build.

    Args:
        model: any module whose modules all have ``config()``.
        path: the file to write; missing folders on the way are created.

    Raises:
        TypeError: if ``model`` is not a Module, one of its modules (a subclass of your own)
            has no ``config()`` (naming its class and where it sits), or ``path`` is not a str
            or a ``pathlib.Path``; nothing is written then.
        ValueError: if a parameter is nan or infinite (JSON has no such numbers).

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "new folder" / "neuron.json"
    >>> save(Neuron(2, init="constant", value=0.5), path)
    >>> read(path)["parameters"]
    {'w.0': 0.5, 'w.1': 0.5, 'b': 0.0}
    """
    _checks.instance("save: model", model, Module, "an autograd.nn.Module")
    target = _checks.path("save: path", path)
    architecture = _config(model, "save")
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
        DIGEST: _digest(architecture, parameters),
        "architecture": architecture,
        "parameters": parameters,
    }
    text = json.dumps(document, indent=1, allow_nan=False) + "\n"
    write_atomic(target, text)


def _config(model: Module, caller: str) -> dict[str, Any]:
    """``model.config()``; a module without one is a TypeError naming its class and place."""
    for name, module in model.modules():
        if type(module).config is Module.config:
            where = f"the module {name!r} of the model" if name else "the model"
            raise TypeError(
                f"{caller}: {type(module).__name__} ({where}) has no config(), so its "
                f"architecture cannot be written: define {type(module).__name__}.config() "
                "returning {'type': ..., and its constructor's arguments}, and load it back "
                "with load_into(model, path) into a model you build"
            )
    return model.config()


def read(path: PathLike) -> dict[str, Any]:
    """Read and check a model file; return ``{"architecture": ..., "parameters": ...}``.

    Every parameter must be a finite number: ``1e400`` (beyond the float range, which JSON
    reads as infinity), ``1e-400`` (nonzero, yet below the smallest float, so it would read as
    0.0), an int too large for a float, ``NaN`` and ``Infinity`` are refused. The architecture
    and parameters must match the file's SHA-256 digest; a file without one is read with a
    ``UserWarning``.

    Raises:
        FileNotFoundError: if there is no such file.
        TypeError: if ``path`` is not a str or a ``pathlib.Path``.
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
    return _read(path, "read")


def _read(path: PathLike, caller: str) -> dict[str, Any]:
    """The work of :func:`read`; load and load_into call it too, so a warning names their caller."""
    source = _checks.path(f"{caller}: path", path)
    where = f"model file {str(path)!r}"
    try:
        text = source.read_text(encoding="utf-8")
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

    Every module of :mod:`autograd.nn` is known (:data:`TYPES`), ``Sequential`` and
    ``Unrolled`` nested up to :data:`MAX_NESTING` deep; sizes are bounded as the constructors
    bound them (``autograd._checks.MAX_SIZE``), before anything is built.

    Raises:
        TypeError: if ``architecture`` is not a dict.
        ValueError: if it describes no module: an unknown type, a missing, extra or wrong
            argument, a size out of range, nesting too deep.

    >>> build({"type": "Layer", "nin": 2, "nout": 3, "activation": "tanh"})
    Layer(2, 3, activation='tanh')
    >>> build({"type": "Sequential", "modules": [{"type": "Flatten"}, {"type": "Activation",
    ...        "name": "relu"}]})
    Sequential(
      (0): Flatten()
      (1): Activation('relu')
    )
    """
    _checks.instance("build: architecture", architecture, dict, "a dict, as config() returns")
    try:
        return _build(architecture, 0)
    except ValueError as err:
        raise ValueError(f"build: {err}") from err


def _build(architecture: object, depth: int) -> Module:
    if not isinstance(architecture, dict):
        raise ValueError(f"a module's architecture must be a dict, got {describe(architecture)}")
    if depth > MAX_NESTING:
        raise ValueError(f"modules nest more than MAX_NESTING = {MAX_NESTING} deep")
    kind = architecture.get("type")
    args = {k: v for k, v in architecture.items() if k != "type"}
    try:
        if kind in WEIGHTED:
            return WEIGHTED[kind](**args, init="zeros")
        if kind in PLAIN:
            return PLAIN[kind](**args)
        if kind == "PReLU":
            return PReLU(**args, init=0.0)
        if kind == "Sequential":
            return Sequential(*(_build(m, depth + 1) for m in _listed(args, "modules", kind)))
        if kind == "Unrolled":
            if set(args) != {"cell"}:
                raise ValueError(
                    f"architecture of type 'Unrolled' needs 'cell' (a cell's architecture) and "
                    f"nothing else, got {_summary(args)}"
                )
            return Unrolled(_build(args["cell"], depth + 1))
    except TypeError as err:
        raise ValueError(
            f"architecture {_summary(architecture)} does not describe a {kind}: {err}"
        ) from err
    raise ValueError(f"unknown architecture type {kind!r} (must be one of {list(TYPES)})")


def _listed(args: dict[str, Any], key: str, kind: str) -> list[Any]:
    """The one argument ``key`` of a ``kind`` (a list of architectures), or a ValueError."""
    found = args.get(key)
    if set(args) != {key} or not isinstance(found, list) or not found:
        raise ValueError(
            f"architecture of type {kind!r} needs {key!r} (a non-empty list of architectures) "
            f"and nothing else, got {_summary(args)}"
        )
    return found


def load(path: PathLike) -> Module:
    """Rebuild the module saved in ``path`` with its parameters.

    The number of parameters the architecture implies is compared with the number of values
    in the file first: a file that declares a model larger (or smaller) than the values it
    holds is refused before anything is built.

    Raises:
        FileNotFoundError: if there is no such file.
        TypeError: if ``path`` is not a str or a ``pathlib.Path``.
        ValueError: if the file is corrupt or its parameters do not fit its architecture.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mlp.json"
    >>> save(MLP(2, [3, 1], seed=0), path)
    >>> model = load(path)
    >>> model, model.num_parameters()
    (MLP(2, [3, 1], activation='relu', output_activation='linear'), 13)
    """
    document = _read(path, "load")
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


def _summary(architecture: object) -> str:
    """A short description of an architecture for messages (its repr, cut if long)."""
    text = repr(architecture)
    return text if len(text) <= SUMMARY_LIMIT else text[: SUMMARY_LIMIT - 3] + "..."


def _size(architecture: dict[str, Any], key: str) -> int | None:
    value = architecture.get(key)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        return None
    return value


def _declared_count(architecture: object, depth: int = 0) -> int | None:
    """The number of parameters the architecture implies, computed without building it.

    None when the architecture is malformed: :func:`build` then reports what is wrong.
    Python ints are exact, so a declared width of 10**400 gives a (huge) count, not an error.
    """
    if not isinstance(architecture, dict) or depth > MAX_NESTING:
        return None
    kind = architecture.get("type")
    bias = architecture.get("bias", True) is not False  # a bias-free model says bias: false
    if kind in PLAIN:
        return 0
    if kind == "PReLU":
        return 1
    if kind == "Sequential":
        counts = [_declared_count(m, depth + 1) for m in architecture.get("modules") or [None]]
        return None if None in counts else sum(c for c in counts if c is not None)
    if kind == "Unrolled":
        return _declared_count(architecture.get("cell"), depth + 1)
    if kind in _GATES:
        return _cell_count(architecture, _GATES[kind], bias)
    if kind == "Conv2d":
        return _conv_count(architecture, bias)
    return _dense_count(architecture, kind, bias)


def _dense_count(architecture: dict[str, Any], kind: object, bias: bool) -> int | None:
    nin = _size(architecture, "nin")
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


def _cell_count(architecture: dict[str, Any], gates: int, bias: bool) -> int | None:
    inputs, hidden = _size(architecture, "input_size"), _size(architecture, "hidden_size")
    if inputs is None or hidden is None:
        return None
    return gates * hidden * (inputs + hidden + 2 * bias)


def _conv_count(architecture: dict[str, Any], bias: bool) -> int | None:
    ins, outs = _size(architecture, "in_channels"), _size(architecture, "out_channels")
    kernel = architecture.get("kernel_size")
    sides = kernel if isinstance(kernel, list) and len(kernel) == 2 else [kernel, kernel]  # noqa: PLR2004
    kh, kw = (_size({"n": n}, "n") for n in sides)
    if ins is None or outs is None or kh is None or kw is None:
        return None
    return outs * (ins * kh * kw + bias)


def load_into(model: Module, path: PathLike) -> Module:
    """Copy the parameters saved in ``path`` into ``model``, whose architecture must match.

    Returns:
        ``model``, for chaining.

    Raises:
        TypeError: if ``model`` is not a Module (or has a module without ``config()``), or
            ``path`` is not a str or a ``pathlib.Path``.
        ValueError: naming the mismatch, if the file's architecture differs from the model's
            or a parameter is missing or extra; ``model`` is left unchanged then.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "neuron.json"
    >>> save(Neuron(1, init="constant", value=2.0), path)
    >>> target = Neuron(1, init="constant", value=-1.0)
    >>> [p.data for p in load_into(target, path).parameters()]
    [2.0, 0.0]
    """
    _checks.instance("load_into: model", model, Module, "an autograd.nn.Module")
    expected = _config(model, "load_into")
    document = _read(path, "load_into")
    where = f"model file {str(path)!r}"
    found = document["architecture"]
    if found != expected:
        differences = [
            f"{key}: file has {_summary(found.get(key))}, model has {_summary(expected.get(key))}"
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
