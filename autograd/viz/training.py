"""The training player: real optimizer steps of a small model, played back step by step.

``record_training(trainer, x, y, steps=100)`` runs ``trainer.train_step`` -- the project's own
training step: the batch loss, ``backward()``, the optimizer's update -- ``steps`` times, and
records at every step what the engine computed: the batch loss, every parameter before the
update, its batch gradient and its change, the graph of one chosen example (its forward values,
then its backward pass recorded from :func:`autograd.engine.backprop`, one frame per edge, as the
step-through player does) and, for inputs of two features, the model's decision over a grid
(the compiled plan of :mod:`autograd.compiled`, which gives the scalar engine's numbers). Nothing
is replayed: every number shown is one the engine computed during the run.

The result, a :class:`TrainingPlayer`, is self-contained HTML like the step-through player (no
kernel, no network): Jupyter shows it, ``.save("train.html")`` writes the page and
``.save("train.gif")`` an animation of the steps (``.save("step.png", frame=k)`` one still).
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

import numpy as np

from autograd import _checks
from autograd.compiled.inputs import as_floats
from autograd.engine import Value, topological_order
from autograd.messages import describe
from autograd.viz.collapse import label_parameters
from autograd.viz.dot import (
    RANKDIRS,
    display_names,
    draw_full,
    edge_id,
    edge_tooltip,
    node_ids,
    number_text,
    op_id,
)
from autograd.viz.frames import FORWARD, PENDING_DATA, PENDING_GRAD, Frame
from autograd.viz.page import graph_html, static_html, whole_page
from autograd.viz.player import (
    LEGEND_HTML,
    NO_SCRIPT_TEXT,
    PLAYER_CSS,
    TRAIN_JS,
    controls_html,
)
from autograd.viz.stepper import DEFAULT_MAX_STEP_NODES, build_frames
from autograd.viz.style import DEFAULT_DIGITS, check_digits, fmt, operand
from autograd.viz.svg_texts import set_texts

if TYPE_CHECKING:
    from autograd.train import Trainer

MAX_STEPS: Final = 1000
"""More optimizer steps than this are refused: a page of them would be too large to open."""

DEFAULT_MAX_FRAMES: Final = 100_000
"""More frames (steps × frames of the example's pass) than this are refused."""

DEFAULT_GRID: Final = 40
"""Cells per side of the decision-boundary picture (inputs of two features)."""

LAYOUT_NUMBER: Final = -1.23457e-05  # the widest number six digits print: boxes fit them all
GRID_MARGIN: Final = 0.15  # the picture reaches this fraction of the data's range beyond it
LEVELS: Final = 255  # a grid cell's decision is stored as one byte


@dataclass(frozen=True)
class TrainingStep:
    """What the engine computed at one optimizer step.

    Attributes:
        index: the step's number, from 0.
        loss: the batch loss ``train_step`` returned, before the update.
        frames: the chosen example's forward and backward frames, before the update.
        params: each parameter's number before the update.
        grads: each parameter's batch gradient (its ``.grad`` after ``backward()``).
        deltas: each parameter's change made by the optimizer (after minus before).
        grid: the model's decision over the grid before the update, one byte per cell (None
            unless the inputs have two features).
        locals: each input edge's local derivative in the example's graph, by edge id.
    """

    index: int
    loss: float
    frames: tuple[Frame, ...]
    params: tuple[float, ...]
    grads: tuple[float, ...]
    deltas: tuple[float, ...]
    grid: bytes | None
    locals: dict[str, float]


class TrainingPlayer:
    """A player over recorded optimizer steps (see :func:`record_training`).

    Attributes:
        steps: every recorded :class:`TrainingStep`.
        names: the parameters' names, in ``model.parameters()`` order.
        ids: each node of the example's graph (at step 0) by its id in the picture.
        node_names: each node's name in the picture, by id.
        svg: the example's graph, laid out once by Graphviz, holding the last step's numbers
            (the page's script rewrites them at every frame).
        dot_source: the DOT text it was laid out from.
        inputs, labels: the training data (for the decision-boundary picture).
        extent: ``(x0, x1, y0, y1)`` of the grid, or None.
        player_id: names this player on a page (a hash of its recorded numbers).
    """

    def __init__(
        self,
        *,
        steps: Sequence[TrainingStep],
        names: Sequence[str],
        order: Sequence[Value],
        title: str,
        inputs: np.ndarray[Any, Any],
        labels: np.ndarray[Any, Any],
        example: int,
        extent: tuple[float, float, float, float] | None,
        grid: int,
        threshold: float,
        rankdir: str,
        digits: int,
    ) -> None:
        self.steps = tuple(steps)
        self.names = tuple(names)
        self.title = title
        self.inputs = inputs
        self.labels = labels
        self.example = example
        self.extent = extent
        self.grid = grid
        self.threshold = threshold
        self.digits = digits
        self.rankdir = rankdir
        self._pin: Any = None
        ids = node_ids(order)
        self.ids = {ids[node]: node for node in order}
        names_by_node = display_names(order, ids)
        self.node_names = {ids[node]: name for node, name in names_by_node.items()}
        wide = dict.fromkeys(order, LAYOUT_NUMBER)
        picture = draw_full(order, ids=ids, rankdir=rankdir, show="data+grad", edge_labels=True,
                            names=names_by_node, grads=wide, data=wide, digits=digits)  # fmt: skip
        self.dot_source: str = picture.source
        self._picture = picture
        self._edges = [
            (edge_id(i, k), f"∂{operand(names_by_node[node])}/∂{operand(names_by_node[p])} = ",
             f"  ({edge_tooltip(node, k)})")
            for i, node in enumerate(order) for k, p in enumerate(node.parents)
        ]  # fmt: skip
        self._order_ids = [ids[node] for node in order]
        svg = picture.pipe(format="svg").decode("utf-8")
        self.svg = self._last_step_texts(svg[svg.index("<svg") :])
        digest = hashlib.sha256((self.data_json() + self.dot_source).encode("utf-8"))
        self.player_id = "ag-" + digest.hexdigest()[:12]

    def __repr__(self) -> str:
        return f"<TrainingPlayer of {len(self.steps)} steps: {self.title}>"

    def frames_meta(self) -> list[dict[str, Any]]:
        """What every step's frames share: phase, node and edge ids (the graph is the same)."""
        frames = self.steps[0].frames
        ids = {node: i for i, node in self.ids.items()}
        return [
            {
                "phase": f.phase,
                "node": ids[f.node],
                "source": op_id(ids[f.source]) if f.source is not None else None,
                "edges": list(f.edges),
                "key": "data" if f.phase == FORWARD else "grad",
            }
            for f in frames
        ]

    def _step_record(self, step: TrainingStep) -> dict[str, Any]:
        d = self.digits
        frames = []
        for f in step.frames:
            value = (f.data if f.phase == FORWARD else f.grad) or 0.0
            key = "data" if f.phase == FORWARD else "grad"
            shown = number_text(key, value, d)
            exact = shown.split(" (exactly ")[1][:-1] if " (exactly " in shown else ""
            frames.append([f.text, f"{key} {fmt(value, d)}", exact])
        record: dict[str, Any] = {
            "loss": fmt(step.loss, d),
            "lossExact": repr(step.loss),
            "frames": frames,
            "edges": [fmt(step.locals[eid], d) for eid, _, _ in self._edges],
            "params": [
                [fmt(v, d), fmt(g, d), fmt(c, d)]
                for v, g, c in zip(step.params, step.grads, step.deltas, strict=True)
            ],
        }
        if step.grid is not None:
            record["grid"] = base64.b64encode(step.grid).decode("ascii")
        return record

    def _last_step_texts(self, svg: str) -> str:
        """The laid-out graph with the last step's numbers where the layout has placeholders.

        The texts are the ones the page's script shows for the last step's whole pass (the
        recorded frames and local derivatives), so a page without scripts shows them too.
        """
        record = self._step_record(self.steps[-1])
        boxes: dict[str, dict[str, str]] = {}
        exact: dict[str, dict[str, str]] = {}
        for meta, (_, shown, more) in zip(self.frames_meta(), record["frames"], strict=True):
            boxes.setdefault(meta["node"], {})[meta["key"]] = shown
            exact.setdefault(meta["node"], {})[meta["key"]] = (
                f"{shown} (exactly {more})" if more else shown
            )
        titles = {
            nid: f"{self.node_names[nid]}: "
            + ", ".join(exact[nid][k] for k in ("data", "grad") if k in exact[nid])
            for nid in exact
        }
        edges = {}
        for (eid, before, after), label in zip(self._edges, record["edges"], strict=True):
            edges[eid] = label
            titles[eid] = before + label + after
        return set_texts(svg, boxes=boxes, edges=edges, titles=titles)

    def data_json(self) -> str:
        """Return everything the page's script reads, as JSON (``</`` escaped)."""
        payload = {
            "nodes": self._order_ids,
            "names": self.node_names,
            "pendingData": PENDING_DATA,
            "pendingGrad": PENDING_GRAD,
            "meta": self.frames_meta(),
            "edgeIds": [eid for eid, _, _ in self._edges],
            "edgeTips": [[pre, post] for _, pre, post in self._edges],
            "params": list(self.names),
            "losses": [s.loss for s in self.steps],
            "steps": [self._step_record(s) for s in self.steps],
            "grid": self.grid if self.extent is not None else 0,
            "extent": self.extent,
            "points": self.inputs.tolist() if self.extent is not None else [],
            "labels": [float(v) for v in self.labels] if self.extent is not None else [],
            "threshold": self.threshold,
            "example": self.example,
        }
        text = json.dumps(payload, ensure_ascii=False, separators=(",", ":"))
        return text.replace("</", "<\\/")

    def fragment(self) -> str:
        """Return the player as an HTML fragment (what Jupyter shows)."""
        total = len(self.steps)
        title = html.escape(self.title)
        first, last = self.steps[0].loss, self.steps[-1].loss
        static = (
            f"Without scripts, the graph shows example {self.example} at the last optimizer step "
            f"({total} of {total}; batch loss {fmt(last, self.digits)}, from "
            f"{fmt(first, self.digits)} at step 1): its values and gradients before that step's "
            "update."
        )
        return f"""<div class="ag-player ag-training" tabindex="0" data-steps="{total}" \
data-player="{self.player_id}">
<style>{PLAYER_CSS}{TRAIN_CSS}</style>
<div class="ag-title">{title}</div>
<div class="ag-noscript">{html.escape(NO_SCRIPT_TEXT)}</div>
{static_html(static)}
{controls_html(total, "optimizer step")}
<div class="ag-inner ag-js" style="display:none">inside this step, example {self.example}'s graph:
<button type="button" class="ag-inner-prev" title="previous frame of this step (↑)">◀ frame</button>
<button type="button" class="ag-inner-next" title="next frame of this step (↓)">frame ▶</button>
<button type="button" class="ag-inner-all" title="the whole step: every number">whole step</button>
<span class="ag-inner-counter"></span></div>
<div class="ag-phase"></div>
<div class="ag-step"></div>
<div class="ag-panels ag-js" style="display:none">
<div class="ag-panel"><div class="ag-panel-title">batch loss</div>
<svg class="ag-loss" viewBox="0 0 {CURVE_W} {CURVE_H}" width="{CURVE_W}" height="{CURVE_H}" \
role="img" aria-label="loss curve"></svg><div class="ag-loss-text"></div></div>
<div class="ag-panel ag-boundary-panel"><div class="ag-panel-title">decision over the inputs \
(before this step)</div><canvas class="ag-boundary" width="{BOUNDARY_PX}" \
height="{BOUNDARY_PX}"></canvas></div>
<div class="ag-panel ag-weights"><div class="ag-panel-title">parameters: value before the \
step, batch gradient, change</div><table><thead><tr><th>name</th><th>value</th><th>grad</th>\
<th>change</th></tr></thead><tbody></tbody></table></div>
</div>
{LEGEND_HTML}
{graph_html(self.svg)}
<script type="application/json" class="ag-data">{self.data_json()}</script>
<script>{TRAIN_JS}("{self.player_id}");</script>
</div>"""

    def _repr_html_(self) -> str:
        return self.fragment()

    def html(self) -> str:
        """Return a complete HTML page holding the player (no external resources)."""
        return whole_page(self.title, self.fragment())

    def save(self, path: str | os.PathLike[str], *, frame: int | None = None) -> Path:
        """Write the player: ``.html`` the page, ``.gif`` every step, ``.png``/``.svg`` one.

        ``frame`` picks the step of a still (default: the last); the GIF shows each step's
        graph (with the example's numbers) beside the loss so far and the decision boundary.
        Writing is atomic (a temporary file, then a rename).
        """
        from autograd.viz.export import save_player  # Pillow and rendering only when asked

        written: Path = save_player(self, path, frame=frame, caller="TrainingPlayer.save")
        return written

    def frame_count(self) -> int:
        """How many frames a GIF of this player has: one per optimizer step."""
        return len(self.steps)


TRAIN_CSS: Final = """
.ag-training .ag-inner{margin-top:6px;font-size:13px}
.ag-training .ag-panels{display:flex;flex-wrap:wrap;gap:10px;margin-top:8px}
.ag-training .ag-panel{border:1px solid #e0e0e0;padding:4px 6px;font-size:12px}
.ag-training .ag-panel-title{font-weight:bold;margin-bottom:2px}
.ag-training .ag-loss polyline{fill:none;stroke:#0072b2;stroke-width:1.5}
.ag-training .ag-loss circle{fill:#e69f00}
.ag-training .ag-loss text{font-size:10px;fill:currentColor}
.ag-training .ag-loss line{stroke:#999;stroke-width:.5}
.ag-training .ag-boundary{width:200px;height:200px;image-rendering:pixelated}
.ag-training .ag-weights{max-height:220px;overflow:auto}
.ag-training .ag-weights td{font-family:Menlo,Consolas,monospace;padding:0 6px;text-align:right}
.ag-training .ag-weights td:first-child{text-align:left}
@media (prefers-color-scheme: dark){.ag-training .ag-panel{border-color:#444}}
"""
"""The training player's panels (the rest is the players' shared stylesheet)."""

CURVE_W: Final = 300
CURVE_H: Final = 150
BOUNDARY_PX: Final = 200


def _check_data(x: object, y: object, caller: str) -> tuple[np.ndarray[Any, Any], Any]:
    # real, finite numbers (as the trainer's fit takes them): a kind is a TypeError, a value
    # (nan, a ragged row) a ValueError, naming the entry
    inputs = as_floats(x, f"{caller}: x", batch=True)
    if inputs.ndim != 2 or len(inputs) == 0:  # noqa: PLR2004  # rows of features
        raise ValueError(f"{caller}: x must be a 2-d array of examples, got {describe(x)}")
    as_floats(y, f"{caller}: y", batch=True)
    labels = np.asarray(y)
    if labels.ndim == 0 or len(labels) != len(inputs):
        raise ValueError(
            f"{caller}: y must hold one target per example of x ({len(inputs)}), got {describe(y)}"
        )
    return inputs, labels


def record_training(
    trainer: Trainer,
    x: Any,
    y: Any,
    *,
    steps: int = 100,
    example: int = 0,
    grid: int = DEFAULT_GRID,
    rankdir: str = "LR",
    max_nodes: int = DEFAULT_MAX_STEP_NODES,
    max_frames: int = DEFAULT_MAX_FRAMES,
    digits: int = DEFAULT_DIGITS,
) -> TrainingPlayer:
    """Train with ``trainer`` for ``steps`` optimizer steps, recording each; return the player.

    Each step is ``trainer.train_step`` on the next mini-batch (``trainer.batch_size``; None:
    every example, each step), so the model ends trained exactly as that many steps of the
    trainer would leave it. Before each step the chosen ``example``'s loss is built and its
    backward pass recorded (without touching ``.grad``), and the model's decision over a
    ``grid`` × ``grid`` picture of the inputs is computed when they have two features.

    Args:
        trainer: an :class:`autograd.train.Trainer` (model, optimizer, loss, batch size).
        x: the training inputs, one row per example.
        y: the targets, one per example.
        steps: how many optimizer steps to take and record (1 to ``MAX_STEPS``).
        example: the index of the example whose graph the player shows.
        grid: cells per side of the decision picture (0: none; 2-d inputs only).
        rankdir: the layout of the example's graph, one of ``RANKDIRS``.
        max_nodes: refuse an example graph with more Values than this.
        max_frames: refuse more frames in all (steps × frames of one step) than this.
        digits: significant digits of the numbers shown.

    Returns:
        A :class:`TrainingPlayer`: display it in Jupyter, or ``.save("train.html")``.

    Raises:
        TypeError: an argument of the wrong kind (the message names it).
        ValueError: a value out of range, data that do not match, or too many frames or
            nodes (the message gives the count and what to change).

    >>> from autograd.data import logic_table
    >>> from autograd.losses import binary_cross_entropy_with_logits
    >>> from autograd.nn import MLP
    >>> from autograd.optim import Adam
    >>> from autograd.train import Trainer
    >>> x, y = logic_table("xor")
    >>> model = MLP(2, [4, 1], activation="tanh", seed=0)
    >>> bce = lambda out, t: binary_cross_entropy_with_logits([out], [t])
    >>> trainer = Trainer(model, Adam(model.parameters(), lr=0.1), bce, batch_size=None,
    ...                   progress=False)
    >>> player = record_training(trainer, x, y, steps=3, grid=8)  # renders with Graphviz
    >>> player  # doctest: +ELLIPSIS
    <TrainingPlayer of 3 steps: MLP(2, [4, 1], ...), Adam, 3 steps, example 0>
    >>> [round(step.loss, 6) for step in player.steps] == [round(s, 6) for s in (
    ...     player.steps[0].loss, player.steps[1].loss, player.steps[2].loss)]
    True
    """
    from autograd.train import Trainer  # the viewer reads the trainer; nothing below imports it

    _checks.instance("record_training: trainer", trainer, Trainer, "an autograd.train.Trainer")
    inputs, labels = _check_data(x, y, "record_training")
    steps = _checks.count("record_training: steps", steps)
    if steps > MAX_STEPS:
        raise ValueError(
            f"record_training: steps={steps} is more than {MAX_STEPS} optimizer steps in one "
            "page; record fewer (train the rest with trainer.fit and record a window)"
        )
    example = _checks.count("record_training: example", example, minimum=0)
    if example >= len(inputs):
        raise ValueError(
            f"record_training: example {example} is not an index of x ({len(inputs)} examples)"
        )
    grid = _checks.count("record_training: grid", grid, minimum=0)
    if grid > 200:  # noqa: PLR2004  # 40,000 cells a step is plenty
        raise ValueError(f"record_training: grid must be at most 200 cells per side, got {grid}")
    _checks.choice("rankdir", rankdir, RANKDIRS, caller="record_training")
    max_nodes = _checks.count("record_training: max_nodes", max_nodes)
    max_frames = _checks.count("record_training: max_frames", max_frames)
    check_digits("record_training", digits)

    model = trainer.model
    label_parameters(model)
    params = model.parameters()
    first = _example_loss(trainer, inputs[example], labels[example])
    order = topological_order(first)
    if len(order) > max_nodes:
        raise ValueError(
            f"record_training: the example's graph has {len(order)} Values, more than "
            f"max_nodes={max_nodes}; record a smaller model or raise max_nodes"
        )
    per_step = len(order) + 1 + sum(len(n.parents) for n in order)
    if per_step * steps > max_frames:
        raise ValueError(
            f"record_training: {steps} steps of {per_step} frames each make {per_step * steps} "
            f"frames, more than max_frames={max_frames}; record fewer steps or a smaller model"
        )
    boundary = _Boundary(model, inputs, grid) if grid and inputs.shape[1] == 2 else None  # noqa: PLR2004
    threshold = _threshold(model)
    batches = _batch_indices(trainer, len(inputs))
    recorded: list[TrainingStep] = []
    for k in range(steps):
        loss_e = first if k == 0 else _example_loss(trainer, inputs[example], labels[example])
        order_e = topological_order(loss_e)
        names = display_names(order_e)
        frames = tuple(build_frames(loss_e, names, order=order_e, digits=digits))
        locals_ = {
            edge_id(i, j): float(d)
            for i, node in enumerate(order_e)
            for j, d in enumerate(node.local_grads())
        }
        cells = boundary.levels(threshold) if boundary is not None else None
        before = [p.data for p in params]
        rows = next(batches)
        loss = trainer.train_step(inputs[rows].tolist(), labels[rows].tolist())
        recorded.append(
            TrainingStep(
                index=k,
                loss=float(loss),
                frames=frames,
                params=tuple(before),
                grads=tuple(p.grad for p in params),
                deltas=tuple(p.data - b for p, b in zip(params, before, strict=True)),
                grid=cells,
                locals=locals_,
            )
        )
    title = f"{model!r}, {type(trainer.optimizer).__name__}, {steps} steps, example {example}"
    return TrainingPlayer(
        steps=recorded,
        names=[name for name, _ in model.named_parameters()],
        order=order,
        title=title,
        inputs=inputs,
        labels=labels,
        example=example,
        extent=boundary.extent if boundary is not None else None,
        grid=grid,
        threshold=threshold,
        rankdir=rankdir,
        digits=digits,
    )


def _example_loss(trainer: Trainer, row: np.ndarray[Any, Any], target: Any) -> Value:
    """The chosen example's loss, its inputs labelled ``x0, x1, ...``, output ``out``."""
    xs = [Value(float(v), label=f"x{i}") for i, v in enumerate(row.tolist())]
    out = trainer.model(xs)
    if isinstance(out, Value):
        out.label = out.label or "out"
    loss: Value = trainer.loss(out, target.item() if hasattr(target, "item") else target)
    loss.label = loss.label or "loss"
    return loss


def _batch_indices(trainer: Trainer, n: int) -> Any:
    """Yield each step's example indices: the trainer's shuffled mini-batches, epoch after epoch."""
    while True:
        if trainer.batch_size is None:
            yield np.arange(n)
            continue
        order = trainer.rng.permutation(n)
        for start in range(0, n, trainer.batch_size):
            yield order[start : start + trainer.batch_size]


def _threshold(model: Any) -> float:
    """Where a single output splits the classes: 0.5 for a probability, else 0."""
    from autograd.train import PROBABILITY_THRESHOLD, correct_for, probability_correct

    return PROBABILITY_THRESHOLD if correct_for(model) is probability_correct else 0.0


class _Boundary:
    """The model's output over a grid of 2-d inputs, computed by the compiled plan (numpy)."""

    def __init__(self, model: Any, inputs: np.ndarray[Any, Any], grid: int) -> None:
        from autograd.compiled import compile_loss

        low, high = inputs.min(axis=0), inputs.max(axis=0)
        span = np.where(high > low, high - low, 1.0)
        low, high = low - GRID_MARGIN * span, high + GRID_MARGIN * span
        self.extent = (float(low[0]), float(high[0]), float(low[1]), float(high[1]))
        xs = np.linspace(low[0], high[0], grid)
        ys = np.linspace(high[1], low[1], grid)  # the picture's first row is the top
        gx, gy = np.meshgrid(xs, ys)
        self.points = np.stack([gx.ravel(), gy.ravel()], axis=1)

        def score(x: list[Value]) -> Value:
            out = model(x)
            if isinstance(out, Value):
                return out
            margin: Value = out[-1] - out[0]  # two class scores: how much the second wins
            return margin

        self.plan = compile_loss(score, [0.0, 0.0], model.parameters(), check_every=0)

    def levels(self, threshold: float) -> bytes:
        """Each cell's decision as a byte: 0 surely class 0, 255 surely the other, 127.5 even."""
        scores = self.plan.forward(self.points) - threshold
        scale = 4.0 if threshold else 1.0  # a probability's margin is small: stretch it
        sure = np.tanh(scale * scores)
        return bytes(np.clip(np.round((sure + 1.0) * LEVELS / 2), 0, LEVELS).astype(np.uint8))


def frame_state(player: TrainingPlayer, k: int) -> TrainingStep:
    """Return recorded step ``k`` (checked), for stills and GIF frames."""
    count = len(player.steps)
    if isinstance(k, bool) or not isinstance(k, int):
        raise TypeError(f"TrainingPlayer.save: frame must be an int, got {describe(k)}")
    if not -count <= k < count:
        raise ValueError(f"TrainingPlayer.save: frame {k} is not a step of this player ({count})")
    return player.steps[k]
