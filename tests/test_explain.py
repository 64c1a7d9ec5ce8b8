"""Tests of the sum-over-paths explainer: paths, factors, products, totals, the path limit."""

from __future__ import annotations

import random
import re
import time

import pytest

from autograd import Value, grad, topological_order
from autograd.viz import count_paths, explain_paths
from autograd.viz.explain import PALETTE


def worked_example(x0: float, y0: float) -> tuple[Value, Value, Value]:
    """f(x, y) = x**2 + x*y + (x + y)**2; returns (f, x, y)."""
    x, y = Value(x0, label="x"), Value(y0, label="y")
    f = x**2 + x * y + (x + y) ** 2
    f.label = "f"
    return f, x, y


@pytest.mark.parametrize(("x0", "y0"), [(2.0, 3.0), (-1.5, 0.25), (0.0, 4.0)])
def test_worked_example_has_three_paths_for_x(x0: float, y0: float) -> None:
    """x reaches f via x**2, via x*y and via (x+y)**2: products 2x, y and 2(x+y)."""
    f, x, _ = worked_example(x0, y0)
    e = explain_paths(f, x)
    assert [p.product for p in e.paths] == [2 * x0, y0, 2 * (x0 + y0)]
    assert [[s.child.op.name for s in p.steps] for p in e.paths] == [  # type: ignore[union-attr]
        ["pow", "add", "add"],
        ["mul", "add", "add"],
        ["add", "pow", "add"],
    ]
    assert e.total == e.gradient == 2 * x0 + y0 + 2 * (x0 + y0)


@pytest.mark.parametrize(("x0", "y0"), [(2.0, 3.0), (-1.5, 0.25)])
def test_worked_example_has_two_paths_for_y(x0: float, y0: float) -> None:
    """y reaches f via x*y and via (x+y)**2: products x and 2(x+y)."""
    f, _, y = worked_example(x0, y0)
    e = explain_paths(f, y)
    assert [p.product for p in e.paths] == [x0, 2 * (x0 + y0)]
    assert e.total == e.gradient == x0 + 2 * (x0 + y0)


def test_paths_are_chains_of_local_derivatives_from_input_to_output() -> None:
    """Each path starts at the input, ends at the output, and each factor is the local grad."""
    f, x, _ = worked_example(2.0, 3.0)
    for path in explain_paths(f, x).paths:
        assert path.steps[0].parent is x
        assert path.steps[-1].child is f
        for before, after in zip(path.steps, path.steps[1:], strict=False):
            assert before.child is after.parent
        for step in path.steps:
            assert step.child.parents[step.index] is step.parent
            assert step.factor == step.child.local_grads()[step.index]


def test_text_lists_every_path_and_the_engine_gradient() -> None:
    """The printed explanation shows each product and the total beside grad()."""
    f, x, _ = worked_example(2.0, 3.0)
    text = str(explain_paths(f, x))
    assert "sum over 3 path(s)" in text
    assert (
        "path 1: x -(4.0)-> n1 (** 2) -(1.0)-> n4 (+) -(1.0)-> f  = 4.0 × 1.0 × 1.0 = 4.0" in text
    )
    assert "total = 4.0 + 3.0 + 10.0 = 17.0" in text
    assert "engine: grad(f, x) = 17.0" in text


def test_square_of_same_node_has_two_paths() -> None:
    """a * a has two edges from a, so two paths, each with factor a; total 2a."""
    a = Value(3.0, label="a")
    e = explain_paths(a * a, a)
    assert [p.steps[0].index for p in e.paths] == [0, 1]
    assert [p.product for p in e.paths] == [3.0, 3.0]
    assert e.total == e.gradient == 6.0


def test_input_not_in_graph_has_no_paths_and_zero_total() -> None:
    """An unrelated input has no path: total and gradient are 0."""
    f, _, _ = worked_example(2.0, 3.0)
    e = explain_paths(f, Value(1.0, label="z"))
    assert e.paths == ()
    assert e.total == e.gradient == 0.0
    assert "0.0 (no path)" in str(e)


