"""Recurrent cells over sequences: PyTorch's numbers, backprop through time, the book, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from course_cases import (
    CASES,
    REFERENCE,
    assert_close,
    assert_compiled_matches_scalar,
    build,
    gen,
    grads,
    grouped,
)

from autograd import Value, dot, sum_values, topological_order
from autograd.losses import mse
from autograd.nn import (
    MLP,
    GRUCell,
    Layer,
    LSTMCell,
    Module,
    RNNCell,
    Unrolled,
    mlp_parameter_count,
)
from autograd.optim import Adam
from autograd.train import Trainer

CELL_CASES = [name for name, (_, _, _, steps) in CASES.items() if steps]


@pytest.mark.parametrize("name", CELL_CASES)
def test_cells_over_steps_equal_pytorchs(name: str) -> None:
    """Each state, and gradients of weights, biases, inputs and the first state, as torch's."""
    cell = build(name)
    _, _, (inputs,), steps = CASES[name]
    hidden = cell.hidden_size  # type: ignore[attr-defined]
    xs = [[Value(x) for x in gen.numbers(inputs, 20 + t)] for t in range(steps)]
    h0 = [Value(x) for x in gen.numbers(hidden, 30)]
    c0 = [Value(x) for x in gen.numbers(hidden, 31)]
    lstm = isinstance(cell, LSTMCell)
    start = None if gen.zero_state(name) else ((h0, c0) if lstm else h0)
    outputs, state = Unrolled(cell)(xs, start)
    terms = [dot(gen.numbers(hidden, 40 + t), h) for t, h in enumerate(outputs)]
    if lstm:
        terms.append(dot(gen.numbers(hidden, 50), state[1]))
    sum_values(terms).backward()
    want = REFERENCE[name]
    assert_close(outputs, want["outputs"], f"{name} outputs")
    if lstm:
        assert_close(state[1], want["last_c"], f"{name} last c")
    assert_close(grads(xs), want["grad_inputs"], f"{name} grad_inputs")
    if start is not None:
        assert_close(grads(h0), want["grad_h0"], f"{name} grad_h0")
        if lstm:
            assert_close(grads(c0), want["grad_c0"], f"{name} grad_c0")
    for key, found in grouped(name, cell).items():
        assert_close(found, want[key], f"{name} {key}")


def test_unrolled_shares_the_weights_so_backward_is_backprop_through_time() -> None:
    """Each weight gets the sum of its gradients at every step: one unrolled graph, one backward."""
    cell = RNNCell(1, 1, bias=False, nonlinearity="relu")
    cell.weight_ih[0][0].data, cell.weight_hh[0][0].data = 0.5, 0.5
    outputs, _ = Unrolled(cell)([[1.0], [2.0], [3.0]])
    assert [h[0].data for h in outputs] == [0.5, 1.25, 2.125]  # h_t = 0.5 x_t + 0.5 h_(t-1)
    outputs[-1][0].backward()
    # h3 = 0.5 (x3 + 0.5 (x2 + 0.5 x1)) w.r.t. w_hh: h2 + w h2' = 1.25 + 0.5 * (h1 + w h1')
    assert cell.weight_hh[0][0].grad == 1.25 + 0.5 * (0.5 + 0.5 * 0.0)
    assert cell.weight_ih[0][0].grad == 3.0 + 0.5 * 2.0 + 0.25 * 1.0


def test_nodes_are_labelled_by_step_and_unit() -> None:
    """Each node of step t, unit k is labelled steps.t.units.k.<role>, so pictures cluster steps."""
    run = Unrolled(LSTMCell(1, 2, seed=0))
    _, (h, c) = run([[1.0], [-1.0]])
    assert [v.label for v in h] == ["steps.1.units.0.h", "steps.1.units.1.h"]
    assert c[1].label == "steps.1.units.1.c"
    op_labels = {n.label for n in topological_order(h[0]) if n.op is not None}
    assert "steps.0.units.0.a_f" not in op_labels  # the zero state: c0 has no f * c term
    assert {"steps.1.units.0.a_f", "steps.1.units.0.fc", "steps.0.units.1.h"} <= op_labels
    assert all(label.startswith("steps.") for label in op_labels)
    assert run.parameters()[0].label == "cell.weight_ih.0.0"


