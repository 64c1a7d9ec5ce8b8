"""Argument checks for the whole package: one rule and one wording per kind of argument.

Every public function checks its arguments here before it changes anything. A value of the
wrong kind raises ``TypeError``, one outside the allowed range ``ValueError``; both name the
argument (``what``, which starts with the function: ``"MLP nin"``, ``"draw_dot: rankdir"``) and
show the value. Python numbers and numpy scalars (``np.int64``, ``np.float32``) are accepted
alike. The kinds:

- :func:`number` -- a number that enters a graph (``Value(x)``, ``x * 2``, a loss target):
  ``bool`` counts as 0 or 1 and inf and nan pass, as in Python, numpy and PyTorch (IEEE rules);
- :func:`real` and the ranges built on it (:func:`interval`, :func:`positive`,
  :func:`non_negative`, :func:`probability`) -- a setting such as a rate or a slope: finite, and
  ``bool`` is refused (a ``True`` where a rate belongs is a slip, not a 1);
- :func:`count` -- a step or a number of things: an ``int >= minimum``, not a bool; :func:`size`
  -- a count that allocates (a layer's width, a data set's length), at most :data:`MAX_SIZE`;
- :func:`choice` -- one of a few names (a ``str``); :func:`flag` -- True or False;
- :func:`rng` -- a seed (None, an int >= 0, a ``numpy.random.Generator``) made a generator;
- :func:`function`, :func:`text`, :func:`path` -- a callable, a ``str``, a file's path;
- :func:`sequence` and :func:`numbers` -- a list (tuple, 1-d array) of entries, of numbers.

An int beyond the float range is a ``ValueError`` worded once, by :func:`float_of`.

>>> count("MLP nin", np.int64(3)), probability("Dropout p", np.float32(0.5))
(3, 0.5)
>>> count("batch_size", 0)
Traceback (most recent call last):
...
ValueError: batch_size must be an int >= 1, got 0
"""

from __future__ import annotations

import math
import numbers
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any, Final, TypeVar

import numpy as np

from autograd.messages import describe

T = TypeVar("T")

MAX_SIZE: Final = 10**7
"""The most scalars a module, a data set or a batch of indices may hold: ten million.

Ten million ``Value`` nodes take about 1.5 GB and a minute to build; a size past it is taken for
a slip (``10**9`` for ``10**3``, a width read from a damaged file) and refused with a
``ValueError`` before anything is allocated, instead of hanging or exhausting memory.
:func:`autograd.serialize.load` refuses a file declaring more parameters than this, too.
"""


def float_of(what: str, value: numbers.Real) -> float:
    """Return ``float(value)``; an int beyond the float range is a ``ValueError`` naming ``what``.

    >>> float_of("x", 10**400)  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: x: int 1000... is beyond the float range (|x| <= 1.8e308)
    """
    try:
        return float(value)
    except OverflowError as err:
        raise ValueError(
            f"{what}: {describe(value)} is beyond the float range (|x| <= 1.8e308)"
        ) from err


def number(what: str, value: object) -> float:
    """Return ``value`` as a float if it is a real number (inf and nan included; bool is 0 or 1).

    Complex numbers, strings, None, lists and arrays are refused (an array is shown by its
    shape).

    >>> number("Value", 3), number("Value", True), number("Value", np.float32(0.5))
    (3.0, 1.0, 0.5)
    >>> number("mul (*)", "2")
    Traceback (most recent call last):
    ...
    TypeError: mul (*): expected a real number (an int or a float), got str '2'; ...
    """
    if type(value) is float:
        return value
    # int first: the abstract-class check below costs more than the conversion
    if type(value) is int or isinstance(value, numbers.Real):  # bool, numpy; not arrays, complex
        return float_of(what, value)  # type: ignore[arg-type]  # an int, or a Real
    raise TypeError(
        f"{what}: expected a real number (an int or a float), got {describe(value)}; "
        "convert it with float(...) first"
    )


