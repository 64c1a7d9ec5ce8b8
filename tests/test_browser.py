"""The step-through page in a real headless browser (Playwright driving Debian's chromium)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chromium import MARKS, launch

from autograd import Value, ops, topological_order
from autograd.viz import step_through
from autograd.viz.stepper import BACKWARD
from autograd.viz.style import fmt

pytestmark = MARKS


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless chromium for the module."""
    yield from launch()


def worked_example() -> tuple[Value, Value, Value]:
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = x**2 + x * y + (x + y) ** 2
    f.label = "f"
    return f, x, y


class Page:
    """The saved player opened from file://, with errors and requests recorded."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page()
        self.errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
        self.page.on("request", lambda r: self.requests.append(r.url))
        self.page.goto(path.as_uri())

    def attr(self, name: str) -> str:
        return str(self.page.get_attribute(".ag-player", name))

    def highlighted(self) -> list[str]:
        return list(self.page.eval_on_selector_all(".ag-cur", "els => els.map(e => e.id)"))

    def box_text(self, node_id: str, field: str) -> str:
        texts = self.page.eval_on_selector_all(
            f'.ag-graph [id="{node_id}"] text', "els => els.map(e => e.textContent)"
        )
        return next(t for t in texts if t.startswith(field + " "))

    def step_text(self) -> str:
        return str(self.page.text_content(".ag-step"))


@pytest.fixture
def opened(browser: Any, tmp_path: Path) -> Iterator[tuple[Page, Any, tuple[Value, Value, Value]]]:
    f, x, y = worked_example()
    player = step_through(f)
    page = Page(browser, player.save(tmp_path / "steps.html"))
    yield page, player, (f, x, y)
    page.page.close()


def test_next_walks_every_frame_and_shows_the_engines_numbers(opened: Any) -> None:
    """Pressing Next N times highlights frame N's node and shows its number as computed."""
    page, player, _ = opened
    ids = player.ids
    assert page.attr("data-frame") == "0"
    for n, frame in enumerate(player.frames):
        if n:
            page.page.click(".ag-next")
        assert page.attr("data-frame") == str(n)
        assert page.highlighted() == [ids[frame.node]]
        if frame.phase == BACKWARD:
            assert page.box_text(ids[frame.node], "grad") == f"grad {fmt(frame.grad)}"
            assert float(page.attr("data-value")) == frame.grad
        else:
            assert page.box_text(ids[frame.node], "data") == f"data {fmt(frame.node.data)}"
        assert page.step_text() == frame.text
    assert page.errors == []


HOVER = """(id) => {
  const a = document.querySelector('.ag-graph [id="' + id + '"] a');
  return a.getAttributeNS('http://www.w3.org/1999/xlink', 'title');
}"""


def test_hover_box_and_caption_show_the_same_numbers_at_every_frame(opened: Any) -> None:
    """Each box's hover text reads the numbers its box shows, frame after frame (grad · first)."""
    page, player, (f, _, _) = opened
    order = topological_order(f)
    for n, frame in enumerate(player.frames):
        if n:
            page.page.keyboard.press("ArrowRight")
        for node in order:
            node_id = player.ids[node]
            hover = page.page.evaluate(HOVER, node_id)
            data, grad = page.box_text(node_id, "data"), page.box_text(node_id, "grad")
            assert hover.startswith(player.names[node] + ": "), hover
            assert data in hover, (n, node_id, hover, data)
            assert grad in hover, (n, node_id, hover, grad)
        if frame.phase == BACKWARD:
            shown = page.box_text(player.ids[frame.node], "grad")
            assert shown == f"grad {fmt(frame.grad)}"
            assert f"= {fmt(frame.grad)}" in page.step_text()
    x_id = player.ids[order[0]]
    page.page.keyboard.press("Home")
    assert page.page.evaluate(HOVER, x_id) == "x: data 2, grad · (not computed yet)"


