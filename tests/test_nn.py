"""nn modules: micrograd-compatible structure, worked examples, inits, dropout, training tasks."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Value
from autograd.losses import binary_cross_entropy_with_logits, mse
from autograd.nn import (
    ACTIVATIONS,
    MLP,
    Activation,
    Dropout,
    Layer,
    Module,
    Neuron,
    PReLU,
    Sequential,
    init_weights,
    mlp_parameter_count,
)
from autograd.nn import init as nn_init
from autograd.optim import SGD, Adam


def set_parameters(module: Neuron | Layer | MLP, values: list[float]) -> None:
    params = module.parameters()
    assert len(params) == len(values)
    for p, v in zip(params, values, strict=True):
        p.data = v


# --- structure ---------------------------------------------------------------------------------


def test_parameters_order_is_weights_then_bias_per_neuron() -> None:
    """parameters() lists each neuron's weights then its bias, layer by layer (micrograd)."""
    model = MLP(2, [2, 1], seed=0)
    expected = []
    for layer in model.layers:
        for n in layer.neurons:
            expected += [*n.w, n.b]
    assert model.parameters() == expected
    names = [name for name, _ in model.named_parameters()]
    assert names[:3] == ["layers.0.neurons.0.w.0", "layers.0.neurons.0.w.1", "layers.0.neurons.0.b"]
    assert names[-1] == "layers.1.neurons.0.b"


def test_matches_micrograd_forward_and_gradients() -> None:
    """With micrograd's weights copied in, outputs and gradients equal micrograd's exactly."""
    micrograd_nn = pytest.importorskip("micrograd.nn")
    import random

    random.seed(7)
    theirs = micrograd_nn.MLP(3, [4, 4, 1])
    ours = MLP(3, [4, 4, 1], seed=0)
    set_parameters(ours, [p.data for p in theirs.parameters()])
    x = [0.5, -1.5, 2.0]
    out_theirs, out_ours = theirs(x), ours(x)
    out_theirs.backward()
    out_ours.backward()
    assert out_ours.data == out_theirs.data
    assert [p.grad for p in ours.parameters()] == [p.grad for p in theirs.parameters()]
    assert ours.num_parameters() == len(theirs.parameters())


def test_mlp_with_one_output_returns_a_value_and_layer_takes_a_value() -> None:
    """MLP(nin, [.., 1]) returns a single Value; a Layer accepts a single Value as input."""
    out = MLP(2, [3, 1], seed=0)([1.0, 2.0])
    assert isinstance(out, Value)
    many = MLP(2, [3, 2], seed=0)([1.0, 2.0])
    assert isinstance(many, list)
    assert len(many) == 2
    layer = Layer(1, 3, seed=0)
    assert len(layer(Value(2.0))) == 3  # type: ignore[arg-type]
    assert isinstance(Layer(1, 1, seed=0)(2.0), Value)


def test_neuron_sum_is_one_fused_dot_node() -> None:
    """A neuron is dot(w, x, b) followed by its activation: 2n + 1 parents on one node."""
    y = Neuron(3, seed=0)([1.0, 2.0, 3.0])
    assert y.op is not None
    assert y.op.name == "relu"
    (weighted,) = y.parents
    assert weighted.op is not None
    assert weighted.op.name == "dot"
    assert len(weighted.parents) == 7


@pytest.mark.parametrize("activation", list(ACTIVATIONS))
def test_activations_apply_their_function(activation: str) -> None:
    """A neuron with w = (1, 1), b = 0 on (0.3, -1.0) applies its activation to -0.7."""
    n = Neuron(2, activation, init="constant", value=1.0)
    z = -0.7
    expected = {
        "relu": 0.0,
        "leaky_relu": 0.01 * z,
        "tanh": math.tanh(z),
        "sigmoid": 1 / (1 + math.exp(-z)),
        "softplus": math.log1p(math.exp(z)),
        "heaviside": 0.0,
        "linear": z,
    }[activation]
    assert n([0.3, -1.0]).data == pytest.approx(expected, rel=1e-14, abs=1e-300)


