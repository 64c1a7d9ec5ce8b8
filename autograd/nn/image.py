"""Images: nested lists ``[channel][row][col]`` of numbers or Values, checked once on the way in.

A module reading an image calls :func:`as_image`, which refuses a ragged image, a wrong number
of channels or something that is not an image with a ``ValueError`` or ``TypeError`` naming the
module, the shape expected and the shape given, and turns numbers into constant leaves, one per
pixel, so every window that reads a pixel reads the same node. :class:`Flatten` and
:class:`Unflatten` go between images and flat lists in ``(c, i, j)`` order.

>>> image, shape = as_image([[[1.0, 2.0], [3.0, 4.0]]], "Conv2d")
>>> shape, image[0][1][0]
((1, 2, 2), Value(data=3.0, grad=0.0))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from autograd import _checks
from autograd.engine import Value, all_values
from autograd.messages import describe
from autograd.nn.module import Module, as_inputs

Image = list[list[list[Value]]]
"""An image as modules return it: ``image[c][i][j]`` is a Value."""

Shape = tuple[int, int, int]
"""An image's ``(channels, rows, cols)``."""

PAIR = 2
IMAGE_DIMS = 3


def _rows(x: object) -> list[Any] | None:
    """``x`` as a list if it is a list-like of entries (a list, tuple or array), else None."""
    if isinstance(x, np.ndarray):
        return x.tolist() if x.ndim else None
    if isinstance(x, Sequence) and not isinstance(x, str | bytes):
        return list(x)
    return None


def _not_an_image(what: str, found: str) -> ValueError:
    return ValueError(
        f"{what} takes an image [channel][row][col] (shape (C, H, W)), got {found}; wrap a "
        "single-channel picture in a list: [picture]"
    )


def _pixels(row: list[Any], what: str, where: str) -> list[Value]:
    """A row with numbers in it: each a constant leaf, or an error naming the pixel."""
    return [
        x if isinstance(x, Value) else Value(_checks.number(f"{what}: pixel {where}[{j}]", x))
        for j, x in enumerate(row)
    ]


def _grids(x: object, what: str) -> list[list[list[Any]]]:
    """``x`` as lists of lists of lists (raggedness is checked later), or raise naming ``what``."""
    planes = _rows(x)
    if planes is None:
        raise TypeError(
            f"{what} takes an image: nested lists [channel][row][col] of numbers or Values, "
            f"or an array of shape (C, H, W); got {describe(x)}"
        )
    if not planes:
        raise _not_an_image(what, "an empty list")
    grids: list[list[list[Any]]] = []
    for c, plane in enumerate(planes):
        rows = _rows(plane)
        if rows is None:
            raise _not_an_image(what, f"a list whose entry [{c}] is {describe(plane)}")
        grid = []
        for i, row in enumerate(rows):
            pixels = _rows(row)
            if pixels is None:
                raise _not_an_image(what, f"a list whose entry [{c}][{i}] is {describe(row)}")
            grid.append(pixels)
        grids.append(grid)
    return grids


def _rectangular(grids: list[list[list[Any]]], what: str) -> Shape:
    """The shape of the image, or a ValueError naming the first row or channel out of line."""
    height, width = len(grids[0]), len(grids[0][0]) if grids[0] else 0
    for c, grid in enumerate(grids):
        if len(grid) != height:
            raise ValueError(
                f"{what}: the image is ragged: channel 0 has {height} rows, channel {c} has "
                f"{len(grid)}; every channel needs the same number of rows"
            )
        for i, row in enumerate(grid):
            if len(row) != width:
                raise ValueError(
                    f"{what}: the image is ragged: row [0][0] has {width} pixels, row [{c}][{i}] "
                    f"has {len(row)}; every row needs the same length"
                )
    if height == 0 or width == 0:
        raise ValueError(f"{what}: the image is empty (shape ({len(grids)}, {height}, {width}))")
    return len(grids), height, width


def as_image(x: object, what: str, channels: int | None = None) -> tuple[Image, Shape]:
    """Return ``x`` as an image of Values and its shape ``(C, H, W)``, or raise naming ``what``.

    Args:
        x: nested lists ``[c][i][j]`` of numbers or Values, or an array of shape ``(C, H, W)``.
        what: the module, for messages (``"Conv2d(3, 8, kernel_size=3)"``).
        channels: the number of channels the module expects, if it expects one.

    Raises:
        TypeError: ``x`` is not nested lists, or a pixel is not a number or a Value.
        ValueError: the image is ragged, empty, not 3-d, or has the wrong number of channels.

    >>> as_image([[1.0, 2.0]], "MaxPool2d(2)")
    Traceback (most recent call last):
    ...
    ValueError: MaxPool2d(2) takes an image [channel][row][col] (shape (C, H, W)), got a list ...
    """
    grids = _grids(x, what)
    shape = _rectangular(grids, what)
    if channels is not None and shape[0] != channels:
        raise ValueError(
            f"{what} expects an image of {channels} channel(s), shape ({channels}, H, W), got "
            f"shape {shape}"
        )
    image = [
        [row if all_values(row) else _pixels(row, what, f"[{c}][{i}]") for i, row in enumerate(g)]
        for c, g in enumerate(grids)
    ]
    return image, shape


