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

from autograd.engine import Value, as_float, sum_values

Scores = Value | float | Sequence[Value | float]
"""One prediction or a list of them (Values or plain numbers)."""

Targets = float | Sequence[float]
"""One target or a list of them (plain numbers)."""


def _values(x: Scores, what: str) -> list[Value]:
    items = [x] if isinstance(x, Value | int | float) else list(x)
    return [v if isinstance(v, Value) else Value(as_float(v, what)) for v in items]


def _targets(t: Targets, n: int, what: str) -> list[float]:
    items = [t] if isinstance(t, int | float) else list(t)
    if len(items) != n:
        raise ValueError(f"{what}: got {n} predictions and {len(items)} targets; they must pair up")
    return [as_float(v, f"{what} target") for v in items]


def _mean(terms: list[Value], what: str) -> Value:
    if not terms:
        raise ValueError(f"{what}: got no predictions; pass at least one")
    return sum_values(terms) / len(terms)


def mse(preds: Scores, targets: Targets) -> Value:
    """Return the mean squared error ``mean((p - t)**2)`` (PyTorch's ``MSELoss``).

    >>> mse([Value(1.0), Value(3.0)], [0.0, 1.0]).data
    2.5
    """
    ps = _values(preds, "mse")
    ts = _targets(targets, len(ps), "mse")
    return _mean([(p - t) ** 2 for p, t in zip(ps, ts, strict=True)], "mse")


def binary_cross_entropy(probs: Scores, targets: Targets) -> Value:
    """Return ``mean(-(t log p + (1 - t) log(1 - p)))`` for probabilities ``p`` in [0, 1].

    A probability of exactly 0 or 1 on the wrong side gives ``inf`` (IEEE); PyTorch clamps the
    logs at -100 instead. Prefer :func:`binary_cross_entropy_with_logits`, which is stable.

    >>> round(binary_cross_entropy([Value(0.5)], [1.0]).data, 6)
    0.693147
    """
    ps = _values(probs, "binary_cross_entropy")
    ts = _targets(targets, len(ps), "binary_cross_entropy")
    terms = [-(t * p.log() + (1.0 - t) * (1.0 - p).log()) for p, t in zip(ps, ts, strict=True)]
    return _mean(terms, "binary_cross_entropy")


def binary_cross_entropy_with_logits(logits: Scores, targets: Targets) -> Value:
    """Return the mean of ``softplus(z) - t z``: binary cross-entropy of ``sigmoid(z)``, stable.

    ``-(t log σ(z) + (1 - t) log(1 - σ(z)))`` simplifies to ``softplus(z) - t z``, and the
    ``softplus`` row never overflows, so logits of ±1000 give finite losses; the gradient is
    ``(σ(z) - t) / n``.

    >>> z = Value(1000.0)
    >>> loss = binary_cross_entropy_with_logits([z], [0.0])
    >>> loss.backward()
    >>> (loss.data, z.grad)
    (1000.0, 1.0)
    """
    zs = _values(logits, "binary_cross_entropy_with_logits")
    ts = _targets(targets, len(zs), "binary_cross_entropy_with_logits")
    terms = [z.softplus() - t * z for z, t in zip(zs, ts, strict=True)]
    return _mean(terms, "binary_cross_entropy_with_logits")


def _shifted(logits: Scores, temperature: float, what: str) -> list[Value]:
    zs = _values(logits, what)
    if not zs:
        raise ValueError(f"{what}: got no logits; pass at least one")
    temperature = as_float(temperature, f"{what} temperature")
    if not temperature > 0:
        raise ValueError(f"{what}: temperature must be > 0, got {temperature!r}")
    scaled = zs if temperature == 1.0 else [z / temperature for z in zs]
    # Subtracting the largest logit (a constant: softmax ignores shifts) keeps exp <= 1.
    top = max(z.data for z in scaled)
    if not math.isfinite(top):
        return scaled
    return [z - top for z in scaled]


def softmax(logits: Scores, temperature: float = 1.0) -> list[Value]:
    """Return ``exp(z_i / T) / sum_j exp(z_j / T)``, computed after subtracting the largest logit.

    >>> [round(p.data, 6) for p in softmax([1.0, 1.0, 1.0, 1.0])]
    [0.25, 0.25, 0.25, 0.25]
    """
    exps = [z.exp() for z in _shifted(logits, temperature, "softmax")]
    total = sum_values(exps)
    return [e / total for e in exps]


def log_softmax(logits: Scores, temperature: float = 1.0) -> list[Value]:
    """Return ``z_i / T - logsumexp(z / T)`` (log-sum-exp after subtracting the largest logit).

    >>> [round(v.data, 6) for v in log_softmax([0.0, 0.0])]
    [-0.693147, -0.693147]
    """
    shifted = _shifted(logits, temperature, "log_softmax")
    log_total = sum_values([z.exp() for z in shifted]).log()
    return [z - log_total for z in shifted]


def _class_index(target: object) -> int:
    if isinstance(target, bool) or not isinstance(target, numbers.Integral):  # numpy ints too
        raise TypeError(f"cross_entropy: target must be a class index (int), got {target!r}")
    return int(target)


def cross_entropy(logits: Scores, target: int) -> Value:
    """Return ``-log softmax(z)[target] = logsumexp(z) - z[target]`` for one example.

    Log-sum-exp after subtracting the largest logit: finite for logits of ±1000. Its gradient
    is ``softmax(z)_i - [i = target]``, the identity the lectures derive.

    Args:
        logits: the class scores (Values or numbers).
        target: the index of the true class.

    Returns:
        The loss as a Value.

    Raises:
        TypeError: if ``target`` is not an int.
        ValueError: if ``target`` is not the index of a logit.

    >>> cross_entropy([Value(1000.0), Value(-1000.0)], 1).data
    2000.0
    """
    shifted = _shifted(logits, 1.0, "cross_entropy")
    index = _class_index(target)
    if not 0 <= index < len(shifted):
        raise ValueError(
            f"cross_entropy: target {target!r} is not a class index for {len(shifted)} logits "
            f"(must be 0..{len(shifted) - 1})"
        )
    log_total = sum_values([z.exp() for z in shifted]).log()
    return log_total - shifted[index]


def hinge(scores: Scores, targets: Targets) -> Value:
    """Return the mean SVM max-margin loss ``mean(relu(1 - y s))`` for labels ``y`` in {-1, +1}.

    micrograd's moons demo: ``sum((1 + -yi*scorei).relu()) * (1.0 / len(losses))``.

    >>> hinge([Value(2.0), Value(0.5)], [1.0, 1.0]).data
    0.25
    """
    ss = _values(scores, "hinge")
    ys = _targets(targets, len(ss), "hinge")
    return _mean([(1.0 - y * s).relu() for s, y in zip(ss, ys, strict=True)], "hinge")


def l2(params: Iterable[Value], alpha: float = 1.0) -> Value:
    """Return the weight-decay penalty ``alpha * sum(p**2)`` (micrograd's ``reg_loss``).

    >>> l2([Value(1.0), Value(-2.0)], alpha=0.5).data
    2.5
    """
    alpha = as_float(alpha, "l2 alpha")
    return alpha * sum_values([p * p for p in params])
