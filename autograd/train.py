"""A small trainer: epochs of mini-batches, a progress bar, accuracy, a history, clean Ctrl-C.

The work of one mini-batch -- loss of the batch, backward, optimizer step -- is the single
method :meth:`Trainer.train_step`; everything else (batching, progress, evaluation, history,
interruption) is bookkeeping around it. ``Trainer(..., compile=True)`` swaps that one step for
the compiled batched path (:func:`autograd.compiled.compile_loss`): the same loss, gradients
and optimizer, the whole mini-batch run with numpy; and it evaluates (``predict``,
``accuracy``, ``fit``'s validation) with a compiled plan of the model's outputs, the whole set
in one pass (:class:`CompiledOutputs`).

>>> from autograd.nn import MLP
>>> from autograd.losses import mse
>>> from autograd.optim import SGD
>>> model = MLP(1, [1], seed=0)
>>> trainer = Trainer(model, SGD(model.parameters(), lr=0.1), mse, batch_size=2, progress=False)
>>> x, y = np.array([[1.0], [2.0]]), np.array([2.0, 4.0])
>>> history = trainer.fit(x, y, epochs=1000)
>>> round(model([3.0]).data, 3)
6.0
"""

from __future__ import annotations

import importlib.util
import math
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from autograd import _checks
from autograd.compiled import CHECK_EVERY, CompiledLoss, DataDependentGraphError, compile_loss
from autograd.compiled.inputs import as_floats
from autograd.data import batches
from autograd.engine import Value, sum_values
from autograd.interrupts import sigint_as_flag
from autograd.messages import describe
from autograd.modes import no_grad
from autograd.nn import MLP, Dropout, Layer, Module, Neuron
from autograd.optim import Optimizer
from autograd.types import Seed

Output = Value | list[Value]
"""What a model returns for one example."""

Target = Any  # an int class index or a float target: whatever the loss function takes
LossFn = Callable[[Output, Target], Value]
"""A loss of one example: ``loss(model(x), target)``, e.g. ``cross_entropy``, ``hinge``, ``mse``."""

CorrectFn = Callable[[Output, Target], bool]
"""Whether one prediction counts as correct, for accuracy."""

DEFAULT_SMOOTHING: Final = 0.1
"""λ in the progress bar's running loss Q = λ·ε + (1 − λ)·Q."""

PROBABILITY_THRESHOLD: Final = 0.5
"""Where a single probability output (a sigmoid) splits the two classes."""


def default_correct(output: Output, target: Target, threshold: float = 0.0) -> bool:
    """Return whether ``output`` classifies ``target`` correctly.

    A list of scores is right when its largest entry is at index ``target``. A single score is
    right when it lies on the same side of ``threshold`` as the target: ``output > threshold``
    exactly when ``target > threshold``. The default threshold 0 suits a score or logit with
    labels ±1 or 0/1; a probability (a sigmoid output) needs 0.5 -- see
    :func:`probability_correct` and :func:`correct_for`, which the Trainer uses to pick.

    >>> default_correct([Value(0.1), Value(2.0)], 1), default_correct(Value(-0.5), -1.0)
    (True, True)
    >>> default_correct(Value(0.3), 0), default_correct(Value(0.3), 0, threshold=0.5)
    (False, True)
    """
    return _correct(output, target, _checks.real("default_correct: threshold", threshold),
                    "default_correct")  # fmt: skip


def _correct(output: Output, target: Target, threshold: float, caller: str) -> bool:
    number = _checks.number(f"{caller}: target", target)
    if isinstance(output, Value):
        return (output.data > threshold) == (number > threshold)
    scores = [
        _checks.instance(f"{caller}: output[{i}]", v, Value, "a Value (a model's output)").data
        for i, v in enumerate(
            _checks.sequence(f"{caller}: output", output, "a Value or a list of Values")
        )
    ]
    if not scores:
        raise ValueError(f"{caller}: output is an empty list; a model gives at least one score")
    if not number.is_integer():
        raise ValueError(f"{caller}: target must be a class index for a list of scores, got "
                         f"{target!r}")  # fmt: skip
    return scores.index(max(scores)) == int(number)


