"""Trainer: one step equals the hand-written loop, smoothing, history, accuracy, clean Ctrl-C."""

from __future__ import annotations

import math
import signal
from typing import Any

import numpy as np
import pytest

from autograd import Value
from autograd.compiled import DataDependentGraphError
from autograd.data import batches, load_digits, make_moons
from autograd.losses import binary_cross_entropy, cross_entropy, hinge, l2, mse
from autograd.nn import MLP, Layer, Module, Neuron
from autograd.optim import SGD, Adam
from autograd.schedules import Linear
from autograd.train import Trainer, correct_for, default_correct, probability_correct

X_LINE = np.array([[0.0], [1.0], [2.0], [3.0], [4.0], [5.0]])
Y_LINE = 2.0 * X_LINE[:, 0] - 1.0  # y = 2x - 1


def linear_model() -> MLP:
    return MLP(1, [1], seed=0)


def test_train_step_equals_the_hand_written_loop_and_plain_float_arithmetic() -> None:
    """One train_step is zero_grad, backward of the batch mean loss, and one optimizer step.

    The loop written out with the engine is a consistency check; the same step in plain
    floats (no engine) is the independent oracle.
    """
    a, b = linear_model(), linear_model()
    w0, b0 = (p.data for p in a.parameters())
    trainer = Trainer(a, SGD(a.parameters(), lr=0.05), mse, progress=False)
    loss = trainer.train_step(X_LINE[:3].tolist(), Y_LINE[:3].tolist())
    # the same step by hand
    manual = sum((b(x) - t) ** 2 for x, t in zip(X_LINE[:3].tolist(), Y_LINE[:3], strict=True)) / 3
    manual.backward()  # type: ignore[union-attr]
    for p in b.parameters():
        p.data -= 0.05 * p.grad
    assert loss == pytest.approx(manual.data, rel=1e-15)  # type: ignore[union-attr]
    assert [p.data for p in a.parameters()] == pytest.approx(
        [p.data for p in b.parameters()], rel=1e-15
    )
    # the same step in plain floats, no engine: e_i = w x_i + b - t_i on x = 0, 1, 2,
    # t = -1, 1, 3; L = mean e^2, dL/dw = (2/3) sum e_i x_i, dL/db = (2/3) sum e_i
    errors = [w0 * x + b0 - t for x, t in [(0.0, -1.0), (1.0, 1.0), (2.0, 3.0)]]
    assert loss == pytest.approx(math.fsum(e * e for e in errors) / 3, rel=1e-14)
    d_w = 2 / 3 * math.fsum(e * x for e, x in zip(errors, [0.0, 1.0, 2.0], strict=True))
    d_b = 2 / 3 * math.fsum(errors)
    assert [p.data for p in a.parameters()] == pytest.approx(
        [w0 - 0.05 * d_w, b0 - 0.05 * d_b], rel=1e-14
    )


def test_fit_learns_a_line_and_keeps_a_history() -> None:
    """fit runs epochs of mini-batches: the loss falls and every step and epoch is recorded."""
    model = linear_model()
    trainer = Trainer(model, SGD(model.parameters(), lr=0.02), mse, batch_size=4, progress=False)
    history = trainer.fit(X_LINE, Y_LINE, epochs=300)
    assert len(history.epochs) == 300
    assert len(history.step_losses) == 300 * 2  # 6 rows in batches of 4: 2 steps per epoch
    assert not history.interrupted
    assert history.epochs[-1].loss < 1e-3 < history.epochs[0].loss
    w, b = (p.data for p in model.parameters())
    assert (w, b) == pytest.approx((2.0, -1.0), abs=0.02)


def test_smoothed_loss_follows_its_recurrence() -> None:
    """The bar's running loss is Q = lam * eps + (1 - lam) * Q, starting at the first loss.

    The recurrence re-typed is the implementation's own line; its unrolled sum is the oracle.
    """
    model = linear_model()
    trainer = Trainer(
        model, SGD(model.parameters(), lr=0.01), mse, batch_size=2, smoothing=0.3, progress=False
    )
    history = trainer.fit(X_LINE, Y_LINE, epochs=2)
    q = history.step_losses[0]
    for eps in history.step_losses[1:]:
        q = 0.3 * eps + 0.7 * q
    assert history.epochs[-1].smoothed_loss == pytest.approx(q, rel=1e-15)
    # the recurrence unrolled, a different form: Q_n = 0.7^(n-1) eps_1 + sum_k 0.3 0.7^(n-k) eps_k
    losses = history.step_losses
    n = len(losses)
    unrolled = math.fsum(
        [0.7 ** (n - 1) * losses[0]]
        + [0.3 * 0.7 ** (n - k) * losses[k - 1] for k in range(2, n + 1)]
    )
    assert history.epochs[-1].smoothed_loss == pytest.approx(unrolled, rel=1e-14)
    assert history.epochs[0].loss == pytest.approx(np.mean(history.step_losses[:3]), rel=1e-15)


