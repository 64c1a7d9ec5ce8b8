"""Tracing: the loss of one example, called on input leaves that notice the function's own reads.

The engine reads an input's number to compute each op node that takes the input; any other
read is the function's own: ``x.data``, ``float(x)``, a comparison ``x > 0``, ``x.detach()``. A
number read from an input can pick a branch, an index or a constant, so the graph may differ
from example to example and a plan built from one example would be wrong for others:
:func:`trace` refuses such a function, as JAX refuses to branch on a traced value. Printing an
input is no read, and neither is an op on it whose result the function drops. A check that
only raises or changes nothing reads the number from the slot behind ``.data`` (the losses'
checks of their targets do, see ``autograd.losses``), which is not counted either. A branch on
an intermediate number (``(w * x).data > 0``) is not seen here: the plan's re-checks
(``check_every``) look for those.

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

from autograd.compiled.check import HOW_TO_FIX, DataDependentGraphError
from autograd.engine import Value, recording, topological_order

_STORED: Final = Value.__dict__["data"]  # the slot behind .data: reads of it are not counted
# The module that defines Value computes its ops (every operator, method, sum_values and dot
# reads its inputs' numbers there): a read made from its code is the engine's. Its other
# readers of a number -- float(), comparisons, detach() -- TracedInput overrides, to name them;
# repr() is left uncounted (printing builds no graph).
_ENGINE: Final = vars(sys.modules[Value.__module__])
NAMED: Final = 3
"""Inputs a refusal names at most (then: "and 5 more")."""


class TracedInput(Value):
    """An input leaf of a trace: counts the function's reads of its number and names them.

    >>> x = TracedInput(2.0, "in0")
    >>> (x * 3.0).data, x.reads, x.how  # the engine's read, to compute the product: not counted
    (6.0, 0, '')
    >>> x.data, x.reads, x > 1, x.how
    (2.0, 1, True, 'in0 > 1')
    """

    __slots__ = ("how", "reads")

    def __init__(self, data: float, label: str) -> None:
        super().__init__(data, label)
        self.reads = 0
        """Reads of ``.data`` made outside the engine's code."""
        self.how = ""
        """The first other read, as code (``float(in0)``, ``in0 > 0``), or ``""``."""

    @property
    def data(self) -> float:
        """The input's number; a read from outside the engine's code is counted."""
        if sys._getframe(1).f_globals is not _ENGINE:
            self.reads += 1
        value: float = _STORED.__get__(self)
        return value

    @data.setter
    def data(self, value: float) -> None:
        _STORED.__set__(self, value)

    def _read(self, how: str) -> None:
        self.how = self.how or how

    def _compared(self, symbol: str, other: object) -> None:
        name = (other.label or "a Value") if isinstance(other, Value) else repr(other)
        self._read(f"{self.label} {symbol} {name}")
        if isinstance(other, TracedInput):
            other._read(f"{self.label} {symbol} {name}")

    def __float__(self) -> float:
        self._read(f"float({self.label})")
        return super().__float__()

    def __lt__(self, other: Value | float) -> bool:
        self._compared("<", other)
        return super().__lt__(other)

    def __le__(self, other: Value | float) -> bool:
        self._compared("<=", other)
        return super().__le__(other)

    def __gt__(self, other: Value | float) -> bool:
        self._compared(">", other)
        return super().__gt__(other)

    def __ge__(self, other: Value | float) -> bool:
        self._compared(">=", other)
        return super().__ge__(other)

    def detach(self) -> Value:
        """Return a leaf holding this input's number (a read: the number leaves the graph)."""
        self._read(f"{self.label}.detach()")
        return super().detach()


def call(
    fn: Callable[..., Value],
    shape: Sequence[int],
    rows: Sequence[Sequence[float]],
    leaf: type[Value] = Value,
) -> tuple[Value, list[Value]]:
    """Call ``fn`` on leaves made from one example; return its loss and its input leaves.

    Args:
        fn: the loss of one example.
        shape: the argument shapes (0: a number, n: a list of n numbers).
        rows: the example's numbers, one list per argument.
        leaf: the class of the input leaves (:class:`TracedInput` to trace).

    Raises:
        TypeError: ``fn`` returns something other than a Value.

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
    """Trace ``fn`` on one example: its loss, input leaves and graph in topological order.

    Raises:
        DataDependentGraphError: ``fn`` reads the number of an input itself; the message names
            the inputs and how they were read, and says what to do.
        TypeError: ``fn`` returns something other than a Value.

    >>> from autograd import Value
    >>> w = Value(2.0)
    >>> loss, inputs, order = trace(lambda x: w * x, (0,), [[3.0]])
    >>> loss.data, len(order)
    (6.0, 3)
    """
    loss, inputs = call(fn, shape, rows, TracedInput)
    read = [x for x in inputs if isinstance(x, TracedInput) and (x.how or x.reads)]
    if read:
        raise DataDependentGraphError(_refusal(read))
    return loss, inputs, topological_order(loss)


def _refusal(read: Sequence[TracedInput]) -> str:
    """Name the inputs read (how, where known) and say what to do."""
    named = [f"{x.label} (`{x.how or x.label + '.data'}`)" for x in read[:NAMED]]
    listed = ", ".join(named) + (f" and {len(read) - NAMED} more" if len(read) > NAMED else "")
    what = "the number of its input" if len(read) == 1 else "the numbers of its inputs"
    return (
        f"compile_loss: the function reads {what} {listed} while it is traced, so "
        f"its graph may depend on the data; {HOW_TO_FIX}"
    )
