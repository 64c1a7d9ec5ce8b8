"""Optimizers and schedules: the issue's worked examples and PyTorch reference trajectories."""

from __future__ import annotations

import doctest
import importlib.util
import math
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from autograd import Value
from autograd.losses import mse
from autograd.optim import SGD, Adam, AdamW, Optimizer, RMSprop
from autograd.schedules import (
    Constant,
    Cosine,
    Exponential,
    InverseTime,
    Linear,
    OneOverT,
    Schedule,
    StepDecay,
)

# PyTorch's SGD updates with `param.add_(grad, alpha=-lr)`, which its CPU kernel computes as a
# fused multiply-add (one rounding); Python has no fma before 3.13, so our SGD rounds twice and
# can differ from torch in the last bit or two. Everything else matched torch bit for bit.
FMA_TOLERANCE = 1e-15
GENERATOR = Path(__file__).resolve().parent.parent / "scripts" / "gen_optim_reference.py"


def _load_generator() -> ModuleType:
    """Import scripts/gen_optim_reference.py (torch-free at import time) by its path."""
    spec = importlib.util.spec_from_file_location("gen_optim_reference", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # doctest looks the module up by name
    spec.loader.exec_module(module)
    return module


reference = _load_generator()
# (1 - a)^2 + 2 (b - a^2)^2: written once, in the generator, evaluated on Values here and on
# torch tensors there.
rosenbrock_lite = reference.rosenbrock_lite

OPTIMIZERS: dict[str, tuple[Callable[..., Optimizer], dict[str, Any]]] = {
    "sgd": (SGD, {"lr": 0.05}),
    "sgd_momentum": (SGD, {"lr": 0.05, "momentum": 0.9}),
    "sgd_nesterov": (SGD, {"lr": 0.05, "momentum": 0.9, "nesterov": True}),
    "sgd_dampening_decay": (
        SGD,
        {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "weight_decay": 0.1},
    ),
    "rmsprop": (RMSprop, {"lr": 0.01}),
    "rmsprop_momentum_centered": (
        RMSprop,
        {"lr": 0.01, "alpha": 0.9, "momentum": 0.9, "centered": True, "weight_decay": 0.1},
    ),
    "adam": (Adam, {"lr": 0.1}),
    "adam_amsgrad_decay": (
        Adam,
        {"lr": 0.1, "betas": (0.8, 0.99), "weight_decay": 0.1, "amsgrad": True},
    ),
    "adamw": (AdamW, {"lr": 0.1, "weight_decay": 0.1}),
}

# (a, b) after each of 5 steps from (a, b) = (-0.5, 1.0) on rosenbrock_lite, made with PyTorch
# 2.13.0 (the CPU wheel, in a throwaway venv), float64 tensors, torch.optim's class of the same
# name with the same keywords, zero_grad / backward / step five times, printing
# (a.item(), b.item()) with repr. The generator is scripts/gen_optim_reference.py: its docstring
# says how to run it, `--check` compares this table with torch bit for bit, and
# test_trajectories_match_torch_when_installed reruns it wherever torch is installed.
TORCH_TRAJECTORIES: dict[str, list[tuple[float, float]]] = {
    "sgd": [
        (-0.5, 0.85),
        (-0.47, 0.73),
        (-0.4187108, 0.62818),
        (-0.3526868811842125, 0.5376077468073279),
        (-0.2757130614626888, 0.4549638046777517),
    ],
    "sgd_momentum": [
        (-0.5, 0.85),
        (-0.47, 0.595),
        (-0.36633079999999996, 0.29068),
        (-0.15932507312830163, -0.014504348994272026),
        (0.14545470453930218, -0.2811924975047947),
    ],
    "sgd_nesterov": [
        (-0.5, 0.715),
        (-0.3917, 0.41679999999999995),
        (-0.15951047247812, 0.1320389781999999),
        (0.16873023776719182, -0.1173453888205268),
        (0.5051546784383477, -0.2671943422685856),
    ],
    "sgd_dampening_decay": [
        (-0.4975, 0.845),
        (-0.472164629375, 0.6343933749999999),
        (-0.40158895150453894, 0.40608414690009625),
        (-0.2731393106427615, 0.1877420053758816),
        (-0.08895645809576684, -0.003427973992352739),
    ],
    "rmsprop": [
        (-0.5, 0.9000000033333333),
        (-0.40000002499999465, 0.8343191419120592),
        (-0.3150005300945335, 0.7778167764519444),
        (-0.2375651037443347, 0.7282003004623052),
        (-0.1663699645683539, 0.6839352905333428),
    ],
    "rmsprop_momentum_centered": [
        (-0.4666666888888741, 0.9666666670250896),
        (-0.4035444298679084, 0.9112063900412811),
        (-0.3143983228961201, 0.8388459352629509),
        (-0.20274882699218816, 0.7529021415870534),
        (-0.07178267180067083, 0.6560109691102753),
    ],
    "adam": [
        (-0.5, 0.9000000003333333),
        (-0.42558632027356486, 0.8006255822748487),
        (-0.34206345370864083, 0.7016310725422474),
        (-0.2541980540525574, 0.6031099504616128),
        (-0.16332661788975844, 0.5053315851800315),
    ],
    "adam_amsgrad_decay": [
        (-0.400000019999996, 0.9000000003225807),
        (-0.31545599755660675, 0.8000895551406048),
        (-0.22439294309450858, 0.7006571892737515),
        (-0.12856953250885644, 0.6021579291335746),
        (-0.02871069870415012, 0.5052680139682889),
    ],
    "adamw": [
        (-0.495, 0.8900000003333333),
        (-0.4156363200569463, 0.781773631195712),
        (-0.3279326890422848, 0.6750779095164023),
        (-0.2366852853245967, 0.570036176276907),
        (-0.14325388538884537, 0.4669727991378282),
    ],
}


def run_trajectory(name: str) -> list[tuple[float, float]]:
    cls, kwargs = OPTIMIZERS[name]
    a, b = Value(reference.START[0]), Value(reference.START[1])
    opt = cls([a, b], **kwargs)
    path = []
    for _ in range(reference.STEPS):
        opt.zero_grad()
        rosenbrock_lite(a, b).backward()
        opt.step()
        path.append((a.data, b.data))
    return path


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_trajectory_matches_pytorch(name: str) -> None:
    """Five steps on a small non-quadratic problem reproduce PyTorch's float64 numbers."""
    got = run_trajectory(name)
    expected = TORCH_TRAJECTORIES[name]
    if name.startswith("sgd"):
        for g, e in zip(got, expected, strict=True):
            assert g == pytest.approx(e, rel=0, abs=FMA_TOLERANCE)
    else:
        assert got == expected  # bit for bit


def test_trajectories_match_torch_when_installed() -> None:
    """Recompute the hard-coded references with PyTorch itself, when it is installed."""
    torch = pytest.importorskip("torch")
    paths = reference.torch_trajectories(torch)
    for name in OPTIMIZERS:
        assert paths[name] == TORCH_TRAJECTORIES[name], name


def test_reference_generator_runs_the_cases_of_this_file() -> None:
    """The generator's cases, start and step count are this file's; its reader finds the table."""
    ours = {name: (cls.__name__, kwargs) for name, (cls, kwargs) in OPTIMIZERS.items()}
    assert ours == reference.CASES
    assert (reference.START, reference.STEPS) == ((-0.5, 1.0), 5)
    assert reference.hard_coded() == TORCH_TRAJECTORIES
    assert reference.render(TORCH_TRAJECTORIES) in Path(__file__).read_text(encoding="utf-8")
    result = doctest.testmod(reference)
    assert result.attempted > 0
    assert result.failed == 0


def _square_loss(opt: Optimizer, w: Value) -> None:
    """L = w**2: the gradient is 2w."""
    opt.zero_grad()
    (w * w).backward()


def _fixed(g: float) -> Callable[[Optimizer, Value], None]:
    """The gradient g at every step, set directly."""

    def set_grad(opt: Optimizer, w: Value) -> None:
        w.grad = g

    return set_grad


# One parameter w from w0; the gradient of each step; w after each step (to rel 1e-15), and
# state entries after the last step (a float is compared exactly). The comment above each row
# works its numbers out by hand from PyTorch's formulas (see the optimizers' docstrings).
HAND_WORKED_STEPS = [
    # b1 = g1 = 2, w = 1 - 0.1 * 2 = 0.8; g2 = 1.6, b2 = 0.9 * 2 + 1.6 = 3.4, w = 0.8 - 0.34 = 0.46
    pytest.param(
        lambda ps: SGD(ps, lr=0.1, momentum=0.9), 1.0, _square_loss, [0.8, 0.46], {},
        id="sgd-momentum-0.9-on-w2",
    ),
    # g = 2, b = g = 2, Nesterov steps along g + mu b = 2 + 0.9 * 2 = 3.8: w = 1 - 0.38 = 0.62
    pytest.param(
        lambda ps: SGD(ps, lr=0.1, momentum=0.9, nesterov=True), 1.0, _square_loss, [0.62],
        {"momentum_buffer": 2.0},
        id="sgd-nesterov-on-w2",
    ),
    # b1 = g = 2, w = 1 - 0.1 * 2 = 0.8; b2 = 0.9 * 2 + (1 - 0.5) * 2 = 2.8, w = 0.8 - 0.28 = 0.52
    # (dampening as np.float32: numpy numbers are accepted like Python's)
    pytest.param(
        lambda ps: SGD(ps, lr=0.1, momentum=0.9, dampening=np.float32(0.5)), 1.0, _fixed(2.0),
        [0.8, 0.52], {"momentum_buffer": pytest.approx(2.8, rel=1e-15)},
        id="sgd-dampening-0.5",
    ),
    # g + 0.5 w = 1 + 0.5 * 2 = 2, w = 2 - 0.1 * 2 = 1.8; 1 + 0.5 * 1.8 = 1.9, w = 1.8 - 0.19 = 1.61
    pytest.param(
        lambda ps: SGD(ps, lr=0.1, weight_decay=0.5), 2.0, _fixed(1.0), [1.8, 1.61], {},
        id="sgd-weight-decay-0.5",
    ),
    # g = 6: m = 0.1 * 6, v = 0.001 * 36; bias-corrected m^ = 6, v^ = 36, so the first step is
    # lr * 6 / (sqrt(36) + eps) = 0.01 * 6 / (6 + 1e-8): about lr times the sign of g
    pytest.param(
        lambda ps: Adam(ps, lr=0.01), 3.0, _square_loss, [3.0 - 0.01 * 6.0 / (6.0 + 1e-8)], {},
        id="adam-first-step-is-lr-times-sign",
    ),
    # L2 decay enters the gradient: g = 2 + 0.5 * 1 = 2.5, first step lr * 2.5 / (2.5 + eps)
    pytest.param(
        lambda ps: Adam(ps, lr=0.1, weight_decay=0.5), 1.0, _fixed(2.0),
        [1.0 - 0.1 * 2.5 / (2.5 + 1e-8)], {},
        id="adam-l2-decay-first-step",
    ),
    # decoupled: w = 1 * (1 - 0.1 * 0.5) = 0.95 first, then the plain first step 0.1 * 2 / (2 + eps)
    pytest.param(
        lambda ps: AdamW(ps, lr=0.1, weight_decay=0.5), 1.0, _fixed(2.0),
        [0.95 - 0.1 * 2.0 / (2.0 + 1e-8)], {},
        id="adamw-decoupled-decay-first-step",
    ),
    # g = 4, v = 0.99 * 0 + (1 - 0.99) * 16 = 0.01 * 16, step lr * g / (sqrt(v) + eps)
    pytest.param(
        lambda ps: RMSprop(ps, lr=0.01, alpha=0.99), 2.0, _square_loss,
        [2.0 - 0.01 * 4.0 / (math.sqrt(0.01 * 16.0) + 1e-8)], {},
        id="rmsprop-first-step",
    ),
    # g = 4, alpha = 0.5: v = 0.5 * 16 = 8, ga = 0.5 * 4 = 2, v - ga^2 = 4, sqrt(4) = 2,
    # so the step is 0.01 * 4 / (2 + eps)
    pytest.param(
        lambda ps: RMSprop(ps, lr=0.01, alpha=0.5, centered=True), 2.0, _square_loss,
        [2.0 - 0.01 * 4.0 / (2.0 + 1e-8)], {"square_avg": 8.0, "grad_avg": 2.0},
        id="rmsprop-centered-first-step",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("make", "w0", "gradient", "path", "state"), HAND_WORKED_STEPS)
def test_optimizer_steps_worked_by_hand(
    make: Callable[[list[Value]], Optimizer],
    w0: float,
    gradient: Callable[[Optimizer, Value], None],
    path: list[float],
    state: dict[str, Any],
) -> None:
    """w after each step, and the state after the last, are the numbers worked out by hand."""
    w = Value(w0)
    opt = make([w])
    got = []
    for _ in path:
        gradient(opt, w)
        opt.step()
        got.append(w.data)
    assert got == pytest.approx(path, rel=1e-15)
    assert {name: opt.state[0][name] for name in state} == state


def test_three_full_batch_gradient_descent_steps() -> None:
    """The issue's example: y = w x on x = (1, 2), y = (2, 3), w0 = 0, lr 0.1 gives 0.8, 1.2, 1.4.

    By hand: the mean of two squared errors is (1/2) sum e^2, whose gradient is
    sum x (w x - y) = 5w - 8, so w <- w - 0.1 (5w - 8).
    """
    w = Value(0.0)
    opt = SGD([w], lr=0.1)
    xs, ys = [1.0, 2.0], [2.0, 3.0]
    path = []
    for _ in range(3):
        opt.zero_grad()
        mse([w * x for x in xs], ys).backward()
        opt.step()
        path.append(w.data)
    assert path == pytest.approx([0.8, 1.2, 1.4], rel=1e-15)


def test_four_sgd_steps_taking_observations_in_order() -> None:
    """The issue's example: one observation (x, y) per step gives 0.4, 1.28, 1.424, 1.4848.

    The observations (1, 2), (2, 3), (1, 2), (2, 3) are taken in order.

    By hand: L = (y - w x)^2 gives w <- w + 0.1 * 2 x (y - w x).
    """
    w = Value(0.0)
    opt = SGD([w], lr=0.1)
    path = []
    for x, y in [(1.0, 2.0), (2.0, 3.0), (1.0, 2.0), (2.0, 3.0)]:
        opt.zero_grad()
        mse(w * x, y).backward()
        opt.step()
        path.append(w.data)
    assert path == pytest.approx([0.4, 1.28, 1.424, 1.4848], rel=1e-15)


def test_optimizer_follows_a_schedule() -> None:
    """With lr = StepDecay(1, 1, 0.5) the steps on L = w (gradient 1) are 1, 0.5, 0.25."""
    w = Value(0.0)
    opt = SGD([w], lr=StepDecay(1.0, step_size=1, gamma=0.5))
    for _ in range(3):
        opt.zero_grad()
        (w * 1.0).backward()
        opt.step()
    assert w.data == -1.75
    assert opt.steps == 3
    assert opt.current_lr() == 0.125


class NanAfter(Schedule):
    """0.1 for the first `steps` steps, then nan: a schedule gone wrong."""

    def __init__(self, steps: int) -> None:
        self.steps = steps

    def rate(self, t: int) -> float:
        return 0.1 if t < self.steps else math.nan

    def __repr__(self) -> str:
        return f"NanAfter({self.steps})"


def test_schedule_rates_are_checked_at_every_step() -> None:
    """A negative or nan rate from a schedule raises naming the optimizer and step; no update."""
    w = Value(1.0)
    w.grad = 1.0
    uphill = SGD([w], lr=Constant(-1.0))
    with pytest.raises(
        ValueError,
        match=r"SGD: the schedule Constant\(-1.0\) gave the learning rate -1.0 at step 0; "
        r"a learning rate must be a finite number >= 0",
    ):
        uphill.step()
    assert (w.data, uphill.steps) == (1.0, 0)
    # 0.2, 0.0, then -0.2 at step 2: two steps happen, the third is refused
    falling = Adam([w], lr=Linear(0.2, -0.2, steps=2), eps=0.0)
    falling.step()
    falling.step()
    after_two = w.data
    assert after_two == 0.8  # eps = 0: Adam's first step is lr * sign(g), the second lr = 0
    with pytest.raises(ValueError, match=r"Adam: the schedule Linear\(.*\) gave .* at step 2"):
        falling.step()
    assert (w.data, falling.steps) == (after_two, 2)
    broken = RMSprop([w], lr=NanAfter(1))
    broken.step()
    with pytest.raises(
        ValueError, match=r"RMSprop: the schedule NanAfter\(1\) gave .*nan at step 1"
    ):
        broken.step()


def test_duplicate_parameters_are_refused_by_index() -> None:
    """The same Value twice would be updated twice per step: refused naming both indices."""
    w, v = Value(1.0), Value(1.0)  # equal numbers, different nodes: fine
    assert len(SGD([w, v], lr=0.1).params) == 2
    with pytest.raises(ValueError, match=r"SGD: params\[2\] is the same Value as params\[0\]"):
        SGD([w, v, w], lr=0.1)


@pytest.mark.parametrize(
    ("dampening", "error", "message"),
    [
        (math.nan, ValueError, r"SGD dampening must be a finite number, got nan"),
        (5, ValueError, r"SGD dampening must be in \[0, 1\], got 5"),
        (-0.5, ValueError, r"SGD dampening must be in \[0, 1\], got -0.5"),
        ("0.1", TypeError, r"SGD dampening must be a real number, got str '0.1'"),
    ],
)
def test_dampening_is_validated(dampening: object, error: type, message: str) -> None:
    """dampening is a fraction of the new gradient kept out of the buffer: in [0, 1]."""
    with pytest.raises(error, match=message):
        SGD([Value(0.0)], lr=0.1, momentum=0.9, dampening=dampening)  # type: ignore[arg-type]


class Tripwire(Value):
    """A parameter that receives Ctrl-C (SIGINT) when a step reads or writes its number."""

    __slots__ = ("trip",)

    def __init__(self, data: float, trip: str = "") -> None:
        super().__init__(data)
        self.trip = trip

    @property  # type: ignore[override]
    def data(self) -> float:
        if getattr(self, "trip", "") == "read":
            self.trip = ""
            signal.raise_signal(signal.SIGINT)
        return Value.data.__get__(self)  # type: ignore[attr-defined,no-any-return]

    @data.setter
    def data(self, number: float) -> None:
        if getattr(self, "trip", "") == "write":
            self.trip = ""
            signal.raise_signal(signal.SIGINT)
        Value.data.__set__(self, number)  # type: ignore[attr-defined]


class InterruptedInUpdate(SGD):
    """SGD that receives Ctrl-C while its update formula runs."""

    def _update(self, param: Any, grad: Any, state: Any, lr: float) -> Any:
        signal.raise_signal(signal.SIGINT)
        return super()._update(param, grad, state, lr)


@pytest.mark.parametrize(
    ("where", "index"),
    [("read", 0), ("read", 2), ("update", None), ("write", 0), ("write", 1), ("write", 2)],
)
def test_ctrl_c_inside_step_lands_after_the_whole_update(where: str, index: int | None) -> None:
    """SIGINT while a step reads, updates or writes raises only once every parameter is updated."""
    ps = [Tripwire(1.0), Tripwire(3.0), Tripwire(-2.0)]
    for p, g in zip(ps, [2.0, 4.0, -6.0], strict=True):
        p.grad = g
    if index is not None:
        ps[index].trip = where
    opt = (InterruptedInUpdate if where == "update" else SGD)(ps, lr=0.5, momentum=0.5)
    with pytest.raises(KeyboardInterrupt):
        opt.step()
    assert [p.data for p in ps] == [0.0, 1.0, 1.0]  # theta - 0.5 g, all three
    assert opt.steps == 1
    assert [s["momentum_buffer"] for s in opt.state] == [2.0, 4.0, -6.0]  # the state moved too
    assert signal.getsignal(signal.SIGINT) is signal.default_int_handler  # handler restored


def test_step_leaves_a_sigint_handler_set_outside_python_alone(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """getsignal() is None for a handler Python did not set: it cannot be restored, so no swap."""

    def no_swap(*args: object) -> None:
        raise AssertionError("step replaced a SIGINT handler it could not put back")

    monkeypatch.setattr(signal, "getsignal", lambda signum: None)
    monkeypatch.setattr(signal, "signal", no_swap)
    w = Value(1.0)
    w.grad = 2.0
    SGD([w], lr=0.25).step()
    assert w.data == 0.5


def test_step_from_another_thread_updates_normally() -> None:
    """Signals are main-thread only: a step in a worker thread needs no handler and works."""
    import threading

    w = Value(1.0)
    w.grad = 2.0
    opt = SGD([w], lr=0.25)
    worker = threading.Thread(target=opt.step)
    worker.start()
    worker.join()
    assert (w.data, opt.steps) == (0.5, 1)


def test_zero_grad_resets_every_parameter() -> None:
    """zero_grad sets every parameter's gradient to 0."""
    ps = [Value(1.0), Value(2.0)]
    (ps[0] * ps[1]).backward()
    opt = Adam(ps)
    opt.zero_grad()
    assert [p.grad for p in ps] == [0.0, 0.0]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: SGD([], lr=0.1), r"SGD: got an empty parameter list"),
        (lambda: SGD([1.0], lr=0.1), r"SGD: params\[0\] must be a Value, got float"),
        (lambda: SGD([Value(0.0)], lr=-1.0), r"SGD lr must be a finite number >= 0, got -1.0"),
        (
            lambda: SGD([Value(0.0)], lr=0.1, nesterov=True),
            r"SGD: nesterov needs momentum > 0 and dampening = 0",
        ),
        (lambda: RMSprop([Value(0.0)], alpha=1.5), r"RMSprop alpha must be in \[0, 1\), got 1.5"),
        (lambda: Adam([Value(0.0)], betas=(0.9,)), r"Adam betas must be a pair"),  # type: ignore[arg-type]
        (
            lambda: AdamW([Value(0.0)], betas=(0.9, 1.0)),
            r"AdamW betas\[1\] \(beta2\) must be in \[0, 1\)",
        ),
        (lambda: Adam([Value(0.0)], eps=-1.0), r"Adam eps must be a finite number >= 0"),
    ],
)
def test_bad_hyperparameters_raise_clearly(make: Callable[[], object], message: str) -> None:
    """Bad arguments raise naming the optimizer, the parameter and the value."""
    with pytest.raises((ValueError, TypeError), match=message):
        make()


