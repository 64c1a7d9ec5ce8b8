"""Matrix form: products of nested lists as dot nodes, Jacobians, the book's matrix exercises."""

from __future__ import annotations

import math

import numpy as np
import pytest

from autograd import Value, dot, sum_values
from autograd.linalg import jacobian, matmul, matvec, transpose
from autograd.losses import softmax
from autograd.nn import MLP
from autograd.optim import SGD


def values(a: list[list[float]]) -> list[list[Value]]:
    return [[Value(x) for x in row] for row in a]


def numbers(a: list[list[Value]]) -> list[list[float]]:
    return [[v.data for v in row] for row in a]


def half_squared_error(outputs: list[list[Value]], targets: list[float]) -> Value:
    return sum_values([(row[0] - y) ** 2 for row, y in zip(outputs, targets, strict=True)]) * 0.5


def test_matmul_entries_are_dot_nodes_with_numpys_values() -> None:
    """Each entry of a @ b is one dot node equal to numpy's product; transpose moves entries."""
    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(3, 4)), rng.normal(size=(4, 2))
    c = matmul(a.tolist(), values(b.tolist()))
    assert all(v.op is not None and v.op.name == "dot" for row in c for v in row)
    assert np.allclose(numbers(c), a @ b, rtol=1e-15, atol=1e-15)
    assert np.allclose([v.data for v in matvec(a.tolist(), b[:, 0].tolist())], a @ b[:, 0])
    assert transpose(c)[1][2] is c[2][1]


def test_problem_book_exercise_22_linear_layer_gradients_in_matrix_form() -> None:
    """Z = X W: dL/dX = dL/dZ W^T and dL/dW = X^T dL/dZ, for any upstream dL/dZ = G."""
    rng = np.random.default_rng(1)
    x, w, g = rng.normal(size=(2, 2)), rng.normal(size=(2, 3)), rng.normal(size=(2, 3))
    xv, wv = values(x.tolist()), values(w.tolist())
    z = matmul(xv, wv)
    dot([v for row in g.tolist() for v in row], [v for row in z for v in row]).backward()
    assert np.allclose([[v.grad for v in row] for row in xv], g @ w.T, rtol=1e-14)
    assert np.allclose([[v.grad for v in row] for row in wv], x.T @ g, rtol=1e-14)


def test_problem_book_exercise_25_backprop_through_relu_layers_in_matrix_form() -> None:
    """y = relu(X W1) W2 on its two rows: H1, O1, y, the MSE 0.25 and the gradients of W1, W2."""
    x = [[1.0, 2.0], [-1.0, 2.0]]
    w1, w2 = values([[1.0, -1.0], [0.5, 0.0]]), values([[0.5], [1.0]])
    h1 = matmul(x, w1)
    o1 = [[v.relu() for v in row] for row in h1]
    y = matmul(o1, w2)
    assert numbers(h1) == [[2.0, -1.0], [0.0, 1.0]]  # the book prints -0.5: 1*(-1) + 2*0 is -1
    assert numbers(o1) == [[2.0, 0.0], [0.0, 1.0]]
    assert numbers(y) == [[1.0], [1.0]]
    loss = half_squared_error(y, [2.0, 1.0])  # the book's d = y_hat - y is the gradient of 1/2 sum
    assert loss.data / 2 == 0.25  # its MSE, 1/(2n) sum with n = 2
    loss.backward()
    assert [[v.grad for v in row] for row in w2] == [[-2.0], [0.0]]
    assert [[v.grad for v in row] for row in w1] == [[-0.5, 0.0], [-1.0, 0.0]]


def two_sgd_steps(targets: tuple[float, float]) -> list[list[list[float]]]:
    """Exercise 24's net X W1 -> W2 -> W3 (sigmoids, no biases) from zeros, SGD lr 1, 2 steps."""
    model = MLP(2, [2, 2, 1], activation="sigmoid", init="zeros", bias=False)
    optimizer = SGD(model.parameters(), lr=1.0)
    for x, y in zip(([5.0, 2.0], [1.0, 1.0]), targets, strict=True):  # example 2, then 1
        optimizer.zero_grad()
        ((model(x) - y) ** 2 * 0.5).backward()
        optimizer.step()
    return [[[n.w[i].data for n in layer.neurons] for i in range(layer.nin)]
            for layer in model.layers]  # fmt: skip


def test_problem_book_exercise_24_two_sgd_steps_from_zero_weights() -> None:
    """With the table's targets (0 for example 2, 1 for example 1) and with the solution's."""
    w1, w2, w3 = two_sgd_steps((0.0, 1.0))
    assert w3 == [[0.5], [0.5]]  # step 1 predicts 0 = its target: nothing moves
    assert w2 == w1 == [[0.0, 0.0], [0.0, 0.0]]
    w1, w2, w3 = two_sgd_steps((1.0, 0.0))  # the printed solution swaps the two targets
    assert w3 == [[0.25], [0.25]]
    assert w2 == [[-1 / 32, -1 / 32], [-1 / 32, -1 / 32]]
    assert w1 == [[0.0, 0.0], [0.0, 0.0]]  # the layers learn one after another: a symmetric start


def test_jacobian_of_softmax_is_diag_p_minus_p_p_transposed() -> None:
    """The seminar's softmax Jacobian, read off the graph; .grad is left alone."""
    z = [Value(1.0), Value(-2.0), Value(0.0)]
    z[0].grad = 7.0
    p = softmax(z)
    j = jacobian(p, z)
    probs = [v.data for v in p]
    for a in range(3):
        for b in range(3):
            want = probs[a] * ((a == b) - probs[b])
            assert math.isclose(j[a][b], want, rel_tol=1e-12, abs_tol=1e-16)
    assert z[0].grad == 7.0


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: matmul([[1.0, 2.0]], [[1.0], [2.0], [3.0]]), ValueError,
         r"a is 1x2 and b is 3x1; a's 2 columns must be b's 3 rows"),
        (lambda: matmul([[1.0, 2.0], [3.0]], [[1.0]]), ValueError,
         r"matmul: a must be rectangular with non-empty rows, got rows of lengths \[2, 1\]"),
        (lambda: matvec([[1.0, 2.0]], [1.0]), ValueError, r"x must be a list of 2 entries"),
        (lambda: transpose(3.0), TypeError, r"transpose: a must be a matrix"),
        (lambda: jacobian([1.0], []), TypeError, r"jacobian: outputs\[0\] must be a Value"),
    ],
    ids=["shapes", "ragged", "matvec", "not-a-matrix", "jacobian"],
)  # fmt: skip
def test_bad_matrices_are_refused(call: object, error: type[Exception], match: str) -> None:
    """Shapes that do not chain, ragged rows and non-matrices raise, naming both shapes."""
    with pytest.raises(error, match=match):
        call()  # type: ignore[operator]
