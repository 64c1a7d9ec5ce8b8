"""The re-check's two ways of comparing graphs: the fast test in C and the walk that says where.

``GraphCheck.same`` may answer "not sure" (False) for a graph the walk finds alike, but never
"the same" for a graph the walk finds different; and on the graphs a plan meets every check --
the traced function rebuilt on another example -- it must answer "the same", or the speed-up
is lost. Random small programs, rebuilt as they are and with one change, test both.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from hypothesis import given
from hypothesis import strategies as st
from strategies import CALLERS

from autograd import Value, topological_order
from autograd.compiled.check import GraphCheck

INPUTS, PARAMS = 3, 3
NUMBERS = (0.0, -0.0, 1.0, 2.5, math.nan)  # constants and op parameters: 0 and -0.0, nan
NAN = NUMBERS.index(math.nan)


@dataclass(frozen=True)
class Step:
    """One node: ``op`` of ``refs`` -- ("x", i) input, ("p", i) parameter, ("n", j) an earlier
    node, ("c", k) a new constant ``NUMBERS[k]`` -- with ``number`` for pow and leaky_relu."""

    op: str
    refs: tuple[tuple[str, int], ...]
    number: int = 0


UNARY, BINARY, NARY = (
    ("neg", "relu", "pow", "leaky_relu"),
    ("add", "mul", "sub"),
    ("dot", "sum", "max"),
)


def build(program: list[Step], inputs: list[Value], params: list[Value], shared: Value) -> Value:
    """The program's last node; ("s", 0) is ``shared``, one object in every build (made outside)."""
    nodes: list[Value] = []

    def get(ref: tuple[str, int]) -> Value:
        kind, i = ref
        if kind == "x":
            return inputs[i]
        if kind == "p":
            return params[i]
        if kind == "n":
            return nodes[i]
        if kind == "s":
            return shared
        return Value(NUMBERS[i])

    for step in program:
        number = {
            "pow": {"exponent": NUMBERS[step.number]},
            "leaky_relu": {"slope": NUMBERS[step.number]},
        }
        nodes.append(CALLERS[step.op](*map(get, step.refs), **number.get(step.op, {})))
    return nodes[-1]


@st.composite
def programs(draw: st.DrawFn) -> list[Step]:
    """A few steps, each reading inputs, parameters, constants and earlier steps."""
    program: list[Step] = []
    for j in range(draw(st.integers(1, 7))):
        ref = ref_strategy(j)
        op = draw(st.sampled_from(UNARY + BINARY + NARY))
        count = 1 if op in UNARY else 2 if op in BINARY else draw(st.integers(1, 5))
        if op == "dot":
            count = 2 * draw(st.integers(1, 3)) + 1
        refs = tuple(draw(ref) for _ in range(count))
        program.append(Step(op, refs, draw(st.integers(0, len(NUMBERS) - 1))))
    return program


def ref_strategy(j: int) -> st.SearchStrategy[tuple[str, int]]:
    """A reference step ``j`` may make: an input, a parameter, a constant, the shared Value or
    an earlier step (earlier steps most often, so the graphs have depth)."""
    leaves = st.tuples(st.sampled_from("xp"), st.integers(0, INPUTS - 1)) | st.tuples(
        st.sampled_from("cs"), st.integers(0, len(NUMBERS) - 1)
    )
    if j == 0:
        return leaves
    return st.tuples(st.just("n"), st.integers(0, j - 1)) | leaves


@st.composite
def changed(draw: st.DrawFn, program: list[Step]) -> list[Step]:
    """The program with one step changed: its op, its number, one reference, or one more input."""
    j = draw(st.integers(0, len(program) - 1))
    step = program[j]
    what = draw(st.sampled_from(["op", "number", "ref", "more"]))
    if what == "op":
        same_arity = next(
            ops for ops in (UNARY, BINARY, ("sum", "max"), ("dot",)) if step.op in ops
        )
        step = replace(step, op=draw(st.sampled_from(same_arity)))
    elif what == "number":
        step = replace(step, number=draw(st.integers(0, len(NUMBERS) - 1)))
    elif what == "ref":
        i = draw(st.integers(0, len(step.refs) - 1))
        refs = list(step.refs)
        refs[i] = draw(ref_strategy(j))
        step = replace(step, refs=tuple(refs))
    elif step.op in ("sum", "max"):
        step = replace(step, refs=(*step.refs, draw(ref_strategy(j))))
    return [*program[:j], step, *program[j + 1 :]]