def test_an_epoch_of_inf_and_minus_inf_losses_records_nan_silently() -> None:
    """The epoch's loss is the mean of its steps' losses: inf and -inf give nan, as floats
    add, with no RuntimeWarning (this suite turns warnings into errors)."""
    n = Neuron(1, activation="linear", init="zeros")
    n.w[0].data = math.inf  # w * x * t: inf for t = 1, -inf for t = -1
    loss = lambda out, t: out * t  # noqa: E731
    trainer = Trainer(n, SGD(n.parameters(), lr=0.0), loss, batch_size=1, progress=False)
    history = trainer.fit(np.array([[1.0], [1.0]]), np.array([1.0, -1.0]), epochs=1)
    assert history.step_losses == [math.inf, -math.inf]
    assert math.isnan(history.epochs[0].loss)


def test_penalty_is_added_to_the_batch_loss() -> None:
    """batch_loss = mean example loss + penalty()."""
    model = MLP(1, [1], init="constant", value=2.0)
    trainer = Trainer(
        model,
        SGD(model.parameters(), lr=0.1),
        mse,
        penalty=lambda: l2(model.parameters(), 0.5),
        progress=False,
    )
    # prediction 2 * 1 + 0 = 2 against 0: mse 4; penalty 0.5 * (2^2 + 0^2) = 2
    assert trainer.batch_loss([[1.0]], [0.0]).data == 6.0


def test_default_correct_for_classes_and_signs() -> None:
    """argmax for a list of scores; sign agreement for a single score."""
    assert default_correct([Value(0.1), Value(0.9), Value(0.3)], 1)
    assert not default_correct([Value(0.1), Value(0.9), Value(0.3)], 2)
    assert default_correct(Value(0.2), 1.0)
    assert default_correct(Value(-0.2), 0)
    assert not default_correct(Value(-0.2), 1)


def test_a_sigmoid_output_is_thresholded_at_one_half() -> None:
    """A probability output with 0/1 labels: 0.12 is class 0, 0.88 class 1 (not 'both > 0')."""
    model = MLP(1, [1], output_activation="sigmoid", init="constant", value=1.0)  # sigmoid(x)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.0), binary_cross_entropy)
    assert trainer.correct is probability_correct
    x, y = [[-2.0], [-0.5], [0.5], [2.0]], [0, 0, 1, 1]
    assert trainer.accuracy(x, y) == 1.0
    assert trainer.accuracy(x, [1, 0, 1, 0]) == 0.5  # outputs 0.12, 0.38, 0.62, 0.88
    # the old rule (sign at 0) would call every probability class 1
    assert [default_correct(out, t) for out, t in zip(trainer.predict(x), y, strict=True)] == [
        False,
        False,
        True,
        True,
    ]
    assert probability_correct(Value(0.5), 0)  # 0.5 is not > 0.5: class 0
    assert not probability_correct(Value(0.5), 1)


def test_correct_for_reads_the_last_activation() -> None:
    """sigmoid last (MLP output, Layer, Neuron) means probabilities; anything else scores."""
    assert correct_for(MLP(2, [3, 1], output_activation="sigmoid")) is probability_correct
    assert correct_for(MLP(2, [3, 1], activation="sigmoid")) is default_correct  # hidden only
    assert correct_for(Layer(2, 1, "sigmoid")) is probability_correct
    assert correct_for(Neuron(2, "sigmoid")) is probability_correct
    assert correct_for(Neuron(2, "tanh")) is default_correct
    model = MLP(1, [1], output_activation="sigmoid")
    always = Trainer(model, SGD(model.parameters(), lr=0.1), mse, correct=lambda out, t: True)
    assert always.accuracy([[1.0], [2.0]], [0, 0]) == 1.0  # an explicit rule wins


