"""The chain rule of a drawn picture, checked on its DOT text alone (no engine, no Graphviz).

A box ``nK [label="{name|data D|grad G}"]`` feeds op nodes ``nJop`` along edges labelled with
the local derivative; the op's result is box ``nJ``. A picture is true when every box that
feeds an op shows the sum, over its out-edges, of the edge's label times the grad shown in the
consumer's box, to the rounding of the printed numbers. The tests run this over every picture
the project ships or writes.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

BOX = re.compile(r'^\s*(n\d+)\s*\[label="\{(.*?)\}"', re.M)
EDGE = re.compile(r"^\s*(n\d+)\s*->\s*(n\d+)op\s*\[([^\]]*)\]", re.M)
LABEL = re.compile(r'(?:^|\s)label="?([^"\s\]]+)"?')
DIGITS_TOL = 2e-5  # six significant digits, printed twice, multiplied: a few units of 1e-6


@dataclass(frozen=True)
class Verdict:
    """How a picture's drawn gradients compare with the chain rule over its drawn edges."""

    boxes: int
    edges: int
    worst: str  # "" when every box holds

    @property
    def holds(self) -> bool:
        return not self.worst


def _number(text: str) -> float:
    return float(text.strip().replace("−", "-"))


def drawn_grads(source: str) -> dict[str, float]:
    """Each box's drawn grad, by node id."""
    grads = {}
    for name, label in BOX.findall(source):
        for part in label.split("|"):
            if part.strip().startswith("grad "):
                grads[name] = _number(part.strip()[5:])
    return grads


def chain_rule(source: str, digits_tol: float = DIGITS_TOL) -> Verdict:
    """Check every drawn grad against the drawn edges and the consumers' drawn grads."""
    grads = drawn_grads(source)
    sums: dict[str, float] = {}
    scale: dict[str, float] = {}
    edges = 0
    for src, dst, attrs in EDGE.findall(source):
        found = LABEL.search(attrs)
        if found is None or src not in grads or dst not in grads:
            continue
        term = _number(found.group(1)) * grads[dst]
        sums[src] = sums.get(src, 0.0) + term
        scale[src] = scale.get(src, 0.0) + abs(term)
        edges += 1
    worst, where = 0.0, ""
    for node, expected in sums.items():
        got = grads[node]
        if not (math.isfinite(got) and math.isfinite(expected)):
            continue
        err = abs(got - expected) / (digits_tol * max(scale[node], abs(got)) + 1e-9)
        if err > max(worst, 1.0):
            worst, where = err, f"{node}: drawn grad {got}, chain rule gives {expected:.6g}"
    return Verdict(len(sums), edges, where)
