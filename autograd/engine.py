"""The core: ``Value``, nodes made from the primitive table, the topological order, backward.

Read it top to bottom. A node stores its number, its gradient, its primitive (a row of
:mod:`autograd.ops`), its parents and the row's constant parameters -- nothing else.
``node.local_grads()`` evaluates the row's rule on the node's inputs on demand, so no node holds
a closure over itself: graphs form no reference cycles and are freed by reference counting.
:func:`backprop` is the backward pass written as plainly as the idea; ``backward()`` runs the
same pass tuned for speed (:mod:`autograd.fast_backward`), which gives the same numbers.

>>> x = Value(2.0, label="x")
>>> y = x * x + 3 * x
>>> y.backward()
>>> (y.data, x.grad)
(10.0, 7.0)
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import repeat
from typing import Any, overload

from autograd import _checks, fast_backward, modes, ops
from autograd.messages import describe, format_inputs, forward_anomaly
from autograd.ops import Op
from autograd.storage import LeavesOnlyCopy, shared_param

# --- making nodes from a row of the table ------------------------------------------------------

_new = object.__new__  # fills the slots directly: no __init__ checks on the hot path
_MODE = modes.MODE  # the recording mode, read once per op


def _node(
    data: float, op: Op | None, parents: tuple[Value, ...], params: dict[str, float] | None
) -> Value:
    out: Value = _new(Value)
    out.data, out.grad, out.label = data, 0.0, ""
    out._op, out._parents, out._params = op, parents, params
    return out


def _leaf(x: object, what: str) -> Value:
    """``x`` itself if it is a Value, else a constant leaf holding the number."""
    if isinstance(x, Value):
        return x
    return _node(_checks.number(what, x), None, (), None)


def _operand(x: object, op: Op) -> Value:
    """An operator's other input as a Value: ``2`` in ``x * 2`` becomes a constant leaf."""
    if type(x) is float:  # the hot path: _node written out, no isinstance chain, no message
        leaf: Value = _new(Value)
        leaf.data, leaf.grad, leaf.label = x, 0.0, ""
        leaf._op, leaf._parents, leaf._params = None, (), None
        return leaf
    return _leaf(x, f"{op.name} ({op.symbol})")


def _record(
    op: Op, parents: tuple[Value, ...], params: dict[str, float] | None, data: float
) -> Value:
    """The node ``op`` made from ``parents``, as the recording mode says (:mod:`autograd.modes`)."""
    mode = _MODE.get()
    if not mode:
        return _node(data, op, parents, params)
    if mode & modes.ANOMALY and not math.isfinite(data):
        raise FloatingPointError(forward_anomaly(op, data, format_inputs(parents), params))
    if mode & modes.NO_GRAD:
        return _node(data, None, (), None)  # a leaf: nothing recorded
    return _node(data, op, parents, params)


def _apply(op: Op, parents: tuple[Value, ...], params: dict[str, float] | None = None) -> Value:
    """Compute ``op`` on the parents' numbers and record the new node."""
    inputs = [p.data for p in parents]
    data = op.forward(*inputs, **params) if params else op.forward(*inputs)
    return _made(op, parents, params, data)


def _made(
    op: Op, parents: tuple[Value, ...], params: dict[str, float] | None, data: float
) -> Value:
    """The node of ``op`` on ``parents`` whose number is ``data``, recorded as the mode says."""
    if _MODE.get():
        return _record(op, parents, params, data)
    out: Value = _new(Value)  # _node(data, op, parents, params) written out, as in _binary
    out.data, out.grad, out.label = data, 0.0, ""
    out._op, out._parents, out._params = op, parents, params
    return out


def _unary(op: Op, a: Value) -> Value:
    # ``x.relu()`` and friends, written out like _binary
    data = op.forward(a.data)
    if _MODE.get():
        return _record(op, (a,), None, data)
    out: Value = _new(Value)
    out.data, out.grad, out.label = data, 0.0, ""
    out._op, out._parents, out._params = op, (a,), None
    return out


def _binary(op: Op, a: Value, b: object) -> Value:
    # ``a + b`` and friends: the hot path of every expression, written out (no helper calls).
    if type(b) is not Value:
        b = _operand(b, op)
    data = op.forward(a.data, b.data)
    if _MODE.get():
        return _record(op, (a, b), None, data)
    out: Value = _new(Value)  # _node(data, op, (a, b), None) written out: a call costs as much
    out.data, out.grad, out.label = data, 0.0, ""
    out._op, out._parents, out._params = op, (a, b), None
    return out


