"""The wording of the package's error messages, written once.

Argument errors show the offending value with :func:`describe`; ``detect_anomaly()`` errors
(scalar engine and compiled plan alike) are worded by :func:`forward_anomaly` and
:func:`backward_anomaly` from the op's row in the table, so both engines say the same thing.

>>> describe("0.2"), describe(np.zeros((2, 3)))
("str '0.2'", 'an array of shape (2, 3)')
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final, Protocol

import numpy as np

from autograd.ops import Op

REPR_LIMIT: Final = 60
"""Longest repr shown in a message before it is cut with ``...``."""


class Labelled(Protocol):
    """What a message reads of a node: its number and its label (a ``Value`` has both)."""

    @property
    def data(self) -> float: ...  # noqa: D102
    @property
    def label(self) -> str: ...  # noqa: D102


def describe(value: object) -> str:
    """Return ``value`` for an error message: an array by its shape, anything else by type and repr.

    >>> describe(3), describe("x" * 100)[-5:]
    ('int 3', 'xx...')
    """
    if isinstance(value, np.ndarray):
        return f"an array of shape {value.shape}"
    try:
        text = repr(value)
    except ValueError:  # an int of more digits than Python converts (sys.get_int_max_str_digits)
        return f"{type(value).__name__} of more than {REPR_LIMIT} digits"
    if len(text) > REPR_LIMIT:
        text = text[: REPR_LIMIT - 3] + "..."
    return f"{type(value).__name__} {text}"


def format_inputs(parents: Sequence[Labelled], values: Sequence[Any] | None = None) -> str:
    """Name an op's inputs as the table's rules do: ``x=0.0 ('x')``, ``a=...``, ``input2=...``.

    ``values`` replaces the parents' own numbers (the compiled plan's lanes for one example).

    >>> from autograd import Value
    >>> format_inputs([Value(0.0, label="x")])
    "x=0.0 ('x')"
    """
    names = ("x",) if len(parents) == 1 else ("a", "b") if len(parents) == 2 else None  # noqa: PLR2004
    parts = []
    for i, p in enumerate(parents):
        name = names[i] if names else f"input{i}"
        value = p.data if values is None else values[i]
        label = f" ({p.label!r})" if p.label else ""
        parts.append(f"{name}={value!r}{label}")
    return ", ".join(parts)


def forward_anomaly(
    op: Op,
    data: float,
    inputs: str,
    params: Mapping[str, float] | None,
    where: str = "",
    node: str = "",
) -> str:
    """The ``detect_anomaly()`` message for a forward step that made a nan or an inf.

    Args:
        op: the row of the table that ran.
        data: the non-finite number it made.
        inputs: the inputs as :func:`format_inputs` names them.
        params: the node's constant parameters.
        where: said after the number (the compiled plan names the example: ``" at example 1"``).
        node: said at the end (the compiled plan names the node of its traced graph).

    >>> from autograd.ops import OPS
    >>> forward_anomaly(OPS["log"], float("-inf"), "x=0.0", None)
    'log produced -inf from x=0.0; log is defined for x > 0'
    """
    extra = "".join(f", {k}={v!r}" for k, v in (params or {}).items())
    return (
        f"{op.name} produced {data!r}{where} from {inputs}{extra}; "
        f"{op.name} is defined for {op.domain.where}{node}"
    )


def backward_anomaly(
    op: Op,
    label: str,
    index: int,
    local: Any,
    upstream: Any,
    inputs: str,
    *,
    where: str = "",
    summed: str = "",
    node: str = "",
) -> str:
    """The ``detect_anomaly()`` message for a backward step with a nan or inf ``local * upstream``.

    ``where``, ``summed`` and ``node`` are the compiled plan's context: the example, whether the
    upstream gradient is a sum over the batch, and the node of its traced graph.

    >>> from autograd.ops import OPS
    >>> backward_anomaly(OPS["sqrt"], "r", 0, float("inf"), 1.0, "x=0.0")  # doctest: +ELLIPSIS
    "backward through sqrt node 'r' gave d out/d input0 = inf times upstream 1.0, from ..."
    """
    name = f" {label!r}" if label else ""
    return (
        f"backward through {op.name} node{name}{where} gave d out/d input{index} = {local!r} "
        f"times upstream {upstream!r}{summed}, from inputs {inputs}; "
        f"{op.name} is defined for {op.domain.where}{node}"
    )


def _node(node: Labelled) -> str:
    """A node as a message names it: its number and label, not the ``.grad`` at fault."""
    label = f", label={node.label!r}" if node.label else ""
    return f"Value(data={node.data!r}{label})"


def grad_not_a_number(node: Labelled, found: object, caller: str = "backward") -> str:
    """The message for a ``.grad`` set by hand to something that is not a number.

    >>> from autograd import Value
    >>> grad_not_a_number(Value(2.0, label="x"), None)  # doctest: +ELLIPSIS
    "backward: Value(data=2.0, label='x') has .grad = NoneType None, not a number; ..."
    """
    return (
        f"{caller}: {_node(node)} has .grad = {describe(found)}, not a number; reset gradients "
        "with zero_grad(...) (0.0, not None). No .grad was changed"
    )


def grad_beyond_float_range(node: Labelled, found: object, caller: str = "backward") -> str:
    """The message for a ``.grad`` set by hand to an int too large for a float (``10**400``)."""
    return (
        f"{caller}: {_node(node)} has .grad = {describe(found)}, beyond the float range "
        "(|x| <= 1.8e308); reset gradients with zero_grad(...). No .grad was changed"
    )
