"""The bad-input battery: every public callable, each argument replaced by wrong kinds and values.

Every row is a public function, class or method with a valid call (``tests/battery.py`` has the
machinery and the wrong substitutions of each kind of argument). A wrong kind must raise
``TypeError`` and a wrong value ``ValueError``, naming the function and the argument, before
anything changes: parameters, gradients, optimizer state, files. ``test_every_public_callable_
has_a_row`` fails when a public callable of the listed modules has neither a row nor a reason
to have none. ``python tests/test_battery.py`` prints the counts of verdicts.
"""

from __future__ import annotations

import functools
import inspect
import math
import shutil
import sys
import tempfile
import types
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np
import pytest
from battery import (
    KINDS,
    Arg,
    Bad,
    Row,
    T,
    V,
    a,
    bad,
    call,
    fresh,
    in_folder,
    row,
    same_table,
    verdict,
)
from hypothesis import assume, given, note
from hypothesis import strategies as st

import autograd
import autograd.compiled
import autograd.data
import autograd.files
import autograd.linalg
import autograd.losses
import autograd.nn
import autograd.nn.init
import autograd.ops
import autograd.optim
import autograd.schedules
import autograd.serialize
import autograd.testing
import autograd.train
import autograd.viz
from autograd import (
    Value,
    compiled,
    data,
    dot,
    files,
    grad,
    linalg,
    losses,
    max_values,
    nn,
    ops,
    optim,
    schedules,
    serialize,
    sum_values,
    topological_order,
    zero_grad,
)
from autograd import testing as kit
from autograd.nn import (
    MLP,
    Activation,
    AvgPool2d,
    Conv2d,
    Dropout,
    Flatten,
    GRUCell,
    Layer,
    LSTMCell,
    MaxPool2d,
    Module,
    Neuron,
    PReLU,
    RNNCell,
    Sequential,
    Unflatten,
    Unrolled,
)
from autograd.train import Trainer

# --- valid things to call with, made fresh ------------------------------------------------------


def _graph() -> Value:
    x, w = Value(2.0, label="x"), Value(-1.5, label="w")
    return (x * w).tanh() + x


def _two() -> list[Value]:
    return [Value(1.0), Value(2.0)]


def _computed() -> list[Value]:
    return [Value(1.0) * 2.0]


def _model() -> MLP:
    return MLP(2, [3, 1], seed=0)


def _trainer(compile_: bool = False) -> Trainer:
    model = _model()
    return Trainer(
        model, optim.SGD(model.parameters(), lr=0.1), losses.mse, batch_size=2,
        progress=False, compile=compile_,
    )  # fmt: skip


def _outputs() -> autograd.train.CompiledOutputs:
    return autograd.train.CompiledOutputs(_model(), [1.0, 2.0])


def _plan() -> compiled.CompiledLoss:
    w = Value(2.0)
    return compiled.compile_loss(lambda x: (w * x - 1.0) ** 2, 1.0, [w])


def _saved() -> str:
    serialize.save(Neuron(2, seed=0), "saved.json")
    return "saved.json"


def _image() -> list[list[list[float]]]:
    return [[[1.0, 2.0, 0.0], [4.0, 3.0, 1.0], [0.0, 1.0, 2.0]]]


def _op(name: str = "cube_t") -> ops.Op:
    return ops.Op(name, "³", 1, lambda x: x * x * x, lambda x, out: (3 * x * x,), ("3 x**2",))


ROWS_ = [[1.0, 2.0], [0.0, 1.0]]
TARGETS = [1.0, 0.0]

# row-specific wrong substitutions
SHORT = bad("too short", [1.0], V)
EMPTY = bad("empty", [], V)
NO_PAIR = bad("not a pair", (0.9,), V)


def PAIR(valid: int, skip: str = "list") -> Callable[[str], Arg]:  # noqa: N802  # reads as a kind
    """An int-or-pair size (a kernel, a stride): a list of one entry is a wrong value there."""
    return a("size", valid, NO_PAIR, skip=skip)


COMPUTED = bad("[computed]", fresh(_computed))

# --- the rows ------------------------------------------------------------------------------------

ENGINE = [
    row("Value", lambda: Value, covers=Value, data=a("number", 1.0, named=None),
        label=a("text", "x")),
    row("Value.leaky_relu", lambda: Value(-1.0).leaky_relu, covers=Value.leaky_relu,
        slope=a("number", 0.1, named="slope")),
    row("dot", lambda: dot, covers=dot, weights=a("values", [1.0, 2.0], SHORT, EMPTY),
        inputs=a("values", [3.0, 4.0], SHORT), bias=a("operand", 0.5)),
    row("grad", lambda: grad, covers=grad, output=a("value", fresh(_graph)),
        inputs=a("leaves", fresh(_two)), create_graph=a("flag", False)),
    row("max_values", lambda: max_values, covers=max_values,
        values=a("values", fresh(_two), EMPTY, named=None)),
    row("sum_values", lambda: sum_values, covers=sum_values,
        values=a("values", fresh(_two), named=None)),
    row("topological_order", lambda: topological_order, covers=topological_order,
        root=a("value", fresh(_graph))),
    row("zero_grad", lambda: zero_grad, covers=zero_grad,
        values=a("leaves", fresh(_two), bad("[computed, None]", fresh(
            lambda: [Value(1.0) * 2, None])), skip="float", named=None)),
]  # fmt: skip