def _rbinary(op: Op, b: Value, a: object) -> Value:
    # ``2 * x``: Python calls x.__rmul__(2); the number is the left input.
    a = _operand(a, op)
    return _record(op, (a, b), None, op.forward(a.data, b.data))


def apply(op: Op, /, *inputs: Value | float, **params: float) -> Value:
    """Return the node ``op`` computes from ``inputs`` (Values or numbers) and ``params``.

    How a registered op's function (:func:`autograd.ops.register`) builds its nodes: the same
    ``_apply`` as every method, after checking the number of inputs and the parameters' names.

    >>> apply(ops.MUL, Value(2.0), 3).data, apply(ops.LEAKY_RELU, -2.0, slope=0.5).data
    (6.0, -1.0)
    """
    if op.arity is not None and len(inputs) != op.arity:
        raise TypeError(f"{op.name} takes {op.arity} input(s), got {len(inputs)}")
    unknown = sorted(set(params) - set(op.domain.params))
    if unknown:
        raise TypeError(
            f"{op.name}: unknown parameter {unknown[0]!r} (its parameters: "
            f"{sorted(op.domain.params)})"
        )
    parents = tuple(_leaf(x, f"{op.name} input {i}") for i, x in enumerate(inputs))
    checked = {name: _checks.number(f"{op.name} {name}", v) for name, v in params.items()}
    return _apply(op, parents, checked or None)


ops._set_node_builder(apply)  # registered ops build their nodes here (ops cannot import us)


