"""Regenerate ``tests/course_reference.py``: PyTorch's outputs and gradients for the course modules.

PyTorch is no dependency of the project and ``tasks.py test`` never runs this script. From the
repository root, in a throwaway venv (2.13.0 is the version the numbers were made with)::

    python3 -m venv /tmp/torchvenv
    /tmp/torchvenv/bin/pip install torch==2.13.0 numpy
    /tmp/torchvenv/bin/python scripts/gen_course_reference.py --out   # rewrite the file
    /tmp/torchvenv/bin/python scripts/gen_course_reference.py --check # exit 1 if it differs

Each case of :data:`CASES` builds the ``torch.nn`` module of that name in float64, sets its
parameters, its input and (for a cell) its first state to :func:`numbers` (a fixed formula, so
the test builds the very same numbers), runs it, and back-propagates ``L = sum(G * output)``
with a fixed upstream ``G`` (for a cell: over the state after every step, and the last cell
state of an LSTM). It records the outputs and the gradients of every parameter, the input and
the first state, printed with ``repr`` so they round-trip exactly.
``tests/test_course.py`` imports :data:`CASES` and :func:`numbers` from here and compares the
engine with the file (a relative 1e-12: the engine sums in its own order).
"""

from __future__ import annotations

import argparse
import json
import math
import sys
import textwrap
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "tests" / "course_reference.py"
TORCH_VERSION = "2.13.0"

# name -> (torch.nn class, constructor keywords, input shape, steps of a sequence (0: an image))
CASES: dict[str, tuple[str, dict[str, Any], tuple[int, ...], int]] = {
    "conv_stride2_pad1": ("Conv2d", {"in_channels": 3, "out_channels": 2, "kernel_size": 3,
                                     "stride": 2, "padding": 1}, (3, 5, 6), 0),
    "conv_rect_no_bias": ("Conv2d", {"in_channels": 2, "out_channels": 3, "kernel_size": (2, 3),
                                     "stride": (1, 2), "padding": (0, 1), "bias": False},
                          (2, 4, 5), 0),
    "maxpool_2": ("MaxPool2d", {"kernel_size": 2}, (2, 5, 5), 0),
    "maxpool_3_overlapping": ("MaxPool2d", {"kernel_size": 3, "stride": 2}, (2, 5, 5), 0),
    "avgpool_2": ("AvgPool2d", {"kernel_size": 2}, (2, 5, 5), 0),
    "avgpool_3_overlapping": ("AvgPool2d", {"kernel_size": 3, "stride": 2}, (2, 5, 5), 0),
    "rnn_tanh": ("RNNCell", {"input_size": 2, "hidden_size": 3}, (2,), 3),
    "rnn_relu_no_bias_zero_state": ("RNNCell", {"input_size": 2, "hidden_size": 3,
                                                "nonlinearity": "relu", "bias": False}, (2,), 3),
    "lstm": ("LSTMCell", {"input_size": 2, "hidden_size": 3}, (2,), 3),
    "lstm_zero_state": ("LSTMCell", {"input_size": 2, "hidden_size": 2}, (2,), 2),
    "gru": ("GRUCell", {"input_size": 2, "hidden_size": 3}, (2,), 3),
    "gru_zero_state": ("GRUCell", {"input_size": 2, "hidden_size": 2}, (2,), 2),
}  # fmt: skip

WIDTH = 96  # the generated file's lines stay within the project's 100
POOL_DECIMALS = 1  # pooled images are rounded to one decimal, so windows hold ties


def numbers(n: int, seed: int, decimals: int = 3) -> list[float]:
    """``n`` fixed numbers in (-1, 1): ``round(sin(1.7 i + seed) * cos(0.3 i), decimals)``.

    >>> numbers(3, 0)
    [0.0, 0.948, -0.207]
    """
    return [round(math.sin(1.7 * i + seed) * math.cos(0.3 * i), decimals) for i in range(n)]


def zero_state(name: str) -> bool:
    """Whether the case starts from the zero state (the cell is called with ``state=None``)."""
    return "zero_state" in name


def _shaped(flat: list[float], shape: tuple[int, ...]) -> Any:
    """Nested lists of ``shape`` from ``flat`` in row-major order."""
    if len(shape) == 1:
        return list(flat)
    step = len(flat) // shape[0]
    return [_shaped(flat[k * step : (k + 1) * step], shape[1:]) for k in range(shape[0])]


def _tolist(t: Any) -> Any:
    return t.detach().tolist()


