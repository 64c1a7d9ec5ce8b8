"""The benchmark workloads, each built for one engine at a time from the same numbers.

A *contender* is one engine's way to run a training-step workload: micrograd 0.1.0, this engine
with micrograd's graph (one node per ``*`` and ``+``), this engine with its fused ``dot``/``sum``
nodes, ``autograd.nn``, ``autograd.compiled`` (``compiled``: parameters as Values; ``array``:
``value_and_grad`` with the parameters in an array) and hand-written numpy. Every contender starts
from the weights of one seeded micrograd model (the CNN, which micrograd cannot build: from the
weights of ``examples/cnn_digits.py``'s model), so all of them must compute the same loss and
gradients; ``benchmarks.measure`` checks that in the very process that times it.

Each builder makes only the contender it is asked for: a timing process holds one engine's
objects and nothing else, so no other engine's live objects lengthen its collector's scans.
"""

from __future__ import annotations

import math
import random
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import pairwise
from typing import Any, Final

import numpy as np
from micrograd import nn as mg_nn  # type: ignore[import-untyped]  # micrograd ships no types
from micrograd.engine import Value as MgValue  # type: ignore[import-untyped]

from autograd import Value, dot, sum_values
from autograd import nn as ag_nn
from autograd.compiled import compile_loss
from autograd.data import load_digits
from autograd.losses import cross_entropy

# Engine values are duck-typed here: the same loss code runs on micrograd's Value and on ours,
# and micrograd has no type annotations, so the shared helpers take Any.
Node = Any

SEED: Final = 1337  # micrograd's moons demo seeds numpy and random with 1337
MOONS_SIZES: Final = (2, 16, 16, 1)
MOONS_ALPHA: Final = 1e-4  # micrograd demo: L2 strength
MOONS_LR: Final = 1.0  # micrograd demo: learning rate of step 0 (1.0 - 0.9 * k / 100)
DIGITS_SIZES: Final = (64, 32, 10)
DIGITS_LR: Final = 0.1
DIGITS_IMAGES: Final = 1797  # the whole 8x8 digits set: one epoch as one full batch
CHAIN_ADD: Final = 0.5
CHAIN_MUL: Final = 0.9999  # keeps the chain's value and gradient far from overflow
FAST_INNER: Final = 50
"""Steps per timing sample of hand-written numpy and of the compiled plan (about a millisecond a
step or less): one step is near the timer's grain, and a step timed alone right after
``gc.collect()`` pays for the caches the collection emptied (100-300 µs here), which 50 steps
share."""
PLAN_CHECK_EVERY: Final = 10
"""The timed plans re-check as a user's do (the default, ``check_every=10``): with 50 steps a
sample, every sample holds five re-checks (one example rebuilt with the scalar engine each)."""


class UnavailableError(Exception):
    """This engine cannot run this workload here (a module not written yet); not an error."""


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


@dataclass(frozen=True)
class Sizes:
    """The sizes of one run's workloads, and how often its compiled plans re-check."""

    moons_points: int
    digits_batch: int
    sample_batch: int
    cnn_batch: int
    check_every: int = PLAN_CHECK_EVERY  # the compiled plans' re-checks; 0: never


@dataclass(frozen=True)
class StepWorkload:
    """A training-step workload: its label, its engines (in table order) and its builder.

    ``reference`` names the engine whose loss and gradients every other one must match;
    ``build(engine, sizes)`` returns that one engine's :class:`Contender`.
    """

    key: str
    label: Callable[[Sizes], str]
    engines: tuple[str, ...]
    names: dict[str, str]
    build: Callable[[str, Sizes], Contender]
    reference: str = "micrograd"


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


def load_digits_batch(batch: int, seed: int = SEED) -> tuple[np.ndarray, np.ndarray]:
    """``batch`` of the shipped 8x8 digits (scikit-learn's images) in [0, 1], and their labels.

    The whole set (``batch`` = 1,797) comes in a seeded random order, as any other batch.
    """
    images, labels = load_digits()
    pick = np.random.default_rng(seed).choice(len(labels), size=batch, replace=False)
    return images[pick], labels[pick]


