"""``compile_loss``: trace a scalar loss once, then run forward and backward for whole batches.

The traced graph is an ordinary ``Value`` graph (draw it, step through it); the plan is only a
way of executing it: every node becomes a row of numbers, one per example, and the nodes of
one level that share an op run as one numpy call. The trace refuses a function that reads an
input's number (:mod:`autograd.compiled.trace`); every ``check_every``-th call rebuilds one
example's graph and compares it with the traced one (:mod:`autograd.compiled.check`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from numbers import Real
from typing import Any, Final, Literal

import numpy as np

from autograd import _checks, messages
from autograd.compiled.anomaly import AnomalyCheck
from autograd.compiled.check import (
    HOW_TO_FIX,
    HOW_TO_FIX_STATE,
    DataDependentGraphError,
    GraphCheck,
)
from autograd.compiled.groups import UNIFORM, VARYING
from autograd.compiled.inputs import batch_columns, example_parts
from autograd.compiled.planner import plan_graph
from autograd.compiled.trace import call, trace
from autograd.engine import Value
from autograd.fast_backward import GRAD_LOCK
from autograd.messages import describe
from autograd.modes import anomaly_enabled
from autograd.types import Array

Reduction = Literal["mean", "sum"]
_REDUCTIONS: Final = ("mean", "sum")
CHECK_EVERY: Final = 10
"""compile_loss's default ``check_every``: one example rebuilt on calls 0, 10, 20, ..."""


