"""Tests of the step-through viewer's frames and page (the browser test is test_browser.py)."""

from __future__ import annotations

import json
import random
import re
import shutil
from pathlib import Path

import graphviz
import pytest

from autograd import Value, dot, grad, sum_values, topological_order
from autograd.engine import BackwardStep, backprop
from autograd.viz import StepThrough, step_through
from autograd.viz.dot import display_names
from autograd.viz.stepper import BACKWARD, FORWARD, build_frames

requires_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)


def worked_example(x0: float = 2.0, y0: float = 3.0) -> tuple[Value, Value, Value]:
    """f(x, y) = x**2 + x*y + (x + y)**2 (no backward run); returns (f, x, y)."""
    x, y = Value(x0, label="x"), Value(y0, label="y")
    f = x**2 + x * y + (x + y) ** 2
    f.label = "f"
    return f, x, y


def frames_of(root: Value) -> list:  # type: ignore[type-arg]
    return build_frames(root, display_names(topological_order(root)))


def final_grads(frames: list) -> dict[Value, float]:  # type: ignore[type-arg]
    """The last gradient each node shows in the backward frames."""
    return {f.node: f.grad for f in frames if f.phase == BACKWARD}


def random_net(seed: int) -> tuple[Value, list[Value]]:
    """A small tanh net with shared inputs and a squared loss, built from fused dot nodes."""
    rng = random.Random(seed)
    xs = [Value(rng.uniform(-1, 1), label=f"x{i}") for i in range(3)]
    ws = [[Value(rng.uniform(-1, 1), label=f"w{j}{i}") for i in range(3)] for j in range(2)]
    hidden = [dot(w, xs, 0.1).tanh() for w in ws]
    out = (hidden[0] * hidden[1] + hidden[0].sigmoid() - xs[0]) ** 2
    return out, xs + [w for row in ws for w in row]


def test_forward_frames_follow_topological_order() -> None:
    """One forward frame per Value, in topological order, each with the node's number."""
    f, _, _ = worked_example()
    frames = frames_of(f)
    forward = [fr for fr in frames if fr.phase == FORWARD]
    assert [fr.node for fr in forward] == topological_order(f)
    assert [fr.data for fr in forward] == [n.data for n in topological_order(f)]


def test_worked_example_texts_show_the_chain_rule_in_numbers() -> None:
    """The texts read like the issue: x.grad += ∂n3/∂x · n3.grad = 3 × 1 = 3, where ∂n3/∂x = y."""
    f, _, _ = worked_example()
    texts = [fr.text for fr in frames_of(f)]
    assert "n3 = x * y = 2 * 3 = 6" in texts
    assert "n1 = x ** 2 = 2 ** 2 = 4" in texts
    assert "f.grad = 1  (the seed: ∂f/∂f = 1)" in texts
    assert "n5.grad += ∂n6/∂n5 · n6.grad = 10 × 1 = 10,  where ∂n6/∂n5 = 2·n5 = 2·5 = 10" in texts
    # gradients accumulate where paths meet: 2(x+y) + y + 2x = 10 + 3 + 4
    assert (
        "x.grad += ∂n3/∂x · n3.grad = 3 × 1 = 3,  where ∂n3/∂x = y = 3;  "
        "paths meet: x.grad = 10 + 3 = 13"
    ) in texts
    assert texts[-1] == (
        "x.grad += ∂n1/∂x · n1.grad = 4 × 1 = 4,  where ∂n1/∂x = 2·x = 2·2 = 4;  "
        "paths meet: x.grad = 13 + 4 = 17"
    )


def test_backward_has_seed_then_one_frame_per_edge() -> None:
    """Backward frames: the seed, then one per (op node, input) edge."""
    f, _, _ = worked_example()
    frames = frames_of(f)
    backward = [fr for fr in frames if fr.phase == BACKWARD]
    edges = sum(len(n.parents) for n in topological_order(f))
    assert len(backward) == 1 + edges
    assert backward[0].node is f
    assert backward[0].grad == 1.0


