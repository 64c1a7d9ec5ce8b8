"""Regenerate the gallery: the canonical graphs of the course, drawn by ``autograd.viz``.

Writes into this folder (``viz/``):

- ``worked_example.svg``: f(x, y) = x**2 + x*y + (x + y)**2 at (2, 3), after backward;
- ``worked_example_paths_x.svg``: its three paths from x to f, one colour each;
- ``worked_example_steps.html``: the step-through player of the same graph;
- ``xor_training.html``: the training player of an MLP(2, [4, 1]) learning XOR (60 steps of
  Adam), the graph of one example at every step, the loss and the decision over the inputs;
- ``tanh_neuron.svg``: one tanh neuron, o = tanh(x1*w1 + x2*w2 + b), as separate ops;
- ``mlp_2layer.svg``: an ``autograd.nn`` MLP(2, [2, 1]) with a squared-error loss, every
  node drawn top to bottom, each neuron in a cluster inside a cluster per layer (two hidden
  neurons side by side keep it readable in an 880 px README column);
- ``sigmoid_chain.svg``: x -> w1 -> sigmoid -> w2 -> sigmoid -> w3 -> L;
- ``digits_step_collapsed.svg``: one training step of the digits network -- an
  ``autograd.nn`` MLP(64, [32, 10]) and the mean cross-entropy over 8 real digits from
  ``autograd.data.load_digits``, backward done -- drawn collapsed (one box per layer, as a
  32 x 10 pair of layers has too many neuron-to-neuron arrows to draw).

Run it with ``.venv/bin/python viz/gallery.py``. The output is deterministic (fixed numbers and
seeds), so a rerun changes no file unless the drawing code changed. Each file starts with a
comment recording the SHA-256 of the DOT text it was drawn from and the Graphviz version that
rendered it: ``tests/test_gallery.py`` fails when today's code draws different DOT text (on any
Graphviz), and compares the rendering itself where the Graphviz version is the same.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

HERE: Final = Path(__file__).resolve().parent
ROOT: Final = HERE.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing: import its package
    sys.path.insert(0, str(ROOT))

from autograd import Value, sum_values  # noqa: E402  # needs the sys.path line above
from autograd.data import load_digits, logic_table  # noqa: E402
from autograd.files import write_atomic  # noqa: E402
from autograd.losses import binary_cross_entropy_with_logits, cross_entropy  # noqa: E402
from autograd.nn import MLP  # noqa: E402
from autograd.optim import Adam  # noqa: E402
from autograd.train import Trainer  # noqa: E402
from autograd.viz import draw_dot, explain_paths, record_training, step_through  # noqa: E402

# micrograd lecture's neuron: this bias makes tanh's output exactly representable-ish (0.7071)
NEURON_BIAS: Final = 6.8813735870195432
DIGITS_INPUTS: Final = 64
DIGITS_HIDDEN: Final = 32
DIGITS_CLASSES: Final = 10
DIGITS_EXAMPLES: Final = 8
PLAYER_PAGE: Final = "worked_example_steps.html"
TRAINING_PAGE: Final = "xor_training.html"
PAGES: Final = (PLAYER_PAGE, TRAINING_PAGE)
XOR_HIDDEN: Final = 4
XOR_LR: Final = 0.1
XOR_STEPS: Final = 60
STAMP: Final = "<!-- autograd gallery: drawn by viz/gallery.py from DOT text with sha256 {digest}, "
"""The comment each file starts with (see the module doc); ``{graphviz}`` ends it."""
STAMP_END: Final = "rendered by Graphviz {graphviz} -->\n"


def labelled(node: Value, label: str) -> Value:
    """Give ``node`` a label and return it.

    >>> labelled(Value(1.0), "a").label
    'a'
    """
    node.label = label
    return node


def worked_example() -> tuple[Value, Value, Value]:
    """Return (f, x, y) for f = x**2 + x*y + (x + y)**2 at (2, 3), backward done.

    >>> f, x, y = worked_example()
    >>> (f.data, x.grad, y.grad)
    (35.0, 17.0, 12.0)
    """
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    head = labelled(labelled(x**2, "x**2") + labelled(x * y, "x*y"), "x**2+x*y")
    f = labelled(head + labelled(labelled(x + y, "x+y") ** 2, "(x+y)**2"), "f")
    f.backward()
    return f, x, y


def neuron() -> Value:
    """Return o = tanh(x1*w1 + x2*w2 + b) with micrograd's lecture numbers, backward done.

    >>> round(neuron().data, 4)
    0.7071
    """
    x1, x2 = Value(2.0, label="x1"), Value(0.0, label="x2")
    w1, w2 = Value(-3.0, label="w1"), Value(1.0, label="w2")
    b = Value(NEURON_BIAS, label="b")
    n = labelled(labelled(x1 * w1, "x1*w1") + labelled(x2 * w2, "x2*w2"), "x1w1+x2w2") + b
    o = labelled(labelled(n, "n").tanh(), "o")
    o.backward()
    return o


def mlp_2layer() -> Value:
    """Return the squared error of ``MLP(2, [2, 1])`` (tanh) on one example, backward done.

    >>> mlp_2layer().data > 0
    True
    """
    model = MLP(2, [2, 1], activation="tanh", seed=0)  # parameters labelled by their names
    out = model([Value(1.0, label="x0"), Value(-0.5, label="x1")])
    assert isinstance(out, Value)  # noqa: S101  # MLP(.., [.., 1]) returns a single Value
    loss = labelled((labelled(out, "y") - 1.0) ** 2, "L")
    loss.backward()
    return loss


def sigmoid_chain() -> Value:
    """Return L = w3 * sigmoid(w2 * sigmoid(w1 * x)), backward done.

    >>> import math
    >>> sigmoid = lambda t: 1.0 / (1.0 + math.exp(-t))
    >>> abs(sigmoid_chain().data - 2.0 * sigmoid(-1.0 * sigmoid(0.5 * 1.0))) < 1e-15
    True
    """
    x = Value(1.0, label="x")
    w1, w2, w3 = Value(0.5, label="w1"), Value(-1.0, label="w2"), Value(2.0, label="w3")
    h1 = labelled(labelled(w1 * x, "z1").sigmoid(), "h1")
    h2 = labelled(labelled(w2 * h1, "z2").sigmoid(), "h2")
    loss = labelled(w3 * h2, "L")
    loss.backward()
    return loss


def digits_step() -> Value:
    """Return one training step's loss of the digits MLP(64, [32, 10]), backward done.

    The loss is the mean cross-entropy over the first ``DIGITS_EXAMPLES`` digits of
    ``load_digits()`` (pixels scaled to [0, 1], one leaf each), as a mini-batch step of
    training computes it.

    >>> round(digits_step().data, 6) > 0
    True
    """
    images, digits = load_digits()
    model = MLP(DIGITS_INPUTS, [DIGITS_HIDDEN, DIGITS_CLASSES], init="he_uniform", seed=0)
    losses = []
    for image, digit in zip(images[:DIGITS_EXAMPLES], digits[:DIGITS_EXAMPLES], strict=True):
        scores = model([Value(pixel) for pixel in image.tolist()])  # shared by all 32 neurons
        assert isinstance(scores, list)  # noqa: S101  # ten outputs
        losses.append(cross_entropy(scores, int(digit)))
    loss = labelled(sum_values(losses) / float(DIGITS_EXAMPLES), "loss")
    loss.backward()
    return loss


def pictures() -> dict[str, Callable[[], Any]]:
    """Return each gallery file name with the function that draws it."""
    return {
        "worked_example.svg": lambda: draw_dot(worked_example()[0]),
        "worked_example_paths_x.svg": lambda: explain_paths(*worked_example()[:2]).draw(),
        # top to bottom: each box stacks its fields, so these fit a README column (880 px)
        "tanh_neuron.svg": lambda: draw_dot(neuron(), rankdir="TB"),
        "mlp_2layer.svg": lambda: draw_dot(mlp_2layer(), rankdir="TB", clusters=True),
        "sigmoid_chain.svg": lambda: draw_dot(sigmoid_chain(), rankdir="TB"),
        "digits_step_collapsed.svg": lambda: draw_dot(digits_step(), rankdir="TB"),
    }


def graphviz_version() -> str:
    """Return the version of the Graphviz ``dot`` on PATH, as ``"2.43.0"``."""
    import graphviz  # only rendering needs it

    return ".".join(str(part) for part in graphviz.version())


def stamp(dot_source: str, graphviz: str) -> str:
    """Return the comment that records what a gallery file was drawn from and rendered by.

    >>> print(stamp("digraph {}", "2.43.0"), end="")  # doctest: +ELLIPSIS
    <!-- autograd gallery: drawn by ... sha256 cdffdece...cff47, rendered by Graphviz 2.43.0 -->
    """
    digest = hashlib.sha256(dot_source.encode("utf-8")).hexdigest()
    return STAMP.format(digest=digest) + STAMP_END.format(graphviz=graphviz)


def svg_file(picture: Any, graphviz: str) -> bytes:
    """Return a picture's SVG with the stamp before its ``<svg`` element."""
    svg = picture.pipe(format="svg").decode("utf-8")
    at = svg.index("<svg")
    return (svg[:at] + stamp(picture.source, graphviz) + svg[at:]).encode("utf-8")


