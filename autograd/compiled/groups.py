"""The three kinds of group a plan executes: one numpy call per group, over nodes and examples.

A group reads its arguments from two stores: ``U`` holds the numbers that are the same for
every example (parameters, constants and what is computed from them only), one column; ``V``
holds the numbers that vary, one column per example. A group writes its outputs to a
contiguous block of rows of one store, and in backward adds its inputs' gradients into the
matching rows of the gradient stores (summed over the batch where the input is uniform).

A plan keeps its stores from call to call while the batch size stays, and :meth:`Group.bind`
gives each group its rows as views of them: rows that are a slice, or a grid (a dense layer's
weights, every ``k + 1``-th row of ``U``), are read and added into without copying; other rows
are gathered at every call (:class:`Place`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from numpy.lib.stride_tricks import as_strided

from autograd.compiled.kernels import Grads, Lanes
from autograd.types import Array

Rows = npt.NDArray[np.intp]
Index = slice | Rows
UNIFORM = 0
VARYING = 1
FEW_TERMS = 16  # up to this many pairs an in-order dot adds slice by slice, else accumulates


def as_index(rows: Sequence[int] | Rows) -> Index:
    """Return ``rows`` as a slice when they are consecutive (a view, no copy), else an array.

    >>> as_index([3, 4, 5]), as_index([0, 2])
    (slice(3, 6, None), array([0, 2]))
    """
    arr = np.asarray(rows, dtype=np.intp).reshape(-1)
    if arr.size and np.array_equal(arr, np.arange(arr[0], arr[0] + arr.size)):
        return slice(int(arr[0]), int(arr[0]) + arr.size)
    return arr


Grid = tuple[int, tuple[int, ...]]


def grid(rows: Rows) -> Grid | None:
    """The first row and the step along each axis when ``rows`` are a grid of rows, else None.

    ``rows[i, j] = first + i * steps[0] + j * steps[1]`` (any number of axes), no step negative:
    then they are a view of their store (:func:`grid_view`).

    >>> grid(np.array([[0, 1], [3, 4]])), grid(np.array([[0, 2], [3, 4]]))
    ((0, (3, 1)), None)
    """
    if rows.size == 0:
        return None
    first = int(rows.flat[0])
    steps = tuple(
        int(rows[tuple(1 if a == axis else 0 for a in range(rows.ndim))]) - first
        if rows.shape[axis] > 1
        else 0
        for axis in range(rows.ndim)
    )
    if min(steps, default=0) < 0:
        return None
    expected = first + np.tensordot(np.array(steps, dtype=np.intp), np.indices(rows.shape), 1)
    return (first, steps) if np.array_equal(expected, rows) else None


def _runs(flat: Rows) -> Rows:
    """``flat`` as rows of its first run of consecutive numbers, when they divide it evenly.

    >>> _runs(np.array([0, 1, 3, 4])).tolist(), _runs(np.array([2, 5, 8])).tolist()
    ([[0, 1], [3, 4]], [2, 5, 8])
    """
    breaks = np.flatnonzero(np.diff(flat) != 1)
    run = int(breaks[0]) + 1 if breaks.size else flat.size
    return flat.reshape(-1, run) if run > 1 and flat.size % run == 0 else flat


def grid_view(store: Array, where: Grid, shape: tuple[int, ...], column: bool) -> Array:
    """The rows ``where`` of ``store`` as a view, of ``shape`` and the store's width.

    For ``column`` (the one column of ``U``) the view is of ``shape`` alone.
    """
    first, steps = where
    row = store.strides[0]
    base = store[first:, 0] if column else store[first:]
    strides = tuple(step * row for step in steps)
    if column:
        return as_strided(base, shape=shape, strides=strides)
    return as_strided(base, shape=(*shape, store.shape[1]), strides=(*strides, store.strides[1]))


def view_of(
    store: Array, rows: Index, where: Grid | None, shape: tuple[int, ...], column: bool = False
) -> Array | None:
    """``rows`` of ``store`` as a view (a slice, or a grid ``where`` of ``shape``), else None.

    ``column`` takes ``U``'s one column only. None: the rows must be gathered at every read.
    """
    if isinstance(rows, slice):
        view: Array = store[rows, 0] if column else store[rows]
        return view
    return None if where is None else grid_view(store, where, shape, column)


@dataclass(slots=True)
class Place:
    """Rows of one store that a group reads: a view once bound, or gathered at every read.

    ``column`` reads ``U``'s one column (a weight matrix ``(nodes, k)``, not ``(nodes, k, 1)``).
    """

    store: int
    rows: Index
    column: bool = False
    where: Grid | None = None
    source: Array | None = None
    view: Array | None = None

    @classmethod
    def of(cls, store: int, rows: Sequence[int] | Index, column: bool = False) -> Place:
        """Prepare reading ``rows`` (a slice, or rows of any shape) of the store ``store``."""
        if isinstance(rows, slice):
            return cls(store, rows, column)
        arr = np.asarray(rows, dtype=np.intp)
        index = as_index(arr) if arr.ndim == 1 else arr
        found = None if isinstance(index, slice) else grid(arr)
        return cls(store, index, column, found)

    def bind(self, stores: Sequence[Array]) -> None:
        """Read from these stores from now on: take the view once, if the rows make one."""
        self.source = stores[self.store]
        shape = () if isinstance(self.rows, slice) else self.rows.shape  # a grid's shape
        self.view = view_of(self.source, self.rows, self.where, shape, self.column)

    def read(self) -> Array:
        """The rows' numbers now: the view itself, or a gathered copy."""
        if self.view is not None:
            return self.view
        assert self.source is not None  # noqa: S101  # bound before the first call
        found: Array = self.source[self.rows, 0] if self.column else self.source[self.rows]
        return found