@pytest.mark.parametrize(("x0", "y0"), [(2.0, 3.0), (-0.7, 1.3), (1e-3, 123.456)])
def test_final_frame_grads_equal_engine_and_hand_derivation(x0: float, y0: float) -> None:
    """Every node's last shown gradient is the engine's, bit for bit; x, y match the hand."""
    f, x, y = worked_example(x0, y0)
    shown = final_grads(frames_of(f))
    order = topological_order(f)
    assert [shown[n] for n in order] == list(grad(f, order))
    assert shown[x] == pytest.approx(2 * x0 + y0 + 2 * (x0 + y0), rel=1e-14)
    assert shown[y] == pytest.approx(x0 + 2 * (x0 + y0), rel=1e-14)


@pytest.mark.parametrize("seed", range(5))
def test_random_net_frames_equal_engine_backward_exactly(seed: int) -> None:
    """On nets with fused dot nodes and shared inputs the frames reproduce backward() exactly."""
    out, leaves = random_net(seed)
    shown = final_grads(frames_of(out))
    out.backward()
    assert [shown[v] for v in leaves] == [v.grad for v in leaves]


@pytest.mark.parametrize("seed", range(3))
def test_backward_frames_are_the_engines_pass_step_by_step(seed: int) -> None:
    """After the seed, backward frame i is step i of backprop: same edge, same running sum."""
    out, _ = random_net(seed)
    steps: list[BackwardStep] = []
    backprop(out, on_step=steps.append)
    backward = [fr for fr in frames_of(out) if fr.phase == BACKWARD][1:]
    assert [(fr.source, fr.index, fr.grad) for fr in backward] == [
        (s.node, s.index, s.total) for s in steps
    ]


def test_frames_use_the_nodes_local_grads() -> None:
    """Each backward frame's factor is the child's local_grads() entry for that edge."""
    out, _ = random_net(0)
    for fr in frames_of(out):
        if fr.phase == BACKWARD and fr.source is not None:
            assert fr.index is not None
            assert fr.source.parents[fr.index] is fr.node
            local = fr.source.local_grads()[fr.index]
            assert f"= {local:.6g} × " in fr.text


def test_backward_frames_carry_their_input_index_and_its_edge_ids() -> None:
    """A backward frame names its input by index; its edges are that input's and the op's."""
    out, _ = random_net(1)
    position = {node: i for i, node in enumerate(topological_order(out))}
    for fr in frames_of(out):
        if fr.phase == BACKWARD and fr.source is not None:
            i = position[fr.source]
            assert fr.edges == (f"e{i}_{fr.index}", f"o{i}")
        else:
            assert fr.index is None


def test_dot_node_forward_text_lists_weighted_terms() -> None:
    """A fused dot node reads as w·x + ... + b with its numbers."""
    w, x = [Value(2.0, label="w0"), Value(-1.0, label="w1")], [Value(3.0, label="a"), 4.0]
    y = dot(w, x, 0.5)
    y.label = "y"
    texts = [fr.text for fr in frames_of(y)]
    assert "y = w0·a + w1·n3 + n4 = 2×3 + -1×4 + 0.5 = 2.5" in texts
    back = [fr.text for fr in frames_of(y) if fr.phase == BACKWARD]
    assert "w0.grad += ∂y/∂w0 · y.grad = 3 × 1 = 3,  where ∂y/∂w0 = a = 3" in back
    assert "a.grad += ∂y/∂a · y.grad = 2 × 1 = 2,  where ∂y/∂a = w0 = 2" in back


def labelled_example() -> Value:
    """The worked example with every intermediate node labelled by its expression, as the
    gallery labels it."""
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    square = x**2
    square.label = "x**2"
    product = x * y
    product.label = "x*y"
    head = square + product
    head.label = "x**2+x*y"
    total = x + y
    total.label = "x+y"
    outer = total**2
    outer.label = "(x+y)**2"
    f = head + outer
    f.label = "f"
    return f


def test_labels_with_operators_are_bracketed_in_the_texts() -> None:
    """A label holding an operator reads as one operand: (x+y) ** 2, ((x+y)**2).grad."""
    texts = [fr.text for fr in frames_of(labelled_example())]
    assert "(x+y)**2 = (x+y) ** 2 = 5 ** 2 = 25" in texts
    assert "x**2+x*y = (x**2) + (x*y) = 4 + 6 = 10" in texts
    assert "f = (x**2+x*y) + ((x+y)**2) = 10 + 25 = 35" in texts
    assert (
        "(x+y).grad += ∂((x+y)**2)/∂(x+y) · ((x+y)**2).grad = 10 × 1 = 10,  "
        "where ∂((x+y)**2)/∂(x+y) = 2·(x+y) = 2·5 = 10"
    ) in texts
    assert "x.grad += ∂(x+y)/∂x · (x+y).grad = 1 × 10 = 10" in texts
    assert "x+y ** 2" not in " ".join(texts)