# --- the shared weights: one seeded micrograd model ---------------------------------------------


def micrograd_mlp(sizes: Sequence[int], seed: int = SEED) -> Any:
    """micrograd's ``MLP`` (uniform(-1, 1) weights, zero biases) from a seeded ``random``."""
    random.seed(seed)
    return mg_nn.MLP(sizes[0], list(sizes[1:]))


def shared_weights(sizes: Sequence[int]) -> list[float]:
    """The seeded micrograd model's parameters as floats (micrograd's order)."""
    return [float(p.data) for p in micrograd_mlp(sizes).parameters()]


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


def nn_mlp(sizes: Sequence[int], weights: list[float]) -> tuple[Any, list[Value]]:
    """``autograd.nn.MLP`` with micrograd's weights copied in (both order weights, then bias)."""
    model = ag_nn.MLP(sizes[0], list(sizes[1:]), seed=0)
    params = list(model.parameters())
    if len(params) != len(weights):
        raise UnavailableError(
            f"autograd.nn.MLP{tuple(sizes)} has {len(params)} parameters, micrograd's "
            f"{len(weights)}"
        )
    for p, w in zip(params, weights, strict=True):
        p.data = w
    return model, params


def _resetter(params: list[Node], weights: list[float]) -> Callable[[], None]:
    def reset() -> None:
        for p, w in zip(params, weights, strict=True):
            p.data = w
            p.grad = 0.0

    return reset


def _value_contender(
    name: str,
    params: list[Node],
    forward_loss: Callable[[], Node],
    weights: list[float],
    lr: float,
) -> Contender:
    """A contender for any engine whose nodes have ``data``, ``grad`` and ``backward()``."""
    reset = _resetter(params, weights)

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


def _single(out: Any) -> Value:
    """An MLP with one output returns a Value (micrograd's rule); accept a 1-list too."""
    if isinstance(out, Value):
        return out
    (only,) = out
    return only  # type: ignore[no-any-return]


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


MOONS_NAMES: Final = {
    "micrograd": "micrograd 0.1.0",
    "plain": "ours, micrograd's graph",
    "fused": "ours, fused dot/sum",
    "nn": "ours, autograd.nn.MLP",
    "compiled": "ours, autograd.compiled (numpy batch)",
    "array": "ours, compiled value_and_grad (parameters in an array)",
    "numpy": "numpy, hand-written",
}


def moons_contender(engine: str, sizes: Sizes) -> Contender:
    """One engine's moons step (MLP 2-16-16-1, SVM loss + L2, SGD lr 1.0)."""
    points, labels = make_moons(sizes.moons_points)
    rows: list[list[float]] = points.tolist()  # plain floats: numpy scalars would slow micrograd
    ys: list[float] = labels.tolist()
    name = MOONS_NAMES[engine]
    if engine == "micrograd":
        model = micrograd_mlp(MOONS_SIZES)
        mg_params = model.parameters()

        def mg_loss() -> Any:
            scores = [model([MgValue(v) for v in row]) for row in rows]
            return svm_loss_plain(scores, ys, mg_params)

        weights = [float(p.data) for p in mg_params]
        return _value_contender(name, mg_params, mg_loss, weights, MOONS_LR)
    weights = shared_weights(MOONS_SIZES)
    if engine == "numpy":
        return _numpy_contender(MOONS_SIZES, weights, points, labels, "svm", MOONS_LR)
    if engine in PLAN_ENGINES:
        return _compiled_moons(points, labels, weights, engine == "array", sizes.check_every)
    if engine == "nn":
        nn_model, params = nn_mlp(MOONS_SIZES, weights)

        def nn_loss() -> Value:
            scores = [_single(nn_model(row)) for row in rows]
            return svm_loss_fused(scores, ys, params)

        return _value_contender(name, params, nn_loss, weights, MOONS_LR)
    params = [Value(w) for w in weights]
    layers = split_layers(MOONS_SIZES, params)
    if engine == "plain":

        def plain_loss() -> Value:
            scores = [mlp_plain(layers, [Value(v) for v in row])[0] for row in rows]
            return svm_loss_plain(scores, ys, params)  # type: ignore[no-any-return]

        return _value_contender(name, params, plain_loss, weights, MOONS_LR)

    def fused_loss() -> Value:
        scores = [mlp_fused(layers, row)[0] for row in rows]
        return svm_loss_fused(scores, ys, params)

    return _value_contender(name, params, fused_loss, weights, MOONS_LR)


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