def test_accuracy_and_validation_history() -> None:
    """accuracy counts correct predictions; fit records validation accuracy per epoch."""
    model = MLP(1, [1], activation="linear", init="constant", value=1.0)  # score = x
    trainer = Trainer(model, SGD(model.parameters(), lr=0.0), hinge, progress=False)
    x = np.array([[-2.0], [-1.0], [1.0], [3.0]])
    assert trainer.accuracy(x, [-1, 1, 1, 1]) == 0.75
    history = trainer.fit(x, [-1, -1, 1, 1], epochs=1, validation=(x, [-1, 1, 1, 1]))
    assert history.epochs[0].val_accuracy == 0.75


def test_progress_bar_shows_the_smoothed_loss(capsys: pytest.CaptureFixture[str]) -> None:
    """With progress=True a tqdm bar reports the running loss on stderr."""
    model = linear_model()
    Trainer(model, SGD(model.parameters(), lr=0.01), mse, batch_size=3).fit(X_LINE, Y_LINE, 2)
    err = capsys.readouterr().err
    assert "loss=" in err
    assert "4/4" in err


class Interrupting:
    """An mse loss that sends itself SIGINT (Ctrl-C) during the given call."""

    def __init__(self, at_call: int, raise_directly: bool = False) -> None:
        self.calls = 0
        self.at_call = at_call
        self.raise_directly = raise_directly

    def __call__(self, output: Any, target: Any) -> Value:
        self.calls += 1
        if self.calls == self.at_call:
            if self.raise_directly:
                raise KeyboardInterrupt
            signal.raise_signal(signal.SIGINT)
        return mse(output, target)


def test_ctrl_c_finishes_the_step_then_stops_cleanly() -> None:
    """SIGINT during step 3 lets step 3 finish, then fit returns with interrupted=True."""
    model, reference = linear_model(), linear_model()
    loss = Interrupting(at_call=5)  # batch_size 2: calls 5 and 6 belong to step 3
    trainer = Trainer(model, SGD(model.parameters(), lr=0.01), loss, batch_size=2, progress=False)
    history = trainer.fit(X_LINE, Y_LINE, epochs=10)
    assert history.interrupted
    assert trainer.optimizer.steps == 3
    assert len(history.step_losses) == 3
    # the model holds exactly the parameters of three ordinary steps
    ref = Trainer(
        reference, SGD(reference.parameters(), lr=0.01), mse, batch_size=2, progress=False
    )
    for ix in batches(6, 2, seed=0):  # the trainer's first epoch draws this same order
        ref.train_step(X_LINE[ix].tolist(), Y_LINE[ix].tolist())
    assert [p.data for p in model.parameters()] == [p.data for p in reference.parameters()]
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def reference_steps(steps: int, lr: float = 0.01) -> tuple[list[float], list[float]]:
    """Parameters and step losses of linear_model after `steps` SGD steps, batches of 2."""
    model = linear_model()
    trainer = Trainer(model, SGD(model.parameters(), lr=lr), mse, batch_size=2, progress=False)
    rng = np.random.default_rng(0)  # the trainer's shuffling: a fresh order each epoch
    losses: list[float] = []
    while len(losses) < steps:
        for ix in batches(6, 2, seed=rng):
            if len(losses) == steps:
                break
            losses.append(trainer.train_step(X_LINE[ix].tolist(), Y_LINE[ix].tolist()))
    return [p.data for p in model.parameters()], losses


class SGDInterruptedAt(SGD):
    """SGD that receives Ctrl-C while computing the update of its `at`-th step (0-based)."""

    def __init__(self, params: list[Value], lr: float, at: int) -> None:
        super().__init__(params, lr=lr)
        self.at = at
        self.updates = 0

    def _update(self, param: Any, grad: Any, state: Any, lr: float) -> Any:
        if self.updates == self.at:
            signal.raise_signal(signal.SIGINT)
        self.updates += 1
        return super()._update(param, grad, state, lr)


def test_second_ctrl_c_inside_the_optimizer_step_completes_that_step() -> None:
    """Ctrl-C in step 3's forward, then again inside its optimizer update: step 3 is whole.

    The second press used to raise at once: the weight of step 3 updated, the bias not, and
    optimizer.steps still 2.
    """
    model = linear_model()
    optimizer = SGDInterruptedAt(model.parameters(), lr=0.01, at=2)  # update 2 is step 3's
    trainer = Trainer(model, optimizer, Interrupting(at_call=5), batch_size=2, progress=False)
    history = trainer.fit(X_LINE, Y_LINE, epochs=10)
    assert history.interrupted
    assert optimizer.steps == 3
    assert optimizer.updates == 3
    assert ([p.data for p in model.parameters()], history.step_losses) == reference_steps(3)
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler


