"""The compiled batched plan against the scalar engine, hand-written numpy and worked numbers."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence

import numpy as np
import pytest

from autograd import (
    Value,
    detect_anomaly,
    dot,
    max_values,
    no_grad,
    sum_values,
    topological_order,
    zero_grad,
)
from autograd.compiled import CHECK_EVERY, CompiledLoss, DataDependentGraphError, compile_loss
from autograd.compiled.check import HOW_TO_FIX
from autograd.compiled.groups import VARYING, Accumulate, Dot, grid, grid_view
from autograd.ops import OPS

GRAD_RTOL = 1e-12  # the bar: equal to the scalar engine to 1e-12 relative
FORWARD_RTOL = 1e-13  # a plan may sum in another order than the scalar engine


# --- reference: the scalar engine, one example at a time ------------------------------------------


def scalar_reference(
    fn: Callable[..., Value], columns: Sequence[np.ndarray], params: Sequence[Value]
) -> tuple[np.ndarray, np.ndarray]:
    """Per-example losses and the summed gradient, by the scalar engine example by example."""
    losses = []
    total = np.zeros(len(params))
    for i in range(columns[0].shape[0]):
        zero_grad(params)
        args = [
            Value(float(c[i])) if c.ndim == 1 else [Value(float(v)) for v in c[i]] for c in columns
        ]
        loss = fn(*args)
        loss.backward()
        losses.append(loss.data)
        total += [p.grad for p in params]
    zero_grad(params)
    return np.array(losses), total


def assert_grads_match(compiled: np.ndarray, reference: np.ndarray) -> None:
    """Elementwise relative agreement, with the gradient's scale as the floor for zeros."""
    scale = np.max(np.abs(reference))
    np.testing.assert_allclose(compiled, reference, rtol=GRAD_RTOL, atol=GRAD_RTOL * scale)


def compiled_grads(plan: CompiledLoss, batch: object, params: Sequence[Value]) -> np.ndarray:
    zero_grad(params)
    plan.forward_backward(batch)
    grads = np.array([p.grad for p in params])
    zero_grad(params)
    return grads


# --- the two networks of the issue ----------------------------------------------------------------


def make_mlp(
    sizes: Sequence[int], rng: np.random.Generator
) -> list[list[tuple[list[Value], Value]]]:
    """Layers of neurons (weights, bias) with He-like uniform initialisation."""
    layers = []
    for nin, nout in itertools.pairwise(sizes):
        bound = math.sqrt(6.0 / nin)
        layers.append(
            [
                (
                    [Value(float(w)) for w in rng.uniform(-bound, bound, nin)],
                    Value(float(rng.uniform(-0.1, 0.1))),
                )
                for _ in range(nout)
            ]
        )
    return layers


def mlp_params(layers: list[list[tuple[list[Value], Value]]]) -> list[Value]:
    return [p for layer in layers for w, b in layer for p in (*w, b)]


def mlp_forward(layers: list[list[tuple[list[Value], Value]]], x: list[Value]) -> list[Value]:
    h = x
    for i, layer in enumerate(layers):
        out = [dot(w, h, b) for w, b in layer]
        h = out if i == len(layers) - 1 else [v.relu() for v in out]
    return h


def softmax_cross_entropy(logits: list[Value], onehot: list[Value]) -> Value:
    """-log softmax(logits)[target], with the target one-hot: the same graph for every class."""
    log_total = sum_values([z.exp() for z in logits]).log()
    return log_total - sum_values([t * z for t, z in zip(onehot, logits, strict=True)])


def digits_like(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Random 8x8 'images' with pixel values 0..16 scaled to [0, 1], and one-hot labels."""
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 17, size=(n, 64)) / 16.0
    labels = rng.integers(0, 10, size=n)
    return x, np.eye(10)[labels]


Layers = list[list[tuple[list[Value], Value]]]


@pytest.fixture(scope="module")
def digits_net() -> tuple[Layers, list[Value]]:
    layers = make_mlp([64, 32, 10], np.random.default_rng(1))
    return layers, mlp_params(layers)


def test_digits_network_gradients_equal_scalar_engine(
    digits_net: tuple[Layers, list[Value]],
) -> None:
    """MLP 64-32-10 + softmax cross-entropy: mean loss and gradients equal the scalar engine's."""
    layers, params = digits_net
    x, t = digits_like(12)

    def loss(xs: list[Value], ts: list[Value]) -> Value:
        return softmax_cross_entropy(mlp_forward(layers, xs), ts)

    plan = compile_loss(loss, (x[0], t[0]), params)
    losses, summed = scalar_reference(loss, [x, t], params)
    zero_grad(params)
    mean = plan.forward_backward((x, t))
    assert mean == pytest.approx(losses.mean(), rel=FORWARD_RTOL)
    assert_grads_match(np.array([p.grad for p in params]), summed / len(x))
    np.testing.assert_allclose(plan.forward((x, t)), losses, rtol=FORWARD_RTOL)
    zero_grad(params)


def numpy_digits_grads(
    layers: list[list[tuple[list[Value], Value]]], x: np.ndarray, t: np.ndarray
) -> tuple[float, np.ndarray]:
    """The same network written by hand with numpy matrices: mean loss and gradient."""
    (l1, l2) = layers
    w1 = np.array([[p.data for p in w] for w, _ in l1])
    b1 = np.array([b.data for _, b in l1])
    w2 = np.array([[p.data for p in w] for w, _ in l2])
    b2 = np.array([b.data for _, b in l2])
    n = len(x)
    z1 = x @ w1.T + b1
    h = np.maximum(z1, 0.0)
    z2 = h @ w2.T + b2
    p = np.exp(z2) / np.exp(z2).sum(axis=1, keepdims=True)
    loss = float((np.log(np.exp(z2).sum(axis=1)) - (t * z2).sum(axis=1)).mean())
    dz2 = (p - t) / n
    dz1 = (dz2 @ w2) * (z1 > 0)
    gw1, gb1, gw2, gb2 = dz1.T @ x, dz1.sum(0), dz2.T @ h, dz2.sum(0)
    grads = [
        *(v for j in range(len(l1)) for v in (*gw1[j], gb1[j])),
        *(v for j in range(len(l2)) for v in (*gw2[j], gb2[j])),
    ]
    return loss, np.array(grads)


def test_digits_network_matches_hand_written_numpy_on_a_large_batch(
    digits_net: tuple[Layers, list[Value]],
) -> None:
    """On 1,797 examples the plan agrees with hand-written numpy matrices (independent oracle)."""
    layers, params = digits_net
    x, t = digits_like(1797, seed=2)

    def loss(xs: list[Value], ts: list[Value]) -> Value:
        return softmax_cross_entropy(mlp_forward(layers, xs), ts)

    plan = compile_loss(loss, (x[0], t[0]), params)
    want_loss, want = numpy_digits_grads(layers, x, t)
    got = compiled_grads(plan, (x, t), params)
    assert plan.forward((x, t)).mean() == pytest.approx(want_loss, rel=1e-12)
    np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12 * np.abs(want).max())


