"""Small data sets for teaching: two moons, circles, logic tables and the 8×8 digits.

Everything returns numpy arrays (``x`` of shape ``(n, features)``, ``y`` of shape ``(n,)``),
is reproducible from a ``seed`` and needs no network: the digits ship inside the package.

>>> x, y = make_moons(10, noise=0.0, seed=0)
>>> x.shape, sorted(set(y.tolist()))
((10, 2), [0, 1])
"""

from __future__ import annotations

import math
import zipfile
from collections.abc import Iterator
from importlib import resources
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from autograd import _checks
from autograd.messages import describe
from autograd.types import Array, Labels, Seed

DIGITS_FILE: Final = "digits.npz"
"""The packaged digits: ``images`` (1797, 8, 8) uint8 in 0..16 and ``target`` (1797,) uint8."""

DIGITS_COUNT: Final = 1797
DIGITS_MAX: Final = 16.0  # pixel values are counts of set pixels in 4×4 blocks: 0..16

LOGIC_INPUTS: Final = ((0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0))
AND: Final = (LOGIC_INPUTS, (0, 0, 0, 1))
"""The AND truth table as ``(inputs, outputs)``."""
OR: Final = (LOGIC_INPUTS, (0, 1, 1, 1))
"""The OR truth table as ``(inputs, outputs)``."""
XOR: Final = (LOGIC_INPUTS, (0, 1, 1, 0))
"""The XOR truth table as ``(inputs, outputs)``: not linearly separable."""


def _rows(what: str, value: object) -> npt.NDArray[Any]:
    """A data set's ``x`` or ``y`` as an array with rows (not a number, a str or None)."""
    if isinstance(value, str | bytes) or value is None:
        raise TypeError(f"{what} must be an array (or a list) of rows, got {describe(value)}")
    array = np.asarray(value)
    if array.ndim == 0:
        raise TypeError(f"{what} must be an array (or a list) of rows, got {describe(value)}")
    return array


def _finish(
    x: Array, y: Labels, noise: float, shuffle: bool, rng: np.random.Generator
) -> tuple[Array, Labels]:
    if shuffle:
        order = rng.permutation(len(y))
        x, y = x[order], y[order]
    if noise:
        x = x + rng.normal(0.0, noise, x.shape)
    return x, y