def count(what: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` as an ``int >= minimum`` (a Python or numpy integer, not a bool).

    >>> count("epochs", 2), count("t", 0, minimum=0)
    (2, 0)
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{what} must be an int >= {minimum}, got {describe(value)}")
    if value < minimum:
        raise ValueError(f"{what} must be an int >= {minimum}, got {value!r}")
    return int(value)


def size(what: str, value: object, minimum: int = 1) -> int:
    """Return ``value`` as a count that allocates: an ``int`` from ``minimum`` to :data:`MAX_SIZE`.

    >>> size("Layer nout", 10**9)
    Traceback (most recent call last):
    ...
    ValueError: Layer nout must be at most MAX_SIZE = 10,000,000 (a size that allocates), got ...
    """
    n = count(what, value, minimum)
    if n > MAX_SIZE:
        raise ValueError(
            f"{what} must be at most MAX_SIZE = {MAX_SIZE:,} (a size that allocates), got {_big(n)}"
        )
    return n


def total(what: str, n: int, unit: str = "parameters") -> int:
    """Return ``n``, the scalars something would allocate, if at most :data:`MAX_SIZE`.

    >>> total("MLP(1000, [10000] * 200)", 20_000_000)
    Traceback (most recent call last):
    ...
    ValueError: MLP(1000, [10000] * 200) would hold 20,000,000 parameters, more than MAX_SIZE = ...
    """
    if n > MAX_SIZE:
        raise ValueError(
            f"{what} would hold {_big(n)} {unit}, more than MAX_SIZE = {MAX_SIZE:,}; nothing "
            "was built"
        )
    return n


def _big(n: int) -> str:
    return f"{n:,}" if n < 10**30 else f"an int of {len(str(n))} digits"


def real(what: str, value: object) -> float:
    """Return ``value`` as a finite float (a Python or numpy real number, not a bool).

    >>> real("gamma", np.float32(0.5))
    0.5
    """
    if isinstance(value, bool | np.bool_) or not isinstance(value, numbers.Real):
        raise TypeError(f"{what} must be a real number, got {describe(value)}")
    x = float_of(what, value)
    if not math.isfinite(x):
        raise ValueError(f"{what} must be a finite number, got {value!r}")
    return x


def interval(
    what: str,
    value: object,
    low: float,
    high: float,
    *,
    closed: tuple[bool, bool] = (True, True),
) -> float:
    """Return ``value`` as a float in the interval from ``low`` to ``high``.

    Args:
        what: the argument's name, for the message.
        value: the number to check.
        low: the lower end (``-math.inf`` for none).
        high: the upper end (``math.inf`` for none).
        closed: whether each end belongs to the interval.

    >>> interval("alpha", 0.5, 0.0, 1.0, closed=(True, False))
    0.5
    >>> interval("alpha", 1.0, 0.0, 1.0, closed=(True, False))
    Traceback (most recent call last):
    ...
    ValueError: alpha must be in [0, 1), got 1.0
    """
    x = real(what, value)
    above = x >= low if closed[0] else x > low
    below = x <= high if closed[1] else x < high
    if not (above and below):
        raise ValueError(f"{what} must be {_interval_text(low, high, closed)}, got {value!r}")
    return x


def _interval_text(low: float, high: float, closed: tuple[bool, bool]) -> str:
    if high == math.inf:
        return f"a finite number {'>=' if closed[0] else '>'} {low:g}"
    return f"in {'[' if closed[0] else '('}{low:g}, {high:g}{']' if closed[1] else ')'}"


def non_negative(what: str, value: object) -> float:
    """Return ``value`` as a finite float ``>= 0``.

    >>> non_negative("momentum", 0)
    0.0
    """
    return interval(what, value, 0.0, math.inf)


def positive(what: str, value: object) -> float:
    """Return ``value`` as a finite float ``> 0``.

    >>> positive("s0", 2)
    2.0
    """
    return interval(what, value, 0.0, math.inf, closed=(False, True))


def probability(what: str, value: object) -> float:
    """Return ``value`` as a float in ``[0, 1]``.

    >>> probability("p", 1)
    1.0
    """
    x = real(what, value)
    if not 0.0 <= x <= 1.0:
        raise ValueError(f"{what} must be a probability in [0, 1], got {value!r}")
    return x


def choice(name: str, value: object, allowed: Sequence[str], caller: str = "") -> str:
    """Return ``value`` if it is one of ``allowed``: a ValueError lists them, a TypeError if no str.

    >>> choice("rankdir", "XY", ("LR", "TB"), caller="draw_dot")
    Traceback (most recent call last):
    ...
    ValueError: draw_dot: unknown rankdir 'XY' (must be one of ['LR', 'TB'])
    >>> choice("rankdir", None, ("LR", "TB"), caller="draw_dot")
    Traceback (most recent call last):
    ...
    TypeError: draw_dot: rankdir must be a str, one of ['LR', 'TB'], got NoneType None
    """
    where = f"{caller}: " if caller else ""
    if not isinstance(value, str):
        raise TypeError(
            f"{where}{name} must be a str, one of {list(allowed)}, got {describe(value)}"
        )
    if value not in allowed:
        raise ValueError(f"{where}unknown {name} {value!r} (must be one of {list(allowed)})")
    return value


def flag(what: str, value: object) -> bool:
    """Return ``value`` if it is True or False, else raise a TypeError naming ``what``.

    >>> flag("draw_dot: edge_labels", "no")
    Traceback (most recent call last):
    ...
    TypeError: draw_dot: edge_labels must be True or False, got 'no'
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(f"{what} must be True or False, got {value!r}")
    return bool(value)


def instance(what: str, value: object, kind: type[T], wanted: str) -> T:
    """Return ``value`` if it is a ``kind``, else raise a TypeError saying what is ``wanted``.

    >>> instance("draw_dot: root", 3.0, str, "a str (a name)")
    Traceback (most recent call last):
    ...
    TypeError: draw_dot: root must be a str (a name), got float 3.0
    """
    if not isinstance(value, kind):
        raise TypeError(f"{what} must be {wanted}, got {describe(value)}")
    return value


def text(what: str, value: object) -> str:
    """Return ``value`` if it is a ``str``, else raise a TypeError naming ``what``.

    >>> text("assert_grads_close: what", b"x")
    Traceback (most recent call last):
    ...
    TypeError: assert_grads_close: what must be a str, got bytes b'x'
    """
    return instance(what, value, str, "a str")


def function(what: str, value: object, wanted: str = "a function") -> Callable[..., Any]:
    """Return ``value`` if it is callable, else raise a TypeError saying what is ``wanted``.

    >>> function("Trainer: loss", None, "a loss function loss(output, target)")
    Traceback (most recent call last):
    ...
    TypeError: Trainer: loss must be a loss function loss(output, target), got NoneType None
    """
    if not callable(value):
        raise TypeError(f"{what} must be {wanted}, got {describe(value)}")
    return value


def rng(what: str, seed: object) -> np.random.Generator:
    """Return a generator for ``seed``: None (fresh entropy), an int >= 0, or a Generator.

    numpy's own errors (``SeedSequence expects int or sequence of ints``) name no argument; a
    bool is refused like a bool where a count belongs.

    >>> generator = np.random.default_rng(0)
    >>> rng("MLP seed", generator) is generator  # drawn from, not copied
    True
    >>> rng("MLP seed", 1.5)
    Traceback (most recent call last):
    ...
    TypeError: MLP seed must be None, an int >= 0 or a numpy.random.Generator, got float 1.5
    """
    if seed is None or isinstance(seed, np.random.Generator):
        return np.random.default_rng(seed)
    if isinstance(seed, bool | np.bool_) or not isinstance(seed, numbers.Integral):
        raise TypeError(
            f"{what} must be None, an int >= 0 or a numpy.random.Generator, got {describe(seed)}"
        )
    if seed < 0:
        raise ValueError(f"{what} must be an int >= 0 (or None, or a Generator), got {seed!r}")
    return np.random.default_rng(int(seed))


def path(what: str, value: object) -> Path:
    """Return ``value`` as a ``Path``: a non-empty ``str`` or ``os.PathLike`` (not bytes).

    >>> path("save: path", None)
    Traceback (most recent call last):
    ...
    TypeError: save: path must be a str or a pathlib.Path, got NoneType None
    """
    if isinstance(value, os.PathLike):
        value = os.fspath(value)
    if not isinstance(value, str):
        raise TypeError(f"{what} must be a str or a pathlib.Path, got {describe(value)}")
    if not value:
        raise ValueError(f"{what} is empty; name a file")
    return Path(value)


def sequence(what: str, value: object, wanted: str = "a list") -> list[Any]:
    """Return ``value`` as a list: any iterable (a list, an array) but a str, bytes or a dict.

    The bytes of a ``bytes`` and the keys of a dict are no entries (``dot(b"ab", [1, 2])``
    would read 97 and 98), so they are refused; an array gives its rows (entries if 1-d).

    >>> sequence("dot: weights", b"ab", "a list of numbers or Values")
    Traceback (most recent call last):
    ...
    TypeError: dot: weights must be a list of numbers or Values, got bytes b'ab'
    """
    if isinstance(value, np.ndarray) and value.ndim:
        return list(value.tolist())
    if isinstance(value, str | bytes | bytearray | Mapping | np.ndarray) or not isinstance(
        value, Iterable
    ):
        raise TypeError(f"{what} must be {wanted}, got {describe(value)}")
    return list(value)


def numbers_of(what: str, value: object) -> list[float]:
    """Return ``value`` as a list of floats, each entry checked by :func:`number` as ``what[i]``.

    >>> numbers_of("is_close: actual", [1, "2"])
    Traceback (most recent call last):
    ...
    TypeError: is_close: actual[1]: expected a real number (an int or a float), got str '2'; ...
    """
    items = sequence(what, value, "a list of numbers")
    return [number(f"{what}[{i}]", x) for i, x in enumerate(items)]
