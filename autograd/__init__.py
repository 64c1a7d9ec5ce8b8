"""A scalar autograd engine that shows its work.

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> y = x * x + 2 * x
>>> y.backward()
>>> (y.data, x.grad)
(15.0, 8.0)
"""

from autograd.engine import (
    Value,
    dot,
    grad,
    max_values,
    sum_values,
    topological_order,
    zero_grad,
)
from autograd.modes import detect_anomaly, no_grad

__all__ = [
    "Value",
    "detect_anomaly",
    "dot",
    "grad",
    "max_values",
    "no_grad",
    "sum_values",
    "topological_order",
    "zero_grad",
]
__version__ = "0.1.0"
