"""Rebuild the packaged digits from scikit-learn's copy, and print the class counts the tests pin.

``autograd/data/digits.npz`` holds scikit-learn's ``load_digits()`` (``images`` (1797, 8, 8)
and ``target`` (1797,), as uint8); ``tests/test_data.py`` pins its per-class counts. The tests
never run this script. scikit-learn is in the project's ``dev`` extra, so from the repository
root, after ``python3 tasks.py test`` has made ``.venv``::

    .venv/bin/python scripts/gen_digits_reference.py                     # counts; check the file
    .venv/bin/python scripts/gen_digits_reference.py --out /tmp/d.npz    # also write a fresh copy

It prints the counts, compares scikit-learn's arrays with the packaged file's (exit 1 if they
differ), and with ``--out`` writes them with ``numpy.savez_compressed``, the packaged file's
format (copy the result over ``autograd/data/digits.npz`` to regenerate it).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np

PACKAGED = Path(__file__).resolve().parent.parent / "autograd" / "data" / "digits.npz"


def sklearn_digits() -> dict[str, Any]:
    """scikit-learn's digits as the packaged file stores them: uint8 images and targets."""
    from sklearn.datasets import load_digits  # here: the module imports without scikit-learn

    digits = load_digits()
    return {"images": digits.images.astype(np.uint8), "target": digits.target.astype(np.uint8)}


def class_counts(target: Any) -> list[int]:
    """How many images each digit 0..9 has.

    >>> class_counts(np.array([0, 2, 2, 9]))
    [1, 0, 2, 0, 0, 0, 0, 0, 0, 1]
    """
    counts: list[int] = np.bincount(target, minlength=10).tolist()
    return counts


def main(argv: list[str] | None = None) -> int:
    """Print the counts, compare with the packaged file (1 if different), write ``--out``."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="write scikit-learn's digits to this .npz")
    args = parser.parse_args(argv)
    theirs = sklearn_digits()
    sys.stdout.write(f"class counts: {class_counts(theirs['target'])}\n")
    if args.out is not None:
        np.savez_compressed(args.out, **theirs)
        sys.stdout.write(f"wrote {args.out}\n")
    with np.load(PACKAGED, allow_pickle=False) as packaged:
        same = all(np.array_equal(packaged[name], array) for name, array in theirs.items())
    if not same:
        sys.stderr.write(f"{PACKAGED.name} differs from scikit-learn's digits\n")
        return 1
    sys.stdout.write(f"{PACKAGED.name} holds scikit-learn's digits exactly\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
