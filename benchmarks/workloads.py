"""The benchmark workloads, each built for every engine from the same numbers.

A *contender* is one way to run a workload: micrograd 0.1.0, this engine with micrograd's graph
(one node per ``*`` and ``+``), this engine with its fused ``dot``/``sum`` nodes, ``autograd.nn``
once it exists, and hand-written numpy. Every contender starts from the weights of one seeded
micrograd model, so all of them must compute the same loss and gradients; ``run.py`` checks
that before it times anything.
"""

from __future__ import annotations

import importlib
import math
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from types import ModuleType
from typing import Any, Final

import numpy as np
from micrograd import nn as mg_nn  # type: ignore[import-untyped]  # micrograd ships no types
from micrograd.engine import Value as MgValue  # type: ignore[import-untyped]

from autograd import Value, dot, sum_values

# Engine values are duck-typed here: the same loss code runs on micrograd's Value and on ours,
# and micrograd has no type annotations, so the shared helpers take Any.
Node = Any

SEED: Final = 1337  # micrograd's moons demo seeds numpy and random with 1337
MOONS_SIZES: Final = (2, 16, 16, 1)
MOONS_ALPHA: Final = 1e-4  # micrograd demo: L2 strength
MOONS_LR: Final = 1.0  # micrograd demo: learning rate of step 0 (1.0 - 0.9 * k / 100)
DIGITS_SIZES: Final = (64, 32, 10)
DIGITS_LR: Final = 0.1
CHAIN_ADD: Final = 0.5
CHAIN_MUL: Final = 0.9999  # keeps the chain's value and gradient far from overflow


@dataclass
class Contender:
    """One engine's way to run a training-step workload.

    ``loss_and_grads`` resets the weights, runs forward and backward once and returns the loss
    and every parameter's gradient (micrograd's parameter order). ``step`` runs one training
    step (forward, zero_grad, backward, SGD update). ``inner`` is how many steps one timing
    sample runs (numpy is too fast to time one step at a time).
    """

    name: str
    loss_and_grads: Callable[[], tuple[float, list[float]]]
    step: Callable[[], float]
    reset: Callable[[], None]
    inner: int = 1


def optional_module(name: str) -> ModuleType | None:
    """Import ``name`` if that module exists; errors inside an existing module still raise."""
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError as err:
        if err.name != name:
            raise
        return None


# --- data --------------------------------------------------------------------------------------