@dataclass(slots=True)
class Accumulate:
    """Adds contributions into rows of a gradient store, duplicates included, in one pass.

    ``rows`` may repeat (one node feeding several nodes of a group): fancy ``+=`` would keep
    only one contribution, so repeated rows are summed with a sort and ``np.add.reduceat``:
    ``merge`` holds (sorting order, start of each run, the distinct rows). Distinct rows that
    are a slice or a grid are added into through a view (``where``, the rows' ``shape``).
    """

    store: int
    index: Index
    merge: tuple[Rows, Rows, Rows] | None = None
    shape: tuple[int, ...] = ()
    where: Grid | None = None
    target: Array | None = None
    view: Array | None = None
    lead: tuple[int, ...] = ()  # bound: the view's shape but its batch axis

    @classmethod
    def into(cls, store: int, rows: Sequence[int] | Rows) -> Accumulate:
        """Prepare adding into ``rows`` (any shape, taken flattened, in order) of ``store``."""
        shaped = np.asarray(rows, dtype=np.intp)
        flat = shaped.reshape(-1)
        unique, counts = np.unique(flat, return_counts=True)
        if counts.size == 0 or counts.max() == 1:
            index = as_index(flat)
            if isinstance(index, slice):
                return cls(store, index, shape=shaped.shape)
            runs = _runs(flat)  # a dense layer's weights, listed flat: rows of k in a row
            found = grid(runs)
            return cls(store, index, shape=runs.shape, where=found)
        order = np.argsort(flat, kind="stable")
        starts = np.concatenate(([0], np.cumsum(counts)[:-1])).astype(np.intp)
        return cls(store, flat, (order, starts, unique), shaped.shape)

    def bind(self, grads: Sequence[Array]) -> None:
        """Add into these gradient stores from now on, through a view where the rows make one."""
        self.target = grads[self.store]
        merged = self.merge is not None  # repeated rows: added by reduceat, never a view
        self.view = None if merged else view_of(self.target, self.index, self.where, self.shape)
        self.lead = () if self.view is None else self.view.shape[:-1]

    def add_each(self, values: Array, times: int) -> None:
        """Add row ``i`` of ``values`` into each of the ``times`` rows listed for node ``i``.

        What a ``sum`` node sends each of its terms. Into consecutive distinct rows it adds
        through a broadcasting view, copying nothing; else it adds a broadcast view of the
        repeated rows.
        """
        if self.store == UNIFORM and values.shape[-1] != 1:
            values = values.sum(axis=-1, keepdims=True)  # over the examples, once per node
        nodes, width = values.shape
        if self.view is not None and isinstance(self.index, slice):
            view = self.view.reshape(nodes, times, -1)
            view += values[:, None, :]
            return
        self.add(np.broadcast_to(values[:, None, :], (nodes, times, width)))

    def add(self, values: Array, negate: bool = False) -> None:
        """Add ``values`` (one row per listed row, any batch width) into the gradient store.

        ``negate`` subtracts them instead: the same numbers as adding ``-values``, one call less.
        """
        if self.store == UNIFORM and values.shape[-1] != 1:
            values = values.sum(axis=-1, keepdims=True)  # a uniform input: sum over examples
        view = self.view
        if view is not None:
            if values.shape[:-1] != self.lead:
                values = values.reshape(*self.lead, values.shape[-1])
            if negate:
                view -= values
            else:
                view += values
            return
        if negate:
            values = -values
        target = self.target
        assert target is not None  # noqa: S101  # bound before the first call
        values = values.reshape(-1, values.shape[-1])
        if self.merge is None:
            target[self.index] += values
        else:
            order, starts, unique = self.merge
            target[unique] += np.add.reduceat(values[order], starts, axis=0)


