"""Type names the package shares: arrays of numbers and random seeds.

>>> import numpy as np
>>> rng: Seed = np.random.default_rng(0)
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

Array = npt.NDArray[np.float64]
"""An array of float64 numbers (a batch of inputs, a column of lanes, parameter values)."""

Labels = npt.NDArray[np.int64]
"""An array of class indices."""

Seed = int | np.random.Generator | None
"""A seed for ``numpy.random.default_rng``, a Generator to draw from, or None for fresh entropy."""
