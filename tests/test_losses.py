"""Losses: values worked by hand, gradients against analytic forms and central differences."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from autograd import Value, detect_anomaly
from autograd.compiled import compile_loss
from autograd.losses import (
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    graph_max,
    hinge,
    l2,
    log_softmax,
    mse,
    softmax,
)
from autograd.testing import gradcheck

FLOAT_EXACT = 4e-16  # a few ulps of numbers of order 1: "to float precision"


def leaves(*xs: float) -> list[Value]:
    return [Value(x) for x in xs]


def test_mse_value_and_gradient_by_hand() -> None:
    """mse = mean((p - t)^2) with d/dp_i = 2 (p_i - t_i) / n."""
    ps = leaves(1.0, 3.0, -2.0)
    loss = mse(ps, [0.0, 1.0, -2.0])
    loss.backward()
    assert loss.data == pytest.approx((1 + 4 + 0) / 3, rel=1e-15)
    assert [p.grad for p in ps] == pytest.approx([2 / 3, 4 / 3, 0.0], rel=1e-15)


def test_mse_accepts_a_single_value_and_number() -> None:
    """A single prediction and a single target is a mean over one term."""
    assert mse(Value(3.0), 1.0).data == 4.0


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: mse(leaves(1.0, 2.0), [1.0]), ValueError, r"mse: got 2 predictions and 1 targets"),
        (lambda: mse([], []), ValueError, r"mse: preds is empty"),
        (
            lambda: mse([Value(1.0)], ["1"]),  # type: ignore[list-item]
            TypeError,
            r"mse: targets\[0\]: expected a real number",
        ),
        (
            lambda: softmax([1.0], temperature=0.0),
            ValueError,
            r"softmax: temperature must be a finite number > 0, got 0.0",
        ),
        (lambda: softmax([]), ValueError, r"softmax: logits is empty"),
    ],
    ids=["mse-lengths", "mse-empty", "mse-string-target", "softmax-temperature-0",
         "softmax-empty"],
)  # fmt: skip
def test_losses_reject_bad_arguments(make: Callable[[], object], error: type, message: str) -> None:
    """Predictions and targets must pair up, be numbers, and exist; a temperature must be > 0."""
    with pytest.raises(error, match=message):
        make()


def test_binary_cross_entropy_by_hand() -> None:
    """BCE at p = 0.8 (t = 1) and p = 0.25 (t = 0): -(log 0.8 + log 0.75) / 2.

    Its gradients are -1/(2p) for t = 1 and 1/(2(1 - p)) for t = 0.
    """
    p1, p2 = Value(0.8), Value(0.25)
    loss = binary_cross_entropy([p1, p2], [1.0, 0.0])
    loss.backward()
    assert loss.data == pytest.approx(-(math.log(0.8) + math.log(0.75)) / 2, rel=1e-15)
    assert p1.grad == pytest.approx(-1 / 0.8 / 2, rel=1e-14)
    assert p2.grad == pytest.approx(1 / 0.75 / 2, rel=1e-14)


def test_binary_cross_entropy_gradcheck_soft_targets() -> None:
    """BCE with soft targets matches central differences."""
    gradcheck(lambda a, b: binary_cross_entropy([a, b], [0.3, 0.9]), [0.4, 0.7])


def test_bce_with_logits_agrees_with_bce_of_sigmoid_and_the_definition() -> None:
    """The stable form gives BCE's number for sigmoid(z), and -(t log s + (1 - t) log(1 - s))."""
    zs, ts = [-2.0, 0.5, 3.0], [0.0, 1.0, 0.25]
    stable = binary_cross_entropy_with_logits(leaves(*zs), ts).data
    naive = binary_cross_entropy([Value(z).sigmoid() for z in zs], ts).data
    assert stable == pytest.approx(naive, rel=1e-14)
    sigmoids = [1 / (1 + math.exp(-z)) for z in zs]  # the definition, in math, not softplus
    by_definition = -math.fsum(
        t * math.log(s) + (1 - t) * math.log(1 - s) for s, t in zip(sigmoids, ts, strict=True)
    )
    assert stable == pytest.approx(by_definition / 3, rel=1e-14)