@dataclass(slots=True)
class Group:
    """Common part of every group: where the outputs go and which inputs need gradients.

    :meth:`bind` gives the group the stores of one batch size; :meth:`forward` and
    :meth:`backward` then work on them (the plan binds again when the batch size changes).
    """

    out_store: int
    out: slice
    nodes: int
    cache: list[Any] = field(default_factory=list)
    values: Array | None = None  # the outputs' rows of the store, bound
    upstream: Array | None = None  # and of the gradient store

    def bind(self, stores: Sequence[Array], grads: Sequence[Array]) -> None:
        """Work on these stores and gradient stores from now on."""
        self.values = stores[self.out_store][self.out]
        self.upstream = grads[self.out_store][self.out]
        for place in self.places():
            place.bind(stores)
        for target in self.accumulates():
            target.bind(grads)

    def places(self) -> list[Place]:
        """The rows the group reads."""
        raise NotImplementedError

    def accumulates(self) -> list[Accumulate]:
        """Where the group adds its inputs' gradients."""
        raise NotImplementedError

    def forward(self) -> None:
        """Compute the outputs of all the group's nodes for all examples."""
        raise NotImplementedError

    def backward(self) -> None:
        """Add the group's contributions into its inputs' gradients."""
        raise NotImplementedError

    def describe(self) -> str:
        """One line saying what numpy does for this group."""
        raise NotImplementedError


