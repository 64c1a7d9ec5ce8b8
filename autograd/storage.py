"""How nodes are kept and copied: shared parameter dicts, and copy/pickle for leaves only.

Neither changes what a graph computes; both are kept out of :mod:`autograd.engine` so the core
reads as the idea.

>>> shared_param("exponent", 2.0) is shared_param("exponent", 2.0)
True
"""

from __future__ import annotations

import math
from typing import Any, Final, SupportsIndex

_PARAMS: Final[dict[tuple[str, float, float], dict[str, float]]] = {}
PARAMS_KEPT: Final = 256
"""Distinct (name, value) pairs shared; past that, one dict per node."""


def shared_param(name: str, value: float) -> dict[str, float]:
    """Return ``{name: value}`` for an op's constant parameter, one shared dict per value.

    ``x ** 2`` is everywhere (squared errors, L2); sharing the dict keeps a pow node as small as
    any other. Nothing writes to a node's parameters (``Value.params`` hands out a copy).
    """
    key = (name, value, math.copysign(1.0, value))  # 0.0 and -0.0 are different exponents
    params = _PARAMS.get(key)
    if params is None:
        params = {name: value}
        if value == value and len(_PARAMS) < PARAMS_KEPT:  # nan never matches a key
            _PARAMS[key] = params
    return params


class LeavesOnlyCopy:
    """Copy and pickle leaves only, as PyTorch does: a computed node belongs to its graph.

    ``copy.deepcopy(model)`` and pickling parameters work (number, gradient and label); a node
    made by an operation is refused with a ``TypeError`` at once, however deep its graph,
    instead of failing deep inside ``pickle`` or recursing.

    >>> import copy
    >>> from autograd import Value
    >>> copy.deepcopy(Value(2.0, label="w"))
    Value(data=2.0, grad=0.0, label='w')
    >>> copy.deepcopy(Value(2.0) * 3)
    Traceback (most recent call last):
    ...
    TypeError: copy/pickle: Value(data=6.0, grad=0.0) was computed by mul (*) and ...
    """

    __slots__ = ()

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        op = getattr(self, "_op", None)
        if op is not None:
            raise TypeError(
                f"copy/pickle: {self!r} was computed by {op.name} ({op.symbol}) and belongs to "
                "its graph; only leaves (Values you made) can be copied or pickled, as in "
                "PyTorch. Copy its number with .detach(), or save a model's parameters with "
                "autograd.serialize.save"
            )
        return super().__reduce_ex__(protocol)
