"""A picture's gradients are the chain rule of that picture: stale ``.grad`` is caught and said.

``draw_dot(grads=".grad")`` (the default) draws the stored ``.grad`` and, when it is not one
backward pass from the drawn root, says so in the picture and warns; ``grads="fresh"`` draws
one fresh pass without touching ``.grad``. Every picture is checked with the DOT-only checker
of ``tests/dot_check.py``, which knows nothing of the engine.
"""

from __future__ import annotations

import re
import shutil

import pytest
from dot_check import chain_rule

from autograd import Value, dot, grad, sum_values, topological_order, zero_grad
from autograd.nn import MLP, Neuron
from autograd.viz import StaleGradWarning, check_grads, draw_dot, step_through

requires_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)


def worked_example() -> tuple[Value, Value, Value]:
    x, y = Value(2.0, label="x"), Value(3.0, label="y")
    f = x**2 + x * y + (x + y) ** 2
    f.label = "f"
    return f, x, y


def stale_neuron() -> tuple[Value, Neuron]:
    """A neuron trained one step on one input, then drawn on another: .grad holds both."""
    neuron = Neuron(3, activation="relu", seed=0)
    neuron([1.0, -2.0, 0.5]).backward()  # a 'training step' that nobody zeroed
    out = neuron([0.0, 1.0, 2.0])
    out.label = "out"
    out.backward()
    return out, neuron


def test_one_backward_is_consistent_and_obeys_the_chain_rule() -> None:
    """After one backward() the picture draws .grad without a note, and its numbers add up."""
    f, _, _ = worked_example()
    f.backward()
    assert check_grads(f).consistent
    source = draw_dot(f).source
    assert "WARNING" not in source
    verdict = chain_rule(source)
    assert verdict.holds, verdict.worst
    assert verdict.edges == 10


def test_backward_called_twice_is_two_passes_and_still_consistent() -> None:
    """k calls add k passes: the root shows grad 2, every box twice one pass: no note."""
    f, x, _ = worked_example()
    f.backward()
    f.backward()
    check = check_grads(f)
    assert check.consistent
    assert check.scale == 2.0
    source = draw_dot(f).source
    assert 'label="{x|data 2|grad 34}"' in source
    assert 'label="{f|data 35|grad 2}"' in source
    assert chain_rule(source).holds
    assert x.grad == 34.0


def test_before_backward_every_grad_is_zero_and_consistent() -> None:
    """No backward yet: every box shows grad 0, which is no lie (zero passes)."""
    f, _, _ = worked_example()
    assert check_grads(f).consistent
    assert "WARNING" not in draw_dot(f).source


def test_stale_grads_are_said_in_the_picture_and_warned() -> None:
    """Sums left by an earlier pass: a note at the top, the boxes outlined, a warning."""
    out, neuron = stale_neuron()
    with pytest.warns(StaleGradWarning, match=r"^draw_dot: WARNING: \d+ of \d+ boxes hold"):
        source = draw_dot(out).source
    assert "not one backward pass from out" in source.replace("\\n", " ")
    assert 'grads=\\"fresh\\"' in source or 'grads="fresh"' in source
    assert "dashed" in source  # the stale boxes are outlined
    assert not chain_rule(source).holds
    check = check_grads(out)
    assert neuron.w[0] in check.stale  # x0 = 0 now: one pass gives w0 no gradient
    assert check.fresh[neuron.w[0]] == 0.0
    assert neuron.w[0].grad != 0.0


def test_fresh_draws_one_pass_without_touching_grad() -> None:
    """grads='fresh' draws grad()'s numbers, warns about nothing and leaves .grad alone."""
    out, neuron = stale_neuron()
    before = [p.grad for p in neuron.parameters()]
    source = draw_dot(out, grads="fresh").source
    assert [p.grad for p in neuron.parameters()] == before
    assert "WARNING" not in source
    assert chain_rule(source).holds
    order = topological_order(out)
    fresh = grad(out, order)
    names = re.findall(r'label="\{[^|]*\|data [^|]*\|grad ([^}]*)\}"', source)
    assert [float(g) for g in names] == pytest.approx([float(f"{g:.6g}") for g in fresh])


def test_another_roots_grads_are_stale_for_one_examples_picture() -> None:
    """The batch loss's backward() does not make one example's picture true."""
    model = MLP(2, [3, 1], seed=0)
    outs = [model([a, b]) for a, b in [(1.0, 0.5), (-1.0, 2.0)]]
    losses = [(o - 1.0) ** 2 for o in outs]  # type: ignore[operator]
    sum_values(losses).backward()
    assert not check_grads(losses[0]).consistent
    with pytest.warns(StaleGradWarning):
        draw_dot(losses[0])
    assert chain_rule(draw_dot(losses[0], grads="fresh").source).holds


def test_zero_grad_then_backward_is_consistent_again() -> None:
    """The fix the note names: zero the gradients, then backward()."""
    out, _ = stale_neuron()
    zero_grad(topological_order(out))
    out.backward()
    assert check_grads(out).consistent
    assert chain_rule(draw_dot(out).source).holds


def test_show_without_grads_checks_nothing() -> None:
    """A picture that shows no gradient makes no claim about them: no note, no warning."""
    out, _ = stale_neuron()
    assert "WARNING" not in draw_dot(out, show="data").source