def test_bce_with_logits_gradient_is_sigmoid_minus_target() -> None:
    """d/dz_i mean(softplus(z) - t z) = (sigmoid(z_i) - t_i) / n."""
    zs = leaves(-1.5, 0.0, 2.0)
    ts = [1.0, 0.0, 1.0]
    binary_cross_entropy_with_logits(zs, ts).backward()
    for z, t in zip(zs, ts, strict=True):
        expected = (1 / (1 + math.exp(-z.data)) - t) / 3
        assert z.grad == pytest.approx(expected, rel=1e-14, abs=FLOAT_EXACT)


def test_bce_with_logits_is_finite_at_extreme_logits() -> None:
    """Logits of ±1000 give finite losses and gradients (the naive form gives inf or nan)."""
    zs = leaves(1000.0, -1000.0)
    with detect_anomaly():
        loss = binary_cross_entropy_with_logits(zs, [0.0, 1.0])
        loss.backward()
    assert loss.data == 1000.0
    assert [z.grad for z in zs] == [0.5, -0.5]


def test_softmax_sums_to_one_and_ignores_a_shift() -> None:
    """Softmax is a probability vector, unchanged when every logit moves by the same amount."""
    zs = [0.3, -1.2, 2.5, 0.0]
    p = [v.data for v in softmax(zs)]
    shifted = [v.data for v in softmax([z + 100.0 for z in zs])]
    assert math.fsum(p) == pytest.approx(1.0, abs=FLOAT_EXACT)
    assert shifted == pytest.approx(p, rel=1e-13)
    expected = [math.exp(z) / sum(math.exp(w) for w in zs) for z in zs]
    assert p == pytest.approx(expected, rel=1e-14)


def test_softmax_temperature_flattens_and_sharpens() -> None:
    """Temperature T divides the logits: T = 2 equals softmax(z / 2); large T tends to uniform."""
    zs = [1.0, 3.0]
    assert [v.data for v in softmax(zs, temperature=2.0)] == pytest.approx(
        [v.data for v in softmax([0.5, 1.5])], rel=1e-15
    )
    # by hand: (0.5, 1.5) differ by 1, so the probabilities are 1 / (1 + e) and e / (1 + e)
    assert [v.data for v in softmax(zs, temperature=2.0)] == pytest.approx(
        [1 / (1 + math.e), math.e / (1 + math.e)], rel=1e-14
    )
    flat = [v.data for v in softmax(zs, temperature=1e6)]
    assert flat == pytest.approx([0.5, 0.5], abs=1e-6)


def test_softmax_jacobian_matches_analytic_form() -> None:
    """d p_i / d z_j = p_i ([i = j] - p_j), the softmax Jacobian."""
    raw = [0.5, -1.0, 2.0]
    zs = leaves(*raw)
    ps = softmax(zs)
    denominator = math.fsum(math.exp(z) for z in raw)
    p = [math.exp(z) / denominator for z in raw]  # in math: the engine's forward is not the oracle
    for i, p_i in enumerate(ps):
        for z in zs:
            z.grad = 0.0
        p_i.backward()
        for j, z in enumerate(zs):
            expected = p[i] * ((i == j) - p[j])
            assert z.grad == pytest.approx(expected, rel=1e-13, abs=FLOAT_EXACT)


def test_log_softmax_is_log_of_softmax() -> None:
    """log_softmax equals log(softmax) where the latter is accurate: the engine's and math's."""
    zs = [0.1, 2.0, -3.0]
    assert [v.data for v in log_softmax(zs)] == pytest.approx(
        [math.log(v.data) for v in softmax(zs)], rel=1e-14
    )
    denominator = math.fsum(math.exp(z) for z in zs)
    assert [v.data for v in log_softmax(zs)] == pytest.approx(
        [math.log(math.exp(z) / denominator) for z in zs], rel=1e-14
    )


