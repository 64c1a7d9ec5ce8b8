"""Is the graph of another example the traced graph? A lockstep walk that says where it is not.

A plan is only right for examples whose graph has the traced shape: the same op at every
place, wired the same way, the same parameters, inputs in the same slots and the same
constants. The walk follows the traced graph and the new one side by side from the loss down,
stopping at leaves; parameters, and Values made outside the function, are the very same objects
in both graphs, so they cost one identity test each. A leaf found to be such an outside Value
must stay that very object in every later graph: the plan reads that object's ``.data``.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import is_, itemgetter
from typing import Any, Final

from autograd.engine import Value
from autograd.ops import Op

HOW_TO_FIX: Final = (
    "compile_loss needs a function whose graph has the same shape for every example; a Python "
    "`if` on `.data`, a loop or an index chosen from the data, or a number taken out of the "
    "graph (`float(v)`, `v.data`, `v.detach()`) and put back in as a constant makes the graph "
    "depend on the data -- write those steps with ops that treat every example alike (relu, "
    "abs, arithmetic on one-hot targets), or train this function with the scalar engine"
)
HOW_TO_FIX_STATE: Final = (
    "the difference comes not from the data but from the parameters' current values or from "
    "state outside the function: a number taken out of a parameter (`p.data`, `float(p)`, "
    "`p.detach()`) and put back in as a constant would stay frozen at its traced value in the "
    "plan -- use the parameter itself; a random draw (dropout in training mode) or a counter "
    "would give every example the traced draw -- compile_loss needs a function that builds the "
    "same graph whenever it is called on the same example"
)


class DataDependentGraphError(ValueError):
    """The graph may differ from example to example, or does for one: the plan would be wrong.

    Raised when tracing (the function reads an input's number) or by a re-check (the graph
    rebuilt on an example differs from the traced one).

    >>> from autograd import Value
    >>> from autograd.compiled import compile_loss
    >>> w = Value(2.0)
    >>> compile_loss(lambda x: w * x if x.data > 0 else w - x, 1.0, [w])
    Traceback (most recent call last):
    ...
    autograd.compiled.check.DataDependentGraphError: compile_loss: the function reads the ...
    """


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
        self.outside: set[Value] = set()
        """Traced leaves, not parameters, that a rebuilt graph shared: made outside the function."""
        others = {n for n in order if n._op is None and n not in self.params and n not in self.slot}
        self.leaf_places = {
            node: [i for i, p in enumerate(node._parents) if p in others]
            for node in order
            if any(p in others for p in node._parents)
        }  # op node -> where its constants or outside Values sit among its parents
        self._params = list(dict.fromkeys(params))  # in the caller's order, once each
        self._order = order
        self._fast: _FastCheck | None = None  # built at the first check, again when outside grows

    def same(self, root: Value, inputs: Sequence[Value]) -> bool:
        """Whether ``root``'s graph is surely the traced one, tested edge by edge in C.

        The walk of :meth:`difference` costs a Python step per edge; this test finds each
        traced op node's match through one of its consumers (in reverse topological order,
        one step per node), then compares every edge, op and arity in whole-list operations.
        False means "not sure": the graph differs, or has something this test leaves to the
        walk (a constant that is the traced object itself, a nan or a 0 to tell from -0.0).

        >>> w, x = Value(2.0), Value(1.0)
        >>> check = GraphCheck([w, x, w * x], [x], [w])
        >>> y = Value(5.0)
        >>> check.same(w * y, [y]), check.same(w + y, [y])
        (True, False)
        """
        if self._fast is None:
            self._fast = _FastCheck.of(self._order, self._params, self.slot, self.outside)
        return self._fast.same(root, inputs, self.params)

    def difference(self, root: Value, inputs: Sequence[Value]) -> str | None:
        """Return where and how ``root``'s graph differs from the traced one, or None if alike.

        Args:
            root: the loss built on one example.
            inputs: that example's input leaves, by slot.

        >>> w = Value(2.0)
        >>> x = Value(1.0)
        >>> check = GraphCheck([w, x, w * x], [x], [w])
        >>> y = Value(5.0)
        >>> check.difference(w * y, [y]) is None
        True
        >>> print(check.difference(w + y, [y]))
        at node 2 of 3 (in topological order): here `add` of 2 inputs, when traced `mul` of ...
        """
        if root is not self.root and self.same(root, inputs):
            return None
        outside = len(self.outside)
        found = self._walk(root, inputs)
        if len(self.outside) != outside:  # the walk found Values made outside: test them next time
            self._fast = None
        return found

    def _walk(self, root: Value, inputs: Sequence[Value]) -> str | None:  # noqa: C901
        """The lockstep walk from the loss down: the graph's difference, said where it is.

        It runs where :meth:`same` is not sure, mostly to say where a graph differs, so it
        takes every edge one Python step at a time.
        """
        new_slot = {x: i for i, x in enumerate(inputs)}
        forward: dict[Value, Value] = {}  # traced op node -> new op node
        backward: dict[Value, Value] = {}  # and back: the wiring must match both ways
        if root is self.root:  # the function returns a Value made outside it (or a parameter)
            if root._op is None and root not in self.params:
                self.outside.add(root)
            return None
        places_of = self.leaf_places.get
        stack = [(self.root, root)]  # pairs of different objects only
        push, pop = stack.extend, stack.pop
        while stack:
            then, now = pop()
            if then._op is None or now._op is None:
                if not self._same_leaf(then, now, inputs):
                    return self._say_where(then, now, new_slot)
                continue
            if forward.get(then, now) is not now or backward.get(now, then) is not then:
                return self._say_where(then, now, new_slot, wiring=True)
            if then in forward:
                continue
            forward[then], backward[now] = now, then
            if now._params is not then._params or len(now._parents) != len(then._parents):
                if not self._same_op(then, now):
                    return self._say_where(then, now, new_slot)
            elif now._op is not then._op:  # the rest of _same_op, for shared (or no) params
                return self._say_where(then, now, new_slot)
            if places_of(then):  # constants or outside Values among the parents
                self._note_outside(then, now)
            pairs = zip(then._parents, now._parents, strict=True)  # lengths compared above
            push([pair for pair in pairs if pair[0] is not pair[1]])  # the same object: alike
        return None

    def _note_outside(self, then: Value, now: Value) -> None:
        for i in self.leaf_places.get(then, ()):
            if now._parents[i] is then._parents[i]:  # the same object: made outside
                self.outside.add(then._parents[i])

    @staticmethod
    def _same_op(then: Value, now: Value) -> bool:
        return (
            now._op is then._op
            and _same_params(now._params, then._params)
            and len(now._parents) == len(then._parents)
        )

    def _same_leaf(self, then: Value, now: Value, inputs: Sequence[Value]) -> bool:
        if now._op is not None or then._op is not None:
            return False
        if then in self.outside:
            return False  # another object where an outside Value was: the plan reads the old one
        slot = self.slot.get(then)
        if slot is not None:
            return now is inputs[slot]
        if then in self.params or now in self.params:
            return False  # a parameter is the same object in both graphs (tested above)
        return _same_number(now.data, then.data)

    def _say_where(
        self, then: Value, now: Value, new_slot: dict[Value, int], wiring: bool = False
    ) -> str:
        where = f"at node {self.position[then]} of {self.size} (in topological order)"
        if wiring:
            return f"{where}: here one node feeds where, when traced, another node did"
        return f"{where}: here {self._say(now, new_slot)}, when traced {self._say(then, self.slot)}"

    def _say(self, node: Value, slot: dict[Value, int]) -> str:
        label = f" {node.label!r}" if node.label else ""
        if node in self.outside:
            return f"the Value{label} made outside the function (read at every call)"
        op = node._op
        if op is not None:
            params = "".join(f" {k}={v!r}" for k, v in (node._params or {}).items())
            return f"`{op.name}`{params} of {len(node._parents)} inputs"
        if node in slot:
            return f"input {slot[node]}"
        if node in self.params:
            return f"a parameter{label}"
        return f"the constant {node.data!r}"


_Take = Callable[[Sequence[Any]], tuple[Any, ...]]  # an itemgetter: Values, or numbers


@dataclass(slots=True)
class _FastCheck:
    """What :meth:`GraphCheck.same` compares, laid out once for the traced graph.

    ``kinds``, ``params`` and ``arities`` are the traced op nodes' (topological order, the loss
    last); ``via[j]`` is ``(c, p)``: op node ``j`` is parent ``p`` of op node ``c > j``. A new
    graph's edges -- its matched op nodes' parents, in one tuple -- must be ``expected`` of
    ``[*leaves, *inputs, *matched op nodes, *outside, *its constants]``, its constants being
    what it has at ``constants``: other leaves than ``traced``, holding their ``numbers``.
    """

    via: list[tuple[int, int]]
    kinds: list[Op | None]
    params: list[dict[str, float] | None]
    arities: list[int]
    leaves: list[Value]
    expected: _Take
    outside: list[Value]
    constants: _Take | None
    traced: list[Value]
    numbers: list[float]
    zeros: _Take | None  # where among the constants a 0.0 must not be -0.0, or the other way
    signs: list[float]

    @classmethod
    def of(
        cls, order: list[Value], params: list[Value], slot: dict[Value, int], outside: set[Value]
    ) -> _FastCheck:
        """Lay out the traced graph ``order``; ``outside`` Values must stay the same objects."""
        ops = [n for n in order if n._op is not None]
        index = {n: j for j, n in enumerate(ops)}
        extra = [n for n in order if n in outside]
        where = {p: i for i, p in enumerate([*params, *slot, *ops, *extra])}
        via = [(-1, -1)] * len(ops)
        sources: list[int] = []
        constants: list[int] = []
        traced: list[Value] = []
        edge = 0
        for c, node in enumerate(ops):
            for p, parent in enumerate(node._parents):
                j = index.get(parent)
                if j is not None and via[j][0] < 0:
                    via[j] = (c, p)  # its first consumer, matched before it in reverse order
                if parent in where:
                    sources.append(where[parent])
                else:  # a constant made inside the function: a leaf of the same number
                    sources.append(len(where) + len(constants))
                    constants.append(edge)
                    traced.append(parent)
                edge += 1
        take_constants = _take(constants) if constants else None
        if take_constants is not None:  # as the getter gives them (one constant comes twice)
            traced = list(take_constants([p for n in ops for p in n._parents]))
        numbers = [c.data for c in traced]
        zeros = [i for i, x in enumerate(numbers) if x == 0.0]
        take_zeros = _take(zeros) if zeros else None
        return cls(
            via=via,
            kinds=[n._op for n in ops],
            params=[n._params for n in ops],
            arities=[len(n._parents) for n in ops],
            leaves=params,
            expected=_tuple_of(sources),
            outside=extra,
            constants=take_constants,
            traced=traced,
            numbers=numbers,
            zeros=take_zeros,
            signs=[] if take_zeros is None else _signs(take_zeros(numbers)),
        )

    def same(self, root: Value, inputs: Sequence[Value], params: frozenset[Value]) -> bool:
        """Whether ``root``'s graph is the traced one (False: it differs, or the walk must say)."""
        now: list[Value] = [root] * len(self.via)
        try:
            for j in range(len(now) - 2, -1, -1):
                c, p = self.via[j]
                now[j] = now[c]._parents[p]
        except IndexError:  # a node with fewer parents than traced: the walk says where
            return False
        parents = [n._parents for n in now]  # (a list comprehension reads slots fastest)
        if (
            [n._op for n in now] != self.kinds
            or list(map(len, parents)) != self.arities
            or len(set(now)) != len(now)  # two traced nodes found at one new node
            or not all(
                _same_params(a, b)
                for a, b in zip([n._params for n in now], self.params, strict=True)
                if a is not b
            )
        ):
            return False
        edges = tuple(chain.from_iterable(parents))
        found = () if self.constants is None else self.constants(edges)
        if edges != self.expected([*self.leaves, *inputs, *now, *self.outside, *found]):
            return False  # (compared by identity first: a Value equals only itself)
        if self.constants is None:
            return True
        numbers = [c.data for c in found]
        return (  # leaves, other than the traced ones (the walk notes them), no parameter, ...
            all(map(is_, [c._op for c in found], repeat(None)))
            and not any(map(is_, found, self.traced))
            and params.isdisjoint(found)
            and numbers == self.numbers  # of the same numbers (a nan is left to the walk)
            and (self.zeros is None or _signs(self.zeros(numbers)) == self.signs)
        )