def test_an_epoch_cut_short_is_recorded_as_interrupted() -> None:
    """Ctrl-C in epoch 2's second step: epochs = [1, 2 (interrupted, mean of its 2 steps)]."""
    model = linear_model()
    loss = Interrupting(at_call=9)  # 3 steps of 2 examples per epoch: call 9 is in step 5
    trainer = Trainer(model, SGD(model.parameters(), lr=0.01), loss, batch_size=2, progress=False)
    history = trainer.fit(X_LINE, Y_LINE, epochs=4, validation=(X_LINE, Y_LINE))
    assert history.interrupted
    assert len(history.step_losses) == 5
    assert [(r.epoch, r.interrupted) for r in history.epochs] == [(1, False), (2, True)]
    first, second = history.epochs
    assert first.loss == pytest.approx(np.mean(history.step_losses[:3]), rel=1e-15)
    assert second.loss == pytest.approx(np.mean(history.step_losses[3:]), rel=1e-15)
    assert first.val_accuracy is not None
    assert second.val_accuracy is None  # its evaluation never ran
    assert ([p.data for p in model.parameters()], history.step_losses) == reference_steps(5)


class InterruptingCorrect:
    """An accuracy rule that sends Ctrl-C during its first call (an evaluation)."""

    def __init__(self) -> None:
        self.calls = 0

    def __call__(self, output: Any, target: Any) -> bool:
        self.calls += 1
        if self.calls == 1:
            signal.raise_signal(signal.SIGINT)
        return default_correct(output, target)


@pytest.mark.parametrize("epochs", [1, 3])
def test_ctrl_c_during_evaluation_stops_right_after_it(epochs: int) -> None:
    """Ctrl-C while evaluating epoch 1: no step of epoch 2, and not lost in the last epoch."""
    model = linear_model()
    trainer = Trainer(
        model,
        SGD(model.parameters(), lr=0.01),
        mse,
        batch_size=2,
        correct=InterruptingCorrect(),
        progress=False,
    )
    history = trainer.fit(X_LINE, Y_LINE, epochs=epochs, validation=(X_LINE, Y_LINE))
    assert history.interrupted
    assert trainer.optimizer.steps == 3
    assert [(r.epoch, r.interrupted) for r in history.epochs] == [(1, False)]
    assert history.epochs[0].val_accuracy is not None  # the evaluation finished
    assert ([p.data for p in model.parameters()], history.step_losses) == reference_steps(3)


def test_keyboard_interrupt_mid_batch_leaves_last_completed_step() -> None:
    """A KeyboardInterrupt inside a forward pass leaves the parameters of the step before."""
    model = linear_model()
    trainer = Trainer(
        model,
        SGD(model.parameters(), lr=0.01),
        Interrupting(at_call=3, raise_directly=True),
        batch_size=2,
        progress=False,
    )
    before_second_step: list[float] = []
    original = trainer.train_step

    def recording_step(xs: Any, ys: Any) -> float:
        before_second_step[:] = [p.data for p in model.parameters()]
        return original(xs, ys)

    trainer.train_step = recording_step  # type: ignore[method-assign]
    history = trainer.fit(X_LINE, Y_LINE, epochs=5)
    assert history.interrupted
    assert trainer.optimizer.steps == 1
    assert [p.data for p in model.parameters()] == before_second_step
    assert all(p.grad == 0.0 for p in model.parameters())


def test_moons_demo_matches_micrograd_step_for_step() -> None:
    """micrograd's moons recipe and ours give the same losses from the same weights and points."""
    engine = pytest.importorskip("micrograd.engine")
    micrograd_nn = pytest.importorskip("micrograd.nn")
    import random

    random.seed(1337)
    theirs = micrograd_nn.MLP(2, [16, 16, 1])
    ours = MLP(2, [16, 16, 1], seed=0)
    for p, q in zip(ours.parameters(), theirs.parameters(), strict=True):
        p.data = q.data
    x, labels = make_moons(40, noise=0.1, seed=1337)
    y = (labels * 2 - 1).tolist()
    trainer = Trainer(
        ours,
        SGD(ours.parameters(), lr=Linear(1.0, 0.1, steps=100)),
        hinge,
        batch_size=None,
        penalty=lambda: l2(ours.parameters(), 1e-4),
        progress=False,
    )
    for k in range(3):
        # micrograd's demo.ipynb loss() and update, verbatim in spirit
        inputs = [list(map(engine.Value, xrow)) for xrow in x.tolist()]
        scores = list(map(theirs, inputs))
        losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores, strict=True)]
        data_loss = sum(losses) * (1.0 / len(losses))
        reg_loss = 1e-4 * sum(p * p for p in theirs.parameters())
        total = data_loss + reg_loss
        theirs.zero_grad()
        total.backward()
        for p in theirs.parameters():
            p.data -= (1.0 - 0.9 * k / 100) * p.grad
        ours_loss = trainer.train_step(x.tolist(), y)
        # micrograd adds left to right, we sum with one correctly rounded n-ary node
        assert ours_loss == pytest.approx(total.data, rel=1e-12)
    assert [p.data for p in ours.parameters()] == pytest.approx(
        [p.data for p in theirs.parameters()], rel=1e-9, abs=1e-12
    )