def test_log_softmax_gradcheck() -> None:
    """The gradient of one log-probability matches central differences."""
    gradcheck(lambda a, b, c: log_softmax([a, b, c], temperature=0.5)[1], [0.2, -0.4, 1.1])


@pytest.mark.parametrize("target", [0, 1, 2, 3])
def test_cross_entropy_gradient_is_p_minus_onehot(target: int) -> None:
    """d CE / d z_i = softmax(z)_i - [i = target] to float precision."""
    raw = [1.3, -0.7, 0.2, 2.9]
    zs = leaves(*raw)
    cross_entropy(zs, target).backward()
    denominator = math.fsum(math.exp(z) for z in raw)
    for i, z in enumerate(zs):
        p_i = math.exp(raw[i]) / denominator
        assert z.grad == pytest.approx(p_i - (i == target), rel=1e-15, abs=FLOAT_EXACT)


def test_cross_entropy_value_by_hand() -> None:
    """Two equal logits: CE = log 2 whichever the target."""
    assert cross_entropy([Value(5.0), Value(5.0)], 1).data == pytest.approx(math.log(2), rel=1e-15)


def test_cross_entropy_finite_at_logits_pm_1000() -> None:
    """Log-sum-exp keeps logits of ±1000 finite: CE = 2000 wrong, 0 right, grads ±1 and 0."""
    zs = leaves(1000.0, -1000.0)
    with detect_anomaly():
        wrong = cross_entropy(zs, 1)
        wrong.backward()
    assert wrong.data == 2000.0
    assert [z.grad for z in zs] == [1.0, -1.0]
    assert cross_entropy(leaves(1000.0, -1000.0), 0).data == 0.0


def test_cross_entropy_accepts_numpy_int_target() -> None:
    """A numpy integer class index works like an int."""
    np = pytest.importorskip("numpy")
    assert cross_entropy(leaves(0.0, 0.0), np.int64(1)).data == pytest.approx(math.log(2))


@pytest.mark.parametrize(
    ("target", "error", "message"),
    [
        (3, ValueError, r"target 3 is not a class index for 3 logits \(must be 0..2\)"),
        (-1, ValueError, r"target -1 is not a class index"),
        (1.0, TypeError, r"target must be a class index \(int\) or a one-hot sequence of 3 "),
        (True, TypeError, r"target must be a class index \(int\) or .*, got bool True"),
        ("ab", TypeError, r"target must be a class index \(int\) or .*, got str 'ab'"),
        ([0.0, 1.0], ValueError, r"cross_entropy: got 3 predictions and 2 targets"),
        ([0.5, 0.6, 0.0], ValueError, r"must be one-hot .*, got \[0.5, 0.6, 0.0\]"),
        ([-1.0, 1.0, 1.0], ValueError, r"entries >= 0 summing to 1"),
        ([0.0, "1", 0.0], TypeError, r"cross_entropy: target\[1\]: expected a real number"),
    ],
)
def test_cross_entropy_rejects_bad_targets(target: object, error: type, message: str) -> None:
    """A target outside 0..n-1 or not an int raises, naming cross_entropy and the value."""
    with pytest.raises(error, match=message):
        cross_entropy(leaves(1.0, 2.0, 3.0), target)  # type: ignore[arg-type]


def test_hinge_by_hand_and_gradient() -> None:
    """mean(relu(1 - y s)): s = (2, 0.5, -0.5) with y = (1, 1, -1) gives (0 + 0.5 + 0.5) / 3."""
    ss = leaves(2.0, 0.5, -0.5)
    loss = hinge(ss, [1.0, 1.0, -1.0])
    loss.backward()
    assert loss.data == pytest.approx(1 / 3, rel=1e-15)
    assert [s.grad for s in ss] == pytest.approx([0.0, -1 / 3, 1 / 3], rel=1e-15)


def test_l2_penalty_and_gradient() -> None:
    """alpha * sum p^2 with d/dp = 2 alpha p."""
    ps = leaves(3.0, -1.0)
    penalty = l2(ps, alpha=0.1)
    penalty.backward()
    assert penalty.data == pytest.approx(1.0, rel=1e-15)
    assert [p.grad for p in ps] == pytest.approx([0.6, -0.2], rel=1e-15)


