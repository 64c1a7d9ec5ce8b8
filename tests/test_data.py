"""Data sets: geometry of the generators, the packaged digits, splits and batches."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from autograd.data import (
    batches,
    load_digits,
    logic_table,
    make_circles,
    make_moons,
    train_test_split,
)


def test_moons_points_lie_on_their_half_circles() -> None:
    """Without noise, label 0 lies on the unit circle (y >= 0), label 1 on the shifted one."""
    x, y = make_moons(101, noise=0.0, seed=0)
    upper, lower = x[y == 0], x[y == 1]
    assert len(upper) == 50
    assert len(lower) == 51
    assert np.allclose(np.hypot(upper[:, 0], upper[:, 1]), 1.0)
    assert (upper[:, 1] >= -1e-12).all()
    assert np.allclose(np.hypot(lower[:, 0] - 1.0, lower[:, 1] - 0.5), 1.0)
    assert (lower[:, 1] <= 0.5 + 1e-12).all()


def test_moons_match_scikit_learn_without_noise() -> None:
    """Unshuffled and noiseless, the points equal scikit-learn's make_moons."""
    datasets = pytest.importorskip("sklearn.datasets")
    theirs_x, theirs_y = datasets.make_moons(n_samples=30, shuffle=False, noise=None)
    ours_x, ours_y = make_moons(30, noise=0.0, shuffle=False)
    assert np.allclose(ours_x, theirs_x, atol=1e-15)
    assert (ours_y == theirs_y).all()


def test_noise_has_the_requested_spread_and_seed_reproduces() -> None:
    """Noise is Gaussian with the given std; the same seed gives the same data."""
    clean, _ = make_moons(4000, noise=0.0, shuffle=False)
    noisy, _ = make_moons(4000, noise=0.2, shuffle=False, seed=3)
    assert (noisy - clean).std() == pytest.approx(0.2, rel=0.05)
    a, b = make_moons(50, seed=9), make_moons(50, seed=9)
    assert (a[0] == b[0]).all()
    assert (a[1] == b[1]).all()


def test_circles_radii() -> None:
    """Without noise, label 0 has radius 1 and label 1 radius factor."""
    x, y = make_circles(40, noise=0.0, factor=0.3, seed=0)
    radii = np.hypot(x[:, 0], x[:, 1])
    assert np.allclose(radii[y == 0], 1.0)
    assert np.allclose(radii[y == 1], 0.3)


@pytest.mark.parametrize(
    ("name", "outputs"), [("and", [0, 0, 0, 1]), ("OR", [0, 1, 1, 1]), ("xor", [0, 1, 1, 0])]
)
def test_logic_tables(name: str, outputs: list[int]) -> None:
    """The truth tables over (0,0), (0,1), (1,0), (1,1)."""
    x, y = logic_table(name)
    assert x.tolist() == [[0, 0], [0, 1], [1, 0], [1, 1]]
    assert y.tolist() == outputs


def test_digits_load_offline_and_match_scikit_learn() -> None:
    """The packaged digits are scikit-learn's 1,797 images exactly (pixels 0..16)."""
    x, y = load_digits(scale=False)
    assert x.shape == (1797, 64)
    assert x.min() == 0.0
    assert x.max() == 16.0
    # scikit-learn's class counts, printed by scripts/gen_digits_reference.py (which also checks
    # and can rebuild the packaged file, byte for byte)
    assert np.bincount(y).tolist() == [178, 182, 177, 183, 181, 182, 181, 179, 174, 180]
    scaled, _ = load_digits()
    assert np.array_equal(scaled * 16.0, x)
    datasets = pytest.importorskip("sklearn.datasets")
    theirs = datasets.load_digits()
    assert np.array_equal(theirs.data, x)
    assert np.array_equal(theirs.target, y)


def test_train_test_split_partitions_with_seed() -> None:
    """An 80/20 split is a partition; the same seed gives the same split."""
    x, y = np.arange(20.0).reshape(10, 2), np.arange(10)
    x_tr, x_te, y_tr, y_te = train_test_split(x, y, 0.2, seed=1)
    assert len(y_te) == 2
    assert sorted(y_tr.tolist() + y_te.tolist()) == list(range(10))
    assert (x_tr[:, 0] == 2 * y_tr).all()  # rows keep their labels
    assert (x_te[:, 0] == 2 * y_te).all()
    again = train_test_split(x, y, 0.2, seed=1)
    assert (again[3] == y_te).all()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((np.zeros((3, 2)), np.zeros(2), 0.2), r"x has 3 rows but y has 2"),
        ((np.zeros((3, 2)), np.zeros(3), 1.5), r"test_fraction must be in \(0, 1\), got 1.5"),
        ((np.zeros((1, 2)), np.zeros(1), 0.5), r"1 rows cannot give both sets a row"),
        ((np.zeros((3, 2)), np.zeros(3), float("nan")), r"test_fraction must be a finite number"),
    ],
)
def test_train_test_split_rejects_bad_input(args: tuple[object, ...], message: str) -> None:
    """Mismatched rows and impossible fractions raise naming train_test_split."""
    with pytest.raises(ValueError, match=message):
        train_test_split(*args)  # type: ignore[arg-type]


def test_train_test_split_refuses_a_string_fraction_and_takes_numpy_floats() -> None:
    """'0.2' is a TypeError naming the argument; np.float32(0.25) is a fraction like 0.25."""
    x, y = np.zeros((8, 2)), np.arange(8)
    with pytest.raises(
        TypeError, match=r"train_test_split: test_fraction must be a real number, got str '0.2'"
    ):
        train_test_split(x, y, "0.2")  # type: ignore[arg-type]
    assert [len(part) for part in train_test_split(x, y, np.float32(0.25), seed=0)] == [6, 2, 6, 2]


def test_batches_cover_every_index_once() -> None:
    """Shuffled batches are a permutation cut into pieces of batch_size (the last shorter)."""
    pieces = list(batches(10, 3, seed=0))
    assert [len(p) for p in pieces] == [3, 3, 3, 1]
    assert sorted(np.concatenate(pieces).tolist()) == list(range(10))
    assert [len(p) for p in batches(10, None)] == [10]
    with pytest.raises(ValueError, match=r"batch_size must be an int >= 1, got 0"):
        list(batches(10, 0))
    with pytest.raises(TypeError, match=r"batch_size must be an int >= 1, got float 2.0"):
        list(batches(10, 2.0))  # type: ignore[arg-type]
    assert [len(p) for p in batches(np.int64(5), np.int64(2))] == [2, 2, 1]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: make_moons(1), r"make_moons n_samples must be an int >= 2, got 1"),
        (lambda: make_moons(10, noise=-0.1),
         r"make_moons noise must be a finite number >= 0, got -0.1"),
        (lambda: make_circles(10, noise=float("nan")),
         r"make_circles noise must be a finite number, got nan"),
        (lambda: make_circles(10, factor=1.0), r"make_circles factor must be in \(0, 1\), got 1.0"),
        (lambda: logic_table("nand"), r"unknown logic table 'nand'"),
    ],
    ids=["moons-n-samples-1", "moons-negative-noise", "circles-nan-noise", "circles-factor-1",
         "logic-table-nand"],
)  # fmt: skip
def test_generators_reject_bad_arguments(make: Callable[[], object], message: str) -> None:
    """Bad sizes, noise and factor raise naming the argument and value."""
    with pytest.raises(ValueError, match=message):
        make()