def pair(what: str, value: object, minimum: int) -> tuple[int, int]:
    """An int-or-pair argument (``kernel_size=3`` or ``(3, 2)``) as a pair of ints ``>= minimum``.

    Each is a size (at most ``autograd._checks.MAX_SIZE``).

    >>> pair("Conv2d kernel_size", 3, 1), pair("Conv2d stride", (2, 1), 1)
    ((3, 3), (2, 1))
    """
    if isinstance(value, tuple | list) and len(value) == PAIR:
        return (
            _checks.size(f"{what}[0]", value[0], minimum),
            _checks.size(f"{what}[1]", value[1], minimum),
        )
    if isinstance(value, tuple | list):
        raise ValueError(f"{what} must be an int or a pair of ints, got {value!r}")
    n = _checks.size(what, value, minimum)
    return n, n


def image_shape(what: str, shape: object) -> Shape:
    """A ``(channels, rows, cols)`` argument as a tuple of three ints >= 1, or raise naming it.

    >>> image_shape("Conv2d.output_shape: shape", (1, 28))
    Traceback (most recent call last):
    ...
    ValueError: Conv2d.output_shape: shape must be (channels, rows, cols), got (1, 28)
    """
    entries = _checks.sequence(what, shape, "(channels, rows, cols), a tuple of three ints")
    if len(entries) != IMAGE_DIMS:
        raise ValueError(f"{what} must be (channels, rows, cols), got {shape!r}")
    c, h, w = (_checks.size(f"{what}[{k}]", n) for k, n in enumerate(entries))
    return c, h, w


def flatten(image: Sequence[Sequence[Sequence[Any]]]) -> list[Any]:
    """Return an image's pixels in ``(c, i, j)`` order (``torch.flatten``'s order).

    >>> flatten([[[1, 2], [3, 4]], [[5, 6], [7, 8]]])
    [1, 2, 3, 4, 5, 6, 7, 8]
    """
    return [v for plane in image for row in plane for v in row]


class Flatten(Module):
    """An image ``[c][i][j]`` as one flat list in ``(c, i, j)`` order (``torch.nn.Flatten``).

    >>> [v.data for v in Flatten()([[[1.0, 2.0]], [[3.0, 4.0]]])]
    [1.0, 2.0, 3.0, 4.0]
    """

    def __call__(self, x: Any) -> list[Value]:
        """Return the image's pixels as one list of Values."""
        image, _ = as_image(x, "Flatten()")
        return flatten(image)

    def config(self) -> dict[str, Any]:
        """Return ``{"type": "Flatten"}``."""
        return {"type": "Flatten"}

    def __repr__(self) -> str:
        return "Flatten()"


class Unflatten(Module):
    """A flat list (one example, as a Trainer passes it) as an image of ``shape`` ``(C, H, W)``.

    ``torch.nn.Unflatten(1, shape)`` on a batch; here one example, so no batch dimension.

    Raises:
        TypeError: ``shape`` is not a tuple (or list) of ints.
        ValueError: ``shape`` has not three entries, one below 1, or more than
            ``autograd._checks.MAX_SIZE`` pixels.

    >>> Unflatten((1, 2, 2))([1.0, 2.0, 3.0, 4.0])[0][1][0].data
    3.0
    >>> Unflatten((1, 8, 8))([0.0] * 10)
    Traceback (most recent call last):
    ...
    ValueError: Unflatten((1, 8, 8)) expects 64 inputs (1 x 8 x 8), got 10
    """

    def __init__(self, shape: Sequence[int]) -> None:
        c, h, w = image_shape("Unflatten: shape", shape)
        _checks.total(f"Unflatten with shape={(c, h, w)}", c * h * w, "pixels per image")
        self.shape: Shape = (c, h, w)

    def __call__(self, x: Any) -> Image:
        """Return the inputs as nested lists ``[c][i][j]`` of Values."""
        xs = as_inputs(x, repr(self))
        c, h, w = self.shape
        if len(xs) != c * h * w:
            raise ValueError(
                f"{self!r} expects {c * h * w} inputs ({c} x {h} x {w}), got {len(xs)}"
            )
        pixels = xs
        return [[pixels[(k * h + i) * w : (k * h + i + 1) * w] for i in range(h)] for k in range(c)]

    def config(self) -> dict[str, Any]:
        """Return ``{"type": "Unflatten", "shape": [...]}``."""
        return {"type": "Unflatten", "shape": list(self.shape)}

    def __repr__(self) -> str:
        return f"Unflatten({self.shape})"
