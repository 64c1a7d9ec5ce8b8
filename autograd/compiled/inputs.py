"""What a caller passes -- one example to trace, then batches -- as float arrays, or a clear error.

Every refusal names the method, the argument, the example and the entry, shows the value and
says what to do: complex numbers, ``None``, strings, ``Value`` objects, ragged rows, integers
beyond the float range and empty lists never reach numpy, and neither do ``nan`` nor ``inf``
(one of them in one example makes every parameter's batch gradient ``nan``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final

import numpy as np

from autograd._checks import number
from autograd.types import Array

_NUMERIC_KINDS: Final = "fiub"  # float, int, unsigned, bool (0 or 1, as Value(True) is 1.0)


def _place(what: str, index: tuple[int, ...], batch: bool) -> str:
    """``what`` and where in it: ``argument 1, example 3, entry 2`` (or ``entry 2`` alone)."""
    names = ("example", "entry") if batch else ("entry",)
    return ", ".join([what, *(f"{n} {i}" for n, i in zip(names, index, strict=False))])


def _is_list(x: object) -> bool:
    return isinstance(x, Sequence | np.ndarray) and not isinstance(x, str | bytes)


def _length(x: object) -> str:
    return f"has length {len(x)}" if _is_list(x) else "is a number"  # type: ignore[arg-type]


def _mismatch(part: Any, at: tuple[int, ...], batch: bool) -> str | None:
    """Where nested lists first differ in shape: two entries of one list, or None (none do)."""
    items = list(part)
    for k, item in enumerate(items[1:], 1):
        if _is_list(item) != _is_list(items[0]) or (_is_list(item) and len(item) != len(items[0])):
            first, other = _place("", (*at, 0), batch), _place("", (*at, k), batch)
            return f"{first[2:]} {_length(items[0])} and {other[2:]} {_length(item)}"
    for k, item in enumerate(items):
        if _is_list(item) and (found := _mismatch(item, (*at, k), batch)) is not None:
            return found
    return None


def _ragged(part: Any, what: str, batch: bool) -> str:
    found = _mismatch(part, (), batch) if _is_list(part) else None
    seen = "its rows differ in length" if found is None else found
    return (
        f"{what} is ragged: {seen}; every {'example' if batch else 'entry'} needs the same "
        "length (pad or drop the short ones)"
    )


def _from_objects(arr: np.ndarray[Any, Any], what: str, batch: bool) -> Array:
    """Convert an object array entry by entry: real numbers only, each fitting a float."""
    out = np.empty(arr.shape)
    for index, item in np.ndenumerate(arr):
        place = _place(what, tuple(int(i) for i in index), batch)
        if item is None:
            raise TypeError(
                f"{place}: got None (a missing value?); every entry must be a real number -- "
                "fill or drop the missing values first"
            )
        if hasattr(item, "_op"):  # a Value: a batch holds numbers, the plan makes the Values
            raise TypeError(f"{place}: got a Value ({item!r}); pass its number, v.data")
        out[index] = number(place, item)  # complex, str, a nested list, a huge int: named
    return out


def as_floats(part: Any, what: str, batch: bool) -> Array:
    """Return ``part`` as a float64 array, or raise naming ``what`` and the bad entry.

    Args:
        part: one argument of an example (a number or a list) or of a batch (an array).
        what: how messages name it, e.g. ``"forward_backward: argument 0"``.
        batch: the first axis is the example (messages say ``example i, entry j``).

    Raises:
        TypeError: complex numbers, None, strings or other objects where numbers belong.
        ValueError: ragged rows, an integer beyond the float range, nan or inf.

    >>> as_floats([1, 2.5, True], "x", batch=False)
    array([1. , 2.5, 1. ])
    >>> as_floats([[1.0, 2.0], [3.0, None]], "f: argument 0", batch=True)
    Traceback (most recent call last):
    ...
    TypeError: f: argument 0, example 1, entry 1: got None (a missing value?); every entry ...
    """
    if isinstance(part, np.ndarray):
        arr = part
    else:
        try:
            arr = np.asarray(part)
        except ValueError as err:  # nested lists of different lengths
            raise ValueError(_ragged(part, what, batch)) from err
    kind = arr.dtype.kind
    if kind in _NUMERIC_KINDS:
        floats: Array = arr.astype(np.float64, copy=False)
    elif kind == "O":
        floats = _from_objects(arr, what, batch)
    elif kind == "c":
        raise TypeError(
            f"{what} holds complex numbers ({arr.dtype}); the engine computes with real numbers "
            "only -- pass the real part (x.real) or the magnitude (abs(x)) if one is meant"
        )
    else:
        first = arr.reshape(-1)[0] if arr.size else None
        raise TypeError(
            f"{what} must hold real numbers, got an array of dtype {arr.dtype} "
            f"(first entry {first!r}); convert text to numbers first"
        )
    if not np.isfinite(floats).all():
        index = tuple(int(i) for i in np.argwhere(~np.isfinite(floats))[0])
        raise ValueError(
            f"{_place(what, index, batch)} is {float(floats[index])!r}: nan or inf in the data "
            "makes the loss and every parameter's gradient nan (the batch's gradient sums over "
            "the examples); drop or fill those examples first"
        )
    return floats


def example_parts(example: Any) -> tuple[tuple[int, ...], list[list[float]]]:
    """Return the argument shapes of one example (0: a number, n: a list of n) and its numbers.

    >>> example_parts(([1.0, 2.0], 0.5))
    ((2, 0), [[1.0, 2.0], [0.5]])
    """
    parts = example if isinstance(example, tuple) else (example,)
    shapes, rows = [], []
    for a, part in enumerate(parts):
        what = f"compile_loss: argument {a} of the example"
        arr = as_floats(part, what, batch=False)
        if arr.ndim > 1:
            raise ValueError(
                f"{what} must be a number or a flat list of numbers, got an array of shape "
                f"{arr.shape}"
            )
        if arr.ndim == 1 and arr.size == 0:
            raise ValueError(
                f"{what} is an empty list; each argument must be a number or a non-empty list "
                "of numbers (leave out an argument the function does not need)"
            )
        shapes.append(0 if arr.ndim == 0 else arr.shape[0])
        rows.append(arr.reshape(-1).tolist())
    return tuple(shapes), rows


def batch_columns(batch: Any, shape: tuple[int, ...], method: str) -> list[Array]:
    """Check a batch against the traced argument shapes; return one float array per argument.

    >>> batch_columns((np.zeros((3, 2)), [1, 2, 3]), (2, 0), "forward")[1]
    array([1., 2., 3.])
    """
    parts = batch if isinstance(batch, tuple) else (batch,)
    if len(parts) != len(shape):
        raise ValueError(
            f"{method}: the function takes {len(shape)} argument(s), got a batch of "
            f"{len(parts)}; pass a tuple (inputs, targets, ...) of arrays"
        )
    columns = []
    for a, (part, size) in enumerate(zip(parts, shape, strict=True)):
        arr = as_floats(part, f"{method}: argument {a}", batch=True)
        want = "(batch,)" if size == 0 else f"(batch, {size})"
        if arr.ndim != (1 if size == 0 else 2) or (size and arr.shape[1] != size):
            raise ValueError(f"{method}: argument {a} must have shape {want}, got {arr.shape}")
        columns.append(arr)
    if len({c.shape[0] for c in columns}) != 1 or columns[0].shape[0] == 0:
        raise ValueError(
            f"{method}: every argument needs the same number (> 0) of examples, "
            f"got {[c.shape[0] for c in columns]}"
        )
    return columns
