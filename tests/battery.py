"""The bad-input battery's machinery: wrong kinds and values, rows, and the verdict of one call.

A *row* is one public callable with a valid call: each argument has a valid value and a *kind*
(``count``, ``real``, ``path``, ...); each kind lists its wrong substitutions, each with the
exception it must raise (``TypeError`` for a wrong kind, ``ValueError`` for a wrong value). The
battery calls the row once per substitution, everything else valid, and gives a verdict:

- ``ok``: the right exception, its message naming the function (and the argument), nothing changed;
- ``deep``: another exception escaped (``AttributeError``, ``OverflowError``, ``StopIteration``);
- ``hang``: the call ran past :data:`TIME_LIMIT` seconds;
- ``wrong type``: a ``TypeError`` for a wrong value, or a ``ValueError`` for a wrong kind;
- ``silent``: nothing was raised;
- ``unnamed``: the message does not name the function or the argument;
- ``state``: the call raised, but a parameter, a gradient, an optimizer or a file had changed.

The rows themselves are in ``tests/test_battery.py``; ``python tests/test_battery.py`` prints the
counts.
"""

from __future__ import annotations

import contextlib
import copy
import math
import os
import signal
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from autograd import Value, ops, topological_order
from autograd.compiled import CompiledLoss
from autograd.nn import Module
from autograd.optim import Optimizer
from autograd.train import Trainer

T, V = TypeError, ValueError

TIME_LIMIT = 5.0
"""Seconds a refused call may take before it counts as a hang (a size of 10**400, say)."""


@dataclass(frozen=True)
class Bad:
    """One wrong substitution: a label, a maker (called fresh for every call) and the error."""

    label: str
    make: Callable[[], object]
    error: type[Exception]


def bad(label: str, value: object, error: type[Exception] = T) -> Bad:
    """A wrong substitution; ``value`` is deep-copied for every call (a ``fresh(...)``: called)."""
    if isinstance(value, Fresh):
        return Bad(label, value.make, error)
    return Bad(label, lambda: copy.deepcopy(value), error)


@dataclass(frozen=True)
class Fresh:
    """A value made anew for every call (a graph, a model, a file): ``fresh(lambda: ...)``."""

    make: Callable[[], object]


fresh = Fresh

# --- the wrong kinds and the wrong values ------------------------------------------------------

WRONG_KINDS: dict[str, Callable[[], object]] = {
    "None": lambda: None,
    "str": lambda: "1",
    "bytes": lambda: b"1",
    "list": lambda: [1.0],
    "dict": lambda: {"x": 1.0},
    "complex": lambda: 1 + 2j,
    "bool": lambda: True,
    "float": lambda: 2.0,
    "int": lambda: 1,
    "ndarray": lambda: np.array([1.0, 2.0]),
    "Value": lambda: Value(1.0),
    "object": object,
}
WRONG_VALUES: dict[str, object] = {
    "0": 0,
    "-1": -1,
    "nan": math.nan,
    "inf": math.inf,
    "-inf": -math.inf,
    "10**400": 10**400,
    "10**9": 10**9,
}


def kind(kinds: str, values: str = "", *extra: Bad) -> tuple[Bad, ...]:
    """Wrong kinds (TypeError) and wrong values (ValueError) by label, then ``extra``."""
    out = [Bad(k, WRONG_KINDS[k], T) for k in kinds.split()]
    out += [bad(k, WRONG_VALUES[k], V) for k in values.split()]
    return (*out, *extra)


NOT_A_NUMBER = "None str bytes list dict complex ndarray object"
NOT_AN_INT = "None str bytes list dict complex bool float ndarray Value object"
REAL = kind(f"{NOT_A_NUMBER} bool Value", "nan inf -inf 10**400")
COUNT = kind(NOT_AN_INT, "0 -1")

