"""What one benchmark process measures: one engine on one workload, reported as JSON.

``python -m benchmarks.run --child KIND ...`` runs :func:`child` in a fresh interpreter and
prints one JSON object on its last line of output; ``benchmarks.run`` starts one such process
per (workload, engine) and round, so no engine runs in a process another engine has used.

A training-step child first checks its engine against the reference's loss and gradients
(``TOLERANCE``, relative) and refuses to time it if they differ; then it times two ways:

- **training loop**: steps back to back with the collector on, as a training loop runs them,
  so each step pays for the collections that earlier steps' garbage triggers;
- **compute only**: ``gc.collect()`` before each sample (one step, or ``Contender.inner``
  steps), untimed; the collector stays on during the sample, so it still scans what the steps
  allocate.
"""

from __future__ import annotations

import gc
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from micrograd.engine import Value as MgValue  # type: ignore[import-untyped]

from autograd import Value, topological_order
from benchmarks import workloads as wl

TOLERANCE: Final = 1e-9  # largest relative difference from the reference's loss and gradients
WARMUP_STEPS: Final = 1  # untimed steps before the training loop's timed ones
MAX_SAMPLES: Final = 200  # a fast engine takes samples until min_seconds, at most this many
CHAIN_CHECK_OPS: Final = 1000  # the chain checked untimed at this length before it is timed


TINY: Final = 1e-6  # numbers below this fraction of the largest are compared relative to it


def relative_difference(a: float, b: float, floor: float = 0.0) -> float:
    """``|a - b| / max(|a|, |b|, floor)``, 0 when both are equal (two exact zeros included).

    The floor keeps rounding noise around zero from counting as a difference: a gradient
    that is ``-1.4e-17`` in one engine and ``0.0`` in another (two contributions that cancel,
    added in another order) differs by 100 % relative, but by 1e-17 of the gradients' scale.
    """
    if a == b:
        return 0.0
    return abs(a - b) / max(abs(a), abs(b), floor)


def disagreement(
    loss: float, grads: list[float], reference: dict[str, Any], name: str
) -> tuple[float, str | None]:
    """The worst relative difference from the reference, and why it is refused (None: kept)."""
    ref_loss, ref_grads = reference["loss"], reference["grads"]
    if len(grads) != len(ref_grads):
        return float("inf"), f"{name} has {len(grads)} gradients, the reference {len(ref_grads)}"
    floor = TINY * max(abs(g) for g in [ref_loss, *ref_grads])
    worst = max(
        [relative_difference(loss, ref_loss)]
        + [relative_difference(g, r, floor) for g, r in zip(grads, ref_grads, strict=True)]
    )
    if worst > TOLERANCE:
        return worst, (
            f"{name} differs from {reference['engine']} by {worst:.2e} relative "
            f"(loss {loss!r} vs {ref_loss!r}); not timed"
        )
    return worst, None


# --- training steps ------------------------------------------------------------------------------


def _sample(c: wl.Contender) -> float:
    start = time.perf_counter()
    for _ in range(c.inner):
        c.step()
    return (time.perf_counter() - start) / c.inner


def _samples(
    c: wl.Contender, repeats: int, min_seconds: float, before: Callable[[], Any]
) -> list[float]:
    """At least ``repeats`` samples and at least ``min_seconds`` of them (at most MAX_SAMPLES)."""
    samples: list[float] = []
    spent = 0.0
    while len(samples) < repeats or (spent < min_seconds and len(samples) < MAX_SAMPLES):
        before()
        seconds = _sample(c)
        samples.append(seconds)
        spent += seconds * c.inner
    return samples


def time_steps(c: wl.Contender, repeats: int, min_seconds: float) -> dict[str, list[float]]:
    """Seconds per step, as a training loop runs them and as compute only (see the module)."""
    c.reset()
    gc.collect()
    for _ in range(WARMUP_STEPS):
        c.step()
    loop = _samples(c, repeats, min_seconds, lambda: None)
    c.reset()
    compute = _samples(c, repeats, min_seconds, gc.collect)
    c.reset()
    return {"loop": loop, "compute": compute}


def reference_child(workload: str, sizes: wl.Sizes) -> dict[str, Any]:
    """The reference engine's loss and gradients for ``workload`` (what the others must match)."""
    spec = wl.STEP_WORKLOADS[workload]
    c = spec.build(spec.reference, sizes)
    loss, grads = c.loss_and_grads()
    return {"engine": c.name, "loss": loss, "grads": grads}


def step_child(
    workload: str,
    engine: str,
    sizes: wl.Sizes,
    reference: dict[str, Any],
    repeats: int,
    min_seconds: float,
) -> dict[str, Any]:
    """Check one engine on one workload against ``reference``, then time it both ways."""
    spec = wl.STEP_WORKLOADS[workload]
    c = spec.build(engine, sizes)
    loss, grads = c.loss_and_grads()
    worst, refused = disagreement(loss, grads, reference, c.name)
    if refused is not None:
        return {"refused": refused, "name": c.name}
    return {"name": c.name, "difference": worst, "gradients": len(grads)} | time_steps(
        c, repeats, min_seconds
    )


# --- the chain: build, backward, free ------------------------------------------------------------

CHAIN_ENGINES: Final = {
    "micrograd": ("micrograd 0.1.0", MgValue),
    "ours": ("ours", Value),
}


def _chain_backward(engine: str, n: int) -> Callable[[Any], None]:
    if engine == "micrograd":
        return lambda root: wl.micrograd_backward(root, n)
    return lambda root: root.backward()


def build_chain(x: Any, n: int) -> Any:
    """The chain of workload (2); a module-level name so profiles show where time goes."""
    return wl.build_chain(x, n)