def _tuple_of(positions: list[int]) -> _Take:
    """A getter of these positions as a tuple, however many (``itemgetter`` gives one bare)."""
    if len(positions) > 1:
        return itemgetter(*positions)
    return lambda xs: tuple(xs[i] for i in positions)


def _signs(numbers: Sequence[float]) -> list[float]:
    """Each number's sign as ``1.0`` or ``-1.0``: tells ``-0.0`` from ``0.0``."""
    return list(map(math.copysign, repeat(1.0), numbers))


def _take(positions: list[int]) -> _Take:
    """A getter of these positions as a tuple, in C; one position is taken twice (a tuple)."""
    return itemgetter(*positions, positions[0]) if len(positions) == 1 else itemgetter(*positions)


def _same_number(a: float, b: float) -> bool:
    """The same float: ``-0.0`` is not ``0.0`` (``1 / x`` tells them apart), nan is nan.

    >>> _same_number(0.0, -0.0), _same_number(math.nan, math.nan)
    (False, True)
    """
    if a != a:  # nan
        return b != b
    return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)


def _same_params(a: dict[str, float] | None, b: dict[str, float] | None) -> bool:
    """The same constant parameters, compared as :func:`_same_number` compares numbers."""
    a, b = a or {}, b or {}
    return a.keys() == b.keys() and all(_same_number(a[k], b[k]) for k in a)
