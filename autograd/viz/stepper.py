"""The step-through viewer: the forward pass, then the backward pass, one step per frame.

``step_through(root)`` lays the graph out once with Graphviz and returns a
:class:`StepThrough`: Jupyter shows it as a player (Prev / Next / Play, a slider, arrow keys);
``.save("steps.html")`` writes a page anyone can open. It is self-contained HTML -- one inline
SVG plus a little JavaScript that, per frame, highlights nodes and rewrites their numbers -- so
it needs no network, no kernel and no widgets.

Forward frames follow the topological order (each node computed from its inputs); backward
frames are the engine's own backward pass (:func:`autograd.engine.backprop`), recorded one
step per edge: ``x.grad += ∂f/∂x · f.grad``, with the local derivative written out in the drawn
names (:mod:`autograd.viz.formulas`). Each frame's numbers are the
:class:`~autograd.engine.BackwardStep` the pass reports -- its local derivative, upstream
gradient and running sum -- so the frames show the engine's gradients by construction, not a
replay that must be kept in step with it. A label that holds an operator is bracketed where it
stands as an operand: ``(x+y).grad += ∂((x+y)**2)/∂(x+y) · ...``.

>>> from autograd import Value
>>> x = Value(2.0, label="x")
>>> f = x * 3.0
>>> f.label = "f"
>>> frames = build_frames(f, display_names(topological_order(f)))
>>> frames[0].text
'x = 2  (a leaf: an input, parameter or constant)'
>>> frames[2].text
'f = x * n1 = 2 * 3 = 6'
>>> frames[-2].text
'x.grad += ∂f/∂x · f.grad = 3 × 1 = 3,  where ∂f/∂x = n1 = 3'
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from typing import Any, Final

from autograd import _checks
from autograd.engine import BackwardStep, Value, backprop, topological_order
from autograd.viz.collapsed_player import CollapsedStepThrough
from autograd.viz.consistency import GRADS, check_grads, warn_stale
from autograd.viz.dot import (
    DEFAULT_MAX_NODES,
    RANKDIRS,
    check_root,
    display_names,
    draw_full,
    edge_id,
    edge_tooltip,
    node_ids,
    number_text,
    op_id,
    op_tooltip,
    out_edge_id,
)
from autograd.viz.formulas import bindings, filled
from autograd.viz.frames import BACKWARD, FORWARD, PENDING_DATA, PENDING_GRAD, Frame
from autograd.viz.page import PLAYER_ID_DIGITS, PassPlayer
from autograd.viz.style import DEFAULT_DIGITS, check_digits, fmt, operand, text_choice

DEFAULT_MAX_STEP_NODES: Final = 1000
"""More Values than this are refused: a player of thousands of frames teaches nothing."""

INFIX: Final = frozenset({"add", "sub", "mul", "div", "vpow"})  # drawn as ``a op b``
_COMMENT: Final = re.compile(r"<!--.*?-->\n?", re.DOTALL)


def _forward_text(node: Value, names: Mapping[Value, str], digits: int) -> str:
    """Return ``name = expression = numbers = result`` for one node of the forward pass."""
    name = names[node]
    op = node.op
    if op is None:
        return f"{name} = {fmt(node.data, digits)}  (a leaf: an input, parameter or constant)"
    ins = [operand(names[p]) for p in node.parents]
    nums = [fmt(p.data, digits) for p in node.parents]
    params = node.params
    if op.name in INFIX:
        expr, vals = f" {op.symbol} ".join(ins), f" {op.symbol} ".join(nums)
    elif op.name == "pow":
        exponent = fmt(params["exponent"], digits)
        expr, vals = f"{ins[0]} ** {exponent}", f"{nums[0]} ** {exponent}"
    elif op.name == "dot":
        pairs = range(0, len(ins) - 1, 2)
        expr = " + ".join([f"{ins[i]}·{ins[i + 1]}" for i in pairs] + [ins[-1]])
        vals = " + ".join([f"{nums[i]}×{nums[i + 1]}" for i in pairs] + [nums[-1]])
    else:
        extra = "".join(f", {k}={fmt(v, digits)}" for k, v in params.items())
        expr = f"{op.name}({', '.join(ins)}{extra})"
        vals = f"{op.name}({', '.join(nums)}{extra})"
    return f"{name} = {expr} = {vals} = {fmt(node.data, digits)}"


def build_frames(
    root: Value,
    names: Mapping[Value, str],
    *,
    order: Sequence[Value] | None = None,
    digits: int = DEFAULT_DIGITS,
) -> list[Frame]:
    """Return the forward frames (topological order), then the seed and the backward frames.

    The backward frames are recorded from the engine's pass, ``backprop(root, order=order,
    on_step=...)``: one frame per :class:`~autograd.engine.BackwardStep`, in the pass's order.
    ``order`` is ``topological_order(root)``, if the caller has it already; captions print
    numbers with ``digits`` significant digits, as the boxes do.
    """
    order = topological_order(root) if order is None else order
    index = {node: i for i, node in enumerate(order)}
    frames: list[Frame] = []
    for node in order:
        i = index[node]
        edges = tuple(edge_id(i, k) for k in range(len(node.parents)))
        if node.op is not None:
            edges += (out_edge_id(i),)
        source = node if node.op is not None else None
        text = _forward_text(node, names, digits)
        frames.append(Frame(FORWARD, node, source, edges, text, data=node.data))
    rname = operand(names[root])
    frames.append(
        Frame(BACKWARD, root, None, (), f"{rname}.grad = 1  (the seed: ∂{rname}/∂{rname} = 1)",
              grad=1.0)
    )  # fmt: skip

    def record(step: BackwardStep) -> None:
        node = step.node
        edges = (edge_id(index[node], step.index), out_edge_id(index[node]))
        parent = node.parents[step.index]
        text = backward_text(step, names, digits)
        frames.append(Frame(BACKWARD, parent, node, edges, text, grad=step.total, index=step.index))

    backprop(root, order=order, on_step=record)
    return frames


def backward_text(step: BackwardStep, names: Mapping[Value, str], digits: int) -> str:
    """Return ``x.grad += ∂f/∂x · f.grad = local × upstream = term`` for one step of the pass.

    The local derivative is written out with the drawn names and numbers (``where ∂n3/∂x = y
    = 3``); where paths meet (the input already had a gradient) it adds ``before + term =
    total``. Every number is the step's own, rounded to ``digits`` like the boxes.
    """
    child = operand(names[step.node])
    who = operand(names[step.node.parents[step.index]])
    term = fmt(step.term, digits)
    local = fmt(step.local, digits)
    text = (
        f"{who}.grad += ∂{child}/∂{who} · {child}.grad = {local} × "
        f"{fmt(step.upstream, digits)} = {term}"
    )
    written = filled(step.node, step.index, names, digits)
    if written is not None and " = ".join(dict.fromkeys([*written, local])) != local:
        text += f",  where ∂{child}/∂{who} = {' = '.join(dict.fromkeys([*written, local]))}"
    if step.before is not None:
        text += (
            f";  paths meet: {who}.grad = {fmt(step.before, digits)} + {term} = "
            f"{fmt(step.total, digits)}"
        )
    return text


class StepThrough(PassPlayer):
    """An interactive player over the forward and backward pass of one graph.

    ``order`` is ``topological_order(root)``, if the caller has it already (``step_through``
    passes the one it sized the graph with); the graph is sorted once either way.

    Attributes:
        root: the output Value.
        frames: every step, forward then backward (see :class:`Frame`).
        ids: each node's id in the picture (``n0``, ``n1``, ...).
        names: each node's name in the text (its label, else its id).
        dot_source: the DOT text the picture was laid out from.
        svg: the graph laid out once by Graphviz.
        player_id: names this player on a page (a hash of its frames and DOT text, so the
            same graph gives the same HTML); its script finds its own element by it.
    """

    def __init__(
        self,
        root: Value,
        *,
        rankdir: str = "LR",
        order: Sequence[Value] | None = None,
        note: str = "",
        digits: int = DEFAULT_DIGITS,
    ) -> None:
        check_root(root, "StepThrough")
        _checks.choice("rankdir", rankdir, RANKDIRS, caller="StepThrough")
        if order is None:
            order = topological_order(root)
        else:
            order = _checks.sequence("StepThrough: order", order, "topological_order(root)")
            for i, node in enumerate(order):
                _checks.instance(f"StepThrough: order[{i}]", node, Value, "a Value")
        self.root = root
        self.note = _checks.text("StepThrough: note", note)
        self.digits = check_digits("StepThrough", digits)
        self.rankdir = rankdir
        self._pin: Any = None
        self.ids = node_ids(order)
        self.names = display_names(order, self.ids)
        self.frames = tuple(build_frames(root, self.names, order=order, digits=digits))
        final = {f.node: f.grad for f in self.frames if f.grad is not None}
        picture = draw_full(order, ids=self.ids, rankdir=rankdir, show="data+grad",
                            edge_labels=True, names=self.names, grads=final,
                            digits=digits)  # fmt: skip
        self.dot_source: str = picture.source
        svg = picture.pipe(format="svg").decode("utf-8")
        svg = svg[svg.index("<svg") :]  # drop the XML prolog: the SVG sits inside HTML
        self.svg = _COMMENT.sub("", svg)  # Graphviz's per-node comments: a tenth of the size
        # Not from the SVG, whose bytes vary with the Graphviz version and fonts.
        digest = hashlib.sha256((self.frames_json() + self.dot_source).encode("utf-8"))
        self.player_id = "ag-" + digest.hexdigest()[:PLAYER_ID_DIGITS]

    def frames_json(self) -> str:
        """Return the frames as the JSON the player reads (node ids and display texts).

        A frame's ``update`` is ``[node id, "data" or "grad", the box's text, the exact number
        where the text rounds it]``: the box, its hover text and the caption show one number.
        """
        records = []
        for frame in self.frames:
            node_id = self.ids[frame.node]
            key = "data" if frame.phase == FORWARD else "grad"
            value = (frame.data if frame.phase == FORWARD else frame.grad) or 0.0
            shown = number_text(key, value, self.digits)
            exact = shown.split(" (exactly ")[1][:-1] if " (exactly " in shown else ""
            records.append(
                {
                    "phase": frame.phase,
                    "node": node_id,
                    "source": op_id(self.ids[frame.source]) if frame.source is not None else None,
                    "edges": list(frame.edges),
                    "text": frame.text,
                    "value": repr(value),
                    "update": [node_id, key, f"{key} {fmt(value, self.digits)}", exact],
                    "formula": self._formula(frame),
                }
            )
        nodes = list(self.ids.values())
        names = {self.ids[node]: name for node, name in self.names.items()}
        payload = {"nodes": nodes, "names": names, "pendingData": PENDING_DATA,
                   "pendingGrad": PENDING_GRAD, "frames": records}  # fmt: skip
        # "</" cannot appear inside a <script> element's text; JSON allows escaping the slash.
        return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).replace("</", "<\\/")

    def _formula(self, frame: Frame) -> str:
        """The table's rule behind a frame, in the table's own names, and what they stand for."""
        if frame.phase == BACKWARD and frame.source is not None and frame.index is not None:
            said = bindings(frame.source, frame.index, self.names, self.digits)
            rule = edge_tooltip(frame.source, frame.index)
            return f"the table's rule, {rule}" + (f"  (here {said})" if said else "")
        if frame.phase == FORWARD and frame.node.op is not None:
            return f"the table's rule, {op_tooltip(frame.node.op)}"
        return ""

    def __repr__(self) -> str:
        return f"<StepThrough of {self.names[self.root]}: {len(self.frames)} frames>"


def step_through(
    root: Value,
    *,
    rankdir: str = "LR",
    max_nodes: int = DEFAULT_MAX_STEP_NODES,
    grads: str = ".grad",
    digits: int = DEFAULT_DIGITS,
    collapsed: bool = False,
) -> StepThrough | CollapsedStepThrough:
    """Return an interactive player over the forward and backward pass of ``root``'s graph.

    Args:
        root: the output Value (its ``.grad`` fields are not changed).
        rankdir: layout direction, one of ``RANKDIRS``.
        max_nodes: refuse graphs with more Values than this.
        grads: the player always plays one fresh backward pass, recorded from the engine.
            With ``".grad"`` (the default) it also compares the stored ``.grad`` with that
            pass, as ``draw_dot`` does: when they are sums left by an earlier pass or another
            root the player says so above the graph and a ``StaleGradWarning`` is raised, so a
            student never reads the player's numbers against other ones; ``.grad`` holding
            ``k`` whole passes is said too (without a warning). ``"fresh"`` compares nothing.
        digits: significant digits of the numbers in boxes and captions (hovers add the
            exact number where it is rounded).
        collapsed: play the graph as ``draw_dot`` draws a large one, one box per neuron,
            layer or band of depth (:mod:`autograd.viz.collapsed_player`): a frame per box
            forward, then per box backward, so a training step of a real network plays at the
            level of its layers. The boxes are those of ``draw_dot``'s collapsed picture (at
            most ``max_nodes``, and at most its own default of 400).

    Returns:
        A :class:`StepThrough` (a ``CollapsedStepThrough`` with ``collapsed=True``): display
        it in Jupyter, or ``.save("steps.html")``.

    Raises:
        TypeError: ``root`` is not a Value.
        ValueError: an unknown ``rankdir`` or a graph larger than ``max_nodes``.
        graphviz.ExecutableNotFound: Graphviz's ``dot`` is not installed (says how to).

    >>> from autograd import Value
    >>> x = Value(2.0, label="x")
    >>> player = step_through(x * x)  # renders with Graphviz's dot
    >>> print(player.frames[-1].text)
    x.grad += ∂n1/∂x · n1.grad = 2 × 1 = 2,  where ∂n1/∂x = x = 2;  paths meet: x.grad = 2 + 2 = 4
    """
    check_root(root, "step_through")
    _checks.choice("rankdir", rankdir, RANKDIRS, caller="step_through")
    _checks.count("step_through: max_nodes", max_nodes)
    text_choice("step_through", "grads", grads, GRADS)
    check_digits("step_through", digits)
    _checks.flag("step_through: collapsed", collapsed)
    order = topological_order(root)
    if collapsed:
        note = stored_grads_note(root, order, display_names(order), 2) if grads == ".grad" else ""
        return CollapsedStepThrough(root, order, rankdir=rankdir, digits=digits, note=note,
                                    max_groups=min(max_nodes, DEFAULT_MAX_NODES))  # fmt: skip
    if len(order) > max_nodes:
        raise ValueError(
            f"step_through: the graph has {len(order)} Values, more than max_nodes={max_nodes}; "
            "step through a smaller graph (one example, one neuron), pass collapsed=True to play "
            "it one box per neuron, layer or band, or raise max_nodes"
        )
    note = ""
    if grads == ".grad":
        note = stored_grads_note(root, order, display_names(order), stacklevel=2)
    return StepThrough(root, rankdir=rankdir, order=order, note=note, digits=digits)


def stored_grads_note(
    root: Value, order: Sequence[Value], names: Mapping[Value, str], stacklevel: int
) -> str:
    """Return what a player says of the stored ``.grad`` beside the pass it plays ("" if 0 or 1).

    Stale sums get the picture's warning (and a ``StaleGradWarning``); ``k`` whole passes a
    plain line, since the player's last frame shows one.
    """
    check = check_grads(root, order)
    if not check.consistent:
        note = check.note(names, len(order), DEFAULT_DIGITS, 'step_through(..., grads="fresh")')
        warn_stale("step_through", note, stacklevel + 1)
        return note
    if check.scale in (0.0, 1.0):
        return ""
    return (
        f"{operand(names[root])}.grad is {check.scale!r}: .grad holds {fmt(check.scale)} "
        "backward passes; this player plays one, so its last frame shows one pass."
    )