# --- schedules -----------------------------------------------------------------------------------


approx = pytest.approx  # a row's expected rate: a float is compared exactly, approx(...) not

# (schedule, t, the rate of step t worked out from the schedule's formula)
SCHEDULE_RATES = [
    # Constant(0.3): 0.3 at every step
    pytest.param(Constant(0.3), 0, 0.3, id="constant-t0"),
    pytest.param(Constant(0.3), 7, 0.3, id="constant-t7"),
    # StepDecay(1, 3, 0.1): 1 * 0.1 ** (t // 3)
    pytest.param(StepDecay(1.0, 3, 0.1), 0, approx(1), id="step-decay-t0"),  # 0 // 3 = 0
    pytest.param(StepDecay(1.0, 3, 0.1), 2, approx(1), id="step-decay-t2"),  # 2 // 3 = 0
    pytest.param(StepDecay(1.0, 3, 0.1), 3, approx(0.1), id="step-decay-t3"),  # 3 // 3 = 1
    pytest.param(StepDecay(1.0, 3, 0.1), 6, approx(0.01), id="step-decay-t6"),  # 0.1 ** 2
    # Exponential(2, 0.5): 2 * 0.5 ** t, halvings exact in binary
    pytest.param(Exponential(2.0, 0.5), 0, 2.0, id="exponential-t0"),
    pytest.param(Exponential(2.0, 0.5), 1, 1.0, id="exponential-t1"),
    pytest.param(Exponential(2.0, 0.5), 2, 0.5, id="exponential-t2"),
    pytest.param(Exponential(2.0, 0.5), 3, 0.25, id="exponential-t3"),
    # InverseTime(1, s0=10, power=0.5): (10 / (10 + t)) ** 0.5
    pytest.param(InverseTime(1.0, s0=10.0, power=0.5), 0, approx(1), id="inverse-time-s10-t0"),
    pytest.param(InverseTime(1.0, s0=10.0, power=0.5), 30, approx(0.5), id="inverse-time-s10-t30"),
    # InverseTime(1, s0=1, power=0.5): 1 / sqrt(t + 1)
    pytest.param(InverseTime(1.0, s0=1.0, power=0.5), 0, approx(1.0, rel=1e-15),
                 id="inverse-time-sqrt-t0"),  # 1 / sqrt(1)
    pytest.param(InverseTime(1.0, s0=1.0, power=0.5), 3, approx(0.5, rel=1e-15),
                 id="inverse-time-sqrt-t3"),  # 1 / sqrt(4)
    pytest.param(InverseTime(1.0, s0=1.0, power=0.5), 99, approx(0.1, rel=1e-15),
                 id="inverse-time-sqrt-t99"),  # 1 / sqrt(100)
    # OneOverT(0.6): 0.6 / (t + 1) exactly, one correctly rounded division (Robbins-Monro)
    pytest.param(OneOverT(0.6), 0, 0.6, id="one-over-t-t0"),
    pytest.param(OneOverT(0.6), 1, 0.3, id="one-over-t-t1"),  # 0.6 / 2 = 0.3 in binary too
    pytest.param(OneOverT(0.6), 2, 0.6 / 3, id="one-over-t-t2"),  # 0.19999999999999998, not 0.2
    pytest.param(OneOverT(0.6), 4, 0.12, id="one-over-t-t4"),  # 0.6 / 5
    pytest.param(OneOverT(0.6), 9, 0.06, id="one-over-t-t9"),  # 0.6 / 10
    pytest.param(OneOverT(0.6), 999, 0.6 / 1000, id="one-over-t-t999"),
    # Cosine(1, t_max=4, lr_min=0.2): 0.2 + 0.8 (1 + cos(pi t / 4)) / 2, then 0.2 from t = 4 on
    pytest.param(Cosine(1.0, t_max=4, lr_min=0.2), 0, approx(1.0), id="cosine-t0"),  # cos 0 = 1
    # cos(pi / 4) = sqrt(2) / 2: 0.2 + 0.4 (1 + sqrt(2) / 2) = 0.6 + 0.2 sqrt(2)
    pytest.param(Cosine(1.0, t_max=4, lr_min=0.2), 1, approx(0.6 + 0.2 * math.sqrt(2)),
                 id="cosine-t1"),
    pytest.param(Cosine(1.0, t_max=4, lr_min=0.2), 2, approx(0.6), id="cosine-t2"),  # cos = 0
    # cos(3 pi / 4) = -sqrt(2) / 2: 0.6 - 0.2 sqrt(2)
    pytest.param(Cosine(1.0, t_max=4, lr_min=0.2), 3, approx(0.6 - 0.2 * math.sqrt(2)),
                 id="cosine-t3"),
    pytest.param(Cosine(1.0, t_max=4, lr_min=0.2), 4, approx(0.2), id="cosine-t4"),  # cos pi = -1
    pytest.param(Cosine(1.0, t_max=4, lr_min=0.2), 5, approx(0.2), id="cosine-t5-after-t-max"),
    # Linear(1, 0.1, 100): 1 - 0.9 min(t, 100) / 100
    pytest.param(Linear(1.0, 0.1, 100), 0, approx(1.0), id="linear-t0"),
    pytest.param(Linear(1.0, 0.1, 100), 10, approx(0.91), id="linear-t10"),  # 1 - 0.09
    pytest.param(Linear(1.0, 0.1, 100), 100, approx(0.1), id="linear-t100"),  # 1 - 0.9
    pytest.param(Linear(1.0, 0.1, 100), 150, approx(0.1), id="linear-t150-after-steps"),
]  # fmt: skip


