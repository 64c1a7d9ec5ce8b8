"""Images, convolution and pooling: PyTorch's numbers, the course's own, sizes and bad input."""

from __future__ import annotations

import math

import numpy as np
import pytest
from course_cases import (
    CASES,
    REFERENCE,
    assert_close,
    assert_compiled_matches_scalar,
    build,
    grads,
    grouped,
    image_input,
    upstream_loss,
)

from autograd import Value, dot, sum_values, zero_grad
from autograd.compiled import compile_loss
from autograd.losses import cross_entropy
from autograd.nn import (
    Activation,
    AvgPool2d,
    Conv2d,
    Flatten,
    Layer,
    MaxPool2d,
    Sequential,
    Unflatten,
    mlp_parameter_count,
)

IMAGE_CASES = [name for name, (_, _, _, steps) in CASES.items() if steps == 0]


@pytest.mark.parametrize("name", IMAGE_CASES)
def test_outputs_and_gradients_equal_pytorchs(name: str) -> None:
    """Output, and gradients of weights, biases and input, as torch.nn computes them in float64."""
    module = build(name)
    x = image_input(name)
    out = module(x)
    upstream_loss(out).backward()
    want = REFERENCE[name]
    assert_close(out, want["output"], f"{name} output")
    assert_close(grads(x), want["grad_input"], f"{name} grad_input")
    for key, found in grouped(name, module).items():
        assert_close(found, want[key], f"{name} {key}")


# --- the course's own numbers --------------------------------------------------------------------

KERNEL = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]  # lecture 2 and the problem book's exercise 40
LECTURE_IMAGE = [
    [3, 3, 2, 1, 0],
    [0, 0, 1, 3, 1],
    [3, 1, 2, 2, 3],
    [2, 0, 0, 2, 2],
    [2, 0, 0, 0, 1],
]
BOOK_IMAGE = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [3, 1, 2, 2, 3], [3, 1, 2, 2, 3]]


def kernel_conv(stride: int = 1, padding: int = 0) -> Conv2d:
    conv = Conv2d(1, 1, 3, stride=stride, padding=padding, bias=False)
    for i, row in enumerate(KERNEL):
        for j, w in enumerate(row):
            conv.weight[0][0][i][j].data = float(w)
    return conv


def numbers(image: list[list[list[Value]]]) -> list[list[float]]:
    return [[v.data for v in row] for row in image[0]]


def test_lecture_2_convolution_of_the_5x5_image() -> None:
    """Lecture 2's 5x5 image and 3x3 kernel give its 3x3 result."""
    assert numbers(kernel_conv()([LECTURE_IMAGE])) == [[12, 12, 17], [10, 17, 19], [9, 6, 14]]


def test_problem_book_exercise_40() -> None:
    """Exercise 40: the valid convolution, its 2x2 max and average pools, strides, padding."""
    valid = kernel_conv()([BOOK_IMAGE])
    assert numbers(valid) == [[12, 12, 17], [15, 19, 21], [18, 18, 24]]
    assert MaxPool2d(2)(valid)[0][0][0].data == 19.0
    assert AvgPool2d(2)(valid)[0][0][0].data == 14.5
    assert numbers(kernel_conv(stride=2)([BOOK_IMAGE])) == [[12, 17], [18, 24]]
    assert numbers(kernel_conv(stride=3)([BOOK_IMAGE])) == [[12]]
    padded = numbers(kernel_conv(padding=1)([BOOK_IMAGE]))  # the book's "stride 0" is stride 1
    assert padded == [  # torch.nn.functional.conv2d(..., padding=1)
        [6, 14, 17, 11, 3], [14, 12, 12, 17, 11], [11, 15, 19, 21, 14], [16, 18, 18, 24, 16],
        [11, 13, 12, 16, 13],
    ]  # fmt: skip
    with pytest.raises(ValueError, match=r"Conv2d stride must be an int >= 1, got 0"):
        Conv2d(1, 1, 3, stride=0)