MODULE_SIZES = {"nin": a("size", 2), "nout": a("size", 3)}
INIT = a("choice", "uniform", skip="None float")  # a name, or a function
SEED = a("seed", 0)
NN = [
    row("MLP", lambda: MLP, covers=MLP, nin=a("size", 2),
        nouts=a(None, [3, 1], bad("None", None), bad("int", 3), bad("str", "31"), EMPTY,
                bad("[0]", [0], V), bad("[float]", [2.0]), bad("[huge]", [10**400], V),
                bad("[10**9]", [10**9], V), bad("[10**4] * 200", [10**4] * 200, V)),
        activation=a("choice", "relu"), output_activation=a("choice", "linear"),
        init=INIT, seed=SEED, dropout=a("probability", 0.0), value=a("real", 0.0),
        bias=a("flag", True)),
    row("Layer", lambda: Layer, covers=Layer, **MODULE_SIZES,
        activation=a("choice", "relu", skip="None"), nonlin=a("flag", True, skip="None"),
        init=INIT, seed=SEED, value=a("real", 0.0), bias=a("flag", True)),
    row("Neuron", lambda: Neuron, covers=Neuron, nin=a("size", 2),
        activation=a("choice", "relu", skip="None"), nonlin=a("flag", True, skip="None"),
        init=INIT, seed=SEED, fan_out=a("size", 1), value=a("real", 0.0), bias=a("flag", True)),
    row("Dropout", lambda: Dropout, covers=Dropout, p=a("probability", 0.5), seed=SEED),
    row("Activation", lambda: Activation, covers=Activation, name=a("choice", "tanh", named=None)),
    row("PReLU", lambda: PReLU, covers=PReLU, init=a("real", 0.25)),
    row("Unflatten", lambda: Unflatten, covers=Unflatten,
        shape=a(None, (1, 2, 2), bad("None", None), bad("int", 4), bad("str", "abc"),
                bad("pair", (1, 2), V), bad("zero", (0, 2, 2), V), bad("huge", (10**400, 1, 1), V),
                bad("10**9", (1, 10**5, 10**4), V), bad("float", (1.0, 2, 2)))),
    row("Conv2d", lambda: Conv2d, covers=Conv2d, in_channels=a("size", 1),
        out_channels=a("size", 2), kernel_size=PAIR(2), stride=PAIR(1),
        padding=a("size0", 0, NO_PAIR, skip="list"), bias=a("flag", True),
        init=a("choice", "uniform_fan_in", skip="None float"), seed=SEED, value=a("real", 0.0)),
    row("MaxPool2d", lambda: MaxPool2d, covers=MaxPool2d, kernel_size=PAIR(2),
        stride=PAIR(1, "None list")),
    row("AvgPool2d", lambda: AvgPool2d, covers=AvgPool2d, kernel_size=PAIR(2),
        stride=PAIR(1, "None list")),
    row("RNNCell", lambda: RNNCell, covers=RNNCell, input_size=a("size", 2),
        hidden_size=a("size", 2), bias=a("flag", True), nonlinearity=a("choice", "tanh"),
        init=a("choice", "uniform", skip="None float"), seed=SEED),
    row("LSTMCell", lambda: LSTMCell, covers=LSTMCell, input_size=a("size", 2),
        hidden_size=a("size", 2), bias=a("flag", True),
        init=a("choice", "uniform", skip="None float"), seed=SEED),
    row("GRUCell", lambda: GRUCell, covers=GRUCell, input_size=a("size", 2),
        hidden_size=a("size", 2), bias=a("flag", True),
        init=a("choice", "uniform", skip="None float"), seed=SEED),
    row("Unrolled", lambda: Unrolled, covers=Unrolled,
        cell=a("module", fresh(lambda: RNNCell(1, 2, seed=0)), bad("Layer", fresh(
            lambda: Layer(1, 2, seed=0))))),
    row("Sequential", lambda: Sequential, covers=Sequential,
        modules=a("module", fresh(lambda: Layer(2, 1, seed=0)), positional=True, named=None)),
    row("Module.train", lambda: _model().train, covers=Module.train, mode=a("flag", True)),
    row("init_weights", lambda: nn.init_weights, covers=nn.init_weights,
        scheme=a("choice", "uniform", skip="None float"), nin=a("size", 2), nout=a("size", 2),
        rng=a("rng", fresh(lambda: np.random.default_rng(0))), value=a("real", 0.0)),
    row("mlp_parameter_count", lambda: nn.mlp_parameter_count, covers=nn.mlp_parameter_count,
        nin=a("count", 2), nouts=a(None, [3, 1], bad("None", None), bad("int", 3), EMPTY,
                                   bad("[0]", [0], V), bad("[nan]", [math.nan])),
        bias=a("flag", True)),
    row("check_init", lambda: nn.init.check_init, covers=nn.init.check_init,
        init=a("choice", "uniform", named=None)),
    row("normal", lambda: nn.init.normal, covers=nn.init.normal, std=a("non_negative", 1.0),
        mean=a("real", 0.0)),
    row("uniform", lambda: nn.init.uniform, covers=nn.init.uniform, low=a("real", -1.0),
        high=a("real", 1.0, bad("below low", -2.0, V))),
]  # fmt: skip

INPUTS = (
    bad("None", None), bad("str", "ab"), bad("bytes", b"ab"), bad("dict", {"a": 1.0}),
    bad("object", object()), bad("[None]", [None, 1.0]), bad("[str]", ["a", 1.0]),
    bad("[complex]", [1j, 1.0]), bad("too short", [1.0], V), bad("2-d array", np.ones((2, 2)), V),
)  # fmt: skip
IMAGES = (
    bad("None", None), bad("str", "ab"), bad("float", 1.0), bad("[None]", [[[None]]]),
    bad("[str]", [[["a"]]]), bad("flat", [1.0, 2.0], V), bad("empty", [], V),
    bad("ragged", [[[1.0, 2.0], [1.0]]], V), bad("[complex]", [[[1j]]]),
)  # fmt: skip


def _calls(
    name: str,
    make: Callable[[], Module],
    covers: object,
    x: object,
    inputs: tuple[Bad, ...],
    arg: str = "x",
    **more: Callable[[str], Arg],
) -> Row:
    return row(name, lambda: make(), covers=covers, shows=name.split(".")[0],
               **{arg: a(None, x, *inputs, named=None)}, **more)  # fmt: skip