def moons_like(n: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    angle = rng.uniform(0, math.pi, n)
    label = rng.integers(0, 2, n)
    x = np.stack([np.cos(angle) + label, np.sin(angle) * (1 - 2 * label) + 0.5 * label], axis=1)
    return x + rng.normal(0, 0.1, x.shape), 2.0 * label - 1.0


def test_moons_network_with_l2_gradients_equal_scalar_engine() -> None:
    """MLP 2-16-16-1, SVM loss + L2 (micrograd's demo): the L2 term runs once, not per example."""
    layers = make_mlp([2, 16, 16, 1], np.random.default_rng(3))
    params = mlp_params(layers)
    x, y = moons_like(25)
    alpha = 1e-4

    def loss(xs: list[Value], target: Value) -> Value:
        score = mlp_forward(layers, xs)[0]
        return (1 + -target * score).relu() + alpha * sum_values([p * p for p in params])

    plan = compile_loss(loss, (x[0], y[0]), params)
    losses, summed = scalar_reference(loss, [x, y], params)
    zero_grad(params)
    mean = plan.forward_backward((x, y))
    assert mean == pytest.approx(losses.mean(), rel=FORWARD_RTOL)
    assert_grads_match(np.array([p.grad for p in params]), summed / len(x))
    zero_grad(params)
    assert "sum x1 of 337 terms" in plan.describe()


# --- every op of the table ------------------------------------------------------------------------

BUILDERS: dict[str, Callable[..., Value]] = {
    "add": lambda a, b: a + b,
    "sub": lambda a, b: a - b,
    "mul": lambda a, b: a * b,
    "div": lambda a, b: a / b,
    "neg": lambda a: -a,
    "pow": lambda a: a**2.5,
    "vpow": lambda a, b: a**b,
    "exp": lambda a: a.exp(),
    "log": lambda a: a.log(),
    "sqrt": lambda a: a.sqrt(),
    "softplus": lambda a: a.softplus(),
    "tanh": lambda a: a.tanh(),
    "sigmoid": lambda a: a.sigmoid(),
    "relu": lambda a: a.relu(),
    "leaky_relu": lambda a: a.leaky_relu(0.125),
    "abs": lambda a: abs(a),
    "sin": lambda a: a.sin(),
    "cos": lambda a: a.cos(),
    "sum": lambda a, b, c: sum_values([a, b, c]),
    "dot": lambda a, b, c, d, e: dot([a, c], [b, d], e),
    "heaviside": lambda a: a.heaviside(),
    "max": lambda a, b, c: max_values([a, b, c]),
}


def test_every_op_of_the_table_has_a_builder() -> None:
    """A new row of the table must be added here, so it gets the one-node tests below."""
    assert set(BUILDERS) == set(OPS)


def _domain_columns(op_name: str, n: int, rng: np.random.Generator) -> list[np.ndarray]:
    sample = OPS[op_name].domain.sample
    return [rng.uniform(lo, hi, n) for lo, hi in sample]


@pytest.mark.parametrize("name", sorted(OPS))
@pytest.mark.parametrize("pattern", ["inputs", "params", "mixed", "scaled"])
def test_one_node_graph_equals_scalar_engine(name: str, pattern: str) -> None:
    """Each op, its arguments varying (inputs), uniform (params), both, or param*input."""
    rng = np.random.default_rng(sorted(OPS).index(name))
    columns = _domain_columns(name, 9, rng)
    arity = len(columns)
    scale = 1.5  # "scaled": p * x with p = 1.5 and x = sample / 1.5 stays inside the domain
    params = [Value(float(c[0]) if pattern != "scaled" else scale) for c in columns]
    build = BUILDERS[name]

    def loss(*xs: Value) -> Value:
        if pattern == "inputs":
            return build(*xs)
        if pattern == "params":
            return build(*params)
        if pattern == "mixed":  # even positions are parameters, odd ones inputs
            return build(
                *(p if k % 2 == 0 else x for k, (p, x) in enumerate(zip(params, xs, strict=True)))
            )
        return build(*(p * x for p, x in zip(params, xs, strict=True)))

    if pattern == "scaled":
        columns = [c / scale for c in columns]
    plan = compile_loss(loss, tuple(c[0] for c in columns), params, reduction="sum")
    losses, summed = scalar_reference(loss, columns, params)
    np.testing.assert_allclose(plan.forward(tuple(columns)), losses, rtol=FORWARD_RTOL)
    got = compiled_grads(plan, tuple(columns), params)
    assert_grads_match(got, summed)
    assert arity == len(plan.inputs)


@pytest.mark.parametrize(
    ("name", "x", "grad"),
    [
        ("relu", 0.0, 0.0),  # PyTorch: relu'(0) = 0
        ("relu", -0.0, 0.0),
        ("leaky_relu", 0.0, 0.125),
        ("abs", 0.0, 0.0),
        ("abs", -3.0, -1.0),
        ("sigmoid", -1000.0, 0.0),
        ("softplus", 1000.0, 1.0),
    ],
)
def test_kinks_and_extremes_follow_the_table(name: str, x: float, grad: float) -> None:
    """At kinks and far out, d op(x + p)/dp at p = 0 is the table's convention, worked by hand."""
    p = Value(0.0)
    plan = compile_loss(lambda v: BUILDERS[name](v + p), 0.5, [p], reduction="sum")
    assert compiled_grads(plan, np.array([x]), [p])[0] == grad
    assert plan.forward(np.array([x]))[0] == BUILDERS[name](Value(x)).data


def test_out_of_domain_gives_ieee_results_like_the_scalar_engine() -> None:
    """log(0) = -inf, log(-1) = nan, 1/0 = inf: the scalar engine's numbers, and no warning."""
    plan = compile_loss(lambda a, b: a.log() + 1.0 / b, (1.0, 1.0), [], check_every=0)
    a, b = np.array([0.0, -1.0, 2.0]), np.array([1.0, 1.0, 0.0])
    want = [(Value(x).log() + 1.0 / Value(y)).data for x, y in zip(a, b, strict=True)]
    np.testing.assert_array_equal(plan.forward((a, b)), want)


def test_a_batch_whose_losses_are_inf_and_minus_inf_gives_nan_silently_and_its_gradient() -> None:
    """inf + -inf is nan, as the scalar engine's float sum gives it: no RuntimeWarning (an
    error under ``-W error``, and this suite's), and the gradient is still added."""
    w = Value(math.inf)
    plan = compile_loss(lambda x: w * x, 1.0, [w])
    w.grad = 0.0
    loss = plan.forward_backward(np.array([1.0, -1.0, 4.0]))  # the losses: inf, -inf, inf
    assert math.isnan(loss)
    assert math.isnan(sum_values([w * 1.0, w * -1.0, w * 4.0]).data)  # the scalar engine's
    assert w.grad == (1.0 - 1.0 + 4.0) / 3  # d/dw of the mean: the mean of x
    v = Value(2.0)
    plan = compile_loss(lambda x: w * x * v, 1.0, [v])  # d/dv = w * x = -inf at x = -1
    v.grad = math.inf  # an old inf plus a new -inf is nan too, silently
    assert plan.forward_backward(np.array([-1.0])) == -math.inf
    assert math.isnan(v.grad)


# --- structure ------------------------------------------------------------------------------------


def test_shared_nodes_and_repeated_parents_accumulate_every_contribution() -> None:
    """x*x, p*p, a weight used twice in one dot, one node feeding a whole group: all add up."""
    p, q = Value(0.5), Value(-2.0)

    def loss(x: list[Value]) -> Value:
        shared = x[0] * p  # feeds every node of the next group
        terms = [shared * x[i] for i in range(3)] + [x[1] * x[1], p * p]
        return sum_values(terms) + dot([q, q, p], [x[0], x[1], shared], q)

    columns = [np.array([[1.0, 2.0, 3.0], [-1.0, 0.5, 4.0], [0.25, -2.0, 1.0]])]
    plan = compile_loss(loss, columns[0][0], [p, q], reduction="sum")
    _, summed = scalar_reference(loss, columns, [p, q])
    assert_grads_match(compiled_grads(plan, columns[0], [p, q]), summed)


def test_hand_worked_mean_and_sum() -> None:
    """L = (w x - y)^2 at w = 3 on (1, 1), (2, 4): losses 4, 4; dL/dw = 4, 8, worked by hand."""
    w = Value(3.0)
    batch = (np.array([1.0, 2.0]), np.array([1.0, 4.0]))
    mean = compile_loss(lambda x, y: (w * x - y) ** 2, (0.0, 0.0), [w])
    assert mean.forward_backward(batch) == 4.0
    assert w.grad == 6.0
    total = compile_loss(lambda x, y: (w * x - y) ** 2, (0.0, 0.0), [w], reduction="sum")
    assert total.forward_backward(batch) == 8.0
    assert w.grad == 6.0 + 12.0  # gradients add into .grad, as backward() does


def test_parameters_are_read_at_every_call() -> None:
    """An optimizer's step between calls changes the plan's result."""
    w = Value(1.0)
    plan = compile_loss(lambda x: w * x, 1.0, [w])
    assert plan.forward_backward(np.array([2.0])) == 2.0
    w.data = 5.0
    assert plan.forward_backward(np.array([2.0])) == 10.0
    assert w.grad == 4.0


def test_traced_graph_is_an_ordinary_value_graph() -> None:
    """The plan keeps the traced loss: a Value graph the scalar engine can walk and backprop."""
    w = Value(2.0)
    plan = compile_loss(lambda x: (w * x[0]).tanh() + x[1], [0.5, 1.0], [w])
    assert plan.graph.data == pytest.approx(math.tanh(1.0) + 1.0, rel=1e-15)
    assert {n.op.name for n in topological_order(plan.graph) if n.op} == {"mul", "tanh", "add"}
    plan.graph.backward()
    assert w.grad == pytest.approx(0.5 / math.cosh(1.0) ** 2, rel=1e-15)


def test_same_op_nodes_of_one_level_run_as_one_call() -> None:
    """A dense layer of 32 neurons is one matrix product, its 32 relus one call."""
    layers = make_mlp([64, 32, 10], np.random.default_rng(0))
    x, t = digits_like(1)
    plan = compile_loss(
        lambda xs, ts: softmax_cross_entropy(mlp_forward(layers, xs), ts),
        (x[0], t[0]),
        mlp_params(layers),
    )
    text = plan.describe()
    assert "dot x32 of fan-in 64: one W @ X (dense)" in text
    assert "relu x32: one elementwise call" in text
    assert "dot x10 of fan-in 32: one W @ X (dense)" in text
    assert "exp x10: one elementwise call" in text


# --- reads of an input's number: refused when tracing ---------------------------------------------


def test_python_if_on_data_is_refused_when_tracing() -> None:
    """A branch on x.data is refused by compile_loss itself: the input, the read and the fix."""
    w = Value(2.0)
    with pytest.raises(DataDependentGraphError) as caught:
        compile_loss(lambda x: w * x if x.data > 0 else w - x, 1.0, [w])
    assert str(caught.value) == (
        "compile_loss: the function reads the number of its input in0 (`in0.data`) while it is "
        f"traced, so its graph may depend on the data; {HOW_TO_FIX}"
    )


@pytest.mark.parametrize(
    ("fn", "example", "named"),
    [
        (lambda x, t: x * [x, -x][int(t.data)], (1.0, 0.0), "in1 (`in1.data`)"),
        (lambda x: x * (x - x.data), 1.0, "in0 (`in0.data`)"),
        (lambda x: x * float(x), 1.0, "in0 (`float(in0)`)"),
        (lambda x: x * x.detach(), 1.0, "in0 (`in0.detach()`)"),
        (lambda x: x if x > 0 else -x, 1.0, "in0 (`in0 > 0`)"),
        (lambda x: x if 0.5 <= x else -x, 1.0, "in0 (`in0 >= 0.5`)"),  # noqa: SIM300  # x.__ge__
        (
            lambda x: x[0] if x[0] < x[1] else x[1],
            [1.0, 2.0],
            "inputs in0[0] (`in0[0] < in0[1]`), in0[1] (`in0[0] < in0[1]`)",
        ),
        (lambda x, t: x * 2.0 if t[1].data == 1.0 else x, (1.0, [1.0, 0.0]), "in1[1] (`in1[1]"),
        (lambda x: x[0] * max(v.data for v in x), [1.0] * 5, "in0[2] (`in0[2].data`) and 2 more"),
    ],
    ids=["index", "constant", "float", "detach", "gt", "reflected", "pair", "class", "many"],
)
def test_reads_of_an_input_are_refused_naming_the_input_and_the_read(
    fn: Callable[..., Value], example: object, named: str
) -> None:
    """An index, a constant, float(), detach() or a comparison taken from an input: refused."""
    with pytest.raises(DataDependentGraphError, match=r"^compile_loss: the function reads") as err:
        compile_loss(fn, example, [])
    assert named in str(err.value)


def test_only_the_inputs_the_function_reads_are_named() -> None:
    """A branch on x[1]: x[1] is named, x[0] (read by the engine only) is not."""
    w = Value(1.0)
    with pytest.raises(DataDependentGraphError) as caught:
        compile_loss(lambda x: w * x[0] if x[1].data <= 3.0 else w * x[0] * 2.0, [0.5, 0.5], [w])
    message = str(caught.value)
    assert "reads the number of its input in0[1] (`in0[1].data`) while" in message
    assert "in0[0]" not in message


def test_reads_that_build_no_graph_are_not_refused() -> None:
    """Printing an input, an op on it whose result is dropped, a parameter's number: accepted."""
    w = Value(2.0)

    def loss(x: Value) -> Value:
        repr(x), x * 3.0, sum_values([x, x]), w.data  # reads that shape nothing
        return w * x

    plan = compile_loss(loss, 1.0, [w])
    assert plan.forward(np.array([1.0, -2.0])).tolist() == [2.0, -4.0]


def test_losses_check_value_targets_without_refusal_and_still_refuse_bad_ones() -> None:
    """cross_entropy, the BCEs and hinge check Value targets: no read, but a bad target raises."""
    from autograd.losses import (
        binary_cross_entropy,
        binary_cross_entropy_with_logits,
        cross_entropy,
        hinge,
    )

    w = Value(0.5)
    losses: list[tuple[Callable[[Value, list[Value]], Value], object, object]] = [
        (lambda x, t: cross_entropy([w * x, -w * x], t), [0.0, 1.0], [0.5, 0.6]),
        (lambda x, t: binary_cross_entropy([(w * x).sigmoid()], t), [1.0], [2.0]),
        (lambda x, t: binary_cross_entropy_with_logits([w * x], t), [0.0], [-1.0]),
        (lambda x, t: hinge([w * x], t), [-1.0], [0.5]),
    ]
    for fn, good, bad in losses:
        plan = compile_loss(fn, (1.0, good), [w])
        targets = np.array([good, good])
        expected, _ = scalar_reference(fn, [np.array([1.0, 2.0]), targets], [w])
        np.testing.assert_allclose(plan.forward((np.array([1.0, 2.0]), targets)), expected)
        with pytest.raises(ValueError, match=r"must be one-hot|not in \[0, 1\]|not a label"):
            compile_loss(fn, (1.0, bad), [w])


# --- branches on intermediate numbers and on state: the re-checks ---------------------------------


def test_python_if_on_an_intermediate_is_caught_by_the_first_call() -> None:
    """A branch on (w x).data, taken otherwise by the batch: the first call's check raises."""
    w = Value(2.0)
    plan = compile_loss(lambda x: w * x if (w * x).data > 0 else w + x, 1.0, [w])
    with pytest.raises(DataDependentGraphError, match=r"the graph of example 0 differs .* `add`"):
        plan.forward_backward(np.array([-1.0, -2.0, -3.0]))
    assert w.grad == 0.0  # nothing was added


def test_index_chosen_by_an_intermediate_is_detected() -> None:
    """An argmax by hand (logits[0] if it is the larger) wires a different node per class."""
    w = [Value(1.0), Value(-1.0)]

    def loss(x: Value) -> Value:
        logits = [wi * x for wi in w]
        picked = logits[0] if logits[0].data > logits[1].data else logits[1]
        return sum_values([z.exp() for z in logits]).log() - picked

    plan = compile_loss(loss, 1.0, w, check_every=1)
    with pytest.raises(
        DataDependentGraphError, match=r"at node \d+ of \d+ \(in topological order\)"
    ):
        plan.forward_backward(np.array([-1.0, -2.0]))


def test_number_taken_from_an_intermediate_as_a_constant_is_detected() -> None:
    """h - h.data enters the graph as a constant fixed at tracing: detected on another example."""
    w = Value(1.0)

    def loss(x: Value) -> Value:
        h = w * x
        return h - h.data

    plan = compile_loss(loss, 1.0, [w])
    with pytest.raises(
        DataDependentGraphError, match=r"here the constant 3.0, when traced the constant 1.0"
    ):
        plan.forward_backward(np.array([3.0]))


def test_loop_length_from_an_intermediate_is_detected() -> None:
    """A loop whose length depends on an intermediate number changes the number of nodes."""
    w = Value(1.0)

    def loss(x: Value) -> Value:
        out = w * x
        for _ in range(int(out.data)):
            out = out * w
        return out

    plan = compile_loss(loss, 1.0, [w])
    with pytest.raises(
        DataDependentGraphError, match=r"at node 1 of 4 .*: here a parameter, when traced input 0"
    ):
        plan.forward_backward(np.array([2.0]))


def test_check_every_zero_skips_the_check() -> None:
    """check_every=0 trusts the caller: no rebuild (documented, for graphs known to be fixed)."""
    w = Value(2.0)
    plan = compile_loss(lambda x: w * x if (w * x).data > 0 else w + x, 1.0, [w], check_every=0)
    assert plan.forward_backward(np.array([-1.0])) == -2.0  # the traced branch, applied


def test_check_every_k_checks_one_example_every_k_calls() -> None:
    """check_every=3 rebuilds the graph on calls 0, 3 and 6 of seven."""
    w = Value(2.0)
    plan = compile_loss(lambda x: w * x, 1.0, [w], check_every=3)
    for _ in range(7):
        plan.forward_backward(np.array([1.0, 2.0]))
    assert (plan.calls, plan.checks) == (7, 3)


def test_default_checks_the_first_call_and_then_every_check_every_th() -> None:
    """By default calls 0, CHECK_EVERY, 2 CHECK_EVERY, ... are checked: the first one at once."""
    w = Value(2.0)
    plan = compile_loss(lambda x: w * x, 1.0, [w])
    assert plan.check_every == CHECK_EVERY
    for _ in range(2 * CHECK_EVERY + 1):
        plan.forward(np.array([1.0, 2.0]))
    assert (plan.calls, plan.checks) == (2 * CHECK_EVERY + 1, 3)
    branchy = compile_loss(lambda x: w * x if (w * x).data > 0 else w - x, 1.0, [w])
    with pytest.raises(DataDependentGraphError, match=r"here `sub` of 2 inputs, when traced `mul`"):
        branchy.forward(np.array([-1.0]))


def test_checks_take_the_examples_of_the_batch_in_turn() -> None:
    """The n-th check rebuilds example n (mod the batch size): odd example 2 at the third call."""
    w = Value(2.0)

    def loss(x: Value) -> Value:
        return w * x if (w * x).data > 0 else w - x

    batch = np.array([1.0, 2.0, -3.0, 4.0])
    for _ in range(2):  # the same calls give the same checks: nothing depends on the clock
        plan = compile_loss(loss, 1.0, [w], check_every=1)
        plan.forward(batch)
        plan.forward(batch)
        with pytest.raises(DataDependentGraphError, match=r"the graph of example 2 differs"):
            plan.forward(batch)
        assert (plan.calls, plan.checks) == (3, 3)
    plan = compile_loss(loss, 1.0, [w], check_every=2)
    for _ in range(6):  # checks on calls 0, 2, 4 take examples 0, 1, 0 of a batch of 2
        plan.forward(batch[:2])
    assert plan.checks == 3


# --- bad input ------------------------------------------------------------------------------------


def test_batch_of_the_wrong_shape_is_refused() -> None:
    w = Value(1.0)
    plan = compile_loss(lambda x, y: w * x[0] * x[1] - y, ([1.0, 2.0], 0.0), [w])
    with pytest.raises(ValueError, match=r"argument 0 must have shape \(batch, 2\), got \(3, 3\)"):
        plan.forward_backward((np.zeros((3, 3)), np.zeros(3)))
    with pytest.raises(ValueError, match=r"takes 2 argument\(s\), got a batch of 1"):
        plan.forward_backward(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"the same number \(> 0\) of examples, got \[3, 4\]"):
        plan.forward_backward((np.zeros((3, 2)), np.zeros(4)))


def test_autograd_nn_mlp_compiles_and_matches_the_scalar_engine() -> None:
    """An autograd.nn.MLP (fused dot neurons) with a one-hot cross-entropy compiles as is."""
    nn = pytest.importorskip("autograd.nn")
    model = nn.MLP(8, [6, 3], seed=0)
    params = model.parameters()
    rng = np.random.default_rng(5)
    x, t = rng.normal(size=(7, 8)), np.eye(3)[rng.integers(0, 3, 7)]

    def loss(xs: list[Value], ts: list[Value]) -> Value:
        return softmax_cross_entropy(model(xs), ts)

    plan = compile_loss(loss, (x[0], t[0]), params, check_every=1)
    losses, summed = scalar_reference(loss, [x, t], params)
    assert_grads_match(compiled_grads(plan, (x, t), params), summed / len(x))
    np.testing.assert_allclose(plan.forward((x, t)), losses, rtol=FORWARD_RTOL)


def stable_cross_entropy(logits: list[Value], onehot: list[Value]) -> Value:
    """Log-sum-exp shifted by the largest logit computed in the graph: max(a, b) = b + relu(a - b).

    A shift read from ``.data`` would be a constant that differs per example (refused by the
    check); this one is a node, the same graph for every example, and exact in value.
    """
    tops = list(logits)
    while len(tops) > 1:  # a balanced tree: 4 levels for 10 logits, each level one numpy call
        pairs = [b + (a - b).relu() for a, b in zip(tops[0::2], tops[1::2], strict=False)]
        tops = pairs + tops[len(pairs) * 2 :]
    shifted = [z - tops[0] for z in logits]
    return sum_values([s.exp() for s in shifted]).log() - dot(onehot, shifted)


def test_graph_max_shift_keeps_cross_entropy_finite_at_1000_and_compiles() -> None:
    """Logits of +-1000 give a finite loss and the scalar engine's gradients, compiled."""
    w = [Value(1000.0), Value(-1000.0), Value(3.0)]

    def loss(x: Value, onehot: list[Value]) -> Value:
        return stable_cross_entropy([wi * x for wi in w], onehot)

    x = np.array([1.0, -1.0, 0.5])
    t = np.eye(3)[[1, 0, 2]]
    plan = compile_loss(loss, (x[0], t[0]), w, check_every=1)
    losses, summed = scalar_reference(loss, [x, t], w)
    assert np.isfinite(losses).all()
    np.testing.assert_allclose(plan.forward((x, t)), losses, rtol=FORWARD_RTOL)
    assert_grads_match(compiled_grads(plan, (x, t), w), summed / len(x))
    assert plan.forward((x, t))[0] == pytest.approx(2000.0, rel=1e-15)  # worked: 1000 - (-1000)


def test_dropout_in_training_mode_is_detected() -> None:
    """A dropout mask drawn at tracing would be reused for every example: the check refuses it."""
    nn = pytest.importorskip("autograd.nn")
    model = nn.MLP(4, [16, 1], dropout=0.5, seed=0)
    plan = compile_loss(lambda x: model(x), [0.1, 0.2, 0.3, 0.4], model.parameters())
    with pytest.raises(DataDependentGraphError, match=r"here the constant .*, when traced"):
        plan.forward(np.ones((3, 4)))


def test_traced_graph_draws_with_draw_dot() -> None:
    """The pictures work on the traced graph: it is the ordinary graph of one example."""
    viz = pytest.importorskip("autograd.viz")
    w = Value(2.0, label="w")
    plan = compile_loss(lambda x: (w * x[0]).relu() + x[1], [0.5, 1.0], [w])
    source = viz.draw_dot(plan.graph).source
    assert "relu" in source
    assert "in0[1]" in source  # the input leaves are labelled by argument and position


def test_loss_that_ignores_the_inputs_counts_once_per_example() -> None:
    """L = w*w at w = 3 on 3 examples: mean 9 with dL/dw = 6; sum 27 with 18 (worked by hand)."""
    w, unused = Value(3.0), Value(1.0)
    batch = np.zeros(3)
    assert compile_loss(lambda x: w * w, 0.0, [w, unused]).forward_backward(batch) == 9.0
    assert (w.grad, unused.grad) == (6.0, 0.0)
    zero_grad([w])
    plan = compile_loss(lambda x: w * w, 0.0, [w], reduction="sum")
    assert plan.forward_backward(batch) == 27.0
    assert w.grad == 18.0
    assert plan.forward(batch).tolist() == [9.0, 9.0, 9.0]
    zero_grad([w])
    assert compile_loss(lambda x: w, 0.0, [w]).forward_backward(batch) == 3.0  # a bare leaf
    assert w.grad == 1.0


# --- Values made outside the function, and traces inside no_grad ---------------------------------


def test_value_made_outside_the_function_is_read_at_every_call() -> None:
    """b is not a parameter: after b.data = 100 the plan gives the scalar engine's 102, not 5."""
    a, b = Value(2.0), Value(3.0)
    plan = compile_loss(lambda x: a * x + b, 1.0, [a], check_every=1)
    b.data = 100.0
    assert plan.forward(np.array([1.0])).tolist() == [102.0]  # 2 * 1 + 100, worked by hand
    assert (a * Value(1.0) + b).data == 102.0  # the scalar engine agrees


def test_outside_value_enters_value_and_gradient_like_the_scalar_engine() -> None:
    """tanh(a x + b) after b.data changes: losses and d/da equal the scalar engine; b gets none."""
    a, b = Value(0.5), Value(0.25)

    def loss(x: Value) -> Value:
        return (a * x + b).tanh()

    plan = compile_loss(loss, 1.0, [a], check_every=1, reduction="sum")
    x = np.array([1.0, -2.0, 0.5])
    b.data = -1.5
    losses, summed = scalar_reference(loss, [x], [a])
    np.testing.assert_allclose(plan.forward(x), losses, rtol=FORWARD_RTOL)
    b.grad = 0.0
    assert_grads_match(compiled_grads(plan, x, [a]), summed)
    assert b.grad == 0.0  # documented: only params receive gradients
    worked = sum(xi / math.cosh(0.5 * xi - 1.5) ** 2 for xi in x)  # d/da tanh(a x + b)
    assert summed[0] == pytest.approx(worked, rel=1e-14)


def test_outside_value_swapped_for_another_object_is_detected() -> None:
    """Once a check sees c made outside, a graph that puts another object there is refused."""
    w, c = Value(1.0), Value(5.0)
    plan = compile_loss(lambda x: w * x * (c if (w * x).data > 0 else Value(5.0)), 1.0, [w])
    plan.check(np.array([2.0]), 0)  # c again: recorded as made outside
    with pytest.raises(
        DataDependentGraphError,
        match=r"here the constant 5.0, when traced the Value made outside the function",
    ):
        plan.check(np.array([-2.0]), 0)


def test_op_node_made_outside_is_recomputed_from_its_leaves() -> None:
    """c = k * 2 made before tracing: after k.data = 5 the plan uses c = 10 (documented)."""
    w, k = Value(1.0), Value(3.0)
    c = k * 2.0
    plan = compile_loss(lambda x: w * x + c, 0.0, [w])
    k.data = 5.0
    assert plan.forward(np.array([1.0])).tolist() == [11.0]  # 1 * 1 + 5 * 2


def test_constant_taken_from_a_parameter_is_blamed_on_the_parameter_not_the_data() -> None:
    """w * x + w.data: once w changes the check says the parameters, not the example, differ."""
    w = Value(1.0)
    plan = compile_loss(lambda x: w * x + w.data, 1.0, [w], check_every=1)
    plan.forward(np.array([2.0]))  # w unchanged: the same graph
    w.data = 3.0
    with pytest.raises(
        DataDependentGraphError,
        match=r"here the constant 3.0, when traced the constant 1.0; rebuilt on the example it "
        r"was traced on, the graph differs as well, so the difference comes not from the data "
        r"but from the parameters",
    ):
        plan.forward(np.array([2.0]))


def test_compiling_and_running_inside_no_grad_still_trace_a_graph() -> None:
    """no_grad() records no nodes; a plan traces anyway (it runs its own forward and backward)."""
    w = Value(2.0)
    with no_grad():
        plan = compile_loss(lambda x: w * x, 1.0, [w])
        assert plan.forward(np.array([1.0, 3.0])).tolist() == [2.0, 6.0]
    assert plan.forward_backward(np.array([1.0, 3.0])) == 4.0
    assert w.grad == 2.0  # mean of x, worked by hand


# --- detect_anomaly -------------------------------------------------------------------------------


def test_detect_anomaly_names_the_op_example_and_inputs_in_forward() -> None:
    """log(w v) at v = -1 is nan: raised at the log group, naming example 1 and x = -1.0."""
    w = Value(1.0, label="w")
    plan = compile_loss(lambda v: (w * v).log(), 1.0, [w], check_every=0)
    batch = np.array([1.0, -1.0])
    assert math.isnan(plan.forward_backward(batch))  # IEEE results outside detect_anomaly
    w.grad = 0.0
    with (
        detect_anomaly(),
        pytest.raises(
            FloatingPointError,
            match=r"^log produced nan at example 1 from x=-1.0; log is defined for x > 0 "
            r"\(node 3 of 4 ",
        ),
    ):
        plan.forward_backward(batch)
    assert w.grad == 0.0
    with detect_anomaly(), pytest.raises(FloatingPointError, match=r"^log produced nan from x=-1"):
        (w * Value(-1.0)).log()  # the scalar engine's wording, for comparison


def test_detect_anomaly_in_backward_names_the_node_and_the_example() -> None:
    """sqrt(w v) at v = 0 is finite, its derivative inf: raised in backward at example 1."""
    w = Value(1.0)

    def loss(v: Value) -> Value:
        root = (w * v).sqrt()
        root.label = "root"
        return root

    plan = compile_loss(loss, 1.0, [w], check_every=0)
    with (
        detect_anomaly(),
        pytest.raises(
            FloatingPointError,
            match=r"backward through sqrt node 'root' at example 1 gave d out/d input0 = inf "
            r"times upstream 0.5, from inputs x=0.0; sqrt is defined for x >= 0",
        ),
    ):
        plan.forward_backward(np.array([4.0, 0.0]))
    assert w.grad == 0.0


def test_detect_anomaly_in_a_node_of_parameters_only_says_every_example() -> None:
    """log(w) with w = -1 reads no example: the message says so and names the parameter."""
    w = Value(-1.0, label="w")
    plan = compile_loss(lambda v: w.log() * v, 1.0, [w], check_every=0)
    with (
        detect_anomaly(),
        pytest.raises(
            FloatingPointError, match=r"log produced nan for every example .* from x=-1.0 \('w'\)"
        ),
    ):
        plan.forward(np.array([1.0, 2.0]))


def test_detect_anomaly_passes_finite_batches_unchanged() -> None:
    """Without a nan or inf the checked path gives the same loss and gradient."""
    w = Value(3.0)
    plan = compile_loss(lambda x: (w * x - 1.0) ** 2, 0.0, [w])
    with detect_anomaly():
        assert plan.forward_backward(np.array([1.0, 2.0])) == 14.5
    assert w.grad == 12.0


# --- bad input, named -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("batch", "error", "message"),
    [
        (np.array([[1.0 + 2.0j, 0.0]]), TypeError, r"argument 0 holds complex numbers"),
        ([[1.0, 2.0], [None, 0.0]], TypeError, r"argument 0, example 1, entry 0: got None"),
        (np.array([["a", "b"]]), TypeError, r"argument 0 must hold real numbers, got .* dtype"),
        ([[1.0, 2.0], [3.0]], ValueError, r"argument 0 is ragged: example 0 has length 2 and exa"),
        (
            [[1.0, 10**400]],
            ValueError,
            r"argument 0, example 0, entry 1: int 1000.* is beyond the",
        ),
        (
            [[1.0, 2.0], [0.0, math.nan]],
            ValueError,
            r"argument 0, example 1, entry 1 is nan: nan or inf",
        ),
        (
            [[Value(1.0), 2.0]],
            TypeError,
            r"argument 0, example 0, entry 0: got a Value \(Value\(data=1.0.*v\.data",
        ),
    ],
)
def test_bad_batches_are_refused_naming_argument_example_and_entry(
    batch: object, error: type[Exception], message: str
) -> None:
    w = Value(1.0)
    plan = compile_loss(lambda x: w * x[0] + x[1], [1.0, 2.0], [w])
    with pytest.raises(error, match=r"^forward_backward: " + message):
        plan.forward_backward(batch)
    assert w.grad == 0.0


