"""Stills and animations of the players: PNG or SVG of one frame, an animated GIF of all.

A frame is drawn by Graphviz as the page draws it -- the same boxes, the same numbers, the
highlights of the page's colours -- on the player's one layout (:mod:`autograd.viz.pinning`:
every node, edge and cluster where the page has it, on one canvas), so the animation does not
jump between frames. A collapsed player's frame is its collapsed picture (one box per neuron,
layer or band), each box's output field as the frame left it. Pillow assembles the GIF and,
for the training player, draws the loss curve and the decision picture beside the graph.
Nothing here computes a number: the frames are the players' recorded ones.
"""

from __future__ import annotations

import io
import os
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from autograd.files import write_atomic
from autograd.messages import describe
from autograd.viz.consistency import wrap
from autograd.viz.frames import BACKWARD, FORWARD, PENDING_DATA, PENDING_GRAD, Frame
from autograd.viz.pinning import Pin, pinned
from autograd.viz.player import PALETTE
from autograd.viz.style import record_escape

Player = Any  # any player: they import this module, so it names none of them
StepThrough = Any  # read as the class it stands for
CollapsedStepThrough = Any  # likewise
TrainingPlayer = Any  # likewise

FORMATS: Final = (".html", ".gif", ".png", ".svg")
"""What ``save`` writes, by the path's suffix."""

FRAME_MS: Final = 900  # a GIF frame lasts as long as one step of Play at 1×
MAX_GIF_FRAMES: Final = 1000
FAINT: Final = "#c8c8c8"  # what is not computed yet
PANEL_PX: Final = 260  # the training GIF's side panel: loss curve above, decision below
PILLOW_MISSING: Final = (
    "saving a GIF needs Pillow (pip install pillow); PNG and SVG stills need only Graphviz"
)


def save_player(
    player: StepThrough | TrainingPlayer,
    path: str | os.PathLike[str],
    *,
    frame: int | None,
    caller: str,
) -> Path:
    """Write ``player`` to ``path`` as HTML, GIF, PNG or SVG (by suffix); return the path."""
    if not isinstance(path, str | os.PathLike):
        raise TypeError(f"{caller}: path must be a str or a path, got {describe(path)}")
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(
            f"{caller}: cannot write {suffix or 'a file without a suffix'!r} to path "
            f"{str(path)!r} (the suffix picks the format: one of {list(FORMATS)})"
        )
    count = player.frame_count()
    if frame is not None and suffix in (".html", ".gif"):
        raise ValueError(f"{caller}: frame= picks the still of a .png or .svg, not of {suffix}")
    if frame is not None:
        if isinstance(frame, bool) or not isinstance(frame, int):
            raise TypeError(f"{caller}: frame must be an int, got {describe(frame)}")
        if not -count <= frame < count:
            raise ValueError(f"{caller}: frame {frame} is not a frame of this player ({count})")
    if suffix == ".html":
        return write_atomic(path, player.html())
    if suffix == ".gif":
        return write_atomic(path, gif(player, caller))
    k = count - 1 if frame is None else frame % count
    picture = frame_picture(player, k)
    if suffix == ".svg":
        return write_atomic(path, picture.pipe(format="svg", neato_no_op=2))
    return write_atomic(path, still_png(player, k, picture))


def gif(player: StepThrough | TrainingPlayer, caller: str) -> bytes:
    """Return every frame of ``player`` as one animated GIF."""
    try:
        from PIL import Image
    except ImportError as err:
        raise ImportError(f"{caller}: {PILLOW_MISSING}") from err
    count = player.frame_count()
    if count > MAX_GIF_FRAMES:
        raise ValueError(
            f"{caller}: {count} frames are more than a GIF of {MAX_GIF_FRAMES}; save a shorter "
            "player, or stills of the frames you need (frame=k)"
        )
    images = [Image.open(io.BytesIO(still_png(player, k))).convert("RGB") for k in range(count)]
    width = max(im.width for im in images)
    height = max(im.height for im in images)
    frames = []
    for im in images:
        canvas = Image.new("RGB", (width, height), "white")
        canvas.paste(im, (0, 0))
        frames.append(canvas.convert("P", palette=Image.Palette.ADAPTIVE, colors=255))
    out = io.BytesIO()
    frames[0].save(out, format="GIF", save_all=True, append_images=frames[1:],
                   duration=FRAME_MS, loop=0, optimize=True)  # fmt: skip
    return out.getvalue()


def still_png(player: StepThrough | TrainingPlayer, k: int, picture: Any = None) -> bytes:
    """Return frame ``k`` as a PNG (the training player's with its panel beside the graph)."""
    picture = frame_picture(player, k) if picture is None else picture
    png: bytes = picture.pipe(format="png", neato_no_op=2)
    if not _is_training(player):
        return png
    try:
        from PIL import Image
    except ImportError:
        return png  # the graph alone: the panel needs Pillow
    graph = Image.open(io.BytesIO(png)).convert("RGB")
    panel = training_panel(player, k)
    canvas = Image.new("RGB", (graph.width + panel.width, max(graph.height, panel.height)), "white")
    canvas.paste(graph, (0, 0))
    canvas.paste(panel, (graph.width, 0))
    out = io.BytesIO()
    canvas.save(out, format="PNG")
    return out.getvalue()


