"""Tests of draw_dot: DOT text (no binary needed), rendering (needs_dot), collapsed drawing."""

from __future__ import annotations

import importlib.util
import itertools
import random
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import graphviz
import pytest

from autograd import Value, dot, sum_values, topological_order
from autograd.ops import OPS
from autograd.viz import draw_dot
from autograd.viz.collapse import group_nodes

requires_dot = pytest.mark.skipif(
    shutil.which("dot") is None, reason="Graphviz's dot is not installed (apt-get install graphviz)"
)


def worked_example(x0: float = 2.0, y0: float = 3.0) -> tuple[Value, Value, Value]:
    """f(x, y) = x**2 + x*y + (x + y)**2, backward done; returns (f, x, y)."""
    x, y = Value(x0, label="x"), Value(y0, label="y")
    f = x**2 + x * y + (x + y) ** 2
    f.label = "f"
    f.backward()
    return f, x, y


def edge_labels(source: str) -> dict[str, str]:
    """Map each labelled edge's id to its label in DOT text."""
    found = {}
    for line in source.splitlines():
        m = re.search(r"\[label=\"?([^\" ]+)\"? id=(e\d+_\d+)", line)
        if m:
            found[m.group(2)] = m.group(1)
    return found


def test_source_is_deterministic_across_builds() -> None:
    """The same expression built twice gives the same DOT text (names never use id())."""
    first = draw_dot(worked_example()[0]).source
    second = draw_dot(worked_example()[0]).source
    assert first == second
    assert "0x" not in first


def test_edge_labels_are_local_derivatives_of_worked_example() -> None:
    """Edges carry d out / d input: 2x for x**2, (y, x) for x*y, 2(x+y) for (x+y)**2."""
    f, x, y = worked_example(2.0, 3.0)
    order = topological_order(f)
    index = {node: i for i, node in enumerate(order)}
    labels = edge_labels(draw_dot(f).source)
    square = next(n for n in order if n.op is not None and n.op.name == "pow" and n.parents[0] is x)
    product = next(n for n in order if n.op is not None and n.op.name == "mul")
    total = next(
        n for n in order if n.op is not None and n.parents == (x, y) and n.op.name == "add"
    )
    outer = next(
        n for n in order if n.op is not None and n.op.name == "pow" and n.parents[0] is total
    )
    assert labels[f"e{index[square]}_0"] == "4"  # 2x at x = 2
    assert labels[f"e{index[product]}_0"] == "3"  # d(xy)/dx = y
    assert labels[f"e{index[product]}_1"] == "2"  # d(xy)/dy = x
    assert labels[f"e{index[outer]}_0"] == "10"  # 2(x + y)
    assert len(labels) == 10  # one labelled edge per input of every op


def test_boxes_show_label_data_and_grad() -> None:
    """A Value's box shows its label, data and grad; the tooltip keeps the exact repr."""
    f, _, _ = worked_example()
    source = draw_dot(f).source
    assert 'label="{x|data 2|grad 17}"' in source
    assert 'label="{y|data 3|grad 12}"' in source
    assert 'label="{f|data 35|grad 1}"' in source
    assert 'tooltip="x: data=2.0 grad=17.0"' in source


def test_show_option_selects_fields() -> None:
    """show='data' drops grads, show='grad' drops data, show='label' keeps only the label."""
    f, _, _ = worked_example()
    assert 'label="{x|data 2}"' in draw_dot(f, show="data").source
    assert 'label="{x|grad 17}"' in draw_dot(f, show="grad").source
    assert 'label="{x}"' in draw_dot(f, show="label").source


def test_square_of_same_node_draws_two_edges() -> None:
    """a * a has two parent edges (duplicates kept), each labelled with a = 3."""
    a = Value(3.0, label="a")
    source = draw_dot(a * a).source
    assert source.count("n0 -> n1op") == 2
    assert edge_labels(source) == {"e1_0": "3", "e1_1": "3"}


def test_edge_labels_can_be_turned_off() -> None:
    """edge_labels=False leaves no label on input edges."""
    f, _, _ = worked_example()
    assert edge_labels(draw_dot(f, edge_labels=False).source) == {}


def test_op_nodes_show_symbol_and_formula_tooltip() -> None:
    """Op nodes show the op's symbol (with its constant) and its formula as tooltip."""
    x = Value(0.5, label="x")
    source = draw_dot((x**3).tanh()).source
    assert 'label="** 3"' in source
    assert 'tooltip="tanh: d out / d inputs = 1 - tanh(x)**2"' in source
    pow_formula = OPS["pow"].formula  # the tooltip is the table's text, whatever it says
    assert f'tooltip="pow: d out / d input 0 = {pow_formula}"' in source