def test_an_array_of_shape_c_h_w_is_an_image_too() -> None:
    """A numpy image (C, H, W) gives what the nested lists give."""
    assert numbers(kernel_conv()(np.array([BOOK_IMAGE], dtype=float))) == numbers(
        kernel_conv()([BOOK_IMAGE])
    )


def test_lecture_2_kernels_detect_edges_and_blur() -> None:
    """The Sobel kernel answers a vertical edge, the 1/9 box blur averages, the identity copies."""
    edge = [[[0, 0, 1, 1]] * 4]
    sobel = Conv2d(1, 1, 3, bias=False)
    box = Conv2d(1, 1, 3, bias=False, init="constant", value=1 / 9)
    for i, row in enumerate([[1, 0, -1], [2, 0, -2], [1, 0, -1]]):
        for j, w in enumerate(row):
            sobel.weight[0][0][i][j].data = float(w)
    assert numbers(sobel(edge)) == [[-4.0, -4.0], [-4.0, -4.0]]
    assert numbers(box([[[9.0] * 3] * 3])) == [[pytest.approx(9.0)]]


def test_max_pool_gradient_goes_to_the_first_maximum_and_adds_where_windows_overlap() -> None:
    """Ties send the gradient to the first maximal pixel; a pixel winning two windows gets both."""
    x = [[[Value(v) for v in row] for row in [[1.0, 5.0, 5.0], [5.0, 2.0, 0.0], [0.0, 0.0, 0.0]]]]
    out = MaxPool2d(2, stride=1)(x)
    upstream_loss(out, seed=0).backward()  # G = [0.0, 0.947, -0.211, -0.575]
    found = [[v.grad for v in row] for row in x[0]]
    assert [[v.data for v in row] for row in out[0]] == [[5.0, 5.0], [5.0, 2.0]]
    assert found[0][1] == 0.0 + 0.947  # the first maximum of windows (0, 0) and (0, 1)
    assert found[0][2] == 0.0  # tied with (0, 1) in window (0, 1), but later
    assert found[1][0] == -0.211  # window (1, 0): the 5 at (1, 0)
    assert found[1][1] == -0.575


# --- sizes and parameter counts (the problem book's exercises 44 and 46) -------------------------


def test_exercise_44_lenet_parameter_counts_and_sizes() -> None:
    """6 5x5 convolutions, 2x2 max pool, 16 5x5 convolutions, pool, 120, 84, 10 on 28x28 digits."""
    for padding, stride, flat_size in ((0, 1, 16 * 4 * 4), (2, 1, 16 * 7 * 7), (2, 2, 16 * 2 * 2)):
        conv1, conv2 = Conv2d(1, 6, 5, stride, padding), Conv2d(6, 16, 5, stride, padding)
        shape = (1, 28, 28)
        for module in (conv1, MaxPool2d(2), conv2, MaxPool2d(2)):
            shape = module.output_shape(shape)  # type: ignore[attr-defined]
        assert shape[0] * shape[1] * shape[2] == flat_size
        convs = conv1.num_parameters() + conv2.num_parameters()
        assert convs == (6 * 1 * 25 + 6) + (16 * 6 * 25 + 16)  # out * in * kh * kw + out
        dense = sum(
            Layer(a, b).num_parameters() for a, b in ((flat_size, 120), (120, 84), (84, 10))
        )
        assert dense == (flat_size + 1) * 120 + 121 * 84 + 85 * 10
    assert mlp_parameter_count(28 * 28, [1000, 10]) == 795010  # 44a: the dense network


def test_a_small_cnn_is_one_sequential() -> None:
    """Unflatten, Conv2d, Activation, MaxPool2d, Flatten and a Layer chain as PyTorch's do."""
    model = Sequential(
        Unflatten((1, 4, 4)),
        Conv2d(1, 2, 3, seed=0),
        Activation("relu"),
        MaxPool2d(2),
        Flatten(),
        Layer(2, 3, activation="linear", seed=0),
    )
    out = model(np.arange(16.0) / 16.0)
    assert len(out) == 3
    assert model.num_parameters() == 2 * 9 + 2 + 3 * 2 + 3
    assert [name for name, _ in model.named_parameters()][:2] == [
        "1.channels.0.w.0",
        "1.channels.0.w.1",
    ]
    assert model.parameters()[0].label == "1.channels.0.w.0"


