"""Which examples of a batch a structure check rebuilds: those most unlike the ones checked so far.

A graph depends on the data through numbers the function reads: a target that picks an index,
the sign or size of an input (``if x.data > 0``), rarely an intermediate value. So the plan
counts, when tracing, which input slots the function reads itself (``.data``, ``float(v)``,
comparisons) beyond the reads the engine makes to compute; :class:`ExampleChooser` keys every
example by its narrow arguments (up to :data:`KEY_WIDTH` numbers: targets, labels, a 2-D point)
and the slots read (when there are at most that many), keeping whole numbers (classes, one-hot
rows, pixel levels) and the sign of the others. The checks then take turns among three picks:

- *novel*: an example whose key has been checked the fewest times, the most extreme of those
  (so a new class or a new value of a read input is checked at its first appearance);
- *extreme*: the example with the largest ``|x - mean| / std`` over the batch in a read input
  (in any input column if the function reads none): the tails, where thresholds are crossed;
- *random*: any example, so that no kind of example is never checked.

This finds rare branches on inputs and targets far sooner than a uniform draw; a branch on an
intermediate value is found by chance. It is a sample, not a proof.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

import numpy as np

from autograd.types import Array

KEY_WIDTH: Final = 16
"""Arguments (and sets of read slots) of at most this many numbers key the examples."""
PICKS: Final = ("extreme", "random", "novel")
"""The turns the checks take (see the module docstring)."""
MAX_KEYS: Final = 1 << 16
"""Keys remembered at most; later new keys count as never checked (memory stays bounded)."""


class ExampleChooser:
    """Chooses the examples to check, and remembers the keys it checked.

    Args:
        shape: the traced argument shapes (0: a number, n: a list of n numbers).
        read: the input slots (flattened over the arguments) the function reads itself.
        rng: the generator for the random picks.

    >>> chooser = ExampleChooser((0,), [], np.random.default_rng(0))
    >>> chooser.note([np.array([1.0])])  # the traced example: label 1
    >>> chooser.choose([np.array([1.0, 1.0, -1.0, 1.0])], 1)  # the only -1 comes first
    [2]
    """

    def __init__(
        self, shape: tuple[int, ...], read: Sequence[int], rng: np.random.Generator
    ) -> None:
        starts = np.cumsum([0, *(max(size, 1) for size in shape)])
        narrow = [
            slot
            for a, size in enumerate(shape)
            if size <= KEY_WIDTH
            for slot in range(starts[a], starts[a + 1])
        ]
        small = list(read) if len(read) <= KEY_WIDTH else []
        self.key_slots = sorted(set(narrow) | set(small))
        # Tails of the read inputs; targets (narrow) are the novel pick's, and their one-hot
        # columns would always look extreme.
        wide_reads = sorted(set(read) - set(narrow))
        self.extreme_slots = wide_reads or sorted(read) or None  # None: every column
        self.rng = rng
        self.seen: dict[bytes, int] = {}
        self.turn = 0

    def keys(self, block: Array) -> list[bytes]:
        """One key per example (row of ``block``): whole numbers kept, others as their sign."""
        part = block[:, self.key_slots]
        part = np.where(part == np.round(part), part, np.sign(part)) + 0.0  # -0.0 -> 0.0
        return [row.tobytes() for row in part]

    def note(self, columns: list[Array]) -> None:
        """Count every example of ``columns`` as checked (the traced example, at compile time)."""
        for key in self.keys(_block(columns)):
            self._count(key)

    def choose(self, columns: list[Array], k: int) -> list[int]:
        """Return ``k`` distinct example indices (fewer if the batch is smaller) to check."""
        block = _block(columns)
        keys = self.keys(block)
        counts = np.array([self.seen.get(key, 0) for key in keys], dtype=np.float64)
        extreme = _extremeness(
            block if self.extreme_slots is None else block[:, self.extreme_slots]
        )
        taken = np.zeros(len(keys), dtype=bool)
        chosen: list[int] = []
        for _ in range(min(k, len(keys))):
            free = np.flatnonzero(~taken)
            if counts[free].min() == 0:
                kind = "novel"  # a key never checked: always worth the check
            else:
                kind = PICKS[self.turn % len(PICKS)]
                self.turn += 1
            if kind == "novel":
                free = free[counts[free] == counts[free].min()]
            if kind == "random":
                pick = int(self.rng.choice(free))
            else:
                pick = int(free[np.argmax(extreme[free])])
            chosen.append(pick)
            taken[pick] = True
            self._count(keys[pick])
            counts[[i for i, key in enumerate(keys) if key == keys[pick]]] += 1.0
        return chosen

    def _count(self, key: bytes) -> None:
        if key in self.seen or len(self.seen) < MAX_KEYS:
            self.seen[key] = self.seen.get(key, 0) + 1


def _block(columns: list[Array]) -> Array:
    """The batch as one array ``(examples, slots)``, slots in the order of the input leaves."""
    n = columns[0].shape[0]
    return np.concatenate([c.reshape(n, -1) for c in columns], axis=1)


def _extremeness(block: Array) -> Array:
    """Per example, the largest ``|x - mean| / std`` over the columns of ``block``."""
    spread = block.std(axis=0)
    z = np.abs(block - block.mean(axis=0)) / np.where(spread > 0, spread, 1.0)
    result: Array = z.max(axis=1)
    return result