MODULE_CALLS = [
    _calls("Neuron.__call__", lambda: Neuron(2, seed=0), Neuron.__call__, [1.0, 2.0], INPUTS),
    _calls("Layer.__call__", lambda: Layer(2, 3, seed=0), Layer.__call__, [1.0, 2.0], INPUTS),
    _calls("MLP.__call__", _model, MLP.__call__, [1.0, 2.0], INPUTS),
    _calls("Dropout.__call__", lambda: Dropout(0.5, seed=0), Dropout.__call__, [1.0, 2.0],
           INPUTS[:8]),
    _calls("Activation.__call__", lambda: Activation("relu"), Activation.__call__, [1.0, 2.0],
           INPUTS[:8]),
    _calls("PReLU.__call__", PReLU, PReLU.__call__, [1.0, -2.0], INPUTS[:8]),
    _calls("Flatten.__call__", Flatten, Flatten.__call__, _image(), IMAGES),
    _calls("Unflatten.__call__", lambda: Unflatten((1, 1, 2)), Unflatten.__call__, [1.0, 2.0],
           INPUTS[:9]),
    _calls("Conv2d.__call__", lambda: Conv2d(1, 2, 2, seed=0), Conv2d.__call__, _image(),
           (*IMAGES, bad("2 channels", [[[1.0, 2.0]], [[1.0, 2.0]]], V),
            bad("too small", [[[1.0]]], V))),
    _calls("MaxPool2d.__call__", lambda: MaxPool2d(2), MaxPool2d.__call__, _image(),
           (*IMAGES, bad("too small", [[[1.0]]], V))),
    _calls("AvgPool2d.__call__", lambda: AvgPool2d(2), AvgPool2d.__call__, _image(), IMAGES),
    _calls("RNNCell.__call__", lambda: RNNCell(2, 2, seed=0), RNNCell.__call__, [1.0, 2.0],
           INPUTS, h=a(None, None, *INPUTS[1:], named=None)),
    _calls("GRUCell.__call__", lambda: GRUCell(2, 2, seed=0), GRUCell.__call__, [1.0, 2.0],
           INPUTS, h=a(None, None, *INPUTS[1:], named=None)),
    _calls("LSTMCell.__call__", lambda: LSTMCell(2, 2, seed=0), LSTMCell.__call__, [1.0, 2.0],
           INPUTS, state=a(None, None, bad("list", [1.0, 2.0]), bad("str", "ab"),
                           bad("(None, None)", (None, None)), bad("single", ([1.0, 2.0],), V),
                           named=None)),
    _calls("Unrolled.__call__", lambda: Unrolled(RNNCell(1, 2, seed=0)), Unrolled.__call__,
           [[1.0], [2.0]], (bad("None", None), bad("str", "ab"), bad("empty", [], V),
                            bad("[None]", [[None]]), bad("[str]", [["a"]]),
                            bad("odd", [[1.0, 2.0]], V), bad("object", object())), arg="xs"),
    _calls("Sequential.__call__", lambda: Sequential(Layer(2, 1, seed=0)), Sequential.__call__,
           [1.0, 2.0], INPUTS),
    row("Conv2d.output_shape", lambda: Conv2d(1, 2, 2, seed=0).output_shape,
        covers=Conv2d.output_shape, shows="Conv2d",
        shape=a(None, (1, 3, 3), bad("None", None), bad("int", 3), bad("pair", (1, 3), V),
                bad("channels", (2, 3, 3), V), bad("small", (1, 1, 1), V),
                bad("float", (1, 3.0, 3)), named=None)),
    row("MaxPool2d.output_shape", lambda: MaxPool2d(2).output_shape,
        covers=MaxPool2d.output_shape, shows="MaxPool2d",
        shape=a(None, (1, 3, 3), bad("None", None), bad("int", 3), bad("pair", (1, 3), V),
                bad("small", (1, 1, 1), V), bad("float", (1, 3.0, 3)), named=None)),
]  # fmt: skip

SCORES = a(None, [0.5, 0.25], bad("None", None), bad("str", "ab"), bad("bytes", b"ab"),
           bad("dict", {"a": 0.5}), bad("object", object()), bad("[None]", [None, 0.5]),
           bad("[str]", ["a", 0.5]), bad("[complex]", [1j, 0.5]), EMPTY)  # fmt: skip
LABELS = a(None, TARGETS, bad("None", None), bad("str", "ab"), bad("bytes", b"ab"),
           bad("[None]", [None, 1.0]), bad("[str]", ["a", 1.0]), SHORT)  # fmt: skip
SIGNS = a(None, [1.0, -1.0], bad("None", None), bad("str", "ab"), bad("bytes", b"ab"),
          bad("[None]", [None, 1.0]), SHORT, bad("label 0", [0.0, 1.0], V))  # fmt: skip
LOSSES = [
    row("mse", lambda: losses.mse, covers=losses.mse, preds=SCORES, targets=LABELS),
    row("binary_cross_entropy", lambda: losses.binary_cross_entropy,
        covers=losses.binary_cross_entropy, probs=SCORES, targets=LABELS),
    row("binary_cross_entropy_with_logits", lambda: losses.binary_cross_entropy_with_logits,
        covers=losses.binary_cross_entropy_with_logits, logits=SCORES, targets=LABELS),
    row("softmax", lambda: losses.softmax, covers=losses.softmax, logits=SCORES,
        temperature=a("positive", 1.0)),
    row("log_softmax", lambda: losses.log_softmax, covers=losses.log_softmax, logits=SCORES,
        temperature=a("positive", 1.0)),
    row("graph_max", lambda: losses.graph_max, covers=losses.graph_max, values=SCORES),
    row("cross_entropy", lambda: losses.cross_entropy, covers=losses.cross_entropy,
        logits=SCORES, target=a(None, 1, bad("None", None), bad("str", "a"), bad("float", 1.5),
                                bad("bool", True), bad("object", object()), bad("5", 5, V),
                                bad("-1", -1, V), bad("not one-hot", [0.5, 0.6], V),
                                bad("short one-hot", [1.0], V), bad("[None]", [None, 1.0]),
                                bad("[str]", ["a", 1.0]))),
    row("hinge", lambda: losses.hinge, covers=losses.hinge, scores=SCORES, targets=SIGNS),
    row("l2", lambda: losses.l2, covers=losses.l2, params=a("leaves", fresh(_two)),
        alpha=a("non_negative", 0.5)),
]  # fmt: skip

PARAMS = a("leaves", fresh(_two), EMPTY, COMPUTED,
           bad("twice", fresh(lambda: [v := Value(1.0), v]), V))  # fmt: skip
LR = a("non_negative", 0.1)
FLAG_F = a("flag", False)
OPTIM = [
    row("Optimizer", lambda: optim.Optimizer, covers=optim.Optimizer, params=PARAMS, lr=LR),
    row("SGD", lambda: optim.SGD, covers=optim.SGD, params=PARAMS, lr=LR,
        momentum=a("non_negative", 0.9), dampening=a("probability", 0.0),
        weight_decay=a("non_negative", 0.0), nesterov=FLAG_F),
    row("RMSprop", lambda: optim.RMSprop, covers=optim.RMSprop, params=PARAMS, lr=LR,
        alpha=a("fraction", 0.99), eps=a("non_negative", 1e-8),
        weight_decay=a("non_negative", 0.0), momentum=a("non_negative", 0.0), centered=FLAG_F),
    *(row(k.__name__, lambda k=k: k, covers=k, params=PARAMS, lr=LR,
          betas=a(None, (0.9, 0.999), bad("None", None), bad("float", 0.9), NO_PAIR,
                  bad("str", "ab"), bad("(str, float)", ("a", 0.9)), bad("(1, 0.9)", (1.0, 0.9), V),
                  bad("(nan, 0.9)", (math.nan, 0.9), V)),
          eps=a("non_negative", 1e-8), weight_decay=a("non_negative", 0.0), amsgrad=FLAG_F)
      for k in (optim.Adam, optim.AdamW)),
]  # fmt: skip