def test_losses_touch_no_gradients() -> None:
    """Building a loss leaves every .grad at 0: losses are pure graph construction."""
    zs = leaves(0.5, 1.5)
    cross_entropy(zs, 0)
    mse(zs, [0.0, 0.0])
    hinge(zs, [1.0, -1.0])
    assert [z.grad for z in zs] == [0.0, 0.0]


RAW_LOGITS = [1.3, -0.7, 0.2, 2.9, 2.9, -4.0, 0.0]  # a tie at the top, odd count (unpaired leaf)


@pytest.mark.parametrize("target", range(len(RAW_LOGITS)))
def test_one_hot_cross_entropy_equals_the_index_version(target: int) -> None:
    """A one-hot target gives the index version's loss and gradients to 1e-12."""
    by_index, by_onehot = leaves(*RAW_LOGITS), leaves(*RAW_LOGITS)
    onehot = [float(i == target) for i in range(len(RAW_LOGITS))]
    a, b = cross_entropy(by_index, target), cross_entropy(by_onehot, onehot)
    a.backward()
    b.backward()
    assert b.data == pytest.approx(a.data, rel=1e-12)
    for za, zb in zip(by_index, by_onehot, strict=True):
        assert zb.grad == pytest.approx(za.grad, rel=1e-12, abs=1e-15)


def test_one_hot_cross_entropy_takes_value_targets_and_no_gradient_for_a_one_hot_of_numbers() -> (
    None
):
    """Value targets stay in the graph: d CE / d t_i = -(z_i - max z), from the dot node."""
    zs, ts = leaves(2.0, -1.0, 0.5), leaves(0.0, 0.0, 1.0)
    loss = cross_entropy(zs, ts)
    loss.backward()
    denominator = math.fsum(math.exp(z) for z in (2.0, -1.0, 0.5))
    assert loss.data == pytest.approx(math.log(denominator) - 0.5, rel=1e-15)
    assert [t.grad for t in ts] == pytest.approx([0.0, 3.0, 1.5], rel=1e-15)
    probs = [math.exp(z) / denominator for z in (2.0, -1.0, 0.5)]
    assert [z.grad for z in zs] == pytest.approx([probs[0], probs[1], probs[2] - 1], rel=1e-14)


def test_soft_label_cross_entropy_is_minus_sum_t_log_p() -> None:
    """Soft labels summing to 1: the loss is -sum t_i log softmax(z)_i."""
    raw, soft = [0.3, -1.2, 2.0], [0.25, 0.25, 0.5]
    expected = -math.fsum(t * v.data for t, v in zip(soft, log_softmax(raw), strict=True))
    assert cross_entropy(leaves(*raw), soft).data == pytest.approx(expected, rel=1e-14)


def test_one_hot_cross_entropy_finite_at_logits_pm_1000() -> None:
    """The in-graph max keeps logits of +-1000 finite: CE = 2000 wrong, 0 right, grads +-1."""
    zs = leaves(1000.0, -1000.0)
    with detect_anomaly():
        wrong = cross_entropy(zs, [0.0, 1.0])
        wrong.backward()
    assert wrong.data == 2000.0
    assert [z.grad for z in zs] == [1.0, -1.0]
    assert cross_entropy(leaves(-1000.0, 1000.0), np.array([0.0, 1.0])).data == 0.0