def test_controls_speed_zoom_and_legend(opened: Any) -> None:
    """The legend shows, the no-script line is gone, Fit/+/− zoom and the speed select exist."""
    page, _, _ = opened
    assert page.page.locator(".ag-legend").is_visible()
    assert page.page.locator(".ag-noscript").count() == 0
    fitted = float(page.attr("data-zoom"))
    page.page.click(".ag-zoom-in")
    assert float(page.attr("data-zoom")) == pytest.approx(fitted * 1.25, rel=1e-3)
    page.page.click(".ag-fit")
    assert float(page.attr("data-zoom")) == pytest.approx(fitted, rel=1e-3)
    page.page.select_option(".ag-speed", "4")
    page.page.click(".ag-play")
    page.page.wait_for_function(
        "() => Number(document.querySelector('.ag-player').dataset.frame) >= 3", timeout=3000
    )
    page.page.click(".ag-play")


def test_slider_keys_step_one_frame(opened: Any) -> None:
    """With the slider focused, arrow keys move it one frame (the player handles them)."""
    page, _, _ = opened
    page.page.focus(".ag-slider")
    page.page.keyboard.press("ArrowRight")
    page.page.keyboard.press("ArrowRight")
    assert page.attr("data-frame") == "2"
    page.page.keyboard.press("ArrowLeft")
    assert page.attr("data-frame") == "1"
    assert page.page.input_value(".ag-slider") == "1"


def test_last_frame_shows_engine_gradients_on_every_box(opened: Any) -> None:
    """After the last Next every box shows the gradient backward() computes (x: 17, y: 12)."""
    page, player, (f, x, y) = opened
    for _ in range(len(player.frames) - 1):
        page.page.click(".ag-next")
    f.backward()
    for node in topological_order(f):
        assert page.box_text(player.ids[node], "grad") == f"grad {fmt(node.grad)}"
    assert page.box_text(player.ids[x], "grad") == "grad 17"
    assert page.box_text(player.ids[y], "grad") == "grad 12"
    assert page.highlighted() == [player.ids[x]]
    assert page.step_text().endswith("x.grad = 13 + 4 = 17")
    assert float(page.attr("data-value")) == x.grad


def test_forward_frames_hide_nodes_not_yet_computed(opened: Any) -> None:
    """At frame 3 (x*y computed) the later nodes are dimmed and show 'data ?'."""
    page, player, (f, _, _) = opened
    for _ in range(3):
        page.page.click(".ag-next")
    order = topological_order(f)
    later = player.ids[order[-1]]
    assert page.box_text(later, "data") == "data ?"
    pending = page.page.eval_on_selector_all(".ag-pending", "els => els.map(e => e.id)")
    assert later in pending
    assert player.ids[order[3]] not in pending
    assert page.step_text() == "n3 = x * y = 2 * 3 = 6"


def test_gradient_accumulates_where_paths_meet(opened: Any) -> None:
    """x's box shows 10, then 13, then 17 as its three paths deliver gradient."""
    page, player, (_, x, _) = opened
    seen = []
    for _ in range(len(player.frames) - 1):
        page.page.click(".ag-next")
        if page.highlighted() == [player.ids[x]] and page.attr("data-phase") == BACKWARD:
            seen.append(page.box_text(player.ids[x], "grad"))
    assert seen == ["grad 10", "grad 13", "grad 17"]


def test_keyboard_arrows_slider_and_prev(opened: Any) -> None:
    """Arrow keys, Home/End, the slider and Prev move between frames."""
    page, player, _ = opened
    last = len(player.frames) - 1
    for _ in range(3):
        page.page.keyboard.press("ArrowRight")
    assert page.attr("data-frame") == "3"
    page.page.keyboard.press("ArrowLeft")
    assert page.attr("data-frame") == "2"
    page.page.keyboard.press("End")
    assert page.attr("data-frame") == str(last)
    page.page.click(".ag-prev")
    assert page.attr("data-frame") == str(last - 1)
    page.page.keyboard.press("Home")
    assert page.attr("data-frame") == "0"
    page.page.eval_on_selector(
        ".ag-slider", "s => { s.value = '9'; s.dispatchEvent(new Event('input')); }"
    )
    assert page.attr("data-frame") == "9"
    assert page.page.text_content(".ag-counter") == f"10 / {last + 1}"