def test_infinite_target_is_refused_in_the_second_argument() -> None:
    w = Value(1.0)
    plan = compile_loss(lambda x, y: (w * x - y) ** 2, (1.0, 0.0), [w])
    with pytest.raises(ValueError, match=r"^forward: argument 1, example 2 is inf"):
        plan.forward((np.zeros(3), np.array([0.0, 1.0, math.inf])))


W = Value(1.0)
GOOD: dict[str, object] = {"fn": lambda x: W * x, "example": 1.0, "params": [W]}
"""Arguments compile_loss accepts; each row of the table below spoils one or two of them."""


@pytest.mark.parametrize(
    ("change", "error", "message"),
    [
        ({"fn": 3}, TypeError, r"compile_loss: fn must be the loss .*, got int 3"),
        ({"fn": lambda x: 2.0}, TypeError, r"must return a Value \(the loss\), got 2.0"),
        ({"params": [W * 2]}, TypeError, r"params\[0\] must be a leaf Value"),
        ({"example": [[1.0, 2.0], [3.0, 4.0]]}, ValueError,
         r"a flat list of numbers, got an array of shape \(2, 2\)"),
        ({"fn": lambda x, y: W * y, "example": ([], 0.0)}, ValueError,
         r"argument 0 of the example is an empty list"),
        ({"fn": lambda x, y: W * y, "example": ([1.0], [None])}, TypeError,
         r"argument 1 of the example, entry 0: got None"),
        ({"reduction": "avg"}, ValueError,
         r"unknown reduction 'avg' \(must be one of \['mean', 'sum'\]\)"),
        ({"check_every": True}, TypeError,
         r"^compile_loss: check_every must be an int >= 0, got bool True$"),
        ({"check_every": 1.5}, TypeError, r"check_every must be an int >= 0, got float 1.5"),
        ({"check_every": None}, TypeError, r"check_every must be an int >= 0, got NoneType None"),
        ({"check_every": -1}, ValueError,
         r"^compile_loss: check_every must be an int >= 0, got -1$"),
    ],
    ids=["fn", "returns", "params", "nested", "empty", "None", "reduction", "check_every-bool",
         "check_every-float", "check_every-None", "check_every-negative"],
)  # fmt: skip
def test_bad_arguments_to_compile_loss_are_refused(
    change: dict[str, object], error: type[Exception], message: str
) -> None:
    """Each wrong kind (TypeError) or value (ValueError) is named, with what is allowed."""
    args = {**GOOD, **change}
    with pytest.raises(error, match=message):
        compile_loss(args.pop("fn"), args.pop("example"), args.pop("params"), **args)  # type: ignore[arg-type]


