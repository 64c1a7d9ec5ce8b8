"""Tests of draw_dot: DOT text (no binary needed), rendering (needs_dot), collapsed drawing."""

from __future__ import annotations

import itertools
import math
import random
import re
import shutil
import subprocess
import sys
import time

import graphviz
import pytest

from autograd import Value, dot, sum_values, topological_order
from autograd.nn import MLP
from autograd.ops import OPS
from autograd.viz import draw_dot, explain_paths
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
    """A box shows its label, data and grad; the tooltip adds the exact number where rounded."""
    f, _, _ = worked_example()
    source = draw_dot(f).source
    assert 'label="{x|data 2|grad 17}"' in source
    assert 'label="{y|data 3|grad 12}"' in source
    assert 'label="{f|data 35|grad 1}"' in source
    assert 'tooltip="x: data 2, grad 17"' in source
    t = Value(0.5, label="t").tanh()
    t.label = "u"
    assert "u: data 0.462117 (exactly 0.46211715726000974), grad 0" in draw_dot(t).source


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
    pow_formula = OPS["pow"].formula[0]  # the tooltip is the table's text, whatever it says
    assert f'(pow: d out / d input 0 = {pow_formula})"' in source


def test_edge_tooltips_read_the_tables_text_for_their_input() -> None:
    """A div edge shows its own input's derivative; a fused dot's edges show its rule by role."""
    a, b = Value(1.0, label="a"), Value(2.0, label="b")
    source = draw_dot(a / b).source
    assert 'tooltip="∂n2/∂a = 0.5  (div: d out / d input 0 = 1/b)"' in source
    assert 'tooltip="∂n2/∂b = -0.25  (div: d out / d input 1 = -a/b**2)"' in source
    assert 'tooltip="div: d out / d inputs = 1/b, -a/b**2"' in source
    rule = "x_i for w_i, w_i for x_i, 1 for b"
    source = draw_dot(dot([a, b], [3.0, 4.0], 0.5)).source
    for k in range(5):  # w_0, x_0, w_1, x_1, b
        assert f'(dot: d out / d input {k} = {rule})"' in source


def test_draw_dot_sorts_once_and_names_nodes_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """draw_dot builds one topological order and one set of node ids for the whole picture."""
    from autograd.viz import dot as dot_module

    calls: list[str] = []
    sort, ids = dot_module.topological_order, dot_module.node_ids

    def counting_sort(root: Value) -> list[Value]:
        calls.append("sort")
        return sort(root)

    def counting_ids(order: list[Value]) -> dict[Value, str]:
        calls.append("ids")
        return ids(order)

    monkeypatch.setattr(dot_module, "topological_order", counting_sort)
    monkeypatch.setattr(dot_module, "node_ids", counting_ids)
    f, x, _ = worked_example()
    assert "n0 -> n1op" in draw_dot(f, highlight=x).source
    assert calls == ["sort", "ids"]


def test_record_specials_in_labels_are_escaped() -> None:
    """Labels with record syntax ({ } | < >) are escaped so the box keeps its fields."""
    x = Value(1.0, label="{a|b}")
    assert r'label="{\{a\|b\}|data 1|grad 0}"' in draw_dot(x).source


def node_line(source: str, name: str) -> str:
    """The DOT line that declares node ``name``."""
    return next(line for line in source.splitlines() if line.strip().startswith(name + " "))


@pytest.mark.parametrize("form", ["list", "single", "tuple", "generator"])
def test_highlight_fills_the_node(form: str) -> None:
    """Highlighted Values get the highlight fill, whether given alone or in any iterable."""
    f, x, _ = worked_example()
    given = {"list": [x], "single": x, "tuple": (x,), "generator": (v for v in [x])}[form]
    source = draw_dot(f, highlight=given).source
    assert "#ffd54f" in node_line(source, "n0")
    assert "#ffd54f" not in node_line(source, "n2")
    assert source.count("#ffd54f") == 1


def test_highlight_none_highlights_nothing() -> None:
    """highlight=None draws exactly what the default (nothing highlighted) draws."""
    f, _, _ = worked_example()
    assert draw_dot(f, highlight=None).source == draw_dot(f).source
    assert "#ffd54f" not in draw_dot(f, highlight=None).source


