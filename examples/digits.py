"""The README's main demo: an MLP learns the 8×8 handwritten digits on the scalar engine.

It loads the 1,797 digits shipped inside the package (no network), splits them 80/20 with a
fixed seed, trains a 64-32-10 ReLU network with Adam on the cross-entropy loss (a progress bar
shows the running loss), prints the test accuracy, saves the model to
``out/digits_model.json``, reloads it to check the round trip, and draws the graph of one
neuron to ``viz/neuron.svg``. It exits with status 1 if the test accuracy is below 95 %.

Every one of the ~2,000 parameters is a ``Value`` and every example builds its own graph, so
this is the pure scalar engine at work: about a minute on two cores.

Run it with ``python3 tasks.py demo`` (or ``.venv/bin/python examples/digits.py``).
"""
# ruff: noqa: T201  # a demo reports what it computed on stdout

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing: import its package
    sys.path.insert(0, str(ROOT))

from autograd import Value  # noqa: E402  # needs the sys.path line above
from autograd.data import load_digits, train_test_split  # noqa: E402
from autograd.losses import cross_entropy  # noqa: E402
from autograd.nn import MLP, Neuron  # noqa: E402
from autograd.optim import Adam  # noqa: E402
from autograd.serialize import load, save  # noqa: E402
from autograd.train import Trainer  # noqa: E402

SEED: Final = 0
TEST_FRACTION: Final = 0.2
HIDDEN: Final = 32
EPOCHS: Final = 6
BATCH_SIZE: Final = 32
LR: Final = 0.01
TARGET_ACCURACY: Final = 0.95
MODEL_PATH: Final = ROOT / "out" / "digits_model.json"
NEURON_STEM: Final = ROOT / "viz" / "neuron"


def draw_neuron(neuron: Neuron, image: list[float], stem: Path) -> str:
    """Draw one neuron on one image (after backward) to ``stem.svg``; return what was written.

    Falls back to the DOT text when Graphviz's ``dot`` program is missing, and to a message
    when ``autograd.viz`` is not available.
    """
    try:
        from autograd.viz import draw_dot  # optional: the picture is a bonus
    except ImportError as err:
        return f"skipped the neuron picture: autograd.viz is not available ({err})"
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(image)]
    for i, w in enumerate(neuron.w):
        w.label = f"w{i}"
    neuron.b.label = "b"
    out = neuron(inputs)
    out.label = "out"
    out.backward()
    graph = draw_dot(out, rankdir="LR")
    stem.parent.mkdir(parents=True, exist_ok=True)
    dot_path = stem.with_suffix(".dot")
    dot_path.write_text(graph.source, encoding="utf-8")
    try:
        svg = graph.pipe(format="svg")
    except Exception as err:  # graphviz raises ExecutableNotFound and friends
        return f"wrote {dot_path.relative_to(ROOT)} (no SVG: {err})"
    stem.with_suffix(".svg").write_bytes(svg)
    return f"wrote {stem.with_suffix('.svg').relative_to(ROOT)} and {dot_path.relative_to(ROOT)}"


def main(argv: list[str] | None = None) -> int:
    """Train, evaluate, save, reload and draw; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=EPOCHS)
    parser.add_argument("--hidden", type=int, default=HIDDEN)
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)

    start = time.perf_counter()
    x, y = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(x, y, TEST_FRACTION, seed=SEED)
    model = MLP(64, [args.hidden, 10], init="he_uniform", seed=SEED)
    print(
        f"digits: {len(y_train)} training and {len(y_test)} test images of 8x8 pixels; "
        f"{model} with {model.num_parameters()} parameters"
    )
    trainer = Trainer(
        model,
        Adam(model.parameters(), lr=LR),
        cross_entropy,
        batch_size=BATCH_SIZE,
        seed=SEED,
        progress=not args.no_progress,
    )
    history = trainer.fit(x_train, y_train, epochs=args.epochs, validation=(x_test, y_test))
    for record in history.epochs:
        print(
            f"epoch {record.epoch}: mean loss {record.loss:.4f}, "
            f"test accuracy {record.val_accuracy:.2%}, {record.seconds:.1f} s"
        )
    if history.interrupted:
        print("interrupted: the model keeps the parameters of its last completed step")
    accuracy = trainer.accuracy(x_test, y_test)
    print(f"test accuracy: {accuracy:.2%} ({round(accuracy * len(y_test))}/{len(y_test)})")

    MODEL_PATH.parent.mkdir(parents=True, exist_ok=True)
    save(model, MODEL_PATH)
    reloaded = load(MODEL_PATH)
    same = [p.data for p in reloaded.parameters()] == [p.data for p in model.parameters()]
    print(f"saved {MODEL_PATH.relative_to(ROOT)}; reloaded parameters identical: {same}")

    print(draw_neuron(model.layers[0].neurons[0], x_test[0].tolist(), NEURON_STEM))
    print(f"done in {time.perf_counter() - start:.1f} s")
    if accuracy < TARGET_ACCURACY or not same:
        print(f"FAILED: test accuracy below {TARGET_ACCURACY:.0%} or the reload differs")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
