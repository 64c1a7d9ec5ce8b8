"""``detect_anomaly()`` for a plan: stop at the first group that makes a nan or an inf.

Under the scalar engine's :func:`autograd.detect_anomaly` a plan checks every group's outputs in
forward, and the gradient stores after every group in backward, and raises
``FloatingPointError`` at the first non-finite number with the scalar engine's wording plus the
example: the op, the example's index, the inputs (with their labels: ``in0[3]`` is entry 3 of
argument 0) and the node. Outside that mode a plan checks nothing (IEEE results, as the scalar
engine gives). A gradient the plan does not compute -- one flowing only into the example's
inputs or constants -- is not checked; the scalar engine would report a nan there too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from autograd.compiled.groups import VARYING, Group
from autograd.engine import Value
from autograd.messages import backward_anomaly, format_inputs, forward_anomaly
from autograd.types import Array

if TYPE_CHECKING:
    from autograd.compiled.planner import Layout


class AnomalyCheck:
    """Finds, names and reports the first non-finite number of a group.

    Args:
        layout: where each node of the plan lives.
        order: the plan's nodes in topological order (positions name nodes in messages).
    """

    def __init__(self, layout: Layout, order: list[Value]) -> None:
        self.layout = layout
        self.position = {node: i for i, node in enumerate(order)}
        self.at = {(layout.store[n], layout.row[n]): n for n in order}

    def forward(self, group: Group, stores: Sequence[Array]) -> None:
        """Raise ``FloatingPointError`` if ``group`` produced a nan or an inf."""
        block = stores[group.out_store][group.out]
        if np.isfinite(block).all():
            return
        bad = ~np.isfinite(block)
        example = int(np.argmax(bad.any(axis=0)))  # the first example, then its first node
        node = self.at[(group.out_store, group.out.start + int(np.argmax(bad[:, example])))]
        op = node._op
        assert op is not None  # noqa: S101  # grouped nodes are op nodes
        inputs = format_inputs(
            node._parents, [self._value(stores, p, example) for p in node._parents]
        )
        raise FloatingPointError(
            forward_anomaly(
                op,
                self._value(stores, node, example),
                inputs,
                node._params,
                where=f" {self._where(group.out_store, example)}",
                node=f" ({self._node(node)})",
            )
        )

    def backward(self, group: Group, stores: Sequence[Array], grads: Sequence[Array]) -> None:
        """Raise ``FloatingPointError`` if ``group``'s backward made a gradient nan or inf."""
        if self.layout.zero_row is not None:  # what the zero row receives is never read
            grads[VARYING][self.layout.zero_row] = 0.0
        if all(np.isfinite(g).all() for g in grads):
            return
        members = [self.at[(group.out_store, r)] for r in range(group.out.start, group.out.stop)]
        for node in members:
            for k, parent in enumerate(node._parents):
                store, row = self.layout.store[parent], self.layout.row[parent]
                if np.isfinite(grads[store][row]).all():
                    continue
                found = self._contribution(node, k, stores, grads)
                if found is not None:
                    raise FloatingPointError(found)
        raise FloatingPointError(  # every term finite: their sum over the batch overflowed
            f"backward through the group '{group.describe()}' overflowed to inf while summing "
            "finite gradients over the batch; scale the loss down or use smaller batches"
        )

    def _contribution(
        self, node: Value, k: int, stores: Sequence[Array], grads: Sequence[Array]
    ) -> str | None:
        """The message for the first example whose d out/d input_k times upstream is not finite."""
        op = node._op
        assert op is not None  # noqa: S101  # grouped nodes are op nodes
        store, row = self.layout.store[node], self.layout.row[node]
        width = stores[store].shape[1] if store == VARYING else 1
        for example in range(width):
            values = [np.float64(self._value(stores, p, example)) for p in node._parents]
            out = np.float64(self._value(stores, node, example))
            with np.errstate(all="ignore"):  # the rule's IEEE result, as the plan computed it
                local = float(op.local_grads(*values, out, **(node._params or {}))[k])
                upstream = float(grads[store][row, example])
                total = op.term(local, upstream)
            if np.isfinite(total):
                continue
            summed = "" if store == VARYING else " (summed over the batch)"
            inputs = format_inputs(node._parents, [float(v) for v in values])
            return backward_anomaly(
                op,
                node.label,
                k,
                local,
                upstream,
                inputs,
                where=f" {self._where(store, example)}",
                summed=summed,
                node=f" ({self._node(node)})",
            )
        return None

    def _value(self, stores: Sequence[Array], node: Value, example: int) -> float:
        store = self.layout.store[node]
        return float(stores[store][self.layout.row[node], example if store == VARYING else 0])

    def _where(self, store: int, example: int) -> str:
        if store == VARYING:
            return f"at example {example}"
        return "for every example (it reads only parameters and constants)"

    def _node(self, node: Any) -> str:
        label = f", labelled {node.label!r}" if node.label else ""
        return (
            f"node {self.position[node]} of {len(self.position)} of the traced graph in "
            f"topological order{label}"
        )
