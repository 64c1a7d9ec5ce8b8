"""What a player's frame is: one step of a forward or backward pass, as the players record it.

Shared by the step-through player (:mod:`autograd.viz.stepper`), the training player
(:mod:`autograd.viz.training`) and their exports (:mod:`autograd.viz.export`), which read frames
without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from autograd.engine import Value

FORWARD: Final = "forward"
BACKWARD: Final = "backward"
PENDING_DATA: Final = "data ?"  # a box's data before the forward pass reaches it
PENDING_GRAD: Final = "grad ·"  # a box's grad before the backward pass reaches it


@dataclass(frozen=True, slots=True)
class Frame:
    """One step of the player.

    Attributes:
        phase: ``"forward"`` or ``"backward"``.
        node: the highlighted Value (computed, or receiving gradient).
        source: the op node whose step this is (its own node in forward, the child whose
            gradient flows back in backward); None for a leaf or the seed.
        edges: ids of the highlighted edges (``draw_dot`` ids).
        text: the step in words and numbers.
        data: the node's number after this frame (forward frames).
        grad: the node's accumulated gradient after this frame (backward frames).
        index: which input of ``source`` the node is, ``source.parents[index]`` (backward
            frames along an edge; None for forward frames and the seed).
    """

    phase: str
    node: Value
    source: Value | None
    edges: tuple[str, ...]
    text: str
    data: float | None = None
    grad: float | None = None
    index: int | None = None
