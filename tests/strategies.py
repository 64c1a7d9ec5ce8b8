"""The public way to call each built-in row: an operator, a method or a function of the package.

The suite's Hypothesis strategies are the package's public kit, ``autograd.testing.strategies``;
what stays here is how a user reaches each built-in row by name, which a new row adds one entry
to. Registered ops are called as the function ``ops.register`` returned.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from autograd import Value, dot, max_values, sum_values
from autograd.ops import Op


def _dot(*terms: Value) -> Value:
    return dot(terms[0:-1:2], terms[1:-1:2], terms[-1])


# How a user reaches each row: an operator, a method or a function of the package.
CALLERS: dict[str, Callable[..., Value]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": lambda x, exponent: x**exponent,
    "vpow": lambda x, y: x**y,
    "exp": lambda x: x.exp(),
    "log": lambda x: x.log(),
    "sqrt": lambda x: x.sqrt(),
    "softplus": lambda x: x.softplus(),
    "tanh": lambda x: x.tanh(),
    "sigmoid": lambda x: x.sigmoid(),
    "relu": lambda x: x.relu(),
    "leaky_relu": lambda x, slope: x.leaky_relu(slope),
    "abs": lambda x: abs(x),
    "sin": lambda x: x.sin(),
    "cos": lambda x: x.cos(),
    "sum": lambda *xs: sum_values(xs),
    "dot": _dot,
    "heaviside": lambda x: x.heaviside(),
    "max": lambda *xs: max_values(xs),
}


def call(op: Op, xs: Sequence[Value], params: dict[str, float]) -> Value:
    """Apply ``op`` to Values through its public operator, method or function."""
    return CALLERS[op.name](*xs, **params)
