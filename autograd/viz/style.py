"""What every picture shares: colours, fonts, how numbers and names are written, the graph factory.

Both drawings (:mod:`autograd.viz.dot`, every node; :mod:`autograd.viz.collapse`, one box per
group) and the texts of the player and the path explainer read these, so a full and a collapsed
picture of one graph look alike. It imports nothing else from :mod:`autograd.viz`, and graphviz
only when a picture is made.

>>> fmt(0.1 + 0.2), plural(2, "path"), operand("x+y")
('0.3', '2 paths', '(x+y)')
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import cache
from typing import Any, Final

from autograd import _checks
from autograd.messages import describe

DEFAULT_DIGITS: Final = 6
"""Significant digits of the numbers pictures and captions print (``digits=`` changes it)."""

MAX_DIGITS: Final = 17  # enough for every float to read back exactly

LEAF_COLOR: Final = "#e3f2fd"
VALUE_COLOR: Final = "#ffffff"
OP_COLOR: Final = "#f5f5f5"
HIGHLIGHT_COLOR: Final = "#ffd54f"
LAYER_BORDER: Final = "#9e9e9e"
NEURON_BORDER: Final = "#bdbdbd"
NEURON_FILL: Final = "#fafafa"
GROUP_FILL: Final = "white"  # a collapsed box of op nodes
WARNING_COLOR: Final = "#b2182b"  # a note that .grad is stale, and the boxes it names
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


def fmt(x: float, digits: int = DEFAULT_DIGITS) -> str:
    """Return a number as pictures and captions print it (``digits`` significant digits).

    A zero prints as ``0`` whatever its sign: the reference pass can end at ``-0.0`` where
    ``backward()`` gives ``+0.0``, and they are the same number.

    >>> fmt(2.0), fmt(1 / 3), fmt(float("-inf")), fmt(1 / 3, 3), fmt(-0.0)
    ('2', '0.333333', '-inf', '0.333', '0')
    """
    return format(x + 0.0 if x == 0 else x, f".{digits}g")


def check_digits(caller: str, digits: object) -> int:
    """Return ``digits`` if it is an int from 1 to 17, else raise naming ``caller``.

    >>> check_digits("draw_dot", 0)
    Traceback (most recent call last):
    ...
    ValueError: draw_dot: digits must be an int from 1 to 17 (significant digits), got 0
    """
    wanted = f"an int from 1 to {MAX_DIGITS} (significant digits)"
    if isinstance(digits, bool) or not isinstance(digits, int):
        raise TypeError(f"{caller}: digits must be {wanted}, got {describe(digits)}")
    if not 1 <= digits <= MAX_DIGITS:
        raise ValueError(f"{caller}: digits must be {wanted}, got {digits!r}")
    return digits


def text_choice(caller: str, name: str, value: object, allowed: Sequence[str]) -> str:
    """Return ``value`` if it is one of ``allowed``: a TypeError for a non-str, else a ValueError.

    >>> text_choice("draw_dot", "grads", 1, (".grad", "fresh"))
    Traceback (most recent call last):
    ...
    TypeError: draw_dot: grads must be one of ['.grad', 'fresh'], got int 1
    """
    if not isinstance(value, str):
        raise TypeError(f"{caller}: {name} must be one of {list(allowed)}, got {describe(value)}")
    return _checks.choice(name, value, allowed, caller=caller)


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
        """A ``graphviz.Digraph`` whose rendering explains a missing ``dot`` program.

        Jupyter gets the SVG and, beside it, a PNG: a notebook that is not trusted (one a
        student received) does not render SVG, but shows the PNG. The DOT text rides along as
        ``text/vnd.graphviz``, which front-ends ignore and checks read.
        """

        values: int | None = None
        """How many Values the picture draws (set by ``draw_dot``)."""

        def __repr__(self) -> str:
            what = f"{self.values} values" if self.values is not None else f"{self.name!r}"
            return f"<Digraph of {what}>"

        def _repr_mimebundle_(
            self, include: Any = None, exclude: Any = None, **_: Any
        ) -> dict[str, Any]:
            bundle: dict[str, Callable[[], Any]] = {
                "image/svg+xml": lambda: self.pipe(format="svg", encoding="utf-8"),
                "image/png": lambda: self.pipe(format="png"),
                "text/vnd.graphviz": lambda: self.source,
                "text/plain": lambda: repr(self),
            }
            wanted = set(bundle if include is None else include) - set(exclude or ())
            return {mime: make() for mime, make in bundle.items() if mime in wanted}

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
