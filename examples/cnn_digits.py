"""A small convolutional network learns the 8×8 digits, compiled to numpy batches.

``Sequential(Unflatten((1, 8, 8)), Conv2d(1, 8, 3, padding=1), Activation("relu"),
MaxPool2d(2), Flatten(), Layer(128, 10, "linear"))``: 8 filters of 3×3 slide over each image
(1,370 parameters, against the MLP demo's 17,226), trained like ``examples/digits.py`` -- the
same 80/20 split, seed 0, Adam with a cosine-annealed rate (0.02, 30 epochs), batches of 32,
``Trainer(..., compile=True)``. It prints how the plan runs the convolution (one ``W @ X`` of
the 8 filters by the image's 64 windows, a border window padded with zeros for the pixels its
node does not read), the training time and the test accuracy, and exits 1 below 97 %.

Run it with ``.venv/bin/python examples/cnn_digits.py`` (``python3 tasks.py demo`` runs it).
"""
# ruff: noqa: T201  # a demo reports what it computed on stdout

from __future__ import annotations

import argparse
import math
import sys
import time
from itertools import takewhile
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing: import its package
    sys.path.insert(0, str(ROOT))

from autograd.data import load_digits, train_test_split  # noqa: E402  # needs the sys.path line
from autograd.losses import cross_entropy  # noqa: E402
from autograd.nn import (  # noqa: E402
    Activation,
    Conv2d,
    Flatten,
    Layer,
    MaxPool2d,
    Sequential,
    Unflatten,
)
from autograd.optim import Adam  # noqa: E402
from autograd.schedules import Cosine  # noqa: E402
from autograd.train import Trainer  # noqa: E402

SEED: Final = 0
TEST_FRACTION: Final = 0.2
BATCH_SIZE: Final = 32
EPOCHS: Final = 30
LR: Final = 0.02
CHANNELS: Final = 8
TARGET_ACCURACY: Final = 0.97
CHECK_EVERY: Final = 100  # the model builds one graph for every image: re-check rarely


def model(channels: int = CHANNELS) -> Sequential:
    """The demo's network: one 3x3 convolution, ReLU, 2x2 max pooling, a linear read-out."""
    return Sequential(
        Unflatten((1, 8, 8)),  # the Trainer passes each image as 64 numbers
        Conv2d(1, channels, 3, padding=1, init="he_uniform", seed=SEED),
        Activation("relu"),
        MaxPool2d(2),
        Flatten(),
        Layer(channels * 4 * 4, 10, "linear", init="he_uniform", seed=SEED),
    )


def main(argv: list[str] | None = None) -> int:
    """Train, evaluate and report; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="passes over the data")
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    x, y = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(x, y, TEST_FRACTION, seed=SEED)
    network = model()
    print(
        f"digits: {len(y_train)} training and {len(y_test)} test images; a CNN with "
        f"{network.num_parameters()} parameters:\n{network}"
    )
    steps = args.epochs * math.ceil(len(y_train) / BATCH_SIZE)
    trainer = Trainer(
        network,
        Adam(network.parameters(), lr=Cosine(LR, t_max=steps)),
        cross_entropy,
        batch_size=BATCH_SIZE,
        seed=SEED,
        progress=not args.no_progress,
        compile=True,
        check_every=CHECK_EVERY,
    )
    trained = time.perf_counter()
    history = trainer.fit(x_train, y_train, epochs=args.epochs)
    trained = time.perf_counter() - trained
    if trainer.plan is not None:
        first = [g.describe() for g in trainer.plan.groups]  # its first level: the convolution
        convolution = list(takewhile(lambda line: line.startswith("dot"), first))
        print("the convolution, compiled:\n  " + "\n  ".join(convolution))
    print(
        f"trained {args.epochs} epochs ({len(history.step_losses)} steps) in {trained:.1f} s, "
        f"final mean loss {history.epochs[-1].loss:.4f}"
    )
    accuracy = trainer.accuracy(x_test, y_test)
    print(f"test accuracy: {accuracy:.2%} ({round(accuracy * len(y_test))}/{len(y_test)})")
    print(f"done in {time.perf_counter() - start:.1f} s")
    if accuracy < TARGET_ACCURACY:
        print(f"FAILED: test accuracy below {TARGET_ACCURACY:.0%}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