def test_one_hot_cross_entropy_compiles_and_matches_the_index_version() -> None:
    """Compiled on a batch with one-hot targets: the mean loss and gradients of the index form."""
    w = leaves(1.5, -2.0, 0.25, 1000.0)

    def loss(x: Value, onehot: list[Value]) -> Value:
        return cross_entropy([wi * x for wi in w], onehot)

    x = np.array([1.0, -0.5, 2.0, -1.0, 0.001])
    labels = [0, 1, 2, 3, 1]
    onehots = np.eye(4)[labels]
    plan = compile_loss(loss, (x[0], onehots[0]), w, check_every=1)
    compiled = plan.forward_backward((x, onehots))
    compiled_grads = [wi.grad for wi in w]
    for wi in w:
        wi.grad = 0.0
    reference = sum(
        (cross_entropy([wi * xi for wi in w], t) for xi, t in zip(x.tolist(), labels, strict=True)),
        start=Value(0.0),
    ) / len(labels)
    reference.backward()
    assert np.isfinite(compiled)
    assert compiled == pytest.approx(reference.data, rel=1e-12)
    assert compiled_grads == pytest.approx([wi.grad for wi in w], rel=1e-12, abs=1e-15)


def test_graph_max_is_the_largest_value_and_stays_in_the_graph() -> None:
    """graph_max is max() exactly for 1..9 values, one node; gradient 1 at the first largest."""
    rng = np.random.default_rng(0)
    for n in range(1, 10):
        raw = rng.normal(size=n).tolist()
        xs = leaves(*raw)
        top = graph_max(xs)
        top.backward()
        assert top.data == max(raw)
        assert top.op.name == "max"  # one node over them all
        assert [id(p) for p in top.parents] == [id(x) for x in xs]
        assert [x.grad for x in xs] == [float(i == raw.index(max(raw))) for i in range(n)]
    with pytest.raises(ValueError, match=r"graph_max: values is empty"):
        graph_max([])


def test_losses_take_value_targets() -> None:
    """mse, BCE, BCE with logits and hinge accept Value targets and give them gradients."""
    p, t, label = Value(0.75), Value(0.25), Value(-1.0)  # hinge takes labels -1/+1 only
    loss = mse([p], [t]) + binary_cross_entropy([p], [t])
    loss = loss + binary_cross_entropy_with_logits([p], t) + hinge(p, label)
    loss.backward()
    sig = 1 / (1 + math.exp(-0.75))
    expected = (0.75 - 0.25) ** 2 - (0.25 * math.log(0.75) + 0.75 * math.log(0.25))
    expected += math.log1p(math.exp(0.75)) - 0.25 * 0.75 + (1 + 0.75)
    assert loss.data == pytest.approx(expected, rel=1e-14)
    # d/dt: mse -2(p - t); BCE -(log p - log(1 - p)); logits -p
    d_t = -2 * 0.5 - (math.log(0.75) - math.log(0.25)) - 0.75
    assert t.grad == pytest.approx(d_t, rel=1e-14)
    assert label.grad == -0.75  # hinge: d relu(1 - y s)/dy = -s where 1 - y s > 0
    d_p = 2 * 0.5 - (0.25 / 0.75 - 0.75 / 0.25) + (sig - 0.25) + 1.0  # hinge: -y = 1
    assert p.grad == pytest.approx(d_p, rel=1e-14)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (
            lambda: binary_cross_entropy([Value(1.5)], [1.0]),
            r"binary_cross_entropy: probs\[0\] = 1.5 is not in \[0, 1\]; pass "
            r"probabilities \(a sigmoid output\), or raw scores to "
            r"binary_cross_entropy_with_logits",
        ),
        (
            lambda: binary_cross_entropy([Value(0.5), Value(-0.25)], [1.0, 0.0]),
            r"probs\[1\] = -0.25 is not in \[0, 1\]",
        ),
        (
            lambda: binary_cross_entropy([Value(math.nan)], [1.0]),
            r"probs\[0\] = nan is not in \[0, 1\]",
        ),
        (
            lambda: binary_cross_entropy([Value(0.5)], [2.0]),
            r"binary_cross_entropy: targets\[0\] = 2.0 is not in \[0, 1\]; a target is a "
            r"label 0 or 1, or a soft label between them",
        ),
        (
            lambda: binary_cross_entropy([Value(0.5)], [Value(-1.0)]),
            r"binary_cross_entropy: targets\[0\] = -1.0 is not in \[0, 1\]",
        ),
        (
            lambda: binary_cross_entropy_with_logits([Value(3.0)], [2.0]),
            r"binary_cross_entropy_with_logits: targets\[0\] = 2.0 is not in \[0, 1\]",
        ),
        (
            lambda: hinge([Value(2.0), Value(1.0)], [1, 0]),
            r"hinge: targets\[1\] = 0.0 is not a label -1 or \+1; "
            r"for labels 0/1 pass 2 \* y - 1",
        ),
        (lambda: hinge(Value(2.0), Value(0.5)), r"hinge: targets\[0\] = 0.5 is not a label"),
        (
            lambda: l2([Value(1.0)], alpha=-1),
            r"l2 alpha must be a finite number >= 0, got -1",
        ),
        (lambda: l2([Value(1.0)], alpha=math.inf), r"l2 alpha must be a finite number, got inf"),
    ],
)
def test_losses_refuse_values_outside_their_domain(make: Any, message: str) -> None:
    """A BCE probability or target outside [0, 1], a hinge label not +-1, a negative L2 alpha."""
    with pytest.raises(ValueError, match=message):
        make()


