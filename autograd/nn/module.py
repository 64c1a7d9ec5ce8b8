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

from autograd import _checks
from autograd.engine import Value, all_values, zero_grad
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
    "heaviside": Value.heaviside,
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

        Raises:
            TypeError: ``mode`` is not True or False.

        >>> from autograd.nn import MLP
        >>> MLP(2, [2, 1], seed=0).train(False).training
        False
        """
        mode = _checks.flag(f"{type(self).__name__}.train: mode", mode)
        for _, module in self.modules():
            module.training = mode
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (dropout off); return self.

        >>> from autograd.nn import Dropout
        >>> Dropout(0.5).eval().training
        False
        """
        return self.train(False)

    def config(self) -> dict[str, Any]:
        """Return the constructor arguments that rebuild this architecture (JSON-friendly).

        Every module of the package defines it, with ``"type"`` its class's name, so
        :func:`autograd.serialize.save` can write it and :func:`~autograd.serialize.load`
        rebuild it. A subclass of your own defines it to be saved (and loaded back with
        :func:`~autograd.serialize.load_into` into a model you build).
        """
        raise NotImplementedError(
            f"{type(self).__name__} does not describe its architecture: define "
            f"{type(self).__name__}.config() returning its constructor arguments"
        )


def label_parameters(prefix: str, module: Module) -> None:
    """Label every parameter inside ``module`` with its dotted name, after ``prefix``.

    A module labels its own parameters (``w.5``, ``b``) and each enclosing constructor prefixes
    them, so an MLP's weight reads ``layers.0.neurons.3.w.5``: graph pictures can group nodes
    by neuron. One string concatenation per parameter and level keeps it cheap.
    """
    for name, p in module.named_parameters():
        p.label = prefix + name


class Sequential(Module):
    """Modules applied in order, each to the previous one's output (``torch.nn.Sequential``).

    Any :class:`Module` goes in, a user's subclass too; module ``i`` is named ``"i"``, so its
    parameters are labelled ``"0.channels.3.w.5"``, ``"2.neurons.1.b"``, ...

    >>> from autograd.nn import Layer
    >>> model = Sequential(Layer(2, 3, seed=0), Activation("tanh"), Layer(3, 1, seed=0))
    >>> model([1.0, 2.0]).op.name, model.num_parameters()
    ('relu', 13)
    >>> model.parameters()[-1].label
    '2.neurons.0.b'
    """

    def __init__(self, *modules: Module) -> None:
        if not modules:
            raise ValueError("Sequential: got no modules; pass at least one")
        for i, m in enumerate(modules):
            if not isinstance(m, Module):
                raise TypeError(
                    f"Sequential: module {i} must be an autograd.nn.Module, got {describe(m)}"
                )
        self.layers = list(modules)
        for i, m in enumerate(self.layers):
            label_parameters(f"{i}.", m)

    def __call__(self, x: Any) -> Any:
        """Return the last module's output: each module reads the previous one's.

        A module that refuses what it reads (a TypeError or ValueError) is named with its
        index, so a network whose shapes do not chain says where:
        ``Sequential: module 2 (Layer(10, 5)) refused its input (the output of module 1): ...``.
        """
        for i, m in enumerate(self.layers):
            try:
                x = m(x)
            except (TypeError, ValueError) as err:
                if type(err) not in (TypeError, ValueError):  # a narrower error: as raised
                    raise
                source = "the input" if i == 0 else f"its input (the output of module {i - 1})"
                raise type(err)(f"Sequential: module {i} ({m!r}) refused {source}: {err}") from err
        return x

    def __getitem__(self, index: int) -> Module:
        return self.layers[index]

    def __len__(self) -> int:
        return len(self.layers)

    def _children(self) -> list[tuple[str, Module]]:
        return [(str(i), m) for i, m in enumerate(self.layers)]

    def config(self) -> dict[str, Any]:
        """Return the type and each module's ``config()``, in order.

        >>> Sequential(Activation("tanh"), Activation("relu")).config()["modules"][1]
        {'type': 'Activation', 'name': 'relu'}
        """
        return {"type": "Sequential", "modules": [m.config() for m in self.layers]}

    def __repr__(self) -> str:
        inside = "".join(f"\n  ({i}): {m!r}" for i, m in enumerate(self.layers))
        return f"Sequential({inside}\n)"