def run_case(name: str) -> dict[str, Any]:
    """Run one case with torch in float64; return its outputs and gradients as nested lists."""
    import torch  # only the generator needs torch

    kind, kwargs, shape, steps = CASES[name]
    module = getattr(torch.nn, kind)(**kwargs).double()
    for k, (_, p) in enumerate(module.named_parameters()):
        with torch.no_grad():
            p.copy_(torch.tensor(numbers(p.numel(), 10 + k), dtype=torch.float64).reshape(p.shape))
    found: dict[str, Any] = {"torch": torch.__version__}
    if steps == 0:
        decimals = POOL_DECIMALS if "pool" in name else 3
        size = math.prod(shape)
        x = torch.tensor(_shaped(numbers(size, 1, decimals), shape), dtype=torch.float64,
                         requires_grad=True)  # fmt: skip
        out = module(x)
        upstream = torch.tensor(numbers(out.numel(), 2), dtype=torch.float64).reshape(out.shape)
        (out * upstream).sum().backward()
        found["output"] = _tolist(out)
        found["grad_input"] = _tolist(x.grad)
    else:
        found.update(_run_cell(name, module, shape[0], steps))
    for pname, p in module.named_parameters():
        found[f"grad_{pname}"] = _tolist(p.grad)
    return found


def _run_cell(name: str, cell: Any, inputs: int, steps: int) -> dict[str, Any]:
    import torch  # only the generator needs torch

    hidden = cell.hidden_size
    xs = [torch.tensor(numbers(inputs, 20 + t), dtype=torch.float64, requires_grad=True)
          for t in range(steps)]  # fmt: skip
    lstm = isinstance(cell, torch.nn.LSTMCell)
    h0 = torch.tensor(numbers(hidden, 30), dtype=torch.float64, requires_grad=True)
    c0 = torch.tensor(numbers(hidden, 31), dtype=torch.float64, requires_grad=True)
    if zero_state(name):
        h0, c0 = torch.zeros(hidden, dtype=torch.float64), torch.zeros(hidden, dtype=torch.float64)
    state: Any = (h0, c0) if lstm else h0
    outputs, loss = [], torch.zeros((), dtype=torch.float64)
    for t, x in enumerate(xs):
        state = cell(x, state)
        h = state[0] if lstm else state
        outputs.append(_tolist(h))
        loss = loss + (h * torch.tensor(numbers(hidden, 40 + t), dtype=torch.float64)).sum()
    found: dict[str, Any] = {"outputs": outputs}
    if lstm:
        found["last_c"] = _tolist(state[1])
        loss = loss + (state[1] * torch.tensor(numbers(hidden, 50), dtype=torch.float64)).sum()
    loss.backward()
    found["grad_inputs"] = [_tolist(x.grad) for x in xs]
    if not zero_state(name):
        found["grad_h0"] = _tolist(h0.grad)
        if lstm:
            found["grad_c0"] = _tolist(c0.grad)
    return found


def _literal(value: Any, indent: int, used: int = 0) -> str:
    """``value`` (dicts, lists, numbers, strings) as a Python literal, rows of numbers wrapped.

    ``used`` is how much of the line is taken before the value (a key).
    """
    pad = " " * (indent + 1)
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            head = f"{pad}{json.dumps(k)}: "
            items.append(head + _literal(v, indent + 1, len(head)) + ",")
        return "{\n" + "\n".join(items) + "\n" + " " * indent + "}"
    if isinstance(value, list) and value and isinstance(value[0], list):
        rows = [pad + _literal(v, indent + 1, len(pad)) + "," for v in value]
        return "[\n" + "\n".join(rows) + "\n" + " " * indent + "]"
    if isinstance(value, list):
        text = ", ".join(repr(v) for v in value)
        lines = textwrap.fill(text, WIDTH, initial_indent=" " * (used + 1), subsequent_indent=pad)
        return "[" + lines[used + 1 :] + "]"
    return json.dumps(value) if isinstance(value, str) else repr(value)


def render() -> str:
    """The text of ``tests/course_reference.py``."""
    table = {name: run_case(name) for name in CASES}
    body = _literal(table, 0)
    return (
        '"""PyTorch\'s numbers for the course modules, by scripts/gen_course_reference.py.\n\n'
        "Do not edit: regenerate with the script (see its docstring).\n"
        '"""\n\n'
        "from typing import Any\n\n"
        "# fmt: off\n"
        f"REFERENCE: dict[str, dict[str, Any]] = {body}\n"
        "# fmt: on\n"
    )


def main(argv: list[str] | None = None) -> int:
    """Print the reference file, write it (``--out``) or compare with it (``--check``)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", action="store_true", help=f"write {OUT.name}")
    parser.add_argument("--check", action="store_true", help=f"exit 1 if {OUT.name} differs")
    args = parser.parse_args(argv)
    import torch  # only the generator needs torch

    if torch.__version__.split("+")[0] != TORCH_VERSION:
        print(f"warning: torch {torch.__version__}, the file was made with {TORCH_VERSION}")  # noqa: T201
    text = render()
    if args.check:
        same = OUT.read_text(encoding="utf-8") == text
        print(f"{OUT.name}: {'the same' if same else 'DIFFERS'}")  # noqa: T201
        return 0 if same else 1
    if args.out:
        OUT.write_text(text, encoding="utf-8")
        print(f"wrote {OUT}")  # noqa: T201
        return 0
    print(text)  # noqa: T201
    return 0


if __name__ == "__main__":
    sys.exit(main())