def make_moons(n: int = 100, noise: float = 0.1, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved half circles (scikit-learn's ``make_moons``), labels -1/+1 as in the demo."""
    rng = np.random.default_rng(seed)
    n_out = n // 2
    n_in = n - n_out
    t_out = np.linspace(0.0, np.pi, n_out)
    t_in = np.linspace(0.0, np.pi, n_in)
    x = np.concatenate([np.cos(t_out), 1.0 - np.cos(t_in)])
    y = np.concatenate([np.sin(t_out), 1.0 - np.sin(t_in) - 0.5])
    points = np.column_stack([x, y]) + rng.normal(0.0, noise, size=(n, 2))
    labels = np.concatenate([-np.ones(n_out), np.ones(n_in)])
    return points, labels


def load_digits_batch(batch: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray, str]:
    """A batch of 8x8 digit images scaled to [0, 1], their labels, and where they came from."""
    rng = np.random.default_rng(seed)
    datasets = optional_module("sklearn.datasets")
    if datasets is not None:
        digits = datasets.load_digits()
        pick = rng.choice(len(digits.target), size=batch, replace=False)
        return digits.data[pick] / 16.0, digits.target[pick], "sklearn load_digits"
    images = rng.integers(0, 17, size=(batch, 64)) / 16.0
    return images, rng.integers(0, 10, size=batch), "random data (scikit-learn not installed)"


# --- the shared weights: one seeded micrograd model ---------------------------------------------


def micrograd_mlp(sizes: Sequence[int], seed: int = SEED) -> Any:
    """micrograd's ``MLP`` (uniform(-1, 1) weights, zero biases) from a seeded ``random``."""
    random.seed(seed)
    return mg_nn.MLP(sizes[0], list(sizes[1:]))


def split_layers(sizes: Sequence[int], flat: Sequence[Any]) -> list[list[tuple[list[Any], Any]]]:
    """Cut a flat parameter list (each neuron's weights, then its bias) into layers of neurons."""
    layers: list[list[tuple[list[Any], Any]]] = []
    i = 0
    for nin, nout in pairwise(sizes):
        layer = []
        for _ in range(nout):
            layer.append((list(flat[i : i + nin]), flat[i + nin]))
            i += nin + 1
        layers.append(layer)
    return layers


def mlp_plain(layers: list[list[tuple[list[Node], Node]]], x: Sequence[Node]) -> list[Node]:
    """micrograd's ``MLP.__call__`` written out: ``sum(w*x, b)`` per neuron, ReLU but last."""
    for depth, layer in enumerate(layers):
        last = depth == len(layers) - 1
        outs = []
        for w, b in layer:
            act = sum((wi * xi for wi, xi in zip(w, x, strict=True)), b)
            outs.append(act if last else act.relu())
        x = outs
    return list(x)


def mlp_fused(layers: list[list[tuple[list[Value], Value]]], x: Sequence[Any]) -> list[Value]:
    """The same network with one fused ``dot`` node per neuron."""
    for depth, layer in enumerate(layers):
        last = depth == len(layers) - 1
        outs = [dot(w, x, b) for w, b in layer]
        x = outs if last else [o.relu() for o in outs]
    return list(x)


def _value_contender(
    name: str,
    params: list[Node],
    forward_loss: Callable[[], Node],
    weights: list[float],
    lr: float,
) -> Contender:
    """A contender for any engine whose nodes have ``data``, ``grad`` and ``backward()``."""

    def reset() -> None:
        for p, w in zip(params, weights, strict=True):
            p.data = w
            p.grad = 0.0

    def loss_and_grads() -> tuple[float, list[float]]:
        reset()
        loss = forward_loss()
        loss.backward()
        return float(loss.data), [float(p.grad) for p in params]

    def step() -> float:
        loss = forward_loss()
        for p in params:  # zero_grad, as micrograd's Module.zero_grad does it
            p.grad = 0.0
        loss.backward()
        for p in params:
            p.data -= lr * p.grad
        return float(loss.data)

    return Contender(name, loss_and_grads, step, reset)


# --- workload 1: one step of micrograd's moons demo ---------------------------------------------


def svm_loss_plain(scores: Sequence[Node], ys: Sequence[float], params: Sequence[Node]) -> Node:
    """micrograd demo's loss: mean of relu(1 - y*score) plus 1e-4 * sum(p*p), as it writes it."""
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores, strict=True)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = MOONS_ALPHA * sum(p * p for p in params)
    return data_loss + reg_loss


def svm_loss_fused(scores: Sequence[Value], ys: Sequence[float], params: list[Value]) -> Value:
    """The same loss with one ``sum`` node for the mean and one ``dot`` node for the L2 term."""
    losses = [(1 + -yi * si).relu() for yi, si in zip(ys, scores, strict=True)]
    data_loss = sum_values(losses) * (1.0 / len(losses))
    return data_loss + MOONS_ALPHA * dot(params, params)


def moons_contenders(n_points: int) -> tuple[list[Contender], list[str]]:
    """Every engine's moons step, all from the same seeded micrograd weights; and notes."""
    points, labels = make_moons(n_points)
    rows: list[list[float]] = points.tolist()  # plain floats: numpy scalars would slow micrograd
    ys: list[float] = labels.tolist()
    model = micrograd_mlp(MOONS_SIZES)
    mg_params = model.parameters()
    weights = [float(p.data) for p in mg_params]
    notes: list[str] = []

    def mg_loss() -> Any:
        scores = [model([MgValue(v) for v in row]) for row in rows]
        return svm_loss_plain(scores, ys, mg_params)

    plain_params = [Value(w) for w in weights]
    plain = split_layers(MOONS_SIZES, plain_params)
    fused_params = [Value(w) for w in weights]
    fused = split_layers(MOONS_SIZES, fused_params)

    def plain_loss() -> Value:
        scores = [mlp_plain(plain, [Value(v) for v in row])[0] for row in rows]
        return svm_loss_plain(scores, ys, plain_params)  # type: ignore[no-any-return]

    def fused_loss() -> Value:
        scores = [mlp_fused(fused, row)[0] for row in rows]
        return svm_loss_fused(scores, ys, fused_params)

    found = [
        _value_contender("micrograd 0.1.0", mg_params, mg_loss, weights, MOONS_LR),
        _value_contender("ours, micrograd's graph", plain_params, plain_loss, weights, MOONS_LR),
        _value_contender("ours, fused dot/sum", fused_params, fused_loss, weights, MOONS_LR),
    ]
    nn_version = _nn_contender(MOONS_SIZES, weights, notes)
    if nn_version is not None:
        nn_model, nn_params = nn_version

        def nn_loss() -> Value:
            scores = [_single(nn_model(row)) for row in rows]
            return svm_loss_fused(scores, ys, nn_params)

        found.append(
            _value_contender("ours, autograd.nn.MLP", nn_params, nn_loss, weights, MOONS_LR)
        )
    plan = _optional(notes, "moons", lambda: _compiled_moons(points, labels, weights))
    if plan is not None:
        found.append(plan)
    found.append(_numpy_contender(MOONS_SIZES, weights, points, labels, "svm", MOONS_LR))
    return found, notes


def _single(out: Any) -> Value:
    """An MLP with one output returns a Value (micrograd's rule); accept a 1-list too."""
    if isinstance(out, Value):
        return out
    (only,) = out
    return only  # type: ignore[no-any-return]


def _nn_contender(
    sizes: Sequence[int], weights: list[float], notes: list[str]
) -> tuple[Any, list[Value]] | None:
    """``autograd.nn.MLP`` with micrograd's weights copied in, or None (and a note) if absent."""
    nn = optional_module("autograd.nn")
    if nn is None:
        notes.append("autograd.nn does not exist yet: no autograd.nn.MLP row")
        return None
    model = nn.MLP(sizes[0], list(sizes[1:]), seed=0)
    params = list(model.parameters())
    if len(params) != len(weights):
        notes.append(
            f"autograd.nn.MLP{tuple(sizes)} has {len(params)} parameters, micrograd's "
            f"{len(weights)}: no autograd.nn row"
        )
        return None
    for p, w in zip(params, weights, strict=True):
        p.data = w
    return model, params


# --- workload 4: a training step of the 8x8 digits network --------------------------------------


def cross_entropy_plain(logits: Sequence[Node], target: int, total: Callable[..., Node]) -> Node:
    """Softmax cross-entropy by log-sum-exp with a constant shift: no overflow, any engine."""
    shift = max(z.data for z in logits)
    exps = [(z - shift).exp() for z in logits]
    return total(exps).log() - (logits[target] - shift)


def add_micrograd_exp_log() -> None:
    """Give micrograd 0.1.0's Value ``exp`` and ``log``, written in micrograd's closure style.

    micrograd 0.1.0 has neither (its lecture version has ``exp``); without them it cannot
    compute a softmax. Each new node gets a ``_backward`` closure over itself, as every
    micrograd op does, so the comparison keeps micrograd's design and its reference cycles.
    """
    if hasattr(MgValue, "log"):
        return

    def exp(self: Any) -> Any:
        out = MgValue(math.exp(self.data), (self,), "exp")

        def _backward() -> None:
            self.grad += out.data * out.grad

        out._backward = _backward
        return out

    def log(self: Any) -> Any:
        out = MgValue(math.log(self.data), (self,), "log")

        def _backward() -> None:
            self.grad += (1.0 / self.data) * out.grad

        out._backward = _backward
        return out

    MgValue.exp = exp
    MgValue.log = log


def digits_contenders(batch: int) -> tuple[list[Contender], list[str]]:
    """Every engine's digits step (MLP 64-32-10, mean softmax cross-entropy); and notes."""
    images, targets, source = load_digits_batch(batch)
    notes = [f"digits data: {source}, batch of {batch}"]
    rows: list[list[float]] = images.tolist()
    ts: list[int] = [int(t) for t in targets]
    add_micrograd_exp_log()
    model = micrograd_mlp(DIGITS_SIZES)
    mg_params = model.parameters()
    weights = [float(p.data) for p in mg_params]
    scale = 1.0 / batch

    def mg_loss() -> Any:
        losses = [
            cross_entropy_plain(model([MgValue(v) for v in row]), t, sum)
            for row, t in zip(rows, ts, strict=True)
        ]
        return sum(losses) * scale

    plain_params = [Value(w) for w in weights]
    plain = split_layers(DIGITS_SIZES, plain_params)
    fused_params = [Value(w) for w in weights]
    fused = split_layers(DIGITS_SIZES, fused_params)

    def plain_loss() -> Value:
        losses = [
            cross_entropy_plain(mlp_plain(plain, [Value(v) for v in row]), t, sum)
            for row, t in zip(rows, ts, strict=True)
        ]
        return sum(losses) * scale  # type: ignore[no-any-return]

    def fused_loss() -> Value:
        losses = [
            cross_entropy_plain(mlp_fused(fused, row), t, sum_values)
            for row, t in zip(rows, ts, strict=True)
        ]
        return sum_values(losses) * scale

    found = [
        _value_contender("micrograd 0.1.0 + exp/log", mg_params, mg_loss, weights, DIGITS_LR),
        _value_contender("ours, micrograd's graph", plain_params, plain_loss, weights, DIGITS_LR),
        _value_contender("ours, fused dot/sum", fused_params, fused_loss, weights, DIGITS_LR),
    ]
    nn_version = _nn_contender(DIGITS_SIZES, weights, notes)
    if nn_version is not None:
        found.append(_nn_digits_contender(nn_version, rows, ts, weights, notes))
    plan = _optional(notes, "digits", lambda: _compiled_digits(images, targets, weights))
    if plan is not None:
        found.append(plan)
    found.append(_numpy_contender(DIGITS_SIZES, weights, images, targets, "xent", DIGITS_LR))
    return found, notes


def _nn_digits_contender(
    nn_version: tuple[Any, list[Value]],
    rows: list[list[float]],
    ts: list[int],
    weights: list[float],
    notes: list[str],
) -> Contender:
    """``autograd.nn.MLP`` with ``autograd.losses.cross_entropy`` where that module exists."""
    model, params = nn_version
    losses_module = optional_module("autograd.losses")
    if losses_module is None:
        notes.append("autograd.losses does not exist yet: the nn row uses the benchmark's loss")

        def xent(logits: list[Value], t: int) -> Value:
            return cross_entropy_plain(logits, t, sum_values)  # type: ignore[no-any-return]

    else:
        xent = losses_module.cross_entropy
    scale = 1.0 / len(rows)

    def nn_loss() -> Value:
        return sum_values([xent(model(row), t) for row, t in zip(rows, ts, strict=True)]) * scale

    return _value_contender("ours, autograd.nn + losses", params, nn_loss, weights, DIGITS_LR)


# --- compiled batched execution (autograd.compiled), once it exists -----------------------------


def _optional(
    notes: list[str], workload: str, build: Callable[[], Contender | None]
) -> Contender | None:
    """Build a contender from a module still being written; a failure becomes a note, not a row."""
    try:
        return build()
    except Exception as err:  # report any failure of work in progress, go on
        notes.append(f"{workload}: the autograd.compiled row failed to build: {err!r}")
        return None


def _plan_contender(
    name: str,
    plan: Any,
    batch: tuple[np.ndarray, ...],
    params: list[Value],
    weights: list[float],
    lr: float,
) -> Contender:
    """A contender running a compiled plan's ``forward_backward`` on the whole batch."""

    def reset() -> None:
        for p, w in zip(params, weights, strict=True):
            p.data = w
            p.grad = 0.0

    def loss_and_grads() -> tuple[float, list[float]]:
        reset()
        loss = plan.forward_backward(batch)
        return float(loss), [p.grad for p in params]

    def step() -> float:
        for p in params:
            p.grad = 0.0
        loss = float(plan.forward_backward(batch))
        for p in params:
            p.data -= lr * p.grad
        return loss

    return Contender(name, loss_and_grads, step, reset)


COMPILED_NAME: Final = "ours, autograd.compiled (numpy batch)"


def _compiled_moons(
    points: np.ndarray, labels: np.ndarray, weights: list[float]
) -> Contender | None:
    """The moons loss of one example (hinge + the L2 term), traced once, run on the batch."""
    compiled = optional_module("autograd.compiled")
    if compiled is None:
        return None
    params = [Value(w) for w in weights]
    layers = split_layers(MOONS_SIZES, params)

    def one_example(x: list[Value], y: Value) -> Value:
        # The batch mean of (hinge_i + L2) is the demo's mean hinge + L2.
        score = mlp_fused(layers, x)[0]
        return (1 + -y * score).relu() + MOONS_ALPHA * dot(params, params)

    plan = compiled.compile_loss(one_example, (points[0].tolist(), float(labels[0])), params)
    return _plan_contender(COMPILED_NAME, plan, (points, labels), params, weights, MOONS_LR)


def _compiled_digits(
    images: np.ndarray, targets: np.ndarray, weights: list[float]
) -> Contender | None:
    """Cross-entropy of one image with a one-hot target, traced once, run on the batch.

    No max-shift here: a shift read from ``.data`` would be a constant that differs per image,
    which the plan rightly refuses as a data-dependent graph; these logits are far from overflow.
    """
    compiled = optional_module("autograd.compiled")
    if compiled is None:
        return None
    params = [Value(w) for w in weights]
    layers = split_layers(DIGITS_SIZES, params)

    def one_example(x: list[Value], onehot: list[Value]) -> Value:
        logits = mlp_fused(layers, x)
        return sum_values([z.exp() for z in logits]).log() - dot(onehot, logits)

    onehot = np.eye(DIGITS_SIZES[-1])[targets]
    plan = compiled.compile_loss(one_example, (images[0].tolist(), onehot[0].tolist()), params)
    return _plan_contender(COMPILED_NAME, plan, (images, onehot), params, weights, DIGITS_LR)


DIGITS_IMAGES: Final = 1797  # the whole 8x8 digits set: one epoch as one full batch


def digits_epoch_contenders() -> tuple[list[Contender], list[str]]:
    """One full-batch epoch (all 1,797 images): hand-written numpy first, then the compiled plan.

    micrograd and the scalar engine would take minutes here; ``run.py`` scales their
    batch-row times instead and says so.
    """
    images, targets, source = load_digits_batch(DIGITS_IMAGES)
    weights = [float(p.data) for p in micrograd_mlp(DIGITS_SIZES).parameters()]
    notes: list[str] = [f"digits epoch data: {source}, all {len(targets)} images"]
    found = [_numpy_contender(DIGITS_SIZES, weights, images, targets, "xent", DIGITS_LR)]
    plan = _optional(notes, "digits epoch", lambda: _compiled_digits(images, targets, weights))
    if plan is None:
        notes.append("digits epoch: autograd.compiled does not exist: numpy row only")
    else:
        found.append(plan)
    return found, notes


# --- hand-written numpy: the same networks as matrices ------------------------------------------


def _unflatten(sizes: Sequence[int], weights: list[float]) -> list[np.ndarray]:
    """One (nout, nin + 1) matrix per layer: each row a neuron's weights, then its bias."""
    mats, i = [], 0
    for nin, nout in pairwise(sizes):
        count = nout * (nin + 1)
        mats.append(np.array(weights[i : i + count], dtype=np.float64).reshape(nout, nin + 1))
        i += count
    return mats


def _numpy_loss_grads(
    mats: list[np.ndarray], x: np.ndarray, y: np.ndarray, loss: str
) -> tuple[float, list[np.ndarray]]:
    """Forward and backward of the ReLU MLP with the SVM+L2 or the softmax cross-entropy loss."""
    acts, zs = [x], []
    for depth, m in enumerate(mats):
        z = acts[-1] @ m[:, :-1].T + m[:, -1]
        zs.append(z)
        acts.append(z if depth == len(mats) - 1 else np.maximum(z, 0.0))
    out, n = acts[-1], len(x)
    if loss == "svm":
        margin = 1.0 - y * out[:, 0]
        value = float(np.maximum(margin, 0.0).mean())
        value += MOONS_ALPHA * float(sum((m * m).sum() for m in mats))
        upstream = np.where(margin > 0.0, -y, 0.0)[:, None] / n
    else:
        shifted = out - out.max(axis=1, keepdims=True)
        exps = np.exp(shifted)
        total = exps.sum(axis=1)
        value = float((np.log(total) - shifted[np.arange(n), y]).mean())
        upstream = exps / total[:, None]
        upstream[np.arange(n), y] -= 1.0
        upstream /= n
    grads: list[np.ndarray] = []
    for depth in range(len(mats) - 1, -1, -1):
        if depth < len(mats) - 1:
            upstream = upstream * (zs[depth] > 0.0)  # relu'(0) = 0, as both engines
        grads.append(np.column_stack([upstream.T @ acts[depth], upstream.sum(axis=0)]))
        upstream = upstream @ mats[depth][:, :-1]
    grads.reverse()
    if loss == "svm":
        grads = [g + 2.0 * MOONS_ALPHA * m for g, m in zip(grads, mats, strict=True)]
    return value, grads


NUMPY_INNER: Final = 50  # numpy steps per timing sample


def _numpy_contender(
    sizes: Sequence[int], weights: list[float], x: np.ndarray, y: np.ndarray, loss: str, lr: float
) -> Contender:
    """Hand-written numpy matrix code for the same network, loss and SGD step."""
    mats = _unflatten(sizes, weights)
    start = [m.copy() for m in mats]
    labels = y.astype(np.int64) if loss == "xent" else y

    def reset() -> None:
        for m, s in zip(mats, start, strict=True):
            m[...] = s

    def loss_and_grads() -> tuple[float, list[float]]:
        reset()
        value, grads = _numpy_loss_grads(mats, x, labels, loss)
        return value, [float(g) for grad in grads for g in grad.ravel()]

    def step() -> float:
        value, grads = _numpy_loss_grads(mats, x, labels, loss)
        for m, g in zip(mats, grads, strict=True):
            m -= lr * g
        return value

    return Contender("numpy, hand-written", loss_and_grads, step, reset, inner=NUMPY_INNER)


# --- workloads 2 and 3: a long chain ------------------------------------------------------------


def build_chain(x: Node, n: int) -> Node:
    """``n`` operations on ``x``, alternating ``+ 0.5`` and ``* 0.9999`` (any engine)."""
    v = x
    for i in range(n):
        v = v + CHAIN_ADD if i % 2 == 0 else v * CHAIN_MUL
    return v


def chain_reference(x: float, n: int) -> tuple[float, float]:
    """The chain's value in plain floats, and its derivative ``0.9999 ** (n // 2)`` analytically."""
    v = x
    for i in range(n):
        v = v + CHAIN_ADD if i % 2 == 0 else v * CHAIN_MUL
    return v, CHAIN_MUL ** (n // 2)


def micrograd_backward(root: Any, n: int) -> None:
    """micrograd's recursive backward, with the recursion limit raised for an ``n``-deep graph.

    micrograd's topological sort recurses once per node and dies near depth 1,000 otherwise;
    the limit is raised only here and restored at once.
    """
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 2 * n + 10_000))
    try:
        root.backward()
    finally:
        sys.setrecursionlimit(old)
