"""Neural-network modules on the scalar engine: Module, Neuron, Layer, MLP and Dropout.

Constructors and call semantics follow micrograd: ``Neuron(nin)``, ``Layer(nin, nout)``,
``MLP(nin, nouts)``; a neuron keeps ``.w`` and ``.b``, a layer ``.neurons``, an MLP
``.layers``; ``parameters()`` lists each neuron's weights then its bias; a layer of one neuron
returns a single Value. A neuron's weighted sum is one fused ``dot`` node (its local
derivatives are the inputs and the weights), followed by one activation node. Every parameter
is labelled with its :meth:`Module.named_parameters` name (``layers.0.neurons.3.w.5``), so
graph pictures show which neuron a weight belongs to.

>>> model = MLP(2, [3, 1], seed=0)
>>> y = model([1.0, -2.0])
>>> y.backward()
>>> model.num_parameters(), (3 * 2 + 3) + (1 * 3 + 1)
(13, 13)
>>> model.layers[1].neurons[0].w[2].label
'layers.1.neurons.0.w.2'
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from autograd import _checks
from autograd.engine import Value, dot, zero_grad
from autograd.messages import describe
from autograd.types import Seed

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

INITS: Final = (
    "uniform",
    "xavier_uniform",
    "xavier_normal",
    "he_uniform",
    "he_normal",
    "zeros",
    "constant",
)
"""Weight initialisation schemes (``uniform`` is micrograd's U(-1, 1)); biases start at 0."""


def _activation(activation: str | bool, nonlin: bool | None) -> str:
    """Resolve micrograd's ``nonlin`` switch, positional (``Neuron(3, False)``) or by keyword.

    micrograd's ``Neuron(nin, nonlin=True)`` takes ``nonlin`` where we take ``activation``, so a
    bool there means what it means in micrograd: True is ReLU, False is linear.
    """
    if isinstance(activation, bool | np.bool_):
        activation = "relu" if activation else "linear"
    if nonlin is not None and not nonlin:
        activation = "linear"
    return _checks.choice("activation", activation, list(ACTIVATIONS))


def init_weights(
    scheme: str, nin: int, nout: int, rng: np.random.Generator, value: float = 0.0
) -> list[float]:
    """Draw ``nin`` weights for one neuron of a layer with ``nin`` inputs and ``nout`` outputs.

    Follows ``torch.nn.init``: Xavier/Glorot uses ``gain * sqrt(6 / (nin + nout))`` (uniform
    bound) or ``gain * sqrt(2 / (nin + nout))`` (normal std) with gain 1; He/Kaiming (fan-in,
    ReLU gain sqrt 2) uses ``sqrt(6 / nin)`` and ``sqrt(2 / nin)``. ``zeros`` and ``constant``
    give every weight the same number, which is exactly why they fail to train (symmetry).

    Args:
        scheme: one of :data:`INITS`.
        nin: the neuron's number of inputs (fan-in).
        nout: the number of neurons in its layer (fan-out).
        rng: the generator to draw from.
        value: the weight for the ``constant`` scheme.

    Returns:
        ``nin`` floats.

    >>> init_weights("constant", 3, 1, np.random.default_rng(0), value=0.5)
    [0.5, 0.5, 0.5]
    >>> w = init_weights("he_uniform", 6, 4, np.random.default_rng(0))
    >>> all(abs(x) <= 1.0 for x in w)
    True
    """
    _checks.choice("init", scheme, INITS)
    if scheme == "uniform":
        return [float(x) for x in rng.uniform(-1.0, 1.0, nin)]
    if scheme == "xavier_uniform":
        bound = math.sqrt(6.0 / (nin + nout))
        return [float(x) for x in rng.uniform(-bound, bound, nin)]
    if scheme == "xavier_normal":
        return [float(x) for x in rng.normal(0.0, math.sqrt(2.0 / (nin + nout)), nin)]
    if scheme == "he_uniform":
        bound = math.sqrt(6.0 / nin)
        return [float(x) for x in rng.uniform(-bound, bound, nin)]
    if scheme == "he_normal":
        return [float(x) for x in rng.normal(0.0, math.sqrt(2.0 / nin), nin)]
    fill = 0.0 if scheme == "zeros" else float(value)
    return [fill] * nin


class Module:
    """Base class: parameters, gradients, train/eval mode and a readable repr.

    Subclasses list their own parameters in ``_own_parameters`` and their sub-modules in
    ``_children``; everything else (names, counts, zeroing, mode) is derived from those two.
    """

    training: bool = True

    def __call__(self, x: Inputs) -> Value | list[Value]:
        """Return the module's output for one example."""
        raise NotImplementedError(f"{type(self).__name__} does not define __call__")

    def _own_parameters(self) -> list[tuple[str, Value]]:
        return []

    def _children(self) -> list[tuple[str, Module]]:
        return []

    def modules(self) -> Iterator[tuple[str, Module]]:
        """Yield ``(dotted name, module)`` for this module (name ``""``) and all inside it.

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

        >>> len(Layer(3, 2, seed=0).parameters())
        8
        """
        return [p for _, p in self.named_parameters()]

    def num_parameters(self) -> int:
        """Return the number of trainable scalars.

        >>> MLP(12, [300, 200, 100, 1], seed=0).num_parameters() == mlp_parameter_count(
        ...     12, [300, 200, 100, 1])
        True
        """
        return len(self.named_parameters())

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.

        >>> n = Neuron(1, seed=0); n([2.0]).backward(); n.zero_grad(); n.b.grad
        0.0
        """
        zero_grad(self.parameters())

    def train(self, mode: bool = True) -> Module:
        """Switch this module and all inside it to training mode (or eval mode); return self.

        >>> MLP(2, [2, 1], seed=0).train(False).training
        False
        """
        for _, module in self.modules():
            module.training = bool(mode)
        return self

    def eval(self) -> Module:
        """Switch to evaluation mode (dropout off); return self.

        >>> Dropout(0.5).eval().training
        False
        """
        return self.train(False)

    def config(self) -> dict[str, Any]:
        """Return the constructor arguments that rebuild this architecture (JSON-friendly)."""
        raise NotImplementedError(f"{type(self).__name__} does not describe its architecture")


class Neuron(Module):
    """One neuron: ``activation(w · x + b)``, the weighted sum as one fused ``dot`` node.

    Args:
        nin: the number of inputs.
        activation: one of :data:`ACTIVATIONS` (default ``"relu"``, as micrograd); a bool
            here is micrograd's positional ``nonlin``: True is ``"relu"``, False ``"linear"``.
        nonlin: micrograd's switch: ``False`` means ``activation="linear"``.
        init: one of :data:`INITS` (default micrograd's U(-1, 1)); the bias starts at 0.
        seed: an int seed or a ``numpy.random.Generator``, for reproducible weights.
        fan_out: the fan-out used by the Xavier schemes (the layer's width).
        value: the weight of the ``constant`` init.

    >>> n = Neuron(2, activation="linear", init="constant", value=0.5)
    >>> n([2.0, 4.0]).data
    3.0
    >>> Neuron(3, False)  # micrograd's positional nonlin=False
    Neuron(3, activation='linear')
    """

    def __init__(  # micrograd's arguments plus the init choices
        self,
        nin: int,
        activation: str | bool = "relu",
        *,
        nonlin: bool | None = None,
        init: str = "uniform",
        seed: Seed = None,
        fan_out: int = 1,
        value: float = 0.0,
    ) -> None:
        self.nin = _checks.count("Neuron nin", nin)
        self.activation = _activation(activation, nonlin)
        self.init = _checks.choice("init", init, INITS)
        rng = np.random.default_rng(seed)
        fan_out = _checks.count("Neuron fan_out", fan_out)
        weights = init_weights(init, self.nin, fan_out, rng, _checks.real("Neuron value", value))
        self.w = [Value(x) for x in weights]
        self.b = Value(0.0)
        self._act = ACTIVATIONS[self.activation]
        for i, w in enumerate(self.w):  # names as named_parameters(); a Layer prefixes them
            w.label = f"w.{i}"
        self.b.label = "b"

    def __call__(self, x: Inputs) -> Value:
        """Return ``activation(w · x + b)`` for ``nin`` inputs (Values or numbers)."""
        xs = _as_inputs(x, "Neuron")
        if len(xs) != self.nin:
            raise ValueError(
                f"Neuron expects {self.nin} inputs, got {len(xs)}; "
                f"pass a list of {self.nin} numbers"
            )
        return self._act(dot(self.w, xs, self.b))

    def _own_parameters(self) -> list[tuple[str, Value]]:
        return [*((f"w.{i}", w) for i, w in enumerate(self.w)), ("b", self.b)]

    def config(self) -> dict[str, Any]:
        """Return ``{"type": "Neuron", "nin": ..., "activation": ...}``.

        >>> Neuron(2, seed=0).config()
        {'type': 'Neuron', 'nin': 2, 'activation': 'relu'}
        """
        return {"type": "Neuron", "nin": self.nin, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Neuron({self.nin}, activation={self.activation!r})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; a layer of one neuron returns one Value.

    Args:
        nin: the number of inputs.
        nout: the number of neurons.
        activation: the neurons' activation (default ``"relu"``); a bool is micrograd's
            ``nonlin`` (True: ``"relu"``, False: ``"linear"``).
        nonlin: micrograd's switch: ``False`` means ``activation="linear"``.
        init: the weight initialisation scheme, one of :data:`INITS`.
        seed: an int seed or a ``numpy.random.Generator``.
        value: the weight of the ``constant`` init.

    >>> layer = Layer(1, 2, activation="linear", init="constant", value=2.0)
    >>> [v.data for v in layer(Value(3.0))]
    [6.0, 6.0]
    >>> Layer(3, 2, False)
    Layer(3, 2, activation='linear')
    """

    def __init__(  # micrograd's arguments plus the init choices
        self,
        nin: int,
        nout: int,
        activation: str | bool = "relu",
        *,
        nonlin: bool | None = None,
        init: str = "uniform",
        seed: Seed = None,
        value: float = 0.0,
    ) -> None:
        self.nin = _checks.count("Layer nin", nin)
        self.nout = _checks.count("Layer nout", nout)
        rng = np.random.default_rng(seed)
        self.neurons = [
            Neuron(
                nin,
                activation,
                nonlin=nonlin,
                init=init,
                seed=rng,
                fan_out=self.nout,
                value=value,
            )
            for _ in range(self.nout)
        ]
        self.activation = self.neurons[0].activation
        for i, n in enumerate(self.neurons):
            _prefix_labels(f"neurons.{i}.", [n])

    def __call__(self, x: Inputs) -> Value | list[Value]:
        """Return each neuron's output; a single Value when the layer has one neuron."""
        xs = _as_inputs(x, "Layer")
        if len(xs) != self.nin:
            raise ValueError(
                f"Layer expects {self.nin} inputs, got {len(xs)}; pass a list of {self.nin} numbers"
            )
        # A number becomes one constant leaf that every neuron reads (not a copy per neuron).
        shared = [x if isinstance(x, Value) else Value(x) for x in xs]
        out = [n(shared) for n in self.neurons]
        return out[0] if len(out) == 1 else out

    def _children(self) -> list[tuple[str, Module]]:
        return [(f"neurons.{i}", n) for i, n in enumerate(self.neurons)]

    def config(self) -> dict[str, Any]:
        """Return ``{"type": "Layer", "nin": ..., "nout": ..., "activation": ...}``.

        >>> Layer(2, 3, seed=0).config()
        {'type': 'Layer', 'nin': 2, 'nout': 3, 'activation': 'relu'}
        """
        return {"type": "Layer", "nin": self.nin, "nout": self.nout, "activation": self.activation}

    def __repr__(self) -> str:
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r})"


class Dropout(Module):
    """Zero each input with probability ``p`` in training mode and scale the rest by 1/(1-p).

    Inverted dropout: the expected output equals the input, so evaluation mode is the identity
    and needs no rescaling. Each kept input becomes ``x * (1/(1-p))``, each dropped one
    ``x * 0``, so gradients flow (or not) exactly as the forward pass did.

    Args:
        p: the drop probability, ``0 <= p <= 1``.
        seed: an int seed or a ``numpy.random.Generator`` for the masks.

    >>> drop = Dropout(0.5, seed=0)
    >>> sorted({v.data for v in drop([1.0] * 20)})
    [0.0, 2.0]
    >>> [v.data for v in drop.eval()([1.0, 3.0])]
    [1.0, 3.0]
    """

    def __init__(self, p: float = 0.5, *, seed: Seed = None) -> None:
        self.p = _checks.probability("Dropout p", p)
        self._rng = np.random.default_rng(seed)

    def __call__(self, x: Inputs) -> list[Value]:
        """Return the inputs, dropped and rescaled in training mode, unchanged in eval mode."""
        xs = [v if isinstance(v, Value) else Value(v) for v in _as_inputs(x, "Dropout")]
        if not self.training or self.p == 0.0:
            return xs
        if self.p == 1.0:
            return [v * 0.0 for v in xs]
        scale = 1.0 / (1.0 - self.p)
        keep = self._rng.random(len(xs)) >= self.p
        return [v * (scale if k else 0.0) for v, k in zip(xs, keep, strict=True)]

    def config(self) -> dict[str, Any]:
        """Return ``{"type": "Dropout", "p": ...}``.

        >>> Dropout(0.25).config()
        {'type': 'Dropout', 'p': 0.25}
        """
        return {"type": "Dropout", "p": self.p}

    def __repr__(self) -> str:
        return f"Dropout(p={self.p})"


class MLP(Module):
    """A multi-layer perceptron: ``Layer(nin, nouts[0])``, ``Layer(nouts[0], nouts[1])``, ...

    Hidden layers use ``activation`` (default ReLU), the last ``output_activation`` (default
    linear), as micrograd. With ``nouts[-1] == 1`` a call returns a single Value.

    Args:
        nin: the number of inputs.
        nouts: the width of each layer, the last one being the output.
        activation: the hidden layers' activation.
        output_activation: the last layer's activation.
        init: the weight initialisation scheme, one of :data:`INITS`.
        seed: an int seed or a ``numpy.random.Generator``: the same seed, the same weights.
        dropout: the drop probability of a :class:`Dropout` after each hidden layer (0 =
            none); an MLP without hidden layers refuses a dropout > 0, which would do nothing.
        value: the weight of the ``constant`` init.

    Raises:
        TypeError: if ``nouts`` is not a list (or 1-d array) of ints.
        ValueError: if a size is < 1, an activation or init is unknown, or ``dropout`` is not
            a probability or has no hidden layer to act on.

    >>> model = MLP(2, [2, 1], activation="linear", init="constant", value=1.0)
    >>> model([1.0, 2.0]).data
    6.0
    >>> MLP(2, np.array([3, 1]), seed=0)  # numpy ints are ints
    MLP(2, [3, 1], activation='relu', output_activation='linear')
    """

    def __init__(  # micrograd's arguments plus the init and dropout choices
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        *,
        init: str = "uniform",
        seed: Seed = None,
        dropout: float = 0.0,
        value: float = 0.0,
    ) -> None:
        self.nin = _checks.count("MLP nin", nin)
        self.nouts = [_checks.count(f"MLP nouts[{i}]", n) for i, n in enumerate(_widths(nouts))]
        self.activation = _checks.choice("activation", activation, list(ACTIVATIONS))
        self.output_activation = _checks.choice(
            "output_activation", output_activation, list(ACTIVATIONS)
        )
        drop = _checks.probability("MLP dropout", dropout)
        last = len(self.nouts) - 1
        if drop and last == 0:
            raise ValueError(
                f"MLP dropout={dropout!r} acts after each hidden layer, and MLP({self.nin}, "
                f"{self.nouts}) has none; pass dropout=0 or add a hidden layer"
            )
        rng = np.random.default_rng(seed)
        sizes = [self.nin, *self.nouts]
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                self.output_activation if i == last else self.activation,
                init=init,
                seed=rng,
                value=value,
            )
            for i in range(len(self.nouts))
        ]
        self.dropout = [Dropout(drop, seed=rng) for _ in range(last)] if drop else []
        for i, layer in enumerate(self.layers):
            _prefix_labels(f"layers.{i}.", layer.neurons)

    def __call__(self, x: Inputs) -> Value | list[Value]:
        """Run the layers in order; a single Value when the last layer has one neuron."""
        out = self.layers[0](x)
        for i, layer in enumerate(self.layers[1:]):
            if self.dropout:
                dropped = self.dropout[i](out)
                out = dropped[0] if len(dropped) == 1 else dropped
            out = layer(out)
        return out

    def _children(self) -> list[tuple[str, Module]]:
        layers: list[tuple[str, Module]] = [(f"layers.{i}", m) for i, m in enumerate(self.layers)]
        return layers + [(f"dropout.{i}", m) for i, m in enumerate(self.dropout)]

    def config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict.

        >>> MLP(2, [3, 1], seed=0).config()["nouts"]
        [3, 1]
        """
        return {
            "type": "MLP",
            "nin": self.nin,
            "nouts": list(self.nouts),
            "activation": self.activation,
            "output_activation": self.output_activation,
            "dropout": self.dropout[0].p if self.dropout else 0.0,
        }

    def __repr__(self) -> str:
        drop = f", dropout={self.dropout[0].p}" if self.dropout else ""
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}{drop})"
        )


def mlp_parameter_count(nin: int, nouts: Sequence[int]) -> int:
    """Return the textbook count ``sum((fan_in + 1) * fan_out)`` over the layers, building nothing.

    >>> mlp_parameter_count(12, [300, 200, 100, 1]) == 13 * 300 + 301 * 200 + 201 * 100 + 101
    True
    """
    sizes = [nin, *nouts]
    return sum((sizes[i] + 1) * sizes[i + 1] for i in range(len(nouts)))


def _prefix_labels(prefix: str, neurons: Sequence[Neuron]) -> None:
    """Prefix the labels of the neurons' parameters, as named_parameters() prefixes names.

    A Neuron labels its own parameters (``w.5``, ``b``) and each enclosing constructor prefixes
    them, so an MLP's weight reads ``layers.0.neurons.3.w.5``: graph pictures can group nodes
    by neuron. One string concatenation per parameter and level keeps it cheap.
    """
    for n in neurons:
        for w in n.w:
            w.label = prefix + w.label
        n.b.label = prefix + n.b.label


def _widths(nouts: object) -> list[object]:
    """MLP's ``nouts`` as a list: a sequence or a 1-d numpy array of layer widths, not empty."""
    wanted = "MLP nouts must be a non-empty list of layer widths"
    if isinstance(nouts, np.ndarray):
        if nouts.ndim != 1:
            raise ValueError(f"{wanted}, got {describe(nouts)}")
        widths: list[object] = nouts.tolist()
    elif isinstance(nouts, Sequence) and not isinstance(nouts, str | bytes):
        widths = list(nouts)
    else:
        raise TypeError(f"{wanted}, got {describe(nouts)}")
    if not widths:
        raise ValueError(f"{wanted}, got {nouts!r}")
    return widths


def _as_inputs(x: object, what: str) -> Sequence[Input]:
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
