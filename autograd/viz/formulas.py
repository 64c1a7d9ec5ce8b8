"""A local derivative written out for one edge: the table's formula, with the drawn names filled in.

The table (:mod:`autograd.ops`) writes each derivative once, in its own generic names: ``x`` for
a one-input row, ``a`` and ``b`` (or ``x`` and ``y``) for two inputs, ``out`` for the node's
result, the row's constant parameters by name (``exponent``, ``slope``), and per role for the
n-ary rows (``x_i for w_i``). A caption must not say ``exponent * x**(exponent-1)`` where ``x``
is not the variable x, so :func:`filled` puts the picture's names and numbers in their place:
``∂((x+y)**2)/∂(x+y) = 2·(x+y) = 2·5``. Only the text is rewritten; the value that follows it
in a caption is always the engine's own ``local_grads()``.

>>> from autograd import Value
>>> x, y = Value(2.0, label="x"), Value(3.0, label="y")
>>> s = x + y
>>> s.label = "x+y"
>>> filled(s ** 2, 0, {s: "x+y"})
('2·(x+y)', '2·5')
>>> filled(x * y, 0, {x: "x", y: "y"})
('y', '3')
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from autograd.engine import Value
from autograd.viz.style import DEFAULT_DIGITS, fmt, operand

FUNCTIONS: Final = frozenset({"exp", "log", "sqrt", "tanh", "sigmoid", "sin", "cos", "sign"})
"""Names in the table's formulas that are functions, not inputs."""

_NAME: Final = re.compile(r"\b[A-Za-z_][A-Za-z0-9_]*\b")
_WORD: Final = re.compile(r"[^\W\d]\w*")  # any word, in any script: what a text names
_REMARK: Final = re.compile(r"\s*\([^()]*\b(?:if|at)\b[^()]*\)$")  # "(0 at x = 0)"
_CONSTANT: Final = re.compile(r"\(\(?(-?\d+(?:\.\d+)?)\)?\s*([-+])\s*(\d+(?:\.\d+)?)\)")
_POWER_ONE: Final = re.compile(r"\*\*1(?![\d.])")


def _plain(text: str) -> str:
    """The formula without the table's remarks (``; inf at 0``, ``(0 at x = 0)``)."""
    text = text.split(";")[0].strip()
    return _REMARK.sub("", text).strip()


def _role_formula(formulas: tuple[str, ...], index: int, count: int) -> tuple[str, dict[str, int]]:
    """An n-ary row's text for input ``index`` of ``count``, and which input each role names.

    ``dot`` reads ``("x_i for w_i", "w_i for x_i", "1 for b")``: indexed roles cycle over the
    inputs, the roles after them take the last inputs; ``sum``'s ``"1 each"`` fits every input.
    """
    roles = [
        (text.split(" for ")[0], text.split(" for ")[1]) for text in formulas if " for " in text
    ]
    if not roles:
        return formulas[0].replace(" each", ""), {}
    cycle = [r for r in roles if r[1].endswith("_i")]
    tail = [r for r in roles if not r[1].endswith("_i")]
    if index >= count - len(tail):
        return tail[index - (count - len(tail))][0], {}
    start = index - index % len(cycle)
    where = {role: start + j for j, (_, role) in enumerate(cycle)}
    return cycle[index % len(cycle)][0], where


def _input_names(node: Value) -> dict[str, int]:
    """The table's generic input names for a fixed-arity row: ``x``; ``a, b``; ``x, y``."""
    op = node.op
    assert op is not None  # noqa: S101  # only op nodes have derivatives
    params = set(node.params)
    used = sorted(
        {
            name
            for text in op.formula
            for name in _NAME.findall(_plain(text))
            if len(name) == 1 and name not in params
        }
    )
    if len(node.parents) == 1:
        return {"x": 0}
    return {name: i for i, name in enumerate(used[: len(node.parents)])}


def filled(
    node: Value, index: int, names: Mapping[Value, str], digits: int = DEFAULT_DIGITS
) -> tuple[str, str] | None:
    """Return ``d node / d input index`` as text twice: with the drawn names, then numbers.

    ``names`` names the nodes as the picture does. A row whose text names no input (``1``,
    ``-1``) gives the same text twice. A text with a word this reading does not know (a
    registered row's own notation, ``βx``) gives None: half a substitution would misname.
    """
    op = node.op
    if op is None:
        raise ValueError("filled: a leaf has no local derivative")
    if op.arity is None:
        text, where = _role_formula(op.formula, index, len(node.parents))
        where = {role.removesuffix("_i"): i for role, i in where.items()} | where
    else:
        text, where = _plain(op.formula[index]), _input_names(node)
    params = node.params
    known = set(params) | set(where) | FUNCTIONS | {"out", "if", "else", "and", "or", "not"}
    if any(word not in known for word in _WORD.findall(text)):
        return None

    def fill(numeric: bool) -> str:
        def swap(match: re.Match[str]) -> str:
            word = match.group(0)
            if word in params:
                return _number(params[word], digits)
            if word == "out":
                return _number(node.data, digits) if numeric else operand(names[node])
            if word in where and word not in FUNCTIONS:
                parent = node.parents[where[word]]
                return _number(parent.data, digits) if numeric else operand(names[parent])
            return word

        return _tidy(_NAME.sub(swap, text))

    return fill(False), fill(True)


def bindings(
    node: Value, index: int, names: Mapping[Value, str], digits: int = DEFAULT_DIGITS
) -> str:
    """Return what the table's generic names stand for on this edge: ``x is (x+y), exponent 2``.

    >>> from autograd import Value
    >>> x = Value(3.0, label="x")
    >>> bindings(x ** 2, 0, {x: "x"})
    'x is x, exponent is 2'
    """
    op = node.op
    if op is None:
        raise ValueError("bindings: a leaf has no local derivative")
    if op.arity is None:
        text, where = _role_formula(op.formula, index, len(node.parents))
    else:
        text, where = _plain(op.formula[index]), _input_names(node)
    parts = [f"{name} is {operand(names[node.parents[i]])}" for name, i in where.items()
             if re.search(rf"\b{re.escape(name)}\b", text)]  # fmt: skip
    if re.search(r"\bout\b", text):
        parts.append(f"out is {operand(names[node])}")
    parts += [f"{k} is {fmt(v, digits)}" for k, v in node.params.items()]
    return ", ".join(parts)


def _number(x: float, digits: int) -> str:
    text = fmt(x, digits)
    return f"({text})" if text.startswith("-") else text


def _tidy(text: str) -> str:
    """Fold the constants a filled-in parameter leaves (``(2-1)``), drop ``**1``, write ``·``."""

    def fold(match: re.Match[str]) -> str:
        a, sign, b = float(match.group(1)), match.group(2), float(match.group(3))
        return fmt(a + b if sign == "+" else a - b)

    text = _CONSTANT.sub(fold, text)
    text = _POWER_ONE.sub("", text)
    return text.replace(" * ", "·")
