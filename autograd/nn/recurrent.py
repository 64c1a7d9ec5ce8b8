"""Recurrent cells with PyTorch's formulas and gate orders, and a sequence runner.

Each gate of each hidden unit is one fused ``dot`` node, ``b_ih + W_ih[r] · x + W_hh[r] · h +
b_hh · 1``: the second bias rides as a weight on a constant 1 (the problem book's "константа"
input), so a unit's gate is one node, as a neuron is. A zero state contributes nothing: with
``h=None`` (PyTorch's zeros) the ``W_hh · h`` terms are left out, as padding is in a
convolution.

Running a cell over a sequence with :class:`Unrolled` reuses the same weights at every step,
so ``backward()`` on a loss of the whole sequence *is* backpropagation through time. The
nodes of step ``t``, unit ``k`` are labelled ``steps.t.units.k.<role>`` (``h``, ``c``, the
gates ``i``, ``f``, ``g``, ``o``, ``r``, ``z``, ``n``, their sums ``a_*``), so a drawing groups
them per unit inside a cluster per time step.

>>> cell = RNNCell(1, 1, bias=False)
>>> cell.weight_ih[0][0].data, cell.weight_hh[0][0].data = 0.5, 0.5
>>> outputs, h = Unrolled(cell)([[1.0], [2.0]])
>>> h[0].data == math.tanh(0.5 * 2.0 + 0.5 * math.tanh(0.5 * 1.0)), h[0].label
(True, 'steps.1.units.0.h')
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np

from autograd import _checks
from autograd.engine import Value, dot
from autograd.messages import describe
from autograd.nn.init import Init, check_init, init_weights
from autograd.nn.module import ACTIVATIONS, Module, as_inputs, label_parameters
from autograd.types import Seed

State = list[Value]
"""A hidden state: one Value per hidden unit."""


def _named(v: Value, label: str) -> Value:
    v.label = label
    return v


@dataclass(frozen=True, slots=True)
class Step:
    """What one step of a cell reads: the input, the hidden state (None: zeros), two constants.

    ``one`` is the input the second bias multiplies, ``zero`` the bias slot of a bias-free
    gate: one leaf each per step, so a picture draws them once.
    """

    x: list[Value]
    h: list[Value] | None
    one: Value
    zero: Value

    @classmethod
    def of(cls, x: list[Value], h: list[Value] | None) -> Step:
        """A step's reads, with fresh constants."""
        return cls(x, h, Value(1.0), Value(0.0))