def chain_times(engine: str, n: int, gc_off: bool) -> tuple[list[float], tuple[float, float]]:
    """Seconds to build, to back-propagate and to free an ``n``-op chain; and what it computed.

    Freeing is dropping the last reference and calling ``gc.collect()`` (also with the
    collector disabled, which only stops automatic collections): micrograd's nodes are
    reference cycles that only the collector reclaims, ours go by reference counting.
    """
    leaf, backward = CHAIN_ENGINES[engine][1], _chain_backward(engine, n)
    gc.collect()
    if gc_off:
        gc.disable()
    try:
        t0 = time.perf_counter()
        x = leaf(1.0)
        root = build_chain(x, n)
        t1 = time.perf_counter()
        backward(root)
        t2 = time.perf_counter()
        computed = (float(root.data), float(x.grad))
        t3 = time.perf_counter()
        del root, x
        gc.collect()
        t4 = time.perf_counter()
    finally:
        if gc_off:
            gc.enable()
    return [t1 - t0, t2 - t1, t4 - t3], computed


def chain_child(engine: str, n: int, repeats: int) -> dict[str, Any]:
    """Workload (2) for one engine: each part's samples with the collector on and disabled.

    The chain is checked untimed at ``CHAIN_CHECK_OPS`` ops first, and every timed run's value
    and gradient are checked too: a wrong one refuses the engine.
    """
    name = CHAIN_ENGINES[engine][0]
    found: dict[str, Any] = {"name": name}
    for n_checked, runs in ((min(n, CHAIN_CHECK_OPS), 1), (n, repeats)):
        want = wl.chain_reference(1.0, n_checked)
        for mode in ("on", "off"):
            samples = [chain_times(engine, n_checked, gc_off=mode == "off") for _ in range(runs)]
            for _, (data, grad) in samples:
                if data != want[0] or relative_difference(grad, want[1]) > TOLERANCE:
                    return {
                        "name": name,
                        "refused": f"chain of {n_checked:,} ops: {name} computed value {data!r}, "
                        f"gradient {grad!r}; expected {want[0]!r} and {want[1]!r}",
                    }
            found[mode] = [parts for parts, _ in samples]
    found["computed"] = list(wl.chain_reference(1.0, n))
    return found


def floor_child(n: int, repeats: int) -> dict[str, Any]:
    """Samples of the least work a backward over the ``n``-op chain does: sweep, walk.

    The sweep calls each op node's rule from the table and adds ``local * upstream`` into its
    parents' ``.grad`` over an order computed untimed, and does nothing else. The walk visits
    every op node once, remembering it in a dict, as any walk that finds the nodes must. Both
    read the node's private slots directly: the properties would cost a call each and make
    the floor look higher than it is.
    """
    root = build_chain(Value(1.0), n)
    nodes = topological_order(root)
    order = [node for node in reversed(nodes) if node.op is not None]
    sweeps, walks = [], []
    for _ in range(repeats):
        for node in nodes:
            node.grad = 0.0
        root.grad = 1.0
        gc.collect()
        sweeps.append(_sweep(order))
        walks.append(_walk(root))
    return {"sweep": sweeps, "walk": walks}


def _sweep(order: list[Value]) -> float:
    start = time.perf_counter()
    for node in order:
        upstream = node.grad
        a, b = node._parents
        da, db = node._op.local_grads(a.data, b.data, node.data)  # type: ignore[union-attr]
        a.grad += da * upstream
        b.grad += db * upstream
    return time.perf_counter() - start


def _walk(root: Value) -> float:
    start = time.perf_counter()
    seen = {root: True}
    stack = [root]
    push, pop = stack.append, stack.pop
    while stack:
        for parent in pop()._parents:
            if parent._op is not None and parent not in seen:
                seen[parent] = True
                push(parent)
    return time.perf_counter() - start


def memory_child(engine: str, n: int) -> dict[str, Any]:
    """Bytes traced by ``tracemalloc`` while an ``n``-op chain is built, and its node count.

    The chain holds ``2 n + 1`` nodes: the leaf, and per op its result and its constant.
    """
    name, leaf = CHAIN_ENGINES[engine]
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        root = wl.build_chain(leaf(1.0), n)
        used = tracemalloc.get_traced_memory()[0] - before
    finally:
        tracemalloc.stop()
    if isinstance(root, Value):
        nodes = len(topological_order(root))
        if nodes != 2 * n + 1:
            return {"name": name, "refused": f"chain of {n} ops has {nodes} nodes, not {2 * n + 1}"}
    return {"name": name, "bytes": used, "nodes": 2 * n + 1, "ops": n}


# --- the child's entry point ---------------------------------------------------------------------


@dataclass(frozen=True)
class ChildArgs:
    """What the parent asks of one child process."""

    kind: str  # "reference", "step", "chain", "floor" or "memory"
    workload: str
    engine: str
    sizes: wl.Sizes
    reference: dict[str, Any] | None
    repeats: int
    min_seconds: float
    ops: int


def child(args: ChildArgs) -> dict[str, Any]:
    """Run one measure; an engine that cannot run here says why (``unavailable``)."""
    try:
        if args.kind == "reference":
            return reference_child(args.workload, args.sizes)
        if args.kind == "step":
            if args.reference is None:
                raise ValueError("a step child needs the reference's loss and gradients")
            return step_child(
                args.workload,
                args.engine,
                args.sizes,
                args.reference,
                args.repeats,
                args.min_seconds,
            )
        if args.kind == "chain":
            return chain_child(args.engine, args.ops, args.repeats)
        if args.kind == "floor":
            return floor_child(args.ops, args.repeats)
        if args.kind == "memory":
            return memory_child(args.engine, args.ops)
    except wl.UnavailableError as err:
        return {"unavailable": str(err)}
    raise ValueError(f"unknown child kind {args.kind!r}")