def test_digits_subset_learns_quickly() -> None:
    """A linear 64-10 softmax classifier fits 300 digits to > 90 % accuracy in 3 epochs."""
    x, y = load_digits()
    x, y = x[:300], y[:300]
    model = MLP(64, [10], init="xavier_uniform", seed=0)
    trainer = Trainer(
        model, Adam(model.parameters(), lr=0.05), cross_entropy, batch_size=30, progress=False
    )
    history = trainer.fit(x, y, epochs=3, train_accuracy=True)
    assert history.epochs[-1].train_accuracy is not None
    assert history.epochs[-1].train_accuracy > 0.9
    assert history.epochs[-1].loss < history.epochs[0].loss


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"smoothing": 0.0}, ValueError, r"smoothing must be in \(0, 1\], got 0.0"),
        ({"smoothing": 1.5}, ValueError, r"smoothing must be in \(0, 1\], got 1.5"),
        ({"batch_size": 0}, ValueError, r"Trainer: batch_size must be an int >= 1, got 0"),
        ({"batch_size": -3}, ValueError, r"Trainer: batch_size must be an int >= 1, got -3"),
        ({"batch_size": 2.5}, TypeError, r"Trainer: batch_size must be an int >= 1, got float"),
    ],
)
def test_trainer_rejects_bad_settings(kwargs: dict[str, Any], error: type, message: str) -> None:
    """Bad settings raise naming the setting."""
    model = linear_model()
    with pytest.raises(error, match=message):
        Trainer(model, SGD(model.parameters(), lr=0.1), mse, progress=False, **kwargs)


def test_trainer_rejects_wrong_objects_and_data() -> None:
    """A non-module, a non-optimizer, mismatched data and zero epochs raise clearly."""
    model = linear_model()
    opt = SGD(model.parameters(), lr=0.1)
    with pytest.raises(TypeError, match=r"model must be an autograd.nn.Module"):
        Trainer(lambda x: x, opt, mse)  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"optimizer must be an autograd.optim.Optimizer"):
        Trainer(model, "sgd", mse)  # type: ignore[arg-type]
    trainer = Trainer(model, opt, mse, progress=False)
    with pytest.raises(ValueError, match=r"x has 6 rows and y has 5"):
        trainer.fit(X_LINE, Y_LINE[:5], epochs=1)
    with pytest.raises(ValueError, match=r"fit: epochs must be an int >= 1, got 0"):
        trainer.fit(X_LINE, Y_LINE, epochs=0)
    assert math.isfinite(trainer.batch_loss([[1.0]], [1.0]).data)


def _fit_twice(
    make_model: Any,
    make_optimizer: Any,
    loss: Any,
    x: Any,
    y: Any,
    penalty: bool = False,
    **kwargs: Any,
) -> tuple[tuple[np.ndarray, list[float]], tuple[np.ndarray, list[float]]]:
    """Train two identical models, scalar and compiled: (parameters, step losses) of each."""
    runs = []
    for compiled in (False, True):
        model = make_model()
        trainer = Trainer(
            model,
            make_optimizer(model.parameters()),
            loss,
            progress=False,
            compile=compiled,
            penalty=(lambda m=model: l2(m.parameters(), 1e-3)) if penalty else None,
            **kwargs,
        )
        history = trainer.fit(x, y, epochs=2)
        runs.append((np.array([p.data for p in model.parameters()]), history.step_losses))
    return runs[0], runs[1]


def assert_same_training(scalar: Any, compiled: Any) -> None:
    (p_scalar, l_scalar), (p_compiled, l_compiled) = scalar, compiled
    np.testing.assert_allclose(l_compiled, l_scalar, rtol=1e-12)
    np.testing.assert_allclose(p_compiled, p_scalar, rtol=1e-12, atol=1e-15)