def test_seed_frame_brackets_an_operator_label() -> None:
    """The seed of a root labelled 'a*b' reads (a*b).grad = 1, with ∂(a*b)/∂(a*b)."""
    a, b = Value(2.0, label="a"), Value(5.0, label="b")
    out = a * b
    out.label = "a*b"
    seed = next(fr for fr in frames_of(out) if fr.phase == BACKWARD)
    assert seed.text == "(a*b).grad = 1  (the seed: ∂(a*b)/∂(a*b) = 1)"


def test_duplicate_labels_fall_back_to_ids() -> None:
    """Two nodes labelled alike are named by their ids, so the text stays unambiguous."""
    a, b = Value(1.0, label="h"), Value(2.0, label="h")
    names = display_names(topological_order(a + b))
    assert sorted(names.values()) == ["n0", "n1", "n2"]


@requires_dot
def test_step_through_leaves_grads_untouched() -> None:
    """Building the player reads the graph only: no .grad changes."""
    f, x, y = worked_example()
    step_through(f)
    assert (f.grad, x.grad, y.grad) == (0.0, 0.0, 0.0)


@requires_dot
def test_page_is_self_contained_and_carries_frames(tmp_path: Path) -> None:
    """The saved page loads nothing from outside and embeds every frame as JSON."""
    f, _, _ = worked_example()
    player = step_through(f)
    path = player.save(tmp_path / "steps.html")
    page = path.read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>")
    for outside in ("src=", "<link", "@import", "url(", "xlink:href"):
        assert outside not in page
    assert page.count("<svg") == 1
    payload = re.search(r'<script type="application/json" class="ag-data">(.*?)</script>', page)
    assert payload is not None
    data = json.loads(payload.group(1).replace("<\\/", "</"))
    assert len(data["frames"]) == len(player.frames) == 19
    assert data["frames"][-1]["value"] == "17.0"
    assert data["frames"][-1]["update"] == ["n0", "grad", "grad 17", ""]
    assert data["names"]["n1"] == "n1"


@requires_dot
def test_script_end_tag_in_a_label_cannot_break_the_page() -> None:
    """A label containing </script> is escaped inside the JSON."""
    x = Value(1.0, label="</script><b>")
    html = step_through(x * 2.0).html()
    assert html.count("</script>") == 2  # the JSON's and the player's own


@requires_dot
def test_repr_html_is_a_fragment() -> None:
    """Jupyter gets a <div> with the player, not a whole page."""
    frag = step_through(worked_example()[0])._repr_html_()
    assert frag.startswith('<div class="ag-player"')
    assert "<html" not in frag


@requires_dot
def test_player_id_is_baked_into_its_script_and_deterministic() -> None:
    """The same graph gives the same page, its script called with the player's own id."""
    first = step_through(worked_example()[0])
    second = step_through(worked_example()[0])
    assert first.html() == second.html()
    assert re.fullmatch(r"ag-[0-9a-f]{12}", first.player_id)
    frag = first.fragment()
    assert f'data-player="{first.player_id}"' in frag
    assert frag.count(first.player_id) == 2  # the element's attribute and the script's call
    assert f'("{first.player_id}");</script>' in frag
    other = step_through(worked_example(2.0, 4.0)[0])
    assert other.player_id != first.player_id  # other numbers, other frames, other id
    assert step_through(worked_example()[0], rankdir="TB").player_id != first.player_id