def xor_training() -> Any:
    """Return the training player of an MLP(2, [4, 1]) learning XOR: 60 steps of Adam.

    The loss is the binary cross-entropy of the output as a logit; the player shows the graph
    of example 1, (0, 1) -> 1, and the decision over the four inputs.

    >>> player = xor_training()  # renders with Graphviz's dot
    >>> player.steps[-1].loss < 0.05 < player.steps[0].loss
    True
    """
    x, y = logic_table("xor")
    model = MLP(2, [XOR_HIDDEN, 1], activation="tanh", seed=0)

    def bce(out: Any, target: Any) -> Value:
        return binary_cross_entropy_with_logits([out], [target])

    optimizer = Adam(model.parameters(), lr=XOR_LR)
    trainer = Trainer(model, optimizer, bce, batch_size=None, progress=False)
    return record_training(trainer, x, y, steps=XOR_STEPS, example=1)


def stamped_page(player: Any, graphviz: str) -> bytes:
    """Return a player's page, stamped after its doctype."""
    page = player.html()
    head, rest = page.split("\n", 1)
    return (head + "\n" + stamp(player.dot_source, graphviz) + rest).encode("utf-8")


def player_file(graphviz: str) -> bytes:
    """Return the worked example's player page, stamped after its doctype."""
    return stamped_page(step_through(worked_example()[0]), graphviz)


def main(out_dir: Path = HERE) -> int:
    """Render every picture and the worked example's player into ``out_dir``."""
    import graphviz  # only drawing needs it

    try:
        version = graphviz_version()
        files = {name: svg_file(draw(), version) for name, draw in pictures().items()}
        files[PLAYER_PAGE] = player_file(version)
        files[TRAINING_PAGE] = stamped_page(xor_training(), version)
    except graphviz.ExecutableNotFound as err:
        print(err, file=sys.stderr)
        return 1
    for name, data in files.items():
        write_atomic(out_dir / name, data)
        print(f"wrote {out_dir / name}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