DIGITS_NAMES: Final = {
    "micrograd": "micrograd 0.1.0 + exp/log",
    "plain": "ours, micrograd's graph",
    "fused": "ours, fused dot/sum",
    "nn": "ours, autograd.nn + losses",
    "compiled": "ours, autograd.compiled (numpy batch)",
    "array": "ours, compiled value_and_grad (parameters in an array)",
    "numpy": "numpy, hand-written",
}


def digits_example_losses(engine: str, batch: int) -> tuple[list[Node], Callable[[int], Node]]:
    """The parameters and ``loss(i)``, the cross-entropy of image ``i`` alone, for one engine.

    One function serves both digits workloads: the batch step sums ``loss(i)`` over the batch
    into one graph, the per-image step back-propagates each ``loss(i)`` on its own.
    """
    images, targets = load_digits_batch(batch)
    rows: list[list[float]] = images.tolist()
    ts: list[int] = [int(t) for t in targets]
    if engine == "micrograd":
        add_micrograd_exp_log()
        model = micrograd_mlp(DIGITS_SIZES)

        def mg_loss(i: int) -> Any:
            return cross_entropy_plain(model([MgValue(v) for v in rows[i]]), ts[i], sum)

        return model.parameters(), mg_loss
    weights = shared_weights(DIGITS_SIZES)
    if engine == "nn":
        nn_model, nn_params = nn_mlp(DIGITS_SIZES, weights)

        def nn_loss(i: int) -> Value:
            return cross_entropy(nn_model(rows[i]), ts[i])

        return nn_params, nn_loss
    params = [Value(w) for w in weights]
    layers = split_layers(DIGITS_SIZES, params)
    if engine == "plain":

        def plain_loss(i: int) -> Value:
            logits = mlp_plain(layers, [Value(v) for v in rows[i]])
            return cross_entropy_plain(logits, ts[i], sum)  # type: ignore[no-any-return]

        return params, plain_loss

    def fused_loss(i: int) -> Value:
        return cross_entropy_plain(mlp_fused(layers, rows[i]), ts[i], sum_values)  # type: ignore[no-any-return]

    return params, fused_loss


def digits_contender(engine: str, sizes: Sizes) -> Contender:
    """One engine's digits step: MLP 64-32-10, mean softmax cross-entropy of a batch, one graph."""
    batch = sizes.digits_batch
    name = DIGITS_NAMES[engine]
    if engine in ("numpy", *PLAN_ENGINES):
        images, targets = load_digits_batch(batch)
        weights = shared_weights(DIGITS_SIZES)
        if engine == "numpy":
            return _numpy_contender(DIGITS_SIZES, weights, images, targets, "xent", DIGITS_LR)
        return _compiled_digits(images, targets, weights, engine == "array", sizes.check_every)
    params, loss = digits_example_losses(engine, batch)
    total: Callable[[list[Node]], Node] = sum if engine in ("micrograd", "plain") else sum_values
    scale = 1.0 / batch

    def batch_loss() -> Node:
        return total([loss(i) for i in range(batch)]) * scale

    weights = [float(p.data) for p in params]
    return _value_contender(name, params, batch_loss, weights, DIGITS_LR)


