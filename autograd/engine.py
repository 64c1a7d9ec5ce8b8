"""``Value``, graph construction from the primitive table, the one iterative walk, backward.

A node stores its number, its gradient, its primitive (a row of :mod:`autograd.ops`), its
parents and the row's constant parameters -- nothing else. ``node.local_grads()`` binds the
row's local-derivative rule to the node's inputs on demand, so no node holds a closure over
itself: graphs form no reference cycles and are freed by reference counting alone.

>>> x = Value(2.0, label="x")
>>> y = x * x + 3 * x
>>> y.backward()
>>> (y.data, x.grad)
(10.0, 7.0)
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Final, SupportsIndex, overload

import numpy as np

from autograd import ops
from autograd._checks import describe
from autograd.ops import Op

# One context variable holds the recording mode, so every op pays a single lookup. A
# ContextVar (not a global) keeps no_grad() and detect_anomaly() per thread and per asyncio task.
_NO_GRAD: Final = 1
_ANOMALY: Final = 2
_MODE: ContextVar[int] = ContextVar("autograd_mode", default=0)


def as_float(x: object, what: str) -> float:
    """Return ``x`` as a float if it is a real number, else raise a ``TypeError`` naming ``what``.

    ``bool`` counts as the number 0 or 1, as in Python, numpy and PyTorch; numpy scalars
    become plain floats; complex numbers, strings, None, lists and arrays are refused (an array
    is shown by its shape).

    >>> as_float(np.float64(2.5), "Value")
    2.5
    >>> as_float("2", "mul")
    Traceback (most recent call last):
    ...
    TypeError: mul: expected a real number (a Value, int or float), got str '2'; ...
    """
    if type(x) is float:
        return x
    # int first: the abstract-class check below costs more than the conversion
    if type(x) is int or isinstance(x, numbers.Real):  # bool, numpy scalars; not arrays, complex
        try:
            return float(x)
        except OverflowError as err:  # an int beyond the float range
            raise ValueError(
                f"{what}: {describe(x)} is too large for a float (|x| > 1.8e308); "
                "pass float('inf') if infinity is meant"
            ) from err
    raise TypeError(
        f"{what}: expected a real number (a Value, int or float), got {describe(x)}; "
        "convert it with float(...) first"
    )


_new = object.__new__


def _node(
    data: float, op: Op | None, parents: tuple[Value, ...], params: dict[str, float] | None
) -> Value:
    out: Value = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._parents = parents
    out._params = params
    return out


def _constant(x: object, what: str) -> Value:
    if isinstance(x, Value):
        return x
    return _node(as_float(x, what), None, (), None)


def _operand(x: object, op: Op) -> Value:
    """``x`` as a Value: a plain number becomes a constant leaf (the error names ``op``)."""
    if type(x) is float:  # the hot path: no isinstance chain, no message built
        leaf: Value = _new(Value)
        leaf.data = x
        leaf.grad = 0.0
        leaf.label = ""
        leaf._op = None
        leaf._parents = ()
        leaf._params = None
        return leaf
    return _constant(x, f"{op.name} ({op.symbol})")


def _record(
    op: Op, parents: tuple[Value, ...], params: dict[str, float] | None, data: float
) -> Value:
    mode = _MODE.get()
    if not mode:
        return _node(data, op, parents, params)
    if mode & _ANOMALY and not math.isfinite(data):
        raise FloatingPointError(_forward_anomaly(op, parents, params, data))
    if mode & _NO_GRAD:
        return _node(data, None, (), None)
    return _node(data, op, parents, params)


def _apply(op: Op, parents: tuple[Value, ...], params: dict[str, float] | None = None) -> Value:
    """Compute ``op`` on the parents' numbers and record the new node (unless in no_grad)."""
    if params:
        data = op.forward(*[p.data for p in parents], **params)
    else:
        data = op.forward(*[p.data for p in parents])
    return _record(op, parents, params, data)


def _binary(op: Op, a: Value, b: object) -> Value:
    # The hot path of every expression, written out: no helper calls, no message formatting.
    if type(b) is not Value:
        b = _operand(b, op)
    data = op.forward(a.data, b.data)
    if _MODE.get():
        return _record(op, (a, b), None, data)
    out: Value = _new(Value)
    out.data = data
    out.grad = 0.0
    out.label = ""
    out._op = op
    out._parents = (a, b)
    out._params = None
    return out