class CompiledLoss:
    """A loss traced once on one example and executed on whole batches with numpy.

    Build it with :func:`compile_loss`. ``graph`` is the traced loss (a ``Value``: draw it or
    step through it), ``inputs`` its input leaves, ``leaves`` its other leaves besides the
    parameters (constants, and Values made outside the function), whose ``.data`` is read at
    every call; :meth:`describe` lists the numpy calls. ``calls`` counts calls, ``checks`` the
    calls that rebuilt an example's graph. The plan keeps its working arrays (a row per node,
    a column per example) from one call to the next while the batch size stays the same.
    """

    def __init__(
        self,
        fn: Callable[..., Value],
        example: Any,
        params: Sequence[Value],
        reduction: Reduction = "mean",
        check_every: int = CHECK_EVERY,
    ) -> None:
        if not callable(fn):
            raise TypeError(
                f"compile_loss: fn must be the loss of one example (a function), got {describe(fn)}"
            )
        _checks.choice("reduction", reduction, _REDUCTIONS, caller="compile_loss")
        self.check_every = _checks.count("compile_loss: check_every", check_every, minimum=0)
        self.fn = fn
        self.reduction: Reduction = reduction
        wanted = "a list of leaf Values (model.parameters())"
        self.params = list(dict.fromkeys(_checks.sequence("compile_loss: params", params, wanted)))
        # once each, in the caller's order
        for i, p in enumerate(self.params):
            if not isinstance(p, Value) or p._op is not None:
                raise TypeError(
                    f"compile_loss: params[{i}] must be a leaf Value (a parameter), got {p!r}"
                )
        self.shape, self._traced = example_parts(example)
        self.graph, self.inputs, self.order = trace(fn, self.shape, self._traced)
        param_set, input_set = set(self.params), set(self.inputs)
        # Every other leaf is read at every call too: a Value made outside the function (the
        # same object in every trace) may change between calls, and a constant made inside
        # reads back the number it was made with.
        self.leaves = [
            n for n in self.order if n._op is None and n not in param_set and n not in input_set
        ]
        self._check = GraphCheck(self.order, self.inputs, self.params)
        self.layout, self.groups = plan_graph(
            self.graph, self.inputs, self.params, self.order, self.leaves
        )
        self._reads = [*self.params, *self.leaves]  # rows 0.. of U, read at every call
        self._size = -1  # the batch size the groups are bound to (see _bound)
        self._stores: list[Array] = []
        self._grads: list[Array] = []
        self._anomaly: AnomalyCheck | None = None  # built at the first call that needs it
        self.calls = 0
        self.checks = 0

    # --- the structure check ---

    def check(self, batch: Any, example: int) -> None:
        """Rebuild the graph on one example of ``batch`` and compare it with the traced graph.

        Args:
            batch: a batch as :meth:`forward_backward` takes it.
            example: the index of the example to rebuild.

        Raises:
            DataDependentGraphError: the graph differs; the message says at which node and how.

        >>> from autograd import Value
        >>> w = Value(2.0)
        >>> def loss(x):
        ...     h = w * x
        ...     return h if h.data > 0 else -h  # abs by hand: a branch on an intermediate
        >>> plan = compile_loss(loss, 1.0, [w])
        >>> plan.check(np.array([3.0, -1.0]), 0)  # the traced branch: nothing to say
        >>> plan.check(np.array([3.0, -1.0]), 1)
        Traceback (most recent call last):
        ...
        autograd.compiled.check.DataDependentGraphError: the graph of example 1 differs ...
        """
        columns = batch_columns(batch, self.shape, "check")
        size = columns[0].shape[0]
        index = _checks.count("check: example", example, minimum=0)
        if index >= size:
            raise ValueError(
                f"check: example {index!r} is out of range for a batch of {size} (0..{size - 1})"
            )
        self._check_example(columns, index)

    def _check_example(self, columns: list[Array], example: int) -> None:
        rows = [c[example].reshape(-1).tolist() for c in columns]
        root, inputs = call(self.fn, self.shape, rows)
        difference = self._check.difference(root, inputs)
        if difference is None:
            return
        head = f"the graph of example {example} differs from the traced graph {difference}"
        again, again_inputs = call(self.fn, self.shape, self._traced)
        if self._check.difference(again, again_inputs) is not None:
            raise DataDependentGraphError(
                f"{head}; rebuilt on the example it was traced on, the graph differs as well, "
                f"so {HOW_TO_FIX_STATE}"
            )
        raise DataDependentGraphError(f"{head}. {HOW_TO_FIX}")

    def _maybe_check(self, columns: list[Array], theta: Array | None = None) -> None:
        """On calls 0, k, 2k, ... (``check_every=k``) check one example, taking them in turn.

        With ``theta``, the parameters hold those numbers while the graph is rebuilt.
        """
        calls, self.calls = self.calls, self.calls + 1
        if not self.check_every or calls % self.check_every:
            return
        example = self.checks % columns[0].shape[0]  # the n-th check takes example n
        self.checks += 1
        if theta is None:
            self._check_example(columns, example)
            return
        held = [p.data for p in self.params]
        try:
            for p, number in zip(self.params, theta.tolist(), strict=True):
                p.data = number
            self._check_example(columns, example)
        finally:
            for p, number in zip(self.params, held, strict=True):
                p.data = number

    # --- execution ---

    def _bound(self, size: int) -> tuple[list[Array], list[Array]]:
        """The stores for a batch of ``size`` and their gradient stores, the groups bound to them.

        They are kept while the batch size stays: each group then reads and writes the same
        views at every call. A new size makes new stores and binds the groups again.
        """
        if size != self._size:
            sizes = self.layout.sizes
            uniform, varying = np.zeros((sizes[UNIFORM], 1)), np.zeros((sizes[VARYING], size))
            self._stores = [uniform, varying]  # the zero row (padded pixels) is never written
            self._grads = [np.zeros_like(uniform), np.zeros_like(varying)]
            for group in self.groups:
                group.bind(self._stores, self._grads)
            self._size = size
        return self._stores, self._grads

    def _forward(
        self, columns: list[Array], anomaly: bool, theta: Array | None = None
    ) -> tuple[list[Array], int]:
        """Run every group forward on the batch ``columns``; the caller ignores IEEE warnings.

        Inside ``np.errstate(all="ignore")``: inf and nan come out as the scalar engine gives them.
        """
        size = columns[0].shape[0]
        stores, _ = self._bound(size)
        uniform, varying = stores
        start = 0
        for c in columns:
            width = 1 if c.ndim == 1 else c.shape[1]
            varying[start : start + width] = c.reshape(size, width).T
            start += width
        if theta is None:
            uniform[: len(self._reads), 0] = [v.data for v in self._reads]  # read at every call
        else:  # the parameters' numbers given as an array; the other leaves read as ever
            uniform[: len(self.params), 0] = theta
            uniform[len(self.params) : len(self._reads), 0] = [v.data for v in self.leaves]
        if anomaly:
            check = self._anomaly_check()
            for group in self.groups:
                group.forward()
                check.forward(group, stores)
        else:
            for group in self.groups:
                group.forward()
        return stores, size

    def _anomaly_check(self) -> AnomalyCheck:
        if self._anomaly is None:
            self._anomaly = AnomalyCheck(self.layout, self.order)
        return self._anomaly

    def _root_values(self, stores: list[Array]) -> Array:
        store, row = self.layout.store[self.graph], self.layout.row[self.graph]
        values: Array = stores[store][row]
        return values

    def forward(self, batch: Any) -> Array:
        """Return the loss of every example of ``batch`` (no gradients), an array ``(batch,)``.

        Under ``detect_anomaly()`` the first nan or inf raises ``FloatingPointError`` naming
        the op, the example and its inputs.

        >>> from autograd import Value
        >>> w = Value(2.0)
        >>> plan = compile_loss(lambda x: w * x, 1.0, [w])
        >>> plan.forward(np.array([1.0, 2.0, 3.0]))
        array([2., 4., 6.])
        """
        columns = batch_columns(batch, self.shape, "forward")
        with GRAD_LOCK:  # the stores are the plan's own: one call at a time
            with np.errstate(all="ignore"):
                stores, size = self._forward(columns, anomaly_enabled())
            self._maybe_check(columns)
            return np.broadcast_to(self._root_values(stores), (size,)).copy()

    def node_values(self, batch: Any) -> dict[Value, Array]:
        """Return every traced node's number for every example: node -> array ``(batch,)``.

        A forward pass without a structure check: for looking inside the plan (a hidden
        layer's activations, where a nan starts) -- and for testing its kernels.

        >>> from autograd import Value
        >>> w = Value(2.0)
        >>> plan = compile_loss(lambda x: (w * x).relu(), 1.0, [w])
        >>> values = plan.node_values(np.array([-1.0, 3.0]))
        >>> values[plan.graph.parents[0]], values[w]
        (array([-2.,  6.]), array([2., 2.]))
        """
        columns = batch_columns(batch, self.shape, "node_values")
        with GRAD_LOCK, np.errstate(all="ignore"):
            stores, size = self._forward(columns, anomaly_enabled())
            store, row = self.layout.store, self.layout.row
            return {
                n: np.broadcast_to(stores[store[n]][row[n]], (size,)).copy() for n in self.order
            }

    def forward_backward(self, batch: Any) -> float:
        """Return the batch's loss (mean or sum) and add its gradient into every ``param.grad``.

        Args:
            batch: one array ``(batch, n)`` per argument of the function (``(batch,)`` for an
                argument that is one number); several arguments as a tuple. Real, finite
                numbers only: nan, inf, None, complex numbers and ragged rows are refused.

        Returns:
            The mean (``reduction="mean"``, the default) or the sum of the examples' losses;
            each parameter's ``.grad`` gains the gradient of that same number.

        Raises:
            DataDependentGraphError: a checked example's graph differs from the traced one.
            FloatingPointError: under ``detect_anomaly()``, a nan or inf in forward or backward.
            TypeError: the batch holds something other than real numbers, or a parameter's
                ``.grad`` was set by hand to one (``None``, ``1j``); no ``.grad`` changes then.
            ValueError: the batch has the wrong shape, or holds nan or inf, or a ``.grad`` was
                set to an int beyond the float range; no ``.grad`` changes then.

        >>> from autograd import Value
        >>> w = Value(3.0)
        >>> plan = compile_loss(lambda x: (w * x - 1.0) ** 2, 0.0, [w])
        >>> plan.forward_backward(np.array([1.0, 2.0]))
        14.5
        >>> w.grad
        12.0
        """
        columns = batch_columns(batch, self.shape, "forward_backward")
        with GRAD_LOCK:  # reads every parameter, adds into .grad: never inside another's pass
            return self._forward_backward(columns)

    def value_and_grad(self, batch: Any, params: Any = None) -> tuple[float, Array]:
        """Return the batch's loss and its gradient as an array; no ``.grad`` changes.

        The functional form, as ``jax.value_and_grad``. ``params``, if given, are the
        parameters' numbers as one array in the order of ``plan.params``, used in place of their
        ``.data``: a training loop can keep them in an array between steps, as hand-written
        numpy does, and put them back into the Values when it is done. The gradient is a new
        array in the same order. A re-check (every ``check_every``-th call) rebuilds the graph
        with the Values holding ``params`` for the moment, so a branch on a parameter's number
        sees the numbers being trained; they are put back before this returns.

        Raises:
            TypeError: ``params`` is not an array (or list) of real numbers; the batch as
                :meth:`forward_backward` raises it.
            ValueError: ``params`` is not one number per parameter; the batch as
                :meth:`forward_backward` raises it.

        >>> from autograd import Value
        >>> w = Value(3.0)
        >>> plan = compile_loss(lambda x: (w * x - 1.0) ** 2, 0.0, [w])
        >>> theta = np.array([3.0])
        >>> for _ in range(2):  # two steps of gradient descent, w itself untouched
        ...     loss, grad = plan.value_and_grad(np.array([1.0, 2.0]), theta)
        ...     theta -= 0.05 * grad
        >>> loss, theta, w.data, w.grad
        (8.2, array([1.95]), 3.0, 0.0)
        >>> for p, number in zip(plan.params, theta.tolist()):  # when done: back into the Values
        ...     p.data = number
        """
        columns = batch_columns(batch, self.shape, "value_and_grad")
        theta = None if params is None else self._theta(params)
        with GRAD_LOCK:
            loss, grad = self._gradient(columns, theta)
            grad = grad.copy()  # the store's view: the next call overwrites it
            self._maybe_check(columns, theta)
            return loss, grad

    def _theta(self, params: Any) -> Array:
        """``params`` as a float array of one number per parameter, or a named error."""
        theta = np.asarray(params) if isinstance(params, np.ndarray | list | tuple) else None
        if theta is None or theta.dtype.kind not in "fiu":
            raise TypeError(
                "value_and_grad: params must be an array of real numbers, one per parameter "
                f"(in the order of plan.params), got {describe(params)}"
            )
        if theta.shape != (len(self.params),):
            raise ValueError(
                f"value_and_grad: params must hold {len(self.params)} numbers (one per "
                f"parameter, shape ({len(self.params)},)), got shape {theta.shape}"
            )
        return theta.astype(np.float64, copy=False)

    def _forward_backward(self, columns: list[Array]) -> float:
        loss, news = self._gradient(columns)
        self._maybe_check(columns)  # before any .grad changes: an error leaves them untouched
        self._add_into_grads(news)
        return loss

    def _gradient(self, columns: list[Array], theta: Array | None = None) -> tuple[float, Array]:
        """The batch's loss and its gradient (a view of the plan's store: read it at once)."""
        anomaly = anomaly_enabled()
        with np.errstate(all="ignore"):
            stores, size = self._forward(columns, anomaly, theta)
            scale = 1.0 / size if self.reduction == "mean" else 1.0
            grads = self._grads
            for g in grads:
                g.fill(0.0)
            store, row = self.layout.store[self.graph], self.layout.row[self.graph]
            grads[store][row] = scale if store == VARYING else scale * size
            if anomaly:
                check = self._anomaly_check()
                for group in reversed(self.groups):
                    group.backward()
                    check.backward(group, stores, grads)
            else:
                for group in reversed(self.groups):
                    group.backward()
            losses = self._root_values(stores)  # inf + -inf is nan, silently, as in floats
            loss = float(losses.sum()) if store == VARYING else float(losses[0]) * size
        return loss * scale, grads[UNIFORM][: len(self.params), 0]

    def _add_into_grads(self, news: Array) -> None:
        """Add the gradient ``news`` into every parameter's ``.grad``, all checked before any."""
        try:  # the usual case, cheaply: every .grad a float (or an int, a numpy float)
            olds = np.array([p.grad for p in self.params])
        except (TypeError, ValueError):  # a .grad set by hand to a list
            olds = news[:0]
        if olds.dtype == np.float64 and olds.shape == news.shape:  # added as Python adds them
            with np.errstate(all="ignore"):
                sums = (olds + news).tolist()
        else:  # find and name it (None, 1j, a Decimal, 10**400), or take the rest as floats
            sums = [_old_grad(p) + g for p, g in zip(self.params, news.tolist(), strict=True)]
        for p, total in zip(self.params, sums, strict=True):  # every sum checked: now store
            p.grad = total

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
        leaves = f"{len(self.leaves)} other leaves, " if self.leaves else ""
        head = (
            f"{len(self.inputs)} example inputs, {len(self.params)} parameters, {leaves}"
            f"{nodes} op nodes in {len(self.groups)} groups (one numpy call each way):"
        )
        return "\n".join([head, *(f"  {g.describe()}" for g in self.groups)])