def map_nested(fn: Callable[[Value], Any], x: object, what: str) -> Any:
    """Apply ``fn`` to every entry of ``x``: a Value, a number, or nested lists (or an array).

    Numbers become Values first; lists keep their nesting (an image ``[c][i][j]`` stays one).

    >>> map_nested(Value.relu, [[-1.0, 2.0]], "Activation")
    [[Value(data=0.0, grad=0.0), Value(data=2.0, grad=0.0)]]
    """
    if isinstance(x, Value):
        return fn(x)
    if isinstance(x, np.ndarray):
        x = x.tolist()
    if type(x) is list and all_values(x):  # a row of Values: map in C
        return list(map(fn, x))
    if isinstance(x, Sequence) and not isinstance(x, str | bytes):
        return [map_nested(fn, item, what) for item in x]  # nesting depth: a few levels
    if isinstance(x, numbers.Real):
        return fn(Value(_checks.number(what, x)))
    raise TypeError(
        f"{what}: expected Values or numbers (alone, in a list or nested lists), got {describe(x)}"
    )


class Activation(Module):
    """An activation of :data:`ACTIVATIONS` as a module, applied to every entry of its input.

    It works on one Value, a list or an image (nested lists), so a network is one
    :class:`Sequential` (``torch.nn.ReLU()`` and friends).

    >>> [v.data for v in Activation("relu")([-1.0, 2.0])]
    [0.0, 2.0]
    >>> Activation("heaviside")(Value(0.5)).data
    1.0
    """

    def __init__(self, name: str) -> None:
        self.name = _checks.choice("activation", name, list(ACTIVATIONS), caller="Activation")
        self._act = ACTIVATIONS[self.name]

    def __call__(self, x: Any) -> Any:
        """Return the activation of every entry, in the input's shape."""
        return map_nested(self._act, x, f"Activation({self.name!r})")

    def config(self) -> dict[str, Any]:
        """Return ``{"type": "Activation", "name": ...}``.

        >>> Activation("tanh").config()
        {'type': 'Activation', 'name': 'tanh'}
        """
        return {"type": "Activation", "name": self.name}

    def __repr__(self) -> str:
        return f"Activation({self.name!r})"


def as_inputs(x: object, what: str) -> list[Value]:
    """One example's inputs as Values: a number or Value alone, a list, or a 1-d array.

    Numbers become constant leaves (one each, which every neuron of a layer reads); anything
    else is a TypeError naming ``what`` and the entry.

    >>> [v.data for v in as_inputs(2.0, "Neuron")], [v.data for v in as_inputs(np.ones(2), "L")]
    ([2.0], [1.0, 1.0])
    >>> as_inputs([1.0, None], "Layer")
    Traceback (most recent call last):
    ...
    TypeError: Layer: input 1: expected a real number (an int or a float), got NoneType None; ...
    """
    if type(x) is list and all_values(x):  # a layer's outputs: in C
        return x.copy()
    if isinstance(x, Value):
        return [x]
    if isinstance(x, np.ndarray):
        if x.ndim > 1:
            raise ValueError(
                f"{what} takes one example, a 1-d list or array of inputs, got "
                f"{describe(x)}; call it on one row at a time"
            )
        items: Sequence[object] = x.reshape(-1).tolist()
    elif isinstance(x, Sequence) and not isinstance(x, str | bytes):
        items = x
    elif isinstance(x, numbers.Real):  # an int, a float, np.float32 and friends
        items = [x]
    else:
        raise TypeError(
            f"{what}: expected a Value, a number or a list of them as input, got {describe(x)}"
        )
    return [
        v if isinstance(v, Value) else Value(_checks.number(f"{what}: input {i}", v))
        for i, v in enumerate(items)
    ]


class PReLU(Module):
    """``max(0, x) + alpha * min(0, x)`` with one learnable ``alpha`` (``torch.nn.PReLU()``).

    Built from the table's rows as ``r + alpha * (x - r)`` with ``r = relu(x)`` (so
    ``x - r = min(0, x)``): d out/d alpha is ``min(0, x)``, and d out/d x is 1 above 0 and
    ``alpha`` below and at 0, PyTorch's convention. A Value gives a Value; a list or an image
    gives every entry's, all sharing ``alpha``.

    Args:
        init: the starting ``alpha`` (PyTorch's default 0.25).

    >>> act = PReLU()
    >>> y = act(Value(-2.0))
    >>> y.backward()
    >>> (y.data, act.alpha.grad, [v.data for v in act([3.0, -4.0])])
    (-0.5, -2.0, [3.0, -1.0])
    """

    def __init__(self, init: float = 0.25) -> None:
        self.alpha = Value(_checks.real("PReLU init", init), label="alpha")

    def __call__(self, x: Any) -> Any:
        """Return PReLU of every entry, in the input's shape."""
        return map_nested(self._one, x, "PReLU")

    def _one(self, x: Value) -> Value:
        r = x.relu()
        return r + self.alpha * (x - r)

    def _own_parameters(self) -> list[tuple[str, Value]]:
        return [("alpha", self.alpha)]

    def config(self) -> dict[str, Any]:
        """Return ``{"type": "PReLU"}`` (``alpha`` is a parameter, saved with the others)."""
        return {"type": "PReLU"}

    def __repr__(self) -> str:
        return "PReLU()"