def _rbinary(op: Op, b: Value, a: object) -> Value:
    a = _operand(a, op)
    return _record(op, (a, b), None, op.forward(a.data, b.data))


class Value:
    """A scalar node of a computation graph: a number, its gradient and how it was made.

    Args:
        data: the number (an int, a float, a numpy scalar; ``bool`` counts as 0 or 1).
        label: a name shown in graph pictures and error messages.

    Arithmetic with Values or plain numbers on either side builds new nodes; comparisons
    (``<``, ``<=``, ``>``, ``>=``) compare ``.data`` and build nothing; ``==`` and ``hash`` are
    identity, so nodes can key dicts.

    >>> a, b = Value(2.0, label="a"), Value(-3.0, label="b")
    >>> c = a * b + b ** 2
    >>> c.backward()
    >>> (c.data, a.grad, b.grad)
    (3.0, -3.0, -4.0)
    """

    # Parents stay in a tuple even for binary nodes: with two slots instead, CPython's cyclic
    # collector hit a slow path on deep graphs built inside a function (a 1e6-op chain took
    # 5.6 s to build instead of 1.4 s), though the tuple costs 40 bytes per node.
    __slots__ = ("_op", "_params", "_parents", "data", "grad", "label")
    __array_ufunc__ = None  # numpy defers to our operators instead of broadcasting over Values

    data: float
    grad: float
    label: str
    _op: Op | None
    _parents: tuple[Value, ...]
    _params: dict[str, float] | None

    def __init__(self, data: float, label: str = "") -> None:
        self.data = as_float(data, "Value")
        self.grad = 0.0
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {describe(label)}")
        self.label = label
        self._op = None
        self._parents = ()
        self._params = None

    # --- what the node knows about itself ---

    @property
    def op(self) -> Op | None:
        """The primitive that made this node (a row of ``autograd.ops.OPS``), None for a leaf."""
        return self._op

    @property
    def parents(self) -> tuple[Value, ...]:
        """The inputs of the op, in order, duplicates kept (``a * a`` has two)."""
        return self._parents

    @property
    def params(self) -> dict[str, float]:
        """The op's constant parameters (``slope``, ``exponent``); empty for most ops."""
        return dict(self._params) if self._params else {}

    def local_grads(self) -> tuple[float, ...]:
        """Return ``d self / d parent_i`` for each parent, from the op's row in the table.

        >>> x = Value(3.0)
        >>> (x * x).local_grads()
        (3.0, 3.0)
        """
        if self._op is None:
            return ()
        return _float_local_grads(self)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data

    def __reduce_ex__(self, protocol: SupportsIndex) -> str | tuple[Any, ...]:
        """Copy and pickle leaves only, as PyTorch does: a computed node belongs to its graph.

        ``copy.deepcopy(model)`` and pickling parameters work (number, gradient and label);
        a node made by an operation is refused with a ``TypeError`` at once, however deep
        its graph, instead of failing deep inside ``pickle`` or recursing.

        >>> import copy
        >>> copy.deepcopy(Value(2.0, label="w"))
        Value(data=2.0, grad=0.0, label='w')
        >>> copy.deepcopy(Value(2.0) * 3)
        Traceback (most recent call last):
        ...
        TypeError: copy/pickle: Value(data=6.0, grad=0.0) was computed by mul (*) and ...
        """
        op = self._op
        if op is not None:
            raise TypeError(
                f"copy/pickle: {self!r} was computed by {op.name} ({op.symbol}) and belongs to "
                "its graph; only leaves (Values you made) can be copied or pickled, as in "
                "PyTorch. Copy its number with .detach(), or save a model's parameters with "
                "autograd.serialize.save"
            )
        return super().__reduce_ex__(protocol)

    # --- operators: each one line into the table ---

    def __add__(self, other: Value | float) -> Value:
        return _binary(ops.ADD, self, other)

    def __radd__(self, other: Value | float) -> Value:
        return _rbinary(ops.ADD, self, other)

    def __sub__(self, other: Value | float) -> Value:
        return _binary(ops.SUB, self, other)

    def __rsub__(self, other: Value | float) -> Value:
        return _rbinary(ops.SUB, self, other)

    def __mul__(self, other: Value | float) -> Value:
        return _binary(ops.MUL, self, other)

    def __rmul__(self, other: Value | float) -> Value:
        return _rbinary(ops.MUL, self, other)

    def __truediv__(self, other: Value | float) -> Value:
        return _binary(ops.DIV, self, other)

    def __rtruediv__(self, other: Value | float) -> Value:
        return _rbinary(ops.DIV, self, other)

    def __neg__(self) -> Value:
        return _apply(ops.NEG, (self,))

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _apply(ops.VPOW, (self, other))
        return _apply(ops.POW, (self,), _param("exponent", as_float(other, "pow (**)")))

    def __rpow__(self, other: Value | float) -> Value:
        return _rbinary(ops.VPOW, self, other)

    def __abs__(self) -> Value:
        return _apply(ops.OPS["abs"], (self,))

    # --- comparisons read .data and build no node ---

    def __lt__(self, other: Value | float) -> bool:
        return self.data < _number(other, "<")

    def __le__(self, other: Value | float) -> bool:
        return self.data <= _number(other, "<=")

    def __gt__(self, other: Value | float) -> bool:
        return self.data > _number(other, ">")

    def __ge__(self, other: Value | float) -> bool:
        return self.data >= _number(other, ">=")

    __hash__ = object.__hash__

    # --- functions: one line each into the table ---

    def exp(self) -> Value:
        """Return ``e**self``.

        >>> Value(0.0).exp().data
        1.0
        """
        return _apply(_EXP, (self,))

    def log(self) -> Value:
        """Return the natural log (``-inf`` at 0, ``nan`` below).

        >>> Value(1.0).log().data
        0.0
        """
        return _apply(_LOG, (self,))

    def tanh(self) -> Value:
        """Return ``tanh(self)``.

        >>> x = Value(0.0)
        >>> y = x.tanh()
        >>> y.backward()
        >>> (y.data, x.grad)
        (0.0, 1.0)
        """
        return _apply(_TANH, (self,))

    def sigmoid(self) -> Value:
        """Return the logistic function ``1 / (1 + e**-self)``.

        >>> x = Value(0.0)
        >>> y = x.sigmoid()
        >>> y.backward()
        >>> (y.data, x.grad)
        (0.5, 0.25)
        """
        return _apply(_SIGMOID, (self,))

    def relu(self) -> Value:
        """Return ``max(0, self)``; its derivative at 0 is 0 (PyTorch's convention).

        >>> Value(-2.0).relu().data, Value(3.0).relu().data
        (0.0, 3.0)
        """
        return _apply(_RELU, (self,))

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """Return ``self`` if positive, else ``slope * self``.

        >>> Value(-2.0).leaky_relu(0.25).data
        -0.5
        """
        return _apply(_LEAKY_RELU, (self,), _param("slope", as_float(slope, "leaky_relu slope")))

    def softplus(self) -> Value:
        """Return ``log(1 + e**self)``, stable for large ``|self|``; its derivative is sigmoid.

        >>> Value(0.0).softplus().data == math.log(2.0)
        True
        """
        return _apply(_SOFTPLUS, (self,))

    def sqrt(self) -> Value:
        """Return the square root (``nan`` below 0; derivative ``inf`` at 0).

        >>> Value(9.0).sqrt().data
        3.0
        """
        return _apply(_SQRT, (self,))

    def abs(self) -> Value:
        """Return ``|self|``; its derivative at 0 is 0 (PyTorch's convention).

        >>> Value(-2.0).abs().data
        2.0
        """
        return _apply(_ABS, (self,))

    def sin(self) -> Value:
        """Return ``sin(self)``.

        >>> Value(0.0).sin().data
        0.0
        """
        return _apply(_SIN, (self,))

    def cos(self) -> Value:
        """Return ``cos(self)``.

        >>> Value(0.0).cos().data
        1.0
        """
        return _apply(_COS, (self,))

    # --- gradients ---

    def detach(self) -> Value:
        """Return a new leaf with the same number: gradients do not flow through it.

        >>> x = Value(3.0)
        >>> y = x * x.detach()
        >>> y.backward()
        >>> x.grad
        3.0
        """
        return _node(self.data, None, (), None)

    def backward(self) -> None:
        """Add ``d self / d node`` into ``node.grad`` for every node of the graph.

        ``self.grad`` receives 1. Each call computes its gradients afresh and then adds them
        in, so a second call adds exactly one more gradient (PyTorch's rule); reset with
        :func:`zero_grad`. If the pass raises (``detect_anomaly()``, Ctrl-C), no ``.grad``
        changes. Two passes over shared nodes must not run at once in different threads.

        >>> x = Value(2.0)
        >>> y = (x * x) * 3
        >>> y.backward(); y.backward()
        >>> x.grad
        24.0
        """
        _FreshPass(self).add_back()


