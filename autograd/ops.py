"""The table of primitives: each operation's forward rule and local derivatives, written once.

Every other part of the package reads this table: the engine builds nodes from it and
back-propagates with its ``local_grads``, the graph pictures label edges with it, the tests
are parametrized over it and the README's op table is generated from it.

A row's ``local_grads(*inputs, out, **params)`` returns ``d out / d input_i`` for every input.
It is written with operators and the small math shim below (``exp``, ``log``, ...), which calls
IEEE-safe float functions on floats and the ``Value`` method on Values -- so the very same rule
gives plain numbers for ``backward()`` and differentiable nodes for ``grad(create_graph=True)``.

>>> OPS["tanh"].forward(0.0)
0.0
>>> OPS["mul"].local_grads(3.0, 4.0, 12.0)
(4.0, 3.0)

The table is open: :func:`register` adds a primitive of your own, written the same way, and
returns the function that builds its nodes (see the README's "Your own primitive").
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, Final

# A rule works on floats (plain backward) or on Values (create_graph); ops.py cannot import the
# engine (imports point one way), so the shared scalar type of the rules is Any.
Scalar = Any

INF: Final = math.inf
NAN: Final = math.nan


# --- IEEE-safe float functions: what numpy and PyTorch return, never a Python exception -------


def safe_div(a: float, b: float) -> float:
    """Divide like IEEE 754: ``x/0`` is ``±inf`` and ``0/0`` is ``nan``.

    >>> safe_div(1.0, 0.0), safe_div(-1.0, 0.0), safe_div(1.0, -0.0)
    (inf, -inf, -inf)
    """
    try:
        return a / b
    except ZeroDivisionError:
        if a == 0 or a != a:
            return NAN
        return math.copysign(INF, a) * math.copysign(1.0, b)


def _is_odd_integer(c: float) -> bool:
    return math.isfinite(c) and c == int(c) and int(c) % 2 == 1


def safe_pow(x: float, c: float) -> float:
    """Raise ``x`` to ``c`` like IEEE ``pow``: ``0**-1 = inf``, ``(-8)**(1/3) = nan``.

    >>> safe_pow(0.0, -1.0), safe_pow(-8.0, 1 / 3), safe_pow(10.0, 400.0)
    (inf, nan, inf)
    """
    try:
        return math.pow(x, c)
    except OverflowError:
        if x < 0 and _is_odd_integer(c):
            return -INF
        return INF
    except ValueError:
        if x == 0:  # a pole: 0 ** negative
            return -INF if (math.copysign(1.0, x) < 0 and _is_odd_integer(c)) else INF
        return NAN  # a negative base with a non-integer exponent


def safe_exp(x: float) -> float:
    """Return ``e**x``, ``inf`` on overflow.

    >>> safe_exp(1000.0)
    inf
    """
    try:
        return math.exp(x)
    except OverflowError:
        return INF


def safe_log(x: float) -> float:
    """Return the natural log: ``log(0) = -inf``, ``nan`` below zero.

    >>> safe_log(0.0), safe_log(-1.0)
    (-inf, nan)
    """
    if x > 0:
        return math.log(x)
    if x == 0:
        return -INF
    return NAN


def safe_sqrt(x: float) -> float:
    """Return the square root, ``nan`` below zero.

    >>> safe_sqrt(-1.0)
    nan
    """
    return math.sqrt(x) if x >= 0 else NAN


def safe_sin(x: float) -> float:
    """Return ``sin(x)``, ``nan`` at ``±inf``."""
    return math.sin(x) if math.isfinite(x) or x != x else NAN


def safe_cos(x: float) -> float:
    """Return ``cos(x)``, ``nan`` at ``±inf``."""
    return math.cos(x) if math.isfinite(x) or x != x else NAN


def sigmoid_float(x: float) -> float:
    """Return the logistic function, without overflow for large ``|x|``.

    >>> sigmoid_float(0.0), sigmoid_float(-1000.0), sigmoid_float(1000.0)
    (0.5, 0.0, 1.0)
    """
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    e = math.exp(x)  # exp of a negative number: no overflow
    return e / (1.0 + e)


def softplus_float(x: float) -> float:
    """Return ``log(1 + e**x)`` computed as ``max(x, 0) + log1p(e**-|x|)``.

    >>> softplus_float(0.0) == math.log(2.0), softplus_float(1000.0)
    (True, 1000.0)
    """
    if x != x:
        return x
    return max(x, 0.0) + math.log1p(math.exp(-abs(x)))


# --- The math shim: one rule text for floats and for Values ------------------------------------


def _shim(method: str, on_float: Callable[[float], float]) -> Callable[[Scalar], Scalar]:
    def apply(x: Scalar) -> Scalar:
        if type(x) is float or isinstance(x, int):  # the plain backward's hot path first
            return on_float(x)
        return getattr(x, method)()

    apply.__name__ = method
    apply.__doc__ = f"``{method}`` of a float (IEEE-safe), a Value (a new node) or numpy lanes."
    return apply


exp = _shim("exp", safe_exp)
log = _shim("log", safe_log)
sin = _shim("sin", safe_sin)
cos = _shim("cos", safe_cos)
sigmoid = _shim("sigmoid", sigmoid_float)
tanh = _shim("tanh", math.tanh)
sqrt = _shim("sqrt", safe_sqrt)
softplus = _shim("softplus", softplus_float)


def power(x: Scalar, c: Scalar) -> Scalar:
    """``x ** c`` of floats (IEEE-safe) or of Values (a new node)."""
    if isinstance(x, (float, int)) and isinstance(c, (float, int)):
        return safe_pow(x, c)
    return x**c


def number(x: Scalar) -> Any:
    """The number a rule branches on: a float as is, a Value's ``.data``.

    Anything else answers its own ``number()``: the compiled plan's lanes
    (:class:`autograd.compiled.kernels.Lanes`) are their own numbers, one per example.

    >>> from autograd import Value
    >>> number(2.5), number(Value(3.0))
    (2.5, 3.0)
    """
    if isinstance(x, (float, int)):
        return x
    lanes = getattr(x, "number", None)
    return x.data if lanes is None else lanes()


def step(x: Scalar, below: float = 0.0, above: float = 1.0) -> Scalar:
    """A piecewise-constant derivative: ``above`` where ``x > 0``, else ``below`` (kink: below).

    It reads the number of a Value too; the derivative of a step is 0, so it stays a constant.
    Lanes of numbers (the compiled plan's) decide lane by lane through their own ``step``, so
    the very rules of ``relu`` and ``leaky_relu`` run on whole batches.

    >>> step(2.0), step(0.0, below=0.25), step(math.nan)
    (1.0, 0.25, 0.0)
    """
    if type(x) is float:  # the scalar engine's hot path: no isinstance chain
        return above if x > 0 else below
    lanes = getattr(x, "step", None)
    if lanes is not None:
        return lanes(below, above)
    return above if number(x) > 0 else below


def choose(condition: Any, then: Callable[[], Scalar], otherwise: Callable[[], Scalar]) -> Scalar:
    """``then()`` where ``condition`` holds, else ``otherwise()``: a branch that runs on lanes too.

    On one number only the branch taken runs, so a Value rule builds only that branch's nodes
    and ``detect_anomaly()`` never sees the other. Lanes of conditions (the compiled plan's)
    run both branches and pick lane by lane through their own ``where``.

    >>> choose(2.0 == 0, lambda: 0.0, lambda: 1 / 2.0)
    0.5
    """
    if type(condition) is bool:  # the scalar engine's hot path
        return then() if condition else otherwise()
    lanes = getattr(condition, "where", None)
    if lanes is not None:
        return lanes(then(), otherwise())
    return then() if condition else otherwise()


def sign(x: Scalar) -> Scalar:
    """``-1``, ``0`` or ``1``: the derivative of ``abs`` (PyTorch: ``abs'(0) = 0``; ``nan``: 0).

    Like :func:`step` it reads a Value's number, and lanes decide through their own ``sign``.

    >>> sign(-2.0), sign(-0.0), sign(math.nan)
    (-1.0, 0.0, 0.0)
    """
    if type(x) is float:  # the scalar engine's hot path
        return 1.0 if x > 0 else (-1.0 if x < 0 else 0.0)
    lanes = getattr(x, "sign", None)
    if lanes is not None:
        return lanes()
    value = number(x)
    return 1.0 if value > 0 else (-1.0 if value < 0 else 0.0)


# --- The record ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Domain:
    """Where an op is defined, and the inputs the tests and ``gradcheck`` draw from.

    Attributes:
        where: the condition as text, used in error messages ("x > 0").
        sample: a closed interval per input that tests draw from (finite, inside the domain).
        kinks: points where the derivative is a convention; numerical checks stay away from them.
        params: an interval per constant parameter (``slope``, ``exponent``) for the tests.
    """

    where: str = "all real x"
    sample: tuple[tuple[float, float], ...] = ((-5.0, 5.0),)
    kinks: tuple[float, ...] = ()
    params: Mapping[str, tuple[float, float]] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Op:
    """One primitive: its name, its drawing symbol, forward rule and local derivatives.

    ``arity`` is the number of inputs, or ``None`` for an n-ary op (``sum``, ``dot``, ``max``).
    ``forward(*inputs, **params)`` computes the output number; ``local_grads(*inputs, out,
    **params)`` returns ``d out / d input_i`` per input; ``formula`` shows them as text.

    ``formula`` is the derivatives as text. A fixed-arity op has one text per input, in input
    order: ``("b", "a")`` for ``mul`` (``d out / d a = b``, ``d out / d b = a``). An n-ary op
    has one text per role instead, each naming its role: ``sum``'s inputs all play one role
    (``("1 each",)``); ``dot``'s inputs ``(w_1, x_1, ..., w_n, x_n, b)`` play ``w_i`` and
    ``x_i`` in turn and the last one is ``b`` (``("x_i for w_i", "w_i for x_i", "1 for b")``).
    Joined with ``", "`` the texts are the row's formula on one line (the README's table, a
    drawn op node's tooltip).

    ``selects`` marks a row whose local derivative *selects* the upstream gradient instead of
    scaling it, as PyTorch's ``threshold_backward`` does for relu: where the local derivative
    is 0 the op is flat, so its input gets 0 even when the upstream gradient is inf or nan
    (``relu(-1).log()``: ``0 * inf`` would be nan). Every pass applies it through :meth:`term`
    (the tuned pass and the compiled kernels with the same test, written out for speed). A row
    whose derivative is a step of 0s and 1s (relu, abs, heaviside, max) sets it; a row whose zero
    is a number it computes (``mul``'s ``b``, ``leaky_relu``'s slope 0) does not: ``0 * inf`` is
    nan there, as in PyTorch.

    ``accumulate(parents, upstream)``, on the n-ary rows ``sum`` and ``dot`` only, is the tuned
    backward pass's form of the row's ``local_grads`` and :meth:`term`: one loop that adds
    ``local_i * upstream`` into ``parents[i].grad`` in input order, reading the derivatives from
    the parents' ``.data`` instead of building the tuple ``local_grads`` returns.
    ``tests/test_ops.py`` pins it equal to ``local_grads`` bit for bit; the reference pass,
    ``create_graph`` and ``detect_anomaly()`` use ``local_grads`` alone.

    ``evaluate(parents)``, on ``dot`` only, is the scalar engine's form of ``forward``: the same
    sum in the same order, read from the parents' ``.data`` instead of a tuple of their numbers.
    ``tests/test_ops.py`` pins it equal to ``forward`` bit for bit; pictures, the compiled plan
    and every other reader use ``forward``.
    """

    name: str
    symbol: str
    arity: int | None
    forward: Callable[..., float]
    local_grads: Callable[..., tuple[Scalar, ...]]
    formula: tuple[str, ...]
    domain: Domain = Domain()
    selects: bool = False
    accumulate: Callable[[tuple[Any, ...], float], None] | None = None
    evaluate: Callable[[tuple[Any, ...]], float] | None = None

    def term(self, local: Scalar, upstream: Scalar) -> Scalar:
        """One edge's share of the chain rule: ``local * upstream``, or 0 where a row selects.

        >>> RELU.term(0.0, INF), MUL.term(0.0, INF), RELU.term(1.0, NAN)
        (0.0, nan, nan)
        """
        if self.selects and number(local) == 0:
            return 0.0
        return local * upstream


# --- Your own primitives: register, unregister ----------------------------------------------------

# The engine's node builder (``autograd.engine.apply``). ops.py sits below the engine and imports
# nothing from it, so the engine hands its builder down when it loads -- which is before any
# caller can reach this module (``import autograd.ops`` runs ``autograd/__init__`` first).
_BUILD_NODE: list[Callable[..., Any]] = []


def _set_node_builder(build: Callable[..., Any]) -> None:
    """Make registered ops build their nodes with ``build(op, *inputs, **params)``."""
    _BUILD_NODE[:] = [build]


@dataclass(frozen=True, slots=True, eq=False)  # a function: equal only to itself
class Primitive:
    """A registered op as a function: each call builds one node of ``op``.

    Inputs are Values or numbers (a number becomes a constant leaf); constant parameters are
    keywords. ``.op`` is the row, for :func:`autograd.testing.check_op` and the pictures.
    """

    op: Op

    def __call__(self, *inputs: Scalar, **params: float) -> Any:
        """Return the node ``op`` computes from ``inputs`` (a ``Value``)."""
        return _BUILD_NODE[0](self.op, *inputs, **params)

    def __repr__(self) -> str:
        return f"<primitive {self.op.name!r} (autograd.ops.register)>"


def _midpoint(lo: float, hi: float) -> float:
    return lo / 2 + hi / 2


def _checked_intervals(op: Op) -> None:
    domain = op.domain
    if not isinstance(domain, Domain):
        raise TypeError(f"register: {op.name}'s domain must be an ops.Domain, got {domain!r}")
    if len(domain.sample) != op.arity:
        raise ValueError(
            f"register: {op.name} takes {op.arity} input(s) but its domain.sample has "
            f"{len(domain.sample)} interval(s); give one (lo, hi) per input"
        )
    for what, (lo, hi) in [*enumerate(domain.sample), *domain.params.items()]:
        if not (math.isfinite(lo) and math.isfinite(hi) and lo <= hi):
            raise ValueError(
                f"register: {op.name}'s sample interval for {what!r} must be finite with "
                f"lo <= hi, got ({lo!r}, {hi!r})"
            )


def _checked_fields(op: Op) -> None:
    if not isinstance(op, Op):
        raise TypeError(f"register: expected an ops.Op record, got {op!r}")
    if not (isinstance(op.name, str) and op.name.isidentifier()):
        raise ValueError(f"register: an op's name must be an identifier, got {op.name!r}")
    if op.name in _REGISTRY:
        kind = "a built-in row" if op.name in BUILTINS else "already registered"
        raise ValueError(f"register: an op named {op.name!r} exists ({kind}); pick another name")
    if not (isinstance(op.symbol, str) and op.symbol):
        raise TypeError(f"register: {op.name}'s symbol must be a non-empty str, got {op.symbol!r}")
    if type(op.arity) is not int or op.arity < 1:
        raise ValueError(
            f"register: {op.name}'s arity must be an int >= 1, got {op.arity!r} (n-ary ops are "
            "the built-in fused nodes sum, dot and max)"
        )
    _checked_kinds(op)
    formula = op.formula
    if not (isinstance(formula, tuple) and all(isinstance(t, str) and t for t in formula)):
        raise TypeError(
            f"register: {op.name}'s formula must be a tuple of texts, one per input, "
            f"got {formula!r}"
        )
    if len(formula) != op.arity:
        raise ValueError(
            f"register: {op.name} takes {op.arity} input(s) but its formula has "
            f"{len(formula)} text(s); give d out / d input as text for each input"
        )
    _checked_intervals(op)


def _checked_kinds(op: Op) -> None:
    """The rules are callable and ``selects`` is a bool (a truthy 1 would select by accident)."""
    if not isinstance(op.selects, bool):
        raise TypeError(f"register: {op.name}'s selects must be True or False, got {op.selects!r}")
    for rule in ("forward", "local_grads"):
        if not callable(getattr(op, rule)):
            raise TypeError(
                f"register: {op.name}'s {rule} must be callable, got {getattr(op, rule)!r}"
            )


def _checked_rules(op: Op) -> None:
    """Run both rules once, at the middle of the sampled domain: the arity and the results."""
    xs = [_midpoint(lo, hi) for lo, hi in op.domain.sample]
    params = {name: _midpoint(lo, hi) for name, (lo, hi) in op.domain.params.items()}
    at = f"at {tuple(xs)}" + (f" with {params}" if params else "")
    try:
        out = op.forward(*xs, **params)
    except Exception as err:
        raise ValueError(
            f"register: {op.name}'s forward failed {at}: {type(err).__name__}: {err}"
        ) from err
    if not isinstance(out, (float, int)):
        raise TypeError(f"register: {op.name}'s forward must return a number, got {out!r} {at}")
    try:
        local = op.local_grads(*xs, out, **params)
    except Exception as err:
        raise ValueError(
            f"register: {op.name}'s local_grads(*inputs, out) failed {at}: "
            f"{type(err).__name__}: {err}"
        ) from err
    if not isinstance(local, (tuple, list)) or len(local) != op.arity:
        raise ValueError(
            f"register: {op.name}'s local_grads must return one derivative per input (a tuple "
            f"of {op.arity}), got {local!r} {at}"
        )


_BUILTIN_FORMS: Final = {  # Op fields the built-in rows alone fill: (what it is, what serves)
    "accumulate": ("the tuned pass's form of the built-in n-ary rows", "local_grads"),
    "evaluate": ("the scalar engine's form of the built-in dot's forward", "forward"),
}


def register(op: Op) -> Primitive:
    """Add a primitive of your own to the table and return the function that builds its nodes.

    Write ``forward`` and ``local_grads`` with operators and the math shim (``exp``, ``log``,
    ``sigmoid``, ``tanh``, ...), and branch with :func:`step`, :func:`choose` or :func:`sign`
    rather than Python's ``if``: then one rule runs on floats (``backward()``), on Values
    (``grad(create_graph=True)``) and on numpy lanes (``compile_loss``). The op then works
    with every part of the package, as a built-in row does; check it with
    :func:`autograd.testing.check_op`.

    Raises:
        TypeError: ``op`` is not an :class:`Op`, a rule is not callable, the formula is not
            a tuple of texts, or ``selects`` is not a bool.
        ValueError: the name is taken (a built-in included), the arity is not an int >= 1,
            the domain or formula does not match the arity, or a rule fails or returns the
            wrong number of derivatives at the middle of ``domain.sample``. Nothing is
            registered then.

    >>> from autograd import Value
    >>> cube = register(Op("cube", "³", 1, lambda x: x * x * x, lambda x, out: (3 * x * x,),
    ...                    ("3 x**2",)))
    >>> x = Value(2.0)
    >>> y = cube(x)
    >>> y.backward()
    >>> (y.data, x.grad, y.op is OPS["cube"])
    (8.0, 12.0, True)
    """
    _checked_fields(op)
    for form, (what, rule) in _BUILTIN_FORMS.items():
        if getattr(op, form) is not None:
            raise ValueError(
                f"register: {op.name}'s {form} must be None (it is {what}; a registered op's "
                f"{rule} serves every pass)"
            )
    _checked_rules(op)
    _REGISTRY[op.name] = op
    return Primitive(op)


def is_builtin(op: Op) -> bool:
    """Whether ``op`` is a built-in row of the table (not one made with :func:`register`).

    >>> is_builtin(OPS["tanh"])
    True
    """
    if not isinstance(op, Op):
        raise TypeError(f"is_builtin: op must be an ops.Op record (OPS[name]), got {op!r}")
    return BUILTINS.get(op.name) is op


def unregister(name: str) -> Op:
    """Remove a registered op from the table and return its record; built-in rows stay.

    Meant for tests: register in a test or fixture, unregister afterwards (this project's
    ``conftest.py`` does so after every test), so no op leaks into the next test. Nodes
    already built keep their op and still work.

    Raises:
        TypeError: ``name`` is not a str.
        ValueError: ``name`` is a built-in row, or no registered op.

    >>> swap = register(Op("swap", "swap", 1, lambda x: -x, lambda x, out: (-1.0,), ("-1",)))
    >>> unregister("swap").name, "swap" in OPS
    ('swap', False)
    """
    if not isinstance(name, str):
        raise TypeError(f"unregister: name must be a str (the op's name), got {name!r}")
    if name in BUILTINS:
        raise ValueError(f"unregister: {name!r} is a built-in row of the table; it stays")
    if name not in _REGISTRY:
        registered = sorted(set(_REGISTRY) - set(BUILTINS))
        raise ValueError(f"unregister: no registered op {name!r} (registered: {registered})")
    return _REGISTRY.pop(name)


def _dot_forward(*terms: float) -> float:
    # Inputs are (w1, x1, w2, x2, ..., b): a neuron's weighted sum plus bias as one node,
    # added left to right from the bias. zip(pairs, pairs) takes them two by two (w_i, x_i)
    # and stops at b, the odd one out. No strict=: a keyword argument costs zip about 0.4 µs a
    # call in CPython 3.11, a third of a 16-input dot's evaluation.
    total = terms[-1]
    pairs = iter(terms)
    for w, x in zip(pairs, pairs):  # noqa: B905  # two by two, up to b (see above)
        total += w * x
    return total


def _dot_evaluate(parents: tuple[Any, ...]) -> float:
    # _dot_forward on the parents' .data: from the bias, w_i * x_i added left to right.
    total: float = parents[-1].data
    pairs = iter(parents)
    for w, x in zip(pairs, pairs):  # noqa: B905  # as _dot_forward
        total += w.data * x.data
    return total


def _dot_local(*args: Scalar) -> tuple[Scalar, ...]:
    n = len(args) - 2  # args are (w1, x1, ..., wk, xk, b, out): n = 2k terms before b
    grads: list[Scalar] = [1.0] * (n + 1)  # d out / d b = 1
    grads[0:n:2] = args[1:n:2]  # d out / d w_i = x_i
    grads[1:n:2] = args[0:n:2]  # d out / d x_i = w_i
    return tuple(grads)


def _dot_accumulate(parents: tuple[Any, ...], upstream: float) -> None:
    # _dot_local times upstream, added in input order: w_i gets x_i * upstream, then x_i gets
    # w_i * upstream (the same node twice in dot(p, p) adds twice), the bias 1 * upstream last.
    pairs = iter(parents)
    for w, x in zip(pairs, pairs):  # noqa: B905  # two by two up to b, as _dot_forward
        w.grad += x.data * upstream
        x.grad += w.data * upstream
    parents[-1].grad += 1.0 * upstream


def _sum_accumulate(parents: tuple[Any, ...], upstream: float) -> None:
    term = 1.0 * upstream  # every input's local derivative is 1
    for p in parents:
        p.grad += term


def _heaviside(x: float) -> float:
    # 1 above 0, else 0; nan stays nan (numpy's heaviside; PyTorch's gives 0)
    return 1.0 if x > 0 else (x if x != x else 0.0)


def _max_forward(*terms: float) -> float:
    # PyTorch's max_pool2d scan: a later term takes over if it is larger or nan
    best = terms[0]
    for x in terms[1:]:
        if x > best or x != x:
            best = x
    return best


def _pick(condition: Any, then: Scalar, otherwise: Scalar) -> Scalar:
    return choose(condition, lambda: then, lambda: otherwise)


def _max_local(*args: Scalar) -> tuple[Scalar, ...]:
    # The same scan decides who takes the gradient: the first largest term, or the last nan.
    # Written with | and > on truth values so that it runs on lanes of numbers unchanged.
    terms = [number(x) for x in args[:-1]]
    takes: list[Any] = [True]
    best = terms[0]
    for x in terms[1:]:
        take = (x > best) | (x != x)
        takes.append(take)
        best = _pick(take, x, best)
    grads: list[Scalar] = []
    later: Any = False  # whether a later term took over
    for take in reversed(takes):
        grads.append(_pick(take > later, 1.0, 0.0))
        later = later | take
    return tuple(reversed(grads))


def _sum_forward(*terms: float) -> float:
    try:
        return math.fsum(terms)  # correctly rounded, whatever the order of the terms
    except (OverflowError, ValueError):  # inf - inf or an intermediate overflow: IEEE result
        return sum(terms, 0.0)


def _vpow_local(x: Scalar, y: Scalar, out: Scalar) -> tuple[Scalar, Scalar]:
    # PyTorch's pow_backward_self / pow_backward_exponent: a zero factor wins over the
    # 0 * inf = nan of the plain formulas (x**0 is constant; 0**y is 0 for y > 0).
    xv, yv = number(x), number(y)
    dx = choose(yv == 0, lambda: 0.0, lambda: y * power(x, y - 1))
    dy = choose((xv == 0) & (yv >= 0), lambda: 0.0, lambda: out * log(x))
    return dx, dy


_TWO_ARGS: Final = ((-5.0, 5.0), (-5.0, 5.0))

_ROWS: Final = (
    # --- arithmetic ---
    Op("add", "+", 2, lambda a, b: a + b, lambda a, b, out: (1.0, 1.0), ("1", "1"),
       Domain(sample=_TWO_ARGS)),
    Op("sub", "-", 2, lambda a, b: a - b, lambda a, b, out: (1.0, -1.0), ("1", "-1"),
       Domain(sample=_TWO_ARGS)),
    Op("mul", "*", 2, lambda a, b: a * b, lambda a, b, out: (b, a), ("b", "a"),
       Domain(sample=_TWO_ARGS)),
    Op("div", "/", 2, safe_div, lambda a, b, out: (1.0 / b, -out / b), ("1/b", "-a/b**2"),
       Domain("b != 0", ((-5.0, 5.0), (0.5, 5.0)), kinks=(0.0,))),
    Op("neg", "neg", 1, lambda a: -a, lambda a, out: (-1.0,), ("-1",)),
    Op("pow", "**", 1, lambda x, exponent: safe_pow(x, exponent),
       lambda x, out, exponent: (0.0 if exponent == 0 else exponent * power(x, exponent - 1),),
       ("exponent * x**(exponent-1) (0 if exponent = 0)",),
       Domain("x > 0 unless the exponent is an integer", ((0.2, 4.0),),
              params={"exponent": (-3.0, 3.0)})),
    Op("vpow", "**", 2, safe_pow, _vpow_local,
       ("y * x**(y-1) (0 if y = 0)", "x**y * log(x) (0 if x = 0 and y >= 0)"),
       Domain("x > 0", ((0.2, 4.0), (-3.0, 3.0)), kinks=(0.0,))),
    # --- exponentials and logarithms ---
    Op("exp", "exp", 1, safe_exp, lambda x, out: (out,), ("exp(x)",)),
    Op("log", "log", 1, safe_log, lambda x, out: (1.0 / x,), ("1/x",),
       Domain("x > 0", ((0.05, 10.0),), kinks=(0.0,))),
    Op("sqrt", "sqrt", 1, safe_sqrt, lambda x, out: (0.5 / out,), ("1 / (2 sqrt(x)); inf at 0",),
       Domain("x >= 0", ((0.05, 10.0),), kinks=(0.0,))),
    Op("softplus", "softplus", 1, softplus_float, lambda x, out: (sigmoid(x),), ("sigmoid(x)",)),
    # --- activations ---
    # 1 - out**2 and out * (1 - out) cancel where out nears ±1 (tanh' 77 % off at x = 19 and 0
    # past 19.06, sigmoid' 0 from 37); the same derivatives as products of sigmoids cancel
    # nothing and do not overflow (2x only past |x| = 9e307): a few ulp wherever they are normal.
    Op("tanh", "tanh", 1, math.tanh, lambda x, out: (4.0 * sigmoid(2.0 * x) * sigmoid(-2.0 * x),),
       ("1 - tanh(x)**2",)),
    Op("sigmoid", "σ", 1, sigmoid_float, lambda x, out: (out * sigmoid(-x),),
       ("sigmoid(x) * (1 - sigmoid(x))",)),
    # relu, abs and heaviside select (Op.selects): a 0 gives 0 even times an inf or nan.
    Op("relu", "relu", 1, lambda x: 0.0 if x <= 0 else x, lambda x, out: (step(x),),
       ("1 if x > 0 else 0 (0 at x = 0)",), Domain(kinks=(0.0,)), selects=True),
    Op("leaky_relu", "leaky_relu", 1, lambda x, slope: x if x > 0 else slope * x,
       lambda x, out, slope: (step(x, below=slope),), ("1 if x > 0 else slope (slope at 0)",),
       Domain(kinks=(0.0,), params={"slope": (0.0, 0.5)})),
    Op("abs", "abs", 1, abs, lambda x, out: (sign(x),), ("sign(x) (0 at x = 0)",),
       Domain(kinks=(0.0,)), selects=True),
    # a threshold neuron's step: flat on both sides, so no gradient ever reaches its inputs
    Op("heaviside", "heaviside", 1, _heaviside, lambda x, out: (0.0,),
       ("0 (flat on both sides of the jump at 0)",), Domain(kinks=(0.0,)), selects=True),
    # --- trigonometry ---
    Op("sin", "sin", 1, safe_sin, lambda x, out: (cos(x),), ("cos(x)",)),
    Op("cos", "cos", 1, safe_cos, lambda x, out: (-sin(x),), ("-sin(x)",)),
    # --- n-ary: fused nodes that keep big graphs small ---
    Op("sum", "Σ", None, _sum_forward, lambda *args: (1.0,) * (len(args) - 1), ("1 each",),
       Domain(sample=((-5.0, 5.0),) * 3), accumulate=_sum_accumulate),
    Op("dot", "w·x+b", None, _dot_forward, _dot_local,
       ("x_i for w_i", "w_i for x_i", "1 for b"),
       Domain(sample=((-5.0, 5.0),) * 5), accumulate=_dot_accumulate,
       evaluate=_dot_evaluate),
    # A tie is where max's derivative jumps: the sampled intervals are disjoint, so draws never
    # tie (ties are pinned in the tests' special values).
    # It selects (Op.selects), as PyTorch's max scatters the gradient: the others get 0, always.
    Op("max", "max", None, _max_forward, _max_local,
       ("1 for the first largest x_i (or the last nan), 0 for the others",),
       Domain(sample=((-1.0, 1.0), (2.0, 4.0), (-5.0, -3.0))), selects=True),
)  # fmt: skip

BUILTINS: Final[Mapping[str, Op]] = MappingProxyType({op.name: op for op in _ROWS})
"""The built-in primitives by name, in table order: the rows above."""

_REGISTRY: Final[dict[str, Op]] = dict(BUILTINS)
OPS: Final[Mapping[str, Op]] = MappingProxyType(_REGISTRY)
"""Every primitive by name, built-in then registered: the one registry everything reads."""

ADD: Final = OPS["add"]
SUB: Final = OPS["sub"]
MUL: Final = OPS["mul"]
DIV: Final = OPS["div"]
NEG: Final = OPS["neg"]
POW: Final = OPS["pow"]
VPOW: Final = OPS["vpow"]
SUM: Final = OPS["sum"]
DOT: Final = OPS["dot"]
EXP: Final = OPS["exp"]
LOG: Final = OPS["log"]
SQRT: Final = OPS["sqrt"]
SOFTPLUS: Final = OPS["softplus"]
TANH: Final = OPS["tanh"]
SIGMOID: Final = OPS["sigmoid"]
RELU: Final = OPS["relu"]
LEAKY_RELU: Final = OPS["leaky_relu"]
ABS: Final = OPS["abs"]
SIN: Final = OPS["sin"]
COS: Final = OPS["cos"]
HEAVISIDE: Final = OPS["heaviside"]
MAX: Final = OPS["max"]
