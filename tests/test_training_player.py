"""The training player's recording (real optimizer steps), its page, its size and its exports."""

from __future__ import annotations

import html
import io
import json
import re
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from autograd import Value, grad
from autograd.data import logic_table, make_moons
from autograd.losses import binary_cross_entropy_with_logits, mse
from autograd.nn import MLP
from autograd.optim import SGD, Adam
from autograd.train import Trainer
from autograd.viz import record_training, step_through
from autograd.viz.style import fmt
from autograd.viz.training import MAX_STEPS, _example_loss

pytestmark = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)


def bce(out: Any, t: Any) -> Value:
    return binary_cross_entropy_with_logits([out], [t])


def xor(lr: float = 0.1) -> tuple[Trainer, Any, Any]:
    x, y = logic_table("xor")
    model = MLP(2, [4, 1], activation="tanh", seed=0)
    return Trainer(model, Adam(model.parameters(), lr=lr), bce, batch_size=None,
                   progress=False), x, y  # fmt: skip


def test_recording_is_the_trainers_own_steps() -> None:
    """The recorded losses, weights, grads and changes are those of plain train_step calls."""
    trainer, x, y = xor()
    player = record_training(trainer, x, y, steps=5, grid=0)
    reference, _, _ = xor()
    params = reference.model.parameters()
    for step in player.steps:
        before = [p.data for p in params]
        loss_e = _example_loss(reference, x[0], y[0])
        example = grad(loss_e, params)
        assert step.loss == reference.train_step(x.tolist(), y.tolist())
        assert list(step.params) == before
        assert list(step.grads) == [p.grad for p in params]
        assert list(step.deltas) == [p.data - b for p, b in zip(params, before, strict=True)]
        shown = {f.node.label: f.grad for f in step.frames if f.grad is not None}
        assert [shown[p.label] for p in trainer.model.parameters()] == list(example)
    # the recorded model ends where the reference does: the recording trained it
    assert [p.data for p in trainer.model.parameters()] == [p.data for p in params]


def test_mini_batches_follow_the_trainers_batch_size() -> None:
    """With batch_size=2 each recorded step is a step on two examples."""
    x, y = logic_table("xor")
    model = MLP(2, [3, 1], seed=1)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), mse, batch_size=2, progress=False)
    player = record_training(trainer, x, y, steps=4, grid=0)
    assert len(player.steps) == 4
    assert all(np.isfinite(s.loss) for s in player.steps)


def test_page_is_self_contained_and_its_data_matches_the_steps(tmp_path: Path) -> None:
    """The page holds every step's numbers as JSON and loads nothing from outside."""
    trainer, x, y = xor()
    player = record_training(trainer, x, y, steps=3, grid=8)
    page = player.save(tmp_path / "train.html").read_text(encoding="utf-8")
    for outside in ("src=", "<link", "@import", "url(", "xlink:href"):
        assert outside not in page
    payload = re.search(r'<script type="application/json" class="ag-data">(.*?)</script>', page)
    assert payload is not None
    data = json.loads(payload.group(1).replace("<\\/", "</"))
    assert data["losses"] == [s.loss for s in player.steps]
    assert len(data["steps"]) == 3
    assert len(data["steps"][0]["grid"]) > 0
    assert repr(player).startswith("<TrainingPlayer of 3 steps: MLP(2, [4, 1]")


def test_graph_shown_without_scripts_holds_the_last_steps_numbers() -> None:
    """The page's laid-out graph shows the last step's recorded texts, not layout placeholders."""
    from autograd.viz.training import LAYOUT_NUMBER

    trainer, x, y = xor()
    player = record_training(trainer, x, y, steps=3, grid=0)
    data = json.loads(player.data_json())
    last = data["steps"][-1]
    svg = html.unescape(player.svg)
    assert fmt(LAYOUT_NUMBER) not in svg
    final = {}  # each box's field after the last frame that writes it
    for meta, (_, shown, _) in zip(data["meta"], last["frames"], strict=True):
        final[meta["node"], meta["key"]] = shown
    for (node, key), shown in final.items():
        group = re.search(rf'<g id="{node}" class="node">.*?</g>\n</g>', svg, re.DOTALL)
        assert group is not None
        assert f">{shown}</text>" in group.group(0), (node, key)
    labels = re.findall(r'<g id="(e\d+_\d+)" class="edge">.*?<text[^>]*>([^<]*)</text>', svg, re.S)
    assert dict(labels) == dict(zip(data["edgeIds"], last["edges"], strict=True))


