"""Learning-rate schedules: small objects mapping the step number ``t = 0, 1, 2, ...`` to a rate.

Pass one as an optimizer's ``lr``; the optimizer asks it for the rate of each step. They
compose: ``schedule * 0.5`` scales, ``a * b`` multiplies pointwise, and ``a.then(b, at=100)``
runs ``a`` for 100 steps and then ``b`` (with ``b`` counting from 0 again).

>>> warmup_then_decay = Linear(0.0, 0.1, steps=10).then(Exponential(0.1, gamma=0.5), at=10)
>>> [round(warmup_then_decay(t), 6) for t in (0, 5, 10, 11, 12)]
[0.0, 0.05, 0.1, 0.05, 0.025]
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod

from autograd._checks import count, positive, real
from autograd.messages import describe


def _schedule(what: str, value: object) -> Schedule:
    """``value`` if it is a :class:`Schedule` (a constant rate is ``Constant(lr)``)."""
    if not isinstance(value, Schedule):
        raise TypeError(
            f"{what} must be a Schedule (for a constant rate, Constant(lr)), got {describe(value)}"
        )
    return value


class Schedule(ABC):
    """A learning rate per step: ``schedule(t)`` for ``t = 0, 1, 2, ...``."""

    def __call__(self, t: int) -> float:
        """Return the learning rate of step ``t`` (an int >= 0)."""
        return self.rate(count("schedule step t", t, minimum=0))

    @abstractmethod
    def rate(self, t: int) -> float:
        """Return the learning rate of step ``t`` (``t`` already checked to be an int >= 0)."""

    def __mul__(self, other: Schedule | float) -> Schedule:
        if isinstance(other, Schedule):
            return Product(self, other)
        return Product(self, Constant(real("schedule *", other)))

    __rmul__ = __mul__

    def then(self, other: Schedule, at: int) -> Schedule:
        """Follow this schedule for ``at`` steps, then ``other`` (counting from 0 again).

        Raises:
            TypeError: ``other`` is not a Schedule, or ``at`` not an int.
            ValueError: ``at`` is below 1.

        >>> s = Constant(1.0).then(Constant(0.5), at=2)
        >>> [s(t) for t in range(4)]
        [1.0, 1.0, 0.5, 0.5]
        """
        return Then(self, _schedule("then: other", other), count("then at", at))


class Constant(Schedule):
    """``lr`` at every step.

    >>> Constant(0.1)(1000)
    0.1
    """

    def __init__(self, lr: float) -> None:
        self.lr = real("Constant lr", lr)

    def rate(self, t: int) -> float:
        """Return ``lr``."""
        return self.lr

    def __repr__(self) -> str:
        return f"Constant({self.lr!r})"


class StepDecay(Schedule):
    """``lr * gamma ** (t // step_size)``: multiply by ``gamma`` every ``step_size`` steps (StepLR).

    >>> [StepDecay(1.0, step_size=2, gamma=0.5)(t) for t in range(5)]
    [1.0, 1.0, 0.5, 0.5, 0.25]
    """

    def __init__(self, lr: float, step_size: int, gamma: float = 0.1) -> None:
        self.lr = real("StepDecay lr", lr)
        self.step_size = count("StepDecay step_size", step_size)
        self.gamma = real("StepDecay gamma", gamma)

    def rate(self, t: int) -> float:
        """Return ``lr * gamma ** (t // step_size)``."""
        return self.lr * self.gamma ** (t // self.step_size)

    def __repr__(self) -> str:
        return f"StepDecay({self.lr!r}, step_size={self.step_size}, gamma={self.gamma!r})"


class Exponential(Schedule):
    """``lr * gamma ** t`` (ExponentialLR).

    >>> [Exponential(1.0, gamma=0.5)(t) for t in range(3)]
    [1.0, 0.5, 0.25]
    """

    def __init__(self, lr: float, gamma: float) -> None:
        self.lr = real("Exponential lr", lr)
        self.gamma = real("Exponential gamma", gamma)

    def rate(self, t: int) -> float:
        """Return ``lr * gamma ** t``."""
        return self.lr * self.gamma**t

    def __repr__(self) -> str:
        return f"Exponential({self.lr!r}, gamma={self.gamma!r})"


class InverseTime(Schedule):
    """``lr * (s0 / (s0 + t)) ** power``: a Robbins–Monro sequence for ``0.5 < power <= 1``.

    Such rates shrink slowly enough that their sum diverges (the iterates can go anywhere) and
    fast enough that the sum of their squares converges (the noise averages out).

    >>> [InverseTime(1.0, s0=2.0, power=1.0)(t) for t in (0, 2, 6)]
    [1.0, 0.5, 0.25]
    """

    def __init__(self, lr: float, s0: float = 1.0, power: float = 1.0) -> None:
        self.lr = real("InverseTime lr", lr)
        self.s0 = positive("InverseTime s0", s0)
        self.power = real("InverseTime power", power)

    def rate(self, t: int) -> float:
        """Return ``lr * (s0 / (s0 + t)) ** power``."""
        return self.lr * float((self.s0 / (self.s0 + t)) ** self.power)

    def __repr__(self) -> str:
        return f"InverseTime({self.lr!r}, s0={self.s0!r}, power={self.power!r})"


class OneOverT(InverseTime):
    """``lr / (t + 1)``: the classic 1/t Robbins–Monro sequence (step ``k = t + 1`` gets lr/k).

    >>> [OneOverT(1.0)(t) for t in range(4)]
    [1.0, 0.5, 0.3333333333333333, 0.25]
    """

    def __init__(self, lr: float) -> None:
        super().__init__(real("OneOverT lr", lr), s0=1.0, power=1.0)

    def rate(self, t: int) -> float:
        """Return ``lr / (t + 1)``."""
        return self.lr / (t + 1)

    def __repr__(self) -> str:
        return f"OneOverT({self.lr!r})"


class Cosine(Schedule):
    """``lr_min + (lr - lr_min) (1 + cos(pi t / t_max)) / 2`` up to ``t_max``, then ``lr_min``.

    The closed form of PyTorch's ``CosineAnnealingLR`` over one half period.

    >>> [Cosine(1.0, t_max=2)(t) for t in range(4)]
    [1.0, 0.5, 0.0, 0.0]
    """

    def __init__(self, lr: float, t_max: int, lr_min: float = 0.0) -> None:
        self.lr = real("Cosine lr", lr)
        self.t_max = count("Cosine t_max", t_max)
        self.lr_min = real("Cosine lr_min", lr_min)

    def rate(self, t: int) -> float:
        """Return the cosine-annealed rate of step ``t``."""
        if t >= self.t_max:
            return self.lr_min
        return self.lr_min + (self.lr - self.lr_min) * (1 + math.cos(math.pi * t / self.t_max)) / 2

    def __repr__(self) -> str:
        return f"Cosine({self.lr!r}, t_max={self.t_max}, lr_min={self.lr_min!r})"


class Linear(Schedule):
    """From ``start`` to ``end`` in a straight line over ``steps`` steps, then ``end``.

    micrograd's moons demo uses ``1.0 - 0.9 * k / 100``, which is ``Linear(1.0, 0.1, 100)``.

    >>> [round(Linear(1.0, 0.1, steps=100)(t), 6) for t in (0, 50, 99, 200)]
    [1.0, 0.55, 0.109, 0.1]
    """

    def __init__(self, start: float, end: float, steps: int) -> None:
        self.start = real("Linear start", start)
        self.end = real("Linear end", end)
        self.steps = count("Linear steps", steps)

    def rate(self, t: int) -> float:
        """Return ``start + (end - start) * min(t, steps) / steps``."""
        return self.start - (self.start - self.end) * min(t, self.steps) / self.steps

    def __repr__(self) -> str:
        return f"Linear({self.start!r}, {self.end!r}, steps={self.steps})"


class Product(Schedule):
    """The pointwise product of two schedules (``a * b``, or ``a * 0.5``).

    >>> (Constant(2.0) * Exponential(1.0, gamma=0.5))(2)
    0.5
    """

    def __init__(self, first: Schedule, second: Schedule) -> None:
        self.first = _schedule("Product first", first)
        self.second = _schedule("Product second", second)

    def rate(self, t: int) -> float:
        """Return ``first(t) * second(t)``."""
        return self.first.rate(t) * self.second.rate(t)

    def __repr__(self) -> str:
        return f"({self.first!r} * {self.second!r})"


class Then(Schedule):
    """``first`` for steps ``t < at``, then ``second(t - at)``; see :meth:`Schedule.then`.

    >>> Then(Constant(1.0), Linear(1.0, 0.0, steps=4), at=2)(4)
    0.5
    """

    def __init__(self, first: Schedule, second: Schedule, at: int) -> None:
        self.first = _schedule("Then first", first)
        self.second = _schedule("Then second", second)
        self.at = count("Then at", at)

    def rate(self, t: int) -> float:
        """Return ``first(t)`` before ``at``, else ``second(t - at)``."""
        return self.first.rate(t) if t < self.at else self.second.rate(t - self.at)

    def __repr__(self) -> str:
        return f"{self.first!r}.then({self.second!r}, at={self.at})"
