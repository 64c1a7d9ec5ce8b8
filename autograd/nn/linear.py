"""Dense layers: Neuron, Layer, MLP (micrograd's constructors and call semantics) and Dropout.

A neuron's weighted sum is one fused ``dot`` node (its local derivatives are the inputs and the
weights), followed by one activation node; a layer of one neuron returns a single Value.

>>> Layer(3, 2, seed=0)([1.0, 2.0, 3.0])[1].op.name
'relu'
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import _checks
from autograd.engine import Value, dot, dots
from autograd.messages import describe
from autograd.nn.init import Init, check_init, init_weights
from autograd.nn.module import ACTIVATIONS, Inputs, Module, as_inputs, label_parameters
from autograd.types import Seed


def _activation(activation: str | bool, nonlin: bool | None, caller: str) -> str:
    """Resolve micrograd's ``nonlin`` switch, positional (``Neuron(3, False)``) or by keyword.

    micrograd's ``Neuron(nin, nonlin=True)`` takes ``nonlin`` where we take ``activation``, so a
    bool there means what it means in micrograd: True is ReLU, False is linear.
    """
    if isinstance(activation, bool | np.bool_):
        activation = "relu" if activation else "linear"
    if nonlin is not None and not _checks.flag(f"{caller} nonlin", nonlin):
        activation = "linear"
    return _checks.choice("activation", activation, list(ACTIVATIONS), caller=caller)


class Neuron(Module):
    """One neuron: ``activation(w · x + b)``, the weighted sum as one fused ``dot`` node.

    Args:
        nin: the number of inputs.
        activation: one of :data:`ACTIVATIONS` (default ``"relu"``, as micrograd); a bool
            here is micrograd's positional ``nonlin``: True is ``"relu"``, False ``"linear"``.
        nonlin: micrograd's switch: ``False`` means ``activation="linear"``.
        init: one of :data:`autograd.nn.init.INITS` (default micrograd's U(-1, 1)), or a
            function ``(fan_in, fan_out, rng) -> fan_in floats``; the bias starts at 0.
        seed: an int seed or a ``numpy.random.Generator``, for reproducible weights.
        fan_out: the fan-out used by the Xavier schemes (the layer's width).
        value: the weight of the ``constant`` init.
        bias: False leaves the bias out: ``b`` is None and ``parameters()`` has weights only.

    Raises:
        TypeError: an argument of the wrong kind (a float ``nin``, a str ``seed``, ...).
        ValueError: a size below 1 or above ``autograd._checks.MAX_SIZE``, an unknown
            activation or init, or a non-finite ``value``.

    >>> n = Neuron(2, activation="linear", init="constant", value=0.5)
    >>> n([2.0, 4.0]).data
    3.0
    >>> Neuron(3, False)  # micrograd's positional nonlin=False
    Neuron(3, activation='linear')
    >>> Neuron(2, bias=False, seed=0).num_parameters()
    2
    """

    def __init__(  # micrograd's arguments plus the init choices
        self,
        nin: int,
        activation: str | bool = "relu",
        *,
        nonlin: bool | None = None,
        init: Init = "uniform",
        seed: Seed = None,
        fan_out: int = 1,
        value: float = 0.0,
        bias: bool = True,
    ) -> None:
        self.nin = _checks.size("Neuron nin", nin)
        self.activation = _activation(activation, nonlin, "Neuron")
        self.init = check_init(init, caller="Neuron")
        rng = _checks.rng("Neuron seed", seed)
        fan_out = _checks.size("Neuron fan_out", fan_out)
        value = _checks.real("Neuron value", value)
        has_bias = _checks.flag("Neuron bias", bias)
        weights = init_weights(init, self.nin, fan_out, rng, value)
        self.w = [Value(x) for x in weights]
        self.b: Value | None = Value(0.0) if has_bias else None
        self._act = ACTIVATIONS[self.activation]
        for i, w in enumerate(self.w):  # names as named_parameters(); a Layer prefixes them
            w.label = f"w.{i}"
        if self.b is not None:
            self.b.label = "b"

    def __call__(self, x: Inputs) -> Value:
        """Return ``activation(w · x + b)`` for ``nin`` inputs (Values or numbers)."""
        xs = as_inputs(x, "Neuron")
        if len(xs) != self.nin:
            raise ValueError(
                f"Neuron expects {self.nin} inputs, got {len(xs)}; "
                f"pass a list of {self.nin} numbers"
            )
        return self.fire(xs, 0.0)

    def fire(self, xs: Sequence[Value | float], zero: Value | float) -> Value:
        """``activation(w · xs + b)`` for checked inputs; ``zero`` stands in for a missing bias.

        A bias-free neuron's ``dot`` node still has a bias slot: it holds ``zero``, a constant
        (a Layer makes all its neurons' nodes at once, through :func:`autograd.engine.dots`,
        with one such constant for all of them, so a picture draws one 0, not one per neuron).
        """
        return self._act(dot(self.w, xs, zero if self.b is None else self.b))

    def _own_parameters(self) -> list[tuple[str, Value]]:
        weights = [(f"w.{i}", w) for i, w in enumerate(self.w)]
        return weights if self.b is None else [*weights, ("b", self.b)]

    def config(self) -> dict[str, Any]:
        """Return ``{"type": "Neuron", "nin": ..., "activation": ...}`` (and ``bias`` if False).

        >>> Neuron(2, seed=0).config()
        {'type': 'Neuron', 'nin': 2, 'activation': 'relu'}
        """
        found = {"type": "Neuron", "nin": self.nin, "activation": self.activation}
        return found if self.b is not None else {**found, "bias": False}

    def __repr__(self) -> str:
        bias = "" if self.b is not None else ", bias=False"
        return f"Neuron({self.nin}, activation={self.activation!r}{bias})"


class Layer(Module):
    """``nout`` neurons reading the same inputs; a layer of one neuron returns one Value.

    Args:
        nin: the number of inputs.
        nout: the number of neurons.
        activation: the neurons' activation (default ``"relu"``); a bool is micrograd's
            ``nonlin`` (True: ``"relu"``, False: ``"linear"``).
        nonlin: micrograd's switch: ``False`` means ``activation="linear"``.
        init: the weight initialisation scheme: a name or a function (see :class:`Neuron`).
        seed: an int seed or a ``numpy.random.Generator``.
        value: the weight of the ``constant`` init.
        bias: False gives the neurons no bias (``PyTorch``'s ``Linear(..., bias=False)``).

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: a size below 1, or a layer of more than ``autograd._checks.MAX_SIZE``
            parameters (refused before anything is built), an unknown activation or init.

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
        init: Init = "uniform",
        seed: Seed = None,
        value: float = 0.0,
        bias: bool = True,
    ) -> None:
        self.nin = _checks.size("Layer nin", nin)
        self.nout = _checks.size("Layer nout", nout)
        _activation(activation, nonlin, "Layer")
        check_init(init, caller="Layer")
        rng = _checks.rng("Layer seed", seed)
        _checks.real("Layer value", value)
        has_bias = _checks.flag("Layer bias", bias)
        _checks.total(
            f"Layer with nin={self.nin} and nout={self.nout}", (self.nin + has_bias) * self.nout
        )
        self.neurons = [
            Neuron(
                nin,
                activation,
                nonlin=nonlin,
                init=init,
                seed=rng,
                fan_out=self.nout,
                value=value,
                bias=bias,
            )
            for _ in range(self.nout)
        ]
        self.activation = self.neurons[0].activation
        self.bias = self.neurons[0].b is not None
        for i, n in enumerate(self.neurons):
            label_parameters(f"neurons.{i}.", n)

    def __call__(self, x: Inputs) -> Value | list[Value]:
        """Return each neuron's output; a single Value when the layer has one neuron."""
        xs = as_inputs(x, "Layer")
        if len(xs) != self.nin:
            raise ValueError(
                f"Layer expects {self.nin} inputs, got {len(xs)}; pass a list of {self.nin} numbers"
            )
        # A number became one constant leaf that every neuron reads (not a copy per neuron).
        zero = 0.0 if self.bias else Value(0.0)  # the bias slot of bias-free neurons: one leaf
        neurons = self.neurons
        sums = dots([n.w for n in neurons], xs, [zero if n.b is None else n.b for n in neurons])
        out = [n._act(z) for n, z in zip(neurons, sums)]  # noqa: B905  # one sum per neuron
        return out[0] if len(out) == 1 else out

    def _children(self) -> list[tuple[str, Module]]:
        return [(f"neurons.{i}", n) for i, n in enumerate(self.neurons)]

    def config(self) -> dict[str, Any]:
        """Return ``{"type": "Layer", "nin": ..., "nout": ..., "activation": ...}``.

        >>> Layer(2, 3, seed=0).config()
        {'type': 'Layer', 'nin': 2, 'nout': 3, 'activation': 'relu'}
        """
        found = {"type": "Layer", "nin": self.nin, "nout": self.nout, "activation": self.activation}
        return found if self.bias else {**found, "bias": False}

    def __repr__(self) -> str:
        bias = "" if self.bias else ", bias=False"
        return f"Layer({self.nin}, {self.nout}, activation={self.activation!r}{bias})"


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
        self._rng = _checks.rng("Dropout seed", seed)

    def __call__(self, x: Inputs) -> list[Value]:
        """Return the inputs, dropped and rescaled in training mode, unchanged in eval mode."""
        xs = as_inputs(x, "Dropout")
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
        init: the weight initialisation scheme: a name or a function (see :class:`Neuron`).
        seed: an int seed or a ``numpy.random.Generator``: the same seed, the same weights.
        dropout: the drop probability of a :class:`Dropout` after each hidden layer (0 =
            none); an MLP without hidden layers refuses a dropout > 0, which would do nothing.
        value: the weight of the ``constant`` init.
        bias: False gives no neuron a bias (the problem book's ``y = f(f(X W_1) W_2) W_3``).

    Raises:
        TypeError: if an argument is of the wrong kind: ``nouts`` not a list (or 1-d array) of
            ints, ``seed`` not None, an int or a Generator, ``bias`` not a bool, ...
        ValueError: if a size is < 1 or above ``MAX_SIZE``, the whole MLP would hold more than
            ``MAX_SIZE`` parameters (``autograd._checks.MAX_SIZE``, ten million; checked before
            anything is built), an activation or init is unknown, or ``dropout`` is not a
            probability or has no hidden layer to act on.

    >>> model = MLP(2, [2, 1], activation="linear", init="constant", value=1.0)
    >>> model([1.0, 2.0]).data
    6.0
    >>> MLP(2, np.array([3, 1]), seed=0)  # numpy ints are ints
    MLP(2, [3, 1], activation='relu', output_activation='linear')
    >>> MLP(12, [300, 200, 100, 1], bias=False, seed=0).num_parameters()  # 12*300 + 300*200 + ...
    83700
    """

    def __init__(  # micrograd's arguments plus the init and dropout choices
        self,
        nin: int,
        nouts: Sequence[int],
        activation: str = "relu",
        output_activation: str = "linear",
        *,
        init: Init = "uniform",
        seed: Seed = None,
        dropout: float = 0.0,
        value: float = 0.0,
        bias: bool = True,
    ) -> None:
        self.nin = _checks.size("MLP nin", nin)
        self.nouts = [_checks.size(f"MLP nouts[{i}]", n) for i, n in enumerate(_widths(nouts))]
        self.activation = _checks.choice("activation", activation, list(ACTIVATIONS), "MLP")
        self.output_activation = _checks.choice(
            "output_activation", output_activation, list(ACTIVATIONS), "MLP"
        )
        check_init(init, caller="MLP")
        _checks.real("MLP value", value)
        has_bias = _checks.flag("MLP bias", bias)
        _checks.total(
            f"MLP with nin={self.nin} and nouts={_short(self.nouts)}",
            mlp_parameter_count(self.nin, self.nouts, has_bias),
        )
        drop = _checks.probability("MLP dropout", dropout)
        last = len(self.nouts) - 1
        if drop and last == 0:
            raise ValueError(
                f"MLP dropout={dropout!r} acts after each hidden layer, and MLP({self.nin}, "
                f"{self.nouts}) has none; pass dropout=0 or add a hidden layer"
            )
        rng = _checks.rng("MLP seed", seed)
        sizes = [self.nin, *self.nouts]
        self.layers = [
            Layer(
                sizes[i],
                sizes[i + 1],
                self.output_activation if i == last else self.activation,
                init=init,
                seed=rng,
                value=value,
                bias=bias,
            )
            for i in range(len(self.nouts))
        ]
        self.bias = self.layers[0].bias
        self.dropout = [Dropout(drop, seed=rng) for _ in range(last)] if drop else []
        for i, layer in enumerate(self.layers):
            label_parameters(f"layers.{i}.", layer)

    def __call__(self, x: Inputs) -> Value | list[Value]:
        """Run the layers in order; a single Value when the last layer has one neuron."""
        xs = as_inputs(x, "MLP")
        if len(xs) != self.nin:
            raise ValueError(
                f"MLP expects {self.nin} inputs, got {len(xs)}; pass a list of {self.nin} numbers"
            )
        out = self.layers[0](xs)
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
            **({} if self.bias else {"bias": False}),
        }

    def __repr__(self) -> str:
        drop = f", dropout={self.dropout[0].p}" if self.dropout else ""
        bias = "" if self.bias else ", bias=False"
        return (
            f"MLP({self.nin}, {self.nouts}, activation={self.activation!r}, "
            f"output_activation={self.output_activation!r}{drop}{bias})"
        )


def mlp_parameter_count(nin: int, nouts: Sequence[int], bias: bool = True) -> int:
    """Return the textbook count ``sum((fan_in + 1) * fan_out)`` over the layers, building nothing.

    Without biases each layer has ``fan_in * fan_out`` weights only. Sizes are exact ints of any
    size (nothing is built, so nothing is bounded).

    Raises:
        TypeError: ``nin`` or a width is not an int, ``nouts`` not a list, ``bias`` not a bool.
        ValueError: a size is below 1, or ``nouts`` is empty.

    >>> mlp_parameter_count(12, [300, 200, 100, 1]) == 13 * 300 + 301 * 200 + 201 * 100 + 101
    True
    >>> mlp_parameter_count(100, [20, 1], bias=False)  # the problem book's exercise 49a
    2020
    """
    nin = _checks.count("mlp_parameter_count: nin", nin)
    widths = [_checks.count(f"mlp_parameter_count: nouts[{i}]", n) for i, n in
              enumerate(_widths(nouts, "mlp_parameter_count: nouts"))]  # fmt: skip
    sizes, extra = [nin, *widths], int(_checks.flag("mlp_parameter_count: bias", bias))
    return sum((sizes[i] + extra) * sizes[i + 1] for i in range(len(widths)))


SHOWN_WIDTHS = 8  # layer widths a message lists before it cuts the list short


def _short(widths: list[int]) -> str:
    """Widths for a message: the list, or its start and length if long."""
    if len(widths) <= SHOWN_WIDTHS:
        return repr(widths)
    return f"[{widths[0]}, {widths[1]}, ... ({len(widths)} layers)]"


def _widths(nouts: object, what: str = "MLP nouts") -> list[object]:
    """MLP's ``nouts`` as a list: a sequence or a 1-d numpy array of layer widths, not empty."""
    wanted = f"{what} must be a non-empty list of layer widths"
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