def probability_correct(output: Output, target: Target) -> bool:
    """:func:`default_correct` for a probability: a single output is thresholded at 0.5.

    A sigmoid output of 0.3 predicts class 0, of 0.7 class 1 (labels 0/1).

    >>> probability_correct(Value(0.3), 0), probability_correct(Value(0.7), 1)
    (True, True)
    """
    return _correct(output, target, PROBABILITY_THRESHOLD, "probability_correct")


def correct_for(model: Module) -> CorrectFn:
    """Return the accuracy rule for ``model``'s outputs: the Trainer's default ``correct``.

    The rule: a model whose last activation is ``"sigmoid"`` (an MLP's ``output_activation``,
    a Layer's or Neuron's ``activation``) outputs probabilities, so
    :func:`probability_correct` (threshold 0.5); any other model gets
    :func:`default_correct` (threshold 0, for scores, logits and several outputs).

    >>> correct_for(MLP(2, [3, 1], output_activation="sigmoid")) is probability_correct
    True
    >>> correct_for(MLP(2, [3, 1])) is default_correct
    True
    """
    _checks.instance("correct_for: model", model, Module, "an autograd.nn.Module")
    if isinstance(model, MLP):
        last = model.output_activation
    elif isinstance(model, Layer | Neuron):
        last = model.activation
    else:
        last = None
    return probability_correct if last == "sigmoid" else default_correct