def test_check_of_an_example_out_of_range_is_refused() -> None:
    plan = compile_loss(lambda x: W * x, 1.0, [W])
    with pytest.raises(ValueError, match=r"check: example 3 is out of range for a batch of 2"):
        plan.check(np.zeros(2), 3)
    with pytest.raises(TypeError, match=r"check: example must be an int >= 0, got float 1.0"):
        plan.check(np.zeros(2), 1.0)  # type: ignore[arg-type]


def test_describe_names_a_dot_of_two_varying_rows() -> None:
    """cross_entropy's dot(onehot, shifted) pairs two varying rows: its 10 pairs are named."""
    from autograd.losses import cross_entropy

    layers = make_mlp([4, 10], np.random.default_rng(0))
    plan = compile_loss(
        lambda x, t: cross_entropy(mlp_forward(layers, x), t),
        ([0.0] * 4, [1.0] + [0.0] * 9),
        mlp_params(layers),
    )
    text = plan.describe()
    assert "dot x1 of fan-in 10: one product-and-sum in the scalar engine's order" in text
    assert "dot x10 of fan-in 4: one W @ X (dense)" in text
    assert "fan-in 0" not in text


def test_swapped_inputs_or_parameters_among_a_dots_leaves_are_detected() -> None:
    """The re-check compares a node's leaf parents in one C call; a swap must still be named.

    Inputs put in the order of an intermediate number, and a weight chosen by one: example 1
    (x = [3, 1]) reverses the traced order and picks the other weight.
    """
    w, u, v = Value(2.0, label="w"), Value(1.0, label="u"), Value(-1.0, label="v")

    def by_size(x: list[Value]) -> Value:
        first, second = sorted(x, key=lambda xi: (w * xi).data)
        return dot([w, u], [first, second], u)  # no constant: every parent is ours or an input

    plan = compile_loss(by_size, [1.0, 3.0], [w, u])
    plan.forward(np.array([[1.0, 3.0], [3.0, 1.0]]))  # call 0 checks example 0: alike
    with pytest.raises(DataDependentGraphError, match=r"here input 0, when traced input 1"):
        plan.check(np.array([[1.0, 3.0], [3.0, 1.0]]), 1)

    def chosen(x: list[Value]) -> Value:
        weight = u if (w * x[0]).data < (w * x[1]).data else v
        return dot([w, weight], x, w)

    plan = compile_loss(chosen, [1.0, 3.0], [w, u, v])
    plan.check(np.array([[1.0, 3.0], [3.0, 1.0]]), 0)  # the traced branch: nothing to say
    with pytest.raises(
        DataDependentGraphError, match=r"here a parameter 'v', when traced a parameter 'u'"
    ):
        plan.check(np.array([[1.0, 3.0], [3.0, 1.0]]), 1)


