"""The worked example of issue 2: computed by the engine, checked by hand, drawn.

f(x, y) = x**2 + x*y + (x + y)**2 at x = 2, y = 3. By hand, df/dx = 2x + y + 2(x + y) and
df/dy = x + 2(x + y). The script prints the engine's value and gradients beside those
formulas, replays the backward pass one chain-rule step at a time from each node's local
derivatives, and writes the graph to ``viz/demo_worked_example.dot`` and ``.svg`` (the gallery's
committed ``viz/worked_example.svg`` is drawn by ``viz/gallery.py``; a demo never rewrites it).
It exits with status 1 if the engine disagrees with the hand-derived numbers.

Run it with ``python3 tasks.py demo`` (or ``.venv/bin/python examples/worked_example.py``).
"""
# ruff: noqa: T201  # a demo reports what it computed on stdout

from __future__ import annotations

import argparse
import math
import sys
from pathlib import Path
from typing import Final

ROOT: Final = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:  # run from a checkout without installing: import its package
    sys.path.insert(0, str(ROOT))

from autograd import Value, topological_order  # noqa: E402  # needs the sys.path line above
from autograd.engine import BackwardStep, backprop  # noqa: E402  # likewise
from autograd.files import write_atomic  # noqa: E402  # likewise
from autograd.viz import draw_dot  # noqa: E402  # likewise
from autograd.viz.formulas import filled  # noqa: E402  # likewise
from autograd.viz.style import operand  # noqa: E402  # likewise

X0: Final = 2.0
Y0: Final = 3.0
OUT_DIR: Final = ROOT / "viz"
STEM: Final = "demo_worked_example"  # viz/demo_* is the demos' output, ignored by git
REL_TOL: Final = 1e-12  # away from x = 2, y = 3 the two sums may round in a different order
INSTALL_DOT: Final = (
    "Graphviz's `dot` program is not installed, so no SVG was written; the .dot file opens in "
    "any Graphviz viewer. Install it with `sudo apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `winget install graphviz` (Windows)."
)


def labelled(node: Value, label: str) -> Value:
    """Give ``node`` a label for the printout and the picture, and return it.

    >>> labelled(Value(1.0), "a").label
    'a'
    """
    node.label = label
    return node


def build(x0: float, y0: float) -> tuple[Value, Value, Value]:
    """Build f(x, y) = x**2 + x*y + (x + y)**2 with every node labelled; return (f, x, y).

    >>> f, x, y = build(1.0, 1.0)
    >>> f.data
    6.0
    """
    x, y = Value(x0, label="x"), Value(y0, label="y")
    square = labelled(x**2, "x**2")
    product = labelled(x * y, "x*y")
    total = labelled(x + y, "x+y")
    head = labelled(square + product, "x**2+x*y")
    f = labelled(head + labelled(total**2, "(x+y)**2"), "f")
    return f, x, y


def by_hand(x: float, y: float) -> tuple[float, float, float]:
    """Return f, df/dx and df/dy from the formulas derived on paper.

    >>> by_hand(2.0, 3.0)
    (35.0, 17.0, 12.0)
    """
    f = x**2 + x * y + (x + y) ** 2
    return f, 2 * x + y + 2 * (x + y), x + 2 * (x + y)


def backward_steps(root: Value) -> tuple[list[str], dict[Value, float]]:
    """The engine's backward pass, one chain-rule line per edge (``backprop`` reports each step).

    Each node's gradient is complete before its own step, because every node that uses it
    comes later in topological order. Returns the lines and the accumulated gradients.

    >>> f, x, y = build(2.0, 3.0)
    >>> lines, grads = backward_steps(f)
    >>> (len(lines), grads[x], grads[y])
    (10, 17.0, 12.0)
    """
    lines: list[str] = []
    names = {node: node.label for node in topological_order(root)}

    def say(step: BackwardStep) -> None:
        node, parent = step.node, step.node.parents[step.index]
        assert node.op is not None  # noqa: S101  # backprop steps through op nodes only
        symbolic, numeric = filled(step.node, step.index, names) or (node.op.name, "")
        local = f"∂{operand(node.label)}/∂{operand(parent.label)} = {symbolic}"
        lines.append(
            f"  {operand(parent.label) + '.grad':>16} += {step.local:<4g} * {step.upstream:<4g} = "
            f"{step.term:<4g} total {step.total:<4g}  [{local}"
            + (f" = {numeric}]" if numeric and numeric != symbolic else "]")
        )

    return lines, backprop(root, on_step=say)


def write_pictures(root: Value, out_dir: Path) -> list[Path]:
    """Write ``<out_dir>/demo_worked_example.dot`` and, if ``dot`` is installed, ``.svg``."""
    import graphviz  # the picture is optional: import only when drawing

    picture = draw_dot(root)
    dot_path, svg_path = out_dir / f"{STEM}.dot", out_dir / f"{STEM}.svg"
    write_atomic(dot_path, picture.source.encode("utf-8"))
    try:
        svg = picture.pipe(format="svg")
    except graphviz.ExecutableNotFound:
        print(INSTALL_DOT)
        return [dot_path]
    write_atomic(svg_path, svg)
    return [dot_path, svg_path]


def main(argv: list[str] | None = None) -> int:
    """Print the worked example, check it against the hand derivation, write its graph."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--x", type=float, default=X0, help="the point's x (default 2)")
    parser.add_argument("--y", type=float, default=Y0, help="the point's y (default 3)")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="folder for .dot and .svg")
    args = parser.parse_args(argv)

    f, x, y = build(args.x, args.y)
    f.backward()
    hand_f, hand_dx, hand_dy = by_hand(args.x, args.y)
    lines, replayed = backward_steps(f)
    print(f"f(x, y) = x**2 + x*y + (x + y)**2 at x = {args.x:g}, y = {args.y:g}")
    print(f"  f     = {f.data:<10g} by hand: x**2 + x*y + (x + y)**2 = {hand_f:g}")
    print(f"  df/dx = {x.grad:<10g} by hand: 2x + y + 2(x + y)       = {hand_dx:g}")
    print(f"  df/dy = {y.grad:<10g} by hand: x + 2(x + y)            = {hand_dy:g}")
    print("backward, one chain-rule step per edge (reverse topological order):")
    print(f"  {'parent.grad':>16} += local * upstream = contribution, running total")
    print("\n".join(lines))

    checks = {
        "f": (f.data, hand_f),
        "df/dx": (x.grad, hand_dx),
        "df/dy": (y.grad, hand_dy),
        "replayed df/dx": (replayed[x], hand_dx),
        "replayed df/dy": (replayed[y], hand_dy),
    }
    wrong = [
        f"{name}: engine {got!r}, by hand {want!r}"
        for name, (got, want) in checks.items()
        if not math.isclose(got, want, rel_tol=REL_TOL, abs_tol=REL_TOL)
    ]
    exact = all(got == want for got, want in checks.values())

    written = write_pictures(f, args.out)
    print("graph written to " + ", ".join(str(p) for p in written))
    if wrong:
        print("MISMATCH with the hand derivation:\n  " + "\n  ".join(wrong), file=sys.stderr)
        return 1
    print(f"engine and hand derivation agree {'exactly' if exact else f'within {REL_TOL:g}'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
