"""Which neuron and layer a node belongs to, read from ``autograd.nn``'s dotted parameter labels.

A node whose label is a dotted parameter name belongs to its neuron: ``"L1.N3.w0"`` and
``"layers.1.neurons.3.w.0"`` (``autograd.nn`` names) both name a weight of neuron ``L1.N3`` /
``layers.1.neurons.3``, in layer ``L1`` / ``layers.1``. An unlabelled op joins the group of
the labelled parameters it reads (a neuron's weighted sum), or of its single input (the
neuron's activation); leaves without a dotted label are the inputs. Both the clusters of a
full drawing (``draw_dot(..., clusters=True)``) and the boxes of a collapsed one use this.

>>> from autograd import Value, topological_order
>>> w = Value(2.0, label="layers.0.neurons.1.w.0")
>>> x = Value(3.0, label="x")
>>> sorted(neuron_clusters(topological_order((w * x).tanh())).values())
['layers.0.neurons.1', 'layers.0.neurons.1', 'layers.0.neurons.1']
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from autograd.engine import Value

INPUTS: Final = "inputs"
"""The group of leaves that carry no dotted label (data, constants)."""


def parent_key(name: str) -> str:
    """Return the owner a dotted name names: drop a trailing index, then the last name.

    >>> parent_key("L1.N3.w0"), parent_key("layers.1.neurons.3.w.0"), parent_key("x")
    ('L1.N3', 'layers.1.neurons.3', '')
    >>> parent_key("layers.1.neurons.3"), parent_key("L1.N3")
    ('layers.1', 'L1')
    """
    parts = name.split(".")
    if len(parts) > 1 and parts[-1].isdigit():
        parts.pop()
    parts.pop()
    return ".".join(parts)


def groups_by_label(order: Sequence[Value], coarse: bool) -> dict[Value, str | None]:
    """Return each node's group from the nn labels (None: not decided by labels).

    Args:
        order: the graph in topological order.
        coarse: use only the first part of a prefix (the layer, not the neuron).

    >>> from autograd import Value, topological_order
    >>> b = Value(0.5, label="L0.N0.b")
    >>> list(groups_by_label(topological_order(b + 1.0), coarse=True).values())
    ['L0', 'inputs', 'L0']
    """
    keys: dict[Value, str | None] = {}
    for node in order:
        prefix = parent_key(node.label)
        if coarse and prefix:
            prefix = parent_key(prefix) or prefix
        if prefix:
            keys[node] = prefix
        elif node.op is None:
            keys[node] = INPUTS
        else:
            owners = [keys[p] for p in node.parents if p.op is None and keys[p] != INPUTS]
            if owners:
                keys[node] = owners[0]
            elif len(node.parents) == 1 and keys[node.parents[0]] != INPUTS:
                keys[node] = keys[node.parents[0]]
            else:
                keys[node] = None
    return keys


def neuron_clusters(order: Sequence[Value]) -> dict[Value, str]:
    """Return the nodes that belong to a neuron, each with the neuron's dotted name.

    Inputs, constants and the loss belong to no neuron and are left out.
    """
    keys = groups_by_label(order, coarse=False)
    return {node: key for node, key in keys.items() if key is not None and key != INPUTS}
