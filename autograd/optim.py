"""Optimizers that follow PyTorch's update formulas number for number: SGD, RMSprop, Adam, AdamW.

Each parameter is a scalar ``Value``; its state uses PyTorch's names (``momentum_buffer``,
``square_avg``, ``grad_avg``, ``exp_avg``, ``exp_avg_sq``, ``max_exp_avg_sq``) so every line
can be checked against ``torch.optim``'s single-tensor code, including its order of rounding.
A step reads every parameter's number and gradient into a numpy array and runs the update
formula once on the arrays: elementwise float64 arithmetic and square roots round exactly as
Python floats do, so each parameter gets the very number the formula gives it alone, and a
17,000-parameter Adam step takes about 2 ms (a Python loop over the parameters took 8).
``lr`` is a number or a :class:`autograd.schedules.Schedule`, asked for each step's rate.

>>> from autograd import Value
>>> w = Value(0.0)
>>> opt = SGD([w], lr=0.1)
>>> for _ in range(3):  # minimise (w - 1)**2
...     opt.zero_grad()
...     ((w - 1.0) ** 2).backward()
...     opt.step()
>>> round(w.data, 6)
0.488
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from numbers import Real
from operator import attrgetter

import numpy as np

from autograd._checks import flag, float_of, interval, non_negative, sequence
from autograd.engine import Value, zero_grad
from autograd.fast_backward import GRAD_LOCK
from autograd.interrupts import deferred_sigint
from autograd.messages import describe
from autograd.schedules import Schedule
from autograd.types import Array


def _fraction(what: str, value: object) -> float:
    return interval(what, value, 0.0, 1.0, closed=(True, False))


class Optimizer:
    """Base class: the parameters, the learning rate (a number or a schedule), per-parameter state.

    Args:
        params: the Values to update (usually ``model.parameters()``).
        lr: the learning rate, or a :class:`~autograd.schedules.Schedule` of the step number.

    Attributes:
        steps: how many steps were taken (the ``t`` the schedule is asked about next).
        state: one dict per parameter, in ``params`` order, with PyTorch's state names (a copy;
            the optimizer keeps each name's numbers in one numpy array).

    Raises:
        TypeError: if ``params`` is not a list of Values, or one is a computed node (not a
            leaf: a step would move a number that nothing reads back), or ``lr`` is neither a
            number nor a schedule.
        ValueError: if the list is empty, holds the same Value twice (it would be updated
            twice per step), or ``lr`` is not a finite number >= 0.
    """

    def __init__(self, params: Iterable[Value], lr: float | Schedule) -> None:
        name = type(self).__name__
        self.params = sequence(f"{name}: params", params, "Values (model.parameters())")
        if not self.params:
            raise ValueError(
                f"{name}: got an empty parameter list (params); pass model.parameters()"
            )
        first: dict[Value, int] = {}  # Values hash by identity: the same node, not equal data
        for i, p in enumerate(self.params):
            if not isinstance(p, Value):
                raise TypeError(f"{name}: params[{i}] must be a Value, got {describe(p)}")
            if p.op is not None:  # a step would set its .data, which nothing reads back
                raise TypeError(
                    f"{name}: params[{i}] must be a leaf Value (a parameter), got a node computed "
                    f"by {p.op.name} ({p!r}); pass model.parameters(), or .detach() a copy"
                )
            if p in first:
                raise ValueError(
                    f"{name}: params[{i}] is the same Value as params[{first[p]}] ({p!r}); "
                    "pass each parameter once, or it is updated twice per step"
                )
            first[p] = i
        if not isinstance(lr, Schedule):
            lr = non_negative(f"{name} lr", lr)  # a number, or a schedule
        self.lr: float | Schedule = lr
        self.steps = 0
        self._buffers: dict[str, Array] = {}  # PyTorch's state names: one entry per parameter

    @property
    def state(self) -> list[dict[str, float]]:
        """Each parameter's state under PyTorch's names, in ``params`` order (a copy).

        >>> w = Value(1.0); w.grad = 2.0
        >>> opt = SGD([w], lr=0.1, momentum=0.9); opt.step(); opt.state
        [{'momentum_buffer': 2.0}]
        """
        names = list(self._buffers)
        columns = [self._buffers[name].tolist() for name in names]
        extra = self._shared_state()
        rows = zip(*columns, strict=True) if columns else [()] * len(self.params)
        return [{**dict(zip(names, row, strict=True)), **extra} for row in rows]

    def _shared_state(self) -> dict[str, float]:
        """State that every parameter shares (Adam's ``step``), shown in :attr:`state`."""
        return {}

    def current_lr(self) -> float:
        """Return the learning rate the next :meth:`step` will use.

        Raises:
            ValueError: if a schedule gives a rate that is not a finite number >= 0 (a
                negative rate would climb the loss), naming the optimizer and the step.

        >>> from autograd.schedules import StepDecay
        >>> SGD([Value(0.0)], lr=StepDecay(0.5, step_size=1, gamma=0.5)).current_lr()
        0.5
        """
        if not isinstance(self.lr, Schedule):
            return self.lr
        lr = self.lr(self.steps)
        if isinstance(lr, float) and lr >= 0 and math.isfinite(lr):  # the usual case, cheaply
            return lr
        try:
            return non_negative("lr", lr)
        except (TypeError, ValueError) as err:
            raise type(err)(
                f"{type(self).__name__}: the schedule {self.lr!r} gave the learning rate "
                f"{lr!r} at step {self.steps}; a learning rate must be a finite number >= 0"
            ) from err

    def zero_grad(self) -> None:
        """Set every parameter's ``.grad`` to 0.

        >>> w = Value(1.0); w.grad = 3.0; SGD([w], lr=0.1).zero_grad(); w.grad
        0.0
        """
        zero_grad(self.params)

    def step(self) -> None:
        """Update every parameter from its ``.grad`` with this step's learning rate.

        A step is all or nothing with respect to Ctrl-C: SIGINT is held back while the
        parameters and their state change, and delivered once the step is complete, so a
        ``KeyboardInterrupt`` never leaves some parameters updated and others not. It holds
        the passes' lock (:data:`autograd.fast_backward.GRAD_LOCK`), so it never reads the
        ``.grad`` of a pass that another thread is in the middle of.

        Raises:
            TypeError: if a parameter's ``.grad`` (or ``.data``) was set by hand to something
                that is not a real number (``None``, ``1j``); nothing changes then.
            ValueError: if the schedule's rate for this step is negative or not finite, or a
                ``.grad`` was set to an int beyond the float range (``10**400``); nothing
                changes then.

        >>> w = Value(1.0)
        >>> opt = SGD([w], lr=0.25)
        >>> w.grad = 2.0
        >>> opt.step()
        >>> (w.data, opt.steps)
        (0.5, 1)
        """
        lr = self.current_lr()
        params = self.params
        count = len(params)
        with GRAD_LOCK, deferred_sigint():
            data = self._gather("data")
            grads = self._gather("grad")
            buffers = dict(self._buffers)  # the update replaces arrays, never writes into them
            with np.errstate(all="ignore"):  # IEEE results (x/0 = inf, 0/0 = nan), as torch
                updated = self._update(data, grads, buffers, lr)
            for p, number in zip(params, np.broadcast_to(updated, count).tolist(), strict=True):
                p.data = number
            self._buffers = buffers
            self.steps += 1

    def _gather(self, field: str) -> Array:
        """Every parameter's ``.data`` or ``.grad`` as one array; a non-number is named."""
        numbers = list(map(attrgetter(field), self.params))
        try:
            array = np.fromiter(numbers, np.float64, len(numbers))
        except (TypeError, ValueError, OverflowError):  # None, 1j, a str; 10**400
            array = None
        if array is not None and not np.isnan(array).any():  # numpy makes None a nan
            return array
        name = type(self).__name__
        for i, x in enumerate(numbers):
            if isinstance(x, bool | np.bool_) or not isinstance(x, Real):  # None, 1j, a str, ...
                raise TypeError(
                    f"{name}.step: params[{i}].{field} is {describe(x)}, not a float; reset "
                    "gradients with zero_grad() (0.0, not None)"
                )
        floats = [float_of(f"{name}.step: params[{i}].{field}", x) for i, x in enumerate(numbers)]
        return array if array is not None else np.array(floats)

    def _update(self, param: Array, grad: Array, state: dict[str, Array], lr: float) -> Array:
        """The update formula, on all parameters at once: new values; new arrays into ``state``."""
        raise NotImplementedError


class SGD(Optimizer):
    """Stochastic gradient descent with optional momentum, Nesterov and weight decay (PyTorch's).

    Per parameter θ with gradient g, step t = 1, 2, ... (``torch.optim.SGD``)::

        g = g + weight_decay * θ                       if weight_decay != 0
        b = g  (t = 1);  b = momentum * b + (1 - dampening) * g  (t > 1)
        g = g + momentum * b  if nesterov  else  g = b   if momentum != 0
        θ = θ - lr * g

    >>> w = Value(1.0); w.grad = 2.0
    >>> opt = SGD([w], lr=0.1, momentum=0.9)
    >>> opt.step(); w.grad = 2.0; opt.step(); round(w.data, 6)
    0.42
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float | Schedule = 1e-3,
        momentum: float = 0.0,
        dampening: float = 0.0,
        weight_decay: float = 0.0,
        nesterov: bool = False,
    ) -> None:
        super().__init__(params, lr)
        nesterov = flag("SGD nesterov", nesterov)
        self.momentum = non_negative("SGD momentum", momentum)
        # PyTorch takes any number; outside [0, 1] the buffer grows or flips sign each step.
        self.dampening = interval("SGD dampening", dampening, 0.0, 1.0)
        self.weight_decay = non_negative("SGD weight_decay", weight_decay)
        if nesterov and (self.momentum <= 0 or self.dampening != 0):
            raise ValueError(
                f"SGD: nesterov needs momentum > 0 and dampening = 0, got momentum="
                f"{momentum!r}, dampening={dampening!r}"
            )
        self.nesterov = flag("SGD nesterov", nesterov)

    def _update(self, param: Array, grad: Array, state: dict[str, Array], lr: float) -> Array:
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        if self.momentum != 0:
            if "momentum_buffer" not in state:
                buf = grad
            else:
                buf = state["momentum_buffer"] * self.momentum + (1 - self.dampening) * grad
            state["momentum_buffer"] = buf
            grad = grad + self.momentum * buf if self.nesterov else buf
        return param + -lr * grad


class RMSprop(Optimizer):
    """RMSprop (PyTorch's, with optional momentum, centering and weight decay).

    Per parameter θ with gradient g (``torch.optim.RMSprop``)::

        g = g + weight_decay * θ                       if weight_decay != 0
        v = alpha * v + (1 - alpha) * g**2             (square_avg, v0 = 0)
        ga = ga + (1 - alpha) * (g - ga); ṽ = v - ga**2  if centered  else  ṽ = v
        d = sqrt(ṽ) + eps
        b = momentum * b + g / d;  θ = θ - lr * b      if momentum > 0
        θ = θ - lr * g / d                             otherwise

    >>> w = Value(1.0); w.grad = 2.0
    >>> opt = RMSprop([w], lr=0.01); opt.step(); round(w.data, 6)
    0.9
    """

    def __init__(
        self,
        params: Iterable[Value],
        lr: float | Schedule = 1e-2,
        alpha: float = 0.99,
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        momentum: float = 0.0,
        centered: bool = False,
    ) -> None:
        super().__init__(params, lr)
        self.alpha = _fraction("RMSprop alpha", alpha)
        self.eps = non_negative("RMSprop eps", eps)
        self.weight_decay = non_negative("RMSprop weight_decay", weight_decay)
        self.momentum = non_negative("RMSprop momentum", momentum)
        self.centered = flag("RMSprop centered", centered)

    def _update(self, param: Array, grad: Array, state: dict[str, Array], lr: float) -> Array:
        if self.weight_decay != 0:
            grad = grad + self.weight_decay * param
        square_avg = state.get("square_avg", 0.0) * self.alpha + (1 - self.alpha) * grad * grad
        state["square_avg"] = square_avg
        if self.centered:
            grad_avg = state.get("grad_avg", 0.0)
            grad_avg = grad_avg + (1 - self.alpha) * (grad - grad_avg)  # torch's lerp, weight < 0.5
            state["grad_avg"] = grad_avg
            # Rounding can leave v - ga² a hair below 0: nan, as torch's sqrt gives, no error.
            avg = np.sqrt(square_avg + -1 * grad_avg * grad_avg) + self.eps
        else:
            avg = np.sqrt(square_avg) + self.eps
        if self.momentum > 0:
            buf = state.get("momentum_buffer", 0.0) * self.momentum + grad / avg
            state["momentum_buffer"] = buf
            return param + -lr * buf
        return param + -lr * grad / avg  # eps = 0 and g = 0: nan, like torch


class Adam(Optimizer):
    """Adam (PyTorch's, with optional L2 weight decay and AMSGrad).

    Per parameter θ with gradient g at step t = 1, 2, ... (``torch.optim.Adam``)::

        g = g + weight_decay * θ                       if weight_decay != 0
        m = m + (1 - beta1) * (g - m)                  (exp_avg: torch's lerp)
        v = beta2 * v + (1 - beta2) * g**2             (exp_avg_sq)
        vmax = max(vmax, v); use vmax for v            if amsgrad
        θ = θ - (lr / (1 - beta1**t)) * m / (sqrt(v) / sqrt(1 - beta2**t) + eps)

    >>> w = Value(1.0); w.grad = 2.0
    >>> opt = Adam([w], lr=0.1); opt.step(); round(w.data, 6)
    0.9
    """

    decoupled = False

    def __init__(
        self,
        params: Iterable[Value],
        lr: float | Schedule = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 0.0,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr)
        name = type(self).__name__
        if not isinstance(betas, tuple | list):
            raise TypeError(f"{name} betas must be a pair (beta1, beta2), got {describe(betas)}")
        if len(betas) != 2:  # noqa: PLR2004  # a pair
            raise ValueError(f"{name} betas must be a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            _fraction(f"{name} betas[0] (beta1)", betas[0]),
            _fraction(f"{name} betas[1] (beta2)", betas[1]),
        )
        self.eps = non_negative(f"{name} eps", eps)
        self.weight_decay = non_negative(f"{name} weight_decay", weight_decay)
        self.amsgrad = flag(f"{name} amsgrad", amsgrad)

    def _shared_state(self) -> dict[str, float]:
        return {"step": float(self.steps)} if self.steps else {}

    def _update(self, param: Array, grad: Array, state: dict[str, Array], lr: float) -> Array:
        beta1, beta2 = self.betas
        t = self.steps + 1
        if self.weight_decay != 0:
            if self.decoupled:
                param = param * (1 - lr * self.weight_decay)
            else:
                grad = grad + self.weight_decay * param
        exp_avg = state.get("exp_avg", 0.0)
        exp_avg = exp_avg + (1 - beta1) * (grad - exp_avg)  # torch's lerp with weight < 0.5
        exp_avg_sq = state.get("exp_avg_sq", 0.0) * beta2 + (1 - beta2) * grad * grad
        state["exp_avg"], state["exp_avg_sq"] = exp_avg, exp_avg_sq
        if self.amsgrad:
            exp_avg_sq = np.maximum(state.get("max_exp_avg_sq", 0.0), exp_avg_sq)
            state["max_exp_avg_sq"] = exp_avg_sq
        step_size = lr / (1 - beta1**t)
        bias_correction2_sqrt: float = (1 - beta2**t) ** 0.5  # as torch: a power, not sqrt
        denom = np.sqrt(exp_avg_sq) / bias_correction2_sqrt + self.eps
        return param + -step_size * exp_avg / denom  # eps = 0, v = 0: nan, like torch


class AdamW(Adam):
    """Adam with decoupled weight decay (PyTorch's ``AdamW``; default ``weight_decay=1e-2``).

    The same update as :class:`Adam`, except that weight decay shrinks the parameter directly
    instead of entering the gradient::

        θ = θ * (1 - lr * weight_decay)   then the Adam step with the plain gradient g

    >>> w = Value(1.0); w.grad = 0.0
    >>> opt = AdamW([w], lr=0.1, weight_decay=0.5); opt.step(); w.data
    0.95
    """

    decoupled = True

    def __init__(
        self,
        params: Iterable[Value],
        lr: float | Schedule = 1e-3,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
        weight_decay: float = 1e-2,
        amsgrad: bool = False,
    ) -> None:
        super().__init__(params, lr, betas, eps, weight_decay, amsgrad)