def test_hundred_steps_of_a_2_8_1_network_on_100_points_stay_small(tmp_path: Path) -> None:
    """100 steps of 2-8-1 on 100 moons points make a page under 4 MB."""
    x, y = make_moons(100, noise=0.1, seed=0)
    model = MLP(2, [8, 1], activation="tanh", seed=0)
    trainer = Trainer(model, Adam(model.parameters(), lr=0.05), bce, batch_size=None,
                      progress=False)  # fmt: skip
    player = record_training(trainer, x, y, steps=100)
    size = player.save(tmp_path / "moons.html").stat().st_size
    assert size < 4_000_000, size


def test_gif_and_stills_of_both_players(tmp_path: Path) -> None:
    """save('x.gif') animates every frame; .png and .svg save one still (frame=k)."""
    image = pytest.importorskip("PIL.Image")
    trainer, x, y = xor()
    player = record_training(trainer, x, y, steps=3, grid=8)
    gif = image.open(io.BytesIO(player.save(tmp_path / "t.gif").read_bytes()))
    assert gif.n_frames == 3
    assert player.save(tmp_path / "t.png", frame=1).read_bytes().startswith(b"\x89PNG")
    assert b"<svg" in player.save(tmp_path / "t.svg", frame=0).read_bytes()
    a = Value(2.0, label="a")
    f = a * a + 1.0
    f.label = "f"
    steps = step_through(f, grads="fresh")
    gif = image.open(io.BytesIO(steps.save(tmp_path / "s.gif").read_bytes()))
    assert gif.n_frames == len(steps.frames)
    svg = steps.save(tmp_path / "s.svg", frame=len(steps.frames) - 1).read_text(encoding="utf-8")
    assert "grad 4" in svg  # a's gradient, 2a, in the last frame
    assert "grad ·" in steps.save(tmp_path / "s0.svg", frame=0).read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"steps": 0}, ValueError, r"^record_training: steps must be an int >= 1, got 0"),
        ({"steps": 2.5}, TypeError, r"^record_training: steps must be an int"),
        ({"steps": MAX_STEPS + 1}, ValueError, r"steps=1001 is more than 1000 optimizer steps"),
        ({"example": 4}, ValueError, r"example 4 is not an index of x \(4 examples\)"),
        ({"example": -1}, ValueError, r"record_training: example must be an int >= 0"),
        ({"grid": 500}, ValueError, r"grid must be at most 200"),
        ({"grid": "big"}, TypeError, r"record_training: grid must be an int"),
        ({"rankdir": "XY"}, ValueError, r"^record_training: unknown rankdir 'XY'"),
        ({"max_nodes": 5}, ValueError, r"graph has \d+ Values, more than max_nodes=5; record a"),
        ({"max_frames": 10}, ValueError, r"frames each make \d+ frames, more than max_frames=10"),
        ({"digits": 0}, ValueError, r"^record_training: digits must be an int from 1 to 17"),
    ],
)
def test_bad_arguments_name_the_function_and_argument(
    kwargs: dict[str, object], error: type[Exception], pattern: str
) -> None:
    trainer, x, y = xor()
    with pytest.raises(error, match=pattern):
        record_training(trainer, x, y, **kwargs)  # type: ignore[arg-type]


def test_bad_trainer_and_data_are_refused() -> None:
    trainer, x, y = xor()
    with pytest.raises(TypeError, match=r"^record_training: trainer must be an autograd.train"):
        record_training("trainer", x, y)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"y must hold one target per example of x \(4\)"):
        record_training(trainer, x, y[:3])
    with pytest.raises(ValueError, match=r"x must be a 2-d array of examples"):
        record_training(trainer, [1.0, 2.0], [1, 0])


def test_save_refuses_unknown_formats_and_bad_frames(tmp_path: Path) -> None:
    trainer, x, y = xor()
    player = record_training(trainer, x, y, steps=2, grid=0)
    with pytest.raises(ValueError, match=r"^TrainingPlayer.save: cannot write '.jpg'"):
        player.save(tmp_path / "x.jpg")
    with pytest.raises(ValueError, match=r"frame 5 is not a frame of this player \(2\)"):
        player.save(tmp_path / "x.png", frame=5)
    with pytest.raises(TypeError, match=r"frame must be an int, got str"):
        player.save(tmp_path / "x.png", frame="1")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"frame= picks the still of a .png or .svg"):
        player.save(tmp_path / "x.gif", frame=1)