_EXP: Final = ops.OPS["exp"]
_LOG: Final = ops.OPS["log"]
_TANH: Final = ops.OPS["tanh"]
_SIGMOID: Final = ops.OPS["sigmoid"]
_RELU: Final = ops.OPS["relu"]
_LEAKY_RELU: Final = ops.OPS["leaky_relu"]
_SOFTPLUS: Final = ops.OPS["softplus"]
_SQRT: Final = ops.OPS["sqrt"]
_ABS: Final = ops.OPS["abs"]
_SIN: Final = ops.OPS["sin"]
_COS: Final = ops.OPS["cos"]


_PARAMS: Final[dict[tuple[str, float, float], dict[str, float]]] = {}
_PARAMS_KEPT: Final = 256  # distinct (name, value) pairs shared; past that, one dict per node


def _param(name: str, value: float) -> dict[str, float]:
    """``{name: value}`` for an op's constant parameter, one shared dict per value.

    ``x ** 2`` is everywhere (squared errors, L2); sharing the dict keeps a pow node as small as
    any other. Nothing writes to a node's parameters (``Value.params`` hands out a copy).
    """
    key = (name, value, math.copysign(1.0, value))  # 0.0 and -0.0 are different exponents
    params = _PARAMS.get(key)
    if params is None:
        params = {name: value}
        if value == value and len(_PARAMS) < _PARAMS_KEPT:  # nan never matches a key
            _PARAMS[key] = params
    return params