SCHEDULE = a(None, fresh(lambda: schedules.Constant(0.1)), bad("None", None), bad("str", "x"),
             bad("float", 0.1), bad("object", object()))  # fmt: skip
SCHEDULES = [
    row("Constant", lambda: schedules.Constant, covers=schedules.Constant, lr=a("real", 0.1)),
    row("StepDecay", lambda: schedules.StepDecay, covers=schedules.StepDecay, lr=a("real", 0.1),
        step_size=a("count", 2), gamma=a("real", 0.5)),
    row("Exponential", lambda: schedules.Exponential, covers=schedules.Exponential,
        lr=a("real", 0.1), gamma=a("real", 0.5)),
    row("InverseTime", lambda: schedules.InverseTime, covers=schedules.InverseTime,
        lr=a("real", 0.1), s0=a("positive", 1.0), power=a("real", 1.0)),
    row("OneOverT", lambda: schedules.OneOverT, covers=schedules.OneOverT, lr=a("real", 0.1)),
    row("Cosine", lambda: schedules.Cosine, covers=schedules.Cosine, lr=a("real", 0.1),
        t_max=a("count", 10), lr_min=a("real", 0.0)),
    row("Linear", lambda: schedules.Linear, covers=schedules.Linear, start=a("real", 0.1),
        end=a("real", 0.0), steps=a("count", 10)),
    row("Product", lambda: schedules.Product, covers=schedules.Product, first=SCHEDULE,
        second=SCHEDULE),
    row("Then", lambda: schedules.Then, covers=schedules.Then, first=SCHEDULE, second=SCHEDULE,
        at=a("count", 5)),
    row("Schedule.__call__", lambda: schedules.Constant(0.1), covers=schedules.Schedule.__call__,
        shows="schedule", t=a("count0", 3)),
    row("Schedule.then", lambda: schedules.Constant(0.1).then, covers=schedules.Schedule.then,
        other=SCHEDULE, at=a("count", 5)),
]  # fmt: skip

OUTPUT = a(None, fresh(lambda: Value(0.5)), bad("None", None), bad("str", "x"),
           bad("object", object()), bad("[None]", [None]), named=None)  # fmt: skip
TRAIN_X = a("rows", ROWS_, named="x")
# the scalar path takes Values and IEEE numbers in its rows; a list in a row is the wrong kind
SCALAR_ROWS = a("rows", ROWS_, bad("nested", [[1.0, [1.0, 2.0]], [1.0, 1.0]]), named=None,
                skip="[[nan]] [[inf]] [[Value]] ragged-deep")  # fmt: skip
TRAIN_Y = a(None, TARGETS, bad("None", None), bad("str", "ab"), bad("short", [1.0], V),
            bad("[None]", [None, 1.0]), bad("[str]", ["a", 1.0]), named="y")  # fmt: skip
TRAIN = [
    row("default_correct", lambda: autograd.train.default_correct,
        covers=autograd.train.default_correct, output=OUTPUT,
        target=a(None, 1.0, bad("None", None), bad("str", "x"), bad("object", object())),
        threshold=a("real", 0.0)),
    row("probability_correct", lambda: autograd.train.probability_correct,
        covers=autograd.train.probability_correct, output=OUTPUT,
        target=a(None, 1.0, bad("None", None), bad("str", "x"), bad("object", object()))),
    row("correct_for", lambda: autograd.train.correct_for, covers=autograd.train.correct_for,
        model=a("module", fresh(_model))),
    row("Trainer", lambda: Trainer, covers=Trainer, model=a("module", fresh(_model)),
        optimizer=a(None, fresh(lambda: optim.SGD(_two(), lr=0.1)), bad("None", None),
                    bad("str", "sgd"), bad("object", object())),
        loss=a("callable", losses.mse), batch_size=a("count", 2, skip="None"),
        penalty=a("callable", None, skip="None"), correct=a("callable", None, skip="None"),
        smoothing=a("probability", 0.1, bad("0", 0, V)), seed=SEED, progress=FLAG_F,
        compile=FLAG_F, check_every=a("count0", 10)),
    row("Trainer.batch_loss", lambda: _trainer().batch_loss, covers=Trainer.batch_loss,
        shows="batch_loss", xs=SCALAR_ROWS,
        ys=a(None, TARGETS, bad("None", None), bad("short", [1.0], V), named=None)),
    row("Trainer.train_step", lambda: _trainer().train_step, covers=Trainer.train_step,
        shows="train_step", xs=SCALAR_ROWS,
        ys=a(None, TARGETS, bad("None", None), bad("short", [1.0], V), named=None)),
    row("Trainer.compiled_step", lambda: _trainer(compile_=True).compiled_step,
        covers=Trainer.compiled_step, shows="compiled_step", xs=a("rows", ROWS_),
        ys=a(None, TARGETS, bad("None", None), bad("str", "ab"), bad("short", [1.0], V),
             bad("[None]", [None, 1.0]), bad("[nan]", [math.nan, 1.0], V))),
    row("Trainer.predict", lambda: _trainer().predict, covers=Trainer.predict, shows="predict",
        x=a("rows", ROWS_, skip="empty")),
    row("Trainer.accuracy", lambda: _trainer().accuracy, covers=Trainer.accuracy,
        shows="accuracy", x=TRAIN_X, y=TRAIN_Y),
    row("CompiledOutputs", lambda: autograd.train.CompiledOutputs,
        covers=autograd.train.CompiledOutputs, model=a("module", fresh(_model)),
        example=a(None, [1.0, 2.0], bad("None", None), bad("str", "ab"), bad("[None]", [None, 1.0]),
                  bad("[nan]", [math.nan, 1.0], V), bad("nested", [[1.0, 2.0]], V),
                  bad("empty", [], V), bad("object", object()))),
    row("CompiledOutputs.__call__", lambda: _outputs(),
        covers=autograd.train.CompiledOutputs.__call__, shows="CompiledOutputs",
        rows=a("rows", ROWS_, bad("1-d", [1.0, 2.0], V), bad("too wide", [[1.0, 2.0, 3.0]], V))),
    row("Trainer.fit", lambda: _trainer().fit, covers=Trainer.fit, shows="fit", x=TRAIN_X,
        y=TRAIN_Y, epochs=a("count", 1),
        validation=a(None, None, bad("str", "ab"), bad("single", (ROWS_,), V),
                     bad("float", 1.0), bad("bad rows", (None, TARGETS))),
        train_accuracy=FLAG_F),
]  # fmt: skip

