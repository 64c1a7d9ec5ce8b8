"""Passes from several threads over shared nodes give exactly the gradients of running them in turn.

Every pass (``backward()``, ``grad()``), ``zero_grad``, an optimizer's step and a compiled plan's
call hold one lock (``autograd.fast_backward.GRAD_LOCK``). The switch interval is cut to a
microsecond here so that, without the lock, threads would interleave inside nearly every pass;
all gradients are small integers, so every order of the sums gives the same exact number.
"""

from __future__ import annotations

import sys
import threading
from collections.abc import Callable, Iterator

import numpy as np
import pytest

from autograd import Value, grad, zero_grad
from autograd.compiled import compile_loss
from autograd.optim import SGD
from autograd.types import Array

THREADS = 4
CALLS = 300
JOIN_TIMEOUT = 60.0  # seconds; the whole file takes about one


@pytest.fixture(autouse=True)
def switch_often() -> Iterator[None]:
    """Let the interpreter switch threads every microsecond (the default is 5 ms)."""
    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(previous)


def run_together(*workers: Callable[[], None]) -> None:
    """Start every worker in its own thread, all at once, and re-raise the first failure."""
    start = threading.Barrier(len(workers))
    failures: list[BaseException] = []

    def run(work: Callable[[], None]) -> None:
        start.wait()
        try:
            work()
        except BaseException as err:  # reported to the test's thread below
            failures.append(err)

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(JOIN_TIMEOUT)
    assert not any(t.is_alive() for t in threads), "a thread did not finish"
    if failures:
        raise failures[0]


LINKS = 100
SLOPE = LINKS + 1.0  # d chain(w) / d w


def chain(w: Value) -> Value:
    """w + w + ... + w, 101 times, as a chain of 100 nodes: long passes that threads cut into."""
    out = w
    for _ in range(LINKS):
        out = out + w
    return out


def test_backward_from_several_threads_adds_every_gradient() -> None:
    """4 threads x 300 backward() calls into one parameter give 4 * 300 * 101, exactly."""
    w = Value(2.0)

    def work() -> None:
        for _ in range(CALLS):
            chain(w).backward()

    run_together(*[work] * THREADS)
    assert w.grad == THREADS * CALLS * SLOPE


def test_backward_through_one_shared_graph_from_several_threads() -> None:
    """Threads running backward() from the same root share every node: each call adds once."""
    w = Value(2.0)
    root = chain(w)

    def work() -> None:
        for _ in range(CALLS):
            root.backward()

    run_together(*[work] * THREADS)
    assert (w.grad, root.grad) == (THREADS * CALLS * SLOPE, THREADS * CALLS * 1.0)


def test_grad_alongside_backward_on_a_shared_leaf_is_always_right() -> None:
    """grad() in some threads and backward() in others: grad always reads 101, backward adds."""
    w = Value(2.0)
    seen: list[float] = []

    def accumulate() -> None:
        for _ in range(CALLS):
            chain(w).backward()

    def ask() -> None:
        for _ in range(CALLS):
            seen.append(grad(chain(w), w))

    run_together(accumulate, ask, accumulate, ask)
    assert set(seen) == {SLOPE}
    assert len(seen) == 2 * CALLS
    assert w.grad == 2 * CALLS * SLOPE


def test_zero_grad_and_steps_never_see_half_a_pass() -> None:
    """A step or zero_grad in another thread sees the gradient of whole passes only.

    The optimizer's rate is 0, so the parameter keeps its number; every gradient it is given
    must be a whole number of passes, 101 k, never a pass's borrowed slot (0) or part of a sum.
    """
    w = Value(2.0)
    seen: list[float] = []

    class Recording(SGD):
        def _update(self, param: Array, grad: Array, state: dict[str, Array], lr: float) -> Array:
            seen.extend(grad.tolist())
            return param

    opt = Recording([w], lr=0.0)

    def accumulate() -> None:
        for _ in range(CALLS):
            chain(w).backward()

    def step() -> None:
        for i in range(CALLS):
            opt.step()
            if i % 50 == 49:
                zero_grad(w)

    run_together(accumulate, accumulate, step)
    assert len(seen) == CALLS
    assert all(g % SLOPE == 0.0 and 0.0 <= g <= 2 * CALLS * SLOPE for g in seen)
    assert w.grad % SLOPE == 0.0
    assert w.data == 2.0


def test_compiled_plan_and_backward_from_several_threads_add_up() -> None:
    """One plan called from two threads and backward() from two more: every gradient is added."""
    w = Value(2.0)
    plan = compile_loss(lambda x: chain(w) * x, 1.0, [w], check_every=0)
    batch = np.array([1.0, 1.0])  # the mean over two examples of 101 * 1: 101 per call
    value = SLOPE * w.data

    def compiled() -> None:
        for _ in range(CALLS // 3):
            assert plan.forward_backward(batch) == value
            assert plan.forward(batch).tolist() == [value, value]

    def accumulate() -> None:
        for _ in range(CALLS // 3):
            chain(w).backward()

    run_together(compiled, accumulate, compiled, accumulate)
    assert w.grad == 4 * (CALLS // 3) * SLOPE
