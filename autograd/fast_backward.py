"""The tuned backward pass that ``Value.backward()`` and ``grad()`` run: the reference, made fast.

It computes exactly what :func:`autograd.engine.backprop` (the reference pass, written as plainly
as the idea) computes -- the same products added in the same order, so the same gradients bit
for bit; ``tests/test_engine.py`` pins that over random programs. It is faster because:

- running sums live in the nodes' own ``.grad`` slots instead of a dict keyed by node (half the
  cost on big graphs);
- the common unary and binary nodes are unrolled (no zip, no helper call);
- the n-ary ``sum`` and ``dot`` nodes add their terms in place through their row's
  ``accumulate`` form (:class:`autograd.ops.Op`), with no tuple of local derivatives;
- one walk both counts each op node's consumers (Kahn's algorithm) and takes out what earlier
  passes left in ``.grad``, so a pass starts from zero and then adds the old values back in
  (PyTorch's rule: two calls give twice the gradient, never micrograd's re-propagation);
- if anything raises midway (``KeyboardInterrupt``, ``detect_anomaly()``), every ``.grad`` is put
  back as it was.

A pass borrows the nodes' ``.grad`` slots, so two passes over shared nodes must not interleave:
each one holds :data:`GRAD_LOCK`, as does everything else that writes ``.grad`` or reads it to
move parameters (``zero_grad``, an optimizer's step, a compiled plan's call). Passes from several
threads then run one after another and their gradients add up exactly; the interpreter lock lets
only one thread compute at a time anyway, so nothing is lost by waiting.

Its sums start at +0.0 where the reference's start at the first term, so a gradient that is
exactly -0.0 in the reference reads +0.0 here (as it does after ``.grad += ...`` anywhere).
"""

from __future__ import annotations

import math
import numbers
import threading
from collections.abc import Callable, Iterable, Sequence
from typing import Any, Final, Protocol

import numpy as np

from autograd import messages, modes
from autograd.ops import Op

GRAD_LOCK: Final = threading.RLock()
"""Held while a pass or a step reads or writes ``.grad``: passes from several threads take turns.

Reentrant, so a pass started while it is held by the same thread (a loss that calls
``backward()`` inside a compiled plan's re-check, say) does not deadlock.
"""


class Node(Protocol):
    """What the pass reads and writes of a node (a ``Value``)."""

    grad: float

    @property
    def data(self) -> float: ...  # noqa: D102
    @property
    def label(self) -> str: ...  # noqa: D102
    @property
    def _op(self) -> Op | None: ...
    @property
    def _parents(self) -> tuple[Node, ...]: ...
    @property
    def _params(self) -> dict[str, float] | None: ...


def local_floats(node: Node) -> tuple[float, ...]:
    """Return ``d node / d parent_i`` as floats from the node's row of the table (op nodes only).

    A division by zero or an overflow inside a rule is redone in numpy floats, which follow
    IEEE 754 (``1/0 = inf``, ``0/0 = nan``) like the forward pass does.
    """
    op = node._op
    assert op is not None  # noqa: S101  # only called for op nodes (an internal invariant)
    inputs = [p.data for p in node._parents]
    params = node._params or {}
    try:
        return op.local_grads(*inputs, node.data, **params)
    except ArithmeticError:
        with np.errstate(all="ignore"):
            wide = [np.float64(x) for x in inputs]
            local = op.local_grads(*wide, np.float64(node.data), **params)
        return tuple(float(g) for g in local)


def backward(root: Node) -> None:
    """Add ``d root / d node`` into every ``node.grad`` of the graph (``Value.backward``)."""
    with GRAD_LOCK:
        FreshPass(root).add_back()


def fresh_grads(output: Node, wanted: Sequence[Node]) -> tuple[float, ...]:
    """Return ``d output / d x`` for each wanted ``x`` as floats, every ``.grad`` left as it was."""
    with GRAD_LOCK:
        before = [x.grad for x in wanted]
        for x in wanted:  # zero, so an input the pass does not reach reads 0
            x.grad = 0.0
        try:
            fresh = FreshPass(output)
            found = tuple(x.grad for x in wanted)
            fresh.undo()
        finally:
            for x, old in zip(wanted, before, strict=True):
                x.grad = old
    return found