def digits_sample_contender(engine: str, sizes: Sizes) -> Contender:
    """One engine's per-image digits step: every image its own graph, one update per batch.

    For each of the batch's images: build that image's loss (scaled by 1/batch), back-propagate
    it (the gradients add up in the parameters' ``.grad``), drop the graph; then one SGD update.
    The gradients are those of the batch step; the graphs are one image's (micrograd: ~4,800
    nodes), as in a per-example training loop. ``run`` reports the time per image.
    """
    batch = sizes.sample_batch
    params, loss = digits_example_losses(engine, batch)
    weights = [float(p.data) for p in params]
    reset = _resetter(params, weights)
    scale = 1.0 / batch

    def accumulate() -> float:
        total = 0.0
        for i in range(batch):
            example = loss(i) * scale
            example.backward()
            total += float(example.data)
        return total

    def loss_and_grads() -> tuple[float, list[float]]:
        reset()
        return accumulate(), [float(p.grad) for p in params]

    def step() -> float:
        for p in params:
            p.grad = 0.0
        total = accumulate()
        for p in params:
            p.data -= DIGITS_LR * p.grad
        return total

    return Contender(DIGITS_NAMES[engine], loss_and_grads, step, reset)


# --- compiled batched execution (autograd.compiled) ---------------------------------------------


def _plan_contender(
    name: str,
    plan: Any,
    batch: tuple[np.ndarray, ...],
    params: list[Value],
    weights: list[float],
    lr: float,
    functional: bool = False,
) -> Contender:
    """A contender running a compiled plan's ``forward_backward`` on the whole batch.

    ``functional``: its ``value_and_grad`` instead, the parameters in one array updated in
    place, as hand-written numpy keeps them (the Values are not touched).
    """
    if functional:
        return _functional_contender(plan, batch, weights, lr)
    reset = _resetter(params, weights)

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

    return Contender(name, loss_and_grads, step, reset, inner=FAST_INNER)


def _functional_contender(
    plan: Any, batch: tuple[np.ndarray, ...], weights: list[float], lr: float
) -> Contender:
    """The plan's ``value_and_grad`` with the parameters in an array, and SGD on that array."""
    start = np.array(weights)
    theta = start.copy()

    def reset() -> None:
        theta[...] = start

    def loss_and_grads() -> tuple[float, list[float]]:
        reset()
        loss, grad = plan.value_and_grad(batch, theta)
        return float(loss), grad.tolist()

    def step() -> float:
        loss, grad = plan.value_and_grad(batch, theta)
        theta[...] -= lr * grad
        return float(loss)

    return Contender(ARRAY_NAME, loss_and_grads, step, reset, inner=FAST_INNER)


COMPILED_NAME: Final = "ours, autograd.compiled (numpy batch)"
ARRAY_NAME: Final = "ours, compiled value_and_grad (parameters in an array)"
PLAN_ENGINES: Final = ("compiled", "array")
"""The compiled plan's two contenders: parameters as Values (``forward_backward`` and SGD over
the Values, as a training loop over a model does), or in an array (``value_and_grad``)."""


def _compiled_moons(
    points: np.ndarray,
    labels: np.ndarray,
    weights: list[float],
    functional: bool = False,
    check_every: int = PLAN_CHECK_EVERY,
) -> Contender:
    """The moons loss of one example (hinge + the L2 term), traced once, run on the batch."""
    params = [Value(w) for w in weights]
    layers = split_layers(MOONS_SIZES, params)

    def one_example(x: list[Value], y: Value) -> Value:
        # The batch mean of (hinge_i + L2) is the demo's mean hinge + L2.
        score = mlp_fused(layers, x)[0]
        return (1 + -y * score).relu() + MOONS_ALPHA * dot(params, params)

    plan = compile_loss(
        one_example, (points[0].tolist(), float(labels[0])), params, check_every=check_every
    )
    batch = (points, labels)
    return _plan_contender(COMPILED_NAME, plan, batch, params, weights, MOONS_LR, functional)


def _compiled_digits(
    images: np.ndarray,
    targets: np.ndarray,
    weights: list[float],
    functional: bool = False,
    check_every: int = PLAN_CHECK_EVERY,
) -> Contender:
    """Cross-entropy of one image with a one-hot target, traced once, run on the batch.

    No max-shift here: a shift read from ``.data`` would be a constant that differs per image,
    which the plan rightly refuses as a data-dependent graph; these logits are far from overflow.
    """
    params = [Value(w) for w in weights]
    layers = split_layers(DIGITS_SIZES, params)

    def one_example(x: list[Value], onehot: list[Value]) -> Value:
        logits = mlp_fused(layers, x)
        return sum_values([z.exp() for z in logits]).log() - dot(onehot, logits)

    onehot = np.eye(DIGITS_SIZES[-1])[targets]
    plan = compile_loss(
        one_example, (images[0].tolist(), onehot[0].tolist()), params, check_every=check_every
    )
    batch = (images, onehot)
    return _plan_contender(COMPILED_NAME, plan, batch, params, weights, DIGITS_LR, functional)