# --- bad input -----------------------------------------------------------------------------------


BAD_IMAGES = [
    pytest.param(Conv2d(1, 1, 3), [[[1.0, 2.0, 3.0], [1.0, 2.0]]],
                 r"Conv2d\(1, 1, .*ragged: row \[0\]\[0\] has 3 pixels, row \[0\]\[1\] has 2",
                 id="ragged"),
    pytest.param(Conv2d(3, 1, 3), [[[0.0] * 4] * 4],
                 r"Conv2d\(3, 1, .* expects an image of 3 channel\(s\), shape \(3, H, W\), "
                 r"got shape \(1, 4, 4\)", id="channels"),
    pytest.param(Conv2d(1, 1, 5, padding=1), [[[0.0] * 2] * 2],
                 r"kernel is larger than the padded input: height kernel 5 > height 2 "
                 r"\+ 2 \* padding 1 = 4", id="kernel-too-large"),
    pytest.param(MaxPool2d(3), [[[0.0] * 2] * 2],
                 r"MaxPool2d\(3\): the kernel is larger than the padded", id="pool-too-large"),
    pytest.param(AvgPool2d(2), [[0.0, 1.0]],
                 r"AvgPool2d\(2\) takes an image \[channel\]\[row\]\[col\]", id="not-an-image"),
    pytest.param(Flatten(), [[[0.0], [1.0]], [[2.0]]],
                 r"Flatten\(\): the image is ragged: channel 0 has 2 rows, channel 1 has 1",
                 id="flatten"),
    pytest.param(Unflatten((1, 2, 2)), [1.0, 2.0, 3.0],
                 r"Unflatten\(\(1, 2, 2\)\) expects 4 inputs \(1 x 2 x 2\), got 3", id="unflatten"),
]  # fmt: skip


@pytest.mark.parametrize(("module", "x", "match"), BAD_IMAGES)
def test_bad_images_name_the_module_and_both_shapes(module: object, x: object, match: str) -> None:
    """A ValueError names the module, the shape expected and the shape given."""
    with pytest.raises(ValueError, match=match):
        module(x)  # type: ignore[operator]


def test_bad_arguments_are_refused() -> None:
    """Sizes must be ints >= 1 (padding >= 0), in pairs at most."""
    with pytest.raises(ValueError, match=r"Conv2d padding must be an int >= 0, got -1"):
        Conv2d(1, 1, 3, padding=-1)
    with pytest.raises(ValueError, match=r"MaxPool2d stride\[1\] must be an int >= 1, got 0"):
        MaxPool2d(2, stride=(1, 0))
    with pytest.raises(ValueError, match=r"kernel_size must be an int or a pair of ints"):
        Conv2d(1, 1, (3, 3, 3))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"pixel \[0\]\[0\]\[0\]: expected a real number"):
        Conv2d(1, 1, 1)([[["a"]]])


# --- compiled ------------------------------------------------------------------------------------