def count_consumers(root: Node, saved: tuple[list[Node], list[float]]) -> dict[Node, int]:
    """Kahn's first walk over the op nodes: how many inputs of op nodes each one is (root: 0).

    Leaves are not counted (they only receive), and every nonzero ``.grad`` met on the way is
    moved out of its node into ``saved`` (nodes, values), so the pass can start from zero.
    """
    consumers: dict[Node, int] = {root: 0}
    count = consumers.get
    save_node, save_grad = saved[0].append, saved[1].append
    if root.grad or root.grad.__class__ is not float:  # a None set by hand too: it is re-set
        save_node(root)
        save_grad(root.grad)
        root.grad = 0.0
    stack = [root]
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        for parent in node._parents:
            if parent._op is None:  # a leaf only receives
                if parent.grad:
                    save_node(parent)
                    save_grad(parent.grad)
                    parent.grad = 0.0
                continue
            seen = count(parent)
            if seen is None:
                consumers[parent] = 1
                push(parent)
                if parent.grad:
                    save_node(parent)
                    save_grad(parent.grad)
                    parent.grad = 0.0
            else:
                consumers[parent] = seen + 1
    return consumers


class FreshPass:
    """One backward pass in floats, computed in the nodes' own ``.grad`` from zero.

    The first walk (:func:`count_consumers`) counts consumers and takes the old ``.grad``
    values out. The second releases each op node once all its consumers have given their
    share, so its ``.grad`` is complete when it is read as the upstream gradient, and adds
    ``local * upstream`` into each parent's ``.grad``. Afterwards every node of the graph holds
    this pass's gradient alone; the caller adds the saved ones back (:meth:`add_back`) or undoes
    the pass (:meth:`undo`).
    """

    __slots__ = ("consumers", "root", "saved_grads", "saved_nodes")

    def __init__(self, root: Node) -> None:
        self.root = root
        self.saved_nodes: list[Node] = []
        self.saved_grads: list[float] = []
        self.consumers: dict[Node, int] = {}
        counted = False
        try:
            self.consumers = count_consumers(root, (self.saved_nodes, self.saved_grads))
            counted = True
            root.grad = 1.0
            if root._op is not None:
                self._propagate(checked=bool(modes.MODE.get() & modes.ANOMALY))
        except BaseException as err:
            self.undo(touched=counted)
            if isinstance(err, TypeError | ArithmeticError):
                _raise_if_a_grad_is_not_a_number(self.consumers or (root,), err)
            raise

    def add_back(self) -> None:
        """Add the gradients the first walk took out back in: ``.grad = old + fresh``.

        All sums are computed and checked before any is stored, so a ``.grad`` set by hand to
        something that is not a real number (``None``, ``1j``) or to an int beyond the float
        range (``10**400``) undoes the whole pass and raises, naming the node; an int or a
        numpy number set by hand is added as a float.
        """
        nodes, olds = self.saved_nodes, self.saved_grads
        try:  # Any: a .grad set by hand may be anything, which the loop below sorts out
            sums: list[Any] = [old + node.grad for node, old in zip(nodes, olds, strict=True)]
        except (TypeError, ArithmeticError) as err:  # None + 1.0; 10**400 + 1.0 overflows
            self.undo()
            _raise_if_a_grad_is_not_a_number(nodes, err)
            raise
        for i, total in enumerate(sums):
            if total.__class__ is not float:  # a .grad set by hand: a numpy number, 1j, ...
                if not isinstance(total, numbers.Real):
                    self.undo()
                    raise TypeError(messages.grad_not_a_number(nodes[i], olds[i]))
                sums[i] = float(total)
        for node, total in zip(nodes, sums, strict=True):
            node.grad = total

    def _propagate(self, *, checked: bool) -> None:  # noqa: C901  # the hot loop, written out
        # Walk 2: release a node once all its consumers are done; its .grad is then complete.
        consumers = self.consumers
        stack = [self.root]
        push, pop = stack.append, stack.pop
        while stack:
            node = pop()
            upstream = node.grad
            parents = node._parents
            op: Op = node._op  # type: ignore[assignment]  # walk 2 sees op nodes only
            if checked or node._params is not None:  # anomaly checks, or pow and leaky_relu
                _release(node, upstream, checked, consumers, push)
                continue
            arity = len(parents)
            # The common binary node, unrolled: no zip, no helper call (a selecting row: below).
            if arity == 2 and not op.selects:  # noqa: PLR2004
                a, b = parents
                try:
                    da, db = op.local_grads(a.data, b.data, node.data)
                except ArithmeticError:
                    da, db = local_floats(node)
                a.grad += da * upstream
                if a._op is not None:
                    left = consumers[a] - 1
                    consumers[a] = left
                    if not left:
                        push(a)
                b.grad += db * upstream
                if b._op is not None:
                    left = consumers[b] - 1
                    consumers[b] = left
                    if not left:
                        push(b)
                continue  # (a jump back: CPython 3.11 specialises a loop's code only after such)
            if arity == 1:  # unary: unrolled too
                (a,) = parents
                try:
                    (d,) = op.local_grads(a.data, node.data)
                except ArithmeticError:
                    (d,) = local_floats(node)
                a.grad += d * upstream if d or not op.selects else 0.0  # Op.term, written out
                if a._op is not None:
                    left = consumers[a] - 1
                    consumers[a] = left
                    if not left:
                        push(a)
                continue
            if op.accumulate is not None:  # sum, dot: their rule adds in place
                op.accumulate(parents, upstream)
                for parent in parents:
                    if parent._op is not None:  # only op nodes wait for their consumers
                        left = consumers[parent] - 1
                        consumers[parent] = left
                        if not left:
                            push(parent)
                continue
            _release(node, upstream, checked, consumers, push)

    def undo(self, *, touched: bool = True) -> None:
        """Put every ``.grad`` back as it was before the pass (``touched``: walk 2 had begun)."""
        if touched:  # a .grad set to None by hand is left as it is: the pass stopped on it
            self.root.grad = 0.0
            for node in self.consumers:
                if node.grad is not None:
                    node.grad = 0.0
                for parent in node._parents:
                    if parent.grad is not None:
                        parent.grad = 0.0
        for node, old in zip(self.saved_nodes, self.saved_grads, strict=True):
            node.grad = old