MODEL_FILE = a("path", "model.json")
ARCHITECTURE = a(None, {"type": "Layer", "nin": 2, "nout": 1, "activation": "relu"},
                 bad("None", None), bad("str", "Layer"), bad("list", [1]), bad("empty", {}, V),
                 bad("unknown type", {"type": "Nope"}, V),
                 bad("huge", {"type": "Layer", "nin": 10**400, "nout": 1}, V),
                 bad("10**9", {"type": "MLP", "nin": 10**5, "nouts": [10**4]}, V),
                 bad("bad width", {"type": "Layer", "nin": "2", "nout": 1}, V),
                 named=None)  # fmt: skip
SERIALIZE = [
    row("save", lambda: serialize.save, covers=serialize.save, model=a("module", fresh(_model)),
        path=MODEL_FILE),
    row("read", lambda: serialize.read, covers=serialize.read, path=a("path", fresh(_saved))),
    row("build", lambda: serialize.build, covers=serialize.build, architecture=ARCHITECTURE),
    row("load", lambda: serialize.load, covers=serialize.load, path=a("path", fresh(_saved))),
    row("load_into", lambda: serialize.load_into, covers=serialize.load_into,
        model=a("module", fresh(lambda: Neuron(2, seed=1))), path=a("path", fresh(_saved))),
    row("write_atomic", lambda: files.write_atomic, covers=files.write_atomic,
        path=a("path", "out.txt"),
        data=a(None, "text", bad("None", None), bad("int", 3), bad("ndarray", np.arange(3)),
               bad("list", ["x"]), bad("object", object()), bad("bytearray", bytearray(b"x")))),
]  # fmt: skip

DATA = [
    row("make_moons", lambda: data.make_moons, covers=data.make_moons,
        n_samples=a("size", 10, bad("1", 1, V)), noise=a("non_negative", 0.1), seed=SEED,
        shuffle=a("flag", True)),
    row("make_circles", lambda: data.make_circles, covers=data.make_circles,
        n_samples=a("size", 10, bad("1", 1, V)), noise=a("non_negative", 0.1),
        factor=a("probability", 0.5, bad("1", 1, V), bad("0", 0, V)), seed=SEED,
        shuffle=a("flag", True)),
    row("logic_table", lambda: data.logic_table, covers=data.logic_table,
        name=a("choice", "xor", named="logic table")),
    row("load_digits", lambda: data.load_digits, covers=data.load_digits, scale=a("flag", True)),
    row("train_test_split", lambda: data.train_test_split, covers=data.train_test_split,
        x=a(None, fresh(lambda: np.arange(10.0).reshape(5, 2)), bad("None", None),
            bad("float", 1.0), bad("str", "abcde"), bad("object", object()), SHORT),
        y=a(None, fresh(lambda: np.arange(5)), bad("None", None), bad("float", 1.0),
            bad("object", object()), SHORT),
        test_fraction=a("probability", 0.4, bad("0", 0, V), bad("1", 1, V)), seed=SEED),
    row("batches", lambda: data.batches, covers=data.batches, n=a("size", 5),
        batch_size=a("count", 2, skip="None"), seed=SEED, shuffle=a("flag", True)),
]  # fmt: skip

FUNCTION = a("callable", lambda x: x * x, named="f")
POINTS = (bad("None", None), bad("str", "ab"), bad("bytes", b"ab"), bad("[None]", [None]),
          bad("[str]", ["a"]), bad("[complex]", [1j]), bad("[nan]", [math.nan], V),
          bad("[inf]", [math.inf], V))  # fmt: skip
POINT = a(None, [0.5], *POINTS, named="inputs")
NUMBERS = a(None, [1.0, 2.0], bad("None", None), bad("str", "ab"), bad("bytes", b"ab"),
            bad("[None]", [None, 1.0]), bad("[str]", ["a", 1.0]), bad("[complex]", [1j, 1.0]),
            bad("object", object()))  # fmt: skip
TOLERANCES = {"rtol": a("non_negative", 1e-5), "atol": a("non_negative", 1e-6)}
TESTING = [
    row("step_size", lambda: kit.step_size, covers=kit.step_size, x=a("real", 0.5),
        eps=a("positive", 1e-6)),
    row("numerical_grads", lambda: kit.numerical_grads, covers=kit.numerical_grads,
        f=a("callable", lambda x: x * x), xs=a(None, [0.5], *POINTS), eps=a("positive", 1e-6)),
    row("is_close", lambda: kit.is_close, covers=kit.is_close,
        actual=a("number", 1.0, skip="Value"), expected=a("number", 1.0, skip="Value"),
        **TOLERANCES),
    row("assert_grads_close", lambda: kit.assert_grads_close, covers=kit.assert_grads_close,
        actual=NUMBERS, expected=NUMBERS, **TOLERANCES, what=a("text", "gradient")),
    row("gradcheck", lambda: kit.gradcheck, covers=kit.gradcheck, f=FUNCTION, inputs=POINT,
        eps=a("positive", 1e-6), **TOLERANCES, raise_exception=a("flag", True)),
    row("hessian", lambda: kit.hessian, covers=kit.hessian, f=FUNCTION, inputs=POINT),
    row("gradgradcheck", lambda: kit.gradgradcheck, covers=kit.gradgradcheck, f=FUNCTION,
        inputs=POINT, eps=a("positive", 1e-6), rtol=a("non_negative", 1e-4),
        atol=a("non_negative", 1e-5), raise_exception=a("flag", True)),
    row("check_op", lambda: kit.check_op, covers=kit.check_op,
        op=a("choice", "neg", bad("int", 3), skip="float", named=None)),
]  # fmt: skip

BATCH = a(None, fresh(lambda: np.array([1.0, 2.0])), bad("None", None), bad("str", "ab"),
          bad("object", object()), bad("[None]", [None, 1.0]), bad("[complex]", [1j, 1.0]),
          bad("[nan]", [math.nan, 1.0], V), bad("ragged-deep", [[1.0, [1.0, 2.0]]], V),
          bad("2-d", [[1.0, 2.0]], V), bad("empty", [], V), bad("pair", ([1.0], [1.0]), V),
          named=None)  # fmt: skip