def test_record_specials_in_labels_are_escaped() -> None:
    """Labels with record syntax ({ } | < >) are escaped so the box keeps its fields."""
    x = Value(1.0, label="{a|b}")
    assert r'label="{\{a\|b\}|data 1|grad 0}"' in draw_dot(x).source


def test_highlight_fills_the_node() -> None:
    """Highlighted Values get the highlight fill; others keep theirs."""
    f, x, _ = worked_example()
    lines = draw_dot(f, highlight=[x]).source.splitlines()
    x_line = next(line for line in lines if line.strip().startswith("n0 "))
    y_line = next(line for line in lines if line.strip().startswith("n2 "))
    assert "#ffd54f" in x_line
    assert "#ffd54f" not in y_line


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        ({"rankdir": "XY"}, ValueError, r"unknown rankdir 'XY' \(must be one of \['LR', 'TB'"),
        ({"show": "all"}, ValueError, r"unknown show 'all' \(must be one of \['data\+grad'"),
        ({"max_nodes": 0}, ValueError, r"max_nodes must be a positive int, got 0"),
        ({"max_nodes": 2.5}, TypeError, r"max_nodes must be a positive int, got 2.5"),
        ({"highlight": [3.0]}, TypeError, r"highlight must hold Values, got float 3.0"),
        ({"highlight": [Value(9.0)]}, ValueError, r"is not in the graph of root"),
    ],
)
def test_bad_arguments_raise_clear_errors(
    kwargs: dict[str, object], error: type[Exception], pattern: str
) -> None:
    """Each bad argument names the parameter, the value and what is allowed."""
    f, _, _ = worked_example()
    with pytest.raises(error, match=pattern):
        draw_dot(f, **kwargs)  # type: ignore[arg-type]


def test_root_must_be_a_value() -> None:
    """A plain number as root is refused with the function's name."""
    with pytest.raises(TypeError, match="draw_dot: root must be a Value"):
        draw_dot(3.0)  # type: ignore[arg-type]


def test_importing_autograd_viz_does_not_import_graphviz() -> None:
    """import autograd and autograd.viz leave graphviz unloaded until something is drawn."""
    code = "import sys, autograd, autograd.viz; print('graphviz' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_missing_dot_builds_source_and_explains_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: object
) -> None:
    """Without dot on PATH, .source works and rendering says what to install and how."""
    monkeypatch.setenv("PATH", str(tmp_path))
    picture = draw_dot(worked_example()[0])
    assert "digraph" in picture.source
    with pytest.raises(graphviz.ExecutableNotFound, match="apt-get install graphviz") as info:
        picture.pipe(format="svg")
    assert "brew install graphviz" in str(info.value)


@pytest.mark.needs_dot
@requires_dot
def test_render_svg_has_node_ids_and_numbers() -> None:
    """The SVG keeps the node ids (n0...) and shows the numbers of the boxes and edges."""
    svg = draw_dot(worked_example()[0]).pipe(format="svg").decode()
    assert '<g id="n0" class="node">' in svg
    assert '<g id="e6_0" class="edge">' in svg
    assert ">grad 17</text>" in svg
    assert ">10</text>" in svg  # the label of the edge into (x + y)**2


def labelled_mlp(sizes: list[int], n_examples: int, seed: int = 0) -> tuple[Value, int]:
    """A tanh MLP's summed squared output over examples, params labelled L{i}.N{j}.w{k}."""
    rng = random.Random(seed)
    layers = []
    for i, (nin, nout) in enumerate(itertools.pairwise(sizes)):
        neurons = []
        for j in range(nout):
            ws = [Value(rng.uniform(-1, 1), label=f"L{i}.N{j}.w{k}") for k in range(nin)]
            neurons.append((ws, Value(0.0, label=f"L{i}.N{j}.b")))
        layers.append(neurons)
    losses = []
    for _ in range(n_examples):
        xs: list[Value] = [Value(rng.uniform(-1, 1)) for _ in range(sizes[0])]
        for neurons in layers:
            xs = [dot(ws, xs, b).tanh() for ws, b in neurons]
        losses.append(sum_values([x * x for x in xs]))
    loss = sum_values(losses)
    return loss, len(layers)


def test_small_mlp_draws_in_full_below_max_nodes() -> None:
    """A graph with fewer Values than max_nodes is drawn node by node (no groups)."""
    loss, _ = labelled_mlp([2, 3, 1], 1)
    source = draw_dot(loss, max_nodes=1000).source
    assert "L0.N2.w1" in source
    assert "groups" not in source


