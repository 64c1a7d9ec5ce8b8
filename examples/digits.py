"""The README's main demo: an MLP learns the 8×8 handwritten digits, compiled to numpy batches.

It loads the 1,797 digits shipped inside the package (no network), splits them 80/20 with a
fixed seed, trains a 64-128-64-10 ReLU network for 15 epochs with Adam (learning rate annealed
by a cosine) on the cross-entropy loss (a progress bar shows the running loss), prints the
test accuracy, saves the model to ``out/digits_model.json``, reloads it to check the round
trip, and draws the graph of one neuron to ``viz/demo_neuron.svg``. It exits with status 1 if the
test accuracy is below 97 %.

Training uses ``Trainer(..., compile=True)``: the loss of one example is traced once as an
ordinary ``Value`` graph and every mini-batch runs through it as numpy calls, with the same
gradients as the scalar engine. ``--scalar`` runs the earlier pure-scalar recipe instead
(64-32-10, 6 epochs, every example its own graph, target 95 %): about 8 s on two cores.

Run it with ``python3 tasks.py demo`` (or ``.venv/bin/python examples/digits.py``).
"""
# ruff: noqa: T201  # a demo reports what it computed on stdout

from __future__ import annotations

import argparse
import math
import sys
import time
from dataclasses import dataclass
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
from autograd.schedules import Cosine  # noqa: E402
from autograd.serialize import load, save  # noqa: E402
from autograd.train import Trainer  # noqa: E402

SEED: Final = 0
TEST_FRACTION: Final = 0.2
BATCH_SIZE: Final = 32


@dataclass(frozen=True)
class Recipe:
    """A network and its training schedule, with the test accuracy it must reach."""

    hidden: tuple[int, ...]
    epochs: int
    lr: float
    cosine: bool  # anneal the rate to 0 over the run (a cosine), else keep it constant
    target_accuracy: float
    compile: bool


COMPILED: Final = Recipe(
    hidden=(128, 64), epochs=15, lr=0.003, cosine=True, target_accuracy=0.97, compile=True
)
SCALAR: Final = Recipe(
    hidden=(32,), epochs=6, lr=0.01, cosine=False, target_accuracy=0.95, compile=False
)
MODEL_PATH: Final = ROOT / "out" / "digits_model.json"
NEURON_STEM: Final = ROOT / "viz" / "demo_neuron"  # viz/demo_*: demo output, ignored by git


def draw_neuron(neuron: Neuron, image: list[float], stem: Path) -> str:
    """Draw one neuron on one image, with its gradients, to ``stem.svg``; return what was written.

    The gradients drawn are one fresh pass of the neuron's output on this image
    (``grads="fresh"``): the parameters' ``.grad`` still holds the last training step's batch
    gradient, which is not this picture's. The model's ``.grad`` is left as it was. Falls
    back to the DOT text when Graphviz's ``dot`` program is missing, and to a message when
    ``autograd.viz`` is not available.
    """
    try:
        from autograd.viz import draw_dot  # optional: the picture is a bonus
    except ImportError as err:
        return f"skipped the neuron picture: autograd.viz is not available ({err})"
    inputs = [Value(x, label=f"x{i}") for i, x in enumerate(image)]
    params = [*neuron.w, neuron.b]
    names = [p.label for p in params]  # the model's dotted names, put back after drawing
    for i, w in enumerate(neuron.w):
        w.label = f"w{i}"
    neuron.b.label = "b"
    out = neuron(inputs)
    out.label = "out"
    graph = draw_dot(out, rankdir="LR", grads="fresh")
    for p, name in zip(params, names, strict=True):
        p.label = name
    stem.parent.mkdir(parents=True, exist_ok=True)
    dot_path = stem.with_suffix(".dot")
    dot_path.write_text(graph.source, encoding="utf-8")
    try:
        svg = graph.pipe(format="svg")
    except Exception as err:  # graphviz raises ExecutableNotFound and friends
        return f"wrote {shown(dot_path)} (no SVG: {err})"
    stem.with_suffix(".svg").write_bytes(svg)
    return f"wrote {shown(stem.with_suffix('.svg'))} and {shown(dot_path)}"


def shown(path: Path) -> Path:
    """Return ``path`` relative to the checkout when it lies inside it, as a demo prints it."""
    return path.relative_to(ROOT) if path.is_relative_to(ROOT) else path


def main(argv: list[str] | None = None) -> int:
    """Train, evaluate, save, reload and draw; return the exit status."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--scalar", action="store_true", help="the pure scalar engine's recipe (64-32-10)"
    )
    parser.add_argument("--epochs", type=int, help="override the recipe's number of epochs")
    parser.add_argument(
        "--hidden", type=int, nargs="+", help="override the hidden layer widths, e.g. 128 64"
    )
    parser.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    args = parser.parse_args(argv)
    recipe = SCALAR if args.scalar else COMPILED
    hidden = list(args.hidden or recipe.hidden)
    epochs = args.epochs or recipe.epochs

    start = time.perf_counter()
    x, y = load_digits()
    x_train, x_test, y_train, y_test = train_test_split(x, y, TEST_FRACTION, seed=SEED)
    model = MLP(64, [*hidden, 10], init="he_uniform", seed=SEED)
    engine = "compiled numpy batches" if recipe.compile else "the scalar engine"
    print(
        f"digits: {len(y_train)} training and {len(y_test)} test images of 8x8 pixels; "
        f"{model} with {model.num_parameters()} parameters, trained on {engine}"
    )
    steps = epochs * math.ceil(len(y_train) / BATCH_SIZE)
    lr = Cosine(recipe.lr, t_max=steps) if recipe.cosine else recipe.lr
    trainer = Trainer(
        model,
        Adam(model.parameters(), lr=lr),
        cross_entropy,
        batch_size=BATCH_SIZE,
        seed=SEED,
        progress=not args.no_progress,
        compile=recipe.compile,
    )
    # The scalar recipe reports test accuracy after each epoch; the compiled one trains many
    # epochs so fast that the (scalar) evaluation would dominate, so it evaluates at the end.
    validation = None if recipe.compile else (x_test, y_test)
    history = trainer.fit(x_train, y_train, epochs=epochs, validation=validation)
    for record in history.epochs:
        tested = "" if record.val_accuracy is None else f", test accuracy {record.val_accuracy:.2%}"
        cut = " (interrupted)" if record.interrupted else ""
        print(
            f"epoch {record.epoch}{cut}: mean loss {record.loss:.4f}{tested}, "
            f"{record.seconds:.1f} s"
        )
    if history.interrupted:
        print("interrupted: the model keeps the parameters of its last completed step")
    accuracy = trainer.accuracy(x_test, y_test)
    print(f"test accuracy: {accuracy:.2%} ({round(accuracy * len(y_test))}/{len(y_test)})")

    save(model, MODEL_PATH)  # creates out/ if needed
    reloaded = load(MODEL_PATH)
    same = [p.data for p in reloaded.parameters()] == [p.data for p in model.parameters()]
    print(f"saved {MODEL_PATH.relative_to(ROOT)}; reloaded parameters identical: {same}")

    print(draw_neuron(model.layers[0].neurons[0], x_test[0].tolist(), NEURON_STEM))
    print(f"done in {time.perf_counter() - start:.1f} s")
    if accuracy < recipe.target_accuracy or not same:
        print(f"FAILED: test accuracy below {recipe.target_accuracy:.0%} or the reload differs")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