def _number(x: object, what: str) -> float:
    return x.data if isinstance(x, Value) else as_float(x, f"comparison {what}")


# --- n-ary nodes ---------------------------------------------------------------------------------


def sum_values(values: Iterable[Value | float]) -> Value:
    """Return the sum of many Values as one n-ary node (one op box, one edge per term).

    >>> xs = [Value(1.0), Value(2.0), Value(3.5)]
    >>> s = sum_values(xs)
    >>> s.backward()
    >>> (s.data, [x.grad for x in xs])
    (6.5, [1.0, 1.0, 1.0])
    """
    parents = tuple(_constant(v, "sum_values") for v in values)
    if not parents:
        return _node(0.0, None, (), None)
    return _apply(ops.SUM, parents)


def dot(
    weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float = 0.0
) -> Value:
    """Return ``bias + sum(w_i * x_i)`` as one fused node: a neuron's weighted sum.

    Its local derivatives are ``x_i`` for ``w_i``, ``w_i`` for ``x_i`` and 1 for the bias --
    the same gradients as ``2n`` separate ``*`` and ``+`` nodes, with one node instead.

    >>> w, x, b = [Value(2.0), Value(-1.0)], [Value(3.0), Value(4.0)], Value(0.5)
    >>> y = dot(w, x, b)
    >>> y.backward()
    >>> (y.data, [wi.grad for wi in w], [xi.grad for xi in x], b.grad)
    (2.5, [3.0, 4.0], [2.0, -1.0], 1.0)
    """
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot: got {len(weights)} weights and {len(inputs)} inputs; they must pair up"
        )
    parents: list[Value] = []
    for w, x in zip(weights, inputs, strict=True):
        parents.append(_constant(w, "dot weight"))
        parents.append(_constant(x, "dot input"))
    parents.append(_constant(bias, "dot bias"))
    return _apply(ops.DOT, tuple(parents))


# --- recording modes -----------------------------------------------------------------------------


@contextmanager
def no_grad() -> Iterator[None]:
    """Record nothing inside: results are leaves (per thread and per asyncio task).

    >>> x = Value(2.0)
    >>> with no_grad():
    ...     y = x * x
    >>> y.op is None
    True
    """
    token = _MODE.set(_MODE.get() | _NO_GRAD)
    try:
        yield
    finally:
        _MODE.reset(token)


@contextmanager
def detect_anomaly() -> Iterator[None]:
    """Raise ``FloatingPointError`` at the first nan or inf made in forward or backward.

    >>> with detect_anomaly():
    ...     Value(0.0, label="x").log()
    Traceback (most recent call last):
    ...
    FloatingPointError: log produced -inf from x=0.0 ('x'); log is defined for x > 0
    """
    token = _MODE.set(_MODE.get() | _ANOMALY)
    try:
        yield
    finally:
        _MODE.reset(token)