class Value(LeavesOnlyCopy):
    """A scalar node of a computation graph: a number, its gradient and how it was made.

    Args:
        data: the number (an int, a float, a numpy scalar; ``bool`` counts as 0 or 1).
        label: a name shown in graph pictures and error messages.

    Arithmetic with Values or plain numbers on either side builds new nodes; comparisons
    (``<``, ``<=``, ``>``, ``>=``) compare ``.data`` and build nothing; ``==`` and ``hash`` are
    identity, so nodes can key dicts. Leaves can be copied and pickled, computed nodes not
    (see :class:`autograd.storage.LeavesOnlyCopy`).

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
        if not isinstance(label, str):
            raise TypeError(f"Value: label must be a str, got {describe(label)}")
        self.data, self.grad, self.label = _checks.number("Value", data), 0.0, label
        self._op, self._parents, self._params = None, (), None

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
        return () if self._op is None else fast_backward.local_floats(self)

    def __repr__(self) -> str:
        label = f", label={self.label!r}" if self.label else ""
        return f"Value(data={self.data!r}, grad={self.grad!r}{label})"

    def __float__(self) -> float:
        return self.data

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
        return _unary(ops.NEG, self)

    def __pow__(self, other: Value | float) -> Value:
        if isinstance(other, Value):
            return _apply(ops.VPOW, (self, other))
        return _apply(ops.POW, (self,), shared_param("exponent", _checks.number("pow (**)", other)))

    def __rpow__(self, other: Value | float) -> Value:
        return _rbinary(ops.VPOW, self, other)

    def __abs__(self) -> Value:
        return _unary(ops.ABS, self)

    # --- comparisons read .data and build no node ---

    def __lt__(self, other: Value | float) -> bool:
        return self.data < _compared(other, "<")

    def __le__(self, other: Value | float) -> bool:
        return self.data <= _compared(other, "<=")

    def __gt__(self, other: Value | float) -> bool:
        return self.data > _compared(other, ">")

    def __ge__(self, other: Value | float) -> bool:
        return self.data >= _compared(other, ">=")

    __hash__ = object.__hash__

    # --- functions: one line each into the table ---

    def exp(self) -> Value:
        """Return ``e**self``.

        >>> Value(0.0).exp().data
        1.0
        """
        return _unary(ops.EXP, self)

    def log(self) -> Value:
        """Return the natural log (``-inf`` at 0, ``nan`` below).

        >>> Value(1.0).log().data
        0.0
        """
        return _unary(ops.LOG, self)

    def tanh(self) -> Value:
        """Return ``tanh(self)``.

        >>> x = Value(0.0)
        >>> y = x.tanh()
        >>> y.backward()
        >>> (y.data, x.grad)
        (0.0, 1.0)
        """
        return _unary(ops.TANH, self)

    def sigmoid(self) -> Value:
        """Return the logistic function ``1 / (1 + e**-self)``.

        >>> x = Value(0.0)
        >>> y = x.sigmoid()
        >>> y.backward()
        >>> (y.data, x.grad)
        (0.5, 0.25)
        """
        return _unary(ops.SIGMOID, self)

    def relu(self) -> Value:
        """Return ``max(0, self)``; its derivative at 0 is 0 (PyTorch's convention).

        >>> Value(-2.0).relu().data, Value(3.0).relu().data
        (0.0, 3.0)
        """
        return _unary(ops.RELU, self)

    def leaky_relu(self, slope: float = 0.01) -> Value:
        """Return ``self`` if positive, else ``slope * self``.

        >>> Value(-2.0).leaky_relu(0.25).data
        -0.5
        """
        slope = _checks.number("leaky_relu slope", slope)
        return _apply(ops.LEAKY_RELU, (self,), shared_param("slope", slope))

    def heaviside(self) -> Value:
        """Return the unit step: 1.0 where ``self > 0``, else 0.0 (``nan`` stays ``nan``).

        A threshold neuron, ``[w · x + b > 0]``, as the course's logic networks use it. Its
        local derivative is 0 on both sides of the jump (and PyTorch's convention at it), so
        no gradient ever passes: a network of steps cannot learn by gradient descent, which is
        why the course moves on to sigmoids, the step made smooth.

        >>> x = Value(0.5)
        >>> y = x.heaviside()
        >>> y.backward()
        >>> (y.data, Value(0.0).heaviside().data, x.grad)
        (1.0, 0.0, 0.0)
        """
        return _unary(ops.HEAVISIDE, self)

    def softplus(self) -> Value:
        """Return ``log(1 + e**self)``, stable for large ``|self|``; its derivative is sigmoid.

        >>> Value(0.0).softplus().data == math.log(2.0)
        True
        """
        return _unary(ops.SOFTPLUS, self)

    def sqrt(self) -> Value:
        """Return the square root (``nan`` below 0; derivative ``inf`` at 0).

        >>> Value(9.0).sqrt().data
        3.0
        """
        return _unary(ops.SQRT, self)

    def abs(self) -> Value:
        """Return ``|self|``; its derivative at 0 is 0 (PyTorch's convention).

        >>> Value(-2.0).abs().data
        2.0
        """
        return _unary(ops.ABS, self)

    def sin(self) -> Value:
        """Return ``sin(self)``.

        >>> Value(0.0).sin().data
        0.0
        """
        return _unary(ops.SIN, self)

    def cos(self) -> Value:
        """Return ``cos(self)``.

        >>> Value(0.0).cos().data
        1.0
        """
        return _unary(ops.COS, self)

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
        :func:`zero_grad`. It runs :func:`backprop`'s pass tuned for speed
        (:mod:`autograd.fast_backward`). If the pass raises (``detect_anomaly()``, Ctrl-C), no
        ``.grad`` changes. Passes from several threads take turns (one lock), so calls from
        several threads into shared parameters add up exactly as if made one after another.

        Raises:
            TypeError: a node's ``.grad`` was set by hand to something that is not a real
                number (``None``, ``1j``), naming the node; no ``.grad`` changes.
            ValueError: a node's ``.grad`` was set by hand to an int beyond the float range
                (``10**400``), naming the node; no ``.grad`` changes.

        >>> x = Value(2.0)
        >>> y = (x * x) * 3
        >>> y.backward(); y.backward()
        >>> x.grad
        24.0
        """
        fast_backward.backward(self)


def _compared(x: object, what: str) -> float:
    return x.data if isinstance(x, Value) else _checks.number(f"comparison {what}", x)


# --- n-ary nodes: one box for many terms --------------------------------------------------------

_VALUE = repeat(Value)  # all(map(isinstance, xs, _VALUE)): is every x a Value? (in C: no frame)


def all_values(xs: Iterable[object]) -> bool:
    """Whether every entry is a Value, checked in C (the hot paths here write it out).

    >>> all_values([Value(1.0), Value(2.0)]), all_values([Value(1.0), 2.0])
    (True, False)
    """
    return all(map(isinstance, xs, _VALUE))


_DOT_ROLES = ("dot: weights", "dot: inputs")
_evaluate_dot: Callable[[tuple[Value, ...]], float] = ops.DOT.evaluate  # type: ignore[assignment]


def _leaves(xs: Sequence[object], what: str) -> tuple[Value, ...]:
    """``xs`` as nodes: a Value as is, a number as a constant leaf (named ``what`` in errors)."""
    if all_values(xs):  # the common case: nothing to convert
        return tuple(xs)  # type: ignore[arg-type]  # all Values, as just checked
    return tuple(_leaf(x, what) for x in xs)


def sum_values(values: Iterable[Value | float]) -> Value:
    """Return the sum of many Values as one n-ary node (one op box, one edge per term).

    Raises:
        TypeError: ``values`` is not an iterable (a str, bytes and a dict are refused too), or
            holds something that is not a number or a Value.

    >>> xs = [Value(1.0), Value(2.0), Value(3.5)]
    >>> s = sum_values(xs)
    >>> s.backward()
    >>> (s.data, [x.grad for x in xs])
    (6.5, [1.0, 1.0, 1.0])
    """
    parents = _leaves(_terms(values, "sum_values: values"), "sum_values")
    if not parents:
        return _node(0.0, None, (), None)
    return _apply(ops.SUM, parents)


def _terms(values: Any, what: str, wanted: str = "Values or numbers") -> Sequence[Any]:
    """Inputs given as any iterable but a str, bytes or a dict (a TypeError naming ``what``)."""
    if type(values) is list or type(values) is tuple:  # the usual case, cheaply
        return values
    return _checks.sequence(what, values, f"{wanted} (a list, a tuple, a generator)")


def max_values(values: Iterable[Value | float]) -> Value:
    """Return the largest of many Values as one n-ary node, as max pooling takes it.

    Its gradient goes to the first largest input and the others get 0 (PyTorch's
    ``max_pool2d``; a nan wins and the last nan takes the gradient).

    Raises:
        TypeError: ``values`` is not an iterable of numbers or Values (as :func:`sum_values`).
        ValueError: if there are no values.

    >>> xs = [Value(1.0), Value(3.0), Value(3.0)]
    >>> m = max_values(xs)
    >>> m.backward()
    >>> (m.data, [x.grad for x in xs])
    (3.0, [0.0, 1.0, 0.0])
    """
    parents = _leaves(_terms(values, "max_values: values"), "max_values")
    if not parents:
        raise ValueError("max_values: got no values; pass at least one")
    return _apply(ops.MAX, parents)


def dot(
    weights: Sequence[Value | float], inputs: Sequence[Value | float], bias: Value | float = 0.0
) -> Value:
    """Return ``bias + sum(w_i * x_i)`` as one fused node: a neuron's weighted sum.

    Its local derivatives are ``x_i`` for ``w_i``, ``w_i`` for ``x_i`` and 1 for the bias --
    the same gradients as ``2n`` separate ``*`` and ``+`` nodes, with one node instead.

    Raises:
        TypeError: ``weights`` or ``inputs`` is not a list (tuple, 1-d array) of numbers or
            Values, or ``bias`` is not a number or a Value.
        ValueError: ``weights`` and ``inputs`` differ in length.

    >>> w, x, b = [Value(2.0), Value(-1.0)], [Value(3.0), Value(4.0)], Value(0.5)
    >>> y = dot(w, x, b)
    >>> y.backward()
    >>> (y.data, [wi.grad for wi in w], [xi.grad for xi in x], b.grad)
    (2.5, [3.0, 4.0], [2.0, -1.0], 1.0)
    """
    weights = _terms(weights, "dot: weights", "a list of numbers or Values")
    inputs = _terms(inputs, "dot: inputs", "a list of numbers or Values")
    if len(weights) != len(inputs):
        raise ValueError(
            f"dot: got {len(weights)} weights and {len(inputs)} inputs; they must pair up"
        )
    n = 2 * len(weights)
    terms: list[object] = [bias] * (n + 1)  # interleaved by slices: w_1, x_1, ..., w_n, x_n, b
    terms[0:n:2], terms[1:n:2] = weights, inputs
    if not all(map(isinstance, terms, _VALUE)):  # a number becomes a constant leaf
        if isinstance(bias, Value) or not all(map(isinstance, terms[:n], _VALUE)):
            roles = [*_DOT_ROLES * (n // 2), "dot: bias"]
            terms = [_leaf(x, role) for x, role in zip(terms, roles, strict=True)]
        else:  # only the bias is a number (dot(params, params), an L2 penalty): convert it alone
            terms[n] = _leaf(bias, "dot: bias")
    parents: tuple[Value, ...] = tuple(terms)  # type: ignore[arg-type]  # all Values now
    return _made(ops.DOT, parents, None, _evaluate_dot(parents))


def dots(
    weights: Sequence[Sequence[Value | float]],
    inputs: Sequence[Value | float],
    biases: Sequence[Value | float],
) -> list[Value]:
    """Return ``[dot(w, inputs, b) for w, b in zip(weights, biases)]``: a layer's weighted sums.

    The same nodes as that list, made faster: the shared inputs are checked once.

    >>> x = [Value(1.0), Value(2.0)]
    >>> [z.data for z in dots([[Value(3.0), Value(4.0)], [Value(-1.0), Value(0.5)]], x, [0.5, 0.0])]
    [11.5, 0.0]
    """
    if len(weights) != len(biases):
        raise ValueError(f"dots: got {len(weights)} rows of weights and {len(biases)} biases")
    xs = _leaves(_terms(inputs, "dots: inputs", "a list of numbers or Values"), "dot: inputs")
    n = 2 * len(xs)
    terms: list[Any] = [None] * (n + 1)  # the parents, interleaved as in dot
    terms[1:n:2] = xs
    out: list[Value] = []
    recording, op = _MODE.get(), ops.DOT  # read once: nothing in the loop changes the mode
    for w, b in zip(weights, biases):  # noqa: B905  # equal lengths, checked above (strict= costs)
        if 2 * len(w) != n or not (isinstance(b, Value) and all(map(isinstance, w, _VALUE))):
            out.append(dot(w, xs, b))  # numbers to convert, or dot's error
            continue
        terms[0:n:2], terms[n] = w, b
        parents = tuple(terms)
        if recording:
            out.append(_record(op, parents, None, _evaluate_dot(parents)))
            continue
        node: Value = _new(Value)  # _node written out, as in _binary: a call costs as much
        node.data, node.grad, node.label = _evaluate_dot(parents), 0.0, ""
        node._op, node._parents, node._params = op, parents, None
        out.append(node)
    return out


# --- the graph walk ------------------------------------------------------------------------------


def topological_order(root: Value) -> list[Value]:
    """Return every node ``root`` depends on, parents before children, ``root`` last.

    Kahn's algorithm run from the root, with explicit stacks: one walk counts each node's
    consumers, a second places a node once all its consumers are placed. No recursion, so
    graphs millions of nodes deep work; the order is deterministic (it follows parent order).

    >>> a = Value(1.0, label="a")
    >>> b = a + a
    >>> [n.label or n.op.name for n in topological_order(b * a)]
    ['a', 'add', 'mul']
    """
    if not isinstance(root, Value):
        raise TypeError(f"topological_order: root must be a Value, got {describe(root)}")
    consumers: dict[Value, int] = {root: 0}  # how many times each node is an input
    stack = [root]
    while stack:
        for parent in stack.pop()._parents:
            if parent in consumers:
                consumers[parent] += 1
            else:
                consumers[parent] = 1
                stack.append(parent)
    order: list[Value] = []
    stack = [root]
    while stack:
        node = stack.pop()
        order.append(node)
        for parent in node._parents:  # popped last-first: reversed, parents come first-first
            consumers[parent] -= 1
            if not consumers[parent]:
                stack.append(parent)
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


# --- backward: the chain rule over the whole graph ----------------------------------------------


@dataclass(frozen=True, slots=True)
class BackwardStep:
    """One step of :func:`backprop`: ``total = before + term`` with ``term = local * upstream``.

    ``node`` is the op node whose gradient flows back, ``index`` which of its inputs receives it
    (``node.parents[index]``); ``before`` is that input's running sum (None: the first path to
    reach it) and ``total`` the sum after this step.
    """

    node: Value
    index: int
    local: Any
    upstream: Any
    term: Any
    before: Any
    total: Any


def backprop(
    root: Value,
    *,
    create_graph: bool = False,
    order: Sequence[Value] | None = None,
    on_step: Callable[[BackwardStep], None] | None = None,
) -> dict[Value, Any]:
    """Return ``d root / d node`` for every node of the graph; no ``.grad`` is read or written.

    The reference backward pass: for each node in reverse topological order, for each of its
    inputs, ``grad[input] += local * upstream`` -- so every path from a node to the root adds
    its product (a row that selects, :attr:`autograd.ops.Op.selects`, adds 0 where its local
    derivative is 0, whatever the upstream gradient). ``backward()`` and ``grad()`` run the
    same pass tuned for speed (:mod:`autograd.fast_backward`) and give these numbers bit for
    bit (a sum that is exactly -0.0 here reads +0.0 there); the step-through player records
    its frames from ``on_step``.

    Args:
        root: the Value to differentiate (its gradient is 1).
        create_graph: evaluate the local derivatives on Values, so the gradients are Values
            that can be differentiated again; else floats.
        order: ``topological_order(root)``, if the caller has it already.
        on_step: called with every :class:`BackwardStep`, in order.

    >>> x = Value(2.0, label="x")
    >>> y = x * x
    >>> backprop(y)[x]
    4.0
    """
    grads: dict[Value, Any] = {root: 1.0}
    for node in reversed(order if order is not None else topological_order(root)):
        op = node._op
        if op is None:
            continue
        upstream = grads[node]
        if create_graph:  # the same rule, on Values: its result is a graph too
            local = op.local_grads(*node._parents, node, **(node._params or {}))
        else:
            local = node.local_grads()
        for k, (parent, d) in enumerate(zip(node._parents, local, strict=True)):
            term = op.term(d, upstream)  # d * upstream; 0 where a selecting row's d is 0
            before = grads.get(parent)
            grads[parent] = total = term if before is None else before + term
            if on_step is not None:
                on_step(BackwardStep(node, k, d, upstream, term, before, total))
    return grads


@overload
def grad(output: Value, inputs: Value, create_graph: bool = False) -> Value | float: ...
@overload
def grad(output: Value, inputs: Sequence[Value], create_graph: bool = False) -> tuple[Any, ...]: ...
def grad(output: Value, inputs: Value | Sequence[Value], create_graph: bool = False) -> Any:
    """Return ``d output / d input`` for each input, leaving every ``.grad`` as it was.

    The float pass runs in the nodes' ``.grad`` and puts each one back afterwards (also when
    it raises); like ``backward()`` it holds the passes' lock
    (:data:`autograd.fast_backward.GRAD_LOCK`), so a pass in another thread never sees its
    borrowed slots.

    With ``create_graph=True`` the gradients are Values built from the same local-derivative
    rules (:func:`backprop` on Values), so they can be differentiated again (second
    derivatives, Hessians). An input the output does not depend on gets 0.

    Args:
        output: the Value to differentiate.
        inputs: one Value, or a sequence of them.
        create_graph: return differentiable Values instead of floats.

    Returns:
        A float (or Value) for a single input, else a tuple of them in the inputs' order.

    Raises:
        TypeError: ``output`` or an input is not a Value, or ``create_graph`` not a bool.

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
    wanted = (inputs,) if single else tuple(_terms(inputs, "grad: inputs", "a Value or Values"))
    for i, x in enumerate(wanted):
        if not isinstance(x, Value):
            raise TypeError(f"grad: inputs[{i}] must be a Value, got {describe(x)}")
    create_graph = _checks.flag("grad: create_graph", create_graph)
    found: tuple[Any, ...]
    if create_graph:
        with fast_backward.GRAD_LOCK:  # no step in another thread moves a .data it reads
            grads = backprop(output, create_graph=True)
        found = tuple(_leaf(grads.get(x, 0.0), "grad") for x in wanted)
    else:
        found = fast_backward.fresh_grads(output, wanted)
    return found[0] if single else found


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
    with fast_backward.GRAD_LOCK:  # never in the middle of another thread's pass
        for v in nodes:
            v.grad = 0.0