# --- the stores a plan keeps between calls, and the views its groups read -------------------------


@pytest.mark.parametrize("shape", [(5,), (3, 4), (2, 3, 2)])
def test_rows_found_to_be_a_grid_are_read_and_added_into_through_views(
    shape: tuple[int, ...],
) -> None:
    """Random first rows and steps: the view holds what fancy indexing gathers, and adding into
    it adds into those rows of the store."""
    rng = np.random.default_rng(len(shape))
    for _ in range(20):
        steps = tuple(int(s) for s in rng.integers(0, 4, len(shape)))
        first = int(rng.integers(0, 5))
        rows = first + np.tensordot(np.array(steps), np.indices(shape), 1)
        found = grid(rows)
        assert found is not None
        store = rng.standard_normal((int(rows.max()) + 1, 3))
        np.testing.assert_array_equal(grid_view(store, found, shape, column=False), store[rows])
        np.testing.assert_array_equal(grid_view(store, found, shape, column=True), store[rows, 0])
        if len(np.unique(rows)) == rows.size:  # distinct rows: gradients add in through the view
            target = Accumulate.into(VARYING, rows.reshape(-1))
            grads = [np.zeros((1, 3)), np.zeros_like(store)]
            target.bind(grads)
            values = rng.standard_normal((rows.size, 3))
            target.add(values)
            expected = np.zeros_like(store)
            expected[rows.reshape(-1)] += values
            np.testing.assert_array_equal(grads[VARYING], expected)
    assert grid(np.array([[0, 1], [3, 5]])) is None
    assert grid(np.array([3, 2, 1])) is None  # a negative step: gathered instead


