"""Compiled batched execution: a scalar graph traced once, run for a whole batch with numpy.

>>> import numpy as np
>>> from autograd import Value
>>> w = Value(2.0)
>>> plan = compile_loss(lambda x: (w * x) ** 2, 1.0, [w])
>>> plan.forward_backward(np.array([1.0, 3.0]))
20.0
>>> w.grad
20.0
"""

from autograd.compiled.check import DataDependentGraphError
from autograd.compiled.plan import CHECK_EVERY, CompiledLoss, compile_loss

__all__ = ["CHECK_EVERY", "CompiledLoss", "DataDependentGraphError", "compile_loss"]
