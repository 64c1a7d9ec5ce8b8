"""Weight initialisation: the schemes by name, as ``torch.nn.init`` computes them, or a function.

A module's ``init`` is one of :data:`INITS` or a function ``(fan_in, fan_out, rng) -> fan_in
floats`` that draws the weights of one neuron (one filter of a convolution, one row of a
recurrent cell's matrix); ``rng`` is the module's ``numpy.random.Generator``, so the same seed
gives the same weights. :func:`normal` and :func:`uniform` make such functions. Biases start at 0.

>>> init_weights("constant", 3, 1, np.random.default_rng(0), value=0.5)
[0.5, 0.5, 0.5]
>>> from autograd.nn import Neuron
>>> Neuron(2, init=lambda fan_in, fan_out, rng: [0.5] * fan_in).w
[Value(data=0.5, grad=0.0, label='w.0'), Value(data=0.5, grad=0.0, label='w.1')]
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from typing import Final

import numpy as np

from autograd import _checks
from autograd.messages import describe

InitFn = Callable[[int, int, np.random.Generator], Sequence[float] | np.ndarray]
"""A weight initialiser: ``(fan_in, fan_out, rng) -> fan_in`` weights of one neuron."""

Init = str | InitFn
"""What a module's ``init`` takes: a scheme's name or an :data:`InitFn`."""

# scheme -> (distribution, its bound or standard deviation from (fan_in, fan_out))
_DRAWS: Final[Mapping[str, tuple[str, Callable[[int, int], float]]]] = {
    "uniform": ("uniform", lambda nin, nout: 1.0),  # micrograd's U(-1, 1)
    "uniform_fan_in": ("uniform", lambda nin, nout: 1.0 / math.sqrt(nin)),  # PyTorch's default
    "lecun_uniform": ("uniform", lambda nin, nout: math.sqrt(3.0 / nin)),
    "lecun_normal": ("normal", lambda nin, nout: math.sqrt(1.0 / nin)),
    "normal": ("normal", lambda nin, nout: 1.0),
    "xavier_uniform": ("uniform", lambda nin, nout: math.sqrt(6.0 / (nin + nout))),
    "xavier_normal": ("normal", lambda nin, nout: math.sqrt(2.0 / (nin + nout))),
    "he_uniform": ("uniform", lambda nin, nout: math.sqrt(6.0 / nin)),
    "he_normal": ("normal", lambda nin, nout: math.sqrt(2.0 / nin)),
}

INITS: Final = (*_DRAWS, "zeros", "constant")
"""Weight initialisation schemes by name (``uniform`` is micrograd's U(-1, 1)); biases start at 0.

``uniform_fan_in`` is U(±1/√fan_in), PyTorch's default for ``Linear`` and ``Conv2d`` weights;
``lecun_*`` keep the variance 1/fan_in, ``xavier_*`` 2/(fan_in + fan_out), ``he_*`` 2/fan_in;
``normal`` is N(0, 1) (:func:`normal` makes N(mean, std²)).
"""


def check_init(init: object, caller: str = "check_init", name: str = "init") -> Init:
    """Return ``init`` if it is a function or a scheme's name; ``caller`` and ``name`` are shown.

    Raises:
        TypeError: ``init`` is neither a str nor a function.
        ValueError: ``init`` names no scheme of :data:`INITS`.

    >>> check_init("he_normal")
    'he_normal'
    >>> check_init("he", caller="Layer")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Layer: unknown init 'he' (must be one of ['uniform', 'uniform_fan_in', ...])
    """
    if callable(init):
        return init  # any callable; what it returns is checked at each call
    if not isinstance(init, str):
        raise TypeError(
            f"{caller}: {name} must be the name of a scheme (one of {list(INITS)}) or a "
            f"function (fan_in, fan_out, rng) -> weights, got {describe(init)}"
        )
    return _checks.choice(name, init, INITS, caller=caller)


def init_weights(
    scheme: Init, nin: int, nout: int, rng: np.random.Generator, value: float = 0.0
) -> list[float]:
    """Draw ``nin`` weights for one neuron of a layer with ``nin`` inputs and ``nout`` outputs.

    Follows ``torch.nn.init``: Xavier/Glorot uses ``gain * sqrt(6 / (nin + nout))`` (uniform
    bound) or ``gain * sqrt(2 / (nin + nout))`` (normal std) with gain 1; He/Kaiming (fan-in,
    ReLU gain sqrt 2) uses ``sqrt(6 / nin)`` and ``sqrt(2 / nin)``; LeCun ``sqrt(3 / nin)`` and
    ``sqrt(1 / nin)``. ``zeros`` and ``constant`` give every weight the same number, which is
    exactly why they fail to train (symmetry).

    Args:
        scheme: one of :data:`INITS`, or a function ``(fan_in, fan_out, rng) -> fan_in floats``.
        nin: the neuron's number of inputs (fan-in).
        nout: the number of neurons in its layer (fan-out).
        rng: the generator to draw from.
        value: the weight for the ``constant`` scheme.

    Returns:
        ``nin`` floats.

    Raises:
        TypeError: an argument is of the wrong kind (``rng`` must be a
            ``numpy.random.Generator``), or a function returned something other than a list of
            real numbers.
        ValueError: ``nin`` or ``nout`` is below 1 or above ``MAX_SIZE``, an unknown scheme, or
            a function returned the wrong number of weights, or nan or inf.

    >>> w = init_weights("he_uniform", 6, 4, np.random.default_rng(0))
    >>> all(abs(x) <= 1.0 for x in w)
    True
    >>> init_weights(lambda fan_in, fan_out, rng: [1.0], 2, 1, np.random.default_rng(0))
    Traceback (most recent call last):
    ...
    ValueError: init returned 1 weights for fan_in 2 (fan_out 1); it must return fan_in numbers
    """
    check_init(scheme, caller="init_weights", name="scheme")
    nin = _checks.size("init_weights: nin", nin)
    nout = _checks.size("init_weights: nout", nout)
    _checks.instance("init_weights: rng", rng, np.random.Generator, "a numpy.random.Generator")
    value = _checks.real("init_weights: value", value)
    if callable(scheme):
        return _drawn_by(scheme, nin, nout, rng)
    if scheme in _DRAWS:
        kind, scale = _DRAWS[scheme]
        size = scale(nin, nout)
        drawn = rng.uniform(-size, size, nin) if kind == "uniform" else rng.normal(0.0, size, nin)
        return [float(x) for x in drawn]
    fill = 0.0 if scheme == "zeros" else value
    return [fill] * nin


def _drawn_by(scheme: InitFn, nin: int, nout: int, rng: np.random.Generator) -> list[float]:
    drawn: object = scheme(nin, nout, rng)  # a user's function: check what it really returns
    if isinstance(drawn, np.ndarray):
        drawn = drawn.reshape(-1).tolist()
    if not isinstance(drawn, Sequence) or isinstance(drawn, str | bytes):
        raise TypeError(f"init must return a list of fan_in numbers, got {describe(drawn)}")
    if len(drawn) != nin:
        raise ValueError(
            f"init returned {len(drawn)} weights for fan_in {nin} (fan_out {nout}); it must "
            "return fan_in numbers"
        )
    return [_checks.real(f"init weight {i}", x) for i, x in enumerate(drawn)]


def normal(std: float = 1.0, mean: float = 0.0) -> InitFn:
    """Return an initialiser drawing from N(mean, std²), as ``torch.nn.init.normal_``.

    >>> w = normal(0.01)(1000, 1, np.random.default_rng(0))
    >>> round(float(np.std(w)), 3)
    0.01
    """
    std = _checks.non_negative("normal std", std)
    mean = _checks.real("normal mean", mean)

    def draw(fan_in: int, fan_out: int, rng: np.random.Generator) -> list[float]:
        return [float(x) for x in rng.normal(mean, std, fan_in)]

    return draw


def uniform(low: float = -1.0, high: float = 1.0) -> InitFn:
    """Return an initialiser drawing from U(low, high), as ``torch.nn.init.uniform_``.

    >>> w = uniform(0.0, 0.5)(100, 1, np.random.default_rng(0))
    >>> 0.0 <= min(w) and max(w) <= 0.5
    True
    """
    low, high = _checks.real("uniform low", low), _checks.real("uniform high", high)
    if low > high:
        raise ValueError(f"uniform: low must be <= high, got low={low!r}, high={high!r}")

    def draw(fan_in: int, fan_out: int, rng: np.random.Generator) -> list[float]:
        return [float(x) for x in rng.uniform(low, high, fan_in)]

    return draw