def test_a_cnn_compiles_to_the_scalar_engines_numbers_a_conv_layer_one_matrix_product() -> None:
    """Conv (stride, padding), both poolings, bias-free conv, a layer: compiled equals scalar."""
    model = Sequential(
        Unflatten((2, 6, 5)),
        Conv2d(2, 3, 3, stride=1, padding=1, seed=0),
        Activation("tanh"),
        MaxPool2d(2, stride=1),
        Conv2d(3, 2, (2, 3), stride=(1, 1), bias=False, seed=1),
        AvgPool2d(2, stride=1),
        Flatten(),
        Layer(6, 3, activation="linear", seed=2),
    )
    rng = np.random.default_rng(0)
    x, t = rng.normal(size=(5, 60)), np.eye(3)[rng.integers(0, 3, 5)]

    def loss(xs: list[Value], ts: list[Value]) -> Value:
        return cross_entropy(model(xs), ts)

    plan = assert_compiled_matches_scalar(loss, (x, t), model.parameters())
    described = plan.describe()
    # padding 1: a border pixel reads fewer inputs; padded with zeros, all 30 windows of each
    # filter are one W @ X
    assert (
        "dot x90 of fan-in 18: one W @ X (3 filters x 30 patches, a convolution, border windows "
        "padded)" in described
    )
    assert "dot x16 of fan-in 18: one W @ X (2 filters x 8 patches, a convolution)" in described
    assert "max x60: one elementwise call" in described  # one max node per window, 3 x 5 x 4
    assert "3 other leaves" in described  # a bias-free conv's 0, the pool's 4, the loss's 0


def test_the_demo_cnn_compiles_each_conv_layer_into_one_matrix_product() -> None:
    """Conv2d(1, 8, 3) on 8x8 digits: 288 dot nodes, one W @ X of 8 filters by 36 patches."""
    model = Sequential(Unflatten((1, 8, 8)), Conv2d(1, 8, 3, seed=0), Activation("relu"),
                       MaxPool2d(2), Flatten(), Layer(72, 10, "linear", seed=0))  # fmt: skip
    rng = np.random.default_rng(1)
    x, t = rng.uniform(0, 16, size=(4, 64)), np.eye(10)[rng.integers(0, 10, 4)]
    plan = assert_compiled_matches_scalar(
        lambda xs, ts: cross_entropy(model(xs), ts), (x, t), model.parameters()
    )
    lines = plan.describe().splitlines()
    assert lines[1] == "  dot x288 of fan-in 9: one W @ X (8 filters x 36 patches, a convolution)"


def test_drawn_with_clusters_a_conv_layer_shows_a_cluster_per_output_channel() -> None:
    """draw_dot(clusters=True) groups each output channel (its filter, pixels, activations)."""
    from autograd import sum_values, topological_order
    from autograd.viz import draw_dot
    from autograd.viz.groups import neuron_clusters

    model = Sequential(Conv2d(1, 2, 2, seed=0), Activation("relu"), Flatten())
    y = model([[[1.0, 2.0, 0.0], [0.5, -1.0, 1.0]]])
    loss = sum_values(y)
    clusters = neuron_clusters(topological_order(loss))
    channel = [key for node, key in clusters.items() if node.op is not None]
    assert sorted(set(channel)) == ["0.channels.0", "0.channels.1"]
    assert channel.count("0.channels.0") == 2 * 2  # 2 pixels: a dot and its relu each
    assert 'label="channels.1"' in draw_dot(loss, clusters=True).source  # inside layer "0"


@pytest.mark.parametrize(
    ("padding", "stride", "bias"),
    [(1, 1, True), (2, 1, True), (1, 2, False), ((2, 1), (1, 2), True)],
)
def test_a_padded_convolution_is_one_matrix_product_with_the_scalar_engines_numbers(
    padding: int | tuple[int, int], stride: int | tuple[int, int], bias: bool
) -> None:
    """Border windows, which read fewer pixels, are their filter on a window padded with 0."""
    conv = Conv2d(2, 3, 3, stride=stride, padding=padding, bias=bias, seed=0)
    model = Sequential(Unflatten((2, 5, 6)), conv, Activation("tanh"), Flatten())
    rows, cols = conv.output_shape((2, 5, 6))[1:]
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 60))

    def loss(xs: list[Value]) -> Value:
        outs = model(xs)
        return sum_values([o * (i % 5 - 2) for i, o in enumerate(outs)])  # every pixel counts

    plan = assert_compiled_matches_scalar(loss, (x,), model.parameters())
    described = plan.describe()
    nodes = 3 * rows * cols
    assert f"dot x{nodes} of fan-in 18: one W @ X (3 filters x {rows * cols} patches" in described
    assert described.count("dot x") == 1