KINDS: dict[str, tuple[Bad, ...]] = {
    # a number that enters a graph: bool is 0 or 1, inf and nan follow IEEE
    "number": kind(f"{NOT_A_NUMBER} Value", "10**400"),
    # a Value or a number
    "operand": kind(NOT_A_NUMBER, "10**400"),
    # a setting: finite, not a bool
    "real": REAL,
    "positive": (*REAL, *kind("", "0 -1")),
    "non_negative": (*REAL, *kind("", "-1")),
    "probability": (*REAL, *kind("", "-1"), bad("2", 2, V)),
    "fraction": (*REAL, *kind("", "-1"), bad("1", 1, V)),  # [0, 1)
    # a count: an int, not a bool; "size" is bounded too (autograd._checks.MAX_SIZE)
    "count": COUNT,
    "count0": kind(NOT_AN_INT, "-1"),
    "size": (*COUNT, *kind("", "10**400 10**9")),
    "size0": kind(NOT_AN_INT, "-1 10**400 10**9"),
    "flag": kind("None str list float int ndarray Value object"),
    "choice": kind("None bytes list float object", "", bad("unknown", "nope", V)),
    "text": kind("None bytes list float object"),
    "seed": kind("str bytes list float bool dict object", "-1"),
    "rng": kind("None str int float object"),
    "callable": kind("None str float list object"),
    "value": kind("None str float list object"),
    # a sequence of numbers or Values (alone: a number or a Value is one entry where that fits)
    "values": (
        *kind("None complex object"),
        bad("bytes", b"ab"),
        bad("dict", {"a": 1.0, "b": 2.0}),
        bad("[None]", [None, 1.0]),
        bad("[str]", ["x", 1.0]),
        bad("[complex]", [1j, 1.0]),
        bad("[list]", [[1.0], 1.0]),
    ),
    # Values only (parameters, inputs of grad)
    "leaves": (
        *kind("None str bytes float object"),
        bad("[float]", [1.0]),
        bad("[None]", [None]),
    ),
    "module": kind("None str float list Value object"),
    "path": kind("None float bytes list object", "", bad("empty", "", V)),
    # rows of numbers (a data set, a batch)
    "rows": (
        *kind("None str bytes dict object"),
        bad("[[None]]", [[None, 1.0], [1.0, 1.0]]),
        bad("[[str]]", [["a", 1.0], [1.0, 1.0]]),
        bad("[[complex]]", [[1j, 1.0], [1.0, 1.0]]),
        bad("[[Value]]", fresh(lambda: [[Value(1.0), 1.0], [1.0, 1.0]])),
        bad("[[nan]]", [[math.nan, 1.0], [1.0, 1.0]], V),
        bad("[[inf]]", [[math.inf, 1.0], [1.0, 1.0]], V),
        bad("ragged", [[1.0, 2.0], [1.0]], V),
        bad("ragged-deep", [[1.0, [1.0, 2.0]], [1.0, 1.0]], V),
        bad("empty", [], V),
    ),
}


@dataclass(frozen=True)
class Arg:
    """One argument of a row: its name, valid value, kind and row-specific wrong substitutions."""

    name: str
    valid: object
    kind: str | None
    extra: tuple[Bad, ...] = ()
    skip: tuple[str, ...] = ()
    positional: bool = False
    named: str | None = ""  # how the message names it ("": its name; None: need not)

    def make(self) -> object:
        """A fresh valid value."""
        if isinstance(self.valid, Fresh):
            return self.valid.make()
        return copy.deepcopy(self.valid)

    def bads(self) -> tuple[Bad, ...]:
        """The substitutions tried for this argument."""
        listed = KINDS[self.kind] if self.kind else ()
        return (*(b for b in listed if b.label not in self.skip), *self.extra)

    @property
    def shown(self) -> str | None:
        """What the message must contain to name the argument (None: nothing)."""
        return self.name if self.named == "" else self.named


def a(
    kind_: str | None,
    valid: object,
    *extra: Bad,
    skip: str = "",
    positional: bool = False,
    named: str | None = "",
) -> Callable[[str], Arg]:
    """An argument spec; the row gives it its name."""
    return lambda name: Arg(name, valid, kind_, extra, tuple(skip.split()), positional, named)


@dataclass(frozen=True)
class Row:
    """One public callable: how to get it fresh, its arguments, and the name its errors show."""

    id: str
    target: Callable[[], Callable[..., object]]
    args: tuple[Arg, ...]
    name: str
    covers: object
    needs_dot: bool = False
    consume: bool = False  # iterate the result (a generator)

    def substitutions(self) -> Iterator[tuple[Arg, Bad]]:
        """Every (argument, wrong substitution) pair of the row."""
        for arg in self.args:
            for b in arg.bads():
                yield arg, b


