"""Is the graph of another example the traced graph? A lockstep walk that says where it is not.

A plan is only right for examples whose graph has the traced shape: the same op at every
place, wired the same way, the same parameters, inputs in the same slots and the same
constants. The walk follows the traced graph and the new one side by side from the loss down,
stopping at leaves; parameters are the very same objects in both, so they cost one identity
test each.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Final

from autograd.engine import Value

HOW_TO_FIX: Final = (
    "compile_loss needs a function whose graph has the same shape for every example; a Python "
    "`if` on `.data`, a loop or an index chosen from the data, or a number taken out of the "
    "graph (`float(v)`, `v.data`, `v.detach()`) and put back in as a constant makes the graph "
    "depend on the data -- write those steps with ops that treat every example alike (relu, "
    "abs, arithmetic on one-hot targets), or train this function with the scalar engine"
)


class DataDependentGraphError(ValueError):
    """The graph built for some example differs from the traced one: the plan would be wrong."""


class GraphCheck:
    """The traced graph's facts a new graph must match.

    Args:
        order: the traced graph in topological order (positions name nodes in messages).
        inputs: the traced input leaves, by slot.
        params: the parameters.
    """

    def __init__(self, order: list[Value], inputs: Sequence[Value], params: Sequence[Value]):
        self.root = order[-1]
        self.size = len(order)
        self.position = {node: i for i, node in enumerate(order)}
        self.slot = {x: i for i, x in enumerate(inputs)}
        self.params = frozenset(params)

    def compare(self, root: Value, inputs: Sequence[Value], example: int) -> None:
        """Raise :class:`DataDependentGraphError` unless ``root``'s graph is the traced one.

        Args:
            root: the loss built on one example.
            inputs: that example's input leaves, by slot.
            example: the example's index in its batch, for the message.
        """
        new_slot = {x: i for i, x in enumerate(inputs)}
        forward: dict[Value, Value] = {}  # traced op node -> new op node
        backward: dict[Value, Value] = {}  # and back: the wiring must match both ways
        stack = [(self.root, root)]
        while stack:
            then, now = stack.pop()
            if then is now:  # a parameter, or a node made once outside the function
                continue
            if then._op is None or now._op is None:
                if not self._same_leaf(then, now, inputs):
                    self._fail(example, then, now, new_slot)
                continue
            if forward.get(then, now) is not now or backward.get(now, then) is not then:
                self._fail(example, then, now, new_slot, wiring=True)
            if then in forward:
                continue
            forward[then], backward[now] = now, then
            if (
                now._op is not then._op
                or now._params != then._params
                or len(now._parents) != len(then._parents)
            ):
                self._fail(example, then, now, new_slot)
            # parameters are the same objects in both graphs: skip them without a push
            pairs = zip(then._parents, now._parents, strict=True)  # lengths compared above
            stack.extend([pair for pair in pairs if pair[0] is not pair[1]])

    def _same_leaf(self, then: Value, now: Value, inputs: Sequence[Value]) -> bool:
        if now._op is not None or then._op is not None:
            return False
        slot = self.slot.get(then)
        if slot is not None:
            return now is inputs[slot]
        if then in self.params or now in self.params:
            return False  # a parameter is the same object in both graphs (tested above)
        return now.data == then.data or (math.isnan(now.data) and math.isnan(then.data))

    def _fail(
        self,
        example: int,
        then: Value,
        now: Value,
        new_slot: dict[Value, int],
        wiring: bool = False,
    ) -> None:
        where = (
            f"the graph of example {example} differs from the traced graph at node "
            f"{self.position[then]} of {self.size} (in topological order)"
        )
        if wiring:
            what = "here one node feeds where, when traced, another node did (the wiring differs)"
        else:
            what = f"here {self._say(now, new_slot)}, when traced {self._say(then, self.slot)}"
        raise DataDependentGraphError(f"{where}: {what}. {HOW_TO_FIX}")

    def _say(self, node: Value, slot: dict[Value, int]) -> str:
        op = node._op
        if op is not None:
            params = "".join(f" {k}={v!r}" for k, v in (node._params or {}).items())
            return f"`{op.name}`{params} of {len(node._parents)} inputs"
        if node in slot:
            return f"input {slot[node]}"
        if node in self.params:
            return "a parameter"
        return f"the constant {node.data!r}"