def test_play_advances_on_its_own(opened: Any) -> None:
    """Play steps forward without input; pressing it again pauses."""
    page, _, _ = opened
    page.page.click(".ag-play")
    page.page.wait_for_function(
        "() => Number(document.querySelector('.ag-player').dataset.frame) >= 2", timeout=5000
    )
    page.page.click(".ag-play")
    stopped = page.attr("data-frame")
    page.page.wait_for_timeout(1200)
    assert page.attr("data-frame") == stopped
    assert "Play" in str(page.page.text_content(".ag-play"))


def test_page_loads_nothing_from_the_network(opened: Any) -> None:
    """The only request is the file itself: no CDN, no fonts, no scripts from elsewhere."""
    page, _, _ = opened
    page.page.click(".ag-next")
    assert all(url.startswith("file://") for url in page.requests)
    assert len(page.requests) == 1
    assert page.errors == []


def test_a_registered_op_steps_through_like_a_builtin(browser: Any, tmp_path: Path) -> None:
    """A user's primitive (ops.register, a non-ASCII symbol) shows every frame's text."""
    swish = ops.register(
        ops.Op("swish", "swish_β", 1, lambda x: x * ops.sigmoid(x),
               lambda x, out: (ops.sigmoid(x) * (1.0 + x - out),), ("σ(x)(1 + x - out)",))
    )  # fmt: skip
    x = Value(1.5, label="x")
    y = swish(x) * x
    y.label = "y"
    player = step_through(y)
    page = Page(browser, player.save(tmp_path / "steps.html"))
    for n, frame in enumerate(player.frames):
        if n:
            page.page.click(".ag-next")
        assert page.step_text() == frame.text
    assert any(frame.text.startswith("n1 = swish(x)") for frame in player.frames)
    assert page.errors == []
    page.page.close()


# --- several players on one page, inserted as classic Notebook inserts outputs ---------------