def _old_grad(p: Value) -> float:
    """A parameter's ``.grad`` to add into: a float, or a named error for one set by hand."""
    found: object = p.grad
    if type(found) is float:
        return found
    if not isinstance(found, Real):  # None, 1j, a str (a bool adds as 1 or 0, as in backward)
        raise TypeError(messages.grad_not_a_number(p, found, caller="forward_backward"))
    try:
        return float(found)
    except OverflowError:  # 10**400
        raise ValueError(
            messages.grad_beyond_float_range(p, found, caller="forward_backward")
        ) from None


def compile_loss(
    fn: Callable[..., Value],
    example: Any,
    params: Sequence[Value],
    *,
    reduction: Reduction = "mean",
    check_every: int = CHECK_EVERY,
) -> CompiledLoss:
    """Trace ``fn`` on one example and return a plan that runs it on whole batches with numpy.

    ``fn`` receives one example as Values -- a list of Values per argument (a single Value for
    an argument that is one number) -- and returns its loss. It is traced once on ``example``,
    then called once per checked example; it is traced even inside ``no_grad()``.

    Every leaf of the graph other than the example's inputs is read at every call: the
    ``params`` (a model's ``parameters()``), which also receive the gradients, and the other
    leaves -- constants the function makes, and Values made outside it that it uses (an offset
    or a temperature captured from the enclosing scope). Those get their current ``.data``,
    as the scalar engine would use it, and no gradient (``loss.backward()`` would also fill
    their ``.grad``): put such a Value in ``params`` if it is to be trained. An op node made
    outside the function is recomputed from its leaves at every call (the scalar engine would
    use the number it was made with).

    The graph must have the same shape for every example. ``fn`` must not read an input's
    number itself (``x.data``, ``float(x)``, ``x > 0``, ``x.detach()``): the trace refuses it
    with :class:`DataDependentGraphError` naming the input (``in0[3]``: argument 0, entry 3),
    the read and the fix -- refused, not warned, as in JAX: the plan would replay the traced
    example's branch for every example, and a wrong gradient behind a warning is still wrong.
    The losses' checks of their targets only raise and are no reads (see
    :mod:`autograd.compiled.trace`). Branches on intermediate numbers or on state (a parameter's
    ``.data`` as a constant, a dropout draw) are left to re-checks: on calls 0, k, 2k, ...
    (``check_every=k``; 0: never) the plan rebuilds one example's graph with the scalar engine
    -- the n-th check takes example n of its batch (modulo its size), nothing is timed -- and
    compares it with the traced graph node by node, raising :class:`DataDependentGraphError`
    (saying whether data or state differs) before touching any ``.grad``. A check costs about
    2.2 ms for an MLP 64-128-64-10 (17,226 parameters), half a compiled training step of a
    batch of 32 with Adam: the default ``CHECK_EVERY`` = 10 checks the first call at once and
    adds about 5 % to such a training run. A check is a sample, not a proof.

    Under ``detect_anomaly()`` the first nan or inf made in forward or backward raises
    ``FloatingPointError`` naming the op, the example, its inputs and the node.

    Rounding: elementwise ops give the scalar engine's numbers up to the last bit or two
    (numpy's vectorised exp, log, tanh, ...), and exactly at special values (0, inf, nan,
    outside the domain). ``sum`` adds in numpy's order where the scalar engine rounds once
    (``math.fsum``), and a layer's ``dot`` (weights times inputs) is a matrix product in
    BLAS's order: both differ from the scalar engine by at most the rounding of their sum,
    about ``k * 2**-53 * sum(|terms|)`` for ``k`` terms; other dots add in the scalar engine's
    order, bit for bit (see :class:`autograd.compiled.groups.Dot`).

    Args:
        fn: the loss of one example, built with Value operations.
        example: one example: a list (or 1-D array) of numbers, or a number, for a function
            of one argument; a tuple of them for several arguments (inputs, targets).
        params: the leaves that receive gradients.
        reduction: ``"mean"`` (default) or ``"sum"`` of the examples' losses.
        check_every: check one example on calls 0, k, 2k, ... for ``k`` (default
            ``CHECK_EVERY``, 10); 0 never checks.

    Returns:
        The :class:`CompiledLoss`.

    Raises:
        DataDependentGraphError: ``fn`` reads an input's number while it is traced.
        TypeError: ``fn`` is not callable or returns no Value, ``params`` holds a non-leaf,
            ``example`` holds something other than real numbers, or ``check_every`` is not an
            int.
        ValueError: ``example`` is empty, nested or not finite; ``reduction`` or
            ``check_every`` is out of range.

    >>> from autograd import Value, dot
    >>> w, b = [Value(0.5), Value(-1.0)], Value(0.25)
    >>> plan = compile_loss(lambda x, y: (dot(w, x, b) - y) ** 2, ([0.0, 0.0], 0.0), [*w, b])
    >>> plan.forward_backward((np.array([[1.0, 2.0], [0.0, 1.0]]), np.array([0.0, 1.0])))
    2.3125
    >>> [p.grad for p in [*w, b]]
    [-1.25, -4.25, -3.0]
    >>> offset = Value(1.0)  # made outside and not a parameter: read at every call, no gradient
    >>> plan = compile_loss(lambda x: w[0] * x + offset, 0.0, w)
    >>> offset.data = 100.0
    >>> plan.forward(np.array([2.0]))
    array([101.])
    """
    return CompiledLoss(fn, example, params, reduction, check_every)