def test_unlabelled_input_outside_the_graph_is_explained_and_drawn() -> None:
    """An unlabelled input the output does not use is named as such; draw() highlights nothing."""
    f, _, _ = worked_example(2.0, 3.0)
    e = explain_paths(f, Value(1.0))
    assert str(e).startswith("d f / d (a Value outside the graph) = sum over 0 path(s)")
    assert "#ffd54f" not in e.draw().source


def test_output_itself_is_one_empty_path() -> None:
    """d f / d f is one path with no edges, product 1."""
    f, _, _ = worked_example(2.0, 3.0)
    e = explain_paths(f, f)
    assert len(e.paths) == 1
    assert e.paths[0].steps == ()
    assert e.total == e.gradient == 1.0


def test_intermediate_input_counts_only_paths_from_it() -> None:
    """Explaining w.r.t. an interior node (x + y) gives its one path, 2(x+y) = 10."""
    f, x, y = worked_example(2.0, 3.0)
    total = next(n for n in topological_order(f) if n.parents == (x, y) and n.op.name == "add")  # type: ignore[union-attr]
    e = explain_paths(f, total)
    assert [p.product for p in e.paths] == [10.0]
    assert e.gradient == 10.0


def test_doubling_chain_is_refused_with_its_path_count_quickly() -> None:
    """y = y + y fifty times has 2**50 paths: refused at once, naming the count."""
    a = Value(1.0, label="a")
    y = a
    for _ in range(50):
        y = y + y
    start = time.perf_counter()
    with pytest.raises(ValueError, match=rf"{2**50} paths lead from a to the output.*limit=1000"):
        explain_paths(y, a)
    assert time.perf_counter() - start < 1.0
    assert count_paths(y, a) == 2**50


def test_limit_is_adjustable() -> None:
    """Ten doublings (1024 paths) pass with limit=1024 and sum to 2**10."""
    a = Value(1.0, label="a")
    y = a
    for _ in range(10):
        y = y + y
    with pytest.raises(ValueError, match="1024 paths"):
        explain_paths(y, a)
    e = explain_paths(y, a, limit=1024)
    assert len(e.paths) == 1024
    assert e.total == e.gradient == 1024.0


def random_graph(seed: int) -> tuple[Value, list[Value]]:
    """A random expression over three leaves with shared sub-expressions."""
    rng = random.Random(seed)
    leaves = [Value(rng.uniform(0.5, 1.5), label=f"x{i}") for i in range(3)]
    pool = list(leaves)
    for _ in range(12):
        a, b = rng.choice(pool), rng.choice(pool)
        kind = rng.randrange(5)
        if kind == 0:
            node = a * b
        elif kind == 1:
            node = a + b
        elif kind == 2:
            node = a.tanh()
        elif kind == 3:
            node = a / (b * b + 1.0)
        else:
            node = a.sin() - b
        pool.append(node)
    return pool[-1] + pool[-2] * pool[-3], leaves


@pytest.mark.parametrize("seed", range(8))
def test_random_graph_paths_sum_to_engine_gradient(seed: int) -> None:
    """On random graphs the path count matches the DP count and the total equals grad()."""
    out, leaves = random_graph(seed)
    for leaf in leaves:
        count = count_paths(out, leaf)
        if count > 1000:
            continue
        e = explain_paths(out, leaf)
        assert len(e.paths) == count
        assert e.total == pytest.approx(grad(out, leaf), rel=1e-12, abs=1e-15)


def test_draw_colours_each_path_and_mixes_shared_edges() -> None:
    """Path i's edges get colour i; an edge shared by paths 1 and 2 carries both colours."""
    f, x, _ = worked_example(2.0, 3.0)
    source = explain_paths(f, x).draw().source
    red, blue, green = PALETTE[:3]
    assert re.search(rf"n0 -> n1op \[[^\]]*color=\"{red}\"", source)
    assert re.search(rf"n0 -> n3op \[[^\]]*color=\"{blue}\"", source)
    assert re.search(rf"n0 -> n5op \[[^\]]*color=\"{green}\"", source)
    assert re.search(rf"n4 -> n7op \[[^\]]*color=\"{red}:{blue}\"", source)
    assert "total 17.0 = engine&#x27;s gradient 17.0" in source
    assert "n2 -> n3op [label=2 id=e3_1" in source  # y's edge stays uncoloured


