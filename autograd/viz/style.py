"""What every picture shares: colours, fonts, how numbers and names are written, the graph factory.

Both drawings (:mod:`autograd.viz.dot`, every node; :mod:`autograd.viz.collapse`, one box per
group) and the texts of the player and the path explainer read these, so a full and a collapsed
picture of one graph look alike. It imports nothing else from :mod:`autograd.viz`, and graphviz
only when a picture is made.

>>> fmt(0.1 + 0.2), plural(2, "path"), operand("x+y")
('0.3', '2 paths', '(x+y)')
"""

from __future__ import annotations

from functools import cache
from typing import Any, Final

NUMBER_FORMAT: Final = ".6g"
"""How numbers are printed in pictures (tooltips carry the exact ``repr``)."""

LEAF_COLOR: Final = "#e3f2fd"
VALUE_COLOR: Final = "#ffffff"
OP_COLOR: Final = "#f5f5f5"
HIGHLIGHT_COLOR: Final = "#ffd54f"
LAYER_BORDER: Final = "#9e9e9e"
NEURON_BORDER: Final = "#bdbdbd"
NEURON_FILL: Final = "#fafafa"
GROUP_FILL: Final = "white"  # a collapsed box of op nodes
FONT: Final = "Helvetica"

DOT_MISSING: Final = (
    "Graphviz's `dot` program was not found on PATH, so the graph cannot be rendered "
    "(building it and reading `.source` still work). Install it with "
    "`sudo apt-get install graphviz` (Debian/Ubuntu), `brew install graphviz` (macOS) or "
    "`winget install graphviz` (Windows), then make sure `dot` is on PATH."
)

_RECORD_SPECIALS: Final = str.maketrans({c: "\\" + c for c in "{}|<>\\"})
OPERATOR_CHARS: Final = frozenset("+-*/%^@<>=!&|~·×÷,")
"""A label holding one of these (or a space) is bracketed where it stands as an operand."""


def fmt(x: float) -> str:
    """Return a number as pictures print it (six significant digits).

    >>> fmt(2.0), fmt(1 / 3), fmt(float("-inf"))
    ('2', '0.333333', '-inf')
    """
    return format(x, NUMBER_FORMAT)


def record_escape(text: str) -> str:
    r"""Escape the characters that structure a Graphviz record label (braces, bars, angles).

    >>> print(record_escape("a|b"))
    a\|b
    """
    return text.translate(_RECORD_SPECIALS)


def plural(count: int, word: str, words: str | None = None) -> str:
    """Return ``count`` with the word in the singular or the plural, as English wants.

    >>> plural(1, "group"), plural(8, "group"), plural(0, "leaf", "leaves")
    ('1 group', '8 groups', '0 leaves')
    """
    return f"{count} {word if count == 1 else (words or word + 's')}"


def operand(name: str) -> str:
    """Return a name as it must be written inside an expression: bracketed if it holds an operator.

    A label such as ``x+y`` or ``(x+y)**2`` would otherwise read wrongly in
    ``(x+y)**2 = x+y ** 2.0``; a name already wrapped in one pair of brackets is kept.

    >>> operand("x"), operand("x+y"), operand("(x+y)"), operand("(x)+(y)"), operand("my x")
    ('x', '(x+y)', '(x+y)', '((x)+(y))', '(my x)')
    >>> operand("layers.0.neurons.1.w.0")
    'layers.0.neurons.1.w.0'
    """
    if not any(c in OPERATOR_CHARS or c.isspace() for c in name):
        return name
    if name.startswith("(") and _closing_bracket(name) == len(name) - 1:
        return name
    return f"({name})"


def _closing_bracket(text: str) -> int:
    """Return the index of the bracket that closes ``text[0]`` (-1 if none)."""
    depth = 0
    for i, c in enumerate(text):
        depth += (c == "(") - (c == ")")
        if depth == 0:
            return i
    return -1


def natural_key(name: str) -> tuple[tuple[int, int | str], ...]:
    """Return a sort key that orders the numbers inside dotted names by value.

    >>> sorted(["layers.10", "layers.2", "inputs"], key=natural_key)
    ['inputs', 'layers.2', 'layers.10']
    """
    return tuple((0, int(part)) if part.isdigit() else (1, part) for part in name.split("."))


@cache
def digraph_class() -> Any:  # a graphviz.Digraph subclass; graphviz ships no type hints
    """Return ``graphviz.Digraph`` extended so that a missing ``dot`` says how to install it.

    Built on first use, so ``import autograd.viz`` does not import graphviz.
    """
    import graphviz  # optional at import time: only drawing needs it

    class DotNotFoundError(graphviz.ExecutableNotFound):  # type: ignore[misc]  # graphviz is untyped
        """Graphviz's ``ExecutableNotFound``, worded with what to install."""

        def __str__(self) -> str:
            return DOT_MISSING

    class Digraph(graphviz.Digraph):  # type: ignore[misc]  # graphviz is untyped
        """A ``graphviz.Digraph`` whose rendering explains a missing ``dot`` program."""

        def pipe(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().pipe(*args, **kwargs)
            except graphviz.ExecutableNotFound as err:
                raise DotNotFoundError(err.args) from err

        def render(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().render(*args, **kwargs)
            except graphviz.ExecutableNotFound as err:
                raise DotNotFoundError(err.args) from err

    return Digraph


def new_digraph(name: str, rankdir: str) -> Any:  # a graphviz.Digraph; graphviz is untyped
    """Return an empty picture with the package's fonts and layout direction.

    >>> print(new_digraph("demo", "TB").source.splitlines()[1].strip())
    graph [bgcolor=white fontname=Helvetica rankdir=TB]
    """
    return digraph_class()(
        name,
        graph_attr={"rankdir": rankdir, "fontname": FONT, "bgcolor": "white"},
        node_attr={"fontname": FONT, "fontsize": "11"},
        edge_attr={"fontname": FONT, "fontsize": "10", "arrowsize": "0.6"},
    )