def test_a_dense_layer_reads_its_weights_biases_and_inputs_through_views(
    digits_net: tuple[Layers, list[Value]],
) -> None:
    layers, params = digits_net
    x, t = digits_like(4)
    plan = compile_loss(
        lambda xs, ts: softmax_cross_entropy(mlp_forward(layers, xs), ts),
        (x[0].tolist(), t[0].tolist()),
        params,
    )
    plan.forward_backward((x, t))
    dense = [g for g in plan.groups if isinstance(g, Dot) and g.shared is not None]
    assert len(dense) == 2
    for group in dense:
        assert all(place.view is not None for place in group.read.values())
        assert all(t.view is not None for t in group.targets.values() if t is not None)
    zero_grad(params)


@pytest.mark.parametrize("order", ["per neuron", "weights first", "no biases"])
def test_a_dense_layer_whose_biases_follow_their_weights_is_one_product_each_way(
    digits_net: tuple[Layers, list[Value]], order: str
) -> None:
    """Parameters listed neuron by neuron (w..., b) put each bias in the row of U after its
    weights: the layer is [W b] @ [X; 1], forward and backward, the biases' gradient summed by
    that product. Weights listed first, or constant biases, take W @ X + b. Each way the loss
    and gradients are the scalar engine's."""
    layers, params = digits_net
    if order == "no biases":
        layers = [[(w, Value(0.0)) for w, _ in layer] for layer in layers]
        params = [p for layer in layers for w, _ in layer for p in w]
    elif order == "weights first":
        params = [p for layer in layers for w, _ in layer for p in w] + [
            b for layer in layers for _, b in layer
        ]
    x, t = digits_like(6, seed=5)

    def loss(xs: list[Value], ts: list[Value]) -> Value:
        return softmax_cross_entropy(mlp_forward(layers, xs), ts)

    plan = compile_loss(loss, (x[0].tolist(), t[0].tolist()), params, reduction="sum")
    losses, expected = scalar_reference(loss, [x, t], params)
    assert plan.forward_backward((x, t)) == pytest.approx(losses.sum(), rel=FORWARD_RTOL)
    assert_grads_match(np.array([p.grad for p in params]), expected)
    zero_grad(params)
    dense = [g for g in plan.groups if isinstance(g, Dot) and g.shared is not None]
    assert len(dense) == 2
    assert all((g.augmented is not None) == (order == "per neuron") for g in dense)