def test_hidden_relu_and_linear_output_by_default() -> None:
    """MLP defaults: ReLU in hidden layers, linear in the last (micrograd)."""
    model = MLP(2, [3, 3, 1])
    assert [layer.activation for layer in model.layers] == ["relu", "relu", "linear"]
    assert Neuron(2, nonlin=False).activation == "linear"
    assert Layer(2, 2, nonlin=True).activation == "relu"


def test_repr_is_readable() -> None:
    """The repr shows the constructor call."""
    assert repr(MLP(2, [16, 1])) == (
        "MLP(2, [16, 1], activation='relu', output_activation='linear')"
    )
    assert repr(Layer(2, 3, "tanh")) == "Layer(2, 3, activation='tanh')"
    assert repr(Neuron(4)) == "Neuron(4, activation='relu')"


def test_parameter_count_formula_12_300_200_100_1() -> None:
    """(12+1)*300 + (300+1)*200 + (200+1)*100 + (100+1)*1 = 84,301, built and by formula."""
    expected = (12 + 1) * 300 + (300 + 1) * 200 + (200 + 1) * 100 + (100 + 1) * 1
    assert expected == 84_301
    assert mlp_parameter_count(12, [300, 200, 100, 1]) == expected
    assert MLP(12, [300, 200, 100, 1], seed=0).num_parameters() == expected


def test_zero_grad_clears_all_parameters() -> None:
    """Module.zero_grad sets every parameter's gradient to 0."""
    model = MLP(2, [2, 1], seed=0)
    model([1.0, 1.0]).backward()  # type: ignore[union-attr]
    model.zero_grad()
    assert all(p.grad == 0.0 for p in model.parameters())


@pytest.mark.parametrize(
    ("make", "error", "message"),
    [
        (lambda: Neuron(2)([1.0]), ValueError, r"Neuron expects 2 inputs, got 1"),
        (lambda: Layer(3, 2)([1.0, 2.0]), ValueError, r"Layer expects 3 inputs, got 2"),
        (lambda: Neuron(2, "swish"), ValueError, r"unknown activation 'swish' \(must be one of"),
        (lambda: MLP(2, [3], init="orthogonal"), ValueError, r"unknown init 'orthogonal'"),
        (lambda: MLP(2, []), ValueError, r"MLP nouts must be a non-empty list"),
        (lambda: MLP(0, [1]), ValueError, r"MLP nin must be an int >= 1, got 0"),
        (lambda: Layer(2, 0), ValueError, r"Layer nout must be an int >= 1, got 0"),
        (lambda: Neuron(1)("x"), TypeError, r"Neuron: expected a Value, a number or a list"),
        (lambda: MLP(2, 3), TypeError, r"MLP nouts must be a non-empty list .*, got int 3"),
        (lambda: MLP(2, [3.0]), TypeError, r"MLP nouts\[0\] must be an int >= 1, got float 3.0"),
        (lambda: Neuron(True), TypeError, r"Neuron nin must be an int >= 1, got bool True"),
        (
            lambda: MLP(2, np.ones((2, 2), dtype=int)),
            ValueError,
            r"MLP nouts must be a non-empty list .*, got an array of shape \(2, 2\)",
        ),
        (
            lambda: Neuron(2)(np.array([[1.0, 2.0]])),
            ValueError,
            r"Neuron takes one example, a 1-d list or array of inputs, got an array of shape "
            r"\(1, 2\); call it on one row at a time",
        ),
        (
            lambda: Layer(2, 3)(np.zeros((4, 2))),
            ValueError,
            r"Layer takes one example, .* got an array of shape \(4, 2\)",
        ),
        (
            lambda: MLP(2, [3], dropout=0.5),
            ValueError,
            r"MLP dropout=0.5 acts after each hidden layer, and MLP\(2, \[3\]\) has none",
        ),
        (
            lambda: MLP(2, [3, 1], dropout=1.5),
            ValueError,
            r"MLP dropout must be a probability in \[0, 1\], got 1.5",
        ),
        (lambda: MLP(2, [3, 1], dropout="0.5"), TypeError, r"MLP dropout must be a real number"),
    ],
)
def test_bad_arguments_raise_clearly(make: object, error: type, message: str) -> None:
    """Wrong sizes, names and input types raise naming the module and the value."""
    with pytest.raises(error, match=message):
        make()  # type: ignore[operator]