def test_large_mlp_collapses_per_neuron_in_layer_clusters() -> None:
    """Past max_nodes the MLP is one box per neuron, clustered per layer, with fan-in."""
    loss, _ = labelled_mlp([4, 3, 2], 5)
    order = topological_order(loss)
    source = draw_dot(loss, max_nodes=50).source
    assert f"{len(order)} Values drawn as" in source
    assert "L0.N2|" in source
    assert "subgraph cluster_" in source
    for j in range(3):
        assert f"L0.N{j}|" in source
    # neuron L1.N0 reads 3 hidden outputs per example from layer 0
    box = next(line for line in source.splitlines() if "L1.N0|" in line)
    assert "fan-in 15" in box  # 3 inputs x 5 examples cross into it


def test_group_nodes_puts_dot_and_activation_with_the_neuron() -> None:
    """A neuron's fused dot node and its tanh join the neuron's group; inputs stay apart."""
    w = [Value(0.5, label="L0.N0.w0"), Value(-0.5, label="L0.N0.w1")]
    b = Value(0.1, label="L0.N0.b")
    xs = [Value(1.0), Value(2.0)]
    pre = dot(w, xs, b)
    out = pre.tanh()
    groups = group_nodes(topological_order(out), 10)
    assert groups[pre] == groups[out] == "L0.N0"
    assert groups[xs[0]] == groups[xs[1]] == "inputs"


def test_unlabelled_deep_chain_collapses_by_depth_without_recursion() -> None:
    """A 20,000-op chain draws as at most max_nodes depth bands, quickly and iteratively."""
    x = Value(0.5)
    y = x
    for _ in range(20_000):
        y = y * 1.0 + 0.0
    start = time.perf_counter()
    source = draw_dot(y, max_nodes=20).source
    assert time.perf_counter() - start < 10.0
    boxes = re.findall(r"^\s*g\d+ \[", source, flags=re.MULTILINE)
    assert 1 < len(boxes) <= 20
    assert "depth 0-" in source


@pytest.mark.slow
@pytest.mark.needs_dot
@requires_dot
def test_digits_sized_step_draws_and_renders_in_seconds() -> None:
    """One step's graph of a 64-32-10 net over 50 examples (~37k Values) renders in seconds."""
    loss, _ = labelled_mlp([64, 32, 10], 50)
    start = time.perf_counter()
    svg = draw_dot(loss).pipe(format="svg")
    elapsed = time.perf_counter() - start
    assert b"Values drawn as" in svg
    assert b">L0</text>" in svg
    assert b">L1</text>" in svg  # 32 x 10 neuron arrows are too dense: one box per layer
    assert elapsed < 20.0


def test_nn_mlp_collapses_per_neuron_after_label_parameters() -> None:
    """An autograd.nn MLP, its parameters labelled by name, collapses to one box per neuron."""
    nn = pytest.importorskip("autograd.nn")
    from autograd.viz import label_parameters

    model = nn.MLP(3, [4, 2], seed=0)
    label_parameters(model)
    outs = [model([float(i), 1.0, -1.0]) for i in range(6)]
    loss = sum_values([o * o for out in outs for o in out])
    source = draw_dot(loss, max_nodes=40).source
    for j in range(4):
        assert f"layers.0.neurons.{j}|" in source
    assert 'label="layers.0"' in source or 'label="layers.0"' in source
    box = next(line for line in source.splitlines() if "layers.1.neurons.0|" in line)
    assert "fan-in 24" in box  # 4 hidden outputs x 6 examples


@pytest.mark.needs_dot
@requires_dot
def test_gallery_script_renders_every_picture(tmp_path: Path) -> None:
    """viz/gallery.py writes each canonical picture with the engine's numbers in it."""
    spec = importlib.util.spec_from_file_location(
        "gallery", Path(__file__).resolve().parent.parent / "viz" / "gallery.py"
    )
    assert spec is not None
    assert spec.loader is not None
    gallery = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gallery)
    assert gallery.main(tmp_path) == 0
    written = {p.name: p.read_text(encoding="utf-8") for p in tmp_path.iterdir()}
    assert set(written) == {*gallery.pictures(), "worked_example_steps.html"}
    assert ">grad 17</text>" in written["worked_example.svg"]
    assert "total 17.0 = engine" in written["worked_example_paths_x.svg"]
    assert ">data 0.707107</text>" in written["tanh_neuron.svg"]  # tanh(0.881374) = 1/sqrt(2)
    assert ">w3</text>" in written["sigmoid_chain.svg"]
    assert "layers.1.neurons.0.w.2" in written["mlp_2layer.svg"]
    assert "Values drawn as" in written["digits_step_collapsed.svg"]
