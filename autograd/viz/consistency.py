"""Are the ``.grad`` values of a graph one backward pass from the root being drawn?

A picture of ``root`` that shows ``.grad`` claims that every box holds ``d root / d node``. That
holds after ``root.backward()``, but not when ``.grad`` still carries sums from an earlier pass
(a training step that forgot ``zero_grad``) or from another root (the batch loss, when one
example's loss is drawn). :func:`check_grads` compares the stored numbers with one fresh pass of
the engine, :func:`autograd.engine.backprop`, which reads and writes no ``.grad``.

**Consistent** means: every node's ``.grad`` equals ``c`` times the fresh pass, with
``c = root.grad`` -- ``c = 0`` before any backward (every ``.grad`` 0), ``c = 1`` after one
``backward()``, ``c = k`` after ``k`` calls (each adds one pass). Such numbers obey the chain rule
of the picture: each box's grad is the sum over its out-edges of local derivative × the
consumer's grad. Equality is to a relative ``1e-9`` of the sizes of the terms that are summed,
since ``k`` passes add the same terms in another order.

>>> from autograd import Value
>>> x = Value(3.0, label="x")
>>> y = x * x
>>> y.backward()
>>> check_grads(y).consistent
True
>>> y2 = x * x
>>> y2.backward()  # x.grad now holds two passes, of y and of y2; y2.grad only one
>>> check = check_grads(y2)
>>> check.consistent, [node.label for node in check.stale]
(False, ['x'])
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from autograd import _checks
from autograd.engine import BackwardStep, Value, backprop, topological_order
from autograd.viz.style import fmt, operand, plural

GRADS: Final = (".grad", "fresh")
"""What a picture's grads are: the stored ``.grad`` (checked), or one fresh pass."""

REL_TOL: Final = 1e-9  # k passes add the same terms in another order: a few ulps apart
ABS_TOL: Final = 1e-300  # a zero sum of zero terms is zero: only underflow is forgiven
NOTE_WIDTH: Final = 72  # characters per line of a picture's note
MAX_NAMED: Final = 3  # stale nodes named in a note


class StaleGradWarning(UserWarning):
    """The ``.grad`` values a picture shows are not one backward pass from its root."""


@dataclass(frozen=True)
class GradCheck:
    """The stored ``.grad`` of a graph beside one fresh backward pass from its root.

    Attributes:
        root: the drawn output.
        fresh: ``d root / d node`` for every node, from :func:`autograd.engine.backprop`.
        scale: ``root.grad``: how many passes a consistent ``.grad`` holds (``c`` above).
        stale: the nodes whose ``.grad`` is not ``scale`` times their fresh gradient, in
            topological order.
    """

    root: Value
    fresh: Mapping[Value, float]
    scale: float
    stale: tuple[Value, ...]

    @property
    def consistent(self) -> bool:
        """Whether every ``.grad`` is ``root.grad`` times one fresh pass."""
        return not self.stale

    def expected(self, node: Value) -> float:
        """Return what ``node.grad`` would hold were it consistent: ``scale × fresh``."""
        return self.scale * self.fresh[node]

    def note(self, names: Mapping[Value, str], size: int, digits: int, fix: str = "") -> str:
        """Return the sentence a picture shows when the check fails (empty when it holds).

        ``names`` names the nodes as the picture does; ``size`` is how many boxes it draws;
        ``fix`` ends the note with the caller's way out (``draw_dot(..., grads="fresh")``).
        """
        if self.consistent:
            return ""
        root = operand(names[self.root])
        k = fmt(self.scale, digits)  # the root shows grad k: k passes expected (0: zeroed)
        one = self.scale == 1
        passes = "one backward pass" if one else f"{k} backward passes"
        shows = "" if one else f"{root} shows grad {k}; "
        shown = [
            f"{operand(names[n])} shows {fmt(n.grad, digits)}, "
            + ("one pass" if one else f"{k} × one pass ({fmt(self.fresh[n], digits)})")
            + f" gives {fmt(self.expected(n), digits)}"
            for n in self.stale[:MAX_NAMED]
        ]
        more = len(self.stale) - MAX_NAMED
        if more > 0:
            shown.append(f"{plural(more, 'other')}")
        return (
            f"WARNING: {len(self.stale)} of {plural(size, 'box', 'boxes')} hold .grad values "
            f"that are not {passes} from {root} ({shows}sums left by an earlier backward() "
            f"or another root): {'; '.join(shown)}. Zero the gradients before backward()"
            f"{', or ' + fix if fix else ''}."
        )


def check_grads(root: Value, order: Sequence[Value] | None = None) -> GradCheck:
    """Compare every ``.grad`` of ``root``'s graph with one fresh pass (see the module doc).

    ``order`` is ``topological_order(root)``, if the caller has it already. No ``.grad`` is
    read or written by the fresh pass.

    Raises:
        TypeError: ``root`` is not a Value, or ``order`` not None or a list of Values.
    """
    _checks.instance("check_grads: root", root, Value, "a Value (the output of a graph)")
    if order is None:
        order = topological_order(root)
    else:
        order = _checks.sequence("check_grads: order", order, "topological_order(root)")
        for i, node in enumerate(order):
            _checks.instance(f"check_grads: order[{i}]", node, Value, "a Value")
    size: dict[Value, float] = {root: 1.0}  # the magnitudes a node's sum is made of

    def measure(step: BackwardStep) -> None:
        parent = step.node.parents[step.index]
        size[parent] = size.get(parent, 0.0) + abs(step.term)

    fresh = backprop(root, order=order, on_step=measure)
    scale = root.grad
    stale = tuple(
        node
        for node in order
        if not _close(node.grad, scale * fresh[node], abs(scale) * size[node])
    )
    return GradCheck(root, fresh, scale, stale)


def _close(got: float, want: float, magnitude: float) -> bool:
    if math.isnan(got) or math.isnan(want) or math.isnan(magnitude):
        return math.isnan(got) and math.isnan(want)
    if got == want:  # infinities of one sign
        return True
    if math.isinf(magnitude):
        return math.isinf(got) and math.isinf(want) and (got > 0) == (want > 0)
    return abs(got - want) <= REL_TOL * max(magnitude, abs(got), abs(want)) + ABS_TOL


def wrap(text: str, width: int = NOTE_WIDTH) -> list[str]:
    """Break a note into lines of at most ``width`` characters, at spaces.

    >>> wrap("one two three four", 9)
    ['one two', 'three', 'four']
    """
    lines: list[str] = []
    for word in text.split(" "):
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines


def warn_stale(caller: str, note: str, stacklevel: int) -> None:
    """Warn with a picture's note (a :class:`StaleGradWarning`), naming the function."""
    warnings.warn(f"{caller}: {note}", StaleGradWarning, stacklevel=stacklevel + 1)