class CompiledOutputs:
    """A model's outputs for a whole batch from one compiled plan: evaluation with numpy.

    The plan (:func:`autograd.compiled.compile_loss`) is traced once, on the first example it
    is given, with the model in the mode it is in then (``predict`` switches to eval mode
    first). The traced function returns the model's output (one output) or the sum of its
    outputs (several), so the plan holds every output node; each call runs the plan's forward
    (:meth:`~autograd.compiled.CompiledLoss.node_values`) and reads those nodes' numbers. The
    parameters' current ``.data`` is read at every call, so one plan serves the whole training.

    Each call also rebuilds one example's graph with the scalar engine and compares it with
    the traced one (:meth:`~autograd.compiled.CompiledLoss.check`): call ``n`` checks example
    ``n + 1`` (modulo the batch size; call 0 thus checks another example than the traced one).

    Args:
        model: the module whose outputs are wanted.
        example: one input row (a list of numbers) to trace the model on.

    Raises:
        TypeError: ``model`` is not a Module, or ``example`` holds something other than real
            numbers.
        ValueError: ``example`` is not one non-empty row of finite numbers.
        autograd.compiled.DataDependentGraphError: the model reads an input's number when
            traced (here or at a later call's check, the graph differs): its outputs cannot be
            computed for a batch from one graph.

    >>> from autograd.nn import MLP
    >>> model = MLP(2, [3, 2], seed=0)
    >>> outputs = CompiledOutputs(model, [0.0, 0.0])
    >>> batch = np.array([[1.0, 2.0], [-1.0, 0.5]])
    >>> scalar = [[v.data for v in model(row)] for row in batch.tolist()]
    >>> bool(np.allclose(outputs(batch), scalar, rtol=1e-12, atol=0.0)), outputs(batch).shape
    (True, (2, 2))
    """

    def __init__(self, model: Module, example: Sequence[float]) -> None:
        if not isinstance(model, Module):
            raise TypeError(
                f"CompiledOutputs: model must be an autograd.nn.Module, got {describe(model)}"
            )
        row = as_floats(example, "CompiledOutputs: example", batch=False)
        if row.ndim != 1 or not len(row):
            raise ValueError(
                f"CompiledOutputs: example must be one row of numbers (a flat, non-empty list), "
                f"got an array of shape {row.shape}"
            )
        self.model = model
        self.width = len(row)
        """The number of inputs per row (the example's)."""
        self.nodes: list[Value] = []
        """The traced output nodes, in the model's order."""
        self.single = False
        """True if the model returns one Value (else a list of them)."""
        self.calls = 0
        self.plan = compile_loss(self._outputs, row.tolist(), model.parameters(), check_every=0)

    def _outputs(self, x: list[Value]) -> Value:
        """The traced function: the model's output, or the sum of its outputs (one root)."""
        out = self.model(x)
        nodes = [out] if isinstance(out, Value) else list(out)
        if not self.nodes:  # the trace; later calls are the checks' rebuilds
            self.nodes, self.single = nodes, isinstance(out, Value)
        return nodes[0] if isinstance(out, Value) else sum_values(nodes)

    def __call__(self, rows: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        """Return the outputs for the rows of ``rows``: an array ``(rows, outputs)``.

        Raises:
            TypeError: ``rows`` holds something other than real numbers.
            ValueError: ``rows`` is not a non-empty 2-d array of finite numbers, ``width``
                (the traced example's length) wide.
            autograd.compiled.DataDependentGraphError: the checked example's graph differs
                from the traced one.
        """
        batch = as_floats(rows, "CompiledOutputs: rows", batch=True)
        if batch.ndim != 2 or not len(batch) or batch.shape[1] != self.width:  # noqa: PLR2004  # rows x columns
            raise ValueError(
                f"CompiledOutputs: rows must be a non-empty 2-d array of rows of {self.width} "
                f"numbers (the traced example's length), got an array of shape {batch.shape}"
            )
        calls, self.calls = self.calls, self.calls + 1
        self.plan.check(batch, (calls + 1) % len(batch))
        values = self.plan.node_values(batch)
        return np.stack([values[node] for node in self.nodes], axis=1)


@dataclass
class EpochRecord:
    """What one epoch did: its mean batch loss, smoothed loss, accuracies and training time.

    ``interrupted`` marks an epoch Ctrl-C cut short: ``loss`` is then the mean over the steps
    it completed, and the accuracies are None when the evaluation did not finish.
    """

    epoch: int
    loss: float
    smoothed_loss: float
    seconds: float
    train_accuracy: float | None = None
    val_accuracy: float | None = None
    interrupted: bool = False


@dataclass
class History:
    """The record of a :meth:`Trainer.fit` call.

    Attributes:
        epochs: one record per epoch; an epoch cut short by Ctrl-C after at least one step is
            recorded too, as its last entry, with ``interrupted=True``.
        step_losses: the loss of every mini-batch, in order.
        interrupted: True if Ctrl-C stopped training early (after a completed step).

    >>> from autograd.nn import Neuron
    >>> from autograd.losses import mse
    >>> from autograd.optim import SGD
    >>> n = Neuron(1, activation="linear", init="zeros")
    >>> trainer = Trainer(n, SGD(n.parameters(), lr=0.25), mse, batch_size=1, progress=False)
    >>> history = trainer.fit([[1.0], [1.0]], [2.0, 2.0], epochs=2)
    >>> history.step_losses  # step 1: w and b each gain 0.25 * 2 * (2 - 0) = 1, so w + b = 2
    [4.0, 0.0, 0.0, 0.0]
    >>> [(r.epoch, r.loss, r.interrupted) for r in history.epochs], history.interrupted
    ([(1, 2.0, False), (2, 0.0, False)], False)
    """

    epochs: list[EpochRecord] = field(default_factory=list)
    step_losses: list[float] = field(default_factory=list)
    interrupted: bool = False


@dataclass
class _Progress:
    """The running state of one :meth:`Trainer.fit` call: history, bar, smoothed loss, epoch."""

    history: History
    bar: Any  # a tqdm bar (tqdm ships no type hints)
    smoothing: float
    smoothed: float = math.nan
    epoch: int = 0
    start: float = 0.0
    seconds: float = 0.0
    losses: list[float] = field(default_factory=list)
    accuracies: dict[str, float] = field(default_factory=dict)

    def begin(self, epoch: int) -> None:
        self.epoch, self.start, self.losses, self.accuracies = epoch, time.perf_counter(), [], {}

    def add(self, loss: float) -> None:
        self.losses.append(loss)
        self.history.step_losses.append(loss)
        self.seconds = time.perf_counter() - self.start
        self.smoothed = (
            loss
            if math.isnan(self.smoothed)
            else self.smoothing * loss + (1 - self.smoothing) * self.smoothed
        )
        self.bar.update(1)
        self.bar.set_postfix(epoch=self.epoch, loss=f"{self.smoothed:.4f}", refresh=False)

    def end(self, interrupted: bool = False) -> None:
        """Record the epoch in progress (if it took a step) and clear it."""
        if self.losses:
            with np.errstate(all="ignore"):  # IEEE, as a float sum: inf + -inf is nan, silently
                mean = float(np.mean(self.losses))
            self.history.epochs.append(
                EpochRecord(
                    self.epoch,
                    mean,
                    self.smoothed,
                    self.seconds,
                    self.accuracies.get("train"),
                    self.accuracies.get("val"),
                    interrupted,
                )
            )
        self.losses = []


def _progress_bar_class(shown: bool) -> Any:
    """Return tqdm's notebook widget where ipywidgets is installed, else its text bar.

    ``tqdm.auto`` warns "IProgress not found" in a Jupyter kernel without ipywidgets, so it is
    only imported when the widget can work; and nothing is imported for a hidden bar.
    """
    if shown and importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm  # type: ignore[import-untyped]  # tqdm ships no type hints
    else:
        from tqdm.std import tqdm  # type: ignore[import-untyped]  # tqdm ships no type hints
    return tqdm


class Trainer:
    """Trains a model with an optimizer on a per-example loss, in mini-batches.

    Args:
        model: the module to train (its ``parameters()`` are what ``optimizer`` updates).
        optimizer: an :class:`autograd.optim.Optimizer` over the model's parameters.
        loss: the loss of one example, ``loss(model(x), target)``; a batch's loss is the mean.
        batch_size: examples per step; None means the whole training set (full batch).
        penalty: an extra term added to every batch loss, e.g.
            ``lambda: l2(model.parameters(), 1e-4)``.
        correct: decides whether a prediction is correct; by default :func:`correct_for`
            picks :func:`probability_correct` for a sigmoid output, else
            :func:`default_correct`.
        smoothing: λ of the running loss shown in the progress bar, in (0, 1].
        seed: seeds the shuffling of every epoch.
        progress: show a tqdm progress bar.
        compile: run each step on the compiled batched path (see :meth:`compiled_step`):
            the loss is traced once on one example and each mini-batch runs as numpy calls.
            Same loss, same gradients (to rounding), same optimizer; the model must build the
            same graph for every example, so active Dropout is refused. Evaluation
            (:meth:`predict`, :meth:`accuracy`, ``fit``'s validation) is compiled too.
        check_every: how often the compiled plan re-checks one example's graph against the
            traced one (``compile_loss``'s argument: on steps 0, k, 2k, ... for ``k``, default
            ``CHECK_EVERY`` = 10; 0 never).

    Raises:
        TypeError: if an argument is of the wrong kind: ``model`` no Module, ``optimizer`` no
            Optimizer, ``loss``, ``penalty`` or ``correct`` not a function, ``batch_size`` not
            an int, ``progress`` or ``compile`` not a bool, ``seed`` not None, an int or a
            Generator.
        ValueError: if ``batch_size < 1``, ``smoothing`` is outside (0, 1], or
            ``compile=True`` with a Dropout of ``p > 0`` in the model.
    """

    def __init__(
        self,
        model: Module,
        optimizer: Optimizer,
        loss: LossFn,
        *,
        batch_size: int | None = 32,
        penalty: Callable[[], Value] | None = None,
        correct: CorrectFn | None = None,
        smoothing: float = DEFAULT_SMOOTHING,
        seed: Seed = 0,
        progress: bool = True,
        compile: bool = False,  # shadows the builtin here only: the issue names it so
        check_every: int = CHECK_EVERY,
    ) -> None:
        if not isinstance(model, Module):
            raise TypeError(f"Trainer: model must be an autograd.nn.Module, got {describe(model)}")
        if not isinstance(optimizer, Optimizer):
            raise TypeError(
                f"Trainer: optimizer must be an autograd.optim.Optimizer, got {describe(optimizer)}"
            )
        self.smoothing = _checks.interval(
            "Trainer: smoothing", smoothing, 0.0, 1.0, closed=(False, True)
        )
        self.batch_size = (
            None if batch_size is None else _checks.count("Trainer: batch_size", batch_size)
        )
        self.loss: LossFn = _checks.function(
            "Trainer: loss", loss, "a loss function loss(output, target)"
        )
        self.penalty: Callable[[], Value] | None = None if penalty is None else _checks.function(
            "Trainer: penalty", penalty, "None or a function penalty() -> Value"
        )  # fmt: skip
        self.correct: CorrectFn = correct_for(model) if correct is None else _checks.function(
            "Trainer: correct", correct, "None or a function correct(output, target) -> bool"
        )  # fmt: skip
        self.rng = _checks.rng("Trainer: seed", seed)
        self.progress = _checks.flag("Trainer: progress", progress)
        self.compile = _checks.flag("Trainer: compile", compile)
        self.model = model
        self.optimizer = optimizer
        self.check_every = _checks.count("Trainer: check_every", check_every, minimum=0)
        self.plan: CompiledLoss | None = None
        """The compiled loss, traced at the first compiled step (None until then)."""
        self.outputs_plan: CompiledOutputs | None = None
        """The compiled outputs, traced at the first compiled evaluation (None until then)."""
        self._outputs: int | None = None  # the model's output width (0: one Value), found once
        self._step_loss = math.nan  # the loss of the step in progress, for a Ctrl-C inside it
        if self.compile:
            active = [
                f"{name or 'model'} (p={m.p})"
                for name, m in model.modules()
                if isinstance(m, Dropout) and m.p > 0
            ]
            if active:
                raise ValueError(
                    f"Trainer: compile=True cannot train a model with active dropout "
                    f"({', '.join(active)}): a compiled plan reuses the graph traced on one "
                    f"example, so every example would get the same mask; use compile=False "
                    f"or dropout=0"
                )

    def batch_loss(self, xs: Sequence[Sequence[float]], ys: Sequence[Target]) -> Value:
        """Return the mean loss over the examples, plus the penalty: one graph to backward.

        >>> from autograd.nn import Neuron
        >>> from autograd.losses import mse
        >>> from autograd.optim import SGD
        >>> n = Neuron(1, activation="linear", init="constant", value=1.0)
        >>> Trainer(n, SGD(n.parameters(), lr=0.1), mse).batch_loss([[1.0], [2.0]], [0.0, 0.0]).data
        2.5
        """
        return self._batch_loss("batch_loss", xs, ys)

    def _batch_loss(self, caller: str, xs: object, ys: object) -> Value:
        """The mean loss plus the penalty; a refused example is named with ``caller``'s name."""
        rows, targets = _examples(caller, xs, ys)
        terms = []
        for i, (x, t) in enumerate(zip(rows, targets, strict=True)):
            out = _named(f"{caller}: xs[{i}]", self.model, x)
            terms.append(_named(f"{caller}: ys[{i}]", self.loss, out, t))
        total = sum_values(terms) / len(terms)
        return total + self.penalty() if self.penalty is not None else total

    def train_step(self, xs: Sequence[Sequence[float]], ys: Sequence[Target]) -> float:
        """Take one optimizer step on one mini-batch and return its loss before the step.

        This is the whole per-batch computation: loss of the batch, backward, step -- on the
        scalar engine, or on the compiled plan when the trainer was made with ``compile=True``.

        >>> from autograd.nn import Neuron
        >>> from autograd.losses import mse
        >>> from autograd.optim import SGD
        >>> n = Neuron(1, activation="linear", init="zeros")
        >>> trainer = Trainer(n, SGD(n.parameters(), lr=0.25), mse, progress=False)
        >>> trainer.train_step([[1.0], [3.0]], [2.0, 2.0])  # predictions 0: mse 4
        4.0
        >>> [p.data for p in n.parameters()]  # w -= 0.25 * mean(-2 * 2 * x), b likewise
        [2.0, 1.0]
        """
        if self.compile:
            return self.compiled_step(xs, ys)
        loss = self._batch_loss("train_step", xs, ys)
        self.optimizer.zero_grad()
        loss.backward()
        self._step_loss = loss.data
        self.optimizer.step()
        return loss.data

    def compiled_step(self, xs: npt.ArrayLike, ys: npt.ArrayLike) -> float:
        """Take the step of :meth:`train_step` with the compiled plan; return the loss before it.

        At the first call the loss of one example plus the penalty, ``loss(model(x), t) + P``,
        is traced with :func:`autograd.compiled.compile_loss` (mean reduction); every call
        then runs the whole batch with numpy. The mean of ``l_i + P`` over the batch is
        ``mean(l_i) + P``: the very loss :meth:`batch_loss` builds, with the same gradient.
        A class index target (an int, with a model of several outputs) reaches the loss as a
        one-hot list of Values, which :func:`autograd.losses.cross_entropy` takes; a number
        target arrives as one Value and a row of numbers as a list of Values.

        Raises:
            autograd.compiled.DataDependentGraphError: the model or loss reads an input's
                number when traced, or builds a different graph for a checked example (a
                Python ``if`` on ``.data``, say); no step is taken.

        >>> from autograd.nn import MLP
        >>> from autograd.losses import cross_entropy
        >>> from autograd.optim import SGD
        >>> model = MLP(2, [3], seed=0)
        >>> trainer = Trainer(model, SGD(model.parameters(), lr=0.1), cross_entropy, compile=True)
        >>> x, y = np.array([[1.0, 0.0], [0.0, 1.0]]), np.array([0, 2])
        >>> scalar = trainer.batch_loss(x.tolist(), [0, 2]).data  # builds a graph, no step
        >>> abs(trainer.compiled_step(x, y) - scalar) < 1e-12
        True
        """
        inputs = as_floats(xs, "compiled_step: xs", batch=True)
        as_floats(ys, "compiled_step: ys", batch=True)  # numbers, finite: checked, not converted
        ys = np.asarray(ys)
        if inputs.ndim < 2 or not len(inputs) or ys.ndim < 1 or len(ys) != len(inputs):  # noqa: PLR2004
            raise ValueError(
                f"compiled_step: xs must hold n > 0 rows and ys as many targets, got xs of shape "
                f"{inputs.shape} and ys of shape {ys.shape}"
            )
        targets = self._target_rows(inputs, ys)
        if self.plan is None:
            self.plan = compile_loss(
                self._example_loss,
                (inputs[0], targets[0]),
                self.model.parameters(),
                reduction="mean",
                check_every=self.check_every,
            )
        self.optimizer.zero_grad()
        loss = self.plan.forward_backward((inputs, targets))
        self._step_loss = loss
        self.optimizer.step()
        return loss

    def _example_loss(self, x: list[Value], target: Value | list[Value]) -> Value:
        """The traced function: one example's loss plus the penalty (mean(l + P) = mean(l) + P)."""
        loss = self.loss(self.model(x), target)
        return loss + self.penalty() if self.penalty is not None else loss

    def _target_rows(self, inputs: npt.NDArray[np.float64], ys: npt.NDArray[Any]) -> Any:
        """Class indices become one-hot rows (width: the model's outputs); numbers stay numbers.

        The width is learnt from one forward pass at the first call and kept: a scalar forward
        of the model costs a good part of a compiled step.
        """
        if ys.ndim != 1 or not np.issubdtype(ys.dtype, np.integer):
            return ys.astype(np.float64)
        if self._outputs is None:
            with no_grad():
                out = self.model(inputs[0])
            self._outputs = 0 if isinstance(out, Value) else len(out)
        width = self._outputs
        if width == 0:  # one output: an int is a label like +-1 or 0/1
            return ys.astype(np.float64)
        if ys.min() < 0 or ys.max() >= width:
            bad = int(ys[(ys < 0) | (ys >= width)][0])
            raise ValueError(
                f"Trainer: target {bad!r} is not a class index for a model with {width} "
                f"outputs (must be 0..{width - 1})"
            )
        return np.eye(width)[ys]

    def predict(self, x: npt.ArrayLike) -> list[Output]:
        """Return the model's outputs for the rows of ``x`` (eval mode, no graph recorded).

        A trainer made with ``compile=True`` computes them for all rows at once with a
        compiled plan of the model (:class:`CompiledOutputs`, traced at the first call): the
        scalar engine's numbers to rounding (a layer's weighted sums are a matrix product),
        as leaf Values all the same.

        Raises:
            autograd.compiled.DataDependentGraphError: compiled only: the model's graph
                depends on its input (it reads an input's number, or a checked row builds
                another graph), so one plan cannot evaluate every row; nothing is returned.

        >>> from autograd.nn import Neuron
        >>> from autograd.losses import mse
        >>> from autograd.optim import SGD
        >>> n = Neuron(2, activation="linear", init="constant", value=0.5)
        >>> outputs = Trainer(n, SGD(n.parameters(), lr=0.1), mse).predict([[1.0, 3.0], [2.0, 2.0]])
        >>> [(y.data, y.op) for y in outputs]
        [(2.0, None), (2.0, None)]
        """
        array = as_floats(x, "predict: x", batch=True)
        was_training = self.model.training
        self.model.eval()
        try:
            if self.compile and array.ndim == 2 and len(array):  # noqa: PLR2004  # rows x columns
                return self._compiled_predict(array)
            with no_grad():
                return [self.model(row) for row in array.tolist()]
        finally:
            self.model.train(was_training)

    def _compiled_predict(self, rows: npt.NDArray[np.float64]) -> list[Output]:
        """The outputs of :meth:`predict` from the compiled plan, as leaf Values."""
        try:
            if self.outputs_plan is None:
                self.outputs_plan = CompiledOutputs(self.model, rows[0].tolist())
            numbers = self.outputs_plan(rows).tolist()
        except DataDependentGraphError as err:
            raise DataDependentGraphError(
                f"Trainer.predict: a compiled trainer evaluates the model on all rows with one "
                f"traced graph, but this model's graph may differ from row to row; evaluate it "
                f"with Trainer(..., compile=False). {err}"
            ) from err
        if self.outputs_plan.single:
            return [Value(row[0]) for row in numbers]
        return [[Value(v) for v in row] for row in numbers]

    def accuracy(self, x: npt.ArrayLike, y: npt.ArrayLike) -> float:
        """Return the fraction of rows of ``x`` whose prediction is correct for ``y``.

        Correct means what the trainer's ``correct`` function says (see :func:`correct_for`).

        >>> from autograd.nn import Neuron
        >>> from autograd.losses import hinge
        >>> from autograd.optim import SGD
        >>> n = Neuron(1, activation="linear", init="constant", value=1.0)  # score = x
        >>> trainer = Trainer(n, SGD(n.parameters(), lr=0.1), hinge)
        >>> trainer.accuracy([[-2.0], [-1.0], [1.0], [3.0]], [-1, 1, 1, 1])
        0.75
        """
        x = as_floats(x, "accuracy: x", batch=True)
        as_floats(y, "accuracy: y", batch=True)  # real numbers: checked, not converted
        targets = np.asarray(y).tolist()
        if len(x) != len(targets) or not len(x):
            raise ValueError(f"accuracy: x has {len(x)} rows but y has {len(targets)}; need n > 0")
        outputs = self.predict(x)
        hits = sum(self.correct(out, t) for out, t in zip(outputs, targets, strict=True))
        return hits / len(targets)

    def fit(
        self,
        x: npt.ArrayLike,
        y: npt.ArrayLike,
        epochs: int,
        validation: tuple[npt.ArrayLike, npt.ArrayLike] | None = None,
        train_accuracy: bool = False,
    ) -> History:
        """Train for ``epochs`` epochs of shuffled mini-batches and return the :class:`History`.

        Ctrl-C stops after the step in progress, or after the evaluation in progress (a second
        Ctrl-C stops at once; an optimizer step is never cut in half): the model keeps the
        parameters of its last completed step, the history says ``interrupted`` and records
        the cut-short epoch with ``interrupted=True``.

        Args:
            x: the training inputs, one row per example.
            y: the training targets (class indices or numbers).
            epochs: how many passes over the data.
            validation: ``(x_val, y_val)`` whose accuracy is recorded after each epoch.
            train_accuracy: also record accuracy on the training set after each epoch.

        Raises:
            TypeError: if ``x``, ``y`` or ``validation`` hold something other than real
                numbers, ``validation`` is not a pair, ``epochs`` not an int or
                ``train_accuracy`` not a bool.
            ValueError: if ``x`` and ``y`` differ in length or are empty, hold nan or inf, or
                ``epochs < 1``; nothing is trained then.

        >>> from autograd.nn import MLP
        >>> from autograd.losses import cross_entropy
        >>> from autograd.optim import Adam
        >>> from autograd.data import logic_table
        >>> x, y = logic_table("and")
        >>> model = MLP(2, [2], seed=0)  # two class scores
        >>> optimizer = Adam(model.parameters(), lr=0.1)
        >>> trainer = Trainer(model, optimizer, cross_entropy, progress=False)
        >>> history = trainer.fit(x, y, epochs=100, train_accuracy=True)
        >>> len(history.epochs), history.epochs[-1].train_accuracy
        (100, 1.0)
        """
        x_array, y_array = as_floats(x, "fit: x", batch=True), np.asarray(y)
        as_floats(y, "fit: y", batch=True)  # real numbers: checked, not converted
        rows, targets = x_array.tolist(), y_array.tolist()
        if len(rows) != len(targets) or not rows:
            raise ValueError(
                f"fit: x has {len(rows)} rows and y has {len(targets)}; need n > 0 each"
            )
        epochs = _checks.count("fit: epochs", epochs)
        train_accuracy = _checks.flag("fit: train_accuracy", train_accuracy)
        if validation is not None:
            _validation(validation)
        size = len(rows) if self.batch_size is None else self.batch_size
        bar = _progress_bar_class(self.progress)(
            total=epochs * math.ceil(len(rows) / size),
            disable=not self.progress,
            unit="step",
            desc="training",
        )
        progress = _Progress(History(), bar, self.smoothing)
        self.model.train()
        try:
            with sigint_as_flag() as pressed:
                for epoch in range(1, epochs + 1):
                    progress.begin(epoch)
                    for index in batches(len(rows), size, seed=self.rng):
                        self._fit_step(progress, x_array, y_array, rows, targets, index)
                        if pressed():
                            raise KeyboardInterrupt
                    if train_accuracy:
                        progress.accuracies["train"] = self.accuracy(rows, targets)
                    if validation is not None:
                        progress.accuracies["val"] = self.accuracy(*validation)
                        bar.set_postfix(
                            epoch=epoch,
                            loss=f"{progress.smoothed:.4f}",
                            val_acc=f"{progress.accuracies['val']:.3f}",
                        )
                    progress.end()
                    if pressed():  # Ctrl-C during the evaluation: stop now, not a step later
                        raise KeyboardInterrupt
        except KeyboardInterrupt:
            progress.history.interrupted = True
            progress.end(interrupted=True)  # the epoch cut short, if it took a step
            self.model.zero_grad()  # a half-finished backward leaves no stray gradients
        finally:
            bar.close()
        return progress.history

    def _fit_step(
        self,
        progress: _Progress,
        x_array: npt.NDArray[np.float64],
        y_array: npt.NDArray[Any],
        rows: list[Any],
        targets: list[Any],
        index: npt.NDArray[np.intp],
    ) -> None:
        """One step of :meth:`fit` on the rows ``index`` (arrays when compiled, lists if not).

        A Ctrl-C that arrives inside the optimizer step is held back to the end of the step
        (see :meth:`autograd.optim.Optimizer.step`); the step is then complete, so its loss
        is recorded before the interrupt goes on.
        """
        before = self.optimizer.steps
        try:
            if self.compile:
                loss = self.compiled_step(x_array[index], y_array[index])
            else:
                loss = self.train_step([rows[i] for i in index], [targets[i] for i in index])
        except KeyboardInterrupt:
            if self.optimizer.steps > before:
                progress.add(self._step_loss)
            raise
        progress.add(loss)


def _named(where: str, fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``; its TypeError or ValueError says ``where`` (the method and the example)."""
    try:
        return fn(*args)
    except (TypeError, ValueError) as err:
        if type(err) not in (TypeError, ValueError):  # a narrower error: as raised
            raise
        raise type(err)(f"{where}: {err}") from err


def _examples(caller: str, xs: object, ys: object) -> tuple[list[Any], list[Any]]:
    """A batch's inputs and targets as lists of as many entries (n > 0), or raise naming them."""
    rows = _checks.sequence(f"{caller}: xs", xs, "a list of examples (rows of numbers)")
    targets = _checks.sequence(f"{caller}: ys", ys, "a list of targets")
    if len(rows) != len(targets) or not rows:
        raise ValueError(
            f"{caller}: xs has {len(rows)} examples and ys {len(targets)} targets; need n > 0 each"
        )
    return rows, targets


def _validation(validation: object) -> None:
    """``fit``'s validation set: a pair ``(x_val, y_val)`` of real numbers, as many rows each."""
    if not isinstance(validation, tuple | list):
        raise TypeError(f"fit: validation must be None or a pair (x_val, y_val), got "
                        f"{describe(validation)}")  # fmt: skip
    if len(validation) != 2:  # noqa: PLR2004  # a pair
        raise ValueError(f"fit: validation must be a pair (x_val, y_val), got {len(validation)} "
                         "entries")  # fmt: skip
    x_val = as_floats(validation[0], "fit: validation x", batch=True)
    as_floats(validation[1], "fit: validation y", batch=True)
    if len(x_val) != len(np.asarray(validation[1])) or not len(x_val):
        raise ValueError("fit: validation x and y must hold as many rows, n > 0")