# --- the worked examples ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("x1", "x2", "expected"),
    [
        # by hand: h1 = max(0, 3x1 + 4x2 + 1), h2 = max(0, 3x1 + 2x2 + 7), y = max(0, 4h1 + 2h2 + 6)
        (0.0, 0.0, 4 * 1 + 2 * 7 + 6),  # h = (1, 7): 24
        (1.0, 1.0, 4 * 8 + 2 * 12 + 6),  # h = (8, 12): 62
        (-2.0, 0.0, 4 * 0 + 2 * 1 + 6),  # h = (0, 1): 8
        (-3.0, -2.0, 6.0),  # h = (0, 0): only the bias
        (1.0, -1.0, 4 * 0 + 2 * 8 + 6),  # h = (0, 8): 22
    ],
)
def test_relu_network_forward_values(x1: float, x2: float, expected: float) -> None:
    """y = max(0, 4 max(0, 3x1 + 4x2 + 1) + 2 max(0, 3x1 + 2x2 + 7) + 6) as a 2-2-1 MLP."""
    model = MLP(2, [2, 1], output_activation="relu")
    set_parameters(model, [3.0, 4.0, 1.0, 3.0, 2.0, 7.0, 4.0, 2.0, 6.0])
    assert model([x1, x2]).data == expected  # type: ignore[union-attr]


def test_zero_initialised_sigmoid_network_stays_symmetric() -> None:
    """A zero-initialised sigmoid 2-2-2-1 network trained by SGD keeps a layer's neurons equal."""
    model = MLP(2, [2, 2, 1], activation="sigmoid", output_activation="sigmoid", init="zeros")
    opt = SGD(model.parameters(), lr=0.5)
    data = [([0.0, 1.0], 1.0), ([1.0, 0.0], 1.0), ([1.0, 1.0], 0.0), ([0.3, -0.8], 0.0)]
    for _ in range(20):
        for x, t in data:
            opt.zero_grad()
            mse(model(x), t).backward()  # type: ignore[arg-type]
            opt.step()
    moved = [p.data for p in model.parameters()]
    assert any(v != 0.0 for v in moved)  # it did train
    for layer in model.layers[:-1]:
        first = [p.data for p in layer.neurons[0].parameters()]
        for neuron in layer.neurons[1:]:
            assert [p.data for p in neuron.parameters()] == first
    last = model.layers[-1].neurons[0]
    assert last.w[0].data == last.w[1].data  # equal hidden units get equal outgoing weights


def test_xor_learned_by_2_2_1_network() -> None:
    """A 2-2-1 tanh network with Adam (seed 0, 300 full-batch steps) classifies XOR exactly.

    Two hidden units are the minimum for XOR and the loss has local minima: with this recipe
    10 of the seeds 0..19 succeed (measured by scripts/measure_xor_seeds.py), so the seed is
    fixed rather than arbitrary.
    """
    model = MLP(2, [2, 1], activation="tanh", init="uniform", seed=0)
    opt = Adam(model.parameters(), lr=0.1)
    xs = [[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]]
    ts = [0.0, 1.0, 1.0, 0.0]
    for _ in range(300):
        opt.zero_grad()
        binary_cross_entropy_with_logits([model(x) for x in xs], ts).backward()  # type: ignore[misc]
        opt.step()
    logits = [model(x).data for x in xs]  # type: ignore[union-attr]
    assert [int(z > 0) for z in logits] == [0, 1, 1, 0]
    loss = binary_cross_entropy_with_logits([Value(z) for z in logits], ts).data
    assert loss < 0.05