def test_problem_book_exercise_48_one_step_of_backprop_through_a_relu_cell() -> None:
    """Exercise 48 as its text reads (the figure is missing): a bias-free ReLU cell, weights 0.5.

    The sequence 0, 1, -1, 2 with h0 = 0: the cell reads y_(t-1) and predicts y_t through a
    bias-free ReLU output neuron, and the loss is the MSE of the three predictions.
    """
    ys = [0.0, 1.0, -1.0, 2.0]
    cell = RNNCell(1, 1, bias=False, nonlinearity="relu", init="constant")
    out = Layer(1, 1, activation="relu", bias=False, init="constant", value=0.5)
    for p in cell.parameters():
        p.data = 0.5
    states, _ = Unrolled(cell)([[y] for y in ys[:-1]])
    predictions = [out(h) for h in states]
    assert [p.data for p in predictions] == [0.0, 0.25, 0.0]  # h = 0, 0.5, 0 (relu of -0.25)
    loss = sum_values([(p - y) ** 2 for p, y in zip(predictions, ys[1:], strict=True)]) / 3.0
    assert loss.data == ((0.0 - 1.0) ** 2 + (0.25 + 1.0) ** 2 + (0.0 - 2.0) ** 2) / 3.0
    loss.backward()
    d1 = 2.0 * (0.25 + 1.0) / 3.0  # d loss / d prediction 2: the only one with a gradient
    assert out.parameters()[0].grad == pytest.approx(
        d1 * 0.5, rel=1e-15
    )  # prediction 2 = 0.5 * h2, h2 = 0.5
    assert cell.weight_ih[0][0].grad == pytest.approx(
        d1 * 0.5 * 1.0, rel=1e-15
    )  # h2 = relu(0.5 * y1 + 0.5 * h1), y1 = 1
    assert cell.weight_hh[0][0].grad == d1 * 0.5 * 0.0  # h1 = 0


def test_problem_book_exercise_49_parameter_counts_without_biases() -> None:
    """Exercise 49: a window of 100 into 20 and 1 neurons; recurrent cells on 3 series, 2 then 1."""
    assert mlp_parameter_count(100, [20, 1], bias=False) == 2020
    assert MLP(100, [20, 1], bias=False).num_parameters() == 2020
    assert RNNCell(1, 1, bias=False).num_parameters() == 2  # one simple cell: w_x and w_h
    for cell, per_gate in ((RNNCell, 1), (LSTMCell, 4), (GRUCell, 3)):
        first, second = cell(3, 2, bias=False), cell(2, 1, bias=False)
        total = first.num_parameters() + second.num_parameters()
        assert total == per_gate * ((3 * 2 + 2 * 2) + (2 * 1 + 1 * 1)), cell
    assert [RNNCell(3, 2).num_parameters(), LSTMCell(3, 2).num_parameters()] == [14, 56]


def test_problem_book_exercise_52_lstm_becomes_a_simple_cell() -> None:
    """With the forget gate 0 and the input and output gates 1, an LSTM's c' is tanh(W x + U h)."""
    lstm, rnn = LSTMCell(2, 1), RNNCell(2, 1)
    for p in [*lstm.parameters(), *rnn.parameters()]:
        p.data = 0.0
    big = 50.0  # sigmoid(50) is 1, sigmoid(-50) is 0, to the last bit
    lstm.bias_ih[0].data, lstm.bias_ih[1].data, lstm.bias_ih[3].data = big, -big, big  # type: ignore[index]
    for k, w in enumerate([0.3, -0.7]):
        lstm.weight_ih[2][k].data = rnn.weight_ih[0][k].data = w
    lstm.weight_hh[2][0].data = rnn.weight_hh[0][0].data = 0.4
    h, c = lstm([1.0, 2.0], ([0.5], [9.0]))
    assert c[0].data == rnn([1.0, 2.0], [0.5])[0].data  # the old c (9) is forgotten
    assert h[0].data == pytest.approx(float(Value(c[0].data).tanh().data), rel=1e-15)


BAD_CALLS = [
    pytest.param(lambda: RNNCell(3, 2)([1.0, 2.0, 3.0], [0.0]),
                 r"RNNCell\(3, 2\): the hidden state h must have 2 entries, got 1", id="h-width"),
    pytest.param(lambda: GRUCell(1, 2)([1.0, 2.0]),
                 r"GRUCell\(1, 2\): the input x must have 1 entries, got 2", id="x-width"),
    pytest.param(lambda: LSTMCell(1, 2)([1.0], ([0.0, 0.0], [0.0])),
                 r"LSTMCell\(1, 2\): the cell state c must have 2 entries, got 1", id="c-width"),
    pytest.param(lambda: Unrolled(RNNCell(1, 1))([]),
                 r"Unrolled\(RNNCell\(1, 1\)\) takes a sequence", id="empty-sequence"),
    pytest.param(lambda: RNNCell(1, 1, nonlinearity="sigmoid"),
                 r"RNNCell: unknown nonlinearity 'sigmoid'", id="nonlinearity"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "match"), BAD_CALLS)