def anomaly_enabled() -> bool:
    """Return whether :func:`detect_anomaly` is on in this thread or task.

    >>> with detect_anomaly():
    ...     anomaly_enabled()
    True
    """
    return bool(_MODE.get() & _ANOMALY)


@contextmanager
def recording() -> Iterator[None]:
    """Record graphs inside, even within ``no_grad()`` or ``detect_anomaly()`` (for tracing).

    >>> with no_grad(), recording():
    ...     (Value(2.0) * 3).op.name
    'mul'
    """
    token = _MODE.set(0)
    try:
        yield
    finally:
        _MODE.reset(token)


def format_inputs(parents: Sequence[Value], values: Sequence[Any] | None = None) -> str:
    """Name an op's inputs for an anomaly message: ``x=0.0 ('x')`` or ``a=..., b=...``."""
    names = ("x",) if len(parents) == 1 else ("a", "b") if len(parents) == 2 else None  # noqa: PLR2004
    parts = []
    for i, p in enumerate(parents):
        name = names[i] if names else f"input{i}"
        value = p.data if values is None else values[i]
        label = f" ({p.label!r})" if p.label else ""
        parts.append(f"{name}={value!r}{label}")
    return ", ".join(parts)


def _forward_anomaly(
    op: Op, parents: tuple[Value, ...], params: dict[str, float] | None, data: float
) -> str:
    extra = "".join(f", {k}={v!r}" for k, v in (params or {}).items())
    return (
        f"{op.name} produced {data!r} from {format_inputs(parents)}{extra}; "
        f"{op.name} is defined for {op.domain.where}"
    )


def _backward_anomaly(node: Value, index: int, local: Any, upstream: Any) -> str:
    op = node._op
    assert op is not None  # noqa: S101  # only called for op nodes (an internal invariant)
    label = f" {node.label!r}" if node.label else ""
    return (
        f"backward through {op.name} node{label} gave d out/d input{index} = {local!r} "
        f"times upstream {upstream!r}, from inputs {format_inputs(node._parents)}; "
        f"{op.name} is defined for {op.domain.where}"
    )


# --- the one graph walk --------------------------------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Return every node ``root`` depends on, parents before children, ``root`` last.

    Kahn's algorithm run from the root, with explicit stacks: one pass counts each node's
    consumers, a second releases a node once all its consumers are placed. No recursion, so
    graphs millions of nodes deep work; the order is deterministic (it follows parent order).

    >>> a = Value(1.0, label="a")
    >>> b = a + a
    >>> [n.label or n.op.name for n in topological_order(b * a)]
    ['a', 'add', 'mul']
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order: root must be a Value, got {describe(root)}")
    return _kahn_order(root)


def _count_consumers(
    root: Value, taken: tuple[list[Value], list[float]] | None = None
) -> dict[Value, int]:
    """Kahn's first walk: how many inputs of the graph's nodes each node is (``root``: 0).

    For a topological order every node is counted. For a backward pass (``taken`` given) only
    op nodes are -- leaves only receive -- and every nonzero ``.grad`` met on the way is moved
    out of its node into ``taken`` (nodes, values), so the pass can start from zero.
    """
    consumers: dict[Value, int] = {root: 0}
    count = consumers.get
    taking = taken is not None
    if taken is not None:
        take_node, take_grad = taken[0].append, taken[1].append
        if root.grad:
            take_node(root)
            take_grad(root.grad)
            root.grad = 0.0
    stack = [root]
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        for parent in node._parents:
            if taking and parent._op is None:  # backward: a leaf only receives
                if parent.grad:
                    take_node(parent)
                    take_grad(parent.grad)
                    parent.grad = 0.0
                continue
            seen = count(parent)
            if seen is None:
                consumers[parent] = 1
                push(parent)
                if taking and parent.grad:
                    take_node(parent)
                    take_grad(parent.grad)
                    parent.grad = 0.0
            else:
                consumers[parent] = seen + 1
    return consumers


def _kahn_order(root: Value) -> list[Value]:
    consumers = _count_consumers(root)
    order: list[Value] = []
    place = order.append
    stack = [root]
    push, pop = stack.append, stack.pop
    while stack:
        node = pop()
        place(node)
        # Popped last-first: the reversed order lists parents first-first.
        for parent in node._parents:
            left = consumers[parent] - 1
            consumers[parent] = left
            if not left:
                push(parent)
    order.reverse()
    return order