COMPILED = [
    row("compile_loss", lambda: compiled.compile_loss, covers=compiled.compile_loss,
        fn=a("callable", lambda x: x * 2.0), example=a(None, 1.0, bad("None", None),
        bad("str", "ab"), bad("[None]", [None]), bad("empty", [], V), bad("[nan]", [math.nan], V),
        bad("nested", [[1.0]], V), bad("object", object())),
        params=a("leaves", fresh(_two), COMPUTED), reduction=a("choice", "mean"),
        check_every=a("count0", 10)),
    row("CompiledLoss", lambda: compiled.CompiledLoss, covers=compiled.CompiledLoss,
        shows="compile_loss", fn=a("callable", lambda x: x * 2.0), example=a(None, 1.0),
        params=a("leaves", fresh(_two), COMPUTED), reduction=a("choice", "mean"),
        check_every=a("count0", 10)),
    row("CompiledLoss.forward", lambda: _plan().forward, covers=compiled.CompiledLoss.forward,
        shows="forward", batch=BATCH),
    row("CompiledLoss.node_values", lambda: _plan().node_values,
        covers=compiled.CompiledLoss.node_values, shows="node_values", batch=BATCH),
    row("CompiledLoss.forward_backward", lambda: _plan().forward_backward,
        covers=compiled.CompiledLoss.forward_backward, shows="forward_backward", batch=BATCH),
    row("CompiledLoss.value_and_grad", lambda: _plan().value_and_grad,
        covers=compiled.CompiledLoss.value_and_grad, shows="value_and_grad", batch=BATCH,
        params=a(None, fresh(lambda: np.array([3.0])), bad("str", ["a"]), bad("[None]", [None]),
        bad("[complex]", np.array([1j])), bad("float", 3.0), bad("object", object()),
        bad("empty", [], V), bad("two", [1.0, 2.0], V), bad("2-d", [[3.0]], V))),
    row("CompiledLoss.check", lambda: _plan().check, covers=compiled.CompiledLoss.check,
        shows="check", batch=BATCH, example=a("count0", 1, bad("out of range", 2, V))),
]  # fmt: skip

MATRIX = a(None, [[1.0, 2.0], [3.0, 4.0]], bad("None", None), bad("float", 1.0),
           bad("str", "ab"), bad("bytes", b"ab"), bad("[float]", [1.0, 2.0]),
           bad("[[None]]", [[None, 1.0], [1.0, 1.0]]), bad("[[str]]", [["a", 1.0], [1.0, 1.0]]),
           bad("empty", [], V), bad("ragged", [[1.0, 2.0], [1.0]], V),
           bad("object", object()))  # fmt: skip
LINALG = [
    row("transpose", lambda: linalg.transpose, covers=linalg.transpose, a=MATRIX),
    row("matmul", lambda: linalg.matmul, covers=linalg.matmul, a=MATRIX, b=MATRIX),
    row("matvec", lambda: linalg.matvec, covers=linalg.matvec, a=MATRIX,
        x=a(None, [1.0, 2.0], bad("None", None), bad("float", 1.0), bad("str", "ab"),
            bad("bytes", b"ab"), SHORT, bad("[None]", [None, 1.0]), bad("object", object()))),
    row("jacobian", lambda: linalg.jacobian, covers=linalg.jacobian,
        outputs=a("leaves", fresh(lambda: [_graph()])), inputs=a("leaves", fresh(_two))),
]  # fmt: skip

OPS = [
    row("register", lambda: ops.register, covers=ops.register,
        op=a(None, fresh(_op), bad("None", None), bad("str", "cube"), bad("taken", fresh(
            lambda: _op("tanh")), V), bad("selects='yes'", fresh(lambda: ops.Op(
                "sel_t", "s", 1, lambda x: x, lambda x, out: (1.0,), ("1",), selects="yes"))),
            bad("selects=1", fresh(lambda: ops.Op("sel_u", "s", 1, lambda x: x,
                                                  lambda x, out: (1.0,), ("1",), selects=1))),
            named=None)),
    row("unregister", lambda: ops.unregister, covers=ops.unregister,
        name=a(None, fresh(lambda: ops.register(_op("gone_t")).op.name), bad("None", None),
               bad("int", 3), bad("list", ["x"]), bad("unknown", "nope", V),
               bad("built-in", "tanh", V), named=None)),
    row("is_builtin", lambda: ops.is_builtin, covers=ops.is_builtin,
        op=a(None, ops.OPS["tanh"], bad("None", None), bad("str", "tanh"), bad("object", object()),
             named=None)),
    row("Primitive.__call__", lambda: ops.register(_op("cube_p")), covers=ops.Primitive.__call__,
        shows="cube_p", x=a("operand", 2.0, positional=True, named=None)),
]  # fmt: skip

RANKDIR = a("choice", "LR")
DIGITS = a("count", 4, bad("18", 18, V))
GRADS = a("choice", ".grad")


@functools.cache
def _players() -> tuple[object, object]:
    """A step-through and a training player, made once: saving changes neither."""
    return autograd.viz.step_through(_graph()), _record()


def _record(**changes: object) -> object:
    args: dict[str, object] = {"steps": 1, "grid": 4, **changes}
    return autograd.viz.record_training(_trainer(), ROWS_, TARGETS, **args)  # type: ignore[arg-type]


def _save_row(name: str, which: int, covers: object) -> Row:
    return row(name, lambda: _players()[which].save, covers=covers, shows=name,  # type: ignore[attr-defined]
               path=a("path", "player.svg", bad("suffix", "player.txt", V)),
               frame=a("count0", 0, bad("10**6", 10**6, V), skip="None -1"),  # -1: the last
               needs_dot=True)  # fmt: skip