def make_moons(
    n_samples: int = 100, noise: float = 0.1, seed: Seed = None, shuffle: bool = True
) -> tuple[Array, Labels]:
    """Two interleaving half circles (scikit-learn's geometry), labels 0 (upper) and 1 (lower).

    The upper moon is ``(cos θ, sin θ)``, the lower ``(1 - cos θ, 0.5 - sin θ)`` for θ in
    [0, π]; Gaussian noise of standard deviation ``noise`` is added to every coordinate.

    >>> x, y = make_moons(4, noise=0.0, shuffle=False)
    >>> x.round(6).tolist(), y.tolist()
    ([[1.0, 0.0], [-1.0, 0.0], [0.0, 0.5], [2.0, 0.5]], [0, 0, 1, 1])
    """
    n = _checks.size("make_moons n_samples", n_samples, 2)
    noise = _checks.non_negative("make_moons noise", noise)
    rng = _checks.rng("make_moons seed", seed)
    shuffle = _checks.flag("make_moons shuffle", shuffle)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0.0, math.pi, n_out)
    t_in = np.linspace(0.0, math.pi, n_in)
    x = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            np.stack([1.0 - np.cos(t_in), 0.5 - np.sin(t_in)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    return _finish(x, y, noise, shuffle, rng)


def make_circles(
    n_samples: int = 100,
    noise: float = 0.05,
    factor: float = 0.5,
    seed: Seed = None,
    shuffle: bool = True,
) -> tuple[Array, Labels]:
    """Two concentric circles: label 0 on the unit circle, label 1 on radius ``factor``.

    >>> x, y = make_circles(8, noise=0.0, shuffle=False)
    >>> np.hypot(x[:, 0], x[:, 1]).round(6).tolist(), y.tolist()
    ([1.0, 1.0, 1.0, 1.0, 0.5, 0.5, 0.5, 0.5], [0, 0, 0, 0, 1, 1, 1, 1])
    """
    n = _checks.size("make_circles n_samples", n_samples, 2)
    noise = _checks.non_negative("make_circles noise", noise)
    factor = _checks.interval("make_circles factor", factor, 0.0, 1.0, closed=(False, False))
    rng = _checks.rng("make_circles seed", seed)
    shuffle = _checks.flag("make_circles shuffle", shuffle)
    n_out = n // 2
    n_in = n - n_out
    # endpoint=False: 0 and 2π are the same point, so each circle gets distinct points.
    t_out = np.linspace(0.0, 2 * math.pi, n_out, endpoint=False)
    t_in = np.linspace(0.0, 2 * math.pi, n_in, endpoint=False)
    x = np.concatenate(
        [
            np.stack([np.cos(t_out), np.sin(t_out)], axis=1),
            factor * np.stack([np.cos(t_in), np.sin(t_in)], axis=1),
        ]
    )
    y = np.concatenate([np.zeros(n_out, np.int64), np.ones(n_in, np.int64)])
    return _finish(x, y, noise, shuffle, rng)


def logic_table(name: str) -> tuple[Array, Labels]:
    """Return the truth table ``"and"``, ``"or"`` or ``"xor"`` as ``(x, y)`` arrays.

    >>> x, y = logic_table("xor")
    >>> x.tolist(), y.tolist()
    ([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]], [0, 1, 1, 0])
    """
    tables = {"and": AND, "or": OR, "xor": XOR}
    key = name.lower() if isinstance(name, str) else name
    inputs, outputs = tables[_checks.choice("logic table", key, list(tables), "logic_table")]
    return np.array(inputs, dtype=np.float64), np.array(outputs, dtype=np.int64)


def load_digits(scale: bool = True) -> tuple[Array, Labels]:
    """Load the 1,797 8×8 handwritten digits shipped with the package (no network).

    The images are the UCI "Optical Recognition of Handwritten Digits" test set (Alpaydin and
    Kaynak, CC BY 4.0), exactly as scikit-learn's ``load_digits`` ships them: each pixel counts
    the set pixels of a 4×4 block of a 32×32 bitmap, 0..16.

    Args:
        scale: divide the pixels by 16 so features lie in [0, 1] (what the networks want).

    Returns:
        ``x`` of shape (1797, 64), row-major pixels, and ``y`` of shape (1797,), digits 0..9.

    Raises:
        ValueError: if the packaged file is damaged.

    >>> x, y = load_digits()
    >>> x.shape, y.shape, float(x.max()), sorted(set(y.tolist())) == list(range(10))
    ((1797, 64), (1797,), 1.0, True)
    """
    scale = _checks.flag("load_digits: scale", scale)
    source = resources.files(__name__).joinpath(DIGITS_FILE)
    try:
        with source.open("rb") as f, np.load(f, allow_pickle=False) as archive:
            images = archive["images"]
            target = archive["target"]
    except (OSError, KeyError, ValueError, zipfile.BadZipFile) as err:
        raise ValueError(
            f"load_digits: the packaged file {DIGITS_FILE} is damaged or missing ({err}); "
            "reinstall the package"
        ) from err
    if images.shape != (DIGITS_COUNT, 8, 8) or target.shape != (DIGITS_COUNT,):
        raise ValueError(
            f"load_digits: {DIGITS_FILE} holds images {images.shape} and targets "
            f"{target.shape}, expected ({DIGITS_COUNT}, 8, 8) and ({DIGITS_COUNT},); "
            "reinstall the package"
        )
    x = images.reshape(DIGITS_COUNT, 64).astype(np.float64)
    if scale:
        x /= DIGITS_MAX
    return x, target.astype(np.int64)


def train_test_split(
    x: Array, y: Labels, test_fraction: float = 0.2, seed: Seed = None
) -> tuple[Array, Array, Labels, Labels]:
    """Shuffle and split into ``X_train, X_test, y_train, y_test`` (scikit-learn's order).

    The test set gets ``ceil(test_fraction * n)`` rows, as scikit-learn rounds.

    Raises:
        TypeError: if ``x`` or ``y`` is not an array (or a list) of rows, ``test_fraction`` not
            a number (a string, say) or ``seed`` not None, an int or a Generator.
        ValueError: if ``x`` and ``y`` differ in length, or ``test_fraction`` is outside
            (0, 1) or leaves one of the sets empty.

    >>> x, y = np.arange(10.0).reshape(5, 2), np.arange(5)
    >>> X_tr, X_te, y_tr, y_te = train_test_split(x, y, 0.4, seed=0)
    >>> len(X_tr), len(X_te), sorted(y_tr.tolist() + y_te.tolist())
    (3, 2, [0, 1, 2, 3, 4])
    """
    x, y = _rows("train_test_split: x", x), _rows("train_test_split: y", y)
    if len(x) != len(y):
        raise ValueError(f"train_test_split: x has {len(x)} rows but y has {len(y)}")
    test_fraction = _checks.interval(
        "train_test_split: test_fraction", test_fraction, 0.0, 1.0, closed=(False, False)
    )
    rng = _checks.rng("train_test_split: seed", seed)
    n_test = math.ceil(test_fraction * len(y))
    if not 0 < n_test < len(y):
        raise ValueError(
            f"train_test_split: {len(y)} rows cannot give both sets a row at "
            f"test_fraction={test_fraction!r}"
        )
    order = rng.permutation(len(y))
    test, train = order[:n_test], order[n_test:]
    return x[train], x[test], y[train], y[test]


def batches(
    n: int, batch_size: int | None, seed: Seed = None, shuffle: bool = True
) -> Iterator[npt.NDArray[np.intp]]:
    """Return index arrays covering ``range(n)`` once, ``batch_size`` at a time (a generator).

    The last batch may be short; ``batch_size=None`` gives one full batch. With ``shuffle``
    the order is a permutation drawn from ``seed`` (pass a Generator for a fresh order each
    epoch).

    Raises:
        TypeError: an argument of the wrong kind, at the call (not at the first batch).
        ValueError: ``n`` or ``batch_size`` below 1, or ``n`` above ``MAX_SIZE``.

    >>> [b.tolist() for b in batches(5, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    n = _checks.size("batches n", n)
    size = n if batch_size is None else _checks.count("batches batch_size", batch_size)
    rng = _checks.rng("batches seed", seed)
    order = rng.permutation(n) if _checks.flag("batches shuffle", shuffle) else np.arange(n)
    return (order[start : start + size] for start in range(0, n, size))  # checked before use