def row(
    id_: str,
    target: Callable[[], Callable[..., object]],
    /,
    *,
    covers: object,
    shows: str | None = None,
    needs_dot: bool = False,
    consume: bool = False,
    **args: Callable[[str], Arg],
) -> Row:
    """A row; ``shows`` (default: the last part of ``id_``) is what every message must contain."""
    return Row(
        id_,
        target,
        tuple(spec(n) for n, spec in args.items()),
        shows if shows is not None else id_.rsplit(".", 1)[-1],
        covers,
        needs_dot,
        consume,
    )


# --- one call and its verdict ------------------------------------------------------------------


class Hang(Exception):  # noqa: N818  # a verdict, not an error of the package
    """The call ran past the time limit."""


@contextlib.contextmanager
def time_limit(seconds: float) -> Iterator[None]:
    """Raise :class:`Hang` in the main thread after ``seconds`` (where SIGALRM exists)."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(signum: int, frame: object) -> None:
        raise Hang

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _state_of(x: object) -> object:
    """What a call must not change in ``x``: numbers, gradients, steps, modes."""
    if isinstance(x, Value):
        return [(n.data, n.grad) for n in topological_order(x)]
    if isinstance(x, Module):
        return [(p.data, p.grad) for p in x.parameters()], [m.training for _, m in x.modules()]
    if isinstance(x, Optimizer):
        return [(p.data, p.grad) for p in x.params], x.steps, x.state
    if isinstance(x, Trainer):
        return _state_of(x.model), _state_of(x.optimizer), x.plan is None
    if isinstance(x, CompiledLoss):
        return [(p.data, p.grad) for p in x.params], x.calls, x.checks
    if isinstance(x, list | tuple) and any(isinstance(v, Value) for v in x):
        return [_state_of(v) for v in x]
    return None


def _files() -> dict[str, bytes]:
    return {str(p): p.read_bytes() for p in sorted(Path().rglob("*")) if p.is_file()}


def snapshot(fn: Callable[..., object], args: dict[str, object]) -> object:
    """The files of the working folder, the called object's state and every argument's."""
    owner = getattr(fn, "__self__", None)
    return _files(), _state_of(owner), {k: _state_of(v) for k, v in args.items()}


def call(r: Row, fn: Callable[..., object], args: dict[str, object]) -> object:
    """Call ``fn`` with ``args`` (positional ones by position, the rest by keyword)."""
    positional = [args[x.name] for x in r.args if x.positional]
    keywords = {x.name: args[x.name] for x in r.args if not x.positional}
    out = fn(*positional, **keywords)
    if r.consume:
        out = list(out)  # type: ignore[call-overload]
    return out


def valid_args(r: Row) -> dict[str, object]:
    """Every argument of the row at its valid value, made fresh."""
    return {x.name: x.make() for x in r.args}


@contextlib.contextmanager
def same_table() -> Iterator[None]:
    """Unregister afterwards every op registered inside (a row may register one per call)."""
    try:
        yield
    finally:
        for name in set(ops.OPS) - set(ops.BUILTINS):
            ops.unregister(name)


def verdict(r: Row, arg: Arg, b: Bad) -> str:
    """Call the row with ``arg`` replaced by the wrong ``b``; return ``ok`` or what went wrong."""
    with same_table():
        return _verdict(r, arg, b)


def _verdict(r: Row, arg: Arg, b: Bad) -> str:
    args = valid_args(r)
    args[arg.name] = b.make()
    fn = r.target()
    before = snapshot(fn, args)
    try:
        with time_limit(TIME_LIMIT):
            call(r, fn, args)
    except Hang:
        return "hang"
    except (TypeError, ValueError) as err:
        if not isinstance(err, b.error):
            return f"wrong type: {type(err).__name__}: {err}"
        message = str(err)
        if r.name not in message or (arg.shown is not None and arg.shown not in message):
            return f"unnamed: {type(err).__name__}: {message}"
    except Exception as err:  # any other escape is the finding
        return f"deep: {type(err).__name__}: {err}"
    else:
        return "silent"
    if snapshot(fn, args) != before:
        return "state"
    return "ok"


def in_folder(folder: str | os.PathLike[str]) -> contextlib.AbstractContextManager[None]:
    """Run with ``folder`` as the working folder (where rows read and write their files)."""
    return contextlib.chdir(folder)