@pytest.mark.parametrize(("schedule", "t", "expected"), SCHEDULE_RATES)
def test_schedule_rate_worked_by_hand(schedule: Schedule, t: int, expected: float) -> None:
    """The rate of step t is the number worked out by hand from the schedule's formula."""
    assert schedule(t) == expected


# The Euler-Mascheroni constant 0.57721566490153286..., as the nearest double (mpmath.euler).
EULER_GAMMA = 0.5772156649015329


def test_robbins_monro_one_over_t_sums_diverge_and_its_squares_converge() -> None:
    """The sums of the rates lr/(t+1) are the harmonic numbers, and sum 1/k^2 converges.

    With n rates 1/k (k = 1..n): H_n = ln n + gamma + 1/(2n) - 1/(12n^2) + O(n^-4) grows
    without bound, and sum 1/k^2 lies strictly between pi^2/6 - 1/n and pi^2/6 - 1/(n+1)
    (integral bounds on the tail). A rate of 1/(t+2), 1/t^2 or 1/sqrt(t+1) fails these (and
    the rows of SCHEDULE_RATES pin lr/(t+1) itself).
    """
    n = 10_000
    rates = [OneOverT(1.0)(t) for t in range(n)]
    harmonic = math.log(n) + EULER_GAMMA + 1 / (2 * n) - 1 / (12 * n * n)
    assert math.fsum(rates) == pytest.approx(harmonic, abs=1e-14)
    squares = math.fsum(r * r for r in rates)
    assert math.pi**2 / 6 - 1 / n < squares < math.pi**2 / 6 - 1 / (n + 1)