def _release(
    node: Node,
    upstream: float,
    checked: bool,
    consumers: dict[Node, int],
    push: Callable[[Node], None],
) -> None:
    """Walk 2's general step: ``local * upstream`` into each parent, from ``local_floats``."""
    op: Op = node._op  # type: ignore[assignment]  # walk 2 sees op nodes only
    local = local_floats(node)
    if checked:
        _check_finite(node, local, upstream)
    if op.selects:  # Op.term: 0 where d is 0, whatever the upstream (x * 1.0 is x)
        local, upstream = tuple(op.term(d, upstream) for d in local), 1.0
    for parent, d in zip(node._parents, local, strict=True):
        parent.grad += d * upstream
        if parent._op is not None:
            left = consumers[parent] - 1
            consumers[parent] = left
            if not left:
                push(parent)


def _raise_if_a_grad_is_not_a_number(nodes: Iterable[Node], err: Exception) -> None:
    """After a failed pass: raise naming a ``.grad`` set by hand to something not a float.

    A TypeError for a non-number (``None``, ``1j``), a ValueError for an int beyond the float
    range (``10**400``, whose sum with a float overflows).
    """
    for node in nodes:
        for v in (node, *node._parents):
            found: object = v.grad  # a float, unless set by hand
            if isinstance(found, float):
                continue
            if not isinstance(found, numbers.Real):
                raise TypeError(messages.grad_not_a_number(v, found)) from err
            try:
                float(found)
            except OverflowError:
                raise ValueError(messages.grad_beyond_float_range(v, found)) from err


def _check_finite(node: Node, local: tuple[float, ...], upstream: float) -> None:
    """Under ``detect_anomaly()``: raise at the first nan or inf ``local * upstream``."""
    op = node._op
    assert op is not None  # noqa: S101  # only called for op nodes (an internal invariant)
    for i, d in enumerate(local):
        if not math.isfinite(op.term(d, upstream)):
            inputs = messages.format_inputs(node._parents)
            raise FloatingPointError(
                messages.backward_anomaly(op, node.label, i, d, upstream, inputs)
            )
