"""Loss functions as composites of Value operations: every step is a node you can draw.

None of them touches ``.grad`` or a private field; their gradients come from the engine's
table like any other expression's. Means divide one n-ary ``sum`` node by the count.

>>> logits = [Value(2.0), Value(0.0), Value(-1.0)]
>>> loss = cross_entropy(logits, 0)
>>> loss.backward()
>>> p = softmax([v.data for v in logits])
>>> abs(logits[0].grad - (p[0].data - 1.0)) < 1e-15
True
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Iterable, Sequence
from typing import Final

from autograd._checks import instance, non_negative, number, positive, sequence
from autograd.engine import Value, dot, max_values, sum_values
from autograd.messages import describe

Scores = Value | float | Sequence[Value | float]
"""One prediction or a list of them (Values or plain numbers)."""

Targets = Value | float | Sequence[Value | float]
"""One target or a list of them: plain numbers, or Values (a compiled loss's target leaves)."""

ONE_HOT_TOLERANCE: Final = 1e-9
"""How far from 1 the entries of a probability target may sum (rounding of soft labels)."""


def _items(x: object, where: str) -> list[object]:
    """One number or Value alone, or a list (array, iterable) of them; a str or bytes is refused."""
    if isinstance(x, Value | numbers.Real):
        return [x]
    return sequence(where, x, "a number, a Value or a list of them")


def _values(x: Scores, what: str, arg: str) -> list[Value]:
    """The predictions (logits, scores) ``arg`` of loss ``what`` as Values: at least one."""
    where = f"{what}: {arg}"
    items = _items(x, where)
    if not items:
        raise ValueError(f"{where} is empty; pass at least one")
    return [v if isinstance(v, Value) else Value(number(f"{where}[{i}]", v)) for i, v in
            enumerate(items)]  # fmt: skip


def _targets(t: Targets, n: int, what: str, arg: str = "targets") -> list[Value | float]:
    where = f"{what}: {arg}"
    items = _items(t, where)
    if len(items) != n:
        raise ValueError(f"{what}: got {n} predictions and {len(items)} targets; they must pair up")
    # A Value target stays in the graph (compile_loss feeds targets as leaves); numbers are checked.
    return [v if isinstance(v, Value) else number(f"{where}[{i}]", v) for i, v in enumerate(items)]


_STORED: Final = Value.__dict__["data"]  # the slot behind .data


def _number(x: Value | float) -> float:
    """A target's or prediction's number for a check that raises or changes nothing.

    It reads the slot behind ``.data``, which a compiled trace does not count as the function
    reading an input (see :mod:`autograd.compiled.trace`): a check shapes no graph.
    """
    if isinstance(x, Value):
        number: float = _STORED.__get__(x)
        return number
    return x


def _check_unit_interval(items: Sequence[Value | float], what: str, arg: str, hint: str) -> None:
    """Refuse an entry outside [0, 1] (or nan), read from ``.data`` for a Value.

    A Value is checked on the number it holds when the loss is built: in a compiled plan
    that is the traced example and every example the plan re-checks, not every example.
    """
    for i, item in enumerate(items):
        x = _number(item)
        if not 0.0 <= x <= 1.0:
            raise ValueError(f"{what}: {arg}[{i}] = {x!r} is not in [0, 1]; {hint}")


_TARGET_HINT: Final = "a target is a label 0 or 1, or a soft label between them"


def _mean(terms: list[Value], what: str) -> Value:
    if not terms:
        raise ValueError(f"{what}: got no predictions; pass at least one")
    return sum_values(terms) / len(terms)


def mse(preds: Scores, targets: Targets) -> Value:
    """Return the mean squared error ``mean((p - t)**2)`` (PyTorch's ``MSELoss``).

    Every loss here takes one number or Value, or a list (array, iterable) of them, for its
    predictions and targets, and refuses others naming itself and the argument.

    Raises:
        TypeError: ``preds`` or ``targets`` is not a number, a Value or a list of them (a str,
            bytes, a dict, None), or holds something else.
        ValueError: ``preds`` is empty, or ``preds`` and ``targets`` differ in length.

    >>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    ps = _values(preds, "mse", "preds")
    ts = _targets(targets, len(ps), "mse")
    return _mean([(p - t) ** 2 for p, t in zip(ps, ts, strict=True)], "mse")


def binary_cross_entropy(probs: Scores, targets: Targets) -> Value:
    """Return ``mean(-(t log p + (1 - t) log(1 - p)))`` for probabilities ``p`` in [0, 1].

    A probability of exactly 0 or 1 on the wrong side gives ``inf`` (IEEE); PyTorch clamps the
    logs at -100 instead. Prefer :func:`binary_cross_entropy_with_logits`, which is stable. A
    target given as the number 0 or 1 builds only its own term (``-log p`` or ``-log(1 - p)``),
    so ``p = 1`` with target 1 gives 0, not ``0 * log 0 = nan``; a Value target (a compiled
    loss's) keeps both terms, with the same gradient wherever the loss is finite.

    Raises:
        ValueError: if a prediction is not a probability (outside [0, 1], or nan: the log of
            a negative number would make the loss nan) or a target is outside [0, 1].

    >>> round(binary_cross_entropy([Value(0.5)], [1.0]).data, 6)
    0.693147
    >>> binary_cross_entropy([Value(1.5)], [1.0])
    Traceback (most recent call last):
    ...
    ValueError: binary_cross_entropy: probs[0] = 1.5 is not in [0, 1]; ...
    """
    ps = _values(probs, "binary_cross_entropy", "probs")
    ts = _targets(targets, len(ps), "binary_cross_entropy")
    _check_unit_interval(
        ps,
        "binary_cross_entropy",
        "probs",
        "pass probabilities (a sigmoid output), or raw scores to binary_cross_entropy_with_logits",
    )
    _check_unit_interval(ts, "binary_cross_entropy", "targets", _TARGET_HINT)
    return _mean([_bce_term(p, t) for p, t in zip(ps, ts, strict=True)], "binary_cross_entropy")


def _bce_term(p: Value, t: Value | float) -> Value:
    if isinstance(t, float) and t == 1.0:  # the other term is 0 * log(1 - p): nan at p = 1
        return -p.log()
    if isinstance(t, float) and t == 0.0:
        return -(1.0 - p).log()
    return -(t * p.log() + (1.0 - t) * (1.0 - p).log())


def binary_cross_entropy_with_logits(logits: Scores, targets: Targets) -> Value:
    """Return the mean of ``softplus(z) - t z``: binary cross-entropy of ``sigmoid(z)``, stable.

    ``-(t log σ(z) + (1 - t) log(1 - σ(z)))`` simplifies to ``softplus(z) - t z``, and the
    ``softplus`` row never overflows, so logits of ±1000 give finite losses; the gradient is
    ``(σ(z) - t) / n``.

    Raises:
        ValueError: if a target is outside [0, 1] (with ``t > 1`` the loss has no minimum).

    >>> z = Value(1000.0)
    >>> loss = binary_cross_entropy_with_logits([z], [0.0])
    >>> loss.backward()
    >>> (loss.data, z.grad)
    (1000.0, 1.0)
    """
    zs = _values(logits, "binary_cross_entropy_with_logits", "logits")
    ts = _targets(targets, len(zs), "binary_cross_entropy_with_logits")
    _check_unit_interval(ts, "binary_cross_entropy_with_logits", "targets", _TARGET_HINT)
    terms = [z.softplus() - t * z for z, t in zip(zs, ts, strict=True)]
    return _mean(terms, "binary_cross_entropy_with_logits")


def _shifted(logits: Scores, temperature: float, what: str) -> list[Value]:
    zs = _values(logits, what, "logits")
    temperature = positive(f"{what}: temperature", temperature)  # finite, > 0, not a bool
    scaled = zs if temperature == 1.0 else [z / temperature for z in zs]
    # Subtracting the largest logit (a constant: softmax ignores shifts) keeps exp <= 1.
    top = max(z.data for z in scaled)
    if not math.isfinite(top):
        return scaled
    return [z - top for z in scaled]


def softmax(logits: Scores, temperature: float = 1.0) -> list[Value]:
    """Return ``exp(z_i / T) / sum_j exp(z_j / T)``, computed after subtracting the largest logit.

    Raises:
        TypeError: ``logits`` is not a list of numbers or Values (bytes and a str are refused),
            or ``temperature`` is not a real number (a bool is refused).
        ValueError: ``logits`` is empty, or ``temperature`` is not finite and > 0.

    >>> [round(p.data, 6) for p in softmax([1.0, 1.0, 1.0, 1.0])]
    [0.25, 0.25, 0.25, 0.25]
    """
    exps = [z.exp() for z in _shifted(logits, temperature, "softmax")]
    total = sum_values(exps)
    return [e / total for e in exps]


def log_softmax(logits: Scores, temperature: float = 1.0) -> list[Value]:
    """Return ``z_i / T - logsumexp(z / T)`` (log-sum-exp after subtracting the largest logit).

    Raises:
        TypeError, ValueError: as :func:`softmax`.

    >>> [round(v.data, 6) for v in log_softmax([0.0, 0.0])]
    [-0.693147, -0.693147]
    """
    shifted = _shifted(logits, temperature, "log_softmax")
    log_total = sum_values([z.exp() for z in shifted]).log()
    return [z - log_total for z in shifted]


def graph_max(values: Sequence[Value | float]) -> Value:
    """Return the largest Value as a node: one ``max`` node (:func:`autograd.max_values`).

    Unlike ``max(v.data ...)`` the result stays in the graph, so the graph has the same shape
    whatever the numbers (what :func:`autograd.compiled.compile_loss` needs) and is one
    numpy call when compiled. Its gradient goes to the first largest value. Numbers become
    constant leaves, as in :func:`autograd.max_values`.

    Raises:
        TypeError: ``values`` is not a list (iterable) of numbers or Values.
        ValueError: ``values`` is empty.

    >>> graph_max([Value(1.0), Value(4.0), Value(-2.0)]).data
    4.0
    """
    return max_values(_values(values, "graph_max", "values"))


def _class_index(target: object, n: int) -> int:
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):  # numpy ints too
        raise TypeError(
            f"cross_entropy: target must be a class index (int) or a one-hot sequence of {n} "
            f"numbers or Values, got {describe(target)}"
        )
    index = int(target)
    if not 0 <= index < n:
        raise ValueError(
            f"cross_entropy: target {target!r} is not a class index for {n} logits "
            f"(must be 0..{n - 1})"
        )
    return index


def _probabilities(target: Sequence[Value | float], n: int) -> list[Value | float]:
    """Check a one-hot (or soft-label) target: n entries >= 0 summing to 1; keep its Values."""
    ts = _targets(target, n, "cross_entropy", "target")
    numbers_ = [_number(t) for t in ts]
    if min(numbers_) < 0 or not abs(math.fsum(numbers_) - 1.0) <= ONE_HOT_TOLERANCE:
        raise ValueError(
            f"cross_entropy: a sequence target must be one-hot (or probabilities: entries >= 0 "
            f"summing to 1), got {numbers_!r}"
        )
    return ts


def cross_entropy(logits: Scores, target: int | Iterable[Value | float]) -> Value:
    """Return ``-log softmax(z)[target] = logsumexp(z) - z[target]`` for one example.

    ``target`` is a class index, or a one-hot list of numbers or Values (soft labels summing to
    1 work too: the loss is then ``-sum_i t_i log softmax(z)_i = logsumexp(z) - t . z``).

    Both forms subtract the largest logit before ``exp``, so logits of ±1000 give finite losses;
    the gradient is ``softmax(z)_i - t_i``, the identity the lectures derive. With an index the
    shift is the number ``max(z.data)`` (a constant: softmax ignores shifts) and the target picks
    one logit. With a one-hot list nothing leaves the graph: the shift is :func:`graph_max` and
    the target enters through one ``dot`` node, so every example builds the same graph -- the
    form :func:`autograd.compiled.compile_loss` needs, where targets arrive as Values.

    Args:
        logits: the class scores (Values or numbers).
        target: the index of the true class, or a one-hot sequence as long as ``logits``.

    Returns:
        The loss as a Value.

    Raises:
        TypeError: if ``target`` is neither an int nor a sequence of numbers or Values.
        ValueError: if an index is out of range, or a sequence is not as long as ``logits`` or
            not one-hot (entries >= 0 summing to 1).

    >>> cross_entropy([Value(1000.0), Value(-1000.0)], 1).data
    2000.0
    >>> cross_entropy([Value(1000.0), Value(-1000.0)], [0.0, 1.0]).data
    2000.0
    """
    if isinstance(target, Iterable) and not isinstance(target, str | bytes):  # numpy rows too
        zs = _values(logits, "cross_entropy", "logits")
        onehot = _probabilities(list(target), len(zs))
        top = graph_max(zs)
        shifted = [z - top for z in zs]
        return sum_values([s.exp() for s in shifted]).log() - dot(onehot, shifted)
    shifted = _shifted(logits, 1.0, "cross_entropy")
    index = _class_index(target, len(shifted))
    log_total = sum_values([z.exp() for z in shifted]).log()
    return log_total - shifted[index]


def hinge(scores: Scores, targets: Targets) -> Value:
    """Return the mean SVM max-margin loss ``mean(relu(1 - y s))`` for labels ``y`` in {-1, +1}.

    micrograd's moons demo: ``sum((1 + -yi*scorei).relu()) * (1.0 / len(losses))``. A label
    0 (from 0/1 labels) would make its example's loss the constant 1, teaching nothing, so
    labels other than -1 and +1 are refused (a Value label is checked on its ``.data``).

    Raises:
        ValueError: if a label is not -1 or +1.

    >>> hinge([Value(2.0), Value(0.5)], [1.0, 1.0]).data
    0.25
    >>> hinge([Value(2.0)], [0])
    Traceback (most recent call last):
    ...
    ValueError: hinge: targets[0] = 0.0 is not a label -1 or +1; ...
    """
    ss = _values(scores, "hinge", "scores")
    ys = _targets(targets, len(ss), "hinge")
    for i, y in enumerate(ys):
        label = _number(y)
        if label not in (-1.0, 1.0):
            raise ValueError(
                f"hinge: targets[{i}] = {label!r} is not a label -1 or +1; "
                "for labels 0/1 pass 2 * y - 1"
            )
    return _mean([(1.0 - y * s).relu() for s, y in zip(ss, ys, strict=True)], "hinge")


def l2(params: Iterable[Value], alpha: float = 1.0) -> Value:
    """Return the weight-decay penalty ``alpha * sum(p**2)`` (micrograd's ``reg_loss``).

    Raises:
        TypeError: ``params`` is not a list of Values, or ``alpha`` not a real number.
        ValueError: if ``alpha`` is negative or not finite (a negative penalty rewards large
            weights).

    >>> l2([Value(1.0), Value(-2.0)], alpha=0.5).data
    2.5
    """
    alpha = non_negative("l2 alpha", alpha)
    ps = sequence("l2: params", params, "a list of Values (model.parameters())")
    for i, p in enumerate(ps):
        instance(f"l2: params[{i}]", p, Value, "a Value (a parameter)")
    return alpha * sum_values([p * p for p in ps])