def test_inverse_time_power_one_agrees_with_one_over_t() -> None:
    """InverseTime(lr, s0=1, power=1) is lr * (1 / (1 + t)): OneOverT's sequence, to rounding."""
    lr = 0.6
    schedule = OneOverT(lr)
    same = InverseTime(lr, s0=1.0, power=1.0)
    assert all(same(t) == pytest.approx(schedule(t), rel=1e-15) for t in range(0, 5000, 7))


def test_schedules_compose() -> None:
    """Scaling, products and sequencing combine schedules pointwise and in time."""
    warm = Linear(0.0, 1.0, steps=4).then(Exponential(1.0, gamma=0.5), at=4)
    assert [warm(t) for t in range(7)] == [0.0, 0.25, 0.5, 0.75, 1.0, 0.5, 0.25]
    assert (0.5 * Exponential(1.0, 0.5))(2) == 0.125
    assert (Constant(3.0) * Constant(2.0))(9) == 6.0


@pytest.mark.parametrize(
    ("t", "error", "message"),
    [
        (-1, ValueError, r"schedule step t must be an int >= 0, got -1"),
        (1.5, TypeError, r"schedule step t must be an int >= 0, got float 1.5"),
        (True, TypeError, r"schedule step t must be an int >= 0, got bool True"),
    ],
)
def test_schedule_rejects_bad_step(t: object, error: type, message: str) -> None:
    """A step number must be an int >= 0."""
    with pytest.raises(error, match=message):
        Constant(1.0)(t)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (
            lambda: StepDecay(1.0, step_size=0),
            ValueError,
            r"StepDecay step_size must be an int >= 1, got 0",
        ),
        (lambda: Cosine(1.0, t_max=0), ValueError, r"Cosine t_max must be an int >= 1, got 0"),
        (
            lambda: InverseTime(1.0, s0=0.0),
            ValueError,
            r"InverseTime s0 must be a finite number > 0, got 0.0",
        ),
        (lambda: Constant(math.inf), ValueError, r"Constant lr must be a finite number, got inf"),
        (
            lambda: Linear(1.0, 0.0, steps=10.0),  # type: ignore[arg-type]
            TypeError,
            r"Linear steps must be an int >= 1, got float 10.0",
        ),
    ],
    ids=["step-decay-step-size-0", "cosine-t-max-0", "inverse-time-s0-0", "constant-inf",
         "linear-float-steps"],
)  # fmt: skip
def test_schedule_rejects_bad_construction(
    make: Callable[[], object], error: type, message: str
) -> None:
    """Non-positive step counts and non-finite rates raise naming the schedule and argument."""
    with pytest.raises(error, match=message):
        make()