def test_compiled_training_equals_scalar_training_on_digits() -> None:
    """compile=True and False take the same Adam steps on 96 digits: parameters equal to 1e-12."""
    x, y = load_digits()
    x, y = x[:96], y[:96]
    scalar, compiled = _fit_twice(
        lambda: MLP(64, [12, 10], init="he_uniform", seed=0),
        lambda params: Adam(params, lr=0.01),
        cross_entropy,
        x,
        y,
        batch_size=32,
        penalty=True,
    )
    assert len(scalar[1]) == 2 * 3  # 2 epochs of 3 batches
    assert scalar[1][-1] < scalar[1][0]  # it trains: the same batches, the loss fell
    assert_same_training(scalar, compiled)
    start = MLP(64, [12, 10], init="he_uniform", seed=0).parameters()
    assert np.max(np.abs(compiled[0] - [p.data for p in start])) > 1e-3  # parameters moved


def test_compiled_training_equals_scalar_on_moons_with_hinge_and_l2() -> None:
    """micrograd's moons recipe (hinge, +-1 int labels, L2, full batch) compiled equals scalar."""
    x, labels = make_moons(40, noise=0.1, seed=1337)
    scalar, compiled = _fit_twice(
        lambda: MLP(2, [16, 16, 1], seed=0),
        lambda params: SGD(params, lr=Linear(1.0, 0.1, steps=100), momentum=0.9),
        hinge,
        x,
        labels * 2 - 1,
        batch_size=None,
        penalty=True,
    )
    assert_same_training(scalar, compiled)


def test_compiled_training_equals_scalar_on_a_regression() -> None:
    """Float targets with mse arrive as one Value per example: the same steps as the scalar path."""
    scalar, compiled = _fit_twice(
        lambda: MLP(1, [4, 1], activation="tanh", seed=3),
        lambda params: SGD(params, lr=0.05),
        mse,
        X_LINE,
        Y_LINE,
        batch_size=4,
    )
    assert_same_training(scalar, compiled)


def test_compiled_step_mean_of_loss_plus_penalty_is_the_batch_loss() -> None:
    """mean(l_i + P) = mean(l_i) + P: the compiled step's loss is batch_loss's, gradients too."""
    x, y = load_digits()
    model = MLP(64, [10], seed=1)
    trainer = Trainer(
        model,
        SGD(model.parameters(), lr=0.0),  # lr 0: the step leaves the parameters, keeps .grad
        cross_entropy,
        penalty=lambda: l2(model.parameters(), 0.5),
        compile=True,
        check_every=1,
        progress=False,
    )
    scalar = trainer.batch_loss(x[:7].tolist(), y[:7].tolist())
    scalar.backward()
    expected = [p.grad for p in model.parameters()]
    loss = trainer.train_step(x[:7].tolist(), y[:7].tolist())
    assert loss == pytest.approx(scalar.data, rel=1e-12)
    assert [p.grad for p in model.parameters()] == pytest.approx(expected, rel=1e-12, abs=1e-15)
    assert trainer.plan is not None
    assert trainer.plan.checks == 1  # check_every=1 reached the plan


def test_compile_refuses_active_dropout_up_front() -> None:
    """A dropout mask traced once would be every example's: compile=True raises at once."""
    model = MLP(4, [8, 8, 2], dropout=0.25, seed=0)
    with pytest.raises(ValueError, match=r"compile=True cannot train a model with active dropout"):
        Trainer(model, SGD(model.parameters(), lr=0.1), cross_entropy, compile=True)
    plain = MLP(4, [8, 2], seed=0)  # no dropout: accepted
    assert Trainer(plain, SGD(plain.parameters(), lr=0.1), cross_entropy, compile=True).compile


def test_compile_rejects_a_class_index_outside_the_outputs() -> None:
    """A label >= the model's number of outputs names the label and the valid range."""
    model = MLP(2, [3], seed=0)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), cross_entropy, compile=True)
    with pytest.raises(
        ValueError, match=r"target 3 is not a class index .* 3 outputs \(must be 0..2\)"
    ):
        trainer.train_step([[0.0, 1.0], [1.0, 0.0]], [0, 3])