# --- initialisation ----------------------------------------------------------------------------


def test_same_seed_same_weights_different_seed_different() -> None:
    """Seeds make initialisation reproducible; a Generator is accepted too."""
    a = [p.data for p in MLP(3, [4, 1], seed=42).parameters()]
    b = [p.data for p in MLP(3, [4, 1], seed=42).parameters()]
    c = [p.data for p in MLP(3, [4, 1], seed=43).parameters()]
    d = [p.data for p in MLP(3, [4, 1], seed=np.random.default_rng(42)).parameters()]
    assert a == b == d
    assert a != c


def test_biases_start_at_zero() -> None:
    """Every scheme starts biases at 0, as micrograd."""
    model = MLP(3, [4, 2], init="he_normal", seed=0)
    assert all(n.b.data == 0.0 for layer in model.layers for n in layer.neurons)


@pytest.mark.parametrize(
    ("scheme", "bound"),
    [
        ("uniform", 1.0),
        ("uniform_fan_in", 1 / math.sqrt(50)),
        ("lecun_uniform", math.sqrt(3 / 50)),
        ("xavier_uniform", math.sqrt(6 / (50 + 30))),
        ("he_uniform", math.sqrt(6 / 50)),
    ],
)
def test_uniform_inits_fill_their_interval(scheme: str, bound: float) -> None:
    """Uniform schemes stay within ±bound and have variance bound^2 / 3."""
    rng = np.random.default_rng(0)
    w = np.array([init_weights(scheme, 50, 30, rng) for _ in range(400)])
    assert np.abs(w).max() <= bound
    assert np.abs(w).max() > 0.99 * bound
    assert w.var() == pytest.approx(bound**2 / 3, rel=0.03)


@pytest.mark.parametrize(
    ("scheme", "std"),
    [
        ("xavier_normal", math.sqrt(2 / (50 + 30))),
        ("he_normal", math.sqrt(2 / 50)),
        ("lecun_normal", math.sqrt(1 / 50)),
        ("normal", 1.0),
    ],
)
def test_normal_inits_have_their_std(scheme: str, std: float) -> None:
    """Normal schemes have mean 0 and the textbook standard deviation."""
    rng = np.random.default_rng(0)
    w = np.array([init_weights(scheme, 50, 30, rng) for _ in range(400)])
    assert w.mean() == pytest.approx(0.0, abs=0.01 * std * 10)
    assert w.std() == pytest.approx(std, rel=0.03)


def test_zeros_and_constant_inits() -> None:
    """zeros and constant fill every weight with one number."""
    assert all(p.data == 0.0 for p in MLP(2, [2, 1], init="zeros").parameters())
    n = Neuron(3, init="constant", value=0.25)
    assert [w.data for w in n.w] == [0.25, 0.25, 0.25]


def test_init_function_receives_fan_in_fan_out_and_the_modules_generator() -> None:
    """A function init is called per neuron with (fan_in, fan_out, rng): one seed, one model."""
    calls: list[tuple[int, int]] = []

    def scheme(fan_in: int, fan_out: int, rng: np.random.Generator) -> list[float]:
        calls.append((fan_in, fan_out))
        return rng.uniform(-0.1, 0.1, fan_in).tolist()

    a, b = MLP(3, [4, 2], init=scheme, seed=5), MLP(3, [4, 2], init=scheme, seed=5)
    assert calls == [(3, 4)] * 4 + [(4, 2)] * 2 + [(3, 4)] * 4 + [(4, 2)] * 2
    assert [p.data for p in a.parameters()] == [p.data for p in b.parameters()]
    assert all(abs(w.data) <= 0.1 for layer in a.layers for n in layer.neurons for w in n.w)
    normal = MLP(50, [400], init=nn_init.normal(0.05), seed=0)
    weights = np.array([w.data for n in normal.layers[0].neurons for w in n.w])
    assert weights.std() == pytest.approx(0.05, rel=0.03)