def depths(order: Sequence[Value]) -> dict[Value, int]:
    """Return each node's depth: 0 for a leaf, else 1 + the deepest input (one pass, no recursion).

    ``order`` is a topological order (parents first). The compiled planner runs a graph level by
    level by these depths; collapsed pictures band nodes by them.

    >>> x = Value(1.0)
    >>> sorted(depths(topological_order((x * 2).tanh())).values())
    [0, 0, 1, 2]
    """
    depth: dict[Value, int] = {}
    for node in order:
        depth[node] = 1 + max((depth[p] for p in node._parents), default=-1)
    return depth


def zero_grad(values: Value | Iterable[Value]) -> None:
    """Set ``.grad`` of every given node (or of one Value) to 0.

    Raises:
        TypeError: if ``values`` is not a Value or an iterable of Values; nothing is reset then.

    >>> x = Value(1.0); (x * 2).backward(); zero_grad([x]); x.grad
    0.0
    """
    if isinstance(values, Value):
        values = (values,)
    try:
        nodes = list(values)
    except TypeError:
        raise TypeError(
            f"zero_grad: expected Values (a list, or model.parameters()), got {describe(values)}"
        ) from None
    for i, v in enumerate(nodes):
        if not isinstance(v, Value):
            raise TypeError(f"zero_grad: values[{i}] must be a Value, got {describe(v)}")
    for v in nodes:
        v.grad = 0.0


def _float_local_grads(node: Value) -> tuple[float, ...]:
    op = node._op
    assert op is not None  # noqa: S101  # only called for op nodes (an internal invariant)
    inputs = [p.data for p in node._parents]
    params = node._params or {}
    try:
        return op.local_grads(*inputs, node.data, **params)
    except ArithmeticError:
        # A division by zero or overflow inside a rule: redo it in numpy floats, which follow
        # IEEE 754 (1/0 = inf, 0/0 = nan) like the forward pass does.
        with np.errstate(all="ignore"):
            wide = [np.float64(x) for x in inputs]
            local = op.local_grads(*wide, np.float64(node.data), **params)
        return tuple(float(g) for g in local)


class _FreshPass:
    """One backward pass in floats, computed in the nodes' own ``.grad`` from zero.

    A pass must not re-propagate what an earlier pass left in an interior node's ``.grad``
    (micrograd's bug), so the first walk -- Kahn's consumer count over the op nodes -- also
    takes every nonzero ``.grad`` it meets out of its node (into ``saved_nodes`` and
    ``saved_grads``) and zeroes it. The second walk releases each op node once all its
    consumers have given their share, so its ``.grad`` is complete when it is read as the
    upstream gradient, and adds ``local * upstream`` into each parent's ``.grad``. Afterwards
    every node of the graph holds this pass's gradient alone; the caller adds the saved ones
    back (``backward``) or undoes the pass (``grad``).

    Keeping the running sums in the nodes' slots instead of a dict keyed by node halves the
    cost of backward on big graphs. If anything raises midway (``KeyboardInterrupt``, a
    ``FloatingPointError`` under ``detect_anomaly()``), every ``.grad`` is put back as it was.
    """

    __slots__ = ("consumers", "root", "saved_grads", "saved_nodes")

    def __init__(self, root: Value) -> None:
        self.root = root
        self.saved_nodes: list[Value] = []
        self.saved_grads: list[float] = []
        self.consumers: dict[Value, int] = {}
        counted = False
        try:
            self.consumers = _count_consumers(root, (self.saved_nodes, self.saved_grads))
            counted = True
            root.grad = 1.0
            if root._op is not None:
                self._propagate(checked=bool(_MODE.get() & _ANOMALY))
        except BaseException as err:
            self.undo(touched=counted)
            if isinstance(err, TypeError):
                _raise_if_a_grad_is_not_a_number(self.consumers or (root,), err)
            raise

    def add_back(self) -> None:
        """Add the gradients the first walk took out back in: ``.grad = old + fresh``.

        All sums are computed before any is stored, so a ``.grad`` that is not a number
        (set by hand) undoes the whole pass and raises, naming the node.
        """
        nodes = self.saved_nodes
        try:
            sums = [old + node.grad for node, old in zip(nodes, self.saved_grads, strict=True)]
        except TypeError as err:
            self.undo()
            _raise_if_a_grad_is_not_a_number(nodes, err)
            raise
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
            # The common binary node, unrolled: no zip, no helper call.
            if not checked and node._params is None and len(parents) == 2:  # noqa: PLR2004
                a, b = parents
                try:
                    rule = node._op.local_grads  # type: ignore[union-attr]  # walk 2 sees op nodes only
                    da, db = rule(a.data, b.data, node.data)
                except ArithmeticError:
                    da, db = _float_local_grads(node)
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
                continue
            local = _float_local_grads(node)
            if checked:
                _check_finite(node, local, upstream)
            for parent, d in zip(parents, local, strict=True):
                parent.grad += d * upstream
                if parent._op is not None:
                    left = consumers[parent] - 1
                    consumers[parent] = left
                    if not left:
                        push(parent)

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


