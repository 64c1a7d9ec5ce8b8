"""The cases of scripts/gen_course_reference.py, rebuilt with the engine, and how to compare them.

The generator is imported by its path (it needs torch only when it runs a case), so the
test builds the very inputs and parameters PyTorch was given; ``course_reference.REFERENCE``
holds what PyTorch computed from them.
"""

from __future__ import annotations

import importlib.util
import math
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
from course_reference import REFERENCE

from autograd import Value, dot, zero_grad
from autograd import nn as autograd_nn
from autograd.compiled import CompiledLoss, compile_loss

GENERATOR = Path(__file__).resolve().parent.parent / "scripts" / "gen_course_reference.py"
RTOL = 1e-12  # the engine adds in its own order; PyTorch (and a compiled plan) in another
ATOL = 1e-15


def _load() -> Any:
    spec = importlib.util.spec_from_file_location("gen_course_reference", GENERATOR)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["gen_course_reference"] = module
    spec.loader.exec_module(module)
    return module


gen = _load()
CASES: dict[str, tuple[str, dict[str, Any], tuple[int, ...], int]] = gen.CASES


def flat(x: Any) -> list[Any]:
    """The leaves of nested lists, in order."""
    out, stack = [], [x]
    while stack:
        item = stack.pop()
        if isinstance(item, list | tuple):
            stack.extend(reversed(item))
        else:
            out.append(item)
    return out


def assert_close(got: Any, want: Any, what: str) -> None:
    """Nested numbers (or Values) equal to RTOL, shapes included."""
    g = [v.data if isinstance(v, Value) else v for v in flat(got)]
    w = flat(want)
    assert len(g) == len(w), f"{what}: {len(g)} numbers, PyTorch has {len(w)}"
    for k, (a, b) in enumerate(zip(g, w, strict=True)):
        assert math.isclose(a, b, rel_tol=RTOL, abs_tol=ATOL), f"{what}[{k}]: {a!r} vs {b!r}"


def grads(x: Any) -> list[float]:
    """The ``.grad`` of every Value of nested lists, in order."""
    return [v.grad for v in flat(x)]


def build(name: str) -> autograd_nn.Module:
    """The engine's module of the case, its parameters set as the generator set PyTorch's."""
    kind, kwargs, _, _ = CASES[name]
    module: autograd_nn.Module = getattr(autograd_nn, kind)(**kwargs)
    params = module.parameters()
    sizes = torch_parameter_sizes(name)
    values = [x for k, size in enumerate(sizes) for x in gen.numbers(size, 10 + k)]
    assert len(values) == len(params)
    for p, v in zip(params, values, strict=True):
        p.data = v
    return module


def torch_parameter_sizes(name: str) -> list[int]:
    """The sizes of PyTorch's parameter tensors, in its order (weight, bias; weight_ih, ...)."""
    kind, kwargs, _, _ = CASES[name]
    if kind == "Conv2d":
        kh, kw = _pair(kwargs["kernel_size"])
        weights = kwargs["out_channels"] * kwargs["in_channels"] * kh * kw
        return [weights, kwargs["out_channels"]] if kwargs.get("bias", True) else [weights]
    if kind.endswith("Pool2d"):
        return []
    rows = {"RNNCell": 1, "LSTMCell": 4, "GRUCell": 3}[kind] * kwargs["hidden_size"]
    matrices = [rows * kwargs["input_size"], rows * kwargs["hidden_size"]]
    return [*matrices, rows, rows] if kwargs.get("bias", True) else matrices


def grouped(name: str, module: autograd_nn.Module) -> dict[str, list[float]]:
    """The gradients of the module's parameters, grouped as PyTorch's ``grad_<tensor>`` keys."""
    grads = [p.grad for p in module.parameters()]
    names = [key for key in REFERENCE[name] if key.startswith("grad_") and _is_param(key)]
    out, start = {}, 0
    for key, size in zip(names, torch_parameter_sizes(name), strict=True):
        out[key] = grads[start : start + size]
        start += size
    return out


def _is_param(key: str) -> bool:
    return key not in {"grad_input", "grad_inputs", "grad_h0", "grad_c0"}


def _pair(k: int | tuple[int, int]) -> tuple[int, int]:
    return (k, k) if isinstance(k, int) else k


def image_input(name: str) -> list[list[list[Value]]]:
    """The case's input image as Values (leaves, so their gradients can be read)."""
    _, _, shape, _ = CASES[name]
    decimals = gen.POOL_DECIMALS if "pool" in name else 3
    numbers = gen.numbers(math.prod(shape), 1, decimals)
    nested: list[list[list[Value]]] = gen._shaped([Value(x) for x in numbers], shape)
    return nested


def upstream_loss(out: Any, seed: int = 2) -> Value:
    """``sum(G * out)`` with the generator's fixed ``G``."""
    values = flat(out)
    return dot(gen.numbers(len(values), seed), values)


def assert_compiled_matches_scalar(
    loss: Callable[..., Value], batch: tuple[np.ndarray, ...], params: Sequence[Value]
) -> CompiledLoss:
    """Compile ``loss`` and check its losses and mean gradient against the scalar engine's."""
    plan = compile_loss(loss, tuple(part[0] for part in batch), params, check_every=1)
    zero_grad(params)
    compiled = plan.forward(batch)
    plan.forward_backward(batch)
    found = np.array([p.grad for p in params])
    zero_grad(params)
    size = len(batch[0])
    scalar, losses = np.zeros(len(params)), []
    for i in range(size):
        out = loss(*([Value(float(v)) for v in part[i]] for part in batch))
        out.backward()
        losses.append(out.data)
    scalar += [p.grad / size for p in params]
    zero_grad(params)
    np.testing.assert_allclose(compiled, losses, rtol=RTOL, atol=ATOL)
    scale = float(np.max(np.abs(scalar)))
    np.testing.assert_allclose(found, scalar, rtol=RTOL, atol=RTOL * scale)
    return plan