@pytest.mark.parametrize(
    ("scheme", "error", "match"),
    [
        (lambda fi, fo, rng: [0.0] * (fi + 1), ValueError, r"returned 4 weights for fan_in 3"),
        (lambda fi, fo, rng: 0.5, TypeError, r"init must return a list of fan_in numbers"),
        (lambda fi, fo, rng: [math.nan] * fi, ValueError, r"init weight 0 must be a finite"),
        (lambda fi, fo, rng: np.zeros(fi), None, None),
    ],
    ids=["too-many", "a-number", "nan", "an-array"],
)
def test_init_function_results_are_checked(scheme: object, error: type | None, match: str) -> None:
    """A function's weights must be fan_in finite numbers (an array is fine)."""
    if error is None:
        assert [w.data for w in Neuron(3, init=scheme).w] == [0.0, 0.0, 0.0]  # type: ignore[arg-type]
        return
    with pytest.raises(error, match=match):
        Neuron(3, init=scheme)  # type: ignore[arg-type]


# --- bias=False ------------------------------------------------------------------------------


def test_bias_false_leaves_the_bias_out_everywhere() -> None:
    """bias=False: no .b, no bias among the parameters, counts without biases."""
    n = Neuron(3, bias=False, seed=0)
    assert n.b is None
    assert [name for name, _ in n.named_parameters()] == ["w.0", "w.1", "w.2"]
    assert n.config() == {"type": "Neuron", "nin": 3, "activation": "relu", "bias": False}
    assert repr(n) == "Neuron(3, activation='relu', bias=False)"
    model = MLP(12, [300, 200, 100, 1], bias=False, seed=0)
    assert model.num_parameters() == mlp_parameter_count(12, [300, 200, 100, 1], bias=False)
    assert model.num_parameters() == 12 * 300 + 300 * 200 + 200 * 100 + 100
    assert all(n.b is None for layer in model.layers for n in layer.neurons)
    assert "bias=False" in repr(model)
    assert model.config()["bias"] is False
    assert "bias" not in MLP(2, [1], seed=0).config()  # saved files of biased models unchanged


def test_bias_free_layer_computes_w_dot_x_with_one_shared_zero() -> None:
    """A bias-free layer's neurons add a 0 (one constant leaf for the whole layer)."""
    layer = Layer(2, 3, activation="linear", bias=False, seed=0)
    out = layer([1.0, 2.0])
    for n, y in zip(layer.neurons, out, strict=True):
        assert y.data == n.w[0].data * 1.0 + n.w[1].data * 2.0
    zeros = {id(y.parents[-1]) for y in out}
    assert len(zeros) == 1
    assert out[0].parents[-1].data == 0.0
    assert out[0].parents[-1].op is None
    sum(out[1:], out[0]).backward()
    assert [p.grad for p in layer.parameters()] == [1.0, 2.0] * 3


# --- heaviside, PReLU, Sequential, Activation --------------------------------------------------


def test_logic_networks_of_threshold_neurons() -> None:
    """The course's AND, OR, NOT and two-layer XOR networks of heaviside neurons (lecture 10)."""
    table = [(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)]

    def neuron(w: list[float], b: float) -> Neuron:
        n = Neuron(len(w), activation="heaviside")
        set_parameters(n, [*w, b])
        return n

    and_, or_, not_ = neuron([1.0, 1.0], -1.5), neuron([1.0, 1.0], -0.5), neuron([-1.0], 0.5)
    xor = MLP(2, [2, 1], activation="heaviside", output_activation="heaviside")
    set_parameters(xor, [1.0, 1.0, -0.5, 1.0, 1.0, -1.5, 1.0, -1.0, -0.5])  # OR, AND, OR - AND
    assert [and_(list(x)).data for x in table] == [0.0, 0.0, 0.0, 1.0]
    assert [or_(list(x)).data for x in table] == [0.0, 1.0, 1.0, 1.0]
    assert [not_([x]).data for x in (0.0, 1.0)] == [1.0, 0.0]
    assert [xor(list(x)).data for x in table] == [0.0, 1.0, 1.0, 0.0]
    out = xor([1.0, 0.0])
    out.backward()
    assert all(p.grad == 0.0 for p in xor.parameters())  # a step passes no gradient: no learning