def pin_of(player: Player) -> Pin:
    """Return the player's pinning, laid out once and kept on the player."""
    pin = getattr(player, "_pin", None)
    if pin is None:
        pin = pinned(player.dot_source)
        player._pin = pin  # a cache the players leave to this module
    return pin


def _restyle(
    picture: Any,
    labels: Mapping[str, str],
    fills: Mapping[str, str],
    faint: set[str],
) -> None:
    """Re-declare nodes with a frame's texts and colours (later attributes win in DOT)."""
    for name, label in labels.items():
        attrs: dict[str, str] = {"label": label}
        if name in fills:
            attrs["fillcolor"] = fills[name]
        if name in faint:
            attrs.update(fontcolor=FAINT, color=FAINT)
        picture.node(name, **attrs)
    for name, fill in fills.items():
        if name not in labels:
            picture.node(name, fillcolor=fill)
    for name in faint:
        if name not in labels:
            picture.node(name, fontcolor=FAINT, color=FAINT)


def frame_picture(player: Player, k: int) -> Any:
    """Return frame ``k`` of ``player`` as a Graphviz picture, laid out as the page lays it."""
    if _is_training(player):
        return _training_picture(player, k)
    if _is_collapsed(player):
        return _collapsed_picture(player, k)
    return _step_picture(player, k)


def _is_training(player: object) -> bool:
    """A training player has optimizer steps; a step-through player has frames only."""
    return hasattr(player, "steps")


def _is_collapsed(player: object) -> bool:
    """A collapsed player's frames are boxes of its collapsed picture."""
    return hasattr(player, "boxes")


def _caption(picture: Any, k: int, frames: Sequence[Frame], chars: int, *, title: str = "") -> None:
    """Write frame ``k``'s caption under the picture (after ``title``, the picture's own)."""
    current = frames[k]
    phase = "backward" if current.phase == BACKWARD else "forward"
    caption = f"frame {k + 1} of {len(frames)} ({phase}): {current.text}"
    lines = ([title] if title else []) + wrap(caption, chars)
    picture.attr(label="\\l".join(lines) + "\\l", labelloc="b", labeljust="l")


def _box_label(name: str, data: str, grad: str) -> str:
    return "{" + "|".join([record_escape(name), data, grad]) + "}"


def _step_picture(player: StepThrough, k: int) -> Any:
    from autograd.viz.dot import draw_full

    frames = player.frames[: k + 1]
    computed = {f.node for f in frames if f.phase == FORWARD}
    shown: dict[Any, dict[str, str]] = {}
    for f in frames:
        key = "data" if f.phase == FORWARD else "grad"
        value = f.data if f.phase == FORWARD else f.grad
        shown.setdefault(f.node, {})[key] = f"{key} {_fmt(value, player.digits)}"
    current = player.frames[k]
    edges: dict[str, str] = dict.fromkeys(current.edges, PALETTE["edge"])
    order = list(player.ids)
    picture = draw_full(order, ids=player.ids, rankdir=player.rankdir, show="data+grad",
                        edge_labels=True, names=player.names, colors=edges,
                        grads=dict.fromkeys(order, 0.0), digits=player.digits)  # fmt: skip
    labels = {}
    fills: dict[str, str] = {}
    faint: set[str] = set()
    for node in order:
        nid = player.ids[node]
        got = shown.get(node, {})
        labels[nid] = _box_label(
            player.names[node], got.get("data", PENDING_DATA), got.get("grad", PENDING_GRAD)
        )
        if "grad" in got:
            fills[nid] = PALETTE["grad"]
        if node not in computed:
            faint.add(nid)
            if node.op is not None:
                faint.add(nid + "op")
    fills[player.ids[current.node]] = PALETTE["current"]
    if current.source is not None:
        fills[player.ids[current.source] + "op"] = PALETTE["source"]
    _restyle(picture, labels, fills, faint)
    pin = pin_of(player)
    _caption(picture, k, player.frames, pin.chars)
    return pin(picture, back=_flowing_back(current))