@requires_dot
def test_save_replaces_atomically_and_keeps_old_file_on_failure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """save() writes through a temporary file: a failure leaves the old page and no litter."""
    target = tmp_path / "steps.html"
    target.write_text("old page", encoding="utf-8")
    player = step_through(worked_example()[0])

    def broken(self: StepThrough) -> str:
        raise RuntimeError("disk full")

    monkeypatch.setattr(StepThrough, "html", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        player.save(target)
    assert target.read_text(encoding="utf-8") == "old page"
    assert [p.name for p in tmp_path.iterdir()] == ["steps.html"]
    monkeypatch.undo()
    player.save(target)
    assert target.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


@requires_dot
def test_few_hundred_node_graph_stays_under_two_megabytes(tmp_path: Path) -> None:
    """A ~400-Value MLP loss gives a page well within a few MB."""
    rng = random.Random(0)
    params = [[Value(rng.uniform(-1, 1)) for _ in range(5)] for _ in range(8)]
    losses = []
    for _ in range(4):
        xs = [rng.uniform(-1, 1) for _ in range(4)]
        hidden = [dot(w[:4], xs, w[4]).tanh() for w in params]
        losses.append((sum_values(hidden) - 1.0) ** 2)
    loss = sum_values(losses)
    size = len(topological_order(loss))
    assert 150 <= size <= 1000
    path = step_through(loss).save(tmp_path / "big.html")
    assert path.stat().st_size < 2_000_000


def test_bad_arguments_raise_clear_errors() -> None:
    """Non-Value roots, unknown rankdir and oversized graphs are refused, saying why."""
    with pytest.raises(TypeError, match="step_through: root must be a Value"):
        step_through(1.0)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^step_through: unknown rankdir 'XY'"):
        step_through(Value(1.0), rankdir="XY")
    with pytest.raises(TypeError, match=r"^step_through: max_nodes must be an int >= 1, got s"):
        step_through(Value(1.0), max_nodes="10")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match=r"^step_through: max_nodes must be an int >= 1, got 0"):
        step_through(Value(1.0), max_nodes=0)
    x = Value(1.0)
    y = sum_values([x * float(i) for i in range(20)])  # x, 20 constants, 20 products, the sum
    with pytest.raises(ValueError, match=r"the graph has 42 Values, more than max_nodes=10"):
        step_through(y, max_nodes=10)


def test_missing_dot_says_how_to_install(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Without dot on PATH the player cannot lay out the graph and says what to install."""
    monkeypatch.setenv("PATH", str(tmp_path))
    with pytest.raises(graphviz.ExecutableNotFound, match="sudo apt-get install graphviz"):
        step_through(worked_example()[0])


@requires_dot
def test_layout_is_sized_for_the_gradients_the_frames_show() -> None:
    """The one SVG is laid out with the final gradients, though backward() never ran."""
    f, x, _ = worked_example()
    player = step_through(f)
    assert x.grad == 0.0
    assert ">grad 17</text>" in player.svg
    assert ">grad 12</text>" in player.svg


@requires_dot
def test_step_through_sorts_the_graph_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Sizing, frames, the engine's pass and the picture share one topological order."""
    from autograd import engine
    from autograd.viz import stepper

    sorts: list[Value] = []
    sort = engine.topological_order

    def counting(root: Value) -> list[Value]:
        sorts.append(root)
        return sort(root)

    monkeypatch.setattr(engine, "topological_order", counting)
    monkeypatch.setattr(stepper, "topological_order", counting)
    f, _, _ = worked_example()
    player = step_through(f)
    assert sorts == [f]
    assert len(player.frames) == 19


@requires_dot
def test_collapsed_player_plays_a_digits_step_box_by_box() -> None:
    """collapsed=True plays a large graph a box at a time; every number is the engine's pass."""
    from autograd.data import load_digits
    from autograd.losses import cross_entropy
    from autograd.nn import MLP
    from autograd.viz import label_parameters

    images, digits = load_digits()
    model = MLP(64, [16, 10], seed=0)
    label_parameters(model)
    losses = [
        cross_entropy(model(im.tolist()), int(d))
        for im, d in zip(images[:4], digits[:4], strict=True)
    ]
    loss = sum_values(losses) / 4.0
    loss.label = "loss"
    with pytest.raises(ValueError, match=r"pass collapsed=True to play it one box per neuron"):
        step_through(loss)
    player = step_through(loss, collapsed=True)
    assert "Values drawn as" in player.dot_source
    phases = [f.phase for f in player.frames]
    assert phases.index(BACKWARD) == phases.count(FORWARD)  # forward frames, then backward
    last = player.frames[-1]
    assert last.phase == BACKWARD
    expected = grad(loss, [model.layers[0].neurons[0].w[0]])
    assert expected  # the engine's pass gives every parameter a number
    back = player.frames[phases.index(BACKWARD)]
    assert "sends its gradient back" in back.text
    assert "grad 1" in back.text  # the root's box: d loss / d loss = 1
    assert repr(player).startswith("<StepThrough of loss (collapsed):")
    page = player.html()
    assert 'class="ag-player"' in page
    assert len(page) < 2_000_000