def test_prelu_has_one_learnable_alpha_and_pytorchs_derivatives() -> None:
    """PReLU: max(0,x) + alpha min(0,x); d/dx is 1 above 0, alpha at and below 0."""
    act = PReLU(init=0.1)
    assert act.parameters() == [act.alpha]
    xs = [Value(-3.0), Value(0.0), Value(2.0)]
    ys = act(xs)
    assert [y.data for y in ys] == [-0.30000000000000004, 0.0, 2.0]
    sum(ys[1:], ys[0]).backward()
    assert [x.grad for x in xs] == [0.1, 0.1, 1.0]
    assert act.alpha.grad == -3.0
    image = act([[[-1.0, 1.0]]])
    assert [v.data for v in image[0][0]] == [-0.1, 1.0]


def test_sequential_chains_any_module_and_names_them_by_index() -> None:
    """Sequential runs its modules in order, user subclasses included; names are 'i.<name>'."""

    class Scale(Module):
        def __init__(self) -> None:
            self.s = Value(2.0)

        def __call__(self, x: list[Value]) -> list[Value]:
            return [self.s * v for v in x]

        def _own_parameters(self) -> list[tuple[str, Value]]:
            return [("s", self.s)]

    model = Sequential(Layer(2, 2, activation="linear", init="constant", value=1.0), Scale(),
                       Activation("relu"))  # fmt: skip
    out = model([1.0, -3.0])
    assert [v.data for v in out] == [0.0, 0.0]
    assert [name for name, _ in model.named_parameters()][-1] == "1.s"
    assert model[1].parameters()[0].label == "1.s"
    assert len(model) == 3
    assert model.num_parameters() == 7
    with pytest.raises(TypeError, match=r"Sequential: module 1 must be an autograd.nn.Module"):
        Sequential(Layer(1, 1), lambda x: x)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"unknown activation 'relu6'"):
        Activation("relu6")


# --- dropout -----------------------------------------------------------------------------------


def test_dropout_inverted_scaling_in_training() -> None:
    """Kept inputs are scaled by 1/(1-p), dropped ones are 0, about a fraction p is dropped."""
    drop = Dropout(0.25, seed=0)
    out = [v.data for v in drop([2.0] * 4000)]
    assert set(out) == {0.0, 2.0 / 0.75}
    dropped = out.count(0.0) / len(out)
    assert dropped == pytest.approx(0.25, abs=0.03)
    assert np.mean(out) == pytest.approx(2.0, rel=0.05)  # the expectation is preserved


def test_dropout_gradient_is_mask_times_scale() -> None:
    """The gradient through dropout is 1/(1-p) for kept inputs and 0 for dropped ones."""
    xs = [Value(1.0) for _ in range(50)]
    ys = Dropout(0.5, seed=1)(xs)
    for y in ys:
        y.backward()
    for x, y in zip(xs, ys, strict=True):
        assert x.grad == (2.0 if y.data != 0.0 else 0.0)


def test_dropout_is_identity_in_eval_mode() -> None:
    """eval() turns dropout off; train() turns it back on, through an MLP too."""
    drop = Dropout(0.9, seed=0).eval()
    assert [v.data for v in drop([1.0, 2.0, 3.0])] == [1.0, 2.0, 3.0]
    model = MLP(4, [64, 1], dropout=0.5, seed=0)
    x = [0.1, 0.2, 0.3, 0.4]
    model.eval()
    assert not any(m.training for _, m in model.modules())
    a, b = model(x).data, model(x).data  # type: ignore[union-attr]
    assert a == b
    model.train()
    assert all(m.training for _, m in model.modules())
    outs = {model(x).data for _ in range(5)}  # type: ignore[union-attr]
    assert len(outs) > 1