@pytest.mark.parametrize("rows", ["in order", "scattered"])
def test_a_subtracted_input_gets_minus_its_upstream_through_a_view_or_gathered(rows: str) -> None:
    """d(a - b)/db = -1: subtracting the upstream gives what adding its negation gives, into
    rows added through a view (parameters in order) or gathered (in a scattered order)."""
    ws = [Value(float(k) / 4) for k in range(1, 5)]
    picked = ws if rows == "in order" else [ws[2], ws[0], ws[3], ws[1]]

    def loss(x: list[Value]) -> Value:
        pairs = enumerate(zip(x, picked, strict=True))
        return sum_values([(xi - w) ** 2 * float(i + 1) for i, (xi, w) in pairs])

    x = np.random.default_rng(3).standard_normal((5, 4))
    plan = compile_loss(loss, x[0].tolist(), ws, reduction="sum")
    losses, expected = scalar_reference(loss, [x], ws)
    assert plan.forward_backward(x) == pytest.approx(losses.sum(), rel=FORWARD_RTOL)
    assert_grads_match(np.array([w.grad for w in ws]), expected)
    zero_grad(ws)


def test_calls_with_other_batch_sizes_in_turn_give_the_scalar_engine_numbers(
    digits_net: tuple[Layers, list[Value]],
) -> None:
    """The plan keeps its stores while the batch size stays and makes new ones when it changes:
    sizes 5, 3, 5, 1 in turn each give the scalar engine's loss and gradient."""
    layers, params = digits_net
    x, t = digits_like(5, seed=3)

    def loss(xs: list[Value], ts: list[Value]) -> Value:
        return softmax_cross_entropy(mlp_forward(layers, xs), ts)

    plan = compile_loss(loss, (x[0].tolist(), t[0].tolist()), params, reduction="sum")
    for size in (5, 3, 5, 1):
        columns = [x[:size], t[:size]]
        losses, expected = scalar_reference(loss, columns, params)
        zero_grad(params)
        assert plan.forward_backward((x[:size], t[:size])) == pytest.approx(
            losses.sum(), rel=FORWARD_RTOL
        )
        assert_grads_match(np.array([p.grad for p in params]), expected)
        zero_grad(params)


