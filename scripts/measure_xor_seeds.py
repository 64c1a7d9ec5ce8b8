"""Count the seeds for which test_nn's XOR recipe succeeds (its docstring says 10 of 0..19).

The recipe of ``tests/test_nn.py::test_xor_learned_by_2_2_1_network``: a 2-2-1 tanh MLP with
uniform init, Adam with lr 0.1, 300 full-batch steps of BCE with logits on XOR; success is
classifying all four points and a final loss below 0.05. The tests never run this script; from
the repository root, after ``python3 tasks.py test`` has made ``.venv`` (about a second)::

    .venv/bin/python scripts/measure_xor_seeds.py            # seeds 0..19
    .venv/bin/python scripts/measure_xor_seeds.py --seeds 100
"""

from __future__ import annotations

import argparse
import sys

from autograd import Value
from autograd.losses import binary_cross_entropy_with_logits
from autograd.nn import MLP
from autograd.optim import Adam

XS = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
TS = [0.0, 1.0, 1.0, 0.0]
STEPS = 300
LOSS_BELOW = 0.05


def succeeds(seed: int) -> bool:
    """Train the test's recipe from ``seed``; True if it classifies XOR with a small loss."""
    model = MLP(2, [2, 1], activation="tanh", init="uniform", seed=seed)
    opt = Adam(model.parameters(), lr=0.1)
    for _ in range(STEPS):
        opt.zero_grad()
        binary_cross_entropy_with_logits([model(x) for x in XS], TS).backward()  # type: ignore[misc]
        opt.step()
    logits = [model(x).data for x in XS]  # type: ignore[union-attr]
    loss = binary_cross_entropy_with_logits([Value(z) for z in logits], TS).data
    return [int(z > 0) for z in logits] == [0, 1, 1, 0] and loss < LOSS_BELOW


def main(argv: list[str] | None = None) -> int:
    """Print how many of the seeds 0..n-1 succeed, and which."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20, help="try the seeds 0..SEEDS-1")
    args = parser.parse_args(argv)
    good = [seed for seed in range(args.seeds) if succeeds(seed)]
    sys.stdout.write(f"{len(good)} of the seeds 0..{args.seeds - 1} succeed: {good}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