NOTEBOOK_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>outputs</title></head>
<body><div id="out1"></div><div id="out2"></div><div id="out3"></div>
<script>
// jQuery's .html(): set innerHTML (its scripts stay inert), then evaluate each script's text
// in a new <script> appended to document.head and removed again (jQuery's DOMEval).
function insertLikeJQuery(id, fragment) {
  var area = document.getElementById(id);
  area.innerHTML = fragment;
  Array.prototype.forEach.call(area.querySelectorAll("script"), function (old) {
    if (old.type && old.type !== "text/javascript") { return; }
    var script = document.createElement("script");
    script.text = old.textContent;
    document.head.appendChild(script).parentNode.removeChild(script);
  });
}
</script></body></html>
"""


def sigmoid_chain() -> Value:
    x = Value(1.0, label="x")
    w1, w2 = Value(0.5, label="w1"), Value(-1.0, label="w2")
    out = w2 * (w1 * x).sigmoid()
    out.label = "L"
    return out


def test_players_inserted_from_document_head_each_find_their_own_element(
    browser: Any, tmp_path: Path
) -> None:
    """Re-running an earlier cell while a later player exists leaves both players working."""
    first = step_through(worked_example()[0])
    second = step_through(sigmoid_chain())
    path = tmp_path / "notebook.html"
    path.write_text(NOTEBOOK_PAGE, encoding="utf-8")
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.as_uri())
    insert = "([id, html]) => insertLikeJQuery(id, html)"
    page.evaluate(insert, ["out1", first.fragment()])
    page.evaluate(insert, ["out2", second.fragment()])
    page.evaluate(insert, ["out1", first.fragment()])  # the earlier cell runs again
    page.evaluate(insert, ["out3", first.fragment()])  # and the same graph is shown twice
    players = page.locator(".ag-player")
    assert players.count() == 3
    for i, player in enumerate([first, second, first]):
        area = players.nth(i)
        assert area.get_attribute("data-ready") == "1", f"player {i} never started"
        assert area.get_attribute("data-player") == player.player_id
        for _ in range(3):
            area.locator(".ag-next").click()
        assert area.get_attribute("data-frame") == "3"
        assert area.locator(".ag-step").text_content() == player.frames[3].text
        assert area.locator(".ag-cur").get_attribute("id") == player.ids[player.frames[3].node]
    # each player moved only itself: three clicks each, none shared
    assert [players.nth(i).get_attribute("data-frame") for i in range(3)] == ["3", "3", "3"]
    assert errors == []
    page.close()


# --- which way the gradient flows; labels of ops not yet computed -------------------------

EDGE_STATE = """(id) => {
  const g = document.querySelector('.ag-graph [id="' + id + '"]');
  const head = g.querySelector('polygon.ag-backhead');
  const forward = g.querySelector('polygon:not(.ag-backhead)');
  const text = g.querySelector('text');
  return {
    back: head !== null && getComputedStyle(head).display !== 'none',
    tip: head ? head.getAttribute('points').split(' ').slice(0, 2).map(Number) : null,
    forward: forward !== null && getComputedStyle(forward).visibility !== 'hidden',
    label: text === null ? null : getComputedStyle(text).visibility !== 'hidden',
  };
}"""

DISTANCE_TO_BOX = """([id, x, y]) => {
  const b = document.querySelector('.ag-graph [id="' + id + '"]').getBBox();
  const dx = Math.max(b.x - x, 0, x - b.x - b.width);
  const dy = Math.max(b.y - y, 0, y - b.y - b.height);
  return Math.hypot(dx, dy);
}"""


def test_backward_edges_point_to_the_node_receiving_the_gradient(opened: Any) -> None:
    """In each backward frame the red edges' only arrowheads touch the parent, not the child."""
    page, player, _ = opened
    for n, frame in enumerate(player.frames):
        if n:
            page.page.click(".ag-next")
        if frame.phase != BACKWARD or not frame.edges:
            continue
        assert "the gradient flows back along the blue edges" in str(
            page.page.text_content(".ag-phase")
        )
        input_edge, out_edge = frame.edges
        child = int(out_edge[1:])
        receivers = {input_edge: player.ids[frame.node], out_edge: f"n{child}op"}
        senders = {input_edge: f"n{child}op", out_edge: f"n{child}"}
        for edge in frame.edges:
            state = page.page.evaluate(EDGE_STATE, edge)
            assert state["back"], f"frame {n}: {edge} has no backward arrowhead"
            assert not state["forward"], f"frame {n}: {edge} still points forward"
            x, y = state["tip"]
            to_receiver = page.page.evaluate(DISTANCE_TO_BOX, [receivers[edge], x, y])
            to_sender = page.page.evaluate(DISTANCE_TO_BOX, [senders[edge], x, y])
            assert to_receiver < 1.5 < to_sender, (n, edge, to_receiver, to_sender)
    assert page.errors == []


def test_forward_frames_hide_the_local_derivatives_of_ops_not_yet_computed(opened: Any) -> None:
    """An input edge's label (its local derivative) shows once its op has been computed."""
    page, player, (f, _, _) = opened
    order = topological_order(f)
    for n, frame in enumerate(player.frames):
        if frame.phase == BACKWARD:
            break
        if n:
            page.page.click(".ag-next")
        for i, node in enumerate(order):
            for k in range(len(node.parents)):
                state = page.page.evaluate(EDGE_STATE, f"e{i}_{k}")
                assert state["label"] is (i <= n), (n, i, k)
                assert not state["back"]
                assert state["forward"]


# --- the training player ---------------------------------------------------------------------