class _Cell(Module):
    """What every cell shares: the four parameter matrices, their names, the checks, a gate."""

    gates = 1
    name = ""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        *,
        init: Init | None = None,
        seed: Seed = None,
    ) -> None:
        self.input_size = _checks.size(f"{self.name} input_size", input_size)
        self.hidden_size = _checks.size(f"{self.name} hidden_size", hidden_size)
        has_bias = _checks.flag(f"{self.name} bias", bias)
        self.init = None if init is None else check_init(init, caller=self.name)
        rng = _checks.rng(f"{self.name} seed", seed)
        rows = self.gates * self.hidden_size
        _checks.total(
            f"{self.name} with input_size={self.input_size} and hidden_size={self.hidden_size}",
            rows * (self.input_size + self.hidden_size + 2 * has_bias),
        )
        self.weight_ih = self._matrix("weight_ih", rows, self.input_size, rng)
        self.weight_hh = self._matrix("weight_hh", rows, self.hidden_size, rng)
        self.bias_ih: list[Value] | None = None
        self.bias_hh: list[Value] | None = None
        if has_bias:
            self.bias_ih = [Value(0.0, label=f"bias_ih.{r}") for r in range(rows)]
            self.bias_hh = [Value(0.0, label=f"bias_hh.{r}") for r in range(rows)]

    def _matrix(
        self, name: str, rows: int, cols: int, rng: np.random.Generator
    ) -> list[list[Value]]:
        if self.init is None:  # PyTorch's U(±1/√hidden_size) for every weight
            bound = 1.0 / math.sqrt(self.hidden_size)
            drawn = [rng.uniform(-bound, bound, cols).tolist() for _ in range(rows)]
        else:
            drawn = [init_weights(self.init, cols, rows, rng) for _ in range(rows)]
        return [
            [Value(w, label=f"{name}.{r}.{c}") for c, w in enumerate(row)]
            for r, row in enumerate(drawn)
        ]

    def _own_parameters(self) -> list[tuple[str, Value]]:
        named = [
            (f"{name}.{r}.{c}", w)
            for name, matrix in (("weight_ih", self.weight_ih), ("weight_hh", self.weight_hh))
            for r, row in enumerate(matrix)
            for c, w in enumerate(row)
        ]
        for name, biases in (("bias_ih", self.bias_ih), ("bias_hh", self.bias_hh)):
            named += [(f"{name}.{r}", b) for r, b in enumerate(biases or [])]
        return named

    def _vector(self, x: object, size: int, what: str) -> list[Value]:
        xs = as_inputs(x, f"{self!r}: {what}")
        if len(xs) != size:
            raise ValueError(f"{self!r}: {what} must have {size} entries, got {len(xs)}")
        return xs

    def _inputs(self, x: object, h: object) -> tuple[list[Value], list[Value] | None]:
        xs = self._vector(x, self.input_size, "the input x")
        return xs, None if h is None else self._vector(h, self.hidden_size, "the hidden state h")

    def _gate(self, r: int, x: Step, hh: bool = True) -> Value:
        """``b_ih[r] + W_ih[r] · x (+ W_hh[r] · h + b_hh[r] · 1)`` as one ``dot`` node.

        ``hh=False`` leaves the hidden half out (GRU's ``n`` gate keeps it apart).
        """
        weights, inputs = list(self.weight_ih[r]), list(x.x)
        if hh and x.h is not None:
            weights += self.weight_hh[r]
            inputs += x.h
        if hh and self.bias_hh is not None:
            weights.append(self.bias_hh[r])
            inputs.append(x.one)
        return dot(weights, inputs, x.zero if self.bias_ih is None else self.bias_ih[r])

    def _hidden(self, r: int, x: Step) -> Value | None:
        """``W_hh[r] · h + b_hh[r]`` alone (GRU's ``n`` gate), None where it is 0."""
        if x.h is None:
            return None if self.bias_hh is None else self.bias_hh[r]
        return dot(self.weight_hh[r], x.h, x.zero if self.bias_hh is None else self.bias_hh[r])

    def step(self, x: object, state: Any, prefix: str) -> Any:
        """The new state from input ``x`` and ``state``, nodes labelled after ``prefix``."""
        raise NotImplementedError

    def config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict.

        >>> GRUCell(2, 3, bias=False).config()
        {'type': 'GRUCell', 'input_size': 2, 'hidden_size': 3, 'bias': False}
        """
        found = {"type": self.name, "input_size": self.input_size, "hidden_size": self.hidden_size}
        return found if self.bias_ih is not None else {**found, "bias": False}

    def __repr__(self) -> str:
        bias = "" if self.bias_ih is not None else ", bias=False"
        return f"{self.name}({self.input_size}, {self.hidden_size}{bias})"


NONLINEARITIES: Final = ("tanh", "relu")
"""RNNCell's choices, as PyTorch's ``nonlinearity``."""


class RNNCell(_Cell):
    """``h' = act(W_ih x + b_ih + W_hh h + b_hh)``, ``act`` tanh or relu (``torch.nn.RNNCell``).

    Args:
        input_size: the entries of one input ``x``.
        hidden_size: the hidden units.
        bias: False: no ``bias_ih`` nor ``bias_hh`` (None).
        nonlinearity: ``"tanh"`` or ``"relu"``.
        init: None for PyTorch's U(±1/√hidden_size) for every weight, or a scheme or function
            of :mod:`autograd.nn.init` drawn per row (fan_in: the row's length); biases start at 0.
        seed: an int seed or a ``numpy.random.Generator``.

    Raises:
        TypeError: an argument of the wrong kind.
        ValueError: a size below 1 or above ``autograd._checks.MAX_SIZE``, more than
            ``MAX_SIZE`` parameters in all (refused before anything is built), or an unknown
            nonlinearity or init.

    Attributes:
        weight_ih: ``[hidden][input]`` Values; ``weight_hh`` ``[hidden][hidden]``; ``bias_ih``,
            ``bias_hh`` ``[hidden]`` or None. ``parameters()`` lists them in that order.

    >>> cell = RNNCell(3, 2, nonlinearity="relu", seed=0)
    >>> h = cell([1.0, 0.0, -1.0])  # h=None: the zero state
    >>> len(cell([0.0, 1.0, 2.0], h)), cell.num_parameters() == 2 * 3 + 2 * 2 + 2 + 2
    (2, True)
    >>> cell([1.0, 2.0], h)
    Traceback (most recent call last):
    ...
    ValueError: RNNCell(3, 2, nonlinearity='relu'): the input x must have 3 entries, got 2
    """

    name = "RNNCell"

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        bias: bool = True,
        nonlinearity: str = "tanh",
        *,
        init: Init | None = None,
        seed: Seed = None,
    ) -> None:
        super().__init__(input_size, hidden_size, bias, init=init, seed=seed)
        self.nonlinearity = _checks.choice(
            "nonlinearity", nonlinearity, NONLINEARITIES, caller="RNNCell"
        )
        self._act = ACTIVATIONS[self.nonlinearity]

    def __call__(self, x: object, h: object = None) -> State:
        """Return the next hidden state, ``hidden_size`` Values (``h=None``: zeros)."""
        return self.step(x, h, "")

    def step(self, x: object, state: Any, prefix: str) -> State:  # noqa: D102
        at = Step.of(*self._inputs(x, state))
        out = []
        for k in range(self.hidden_size):
            unit = f"{prefix}units.{k}."
            out.append(_named(self._act(_named(self._gate(k, at), unit + "a")), unit + "h"))
        return out

    def config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict, ``nonlinearity`` included.

        >>> RNNCell(1, 2, nonlinearity="relu").config()["nonlinearity"]
        'relu'
        """
        return {**super().config(), "nonlinearity": self.nonlinearity}

    def __repr__(self) -> str:
        act = "" if self.nonlinearity == "tanh" else ", nonlinearity='relu'"
        return super().__repr__()[:-1] + act + ")"


class LSTMCell(_Cell):
    """PyTorch's LSTM cell (``torch.nn.LSTMCell``), gates in its order i, f, g, o.

    ``i, f, o = sigmoid(gate)``, ``g = tanh(gate)``, each ``gate = W_ih x + b_ih + W_hh h +
    b_hh`` over its block of rows; ``c' = f * c + i * g`` and ``h' = o * tanh(c')``. Arguments
    and attributes as :class:`RNNCell` (the matrices have ``4 * hidden_size`` rows).

    >>> cell = LSTMCell(2, 3, seed=0)
    >>> h, c = cell([1.0, -1.0])
    >>> h, c = cell([0.5, 0.5], (h, c))  # the state fed back as returned
    >>> len(h), len(c), cell.num_parameters() == 4 * (3 * 2 + 3 * 3 + 3 + 3)
    (3, 3, True)
    """

    gates = 4
    name = "LSTMCell"

    def __call__(
        self, x: object, state: tuple[object, object] | None = None
    ) -> tuple[State, State]:
        """Return ``(h, c)``, the next hidden and cell states (``state=None``: zeros)."""
        return self.step(x, state, "")

    def step(self, x: object, state: Any, prefix: str) -> tuple[State, State]:  # noqa: D102
        h, c = (None, None) if state is None else _pair(state, repr(self))
        at = Step.of(*self._inputs(x, h))
        cs = None if c is None else self._vector(c, self.hidden_size, "the cell state c")
        n = self.hidden_size
        hs, new_cs = [], []
        for k in range(n):
            unit = f"{prefix}units.{k}."
            a = [_named(self._gate(block * n + k, at), f"{unit}a_{g}") for block, g in
                 enumerate("ifgo")]  # fmt: skip
            i, f, o = (_named(a[b].sigmoid(), unit + g) for b, g in ((0, "i"), (1, "f"), (3, "o")))
            g = _named(a[2].tanh(), unit + "g")
            c_new = _named(i * g, unit + "ig")
            if cs is not None:
                c_new = c_new + _named(f * cs[k], unit + "fc")
            new_cs.append(_named(c_new, unit + "c"))
            hs.append(_named(o * _named(c_new.tanh(), unit + "tanh_c"), unit + "h"))
        return hs, new_cs


class GRUCell(_Cell):
    """PyTorch's GRU cell (``torch.nn.GRUCell``), gates in its order r, z, n.

    ``r, z = sigmoid(W_ih x + b_ih + W_hh h + b_hh)`` over their rows, ``n = tanh(W_in x + b_in
    + r * (W_hn h + b_hn))`` and ``h' = (1 - z) * n + z * h``. Arguments and attributes as
    :class:`RNNCell` (the matrices have ``3 * hidden_size`` rows).

    >>> cell = GRUCell(2, 2, seed=0)
    >>> len(cell([1.0, 2.0], cell([0.0, 1.0]))), cell.num_parameters() == 3 * (2 * 2 + 2 * 2 + 4)
    (2, True)
    """

    gates = 3
    name = "GRUCell"

    def __call__(self, x: object, h: object = None) -> State:
        """Return the next hidden state (``h=None``: zeros)."""
        return self.step(x, h, "")

    def step(self, x: object, state: Any, prefix: str) -> State:  # noqa: D102
        at = Step.of(*self._inputs(x, state))
        n = self.hidden_size
        out = []
        for k in range(n):
            unit = f"{prefix}units.{k}."
            r = _named(_named(self._gate(k, at), unit + "a_r").sigmoid(), unit + "r")
            z = _named(_named(self._gate(n + k, at), unit + "a_z").sigmoid(), unit + "z")
            a_n = _named(self._gate(2 * n + k, at, hh=False), unit + "a_in")
            hidden = self._hidden(2 * n + k, at)  # W_hn h + b_hn, kept apart: r scales it
            if hidden is not None:
                if hidden.op is not None:
                    _named(hidden, unit + "a_hn")
                a_n = _named(a_n + _named(r * hidden, unit + "r_hn"), unit + "a_n")
            h_new = _named(
                _named(1.0 - z, unit + "1-z") * _named(a_n.tanh(), unit + "n"), unit + "(1-z)n"
            )
            if at.h is not None:
                h_new = h_new + _named(z * at.h[k], unit + "zh")
            out.append(_named(h_new, unit + "h"))
        return out


def _pair(state: object, what: str) -> tuple[object, object]:
    # a tuple, as the cell returns it: a list of two numbers would be h of a 2-unit cell
    if not isinstance(state, tuple) or any(part is None for part in state):
        raise TypeError(
            f"{what}: the state must be a tuple (h, c) of two lists, as the cell returns it "
            f"(or None for zeros), got {describe(state)}"
        )
    if len(state) != 2:  # noqa: PLR2004  # (h, c)
        raise ValueError(
            f"{what}: the state must be a pair (h, c) as the cell returns it, got {state!r}"
        )
    return state[0], state[1]


class Unrolled(Module):
    """A cell run over a sequence, the same weights at every step (``torch.nn.RNN``'s loop).

    ``Unrolled(cell)(xs, state=None)`` returns ``(outputs, state)``: the hidden state ``h`` after
    each step and the last state (for an LSTM ``(h, c)``), as ``torch.nn.RNN`` returns
    ``(output, h_n)``. A loss of the outputs, back-propagated, is backpropagation through time.

    >>> run = Unrolled(GRUCell(1, 2, seed=0))
    >>> outputs, h = run([[1.0], [0.0], [-1.0]])
    >>> len(outputs), outputs[-1] == h, run.num_parameters() == 3 * (2 * 1 + 2 * 2 + 2 + 2)
    (3, True, True)
    """

    def __init__(self, cell: Module) -> None:
        if not isinstance(cell, _Cell):
            raise TypeError(
                f"Unrolled: cell must be an RNNCell, LSTMCell or GRUCell, got {describe(cell)}"
            )
        self.cell = cell
        label_parameters("cell.", cell)

    def __call__(self, xs: object, state: Any = None) -> tuple[list[State], Any]:
        """Return the hidden state after every step, and the last state.

        ``xs`` is a list of steps (each ``input_size`` numbers or Values), or one flat list of
        ``T * input_size`` of them, as a Trainer passes an example.
        """
        steps = self._steps(xs)
        outputs = []
        for t, x in enumerate(steps):
            state = self.cell.step(x, state, f"steps.{t}.")
            outputs.append(state[0] if isinstance(self.cell, LSTMCell) else state)
        return outputs, state

    def _steps(self, xs: object) -> list[list[Value]]:
        """The steps of ``xs``, each ``input_size`` Values, or raise naming this module."""
        size = self.cell.input_size
        wanted = (
            f"{self!r} takes a sequence: a non-empty list of inputs (one list of {size} "
            f"numbers per step, or {size} numbers per step in one flat list)"
        )
        if isinstance(xs, np.ndarray) and xs.ndim:
            xs = xs.tolist()
        if not isinstance(xs, Sequence) or isinstance(xs, str | bytes):
            raise TypeError(f"{wanted}, got {describe(xs)}")
        if not xs:
            raise ValueError(f"{wanted}, got {xs!r}")
        steps: list[Any] = list(xs)
        if all(isinstance(x, Value | numbers.Real) for x in steps):  # flat
            if len(steps) % size:
                raise ValueError(
                    f"{self!r}: a flat sequence needs a multiple of {size} entries ({size} per "
                    f"step), got {len(steps)}"
                )
            steps = [steps[t : t + size] for t in range(0, len(steps), size)]
        out = []
        for t, x in enumerate(steps):
            at = as_inputs(x, f"{self!r}: step {t}")
            if len(at) != size:
                raise ValueError(f"{self!r}: step {t} must have {size} entries, got {len(at)}")
            out.append(at)
        return out

    def config(self) -> dict[str, Any]:
        """Return the type and the cell's ``config()``.

        >>> Unrolled(LSTMCell(1, 2)).config()
        {'type': 'Unrolled', 'cell': {'type': 'LSTMCell', 'input_size': 1, 'hidden_size': 2}}
        """
        return {"type": "Unrolled", "cell": self.cell.config()}

    def _children(self) -> list[tuple[str, Module]]:
        return [("cell", self.cell)]

    def __repr__(self) -> str:
        return f"Unrolled({self.cell!r})"