def test_collapsed_picture_says_so_too() -> None:
    """A collapsed drawing of stale grads carries the note in its title and warns."""
    out, _ = stale_neuron()
    with pytest.warns(StaleGradWarning):
        source = draw_dot(out, max_nodes=3).source
    assert "Values drawn as" in source
    assert "not one backward pass" in source.replace("\\n", " ")
    assert "WARNING" not in draw_dot(out, max_nodes=3, grads="fresh").source


def test_fused_dot_graphs_with_shared_inputs_hold_after_backward() -> None:
    """A net of fused dot nodes and shared inputs: one backward() draws a true picture."""
    xs = [Value(0.5 * i - 1.0, label=f"x{i}") for i in range(3)]
    ws = [[Value(0.1 * (i - j), label=f"w{j}{i}") for i in range(3)] for j in range(2)]
    hidden = [dot(w, xs, 0.1).tanh() for w in ws]
    out = (hidden[0] * hidden[1] + hidden[0].sigmoid() - xs[0]) ** 2
    out.backward()
    assert chain_rule(draw_dot(out).source).holds


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"grads": "stored"}, ValueError, r"^draw_dot: unknown grads 'stored' \(must be one of"),
        ({"grads": 1}, TypeError, r"^draw_dot: grads must be one of \['.grad', 'fresh'\], got int"),
        ({"digits": 0}, ValueError, r"^draw_dot: digits must be an int from 1 to 17"),
        ({"digits": 2.5}, TypeError, r"^draw_dot: digits must be an int from 1 to 17 .* float"),
        ({"digits": True}, TypeError, r"^draw_dot: digits must be an int"),
    ],
)
def test_bad_new_arguments_name_the_function_and_argument(
    kwargs: dict[str, object], error: type[Exception], pattern: str
) -> None:
    f, _, _ = worked_example()
    with pytest.raises(error, match=pattern):
        draw_dot(f, **kwargs)  # type: ignore[arg-type]


def test_digits_rounds_boxes_and_edges() -> None:
    """digits=3 prints three significant digits in boxes and on edges."""
    t = Value(0.123456, label="t")
    u = t.tanh()
    u.label = "u"
    u.backward()
    source = draw_dot(u, digits=3).source
    assert 'label="{u|data 0.123|grad 1}"' in source
    assert "label=0.985" in source


@requires_dot
def test_player_notes_and_warns_about_stale_grads() -> None:
    """step_through plays one fresh pass; stale .grad beside it is said, as in draw_dot."""
    out, _ = stale_neuron()
    with pytest.warns(StaleGradWarning, match=r"^step_through: WARNING"):
        player = step_through(out)
    assert "not one backward pass from out" in player.fragment()
    assert "WARNING" not in step_through(out, grads="fresh").fragment()


def test_path_picture_keeps_the_stale_note() -> None:
    """explain_paths(...).draw() of stale grads keeps draw_dot's note beside its legend."""
    from autograd.viz import explain_paths

    out, neuron = stale_neuron()
    with pytest.warns(StaleGradWarning):
        source = explain_paths(out, neuron.w[1]).draw().source
    assert "not one backward pass from out" in source
    assert "total" in source


def test_value_of_a_value_is_refused_without_listing_value_as_accepted() -> None:
    """Value(Value(2.0)) is refused; the message does not claim a Value is accepted there."""
    with pytest.raises(TypeError, match=r"^Value: expected a real number \(an int or a float\)"):
        Value(Value(2.0))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"grads": "stored"}, ValueError, r"^step_through: unknown grads 'stored'"),
        ({"grads": None}, TypeError, r"^step_through: grads must be one of"),
        ({"digits": 18}, ValueError, r"^step_through: digits must be an int from 1 to 17"),
        ({"collapsed": "yes"}, TypeError, r"^step_through: collapsed must be True or False"),
    ],
)
def test_step_through_new_arguments_are_checked(
    kwargs: dict[str, object], error: type[Exception], pattern: str
) -> None:
    f, _, _ = worked_example()
    with pytest.raises(error, match=pattern):
        step_through(f, **kwargs)  # type: ignore[arg-type]


def test_the_note_says_how_many_passes_it_expects_when_the_root_shows_another_count() -> None:
    """Root grad 2 (two backward()): 2 × one pass is expected; root grad 0: none is."""
    f, x, _ = worked_example()
    f.backward()
    f.backward()
    x.grad += 1.0  # 35: neither one pass (17) nor two (34)
    note = check_grads(f).note({n: n.label or "n" for n in topological_order(f)}, 8, 6)
    assert "not 2 backward passes from f (f shows grad 2; sums left" in note
    assert "x shows 35, 2 × one pass (17) gives 34" in note
    f, x, _ = worked_example()
    f.backward()
    f.grad = 0.0  # the root zeroed, the rest left: every other box is stale
    note = check_grads(f).note({n: n.label or "n" for n in topological_order(f)}, 8, 6)
    assert "not 0 backward passes from f (f shows grad 0; sums left" in note
    assert "x shows 17, 0 × one pass (17) gives 0" in note
    f, x, _ = worked_example()
    f.backward()
    x.grad += 1.0
    note = check_grads(f).note({n: n.label or "n" for n in topological_order(f)}, 8, 6)
    assert "not one backward pass from f" in note
    assert "x shows 18, one pass gives 17" in note