def test_schedules_take_numpy_numbers() -> None:
    """np.int64 step counts and np.float32 rates work like Python's."""
    np = pytest.importorskip("numpy")
    schedule = StepDecay(np.float32(1.0), step_size=np.int64(2), gamma=np.float32(0.5))
    assert [schedule(t) for t in range(5)] == [1.0, 1.0, 0.5, 0.5, 0.25]
    assert Constant(1.0)(np.int64(3)) == 1.0


@pytest.mark.parametrize(
    ("make", "state"),
    [
        (lambda w: RMSprop([w], lr=0.1, eps=0.0), {}),
        (lambda w: RMSprop([w], lr=0.1, eps=0.0, momentum=0.9), {}),
        (lambda w: Adam([w], lr=0.1, eps=0.0), {}),
        # centred, with v - ga² below zero (rounding can do that): torch's sqrt gives nan
        (lambda w: RMSprop([w], lr=0.1, centered=True), {"square_avg": 0.0, "grad_avg": 1.0}),
    ],
    ids=["rmsprop-eps0", "rmsprop-momentum-eps0", "adam-eps0", "rmsprop-centred-negative"],
)
def test_zero_over_zero_in_an_update_is_nan_like_torch_not_an_exception(
    make: Callable[[Value], Optimizer], state: dict[str, float]
) -> None:
    """0/0 and sqrt of a rounding-negative number give nan (as torch does), never an exception."""
    w = Value(1.0)
    opt = make(w)
    w.grad = 0.0
    opt._buffers = {name: np.array([number]) for name, number in state.items()}
    opt.step()
    assert math.isnan(w.data)