def test_a_padded_convolution_leaves_missing_pixels_out_at_inf_weights_and_gradients() -> None:
    """A padded 0 times an infinite weight, or an infinite upstream, would be nan: not here.

    A border node has no term for the missing pixel: the scalar engine's numbers are finite
    where the padded product would give nan, and so are the plan's.
    """
    conv = Conv2d(1, 1, 3, padding=1, init="constant", value=0.5)
    conv.weight[0][0][0][0].data = math.inf  # the top-left tap: missing in the top row's windows
    rng = np.random.default_rng(1)
    x = rng.uniform(1.0, 2.0, size=(2, 16))

    def outputs(xs: list[Value]) -> Value:
        return sum_values([v for row in conv(Unflatten((1, 4, 4))(xs))[0] for v in row])

    plan = compile_loss(outputs, x[0].tolist(), conv.parameters(), check_every=0)
    inside = [n for n in plan.order if n._op is not None and n._op.name == "dot"]
    found = plan.node_values(x)
    for example in range(2):
        xs = [Value(v) for v in x[example].tolist()]
        top = conv(Unflatten((1, 4, 4))(xs))[0]
        scalar = [v.data for row in top for v in row]
        compiled = sorted(float(found[n][example]) for n in inside)
        assert sorted(scalar) == compiled  # the top row and left column finite, the rest inf
    assert sum(math.isfinite(v) for v in scalar) == 7  # 4 + 4 - 1 windows

    w = conv.weight[0][0][0][0]
    w.data = 0.5
    big = Value(1e300)  # an upstream of inf: 1e300 * 1e300 overflows

    def huge(xs: list[Value]) -> Value:
        return outputs(xs) * big * big

    plan = compile_loss(huge, x[0].tolist(), [*conv.parameters(), big], check_every=0)
    plan.forward_backward(x)
    compiled_grads = [p.grad for p in conv.parameters()]
    zero_grad([*conv.parameters(), big])
    for example in range(2):
        huge([Value(v) for v in x[example].tolist()]).backward()
    scalar_grads = [p.grad / 2 for p in conv.parameters()]  # the plan takes the batch's mean
    assert all(math.isinf(g) for g in compiled_grads)  # no nan from a missing pixel's 0 * inf
    assert compiled_grads == scalar_grads


def test_dots_of_several_fan_ins_that_are_no_convolution_stay_apart() -> None:
    """Two neurons of different fan-in and their own weights: two groups, the scalar numbers."""
    w2, w3 = [Value(0.5), Value(-1.0)], [Value(2.0), Value(0.25), Value(1.5)]
    b = Value(0.1)

    def loss(xs: list[Value]) -> Value:
        return dot(w2, xs[:2], b).tanh() + dot(w3, xs, b).tanh()

    rng = np.random.default_rng(2)
    plan = assert_compiled_matches_scalar(loss, (rng.normal(size=(3, 3)),), [*w2, *w3, b])
    assert plan.describe().count("dot x1 of fan-in") == 2


def test_partial_windows_not_of_every_filter_stay_apart() -> None:
    """Two filters on a whole window, one of them on part of another: no W @ X of them all."""
    f1 = [Value(0.5), Value(-1.0), Value(2.0)]
    f2 = [Value(1.5), Value(0.25), Value(-0.75)]
    b1, b2 = Value(0.1), Value(-0.2)

    def loss(xs: list[Value]) -> Value:
        whole = [dot(f1, xs[:3], b1), dot(f2, xs[:3], b2)]
        part = dot(f1[1:], xs[3:5], b1)  # filter 1's last two taps on another window
        return sum_values([z.tanh() for z in [*whole, part]])

    rng = np.random.default_rng(3)
    plan = assert_compiled_matches_scalar(loss, (rng.normal(size=(4, 5)),), [*f1, *f2, b1, b2])
    described = plan.describe()
    assert "padded" not in described
    assert "dot x1 of fan-in 2" in described  # the partial window kept its own group