def test_compiled_step_refuses_a_data_dependent_loss_and_keeps_the_parameters() -> None:
    """A Python `if` on .data in the loss is caught by the plan's check, before any update."""
    compiled_mod = pytest.importorskip("autograd.compiled")

    def branchy(output: Any, target: Any) -> Value:
        return (output - target) ** 2 if output.data > 0 else (output - target).abs()

    model = MLP(1, [1], activation="linear", init="constant", value=1.0)
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), branchy, compile=True, check_every=1)
    trainer.train_step([[1.0], [2.0]], [0.0, 0.0])  # every output > 0: the traced branch
    # worked: d/dw mean((w x)^2) = 2 w mean(x^2) = 5, d/db = 2 mean(w x) = 3, lr 0.1
    assert [p.data for p in model.parameters()] == pytest.approx([0.5, -0.3], rel=1e-15)
    with pytest.raises(compiled_mod.DataDependentGraphError):
        trainer.train_step([[-5.0], [-5.0]], [0.0, 0.0])  # outputs < 0: the other branch
    assert [p.data for p in model.parameters()] == pytest.approx([0.5, -0.3], rel=1e-15)


def test_batch_size_takes_numpy_ints() -> None:
    """np.int64(4) is a batch size like 4: 6 rows give 2 steps per epoch."""
    model = linear_model()
    trainer = Trainer(
        model, SGD(model.parameters(), lr=0.01), mse, batch_size=np.int64(4), progress=False
    )
    assert len(trainer.fit(X_LINE, Y_LINE, epochs=2).step_losses) == 4


class CountingMLP(MLP):
    """An MLP that counts its forward passes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.calls = 0

    def __call__(self, x: Any) -> Any:
        self.calls += 1
        return super().__call__(x)


def test_compiled_steps_learn_the_output_width_once() -> None:
    """After the first compiled step (width + trace) no step runs the scalar model again."""
    model = CountingMLP(3, [4, 5], seed=0)
    trainer = Trainer(
        model,
        SGD(model.parameters(), lr=0.1),
        cross_entropy,
        compile=True,
        check_every=0,  # no structure checks: those run the scalar model on purpose
        progress=False,
    )
    x, y = np.arange(12.0).reshape(4, 3) / 12, np.array([0, 4, 2, 1])
    trainer.train_step(x, y)
    first = model.calls  # learning the width and tracing the loss (compile_loss's business)
    assert first >= 2
    for _ in range(3):
        trainer.train_step(x, y)
    assert model.calls == first  # used to be one more scalar forward per step
    with pytest.raises(ValueError, match=r"target 5 is not a class index .* 5 outputs"):
        trainer.train_step(x, np.array([0, 5, 1, 1]))  # the cached width still checks labels


@pytest.mark.parametrize(
    ("x", "error", "pattern"),
    [
        ([[1 + 2j, 0.0]], TypeError, r"fit: x holds complex numbers"),
        ([[np.nan, 1.0]], ValueError, r"fit: x, example 0, entry 0 is nan"),
        ([[1.0, None]], TypeError, r"fit: x, example 0, entry 1: got None"),
        ([[1.0], [1.0, 2.0]], ValueError, r"fit: x is ragged"),
    ],
    ids=["complex", "nan", "None", "ragged"],
)
def test_fit_refuses_inputs_that_are_not_real_numbers(
    x: list[list[Any]], error: type[Exception], pattern: str
) -> None:
    """fit names the bad entry instead of training on a cut, nan-poisoned or missing input."""
    model = MLP(2, [3], seed=0)
    before = [p.data for p in model.parameters()]
    trainer = Trainer(model, SGD(model.parameters(), lr=0.1), cross_entropy, progress=False)
    with pytest.raises(error, match=pattern):
        trainer.fit(x, [0] * len(x), epochs=1)
    assert [p.data for p in model.parameters()] == before


# --- compiled evaluation: predict, accuracy and fit's validation on the plan of the outputs ---


def _scalar_and_compiled(model: Any, loss: Any) -> tuple[Trainer, Trainer]:
    """Two trainers of one model, scalar and compiled (lr 0: evaluation only)."""
    return tuple(  # type: ignore[return-value]
        Trainer(model, SGD(model.parameters(), lr=0.0), loss, compile=c, progress=False)
        for c in (False, True)
    )


def _numbers(outputs: list[Any]) -> np.ndarray:
    return np.array([[v.data for v in o] if isinstance(o, list) else [o.data] for o in outputs])


def test_compiled_predict_equals_the_scalar_outputs_for_class_scores() -> None:
    """Several outputs (class scores): the plan's numbers are the scalar engine's to 1e-12."""
    x, y = load_digits()
    x, y = x[:150], y[:150]
    model = MLP(64, [16, 10], init="he_uniform", seed=0)
    scalar, compiled = _scalar_and_compiled(model, cross_entropy)
    want, got = scalar.predict(x), compiled.predict(x)
    assert compiled.outputs_plan is not None  # the plan was used
    assert all(isinstance(o, list) and len(o) == 10 for o in got)
    assert all(v.op is None for o in got for v in o)  # numbers, as leaf Values
    np.testing.assert_allclose(_numbers(got), _numbers(want), rtol=1e-12, atol=1e-14)
    assert compiled.accuracy(x, y) == scalar.accuracy(x, y)
    hits = [default_correct(o, t) for o, t in zip(got, y.tolist(), strict=True)]
    assert hits == [default_correct(o, t) for o, t in zip(want, y.tolist(), strict=True)]


@pytest.mark.parametrize("activation", ["linear", "sigmoid"])
def test_compiled_predict_equals_the_scalar_output_for_one_output(activation: str) -> None:
    """One output (a score, or a probability): one Value per row, as the scalar engine gives."""
    x, labels = make_moons(60, noise=0.1, seed=1337)
    model = MLP(2, [8, 1], output_activation=activation, seed=0)
    scalar, compiled = _scalar_and_compiled(model, hinge if activation == "linear" else mse)
    want, got = scalar.predict(x), compiled.predict(x)
    assert all(isinstance(o, Value) and o.op is None for o in got)
    np.testing.assert_allclose(_numbers(got), _numbers(want), rtol=1e-12, atol=1e-14)
    y = labels * 2 - 1 if activation == "linear" else labels
    assert compiled.accuracy(x, y) == scalar.accuracy(x, y)


def test_compiled_evaluation_reads_the_current_parameters_and_stays_one_plan() -> None:
    """After training steps the same plan gives the new outputs; fit's validation uses it."""
    x, y = load_digits()
    x_train, y_train, x_val, y_val = x[:64], y[:64], x[64:128], y[64:128]
    accuracies = []
    for compiled in (False, True):
        model = MLP(64, [12, 10], init="he_uniform", seed=0)
        trainer = Trainer(
            model,
            Adam(model.parameters(), lr=0.01),
            cross_entropy,
            batch_size=16,
            compile=compiled,
            progress=False,
        )
        history = trainer.fit(
            x_train, y_train, epochs=3, validation=(x_val, y_val), train_accuracy=True
        )
        accuracies.append([(r.train_accuracy, r.val_accuracy) for r in history.epochs])
        if compiled:
            plan = trainer.outputs_plan
            assert plan is not None
            assert plan.calls == 6  # 3 epochs x (train + validation) on one plan
            scalar = [[v.data for v in model(row)] for row in x_val.tolist()]
            np.testing.assert_allclose(plan(x_val), scalar, rtol=1e-12, atol=1e-14)
    assert accuracies[0] == accuracies[1]
    assert accuracies[0][-1] != accuracies[0][0]  # the parameters moved between evaluations