@dataclass(slots=True)
class Elementwise(Group):
    """Nodes of one fixed-arity op with equal parameters: the table's rule applied to arrays."""

    name: str = ""
    forward_rule: Callable[..., Array] | None = None
    local_rule: Callable[..., Grads] | None = None
    params: dict[str, float] = field(default_factory=dict)
    args: list[Place] = field(default_factory=list)
    targets: list[Accumulate | None] = field(default_factory=list)
    selects: bool = False  # the row's Op.selects: a 0 local derivative stops inf and nan
    lanes: bool = False  # local_rule takes Lanes (kernels.lanes_rule)
    inputs: list[Array] | None = None  # bound: the inputs' views, when every input is one
    local_args: list[Array] | None = None  # and local_rule's arguments, made once

    def bind(self, stores: Sequence[Array], grads: Sequence[Array]) -> None:  # noqa: D102
        Group.bind(self, stores, grads)
        views = [a.view for a in self.args if a.view is not None]
        if len(views) < len(self.args):
            self.inputs = self.local_args = None
            return
        self.inputs = views
        args: list[Array] = [*views, self.values]  # type: ignore[list-item]  # bound
        self.local_args = [a.view(Lanes) for a in args] if self.lanes else args

    def places(self) -> list[Place]:  # noqa: D102
        return self.args

    def accumulates(self) -> list[Accumulate]:  # noqa: D102
        return [t for t in self.targets if t is not None]

    def forward(self) -> None:  # noqa: D102
        assert self.forward_rule is not None  # noqa: S101  # set by the planner
        inputs = self.inputs if self.inputs is not None else [a.read() for a in self.args]
        self.values[...] = self.forward_rule(*inputs, **self.params)  # type: ignore[index]
        self.cache = inputs

    def backward(self) -> None:  # noqa: D102
        assert self.local_rule is not None  # noqa: S101  # set by the planner
        upstream: Array = self.upstream  # type: ignore[assignment]  # bound
        args = self.local_args
        if args is None:  # some input gathered: its copy from this forward
            args = [*self.cache, self.values]  # type: ignore[list-item]  # bound
            if self.lanes:
                args = [a.view(Lanes) for a in args]
        local = self.local_rule(*args, **self.params)
        for target, d in zip(self.targets, local):  # noqa: B905  # one derivative per input
            if target is None:
                continue
            if type(d) is float and (d == 1.0 or d == -1.0):  # add, sub: skip the multiply
                target.add(upstream, negate=d == -1.0)
                continue
            d = np.asarray(d)  # a plain array: Lanes arithmetic is slower
            term = d * upstream
            # Op.term lane by lane: 0 where d is 0, whatever the upstream. Where the product
            # has no nan, every such lane holds that 0 already, up to its sign, which adding
            # into a gradient store (zeros, only ever added to) cannot tell.
            if self.selects and _has_nan(term):
                term = np.where(d == 0, 0.0, term)
            target.add(term)

    def describe(self) -> str:  # noqa: D102
        return f"{self.name} x{self.nodes}: one elementwise call"


@dataclass(slots=True)
class Sum(Group):
    """``sum`` nodes with equal numbers of varying and uniform terms: one ``sum`` along axis 1."""

    varying: Place | None = None  # (nodes, terms) rows of V
    uniform: Place | None = None  # (nodes, terms) rows of U
    targets: list[Accumulate | None] = field(default_factory=list)  # for varying, uniform

    def places(self) -> list[Place]:  # noqa: D102
        return [p for p in (self.varying, self.uniform) if p is not None]

    def accumulates(self) -> list[Accumulate]:  # noqa: D102
        return [t for t in self.targets if t is not None]

    def forward(self) -> None:  # noqa: D102
        total: Array | float = 0.0
        if self.varying is not None:
            total = self.varying.read().sum(axis=1)
        if self.uniform is not None:
            total = total + self.uniform.read().sum(axis=1)
        self.values[...] = total  # type: ignore[index]  # bound

    def backward(self) -> None:  # noqa: D102
        upstream: Array = self.upstream  # type: ignore[assignment]  # bound
        for place, target in zip((self.varying, self.uniform), self.targets, strict=True):
            if place is not None and target is not None:  # d out / d term = 1 for every term
                target.add_each(upstream, _terms(place))

    def describe(self) -> str:  # noqa: D102
        terms = sum(_terms(p) for p in (self.varying, self.uniform) if p is not None)
        return f"sum x{self.nodes} of {terms} terms: one sum over an axis"


def _has_nan(values: Array) -> bool:
    """Whether any number of ``values`` is nan, in one BLAS call.

    The sum of squares is nan exactly when a number is: squares are never negative, so no
    ``inf - inf`` arises, and a square too large overflows to ``inf``, not nan.

    >>> with np.errstate(all="ignore"):  # as a plan runs it: 1e300 squared overflows silently
    ...     _has_nan(np.array([[1e300, -np.inf]])), _has_nan(np.array([[0.0, np.nan]]))
    (False, True)
    """
    flat = values.reshape(-1)
    return math.isnan(float(np.dot(flat, flat)))


def _terms(place: Place) -> int:
    """How many terms each node of a ``(nodes, terms)`` place has."""
    rows: Rows = place.rows  # type: ignore[assignment]  # 2-d: an array, never a slice
    return int(rows.shape[1])


