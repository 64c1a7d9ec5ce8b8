"""The base of every module: parameters by dotted name, counts, gradients, train/eval mode.

A module lists its own parameters in ``_own_parameters`` and its sub-modules in ``_children``;
names, counts, zeroing and mode are derived from those two, so a user's subclass gets them all.

>>> from autograd.nn import Layer
>>> [name for name, _ in Layer(2, 1, seed=0).named_parameters()]
['neurons.0.w.0', 'neurons.0.w.1', 'neurons.0.b']
"""

from __future__ import annotations

import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from autograd.engine import Value, zero_grad
from autograd.messages import describe

Input = Value | float
"""One input of a neuron: a Value or a plain number."""

Inputs = Value | float | Sequence[Value | float] | npt.NDArray[np.float64]
"""What a layer accepts: one input, or a list (or 1-d array) of them."""


def _linear(x: Value) -> Value:
    return x


ACTIVATIONS: Final[Mapping[str, Callable[[Value], Value]]] = {
    "relu": Value.relu,
    "leaky_relu": Value.leaky_relu,
    "tanh": Value.tanh,
    "sigmoid": Value.sigmoid,
    "softplus": Value.softplus,
    "linear": _linear,
}
"""The activations a neuron can apply after its weighted sum, by name."""


class Module:
    """Base class: parameters, gradients, train/eval mode and a readable repr.

    Subclasses list their own parameters in ``_own_parameters`` and their sub-modules in
    ``_children``; everything else (names, counts, zeroing, mode) is derived from those two.
    """

    training: bool = True

    def __call__(self, x: Any) -> Any:
        """Return the module's output for one example."""
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def _own_parameters(self) -> list[tuple[str, Value]]:
        return []

    def _children(self) -> list[tuple[str, Module]]:
        return []

    def modules(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(dotted name, module)`` for this module (name ``""``) and all inside it.

        >>> from autograd.nn import MLP
        >>> [name for name, _ in MLP(2, [1, 1], seed=0).modules()][:3]
        ['', 'layers.0', 'layers.0.neurons.0']
        """
        stack: list[tuple[str, Module]] = [("", self)]
        while stack:  # an explicit stack, like every walk in this package
            name, module = stack.pop()
            yield name, module
            prefix = f"{name}." if name else ""
            stack.extend((prefix + child, m) for child, m in reversed(module._children()))

    def named_parameters(self) -> list[tuple[str, Value]]:
        """Return ``(dotted name, parameter)`` pairs in :meth:`parameters` order.

        >>> from autograd.nn import Neuron
        >>> [name for name, _ in Neuron(2, seed=0).named_parameters()]
        ['w.0', 'w.1', 'b']
        """
        named: list[tuple[str, Value]] = []
        for name, module in self.modules():
            prefix = f"{name}." if name else ""
            named.extend((prefix + own, p) for own, p in module._own_parameters())
        return named

    def parameters(self) -> list[Value]:
        """Return the trainable Values: each neuron's weights, then its bias (micrograd's order).

        >>> from autograd.nn import Layer
        >>> len(Layer(3, 2, seed=0).parameters())
        8
        """
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """Return the number of trainable scalars.

        >>> from autograd.nn import MLP, mlp_parameter_count
        >>> MLP(12, [300, 200, 100, 1], seed=0).num_parameters() == mlp_parameter_count(
        ...     12, [300, 200, 100, 1])
        True
        """
        return len(self.named_parameters())

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.

        >>> from autograd.nn import Neuron
        >>> n = Neuron(1, seed=0); n([2.0]).backward(); n.zero_grad(); n.b.grad
        0.0
        """
        zero_grad(self.parameters())

    def train(self, mode: bool = True) -> Module:
        """Switch this module and all inside it to training mode (or eval mode); return self.

        >>> from autograd.nn import MLP
        >>> MLP(2, [2, 1], seed=0).train(False).training
        False
        """
        for _, module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (dropout off); return self.

        >>> from autograd.nn import Dropout
        >>> Dropout(0.5).eval().training
        False
        """
        return self.train(False)

    def config(self) -> dict[str, Any]:
        """Return the constructor arguments that rebuild this architecture (JSON-friendly)."""
        raise NotImplementedError(f"{type(self).__name__} does not describe its architecture")


def label_parameters(prefix: str, module: Module) -> None:
    """Prefix the labels of every parameter inside ``module``, as named_parameters() prefixes names.

    A module labels its own parameters (``w.5``, ``b``) and each enclosing constructor prefixes
    them, so an MLP's weight reads ``layers.0.neurons.3.w.5``: graph pictures can group nodes
    by neuron. One string concatenation per parameter and level keeps it cheap.
    """
    for p in module.parameters():
        p.label = prefix + p.label


def as_inputs(x: object, what: str) -> Sequence[Input]:
    """One example's inputs as a sequence: a number or Value alone, a list, or a 1-d array.

    >>> as_inputs(2.0, "Neuron"), as_inputs(np.array([1.0, 2.0]), "Layer")
    ([2.0], [1.0, 2.0])
    """
    if isinstance(x, Value | int | float):
        return [x]
    if isinstance(x, np.ndarray):
        if x.ndim == 1:
            return list(x.tolist())
        if x.ndim == 0:
            return [float(x)]
        raise ValueError(
            f"{what} takes one example, a 1-d list or array of inputs, got "
            f"{describe(x)}; call it on one row at a time"
        )
    if isinstance(x, Sequence) and not isinstance(x, str | bytes):
        return x
    if isinstance(x, numbers.Real):  # np.float32 and friends (bool was taken above as an int)
        return [float(x)]
    raise TypeError(
        f"{what}: expected a Value, a number or a list of them as input, got {describe(x)}"
    )