def xor_trainer() -> tuple[Any, Any, Any]:
    from autograd.data import logic_table
    from autograd.losses import binary_cross_entropy_with_logits
    from autograd.nn import MLP
    from autograd.optim import Adam
    from autograd.train import Trainer

    x, y = logic_table("xor")
    model = MLP(2, [4, 1], activation="tanh", seed=0)

    def bce(out: Any, t: Any) -> Any:
        return binary_cross_entropy_with_logits([out], [t])

    trainer = Trainer(model, Adam(model.parameters(), lr=0.1), bce, batch_size=None, progress=False)
    return trainer, x, y


STEPS = 6


@pytest.fixture(scope="module")
def training_page(browser: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from autograd.viz import record_training

    trainer, x, y = xor_trainer()
    player = record_training(trainer, x, y, steps=STEPS, example=3, grid=12)
    path = player.save(tmp_path_factory.mktemp("train") / "train.html")
    page = Page(browser, path)
    yield page, player
    page.page.close()


def test_training_player_shows_the_engines_loss_weights_and_grads_at_each_step(
    training_page: Any,
) -> None:
    """Pressing Next walks real optimizer steps: loss, weights, batch grads, example grads.

    A second model trained the same way, step by step with the plain Trainer, is the
    reference: at every step the page shows its batch loss, every weight before the update,
    its batch gradient and change, and the example's own gradient in the weight's box.
    """
    from autograd import Value, grad
    from autograd.viz.training import _example_loss

    page, player = training_page
    reference, x, y = xor_trainer()
    params = reference.model.parameters()
    names = [name for name, _ in reference.model.named_parameters()]
    example_ids = {player.node_names[i]: i for i in player.node_names}
    for k in range(STEPS):
        if k:
            page.page.click(".ag-next")
        assert page.attr("data-step") == str(k)
        before = [p.data for p in params]
        loss_e = _example_loss(reference, x[3], y[3])
        example_grads = grad(loss_e, params)
        loss = reference.train_step(x.tolist(), y.tolist())
        assert float(page.attr("data-loss")) == loss
        assert f"loss {fmt(loss)}" in str(page.page.text_content(".ag-loss-text"))
        rows = page.page.eval_on_selector_all(
            ".ag-weights tbody tr",
            "rows => rows.map(r => [r.dataset.name, ...Array.from(r.cells).slice(1)"
            ".map(c => c.textContent)])",
        )
        assert [r[0] for r in rows] == names
        for (name, value, g, change), p, b in zip(rows, params, before, strict=True):
            assert value == fmt(b), name
            assert g == fmt(p.grad), name
            assert change == fmt(p.data - b), name
        for name, g, b in zip(names, example_grads, before, strict=True):
            box = example_ids[name]
            assert page.box_text(box, "grad") == f"grad {fmt(g)}", (k, name)
            assert page.box_text(box, "data") == f"data {fmt(b)}", (k, name)
        assert isinstance(loss_e, Value)
    assert page.errors == []


def test_training_player_steps_through_one_examples_pass_inside_a_step(training_page: Any) -> None:
    """Inside a step, ▼ walks the example's forward then backward frames, as recorded."""
    page, player = training_page
    page.page.keyboard.press("Home")
    page.page.click(".ag-player")
    page.page.click(".ag-inner-next")  # from the whole step to the pass's first frame
    assert page.attr("data-frame") == "0"
    frames = player.steps[0].frames
    assert page.step_text() == frames[0].text
    for j in range(1, len(frames)):
        page.page.keyboard.press("ArrowDown")
        assert page.attr("data-frame") == str(j)
        assert page.step_text() == frames[j].text
    page.page.keyboard.press("ArrowRight")
    assert page.attr("data-step") == "1"
    assert page.attr("data-frame") == str(len(frames))  # a new step shows all of it
    assert page.errors == []


def test_training_page_is_self_contained(training_page: Any) -> None:
    """The training page loads nothing but itself."""
    page, _ = training_page
    assert all(url.startswith("file://") for url in page.requests)
    assert len(page.requests) == 1


def test_collapsed_player_rewrites_each_boxs_outputs_frame_by_frame(
    browser: Any, tmp_path: Path
) -> None:
    """A collapsed player's frames show, in each box, the outputs the engine computed."""
    from autograd import sum_values
    from autograd.nn import MLP
    from autograd.viz import label_parameters

    model = MLP(3, [4, 2], seed=0)
    label_parameters(model)
    outs = [model([float(i), 1.0, -1.0]) for i in range(3)]
    loss = sum_values([o * o for out in outs for o in out])  # type: ignore[union-attr]
    loss.label = "loss"
    player = step_through(loss, collapsed=True)
    page = Page(browser, player.save(tmp_path / "collapsed.html"))
    for n, record in enumerate(player.records):
        if n:
            page.page.keyboard.press("ArrowRight")
        assert page.attr("data-frame") == str(n)
        texts = page.page.eval_on_selector_all(
            f'.ag-graph [id="{record["box"]}"] text', "els => els.map(e => e.textContent)"
        )
        if record["field"]:  # a box of leaves has no outputs to show
            assert record["field"] in texts, (n, record, texts)
        assert page.step_text() == player.frames[n].text
    assert page.errors == []
    page.page.close()


def pass_or_training_player(kind: str) -> Any:
    """The worked example's player, a collapsed MLP's, or a training player of XOR."""
    if kind == "full":
        return step_through(worked_example()[0])
    if kind == "collapsed":
        from autograd import sum_values
        from autograd.nn import MLP
        from autograd.viz import label_parameters

        model = MLP(3, [4, 2], seed=0)
        label_parameters(model)
        outs = [model([float(i), 1.0, -1.0]) for i in range(3)]
        loss = sum_values([o * o for out in outs for o in out])  # type: ignore[union-attr]
        loss.label = "loss"
        return step_through(loss, collapsed=True)
    from autograd.viz import record_training

    trainer, x, y = xor_trainer()
    return record_training(trainer, x, y, steps=3, example=3, grid=8)


GRAPH_TEXTS = ".ag-graph g.node text, .ag-graph g.edge text"


@pytest.mark.parametrize("kind", ["full", "collapsed", "training"])
def test_a_page_without_scripts_shows_the_last_frames_graph_and_says_why(
    browser: Any, tmp_path: Path, kind: str
) -> None:
    """Scripts off: the message, a line saying what the graph shows, the graph, no dead controls.

    The graph's every text (box fields, edge labels) is what the page shows at its last frame
    (the last step's whole pass, for training) once its script runs.
    """
    player = pass_or_training_player(kind)
    path = player.save(tmp_path / "page.html")
    context = browser.new_context(java_script_enabled=False)
    off = context.new_page()
    off.goto(path.as_uri())
    message = off.locator(".ag-noscript")
    assert message.is_visible()
    assert "Trust Notebook" in str(message.text_content())
    said = off.locator(".ag-static")
    assert said.is_visible()
    assert "Without scripts, the graph shows" in str(said.text_content())
    graph = off.locator(".ag-graph svg")
    assert graph.is_visible()
    box = graph.bounding_box()
    assert box is not None
    assert box["width"] > 200
    assert box["height"] > 50
    for control in ("button", "input", "select", ".ag-legend", ".ag-controls"):
        assert off.locator(f".ag-player {control}:visible").count() == 0, control
    static = off.eval_on_selector_all(GRAPH_TEXTS, "els => els.map(e => e.textContent)")
    assert not any("1.23457e-05" in t for t in static)  # no layout placeholder is shown
    context.close()
    on = Page(browser, path)
    on.page.keyboard.press("End")
    assert on.page.locator(".ag-noscript").count() == 0
    assert not on.page.locator(".ag-static").is_visible()
    live = on.page.eval_on_selector_all(GRAPH_TEXTS, "els => els.map(e => e.textContent)")
    assert static == live
    assert on.errors == []
    on.page.close()