def epoch_contender(engine: str, sizes: Sizes) -> Contender:
    """One full-batch digits epoch (all 1,797 images): hand-written numpy or the compiled plan.

    micrograd and the scalar engine would take minutes here; ``run`` scales their batch-step
    times instead and says so.
    """
    images, targets = load_digits_batch(DIGITS_IMAGES)  # the epoch is the whole set
    weights = shared_weights(DIGITS_SIZES)
    if engine == "numpy":
        return _numpy_contender(DIGITS_SIZES, weights, images, targets, "xent", DIGITS_LR)
    return _compiled_digits(images, targets, weights, engine == "array", sizes.check_every)


# --- the course CNN (issue 15, part 4) ----------------------------------------------------------


CNN_CHANNELS: Final = 8  # examples/cnn_digits.py: 8 filters of 3x3, padding 1
CNN_KERNEL: Final = 3
CNN_SIDE: Final = 8  # the digits are 8x8 pictures
CNN_CLASSES: Final = 10
CNN_SEED: Final = 0  # examples/cnn_digits.py's seed of both layers' weights
CNN_LR: Final = 0.1

CNN_NAMES: Final = {
    "numpy": "numpy, hand-written im2col",
    "compiled": COMPILED_NAME,
    "array": ARRAY_NAME,
    "nn": "ours, autograd.nn (scalar engine)",
}