def test_binary_cross_entropy_at_the_ends_of_the_interval() -> None:
    """p = 0 or 1 are probabilities: the right side gives 0 (not 0 * log 0 = nan), the wrong inf."""
    ps = [Value(1.0), Value(0.0)]
    loss = binary_cross_entropy(ps, [1.0, 0.0])
    loss.backward()
    assert loss.data == 0.0
    assert [p.grad for p in ps] == [-0.5, 0.5]  # d/dp -log p / 2 = -1/2; -log(1 - p) / 2: +1/2
    assert binary_cross_entropy([Value(0.0)], [1.0]).data == math.inf
    # hard number targets build one term, with the two-term form's value and gradient
    for p_raw, t in [(0.3, 1.0), (0.8, 0.0)]:
        hard, soft = Value(p_raw), Value(p_raw)
        one = binary_cross_entropy([hard], [t])
        both = binary_cross_entropy([soft], [Value(t)])
        one.backward()
        both.backward()
        assert one.data == pytest.approx(both.data, rel=1e-15)
        assert hard.grad == pytest.approx(soft.grad, rel=1e-15)
        # by hand: -log p for t = 1, -log(1 - p) for t = 0; d/dp -1/p and 1/(1 - p)
        q = p_raw if t == 1.0 else 1.0 - p_raw
        assert one.data == pytest.approx(-math.log(q), rel=1e-15)
        assert hard.grad == pytest.approx(-1 / p_raw if t == 1.0 else 1 / q, rel=1e-15)
    assert hinge([Value(0.5), Value(0.5)], [np.int64(1), -1.0]).data == pytest.approx(1.0)
    assert l2([Value(3.0)], alpha=np.float32(0.5)).data == 4.5


def test_compiled_trainer_with_sigmoid_bce_and_hinge_labels_agrees_with_scalar() -> None:
    """The compiled path traces these losses with Value targets: valid labels train as scalar."""
    from autograd.nn import MLP
    from autograd.optim import SGD
    from autograd.train import Trainer

    x = np.array([[-2.0, 0.5], [1.0, 1.0], [0.5, -1.0], [2.0, 2.0]])
    for loss, labels, output in [
        (binary_cross_entropy, np.array([0, 1, 0, 1]), "sigmoid"),
        (hinge, np.array([-1, 1, -1, 1]), "linear"),
    ]:
        runs = []
        for compiled in (False, True):
            model = MLP(2, [3, 1], output_activation=output, seed=4)
            trainer = Trainer(
                model, SGD(model.parameters(), lr=0.1), loss, compile=compiled, progress=False
            )
            runs.append(trainer.fit(x, labels, epochs=3).step_losses)
        np.testing.assert_allclose(runs[1], runs[0], rtol=1e-12)
        model = MLP(2, [3, 1], output_activation=output, seed=4)
        trainer = Trainer(model, SGD(model.parameters(), lr=0.1), loss, compile=True)
        with pytest.raises(ValueError, match=r"targets\[0\] = .* is not"):
            trainer.train_step(x, np.array([5, 1, 0, 1]))  # the traced example's label is bad