class ReadsItsInput(Module):
    """A model that branches on its input's number: no single graph serves every row."""

    def __init__(self) -> None:
        self.w = Value(1.0)

    def _own_parameters(self) -> list[tuple[str, Value]]:
        return [("w", self.w)]

    def __call__(self, x: Any) -> Value:
        return self.w * x[0] if float(x[0]) > 0 else self.w - x[0]


class BranchesInside(ReadsItsInput):
    """A model that branches on an intermediate number: caught by the evaluation's check."""

    def __call__(self, x: Any) -> Value:
        h = self.w * x[0]
        return h if h.data > 0 else -h * 2.0


@pytest.mark.parametrize("model_class", [ReadsItsInput, BranchesInside])
def test_compiled_predict_refuses_a_model_whose_graph_depends_on_the_data(
    model_class: type[Module],
) -> None:
    """A data-dependent model is refused, naming predict and the fix, never evaluated wrong."""
    model = model_class()
    compiled = Trainer(model, SGD(model.parameters(), lr=0.1), mse, compile=True, progress=False)
    scalar = Trainer(model, SGD(model.parameters(), lr=0.1), mse, progress=False)
    x = np.array([[1.0], [-1.0], [2.0]])
    with pytest.raises(DataDependentGraphError, match=r"Trainer.predict: .* compile=False"):
        compiled.predict(x)
    assert [o.data for o in scalar.predict(x)] == [1.0, 2.0, 2.0]  # the scalar engine can