def _raise_if_a_grad_is_not_a_number(nodes: Iterable[Value], err: TypeError) -> None:
    """After a failed pass: raise a TypeError naming a ``.grad`` set to a non-number."""
    for node in nodes:
        for v in (node, *node._parents):
            found: object = v.grad  # a float, unless set by hand
            if not isinstance(found, numbers.Real):
                raise TypeError(
                    f"backward: {v!r} has .grad = {describe(found)}, not a number; reset "
                    "gradients with zero_grad(...) (0.0, not None). No .grad was changed"
                ) from err


def _check_finite(node: Value, local: tuple[float, ...], upstream: float) -> None:
    """Under ``detect_anomaly()``: raise at the first nan or inf ``local * upstream``."""
    for i, d in enumerate(local):
        if not math.isfinite(d * upstream):
            raise FloatingPointError(_backward_anomaly(node, i, d, upstream))


def _graph_backprop(root: Value) -> dict[Value, Any]:
    """One backward pass whose gradients are Values: the same rules, applied to nodes."""
    order = _kahn_order(root)
    grads: dict[Value, Any] = {root: 1.0}
    for node in reversed(order):
        op = node._op
        if op is None:
            continue
        upstream = grads[node]
        local = op.local_grads(*node._parents, node, **(node._params or {}))
        for parent, d in zip(node._parents, local, strict=True):
            g = d * upstream
            grads[parent] = grads[parent] + g if parent in grads else g
    return grads


@overload
def grad(output: Value, inputs: Value, create_graph: bool = False) -> Value | float: ...
@overload
def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> tuple[Any, ...]: ...
def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False) -> Any:
    """Return ``d output / d input`` for each input, leaving every ``.grad`` as it was.

    The float pass runs in the nodes' ``.grad`` and puts each one back afterwards (also when
    it raises), so, like ``backward()``, it must not run at the same time as another pass over
    the same nodes in another thread.

    With ``create_graph=True`` the gradients are Values built from the same local-derivative
    rules, so they can be differentiated again (second derivatives, Hessians). An input the
    output does not depend on gets 0.

    Args:
        output: the Value to differentiate.
        inputs: one Value, or a sequence of them.
        create_graph: return differentiable Values instead of floats.

    Returns:
        A float (or Value) for a single input, else a tuple of them in the inputs' order.

    >>> x = Value(0.5)
    >>> y = x ** 3
    >>> dy = grad(y, x, create_graph=True)
    >>> d2y = grad(dy, x)
    >>> (dy.data, d2y)
    (0.75, 3.0)
    """
    if not isinstance(output, Value):
        raise TypeError(f"grad: output must be a Value, got {describe(output)}")
    single = isinstance(inputs, Value)
    wanted: Sequence[Value] = (inputs,) if single else tuple(inputs)  # type: ignore[arg-type,assignment]
    for i, x in enumerate(wanted):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {describe(x)}")
    if create_graph:
        graph_grads = _graph_backprop(output)
        found: tuple[Any, ...] = tuple(_constant(graph_grads.get(x, 0.0), "grad") for x in wanted)
    else:
        found = _fresh_grads(output, wanted)
    return found[0] if single else found


def _fresh_grads(output: Value, wanted: Sequence[Value]) -> tuple[float, ...]:
    """``d output / d x`` for each wanted ``x`` as floats, every ``.grad`` left as it was."""
    before = [x.grad for x in wanted]
    for x in wanted:  # zero, so an input the pass does not reach reads 0
        x.grad = 0.0
    try:
        fresh = _FreshPass(output)
        found = tuple(x.grad for x in wanted)
        fresh.undo()
    finally:
        for x, old in zip(wanted, before, strict=True):
            x.grad = old
    return found