@pytest.mark.parametrize("name", list(OPTIMIZERS))
def test_a_step_over_many_parameters_gives_each_what_it_gets_alone(name: str) -> None:
    """The update runs on arrays of all parameters: no parameter's number depends on another's."""
    cls, kwargs = OPTIMIZERS[name]
    rng = np.random.default_rng(7)
    start = rng.normal(size=30) * 10.0 ** rng.integers(-300, 300, size=30)
    grads = rng.normal(size=(4, 30)) * 10.0 ** rng.integers(-300, 300, size=(4, 30))
    grads[1, ::7] = [0.0, -0.0, math.inf, math.nan, 5e-324]  # zeros, specials, a subnormal
    together = [Value(float(x)) for x in start]
    alone = [Value(float(x)) for x in start]
    opt = cls(together, **kwargs)
    opts = [cls([p], **kwargs) for p in alone]
    for row in grads:
        for p, q, g in zip(together, alone, row.tolist(), strict=True):
            p.grad = q.grad = g
        opt.step()
        for single in opts:
            single.step()
        got = np.array([p.data for p in together])
        np.testing.assert_array_equal(got, [q.data for q in alone])  # nan matches nan


def test_adam_on_arrays_agrees_bit_for_bit_with_its_formula_retyped_on_python_floats() -> None:
    """numpy's elementwise float64 rounds as Python floats do, subnormals included.

    A consistency test: the loop re-types the update formula, so it cannot catch a wrong
    formula (TORCH_TRAJECTORIES and the hand-worked steps do), only a rounding difference.
    """
    rng = np.random.default_rng(3)
    start = (rng.normal(size=200) * 10.0 ** rng.integers(-310, 10, size=200)).tolist()
    ps = [Value(x) for x in start]
    opt = Adam(ps, lr=0.01, betas=(0.8, 0.95), eps=1e-12)
    m = [0.0] * 200
    v = [0.0] * 200
    want = list(start)
    for t in (1, 2, 3):
        grads = (rng.normal(size=200) * 10.0 ** rng.integers(-160, 10, size=200)).tolist()
        for p, g in zip(ps, grads, strict=True):
            p.grad = g
        opt.step()
        for i, g in enumerate(grads):  # torch's single-tensor Adam, one float at a time
            m[i] = m[i] + (1 - 0.8) * (g - m[i])
            v[i] = v[i] * 0.95 + (1 - 0.95) * g * g
            denom = math.sqrt(v[i]) / (1 - 0.95**t) ** 0.5 + 1e-12
            want[i] = want[i] + -(0.01 / (1 - 0.8**t)) * m[i] / denom
        assert [p.data for p in ps] == want


def test_a_gradient_set_to_none_is_named_and_nothing_changes() -> None:
    """PyTorch users reset with ``p.grad = None``; here that is a named error, not a numpy one."""
    ps = [Value(1.0), Value(2.0)]
    ps[0].grad = 0.5
    ps[1].grad = None  # type: ignore[assignment]
    opt = Adam(ps, lr=0.1)
    with pytest.raises(
        TypeError, match=r"Adam.step: params\[1\]\.grad is NoneType None, not a float; .*zero_grad"
    ):
        opt.step()
    assert ([p.data for p in ps], opt.steps, opt.state) == ([1.0, 2.0], 0, [{}, {}])