@pytest.mark.parametrize("name", ["relu", "abs", "heaviside"])
def test_a_selecting_ops_zero_derivative_stops_an_infinite_upstream_as_in_the_scalar_engine(
    name: str,
) -> None:
    """log(relu(w x)) at w x <= 0: log's upstream is inf and relu's local derivative 0, so the
    gradient through that example is 0 (Op.selects), not 0 * inf = nan: the plan gives the
    scalar engine's numbers, finite where they are."""
    w = Value(0.5)
    selector = {"relu": Value.relu, "abs": abs, "heaviside": Value.heaviside}[name]

    def loss(x: Value) -> Value:
        return selector(w * x).log() + (w * x) ** 2  # log(0) = -inf: its upstream is inf

    plan = compile_loss(loss, 1.0, [w], reduction="sum")
    xs = np.array([0.0, 2.0, 0.0 if name != "relu" else -3.0])
    losses, expected = scalar_reference(loss, [xs], [w])
    zero_grad([w])
    assert plan.forward_backward(xs) == losses.sum() == -math.inf
    assert math.isfinite(expected[0])
    assert w.grad == pytest.approx(expected[0], rel=GRAD_RTOL)


# --- value_and_grad: the functional form, parameters as an array ----------------------------------


def test_value_and_grad_gives_forward_backwards_numbers_and_changes_no_value(
    digits_net: tuple[Layers, list[Value]],
) -> None:
    layers, params = digits_net
    x, t = digits_like(6, seed=5)
    plan = compile_loss(
        lambda xs, ts: softmax_cross_entropy(mlp_forward(layers, xs), ts),
        (x[0].tolist(), t[0].tolist()),
        params,
    )
    zero_grad(params)
    loss, grad = plan.value_and_grad((x, t))
    assert all(p.grad == 0.0 for p in params)
    assert loss == plan.forward_backward((x, t))
    np.testing.assert_array_equal(grad, [p.grad for p in params])
    zero_grad(params)

    theta = np.array([p.data for p in params]) * 0.5  # other numbers than the Values hold
    held = [p.data for p in params]
    loss_half, grad_half = plan.value_and_grad((x, t), theta)
    assert [p.data for p in params] == held
    assert all(p.grad == 0.0 for p in params)
    for p, number in zip(params, theta.tolist(), strict=True):
        p.data = number
    assert loss_half == plan.forward_backward((x, t))
    np.testing.assert_array_equal(grad_half, [p.grad for p in params])
    for p, number in zip(params, held, strict=True):
        p.data = number
    zero_grad(params)


def test_value_and_grad_refuses_params_that_are_not_one_real_number_per_parameter() -> None:
    w, b = Value(2.0), Value(1.0)
    plan = compile_loss(lambda x: w * x + b, 1.0, [w, b])
    batch = np.array([1.0, 2.0])
    for bad in (["1.0", "2.0"], [None, 1.0], np.array([1 + 2j, 0j]), 3.0, {"w": 1.0}):
        with pytest.raises(TypeError, match=r"^value_and_grad: params must be an array of real"):
            plan.value_and_grad(batch, bad)
    for bad in ([1.0], np.zeros((2, 1)), np.zeros(3)):
        with pytest.raises(ValueError, match=r"^value_and_grad: params must hold 2 numbers"):
            plan.value_and_grad(batch, bad)
    assert plan.calls == 0  # refused before anything ran
    loss, grad = plan.value_and_grad(batch, [3, 0])  # ints are numbers
    assert loss == 4.5
    np.testing.assert_array_equal(grad, [1.5, 1.0])


def test_value_and_grad_rechecks_with_the_values_holding_params_and_puts_them_back() -> None:
    """A branch on a parameter's number: traced at w = 1, re-checked at w = -1 it builds
    another graph, which the check names as state; w's number is its own again afterwards."""
    w = Value(1.0)

    def loss(x: Value) -> Value:
        return w * x if w.data > 0 else -(w * x)

    plan = compile_loss(loss, 1.0, [w], check_every=1)
    batch = np.array([1.0, 2.0])
    assert plan.value_and_grad(batch, np.array([2.0]))[0] == 3.0  # the traced branch: fine
    with pytest.raises(DataDependentGraphError, match="not from the data but from the param"):
        plan.value_and_grad(batch, np.array([-1.0]))
    assert w.data == 1.0
    assert w.grad == 0.0
