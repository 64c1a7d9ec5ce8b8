"""Tracing: the loss of one example, called on input leaves that notice the function's own reads.

The engine reads an input's number to compute each op node on it; any other read is the
function's own (``x.data``, ``float(x)``, ``x > 0``, ``x.detach()``) and could pick a branch, an
index or a constant, so :func:`trace` refuses it, as JAX refuses to branch on a traced value.
Printing an input, or an op on it whose result is dropped, is no read; a check that only
raises reads the slot behind ``.data`` (as ``autograd.losses`` checks its targets), which is
not noticed either. Reads of intermediate numbers are left to the plan's re-checks.

>>> from autograd import Value
>>> w = Value(2.0)
>>> trace(lambda x: w * x if x > 0 else w - x, (0,), [[1.0]])
Traceback (most recent call last):
...
autograd.compiled.check.DataDependentGraphError: compile_loss: the function reads the number ...
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from typing import Final

from autograd import ops
from autograd.compiled.check import HOW_TO_FIX, DataDependentGraphError
from autograd.engine import Value, topological_order
from autograd.modes import recording

_STORED: Final = Value.__dict__["data"]  # the slot behind .data: reading it is not noticed
# The module that defines Value computes every op (operators, methods, sum_values, dot): a read
# made from its code is the engine's. Its other readers of a number -- float(), comparisons,
# detach() -- TracedInput overrides to name them; repr() stays unnoticed (it builds no graph).
# The table's evaluate and accumulate forms, which the engine calls, read for it too.
_ENGINE: Final = vars(sys.modules[Value.__module__])
_ROW_FORMS: Final = frozenset(  # the table's forms that read .data for the engine (Op.evaluate)
    f.__code__ for op in ops.BUILTINS.values() for f in (op.evaluate, op.accumulate) if f
)
NAMED: Final = 3
"""Inputs a refusal names at most (then: "and 5 more")."""


def _note(x: object, how: str) -> None:
    if isinstance(x, TracedInput) and not x.read:
        x.read = how


def _comparison(
    symbol: str, compare: Callable[[Value, Value | float], bool]
) -> Callable[[Value, Value | float], bool]:
    def noted(self: Value, other: Value | float) -> bool:
        name = (other.label or "a Value") if isinstance(other, Value) else repr(other)
        _note(self, f"{self.label} {symbol} {name}")
        _note(other, f"{self.label} {symbol} {name}")
        return compare(self, other)

    return noted


class TracedInput(Value):
    """An input leaf of a trace: notes the function's first read of its number, as code.

    >>> x = TracedInput(2.0, "in0")
    >>> (x * 3.0).data, x.read  # the engine's read, to compute the product
    (6.0, '')
    >>> x > 1, x.read
    (True, 'in0 > 1')
    """

    __slots__ = ("read",)

    def __init__(self, data: float, label: str) -> None:
        super().__init__(data, label)
        self.read = ""
        """The function's first read of the number (``in0.data``, ``float(in0)``), or ``""``."""

    @property
    def data(self) -> float:
        """The input's number; a read from outside the engine's code is noted."""
        caller = sys._getframe(1)
        if not self.read and caller.f_globals is not _ENGINE and caller.f_code not in _ROW_FORMS:
            self.read = f"{self.label}.data"
        value: float = _STORED.__get__(self)
        return value

    @data.setter
    def data(self, value: float) -> None:
        _STORED.__set__(self, value)

    def __float__(self) -> float:
        _note(self, f"float({self.label})")
        return super().__float__()

    __lt__ = _comparison("<", Value.__lt__)
    __le__ = _comparison("<=", Value.__le__)
    __gt__ = _comparison(">", Value.__gt__)
    __ge__ = _comparison(">=", Value.__ge__)

    def detach(self) -> Value:
        """Return a leaf holding this input's number (a read: the number leaves the graph)."""
        _note(self, f"{self.label}.detach()")
        return super().detach()


def call(
    fn: Callable[..., Value],
    shape: Sequence[int],
    rows: Sequence[Sequence[float]],
    leaf: type[Value] = Value,
) -> tuple[Value, list[Value]]:
    """Call ``fn`` on ``leaf``s holding one example (rows by argument, shaped as ``shape``).

    Returns the loss and the input leaves, labelled ``in{argument}[{entry}]``; raises
    ``TypeError`` if ``fn`` returns no Value.

    >>> loss, inputs = call(lambda x, y: x[1] * y, (2, 0), [[1.0, 2.0], [3.0]])
    >>> loss.data, [x.label for x in inputs]
    (6.0, ['in0[0]', 'in0[1]', 'in1'])
    """
    args: list[Value | list[Value]] = []
    leaves: list[Value] = []
    for a, (row, size) in enumerate(zip(rows, shape, strict=True)):
        values = [leaf(x, label=f"in{a}[{i}]" if size else f"in{a}") for i, x in enumerate(row)]
        leaves.extend(values)
        args.append(values if size else values[0])
    with recording():  # trace a graph even inside no_grad() or detect_anomaly()
        loss = fn(*args)
    if not isinstance(loss, Value):
        raise TypeError(f"compile_loss: the function must return a Value (the loss), got {loss!r}")
    return loss, leaves


def trace(
    fn: Callable[..., Value], shape: Sequence[int], rows: Sequence[Sequence[float]]
) -> tuple[Value, list[Value], list[Value]]:
    """Return the loss of one example, its input leaves and its graph in topological order.

    Raises:
        DataDependentGraphError: ``fn`` reads an input's number; the message names the inputs
            and the reads, and says what to do.
        TypeError: ``fn`` returns no Value.

    >>> loss, inputs, order = trace(lambda x: x * 3.0, (0,), [[2.0]])
    >>> loss.data, len(order)
    (6.0, 3)
    """
    loss, inputs = call(fn, shape, rows, TracedInput)
    read = [x for x in inputs if isinstance(x, TracedInput) and x.read]
    if read:
        named = ", ".join(f"{x.label} (`{x.read}`)" for x in read[:NAMED])
        more = f" and {len(read) - NAMED} more" if len(read) > NAMED else ""
        what = "the number of its input" if len(read) == 1 else "the numbers of its inputs"
        raise DataDependentGraphError(
            f"compile_loss: the function reads {what} {named}{more} while it is traced, so its "
            f"graph may depend on the data; {HOW_TO_FIX}"
        )
    return loss, inputs, topological_order(loss)