def _collapsed_picture(player: CollapsedStepThrough, k: int) -> Any:
    """Frame ``k`` of a collapsed player: each box's output field as its last frame wrote it.

    The fields are the player's recorded texts (``records``, ``pending``); a box not computed
    yet is faint, a box that has sent its gradient back is filled, the frame's box is current.
    """
    from autograd.viz.collapse import draw_collapsed

    outs = dict(player.pending)
    computed: set[str] = set()
    sent: set[str] = set()
    for f, record in zip(player.frames[: k + 1], player.records[: k + 1], strict=True):
        if record["field"]:
            outs[record["box"]] = record["field"]
        (computed if f.phase == FORWARD else sent).add(record["box"])
    edges = dict.fromkeys(player.frames[k].edges, PALETTE["edge"])
    picture = draw_collapsed(player.order, rankdir=player.rankdir, max_nodes=player.max_groups,
                             digits=player.digits, group=player.group, outs=outs,
                             colors=edges)  # fmt: skip
    fills = dict.fromkeys(sent, PALETTE["grad"])
    fills[player.records[k]["box"]] = PALETTE["current"]
    _restyle(picture, {}, fills, set(player.boxes) - computed)
    pin = pin_of(player)
    _caption(picture, k, player.frames, pin.chars, title=picture.graph_attr.get("label", ""))
    return pin(picture, back=_flowing_back(player.frames[k]))


def _flowing_back(frame: Any) -> frozenset[str]:
    """The edges whose arrowheads a frame turns round: a backward frame's, toward the input."""
    return frozenset(frame.edges) if frame.phase == BACKWARD else frozenset()


def _training_picture(player: TrainingPlayer, k: int) -> Any:
    from autograd.viz.dot import draw_full

    step = player.steps[k]
    order = list(player.ids.values())
    picture = draw_full(order, ids={n: i for i, n in player.ids.items()}, rankdir=player.rankdir,
                        show="data+grad", edge_labels=True,
                        names=dict(zip(order, player.node_names.values(), strict=True)),
                        grads=dict.fromkeys(order, 0.0), digits=player.digits)  # fmt: skip
    shown: dict[str, dict[str, str]] = {}
    for f, meta in zip(step.frames, player.frames_meta(), strict=True):  # same graph each step
        key = "data" if f.phase == FORWARD else "grad"
        value = f.data if f.phase == FORWARD else f.grad
        shown.setdefault(meta["node"], {})[key] = f"{key} {_fmt(value, player.digits)}"
    labels = {
        nid: _box_label(player.node_names[nid], got.get("data", ""), got.get("grad", ""))
        for nid, got in shown.items()
    }
    _restyle(picture, labels, {}, set())
    caption = f"optimizer step {k + 1} of {len(player.steps)}: batch loss {_fmt(step.loss, 6)}"
    picture.attr(label=caption, labelloc="t")
    return pin_of(player)(picture)


def _fmt(value: float | None, digits: int) -> str:
    from autograd.viz.style import fmt

    return fmt(value or 0.0, digits)


def training_panel(player: TrainingPlayer, k: int) -> Any:
    """Return the loss curve up to step ``k`` and the decision picture, as one Pillow image."""
    from PIL import Image, ImageDraw

    size = PANEL_PX
    panel = Image.new("RGB", (size, 2 * size), "white")
    draw = ImageDraw.Draw(panel)
    losses = [s.loss for s in player.steps]
    lo, hi = min(losses), max(losses)
    hi = hi if hi > lo else lo + 1.0
    pad = 24
    last = max(1, len(losses) - 1)
    points = [
        (pad + (size - pad - 8) * i / last, 8 + (size - pad - 16) * (hi - v) / (hi - lo))
        for i, v in enumerate(losses[: k + 1])
    ]
    draw.line([(pad, size - pad), (size - 4, size - pad)], fill="#999999")
    draw.line([(pad, 4), (pad, size - pad)], fill="#999999")
    if len(points) > 1:
        draw.line(points, fill=PALETTE["edge"], width=2)
    x, y = points[-1]
    draw.ellipse([x - 3, y - 3, x + 3, y + 3], fill=PALETTE["source"])
    draw.text((pad + 4, size - pad + 4), f"batch loss, step {k + 1}: {_fmt(losses[k], 4)}",
              fill="black")  # fmt: skip
    step = player.steps[k]
    if step.grid is not None and player.extent is not None:
        n = player.grid
        cells = Image.frombytes("L", (n, n), step.grid)
        low, high = Image.new("RGB", (n, n), PALETTE["source"]), Image.new("RGB", (n, n), "#0072b2")
        mixed = Image.composite(high, low, cells).resize((size, size), Image.Resampling.NEAREST)
        panel.paste(Image.blend(mixed, Image.new("RGB", (size, size), "white"), 0.45), (0, size))
        x0, x1, y0, y1 = player.extent
        for i, (px, py) in enumerate(player.inputs.tolist()):
            cx = (px - x0) / (x1 - x0) * size
            cy = size + (y1 - py) / (y1 - y0) * size
            r = 6 if i == player.example else 3
            colour = "#0072b2" if float(player.labels[i]) > player.threshold else PALETTE["source"]
            draw.ellipse([cx - r, cy - r, cx + r, cy + r], fill=colour, outline="black")
    return panel
