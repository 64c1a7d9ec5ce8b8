"""Matrices as nested lists of numbers or Values: products whose entries are ``dot`` nodes.

The problem book writes layers in matrix form, ``H = X W``; here each entry of a product is one
fused ``dot`` node (a row times a column), so the backward pass of ``X W`` is the chain rule
over those nodes -- and :func:`jacobian` reads off any Jacobian the lectures derive by hand.

>>> from autograd import Value
>>> X = [[1.0, 2.0], [-1.0, 2.0]]
>>> W = [[Value(1.0), Value(-1.0)], [Value(0.5), Value(0.0)]]
>>> [[v.data for v in row] for row in matmul(X, W)]  # the problem book's exercise 25
[[2.0, -1.0], [0.0, 1.0]]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from autograd import _checks
from autograd.engine import Value, dot, grad
from autograd.messages import describe

Matrix = Sequence[Sequence[Value | float]]
"""A matrix: a list of rows, each a list of numbers or Values, all rows as long."""


def _shape(a: object, what: str) -> tuple[int, int]:
    """The shape of a matrix of numbers or Values, or a TypeError (wrong kind) or ValueError."""
    if not isinstance(a, Sequence) or isinstance(a, str | bytes):
        raise TypeError(f"{what} must be a matrix (a non-empty list of rows), got {describe(a)}")
    if not a:
        raise ValueError(f"{what} must be a matrix (a non-empty list of rows), got an empty list")
    widths = []
    for i, row in enumerate(a):
        if not isinstance(row, Sequence) or isinstance(row, str | bytes):
            raise TypeError(f"{what}: row {i} must be a list of numbers, got {describe(row)}")
        for j, x in enumerate(row):
            if not isinstance(x, Value):
                _checks.number(f"{what}[{i}][{j}]", x)
        widths.append(len(row))
    if widths[0] == 0 or any(w != widths[0] for w in widths):
        raise ValueError(
            f"{what} must be rectangular with non-empty rows, got rows of lengths {widths}"
        )
    return len(widths), widths[0]


def _leaves(a: Matrix, what: str) -> list[list[Value]]:
    """The entries as Values, numbers as one constant leaf each (read by every product)."""
    return [
        [x if isinstance(x, Value) else Value(_checks.number(what, x)) for x in row] for row in a
    ]


def transpose(a: Matrix) -> list[list[Any]]:
    """Return the transpose ``a^T``: the same entries (no nodes), rows and columns swapped.

    Raises:
        TypeError: ``a`` is not a list of rows of numbers or Values.
        ValueError: ``a`` is empty, or its rows are empty or of different lengths.

    >>> transpose([[1.0, 2.0, 3.0]])
    [[1.0], [2.0], [3.0]]
    """
    rows, cols = _shape(a, "transpose: a")
    return [[a[i][j] for i in range(rows)] for j in range(cols)]


def matmul(a: Matrix, b: Matrix) -> list[list[Value]]:
    """Return ``a @ b``: entry ``(i, j)`` is one ``dot`` node of row ``i`` and column ``j``.

    Raises:
        TypeError, ValueError: as :func:`transpose`, for ``a`` and ``b``.
        ValueError: if the shapes do not chain (``a``'s columns must be ``b``'s rows).

    >>> matmul([[1.0, 2.0]], [[1.0], [2.0], [3.0]])
    Traceback (most recent call last):
    ...
    ValueError: matmul: a is 1x2 and b is 3x1; a's 2 columns must be b's 3 rows
    """
    (n, k), (k2, m) = _shape(a, "matmul: a"), _shape(b, "matmul: b")
    if k != k2:
        raise ValueError(
            f"matmul: a is {n}x{k} and b is {k2}x{m}; a's {k} columns must be b's {k2} rows"
        )
    rows, columns = _leaves(a, "matmul: a"), transpose(_leaves(b, "matmul: b"))
    zero = Value(0.0)  # the dots' bias slot: one constant leaf
    return [[dot(row, column, zero) for column in columns] for row in rows]


def matvec(a: Matrix, x: Sequence[Value | float]) -> list[Value]:
    """Return ``a @ x`` for a vector ``x``: one ``dot`` node per row (a layer without biases).

    >>> [v.data for v in matvec([[1.0, 2.0], [3.0, 4.0]], [1.0, -1.0])]
    [-1.0, -1.0]
    """
    _, k = _shape(a, "matvec: a")
    if not isinstance(x, Sequence) or isinstance(x, str | bytes):
        raise TypeError(f"matvec: x must be a list of {k} numbers or Values, got {describe(x)}")
    if len(x) != k:
        raise ValueError(
            f"matvec: a has {k} columns, so x must be a list of {k} entries, got {describe(x)}"
        )
    (column,) = _leaves([x], "matvec: x")
    zero = Value(0.0)  # the dots' bias slot: one constant leaf
    return [dot(row, column, zero) for row in _leaves(a, "matvec: a")]


def jacobian(outputs: Sequence[Value], inputs: Sequence[Value]) -> list[list[float]]:
    """Return ``J[i][j] = d outputs[i] / d inputs[j]`` as floats; no ``.grad`` changes.

    Raises:
        TypeError: ``outputs`` or ``inputs`` is not a list of Values.

    >>> from autograd import Value
    >>> x, y = Value(2.0), Value(3.0)
    >>> jacobian([x * y, x + y], [x, y])
    [[3.0, 2.0], [1.0, 1.0]]
    """
    outs = _checks.sequence("jacobian: outputs", outputs, "a list of Values")
    for i, out in enumerate(outs):
        _checks.instance(f"jacobian: outputs[{i}]", out, Value, "a Value")
    wanted = _checks.sequence("jacobian: inputs", inputs, "a list of Values")
    for j, x in enumerate(wanted):
        _checks.instance(f"jacobian: inputs[{j}]", x, Value, "a Value")
    return [list(grad(out, wanted)) for out in outs]
