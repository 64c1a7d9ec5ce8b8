"""``compile_loss``: trace a scalar loss once, then run forward and backward for whole batches.

The traced graph is an ordinary ``Value`` graph (draw it, step through it); the plan is only a
way of executing it: every node becomes a row of numbers, one per example, and the nodes of
one level that share an op run as one numpy call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import Any, Final, Literal

import numpy as np

from autograd.compiled.check import GraphCheck
from autograd.compiled.groups import UNIFORM, VARYING
from autograd.compiled.kernels import Array
from autograd.compiled.planner import plan_graph
from autograd.engine import Value, topological_order

Reduction = Literal["mean", "sum"]
_REDUCTIONS: Final = ("mean", "sum")
CHECK_SHARE: Final = 0.2
"""Automatic checking spends at most about this share of the running time on checked examples."""


def _shape_of(example: Any) -> tuple[int, ...]:
    """Per argument: 0 for a scalar argument (a Value), else the length of its list of Values."""
    parts = example if isinstance(example, tuple) else (example,)
    shapes = []
    for i, part in enumerate(parts):
        arr = np.asarray(part, dtype=np.float64)
        if arr.ndim > 1:
            raise ValueError(
                f"compile_loss: argument {i} of the example must be a number or a flat list of "
                f"numbers, got an array of shape {arr.shape}"
            )
        shapes.append(0 if arr.ndim == 0 else arr.shape[0])
    return tuple(shapes)


class CompiledLoss:
    """A loss traced once on one example and executed on whole batches with numpy.

    Build it with :func:`compile_loss`. ``graph`` is the traced loss (a ``Value``: draw it or
    step through it), ``inputs`` its input leaves; :meth:`describe` lists the numpy calls.
    """

    def __init__(
        self,
        fn: Callable[..., Value],
        example: Any,
        params: Sequence[Value],
        reduction: Reduction = "mean",
        check_every: int | None = None,
        seed: int = 0,
    ) -> None:
        if reduction not in _REDUCTIONS:
            raise ValueError(
                f"compile_loss: unknown reduction {reduction!r} "
                f"(must be one of {list(_REDUCTIONS)})"
            )
        if check_every is not None and not (isinstance(check_every, int) and check_every >= 0):
            raise ValueError(
                f"compile_loss: check_every must be None (automatic), 0 (never) or a number "
                f"of calls >= 1, got {check_every!r}"
            )
        self.fn = fn
        self.reduction: Reduction = reduction
        self.check_every = check_every
        self.params = list(dict.fromkeys(params))  # once each, in the caller's order
        for i, p in enumerate(self.params):
            if not isinstance(p, Value) or p._op is not None:
                raise TypeError(
                    f"compile_loss: params[{i}] must be a leaf Value (a parameter), got {p!r}"
                )
        self.shape = _shape_of(example)
        self.graph, self.inputs = self._run(example if isinstance(example, tuple) else (example,))
        self.order = topological_order(self.graph)
        self.layout, self.groups = plan_graph(self.graph, self.inputs, self.params, self.order)
        self._check = GraphCheck(self.order, self.inputs, self.params)
        self._uniform = np.zeros((self.layout.sizes[UNIFORM], 1))
        params_set = set(self.params)
        for node in self.order:  # constants keep the number they had when traced
            if node._op is None and self.layout.store[node] == UNIFORM and node not in params_set:
                self._uniform[self.layout.row[node], 0] = node.data
        self._rng = np.random.default_rng(seed)
        self.calls = 0
        self.checks = 0
        self._seconds = [0.0, 0.0]  # spent running batches, spent checking examples

    # --- tracing and the structure check ---

    def _run(self, example: tuple[Any, ...]) -> tuple[Value, list[Value]]:
        """Call the function on Values made from one example; return its loss and input leaves."""
        args: list[Value | list[Value]] = []
        leaves: list[Value] = []
        for a, (part, size) in enumerate(zip(example, self.shape, strict=True)):
            row = np.asarray(part, dtype=np.float64).reshape(-1).tolist()
            values = [
                Value(x, label=f"in{a}[{i}]" if size else f"in{a}") for i, x in enumerate(row)
            ]
            leaves.extend(values)
            args.append(values if size else values[0])
        loss = self.fn(*args)
        if not isinstance(loss, Value):
            raise TypeError(
                f"compile_loss: the function must return a Value (the loss), got {loss!r}"
            )
        return loss, leaves

    def check(self, batch: Any, example: int) -> None:
        """Rebuild the graph on one example of ``batch`` and compare it with the traced graph.

        Raises:
            DataDependentGraphError: the graph differs; the message says at which node and how.
        """
        self._check_columns(self._columns(batch), example)

    def _check_columns(self, columns: list[Array], example: int) -> None:
        start = time.perf_counter()
        root, inputs = self._run(tuple(c[example] for c in columns))
        self._check.compare(root, inputs, example)
        self.checks += 1
        self._seconds[1] += time.perf_counter() - start

    def _maybe_check(self, columns: list[Array]) -> None:
        """Check one random example of the batch when the schedule says so (see compile_loss)."""
        if self.check_every is None:  # automatic: first call, then within the time share
            due = self.calls == 0 or self._seconds[1] <= CHECK_SHARE * self._seconds[0]
        else:
            due = self.check_every > 0 and self.calls % self.check_every == 0
        self.calls += 1
        if due:
            self._check_columns(columns, int(self._rng.integers(columns[0].shape[0])))

    # --- execution ---

    def _columns(self, batch: Any) -> list[Array]:
        parts = batch if isinstance(batch, tuple) else (batch,)
        if len(parts) != len(self.shape):
            raise ValueError(
                f"forward_backward: the function takes {len(self.shape)} argument(s), "
                f"got a batch of {len(parts)}; pass a tuple (inputs, targets, ...) of arrays"
            )
        columns = []
        for a, (part, size) in enumerate(zip(parts, self.shape, strict=True)):
            arr = np.asarray(part, dtype=np.float64)
            want = "(batch,)" if size == 0 else f"(batch, {size})"
            if arr.ndim != (1 if size == 0 else 2) or (size and arr.shape[1] != size):
                raise ValueError(
                    f"forward_backward: argument {a} must have shape {want}, got {arr.shape}"
                )
            columns.append(arr)
        if len({c.shape[0] for c in columns}) != 1 or columns[0].shape[0] == 0:
            raise ValueError(
                f"forward_backward: every argument needs the same number (> 0) of examples, "
                f"got {[c.shape[0] for c in columns]}"
            )
        return columns

    def _forward(self, columns: list[Array]) -> tuple[list[Array], int]:
        size = columns[0].shape[0]
        varying = np.empty((self.layout.sizes[VARYING], size))
        start = 0
        for c in columns:
            width = 1 if c.ndim == 1 else c.shape[1]
            varying[start : start + width] = c.reshape(size, width).T
            start += width
        uniform = self._uniform
        uniform[: len(self.params), 0] = [p.data for p in self.params]  # read at every call
        stores = [uniform, varying]
        with np.errstate(all="ignore"):  # IEEE results (inf, nan), as the scalar engine gives
            for group in self.groups:
                group.forward(stores)
        return stores, size

    def _root_values(self, stores: list[Array]) -> Array:
        store, row = self.layout.store[self.graph], self.layout.row[self.graph]
        values: Array = stores[store][row]
        return values

    def forward(self, batch: Any) -> Array:
        """Return the loss of every example of ``batch`` (no gradients), an array ``(batch,)``.

        >>> from autograd import Value
        >>> w = Value(2.0)
        >>> plan = compile_loss(lambda x: w * x, 1.0, [w])
        >>> plan.forward(np.array([1.0, 2.0, 3.0]))
        array([2., 4., 6.])
        """
        columns = self._columns(batch)
        start = time.perf_counter()
        stores, size = self._forward(columns)
        self._seconds[0] += time.perf_counter() - start
        self._maybe_check(columns)
        return np.broadcast_to(self._root_values(stores), (size,)).copy()

    def forward_backward(self, batch: Any) -> float:
        """Return the batch's loss (mean or sum) and add its gradient into every ``param.grad``.

        Args:
            batch: one array ``(batch, n)`` per argument of the function (``(batch,)`` for an
                argument that is one number); several arguments as a tuple.

        Returns:
            The mean (``reduction="mean"``, the default) or the sum of the examples' losses;
            each parameter's ``.grad`` gains the gradient of that same number.

        Raises:
            DataDependentGraphError: the check example's graph differs from the traced one.

        >>> from autograd import Value
        >>> w = Value(3.0)
        >>> plan = compile_loss(lambda x: (w * x - 1.0) ** 2, 0.0, [w])
        >>> plan.forward_backward(np.array([1.0, 2.0]))
        14.5
        >>> w.grad
        12.0
        """
        columns = self._columns(batch)
        start = time.perf_counter()
        stores, size = self._forward(columns)
        scale = 1.0 / size if self.reduction == "mean" else 1.0
        grads = [np.zeros_like(stores[UNIFORM]), np.zeros_like(stores[VARYING])]
        store, row = self.layout.store[self.graph], self.layout.row[self.graph]
        grads[store][row] = scale if store == VARYING else scale * size
        with np.errstate(all="ignore"):
            for group in reversed(self.groups):
                group.backward(stores, grads)
        self._seconds[0] += time.perf_counter() - start
        self._maybe_check(columns)  # before any .grad changes: an error leaves them untouched
        for p, g in zip(self.params, grads[UNIFORM][: len(self.params), 0].tolist(), strict=True):
            p.grad += g
        losses = self._root_values(stores)
        total = float(losses.sum()) if store == VARYING else float(losses[0]) * size
        return total * scale

    def describe(self) -> str:
        """Return the plan as text: one line per numpy call, level by level.

        >>> from autograd import Value
        >>> w = Value(2.0)
        >>> print(compile_loss(lambda x: (w * x).relu(), 1.0, [w]).describe())
        1 example inputs, 1 parameters, 2 op nodes in 2 groups (one numpy call each way):
          mul x1: one elementwise call
          relu x1: one elementwise call
        """
        nodes = sum(g.nodes for g in self.groups)
        head = (
            f"{len(self.inputs)} example inputs, {len(self.params)} parameters, "
            f"{nodes} op nodes in {len(self.groups)} groups (one numpy call each way):"
        )
        return "\n".join([head, *(f"  {g.describe()}" for g in self.groups)])


def compile_loss(
    fn: Callable[..., Value],
    example: Any,
    params: Sequence[Value],
    *,
    reduction: Reduction = "mean",
    check_every: int | None = None,
    seed: int = 0,
) -> CompiledLoss:
    """Trace ``fn`` on one example and return a plan that runs it on whole batches with numpy.

    ``fn`` receives one example as Values -- a list of Values per argument (a single Value for
    an argument that is one number) -- and returns its loss; the parameters are leaves it reads
    (a model's ``parameters()``), and their current ``.data`` is read at every call. Other
    leaves the function makes are constants, fixed at tracing.

    The graph must have the same shape for every example (no Python ``if`` on ``.data``):
    the plan checks this by rebuilding the graph with the scalar engine on one random example
    of a batch and comparing it with the traced graph node by node, raising
    :class:`DataDependentGraphError` (before touching any ``.grad``) if it differs. A check
    costs one scalar forward pass (about 1 ms for an MLP 64-32-10), so by default it runs on
    the first call and then whenever checks have used at most ``CHECK_SHARE`` (20 %) of the
    time spent running batches: with big batches nearly every call is checked, with small
    ones every few calls. ``check_every=k`` checks every ``k``-th call instead (1: every
    call), ``0`` never. One example per check is a sample, not a proof: a branch that only
    rare examples take may go unnoticed for a while.

    Args:
        fn: the loss of one example, built with Value operations.
        example: one example: a list (or 1-D array) of numbers, or a number, for a function
            of one argument; a tuple of them for several arguments (inputs, targets).
        params: the leaves that receive gradients.
        reduction: ``"mean"`` (default) or ``"sum"`` of the examples' losses.
        check_every: None (default) for the automatic schedule above, ``k`` to check one
            example every ``k`` calls, 0 never to check.
        seed: seeds the choice of the checked example.

    Returns:
        The :class:`CompiledLoss`.

    >>> from autograd import Value, dot
    >>> w, b = [Value(0.5), Value(-1.0)], Value(0.25)
    >>> plan = compile_loss(lambda x, y: (dot(w, x, b) - y) ** 2, ([0.0, 0.0], 0.0), [*w, b])
    >>> plan.forward_backward((np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([0.0, 1.0])))
    2.3125
    >>> [p.grad for p in [*w, b]]
    [-1.25, -4.25, -3.0]
    """
    return CompiledLoss(fn, example, params, reduction, check_every, seed)