@pytest.mark.parametrize(
    ("args", "error", "pattern"),
    [
        ((3.0, Value(1.0)), TypeError, "explain_paths: root must be a Value"),
        ((Value(1.0), "x"), TypeError, "explain_paths: input must be a Value, got str 'x'"),
    ],
)
def test_bad_arguments_raise_clear_errors(
    args: tuple[object, object], error: type[Exception], pattern: str
) -> None:
    """Non-Values are refused naming the function and the offending value."""
    with pytest.raises(error, match=pattern):
        explain_paths(*args)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("limit", "error", "pattern"),
    [
        (0, ValueError, r"^explain_paths: limit must be an int >= 1, got 0$"),
        (-3, ValueError, r"^explain_paths: limit must be an int >= 1, got -3$"),
        ("5", TypeError, r"^explain_paths: limit must be an int >= 1, got str '5'$"),
        (2.0, TypeError, r"^explain_paths: limit must be an int >= 1, got float 2.0$"),
        (True, TypeError, r"^explain_paths: limit must be an int >= 1, got bool True$"),
    ],
)
def test_bad_limit_is_refused(limit: object, error: type[Exception], pattern: str) -> None:
    """limit must be an int >= 1: another type is a TypeError, a number below 1 a ValueError."""
    a = Value(1.0)
    with pytest.raises(error, match=pattern):
        explain_paths(a * 2, a, limit=limit)  # type: ignore[arg-type]


def labelled_example() -> tuple[Value, Value]:
    """The worked example with every intermediate node labelled by its expression."""
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    s = x + y
    s.label = "x+y"
    sq = s**2
    sq.label = "(x+y)**2"
    f = x**2 + x * y + sq
    f.label = "f"
    return f, x


def test_labels_with_operators_are_bracketed_in_the_text() -> None:
    """Labels like x+y read as one operand: (x+y) and ((x+y)**2), never bare."""
    f, x = labelled_example()
    text = str(explain_paths(f, x))
    assert "path 3: x -(1.0)-> (x+y) -(10.0)-> ((x+y)**2) -(1.0)-> f  = " in text
    sq = next(n for n in topological_order(f) if n.label == "(x+y)**2")
    inner = explain_paths(sq, x)
    assert str(inner).startswith("d ((x+y)**2) / d x = sum over 1 path(s)")
    assert "engine: grad(((x+y)**2), x) = 10.0" in str(inner)


def test_one_sort_and_one_recorded_pass_give_paths_factors_and_gradient(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """explain_paths sorts the graph once and runs the engine's backward pass once (no grad())."""
    from autograd import engine, fast_backward
    from autograd.viz import explain

    sorts: list[Value] = []
    passes: list[Value] = []
    sort, backprop = engine.topological_order, engine.backprop

    def counting_sort(root: Value) -> list[Value]:
        sorts.append(root)
        return sort(root)

    def counting_pass(root: Value, **kwargs: object) -> dict[Value, object]:
        passes.append(root)
        return backprop(root, **kwargs)  # type: ignore[arg-type]

    def no_second_pass(*args: object) -> None:
        pytest.fail("explain_paths ran grad()'s pass beside its recorded one")

    monkeypatch.setattr(engine, "topological_order", counting_sort)
    monkeypatch.setattr(explain, "topological_order", counting_sort)
    monkeypatch.setattr(explain, "backprop", counting_pass)
    monkeypatch.setattr(fast_backward, "fresh_grads", no_second_pass)
    f, x, _ = worked_example(2.0, 3.0)
    e = explain_paths(f, x)
    str(e)  # naming nodes reuses the order's positions
    e.edge_colors()
    assert (len(sorts), passes) == (1, [f])
    assert [p.product for p in e.paths] == [4.0, 3.0, 10.0]
    assert e.gradient == 17.0


def test_count_paths_agrees_with_the_explained_paths_on_a_shared_graph() -> None:
    """count_paths and explain_paths count with the same loop: a * a + a has three paths."""
    a = Value(1.5, label="a")
    out = a * a + a
    assert count_paths(out, a) == len(explain_paths(out, a).paths) == 3