def test_bad_states_and_inputs_name_the_cell_and_both_widths(call: object, match: str) -> None:
    """A wrong width raises a ValueError naming the cell, the width expected and the one given."""
    with pytest.raises(ValueError, match=match):
        call()  # type: ignore[operator]


@pytest.mark.parametrize("state", [[0.0, 0.0], ([0.0, 0.0], None), "hc"], ids=repr)
def test_an_lstm_state_that_is_not_a_pair_of_lists_is_a_type_error(state: object) -> None:
    """h alone (a list) where the pair (h, c) belongs is the wrong kind: a TypeError naming it."""
    with pytest.raises(TypeError, match=r"LSTMCell\(1, 2\): the state must be a tuple \(h, c\)"):
        LSTMCell(1, 2)([1.0], state)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "cell", [RNNCell(2, 3, seed=0), LSTMCell(2, 3, seed=1), GRUCell(2, 3, seed=2)], ids=str
)
def test_unrolled_cells_compile_to_the_scalar_engines_numbers(cell: RNNCell) -> None:
    """A cell over 4 steps then a linear read-out, compiled: each step's gates one W @ X."""
    run, head = Unrolled(cell), Layer(3, 1, activation="linear", seed=3)
    params = [*run.parameters(), *head.parameters()]
    rng = np.random.default_rng(4)
    x, y = rng.normal(size=(6, 8)), rng.normal(size=(6, 1))

    def loss(xs: list[Value], ys: list[Value]) -> Value:
        outputs, _ = run([xs[2 * t : 2 * t + 2] for t in range(4)])
        return (head(outputs[-1]) - ys[0]) ** 2

    plan = assert_compiled_matches_scalar(loss, (x, y), params)
    dense = [line for line in plan.describe().splitlines() if "W @ X (dense)" in line]
    gates = {"rnn": 1, "lstm": 4, "gru": 2}[cell.name[:-4].lower()]  # GRU's n keeps W_hn apart
    assert len(dense) >= 4  # every step's gates read the same x_t and h: a dense product
    assert any(f"dot x{3 * gates} of fan-in" in line for line in dense)


def test_drawn_with_clusters_an_unrolled_cell_shows_a_cluster_per_time_step() -> None:
    """draw_dot(clusters=True): a cluster per step, inside it one per unit (from the labels)."""
    from autograd.viz import draw_dot
    from autograd.viz.groups import neuron_clusters

    _, h = Unrolled(GRUCell(1, 2, seed=0))([[1.0], [2.0]])
    loss = sum_values(h)
    keys = set(neuron_clusters(topological_order(loss)).values())
    assert {f"steps.{t}.units.{k}" for t in (0, 1) for k in (0, 1)} <= keys
    source = draw_dot(loss, clusters=True).source
    assert 'label="steps.0"' in source
    assert 'label="steps.1"' in source


class LastState(Module):
    """A user's model: a GRU over the flat row the Trainer passes, a linear read-out of h_T."""

    def __init__(self) -> None:
        self.rnn = Unrolled(GRUCell(1, 4, seed=0))
        self.head = Layer(4, 1, activation="linear", seed=1)

    def __call__(self, x: object) -> Value:
        _, h = self.rnn(x)
        out = self.head(h)
        assert isinstance(out, Value)
        return out

    def _children(self) -> list[tuple[str, Module]]:
        return [("rnn", self.rnn), ("head", self.head)]


def test_a_trainer_compiles_an_unrolled_cell_and_learns_a_running_sum() -> None:
    """Trainer(compile=True) on a GRU over 5 steps: the scalar loss, then learning."""
    rng = np.random.default_rng(0)
    x = rng.uniform(-1, 1, size=(64, 5))
    y = x.sum(axis=1) / 5
    model = LastState()
    trainer = Trainer(model, Adam(model.parameters(), lr=0.05), mse, progress=False, compile=True)
    scalar = trainer.batch_loss(x[:32].tolist(), y[:32].tolist()).data
    assert abs(trainer.compiled_step(x[:32], y[:32]) - scalar) < 1e-12
    history = trainer.fit(x, y, epochs=30)
    assert history.epochs[-1].loss < 0.1 * history.epochs[0].loss
    with pytest.raises(ValueError, match=r"a flat sequence needs a multiple of 2 entries"):
        Unrolled(RNNCell(2, 1))([1.0, 2.0, 3.0])
