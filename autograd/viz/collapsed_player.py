"""The step-through player of a large graph, one box per neuron, layer or band of depth.

``step_through(root, collapsed=True)`` draws the graph as :func:`draw_dot` draws it past
``max_nodes`` (see :mod:`autograd.viz.collapse`) and plays it at that level: a forward frame
per box, once all its nodes are computed (in topological order), then a backward frame per box,
once the engine's pass (:func:`autograd.engine.backprop`) has sent all of the box's gradient back
to the boxes it reads. Each frame rewrites the box's output field -- one output's numbers, or
the range of several (a neuron applied to a batch) -- with the numbers the engine computed, so a
digits training step plays in a dozen frames at the level of layers. It saves like the full
player: ``.save("steps.gif")`` draws every frame as the collapsed picture with that frame's
fields and highlights (:mod:`autograd.viz.export`), ``.save("box.png", frame=k)`` one.
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Sequence
from typing import Any, Final

from autograd.engine import BackwardStep, Value, backprop
from autograd.viz.collapse import draw_collapsed, group_edge_id, group_nodes, out_text, summarise
from autograd.viz.frames import BACKWARD, FORWARD, Frame
from autograd.viz.page import PLAYER_ID_DIGITS, PassPlayer
from autograd.viz.style import plural

OUT: Final = "out"  # the key of a box's output field in the frames' updates
MAX_OPS_SAID: Final = 3


class CollapsedStepThrough(PassPlayer):
    """A step-through player whose frames are boxes of a collapsed drawing (see module doc).

    ``frames`` are :class:`~autograd.viz.frames.Frame` records whose ``node`` is the box's
    last node (forward) or first output (backward); ``boxes`` maps each box id to its group
    name, ``records`` gives each frame's box and output-field text and ``pending`` each
    box's field before its forward frame. ``order``, ``group`` and ``max_groups`` are what
    the collapsed picture was drawn from, so a still redraws it with a frame's fields.
    """

    def __init__(  # the player's options, all keywords
        self,
        root: Value,
        order: Sequence[Value],
        *,
        rankdir: str,
        max_groups: int,
        digits: int,
        note: str = "",
    ) -> None:
        self.root = root
        self.note = note
        self.digits = digits
        self.rankdir = rankdir
        self._pin: Any = None
        self.order = tuple(order)
        self.max_groups = max_groups
        group = group_nodes(order, max_groups)
        self.group = group
        boxes, edges = summarise(order, group)
        self.box_id = {name: f"g{i}" for i, name in enumerate(boxes)}
        self.boxes = {bid: name for name, bid in self.box_id.items()}
        picture = draw_collapsed(order, rankdir=rankdir, max_nodes=max_groups, digits=digits,
                                 group=group, grads=backprop(root, order=order))  # fmt: skip
        self.dot_source: str = picture.source
        svg = picture.pipe(format="svg").decode("utf-8")
        self.svg = svg[svg.index("<svg") :]
        self.names = {root: f"{root.label or 'the output'} (collapsed)"}
        inputs: dict[str, list[str]] = defaultdict(list)
        for src, dst in edges:
            inputs[dst].append(src)
        self.records: list[dict[str, Any]] = []
        unknown: dict[Value, float | None] = dict.fromkeys(order)
        self.pending = {
            self.box_id[name]: out_text(box.outs, "data+grad", unknown, digits, unknown)
            for name, box in boxes.items()
            if box.outs
        }
        frames: list[Frame] = []
        self._forward(order, group, boxes, inputs, frames)
        self._backward(root, order, group, boxes, inputs, frames)
        self.frames = tuple(frames)
        digest = hashlib.sha256((self.frames_json() + self.dot_source).encode("utf-8"))
        self.player_id = "ag-" + digest.hexdigest()[:PLAYER_ID_DIGITS]

    def _edges(self, name: str, inputs: dict[str, list[str]]) -> list[str]:
        bid = self.box_id[name]
        return [group_edge_id(self.box_id[src], bid) for src in inputs.get(name, [])]

    def _forward(
        self,
        order: Sequence[Value],
        group: dict[Value, str],
        boxes: dict[str, Any],
        inputs: dict[str, list[str]],
        frames: list[Frame],
    ) -> None:
        last = {group[node]: i for i, node in enumerate(order)}
        data = {node: node.data for node in order}
        pending: dict[Value, float | None] = dict.fromkeys(order)
        for name in sorted(last, key=last.__getitem__):
            box = boxes[name]
            ops = ", ".join(f"{sym}×{n}" for sym, n in box.ops.most_common(MAX_OPS_SAID))
            text = f"{name}: {plural(box.members, 'node')} computed" + (f" ({ops})" if ops else "")
            field = out_text(box.outs, "data+grad", pending, self.digits, data) if box.outs else ""
            if box.outs:
                text += f"; {field}"
            node = order[last[name]]
            frames.append(Frame(FORWARD, node, None, tuple(self._edges(name, inputs)), text,
                                data=node.data))  # fmt: skip
            self.records.append({"box": self.box_id[name], "field": field})

    def _backward(
        self,
        root: Value,
        order: Sequence[Value],
        group: dict[Value, str],
        boxes: dict[str, Any],
        inputs: dict[str, list[str]],
        frames: list[Frame],
    ) -> None:
        last: dict[str, int] = {}
        count: dict[str, int] = defaultdict(int)
        steps = 0

        def record(step: BackwardStep) -> None:
            nonlocal steps
            last[group[step.node]] = steps
            count[group[step.node]] += 1
            steps += 1

        grads = backprop(root, order=order, on_step=record)
        data = {node: node.data for node in order}
        for name in sorted(last, key=last.__getitem__):
            box = boxes[name]
            field = out_text(box.outs, "data+grad", grads, self.digits, data) if box.outs else ""
            sources = ", ".join(inputs.get(name, [])) or "its leaves"
            text = (
                f"{name} sends its gradient back: {plural(count[name], 'step')} of the chain "
                f"rule into {sources}" + (f"; {field}" if field else "")
            )
            node = box.outs[0] if box.outs else root
            frames.append(Frame(BACKWARD, node, None, tuple(self._edges(name, inputs)), text,
                                grad=grads.get(node, 0.0)))  # fmt: skip
            self.records.append({"box": self.box_id[name], "field": field})

    def frames_json(self) -> str:
        """Return the frames as the JSON the player reads: each updates one box's output field."""
        records = []
        for frame, rec in zip(self.frames, self.records, strict=True):
            value = frame.data if frame.phase == FORWARD else frame.grad
            records.append(
                {
                    "phase": frame.phase,
                    "node": rec["box"],
                    "source": None,
                    "edges": list(frame.edges),
                    "text": frame.text,
                    "value": repr(value),
                    "update": [rec["box"], OUT, rec["field"], ""],
                    "formula": "",
                }
            )
        payload = {"nodes": list(self.boxes), "names": self.boxes, "pendingData": "",
                   "pendingGrad": "", "pendingOut": self.pending, "frames": records}  # fmt: skip
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")

    def __repr__(self) -> str:
        what = f"{len(self.frames)} frames, {len(self.boxes)} boxes"
        return f"<StepThrough of {self.names[self.root]}: {what}>"