VIZ = [
    row("draw_dot", lambda: autograd.viz.draw_dot, covers=autograd.viz.draw_dot,
        root=a("value", fresh(_graph)), rankdir=RANKDIR, show=a("choice", "data+grad"),
        edge_labels=a("flag", True), highlight=a(None, (), bad("str", "x"), bad("[float]", [1.0]),
                                                 bad("outside", fresh(lambda: [Value(3.0)]), V)),
        max_nodes=a("count", 100), clusters=FLAG_F,
        edge_colors=a(None, None, bad("str", "red"), bad("list", ["red"]),
                      bad("{1: 'red'}", {1: "red"}), bad("{'e0_0': 1}", {"e0_0": 1})),
        grads=GRADS, digits=DIGITS),
    row("count_paths", lambda: autograd.viz.count_paths, covers=autograd.viz.count_paths,
        output=a("value", fresh(_graph)), input=a("value", fresh(lambda: Value(1.0)))),
    row("explain_paths", lambda: autograd.viz.explain_paths, covers=autograd.viz.explain_paths,
        output=a("value", fresh(_graph)), input=a("value", fresh(lambda: Value(1.0))),
        limit=a("count", 10)),
    row("step_through", lambda: autograd.viz.step_through, covers=autograd.viz.step_through,
        root=a("value", fresh(_graph)), rankdir=RANKDIR, max_nodes=a("count", 100),
        grads=GRADS, digits=DIGITS, collapsed=FLAG_F, needs_dot=True),
    row("StepThrough", lambda: autograd.viz.StepThrough, covers=autograd.viz.StepThrough,
        root=a("value", fresh(_graph)), rankdir=RANKDIR,
        order=a(None, None, bad("str", "ab"), bad("[float]", [1.0]), bad("float", 1.0)),
        note=a("text", ""), digits=DIGITS, needs_dot=True),
    row("check_grads", lambda: autograd.viz.check_grads, covers=autograd.viz.check_grads,
        root=a("value", fresh(_graph)),
        order=a(None, None, bad("str", "ab"), bad("[float]", [1.0]), bad("float", 1.0))),
    row("record_training", lambda: autograd.viz.record_training,
        covers=autograd.viz.record_training,
        trainer=a(None, fresh(_trainer), bad("None", None), bad("model", fresh(_model)),
                  bad("object", object())),
        x=a("rows", ROWS_), y=TRAIN_Y, steps=a("count", 1, bad("10**6", 10**6, V)),
        example=a("count0", 0, bad("out of range", 2, V)),
        grid=a("count0", 4, bad("10**6", 10**6, V)), rankdir=RANKDIR,
        max_nodes=a("count", 100), max_frames=a("count", 1000), digits=DIGITS, needs_dot=True),
    _save_row("StepThrough.save", 0, autograd.viz.StepThrough.save),
    _save_row("TrainingPlayer.save", 1, autograd.viz.TrainingPlayer.save),
    row("label_parameters", lambda: autograd.viz.label_parameters,
        covers=autograd.viz.label_parameters, module=a("module", fresh(_model))),
]  # fmt: skip

ROWS: list[Row] = [*ENGINE, *NN, *MODULE_CALLS, *LOSSES, *OPTIM, *SCHEDULES, *TRAIN, *SERIALIZE,
                   *DATA, *TESTING, *COMPILED, *LINALG, *OPS, *VIZ]  # fmt: skip

# --- which callables need a row ------------------------------------------------------------------

MODULES = (
    autograd, autograd.nn, autograd.nn.init, autograd.losses, autograd.optim, autograd.schedules,
    autograd.train, autograd.serialize, autograd.files, autograd.data, autograd.testing,
    autograd.compiled, autograd.linalg, autograd.ops, autograd.viz,
)  # fmt: skip
"""The modules whose public callables the battery covers."""

EXTRA_NAMES = {autograd.testing: ["check_op", "assert_matches"]}  # loaded lazily: not in vars()
ONLY_NAMES = {autograd.ops: ["register", "unregister", "is_builtin", "Primitive"]}
"""Of ``autograd.ops`` only the registry: the rest is the math shim, called inside rules."""

EXEMPT: dict[object, str] = {
    autograd.nn.Neuron.fire: "the fast path of Layer, for inputs it has checked",
    autograd.nn.recurrent._Cell.step: "Unrolled's step; its inputs are checked as __call__'s",
    autograd.nn.Module.__call__: "abstract: every module's own __call__ has a row",
    autograd.nn.conv._Pool2d.pool: "the hook __call__ calls with the windows it cut",
    autograd.schedules.Schedule.rate: "the subclass hook __call__ calls after checking t",
    autograd.schedules.Schedule: "abstract: its subclasses have rows",
    autograd.ops.Op: "a record: register() checks every field, and a row is used once registered",
    autograd.ops.Domain: "a record inside an Op: register() checks it",
    autograd.ops.Primitive: "made by register(), which checks its op",
    autograd.train.EpochRecord: "a record fit() fills in",
    autograd.train.History: "a record fit() fills in",
    autograd.testing.Mismatch: "a record gradcheck() fills in",
    autograd.testing.GradcheckReport: "a record gradcheck() fills in",
    autograd.testing.assert_matches: "Hypothesis checks its strategy and settings",
    autograd.viz.PathExplanation: "a record explain_paths() fills in (its methods read it)",
    autograd.viz.PathExplanation.name: "reads a node of its own explanation",
    autograd.viz.PathExplanation.path_text: "reads a path of its own explanation",
    autograd.viz.PathExplanation.draw: "passes its keywords to draw_dot, which has a row",
    autograd.viz.TrainingPlayer: "made by record_training, which checks every argument",
}
"""Public callables without a row, and why (exception classes need none)."""


def _has_parameters(fn: object) -> bool:
    try:
        parameters = inspect.signature(fn).parameters  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False
    return any(name != "self" for name in parameters)


def _own_methods(cls: type) -> Iterator[tuple[str, object, tuple[object, ...]]]:
    """The methods a class defines or inherits from a private base, with those they override."""
    for base in cls.__mro__:
        if (
            base is not cls and not base.__name__.startswith("_")
        ) or not base.__module__.startswith("autograd"):
            continue
        for name, member in vars(base).items():
            public = not name.startswith("_") or name == "__call__"
            if public and inspect.isfunction(member) and _has_parameters(member):
                overridden = tuple(vars(b)[name] for b in cls.__mro__ if name in vars(b))
                yield name, member, overridden


def _public_names(module: types.ModuleType) -> list[str]:
    names = getattr(module, "__all__", None) or [
        n for n, obj in vars(module).items()
        if not n.startswith("_") and getattr(obj, "__module__", "").startswith(module.__name__)
    ]  # fmt: skip
    names = [*names, *EXTRA_NAMES.get(module, [])]
    return [n for n in names if n in ONLY_NAMES.get(module, names)]


def _members(name: str, obj: object) -> Iterator[tuple[str, object, tuple[object, ...]]]:
    """A function, or a class and its methods, as ``(name, callable, what else covers it)``."""
    if not inspect.isclass(obj):
        if _has_parameters(obj):
            yield name, obj, ()
        return
    if issubclass(obj, BaseException):
        return
    if _has_parameters(obj):
        yield name, obj, ()
    for attr, method, overridden in _own_methods(obj):
        yield f"{name}.{attr}", method, overridden


def public_callables() -> Iterator[tuple[str, object, tuple[object, ...]]]:
    """Every public function, class and method of :data:`MODULES` that takes arguments.

    Each comes with what else covers it: a method the row (or exemption) of the method it
    overrides (``Schedule.rate`` covers every schedule's ``rate``).
    """
    seen: set[int] = set()
    for module in MODULES:
        for name in _public_names(module):
            obj = getattr(module, name)
            if isinstance(obj, types.ModuleType) or not callable(obj):
                continue
            for found, member, overridden in _members(f"{module.__name__}.{name}", obj):
                if id(member) not in seen:
                    seen.add(id(member))
                    yield found, member, overridden