@dataclass(slots=True)
class Sliding:
    """A group of dots that is every filter on every patch: a convolution, one ``W @ X``.

    Node ``order[f * P + p]`` reads the weights ``filters[f]`` and the inputs ``patches[p]``;
    ``placement`` puts the product's rows back in the group's order (None: already in it).
    """

    filters: Rows  # (F, k) rows of U
    patches: Rows  # (P, k) rows of V
    order: Rows
    placement: Rows | None
    missing: npt.NDArray[np.bool_] | None = None
    """(P, k): where a padded border window reads the zero row, a pixel its node does not have."""

    @classmethod
    def find(cls, weights: Rows, inputs: Rows) -> Sliding | None:
        """The factorization of a group's mixed pairs, or None when they are not filters x patches.

        >>> w = np.array([[0, 1], [2, 3], [0, 1], [2, 3]])  # two filters ...
        >>> x = np.array([[5, 6], [5, 6], [6, 7], [6, 7]])  # ... on two patches
        >>> found = Sliding.find(w, x)
        >>> found.filters.tolist(), found.patches.tolist(), found.order.tolist()
        ([[0, 1], [2, 3]], [[5, 6], [6, 7]], [0, 2, 1, 3])
        """
        filters, which = np.unique(weights, axis=0, return_inverse=True)
        nodes, k = inputs.shape
        count = len(filters)
        if nodes % count or np.bincount(which.reshape(-1)).min() != nodes // count:
            return None
        order = np.argsort(which.reshape(-1), kind="stable")
        grid = inputs[order].reshape(count, nodes // count, k)
        if nodes // count < 2 or not (grid == grid[0]).all():  # noqa: PLR2004  # one patch: dense
            return None
        identity = np.array_equal(order, np.arange(nodes))
        return cls(filters, grid[0], order, None if identity else np.argsort(order))


@dataclass(slots=True)
class Dot(Group):
    """``dot`` nodes of equal shape: ``b + sum w_i x_i`` as one matrix product for the group.

    Each pair ``(w_i, x_i)`` is put in order so that a uniform member comes first: a neuron's
    pairs are (weight, input). ``mixed`` pairs (uniform, varying) are the matrix product;
    when every node of the group reads the same inputs (a dense layer) it is ``W @ X``, and
    when the nodes are each of a few filters on each of several patches (a convolution,
    :class:`Sliding`) it is ``W @ X`` too, the patches side by side as the columns of ``X`` --
    a padded convolution's border windows, which read fewer pixels, padded with a row of zeros
    (the planner's ``_windows``; a missing pixel's term is left out where that 0 would meet an
    infinite weight or upstream, so the numbers stay the nodes').
    Pairs with both members varying or both uniform are rarer and take a product-and-sum.
    When each node's bias is the row of ``U`` after its weights (parameters listed neuron by
    neuron, as ``Module.parameters()`` gives them), the bias is one more column of ``W`` and
    ``X`` gets a row of ones: forward and backward are then one product each, and the product
    sums the biases' gradient over the batch too.

    Rounding: the scalar engine adds ``b + w_1 x_1 + w_2 x_2 + ...`` left to right. A group of
    only varying (or only uniform) pairs does the same (one pair at a time, or
    ``np.add.accumulate``, sequential by definition), so it gives the scalar engine's numbers
    bit for bit. A matrix product sums
    in BLAS's order (blocked, with fused multiply-adds), and a group mixing pair kinds adds its
    partial sums; there the result differs from the scalar engine's by at most the rounding
    of a sum of ``k + 1`` terms, about ``k * 2**-53 * (|b| + sum |w_i x_i|)`` -- tiny next to
    the terms, though not next to a result that cancels (``1e16 - 1e16 + 1``). Reordering
    this with a cumulative sum would make a dense layer several times slower.
    """

    weights: Rows | None = None  # (nodes, k) rows of U: the uniform member of mixed pairs
    inputs: Rows | None = None  # (nodes, k) rows of V: the varying member of mixed pairs
    shared: Index | None = None  # the inputs' rows when all nodes read the same ones
    sliding: Sliding | None = None  # the filters and patches when the group is a convolution
    both_varying: tuple[Rows, Rows] | None = None
    both_uniform: tuple[Rows, Rows] | None = None
    bias: tuple[int, Index] | None = None
    targets: dict[str, Accumulate | None] = field(default_factory=dict)
    read: dict[str, Place] = field(default_factory=dict)  # the places of the rows above
    pairs: list[tuple[Place, Place, Accumulate | None, Accumulate | None]] = field(
        default_factory=list
    )  # the both-varying and both-uniform pairs' places (a, b) and targets
    dense: tuple[Array, Array, Array | None] | None = None  # bound: W, X and b as views
    augmented: tuple[Array, Array, Array | None] | None = None
    """Bound, when each node's bias is the row of ``U`` after its weights: ``[W b]`` (a view),
    ``[X; 1]`` (the group's own, ``X`` copied in at every forward) and the gradient store's
    view of ``[W b]`` (None: no gradient wanted). Then forward and backward are one matrix
    product each, the biases' gradient summed over the batch by it too."""

    def places(self) -> list[Place]:  # noqa: D102
        if not self.read:
            self.read = self._places()
            self.pairs = [
                (self.read[f"{key}a"], self.read[f"{key}b"], *self._pair_targets(name))
                for key, name in (("v", "varying"), ("u", "uniform"))
                if f"{key}a" in self.read
            ]
        return list(self.read.values())

    def _pair_targets(self, name: str) -> tuple[Accumulate | None, Accumulate | None]:
        return self.targets.get(f"{name}_a"), self.targets.get(f"{name}_b")

    def bind(self, stores: Sequence[Array], grads: Sequence[Array]) -> None:  # noqa: D102
        Group.bind(self, stores, grads)
        self.dense = self.augmented = None
        if self.shared is None or self.sliding is not None or self.pairs:
            return
        w, x = self.read["w"].view, self.read["x"].view
        b = self.read["b"].view if self.bias is not None else None
        if w is not None and x is not None and (self.bias is None or b is not None):
            self.dense = (w, x, b)  # a dense layer read through views: W @ X + b, no gather
            self.augmented = self._augment(stores, grads, x)

    def _augment(
        self, stores: Sequence[Array], grads: Sequence[Array], x: Array
    ) -> tuple[Array, Array, Array | None] | None:
        """``[W b]``, ``[X; 1]`` and the gradient's ``[W b]``, if the biases make them views."""
        if self.bias is None or self.bias[0] != UNIFORM or self.weights is None:
            return None
        biases = _rows_of(self.bias[1])
        rows = np.column_stack([self.weights, biases])
        where = grid(rows)
        if where is None or np.unique(rows).size != rows.size:
            return None
        to_w, to_b = self.targets.get("weights"), self.targets.get("bias")
        if (to_w is None) != (to_b is None) or any(
            t is not None and t.view is None for t in (to_w, to_b)
        ):
            return None  # one of them alone, or gathered: the separate products
        wb = grid_view(stores[UNIFORM], where, rows.shape, column=True)
        xa = np.ones((len(x) + 1, x.shape[1]))
        grad = None if to_w is None else grid_view(grads[UNIFORM], where, rows.shape, column=True)
        return wb, xa, grad

    def _places(self) -> dict[str, Place]:
        found: dict[str, Place] = {}
        if self.sliding is not None:
            found["w"] = Place.of(UNIFORM, self.sliding.filters, column=True)
            found["x"] = Place.of(VARYING, self.sliding.patches)
        elif self.weights is not None:
            found["w"] = Place.of(UNIFORM, self.weights, column=True)
            if self.shared is not None:
                found["x"] = Place.of(VARYING, self.shared)
            else:
                found["x"] = Place.of(VARYING, self.inputs)  # type: ignore[arg-type]  # set
        for key, pair, store in (
            ("v", self.both_varying, VARYING),
            ("u", self.both_uniform, UNIFORM),
        ):
            if pair is not None:
                found[f"{key}a"], found[f"{key}b"] = (Place.of(store, rows) for rows in pair)
        if self.bias is not None:
            found["b"] = Place.of(*self.bias)
        return found

    def accumulates(self) -> list[Accumulate]:  # noqa: D102
        return [t for t in self.targets.values() if t is not None]

    def forward(self) -> None:  # noqa: D102
        if self.dense is not None:
            self._forward_dense(*self.dense)
            return
        read = self.read
        total: Array | float = 0.0
        cache: list[Any] = []
        if self.sliding is not None:
            total, cache = _slide(self.sliding, read["w"].read(), read["x"].read())
        elif self.weights is not None:
            w, x = read["w"].read(), read["x"].read()
            total = w @ x if self.shared is not None else np.matmul(w[:, None, :], x)[:, 0, :]
            cache = [w, x]
        bias: Array | float = 0.0 if self.bias is None else read["b"].read()
        out: Array = self.values  # type: ignore[assignment]  # bound
        if self.weights is None and len(self.pairs) == 1:  # one kind of pair only
            first, second, _, _ = self.pairs[0]
            out[...] = _in_order(bias, first.read() * second.read())
            return
        for first, second, _, _ in self.pairs:
            total = total + (first.read() * second.read()).sum(axis=1)
        np.add(total, bias, out=out)
        self.cache = cache

    def _forward_dense(self, w: Array, x: Array, b: Array | None) -> None:
        """A dense layer read through views: ``[W b] @ [X; 1]``, else ``W @ X + b``."""
        out: Array = self.values  # type: ignore[assignment]  # bound
        if self.augmented is not None:
            wb, xa, _ = self.augmented
            xa[:-1] = x
            np.matmul(wb, xa, out=out)
            return
        np.matmul(w, x, out=out)
        if b is not None:
            out += b

    def backward(self) -> None:  # noqa: D102
        upstream: Array = self.upstream  # type: ignore[assignment]  # bound
        t = self.targets
        if self.dense is not None:
            self._backward_dense(upstream)
            return
        if self.weights is not None:
            self._backward_mixed(upstream)
        for a, b, to_a, to_b in self.pairs:
            if to_a is not None:  # d out / d a_i = b_i and the other way round
                to_a.add(b.read() * upstream[:, None, :])
            if to_b is not None:
                to_b.add(a.read() * upstream[:, None, :])
        bias = t["bias"]
        if self.bias is not None and bias is not None:
            bias.add(upstream)

    def _backward_mixed(self, upstream: Array) -> None:
        """Mixed pairs: d out/d w_i = x_i and d out/d x_i = w_i, as matrix products."""
        w, x = self.cache
        if self.sliding is not None:
            _slide_back(self.sliding, w, x, upstream, self.targets)
            return
        if self.shared is not None:
            self._backward_shared(w, x, upstream)
            return
        weights, inputs = self.targets["weights"], self.targets["inputs"]
        if weights is not None:
            weights.add(np.matmul(x, upstream[:, :, None]))
        if inputs is not None:
            inputs.add(w[:, :, None] * upstream[:, None, :])

    def _backward_dense(self, upstream: Array) -> None:
        """A dense layer read through views: d/d[W b] = up [X; 1]^T, else d/dW and d/db apart."""
        w, x, _ = self.dense  # type: ignore[misc]  # bound
        if self.augmented is None:
            self._backward_shared(w, x, upstream)
            if (bias := self.targets["bias"]) is not None:
                bias.add(upstream)
            return
        _, xa, grad = self.augmented
        if grad is not None:
            grad += upstream @ xa.T
        self._add_input_grads(w, upstream)

    def _backward_shared(self, w: Array, x: Array, upstream: Array) -> None:
        """Every node reads the same inputs (W @ X): d/dW = up X^T and d/dX = W^T up."""
        if (weights := self.targets["weights"]) is not None:
            weights.add((upstream @ x.T)[..., None])
        self._add_input_grads(w, upstream)

    def _add_input_grads(self, w: Array, upstream: Array) -> None:
        if (inputs := self.targets["inputs"]) is not None:  # one node: an outer product, the
            inputs.add(w.T @ upstream if len(w) > 1 else w.T * upstream)  # same numbers faster

    def describe(self) -> str:  # noqa: D102
        parts, k = [], 0
        if self.weights is not None:
            k += self.weights.shape[1]
            if self.sliding is not None:
                f, p = len(self.sliding.filters), len(self.sliding.patches)
                padded = self.sliding.missing is not None and bool(self.sliding.missing.any())
                what = "a convolution, border windows padded" if padded else "a convolution"
                parts.append(f"W @ X ({f} filters x {p} patches, {what})")
            else:
                parts.append("W @ X (dense)" if self.shared is not None else "batched matmul")
        pairs = [p for p in (self.both_varying, self.both_uniform) if p is not None]
        k += sum(a.shape[1] for a, _ in pairs)
        if pairs:
            ordered = self.weights is None and len(pairs) == 1
            parts.append("product-and-sum" + (" in the scalar engine's order" if ordered else ""))
        return f"dot x{self.nodes} of fan-in {k}: one {' + '.join(parts)}"


def _rows_of(index: Index) -> Rows:
    """``index`` as an array of rows (a slice's rows listed)."""
    if isinstance(index, slice):
        return np.arange(index.start, index.stop, dtype=np.intp)
    return index


def _slide(sliding: Sliding, w: Array, patches: Array) -> tuple[Array, list[Any]]:
    """A convolution's forward: the filters (F, k) times the patches side by side (k, P * batch).

    ``patches`` are ``(P, k, batch)``.
    """
    count, width = len(sliding.patches), patches.shape[-1]
    columns = patches.transpose(1, 0, 2).reshape(w.shape[1], count * width)
    total: Array = (w @ columns).reshape(len(w) * count, width)
    if sliding.missing is not None and not np.isfinite(w).all():
        # w * 0 is nan for an infinite w: leave the missing pixels out, as the nodes do
        products = w[:, None, :, None] * patches[None]  # (F, P, k, batch)
        products[:, sliding.missing] = 0.0
        total = products.sum(axis=2).reshape(len(w) * count, width)
    if sliding.placement is not None:
        total = total[sliding.placement]
    return total, [w, columns]


def _slide_back(
    sliding: Sliding,
    w: Array,
    columns: Array,
    upstream: Array,
    targets: dict[str, Accumulate | None],
) -> None:
    """A convolution's backward: d/d filters = up @ X^T, d/d patches = W^T @ up."""
    up = upstream if sliding.placement is None else upstream[sliding.order]
    up = up.reshape(len(w), -1)  # (F, P * batch), in the columns' order
    filters, patches = targets["filters"], targets["patches"]
    if filters is not None:
        found = up @ columns.T
        if sliding.missing is not None and not np.isfinite(up).all():
            # 0 * inf is nan at a missing pixel: leave those terms out, as the nodes do
            count = len(sliding.patches)
            cells = columns.reshape(len(columns), count, -1)  # (k, P, batch)
            products = up.reshape(len(w), 1, count, -1) * cells[None]  # (F, k, P, batch)
            products[:, sliding.missing.T] = 0.0
            found = products.sum(axis=(2, 3))
        filters.add(found[..., None])
    if patches is not None:
        count = len(sliding.patches)
        back = (w.T @ up).reshape(w.shape[1], count, -1).transpose(1, 0, 2)  # (P, k, batch)
        patches.add(back)


def _in_order(bias: Array | float, products: Array) -> Array:
    """``b + p_1 + p_2 + ...`` left to right, as ``ops``' dot adds: (nodes, k, n) -> (nodes, n).

    A few terms are added one slice at a time; many (an L2 penalty's ``dot(params, params)``,
    one lane wide) by ``np.add.accumulate``, which is sequential by definition.

    >>> _in_order(np.array([[1.0]]), np.array([[[1e16], [-1e16]]]))
    array([[0.]])
    """
    nodes, k, width = products.shape
    bias = np.asarray(bias)
    width = max(width, bias.shape[-1] if bias.ndim else 1)
    if k <= FEW_TERMS:
        total: Array = np.empty((nodes, width))
        total[...] = bias
        for i in range(k):
            total += products[:, i]
        return total
    terms = np.empty((k + 1, nodes, width))
    terms[0] = bias
    terms[1:] = products.transpose(1, 0, 2)
    result: Array = np.add.accumulate(terms, axis=0)[-1]
    return result