def test_micrograd_positional_nonlin_is_relu_or_linear() -> None:
    """micrograd's Neuron(3, False) / Layer(3, 2, False): a bool is nonlin (True ReLU)."""
    assert Neuron(3, False).activation == "linear"
    assert Neuron(3, True).activation == "relu"
    assert Layer(3, 2, False).activation == "linear"
    assert [n.activation for n in Layer(3, 2, True).neurons] == ["relu", "relu"]
    assert Neuron(2, nonlin=False).activation == "linear"
    # the linear neuron passes a negative sum through, the ReLU one clips it at 0
    lin, relu = Neuron(2, False, init="constant", value=-1.0), Neuron(2, True, init="constant")
    relu.w[0].data = -1.0
    assert lin([1.0, 2.0]).data == -3.0
    assert relu([1.0, 2.0]).data == 0.0


def test_numpy_numbers_are_accepted_for_counts_and_probabilities() -> None:
    """np.int64 sizes, a numpy array of widths and an np.float32 probability work like Python's."""
    model = MLP(np.int64(2), np.array([3, 1]), dropout=np.float32(0.5), seed=0)
    assert model.nin == 2
    assert model.nouts == [3, 1]
    assert all(type(n) is int for n in [model.nin, *model.nouts])
    assert model.config()["dropout"] == 0.5
    assert model.num_parameters() == 3 * 3 + 4
    assert Dropout(np.float32(0.25)).p == 0.25
    assert Layer(np.int32(2), np.int64(4)).nout == 4
    assert Neuron(1, activation="linear", init="constant", value=np.float32(2.0))([3.0]).data == 6.0
    assert Neuron(1, activation="linear", init="constant", value=1.0)(np.float32(0.5)).data == 0.5


def test_dropout_edge_probabilities() -> None:
    """p = 0 keeps everything, p = 1 drops everything, p outside [0, 1] raises."""
    assert [v.data for v in Dropout(0.0)([1.0, 2.0])] == [1.0, 2.0]
    assert [v.data for v in Dropout(1.0)([1.0, 2.0])] == [0.0, 0.0]
    with pytest.raises(ValueError, match=r"Dropout p must be a probability in \[0, 1\], got 1.5"):
        Dropout(1.5)


def test_parameters_are_labelled_with_their_dotted_names() -> None:
    """Every parameter's label is its named_parameters() name, in a Neuron, a Layer and an MLP."""
    for module in (Neuron(3, seed=0), Layer(3, 2, seed=0), MLP(3, [4, 5, 2], seed=0)):
        named = module.named_parameters()
        assert [p.label for _, p in named] == [name for name, _ in named]
    mlp = MLP(3, [4, 5, 2], seed=0)
    assert mlp.layers[1].neurons[3].w[2].label == "layers.1.neurons.3.w.2"
    assert mlp.layers[2].neurons[1].b.label == "layers.2.neurons.1.b"
    assert MLP(3, [4, 2], dropout=0.5, seed=0).layers[1].neurons[0].w[3].label == (
        "layers.1.neurons.0.w.3"
    )


def test_a_layer_reads_each_number_input_as_one_shared_leaf() -> None:
    """Layer(3, 4) on three numbers makes three constant leaves, not one per neuron (12)."""
    layer = Layer(3, 4, seed=0)
    outs = layer([1.0, 2.0, 3.0])
    assert isinstance(outs, list)
    inputs = {p for out in outs for p in out.parents[0].parents if p.op is None and not p.label}
    assert sorted(x.data for x in inputs) == [1.0, 2.0, 3.0]