# --- the tests ------------------------------------------------------------------------------------

HAVE_DOT = shutil.which("dot") is not None


def test_every_public_callable_has_a_row() -> None:
    """A public callable that takes arguments has a row, or a reason in EXEMPT not to."""
    covered = {id(r.covers) for r in ROWS} | {id(x) for x in EXEMPT}
    missing = [
        name
        for name, obj, overridden in public_callables()
        if not {id(obj), *map(id, overridden)} & covered
    ]
    assert not missing, f"public callables without a battery row: {missing}"


def test_rows_are_uniquely_named() -> None:
    ids = [r.id for r in ROWS]
    assert len(ids) == len(set(ids))


def _check_row(r: Row, folder: Path) -> list[str]:
    with in_folder(folder):
        if r.needs_dot and not HAVE_DOT:
            pytest.skip("needs Graphviz's dot")
        with same_table():
            call(r, r.target(), {x.name: x.make() for x in r.args})  # the valid call works
        return [
            f"{arg.name} = {b.label}: {found}"
            for arg, b in r.substitutions()
            if (found := verdict(r, arg, b)) != "ok"
        ]


@pytest.mark.parametrize("r", ROWS, ids=[r.id for r in ROWS])
def test_bad_arguments_are_refused_by_name_before_anything_changes(r: Row, tmp_path: Path) -> None:
    """Each wrong kind is a TypeError, each wrong value a ValueError, named; nothing changes."""
    failures = _check_row(r, tmp_path)
    assert not failures, f"{r.id}:\n  " + "\n  ".join(failures)


# --- random wrong values, drawn by Hypothesis (derandomized in CI by the profile) -----------------

FUZZ: dict[str, st.SearchStrategy[tuple[object, type[Exception]]]] = {
    "count": st.one_of(
        st.tuples(st.integers(max_value=0), st.just(V)),
        st.tuples(
            st.floats()
            | st.text()
            | st.binary()
            | st.complex_numbers()
            | st.booleans()
            | st.none()
            | st.lists(st.integers(), max_size=2),
            st.just(T),
        ),
    ),
    "size": st.one_of(
        st.tuples(st.integers(max_value=0) | st.integers(min_value=10**7 + 1), st.just(V)),
        st.tuples(st.floats() | st.text() | st.booleans() | st.none(), st.just(T)),
    ),
    "real": st.one_of(
        st.tuples(st.sampled_from([math.nan, math.inf, -math.inf]), st.just(V)),
        st.tuples(
            st.text()
            | st.binary()
            | st.complex_numbers()
            | st.booleans()
            | st.none()
            | st.lists(st.floats(), max_size=2),
            st.just(T),
        ),
    ),
    "positive": st.one_of(
        st.tuples(st.floats(max_value=0.0) | st.integers(max_value=0), st.just(V)),
        st.tuples(st.text() | st.booleans() | st.none(), st.just(T)),
    ),
    "non_negative": st.one_of(
        st.tuples(st.floats(max_value=-1e-300) | st.integers(max_value=-1), st.just(V)),
        st.tuples(st.text() | st.booleans() | st.none(), st.just(T)),
    ),
    "probability": st.one_of(
        st.tuples(
            st.floats(min_value=1.0, exclude_min=True)
            | st.floats(max_value=-1e-300)
            | st.integers(min_value=2),
            st.just(V),
        ),
        st.tuples(st.text() | st.booleans() | st.none(), st.just(T)),
    ),
    "flag": st.tuples(
        st.integers() | st.floats() | st.text() | st.none() | st.lists(st.booleans(), max_size=2),
        st.just(T),
    ),
    "choice": st.one_of(
        st.tuples(st.text().filter(lambda s: s not in {"relu", "mean", "LR"}), st.just(V)),
        st.tuples(st.integers() | st.floats() | st.binary() | st.none(), st.just(T)),
    ),
    "path": st.tuples(
        st.integers() | st.floats() | st.binary() | st.none() | st.lists(st.text(), max_size=2),
        st.just(T),
    ),
    "seed": st.one_of(
        st.tuples(st.integers(max_value=-1), st.just(V)),
        st.tuples(st.floats() | st.text() | st.binary() | st.booleans(), st.just(T)),
    ),
}
"""Random wrong values of some kinds, each with the error it must raise."""


def _kind_label(value: object) -> str:
    """The label of WRONG_KINDS a drawn value falls under ("None", "float", ...)."""
    return "None" if value is None else type(value).__name__


def _rows_with(kind_name: str) -> list[tuple[Row, Arg]]:
    return [(r, x) for r in ROWS for x in r.args if x.kind == kind_name and not r.needs_dot]


@pytest.mark.parametrize("kind_name", list(FUZZ))
@given(data=st.data())
def test_random_wrong_values_are_refused_by_name(
    kind_name: str, data: st.DataObject, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """A drawn wrong value of an argument of that kind raises the right error, named."""
    candidates = _rows_with(kind_name)
    index = data.draw(st.integers(0, len(candidates) - 1), label="row")
    r, arg = candidates[index]
    note(f"{r.id}: {arg.name}")
    value, error = data.draw(FUZZ[kind_name], label="bad value")
    assume(_kind_label(value) not in arg.skip)  # a None that the argument takes, say
    b = Bad(repr(value), lambda: value, error)
    with in_folder(tmp_path_factory.mktemp("fuzz")):
        found = verdict(r, arg, b)
    assert found == "ok", f"{r.id}: {arg.name} = {value!r}: {found}"


def test_every_kind_is_tried() -> None:
    used = {x.kind for r in ROWS for x in r.args} - {None}
    assert used <= set(KINDS)


def counts(rows: list[Row]) -> Counter[str]:
    """The verdicts of every substitution of every row, by kind of verdict."""
    tally: Counter[str] = Counter()
    for r in rows:
        if r.needs_dot and not HAVE_DOT:
            continue
        for arg, b in r.substitutions():
            with tempfile.TemporaryDirectory() as folder, in_folder(folder):
                detail = verdict(r, arg, b)
            found = detail.split(":", 1)[0]
            tally[found] += 1
            if found != "ok":
                sys.stdout.write(f"{found:10} {r.id}: {arg.name} = {b.label}: {detail[:160]}\n")
    return tally


if __name__ == "__main__":
    total = counts(ROWS)
    sys.stdout.write(f"tried {sum(total.values())}: {dict(total)}\n")