def course_cnn() -> ag_nn.Sequential:
    """The CNN of ``examples/cnn_digits.py`` (the course's network), with its initial weights.

    ``Unflatten((1, 8, 8))``, ``Conv2d(1, 8, 3, padding=1)``, ReLU, ``MaxPool2d(2)``,
    ``Flatten()``, ``Layer(128, 10, "linear")``: 1,370 parameters, He-uniform weights from seed
    0, zero biases. ``tests/test_benchmarks.py`` checks that it is the demo's model.
    """
    pooled = CNN_CHANNELS * (CNN_SIDE // 2) ** 2
    return ag_nn.Sequential(
        ag_nn.Unflatten((1, CNN_SIDE, CNN_SIDE)),
        ag_nn.Conv2d(1, CNN_CHANNELS, CNN_KERNEL, padding=1, init="he_uniform", seed=CNN_SEED),
        ag_nn.Activation("relu"),
        ag_nn.MaxPool2d(2),
        ag_nn.Flatten(),
        ag_nn.Layer(pooled, CNN_CLASSES, "linear", init="he_uniform", seed=CNN_SEED),
    )


def _cnn_layers(model: ag_nn.Sequential) -> tuple[Any, Any]:
    """The model's convolution and its read-out layer."""
    conv, layer = model.layers[1], model.layers[5]
    if not isinstance(conv, ag_nn.Conv2d) or not isinstance(layer, ag_nn.Layer):
        raise TypeError(f"not the course CNN: {model!r}")
    return conv, layer


def cnn_contender(engine: str, sizes: Sizes) -> Contender:
    """One engine's step of the course CNN: mean softmax cross-entropy of a batch, SGD lr 0.1.

    Every engine starts from :func:`course_cnn`'s weights and takes the same ``cnn_batch``
    images. ``numpy`` is hand-written im2col code (the reference); ``compiled`` traces one
    image's loss (``cross_entropy`` with a one-hot target, so the graph is the same for every
    image) and runs the batch with :func:`autograd.compiled.compile_loss`; ``nn`` builds the
    batch's graph with the scalar engine.
    """
    images, targets = load_digits_batch(sizes.cnn_batch)
    model = course_cnn()
    params = list(model.parameters())
    weights = [p.data for p in params]
    name = CNN_NAMES[engine]
    if engine == "numpy":
        return _numpy_cnn_contender(model, images, targets)
    if engine in PLAN_ENGINES:

        def one_example(x: list[Value], onehot: list[Value]) -> Value:
            return cross_entropy(model(x), onehot)

        onehot = np.eye(CNN_CLASSES)[targets]
        plan = compile_loss(
            one_example,
            (images[0].tolist(), onehot[0].tolist()),
            params,
            check_every=sizes.check_every,
        )
        batch = (images, onehot)
        return _plan_contender(
            name, plan, batch, params, weights, CNN_LR, functional=engine == "array"
        )
    rows: list[list[float]] = images.tolist()
    ts = [int(t) for t in targets]
    scale = 1.0 / len(rows)

    def batch_loss() -> Value:
        losses = [cross_entropy(model(x), t) for x, t in zip(rows, ts, strict=True)]
        return sum_values(losses) * scale

    return _value_contender(name, params, batch_loss, weights, CNN_LR)


@dataclass
class CnnWeights:
    """The course CNN's parameters as arrays: filters ``(8, 9)``, their biases, the read-out."""

    filters: np.ndarray  # (channels, kernel * kernel): filter o's weights in (c, i, j) order
    biases: np.ndarray  # (channels,)
    readout: np.ndarray  # (classes, channels * 16 + 1): each neuron's weights, then its bias

    def arrays(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        return self.filters, self.biases, self.readout

    def flat(self) -> list[float]:
        """Every number in the model's ``parameters()`` order (filters, biases, neurons)."""
        return [float(v) for a in self.arrays() for v in a.ravel()]


def cnn_weights(model: ag_nn.Sequential) -> CnnWeights:
    """The model's current weights as :class:`CnnWeights`."""
    conv, layer = _cnn_layers(model)
    filters = [[w.data for plane in f for row in plane for w in row] for f in conv.weight]
    biases = [b.data for b in conv.bias]
    readout = [[w.data for w in n.w] + [n.b.data] for n in layer.neurons]
    return CnnWeights(np.array(filters), np.array(biases), np.array(readout))


def im2col(images: np.ndarray) -> np.ndarray:
    """Every 3x3 window of the zero-padded 8x8 images, one row each: ``(n * 64, 9)``.

    Row ``(b * 8 + i) * 8 + j`` holds image ``b``'s window centred on pixel ``(i, j)``, its
    pixels in row-major order (the filters' order); a window over the border reads the
    padding's zeros.
    """
    n, pad = len(images), CNN_KERNEL // 2
    pictures = images.reshape(n, CNN_SIDE, CNN_SIDE)
    padded = np.pad(pictures, ((0, 0), (pad, pad), (pad, pad)))
    windows = np.lib.stride_tricks.sliding_window_view(padded, (CNN_KERNEL, CNN_KERNEL), (1, 2))
    return windows.reshape(n * CNN_SIDE * CNN_SIDE, CNN_KERNEL * CNN_KERNEL)


def cnn_loss_grads(
    w: CnnWeights, images: np.ndarray, onehot: np.ndarray
) -> tuple[float, CnnWeights]:
    """Forward and backward of the course CNN by im2col: the mean loss and every gradient.

    The max pool sends a window's gradient to its first largest pixel (row-major), as
    ``autograd.nn.MaxPool2d`` does; ``relu'(0) = 0``.
    """
    n, side, half, ch = len(images), CNN_SIDE, CNN_SIDE // 2, CNN_CHANNELS
    cols = im2col(images)  # (n * 64, 9)
    conv = cols @ w.filters.T + w.biases  # (n * 64, 8): pixel rows, channel columns
    act = np.maximum(conv, 0.0)
    # (n, i, j, o) -> the 2x2 windows: (n, o, I, J, window) with window = (di, dj) row-major
    grid = act.reshape(n, half, 2, half, 2, ch).transpose(0, 5, 1, 3, 2, 4)
    windows = grid.reshape(n, ch, half, half, 4)
    winner = windows.argmax(axis=4)  # the first largest, as max_values picks it
    pooled = np.take_along_axis(windows, winner[..., None], axis=4)[..., 0]
    flat = pooled.reshape(n, ch * half * half)  # Flatten's (c, i, j) order
    logits = flat @ w.readout[:, :-1].T + w.readout[:, -1]
    shifted = logits - logits.max(axis=1, keepdims=True)
    exps = np.exp(shifted)
    total = exps.sum(axis=1)
    loss = float((np.log(total) - (shifted * onehot).sum(axis=1)).mean())

    upstream = (exps / total[:, None] - onehot) / n  # d loss / d logits
    readout = np.column_stack([upstream.T @ flat, upstream.sum(axis=0)])
    d_pooled = (upstream @ w.readout[:, :-1]).reshape(n, ch, half, half)
    d_windows = np.zeros_like(windows)
    np.put_along_axis(d_windows, winner[..., None], d_pooled[..., None], axis=4)
    d_act = (
        d_windows.reshape(n, ch, half, half, 2, 2)
        .transpose(0, 2, 4, 3, 5, 1)
        .reshape(n * side * side, ch)
    )
    d_conv = d_act * (conv > 0.0)
    grads = CnnWeights(d_conv.T @ cols, d_conv.sum(axis=0), readout)
    return loss, grads


def _numpy_cnn_contender(
    model: ag_nn.Sequential, images: np.ndarray, targets: np.ndarray
) -> Contender:
    """Hand-written numpy im2col code for the course CNN's step, from the model's weights."""
    w = cnn_weights(model)
    start = [a.copy() for a in w.arrays()]
    onehot = np.eye(CNN_CLASSES)[targets]

    def reset() -> None:
        for a, s in zip(w.arrays(), start, strict=True):
            a[...] = s

    def loss_and_grads() -> tuple[float, list[float]]:
        reset()
        loss, grads = cnn_loss_grads(w, images, onehot)
        return loss, grads.flat()

    def step() -> float:
        loss, grads = cnn_loss_grads(w, images, onehot)
        for a, g in zip(w.arrays(), grads.arrays(), strict=True):
            a -= CNN_LR * g
        return loss

    return Contender(CNN_NAMES["numpy"], loss_and_grads, step, reset, inner=FAST_INNER)


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

    return Contender("numpy, hand-written", loss_and_grads, step, reset, inner=FAST_INNER)


# --- the registry of step workloads, in the order a run measures them ---------------------------

ALL_ENGINES: Final = ("micrograd", "plain", "fused", "nn", "compiled", "array", "numpy")
SCALAR_ENGINES: Final = ("micrograd", "plain", "fused", "nn")

STEP_WORKLOADS: Final = {
    "moons": StepWorkload(
        "moons",
        lambda s: f"moons step, {s.moons_points} points",
        ALL_ENGINES,
        MOONS_NAMES,
        moons_contender,
    ),
    "digits": StepWorkload(
        "digits",
        lambda s: f"digits step, batch {s.digits_batch}",
        ALL_ENGINES,
        DIGITS_NAMES,
        digits_contender,
    ),
    "sample": StepWorkload(
        "sample",
        lambda s: f"digits, per image (batch {s.sample_batch}, a graph each)",
        SCALAR_ENGINES,
        DIGITS_NAMES,
        digits_sample_contender,
    ),
    "epoch": StepWorkload(
        "epoch",
        lambda s: f"digits epoch, {DIGITS_IMAGES:,} images (full batch)",
        ("numpy", "compiled", "array"),
        {"numpy": "numpy, hand-written", "compiled": COMPILED_NAME, "array": ARRAY_NAME},
        epoch_contender,
        reference="numpy",
    ),
    "cnn": StepWorkload(
        "cnn",
        lambda s: f"course CNN step, batch {s.cnn_batch}",
        ("numpy", "compiled", "array", "nn"),
        CNN_NAMES,
        cnn_contender,
        reference="numpy",
    ),
}
"""Every training-step workload; ``run --only`` picks among these keys (and chain, memory)."""


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