@pytest.mark.parametrize(
    ("kwargs", "error", "pattern"),
    [
        (
            {"rankdir": "XY"},
            ValueError,
            r"^draw_dot: unknown rankdir 'XY' \(must be one of \['LR', 'TB'",
        ),
        (
            {"show": "all"},
            ValueError,
            r"^draw_dot: unknown show 'all' \(must be one of \['data\+grad'",
        ),
        ({"max_nodes": 0}, ValueError, r"^draw_dot: max_nodes must be an int >= 1, got 0$"),
        ({"max_nodes": 2.5}, TypeError, r"^draw_dot: max_nodes must be an int >= 1, got float"),
        ({"highlight": [3.0]}, TypeError, r"^draw_dot: highlight must hold Values, got float 3.0"),
        ({"highlight": 3.0}, TypeError, r"highlight must be a Value, an iterable of Values or No"),
        ({"highlight": "x"}, TypeError, r"highlight must be a Value, an iterable .* got str 'x'"),
        ({"highlight": [Value(9.0)]}, ValueError, r"is not in the graph of root"),
        ({"highlight": Value(9.0)}, ValueError, r"is not in the graph of root"),
        (
            {"edge_labels": "no"},
            TypeError,
            r"^draw_dot: edge_labels must be True or False, got 'no",
        ),
        ({"edge_labels": None}, TypeError, r"^draw_dot: edge_labels must be True or False, got No"),
        ({"clusters": 1}, TypeError, r"^draw_dot: clusters must be True or False, got 1$"),
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


@pytest.mark.needs_dot
@requires_dot
@pytest.mark.parametrize("sizes", [[2, 1], [3, 1], [2, 3, 1]])
def test_top_to_bottom_mlp_reads_its_neurons_and_parameters_in_order(sizes: list[int]) -> None:
    """In a clustered TB picture each layer's neurons stand left to right in order, and each
    neuron's boxes read w.0, w.1, ..., b (Graphviz would shuffle them, left to itself)."""
    model = MLP(2, sizes, seed=3)
    out = model([0.5, -1.0])
    assert isinstance(out, Value)
    picture = draw_dot(out, rankdir="TB", clusters=True)
    svg = picture.pipe(format="svg").decode()
    x_of: dict[str, float] = {}
    for _node_id, title, x in re.findall(
        r'<g id="(n\d+)" class="node">\s*<title>[^<]*</title>\s*<g id="a_n\d+"><a '
        r'xlink:title="([^":]+):.*?<text text-anchor="middle" x="([-\d.]+)"',
        svg,
        flags=re.DOTALL,
    ):
        x_of[title] = float(x)
    for li, width in enumerate(sizes):
        fan_in = ([2, *sizes])[li]
        lefts = []
        for ni in range(width):
            prefix = f"layers.{li}.neurons.{ni}."
            names = [f"{prefix}w.{k}" for k in range(fan_in)] + [f"{prefix}b"]
            xs = [x_of[name] for name in names]
            assert xs == sorted(xs), (names, xs)
            lefts.append(xs[0])
        assert lefts == sorted(lefts), (li, lefts)


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


# --- clusters per neuron and layer in full drawings ---------------------------------------


def mlp_loss(n_examples: int = 1) -> tuple[MLP, Value, list[list[float]]]:
    """An nn MLP(2, [3, 1]) (tanh) and its summed squared output over examples, backward done."""
    model = MLP(2, [3, 1], activation="tanh", seed=0)
    inputs = [[1.0 + k, -0.5 * k] for k in range(n_examples)]
    outs = [model([Value(a, label=f"x{k}a"), Value(b, label=f"x{k}b")]) for k, (a, b) in
            enumerate(inputs)]  # fmt: skip
    loss = sum_values([o * o for o in outs])  # type: ignore[operator]
    loss.label = "L"
    loss.backward()
    return model, loss, inputs


def cluster_paths(source: str) -> tuple[dict[str, tuple[str, ...]], dict[str, str]]:
    """Map each node declared in DOT text to the labels of the clusters around it, outermost first.

    Also returns each cluster's name with its label. Reads graphviz's own layout of the text:
    ``subgraph cluster_x {`` opens, a line ``}`` closes, a cluster's ``label=`` line names it.
    """
    stack: list[str] = []
    labels: dict[str, str] = {}
    where: dict[str, tuple[str, ...]] = {}
    for line in source.splitlines()[1:]:
        text = line.strip()
        opened = re.match(r"subgraph (cluster_\w+) \{", text)
        if opened:
            stack.append(opened.group(1))
        elif text == "}":
            if stack:
                stack.pop()
        elif stack and stack[-1] not in labels and (found := re.search(r'label="([^"]+)"', text)):
            labels[stack[-1]] = found.group(1)
        elif declared := re.match(r"(n\d+(?:op)?) \[", text):
            where[declared.group(1)] = tuple(labels[c] for c in stack)
    return where, labels


def test_clusters_put_each_neurons_nodes_in_its_cluster_inside_its_layer() -> None:
    """clusters=True: a neuron's parameters, weighted sum and activation sit in its cluster."""
    model, loss, _ = mlp_loss()
    order = topological_order(loss)
    ids = {node: f"n{i}" for i, node in enumerate(order)}
    source = draw_dot(loss, clusters=True).source
    where, labels = cluster_paths(source)
    assert sorted(labels.values()) == ["layers.0", "layers.1", "neurons.0", "neurons.0",
                                       "neurons.1", "neurons.2"]  # fmt: skip
    for i, layer in enumerate(model.layers):
        for j, neuron in enumerate(layer.neurons):
            expected = (f"layers.{i}", f"neurons.{j}")
            for p in neuron.parameters():
                assert where[ids[p]] == expected, p.label
            # the fused dot node reads the weights; its activation (if any) reads only it
            pre = next(n for n in order if n.op is not None and neuron.w[0] in n.parents)
            assert where[ids[pre]] == where[ids[pre] + "op"] == expected
            users = [n for n in order if pre in n.parents and len(n.parents) == 1]
            for act in users:
                assert where[ids[act]] == where[ids[act] + "op"] == expected
    # inputs and the loss belong to no neuron: drawn outside every cluster
    for node in order:
        if node.label.startswith("x") or node is loss:
            assert where[ids[node]] == ()
    assert len(where) == len(order) + sum(1 for n in order if n.op is not None)


def test_clusters_output_is_deterministic_and_opt_in() -> None:
    """Two builds give the same clustered DOT text; without clusters=True there are none."""
    _, first, _ = mlp_loss(2)
    _, second, _ = mlp_loss(2)
    assert draw_dot(first, clusters=True).source == draw_dot(second, clusters=True).source
    assert "subgraph" not in draw_dot(first).source
    assert draw_dot(first, clusters=True).source.count("subgraph cluster_") == 6
    # the same nodes and edges, only grouped: every edge appears in both, and every node
    plain = draw_dot(first).source
    grouped = draw_dot(first, clusters=True).source
    edge = re.compile(r"^\s*(n\d+(?:op)? -> n\d+(?:op)? \[[^\]]*label=[^ ]+ id=\w+)", re.M)
    assert sorted(edge.findall(plain)) == sorted(edge.findall(grouped))
    node = re.compile(r"^\s*(n\d+(?:op)?) \[", re.M)
    assert sorted(node.findall(plain)) == sorted(node.findall(grouped))


def test_clusters_without_nn_labels_leave_the_picture_flat() -> None:
    """A graph with no dotted labels has no neuron to cluster: the DOT text is unchanged."""
    f, _, _ = worked_example()
    assert draw_dot(f, clusters=True).source == draw_dot(f).source


@pytest.mark.needs_dot
@requires_dot
def test_clustered_picture_renders_each_cluster() -> None:
    """dot draws the six clusters (two layers, four neurons) with their labels."""
    _, loss, _ = mlp_loss()
    svg = draw_dot(loss, clusters=True).pipe(format="svg").decode()
    assert svg.count('class="cluster"') == 6
    assert ">layers.0</text>" in svg
    assert ">neurons.2</text>" in svg


# --- collapsed drawings: outputs, options carried over ------------------------------------


def test_collapsed_boxes_show_each_neurons_output_and_leaf_counts() -> None:
    """A neuron's box shows its activation's data and grad; a box of leaves only its count."""
    model, loss, inputs = mlp_loss(1)
    source = draw_dot(loss, max_nodes=20).source
    (a, b) = inputs[0]
    hidden = [
        math.tanh(neuron.w[0].data * a + neuron.w[1].data * b + neuron.b.data)
        for neuron in model.layers[0].neurons
    ]
    out = model.layers[1].neurons[0]  # linear: y = v · h + c, L = y**2, so dL/dh_j = 2y v_j
    y = sum(v.data * h for v, h in zip(out.w, hidden, strict=True)) + out.b.data
    for j, h in enumerate(hidden):
        box = next(line for line in source.splitlines() if f"layers.0.neurons.{j}|" in line)
        assert f"out data {format(h, '.6g')} grad {format(2 * y * out.w[j].data, '.6g')}" in box
    inputs_box = next(line for line in source.splitlines() if 'label="inputs|' in line)
    assert 'label="inputs|2 leaves" ' in inputs_box  # the name and the count, nothing else


def test_collapsed_box_of_a_batched_neuron_shows_the_range_of_its_outputs() -> None:
    """A neuron applied to 3 examples has 3 outputs: the box gives their count and range."""
    model, loss, inputs = mlp_loss(3)
    source = draw_dot(loss, max_nodes=20).source
    neuron = model.layers[0].neurons[1]
    outs = [math.tanh(neuron.w[0].data * a + neuron.w[1].data * b) for a, b in inputs]
    box = next(line for line in source.splitlines() if "layers.0.neurons.1|" in line)
    assert f"3 outs, data in [{min(outs):.6g}, {max(outs):.6g}]" in box


def test_collapsed_title_uses_the_singular_for_one_group() -> None:
    """One box reads '1 group', not '1 groups'."""
    xs = [Value(float(i)) for i in range(6)]
    source = draw_dot(sum_values(xs), max_nodes=3).source
    assert 'label="7 Values drawn as 1 group"' in source


def test_collapsed_highlight_fills_the_box_that_holds_the_node() -> None:
    """highlight carries over to the one box holding the highlighted Value."""
    model, loss, _ = mlp_loss(1)
    weight = model.layers[0].neurons[2].w[1]
    source = draw_dot(loss, max_nodes=20, highlight=weight).source
    boxes = [line for line in source.splitlines() if "shape=record" in line]
    lit = [line for line in boxes if "#ffd54f" in line]
    assert len(lit) == 1
    assert "layers.0.neurons.2|" in lit[0]
    assert "holds the highlighted layers.0.neurons.2.w.1" in lit[0]


def test_collapsed_honours_edge_labels_and_show() -> None:
    """edge_labels=False drops the edge counts; show='label' drops the output numbers."""
    _, loss, _ = mlp_loss(1)
    counted = draw_dot(loss, max_nodes=20).source
    assert re.search(r"g\d+ -> g\d+ \[label=", counted)
    bare = draw_dot(loss, max_nodes=20, edge_labels=False).source
    assert re.search(r"g\d+ -> g\d+ \[id=cg\d+_g\d+ tooltip=", bare)
    assert not re.search(r"g\d+ -> g\d+ \[label=", bare)
    assert "out data" in counted
    assert "out data" not in draw_dot(loss, max_nodes=20, show="label").source
    grads_only = draw_dot(loss, max_nodes=20, show="grad").source
    assert "out grad" in grads_only
    assert "out data" not in grads_only


def test_collapsed_path_colours_warn_that_they_cannot_be_shown() -> None:
    """The explainer's colours cannot apply to boxes: drawing collapsed warns, naming the fix."""
    model, loss, _ = mlp_loss(1)
    explanation = explain_paths(loss, model.layers[0].neurons[0].w[0])
    with pytest.warns(UserWarning, match=r"drawn collapsed .* edge colours .* larger max_nodes"):
        picture = explanation.draw(max_nodes=20)
    assert "Values drawn as" in picture.source
    assert f"total {explanation.total!r} = engine" in picture.source