def setting(program: list[Step]) -> tuple[GraphCheck, list[Value], Value]:
    """The traced graph's check, the parameters and the shared Value."""
    params = [Value(float(i + 1)) for i in range(PARAMS)]
    shared = Value(0.5, label="shared")
    inputs = [Value(0.0) for _ in range(INPUTS)]
    root = build(program, inputs, params, shared)
    return GraphCheck(topological_order(root), inputs, params), params, shared


def uses_nan(program: list[Step]) -> bool:
    """Whether a constant or an op's number is nan: the fast test leaves those to the walk."""
    return any(
        (s.op in ("pow", "leaky_relu") and s.number == NAN) or ("c", NAN) in s.refs for s in program
    )


@given(st.data())
def test_the_fast_test_never_calls_a_different_graph_the_same(data: st.DataObject) -> None:
    program = data.draw(programs())
    check, params, shared = setting(program)
    new_inputs = [Value(float(i) - 1.0) for i in range(INPUTS)]
    rebuilt = build(program, new_inputs, params, shared)
    assert check.difference(rebuilt, new_inputs) is None  # the walk notes the shared Value
    again = build(program, new_inputs, params, shared)
    if not uses_nan(program):
        assert check.same(again, new_inputs)  # the case every re-check meets: fast
    other = build(data.draw(changed(program)), new_inputs, params, shared)
    walked = check._walk(other, new_inputs)
    if check.same(other, new_inputs):
        assert walked is None, walked
    assert check.difference(other, new_inputs) == walked


def test_zero_and_minus_zero_are_different_constants_for_both() -> None:
    program = [Step("mul", (("x", 0), ("c", 0)))]  # x * 0.0
    check, params, shared = setting(program)
    x = [Value(2.0) for _ in range(INPUTS)]
    signed = build([Step("mul", (("x", 0), ("c", 1)))], x, params, shared)  # x * -0.0
    assert not check.same(signed, x)
    assert "the constant -0.0" in (check.difference(signed, x) or "")
    assert check.same(build(program, x, params, shared), x)


def test_one_node_read_twice_against_two_alike_nodes_is_a_difference() -> None:
    # traced: (x0 * p0) + (x0 * p0), two nodes; rebuilt: one node added to itself
    two = [Step("mul", (("x", 0), ("p", 0))), Step("mul", (("x", 0), ("p", 0)))]
    check, params, shared = setting([*two, Step("add", (("n", 0), ("n", 1)))])
    x = [Value(2.0) for _ in range(INPUTS)]
    one = build([*two, Step("add", (("n", 0), ("n", 0)))], x, params, shared)
    assert not check.same(one, x)
    assert "one node feeds where, when traced, another node did" in (check.difference(one, x) or "")


def test_a_parameter_where_a_constant_of_its_number_was_is_a_difference() -> None:
    check, params, shared = setting([Step("mul", (("x", 0), ("c", 2)))])  # x * 1.0
    x = [Value(2.0) for _ in range(INPUTS)]
    other = build([Step("mul", (("x", 0), ("p", 0)))], x, params, shared)  # x * p0, p0 = 1.0
    assert params[0].data == 1.0
    assert not check.same(other, x)
    assert "here a parameter, when traced the constant 1.0" in (check.difference(other, x) or "")


def test_a_term_moved_from_one_sum_to_another_is_a_difference() -> None:
    # traced: sum(x0, x1) + sum(x2); rebuilt: sum(x0) + sum(x1, x2), the same edges in a row
    first = [Step("sum", (("x", 0), ("x", 1))), Step("sum", (("x", 2),))]
    check, params, shared = setting([*first, Step("add", (("n", 0), ("n", 1)))])
    x = [Value(2.0) for _ in range(INPUTS)]
    moved = [Step("sum", (("x", 0),)), Step("sum", (("x", 1), ("x", 2)))]
    other = build([*moved, Step("add", (("n", 0), ("n", 1)))], x, params, shared)
    assert not check.same(other, x)
    assert "`sum` of 2 inputs, when traced `sum` of 1 inputs" in (check.difference(other, x) or "")


def test_a_constant_object_found_again_is_made_outside_and_must_stay_that_object() -> None:
    x = [Value(0.0) for _ in range(INPUTS)]
    params = [Value(1.0)]
    offset = Value(3.0)  # a leaf the function reuses: in the traced graph it looks like a constant
    check = GraphCheck(topological_order(x[0] * offset), x, params)
    new = [Value(1.0) for _ in range(INPUTS)]
    assert not check.same(new[0] * offset, new)  # the same object: the walk must note it
    assert check.difference(new[0] * offset, new) is None
    assert offset in check.outside
    assert check.same(new[0] * offset, new)  # now the fast test knows it too
    assert not check.same(new[0] * Value(3.0), new)  # another object of its number: a difference
    assert "made outside the function" in (check.difference(new[0] * Value(3.0), new) or "")
