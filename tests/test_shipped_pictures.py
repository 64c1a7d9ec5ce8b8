"""Every picture the project ships or writes obeys the chain rule of its own drawn numbers.

The gallery (``viz/gallery.py``), the demos' pictures (``examples/worked_example.py``, the
neuron ``examples/digits.py`` draws after training) and, in ``tests/test_notebooks.py``, every
picture a notebook shows: each box's drawn grad is the sum over its out-edges of the drawn edge
label times the consumer's drawn grad (``tests/dot_check.py``, which reads DOT text only).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from dot_check import chain_rule
from test_readme import load
from test_readme import worked_example as worked

from autograd.data import load_digits
from autograd.losses import cross_entropy
from autograd.nn import MLP
from autograd.optim import Adam
from autograd.train import Trainer

gallery = load("viz/gallery.py")
digits = load("examples/digits.py")


@pytest.mark.parametrize("name", list(gallery.pictures()))
def test_gallery_picture_obeys_the_chain_rule(name: str) -> None:
    """Each gallery picture's drawn grads are the chain rule over its drawn edges."""
    source = gallery.pictures()[name]().source
    verdict = chain_rule(source)
    assert verdict.holds, f"viz/{name}: {verdict.worst}"
    assert "WARNING" not in source
    if "collapsed" not in name:
        assert verdict.edges > 0


def test_worked_example_demo_picture_obeys_the_chain_rule(tmp_path: Path) -> None:
    """The worked example's demo writes a .dot whose numbers add up."""
    f, _, _ = worked.build(2.0, 3.0)
    f.backward()
    written = worked.write_pictures(f, tmp_path)
    source = (tmp_path / "demo_worked_example.dot").read_text(encoding="utf-8")
    assert written
    verdict = chain_rule(source)
    assert verdict.holds, verdict.worst
    assert verdict.edges == 10


def test_digits_demo_neuron_after_training_obeys_the_chain_rule(tmp_path: Path) -> None:
    """The neuron the digits demo draws after training: one fresh pass, not the batch's .grad.

    Training leaves the last batch gradient in every parameter's ``.grad``; the picture must
    not add this image's pass on top of it (pixels that are 0 give their weights no gradient).
    """
    x, y = load_digits()
    model = MLP(64, [8, 10], init="he_uniform", seed=0)
    trainer = Trainer(model, Adam(model.parameters(), lr=0.01), cross_entropy, progress=False)
    trainer.train_step(x[:16].tolist(), y[:16].tolist())
    neuron = model.layers[0].neurons[0]
    batch_grads = [p.grad for p in neuron.parameters()]
    image = x[-1].tolist()
    digits.draw_neuron(neuron, image, tmp_path / "neuron")
    assert [p.grad for p in neuron.parameters()] == batch_grads  # .grad left as it was
    source = (tmp_path / "neuron.dot").read_text(encoding="utf-8")
    verdict = chain_rule(source)
    assert verdict.holds, verdict.worst
    for i, pixel in enumerate(image):
        if pixel == 0.0:
            assert f'label="{{w{i}|' in source
            assert f"{{w{i}|data {neuron.w[i].data:.6g}|grad 0}}" in source
