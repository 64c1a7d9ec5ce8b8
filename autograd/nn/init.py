"""Weight initialisation: the schemes by name, as ``torch.nn.init`` computes them.

>>> init_weights("constant", 3, 1, np.random.default_rng(0), value=0.5)
[0.5, 0.5, 0.5]
"""

from __future__ import annotations

import math
from typing import Final

import numpy as np

from autograd import _checks

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
