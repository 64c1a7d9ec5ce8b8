"""Convolution and pooling on images ``[channel][row][col]``, with PyTorch's names and sizes.

Each output pixel is one node: a convolution's is one fused ``dot`` of the window's pixels and
the filter's weights (plus the bias), a max pool's one ``max``, an average pool's one ``sum``
divided by the window's size. So a drawn convolution stays small, and the compiled planner
runs a whole convolution layer as one matrix product (:mod:`autograd.compiled.groups`).

Sizes follow PyTorch: an output has ``(size + 2 * padding - kernel) // stride + 1`` rows (and
columns), rounded down (``ceil_mode=False``). Zero padding adds no term: a window's pixels that
fall on the padding are left out of its ``dot`` (they would add ``w * 0`` and get no gradient),
so a border pixel's node has fewer inputs and a picture draws only the pixels a window covers.

>>> conv = Conv2d(1, 1, 2, bias=False, init="constant", value=1.0)
>>> [[v.data for v in row] for row in conv([[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]])[0]]
[[12.0, 16.0]]
>>> MaxPool2d(2)([[[1.0, 5.0], [3.0, 2.0]]])[0][0][0].data
5.0
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from autograd import _checks
from autograd.engine import Value, dots, max_values, sum_values
from autograd.nn.image import Image, Shape, as_image, image_shape, pair
from autograd.nn.init import Init, check_init, init_weights
from autograd.nn.module import Module
from autograd.types import Seed


def _out_size(what: str, size: int, kernel: int, stride: int, padding: int, axis: str) -> int:
    padded = size + 2 * padding
    if kernel > padded:
        raise ValueError(
            f"{what}: the kernel is larger than the padded input: {axis} kernel {kernel} > "
            f"{axis} {size} + 2 * padding {padding} = {padded}"
        )
    return (padded - kernel) // stride + 1


def _windows(what: str, shape: Shape, kernel: tuple[int, int], stride: tuple[int, int],
             padding: tuple[int, int], channels: int) -> tuple[int, int]:  # fmt: skip
    """The output's rows and columns for an input of ``shape``, or a ValueError naming both.

    An output of more than ``MAX_SIZE`` pixels (a padding of a million) is refused before any
    node is made.
    """
    _, height, width = shape
    rows = _out_size(what, height, kernel[0], stride[0], padding[0], "height")
    cols = _out_size(what, width, kernel[1], stride[1], padding[1], "width")
    _checks.total(f"{what}'s output of shape {(channels, rows, cols)}", channels * rows * cols,
                  "pixels")  # fmt: skip
    return rows, cols


class Conv2d(Module):
    """A 2-d convolution (cross-correlation, as in PyTorch) with zero padding.

    Output pixel ``(o, i, j)`` is ``bias[o] + sum_{c, di, dj} weight[o][c][di][dj] *
    x[c][i*stride + di - padding][j*stride + dj - padding]``, one ``dot`` node.

    Args:
        in_channels: the input image's channels.
        out_channels: the number of filters, the output's channels.
        kernel_size: an int or a pair (rows, cols).
        stride: an int or a pair, >= 1.
        padding: an int or a pair, >= 0: zeros around the image.
        bias: False: no bias (``.bias`` is None).
        init: a scheme of :data:`autograd.nn.init.INITS` or a function ``(fan_in, fan_out, rng)
            -> fan_in floats`` drawing one filter in ``(c, i, j)`` order; the default
            ``"uniform_fan_in"`` is PyTorch's U(±1/√fan_in), fan_in = in_channels · kernel area.
            Biases start at 0.
        seed: an int seed or a ``numpy.random.Generator``.
        value: the weight of the ``constant`` init.

    Raises:
        TypeError: an argument of the wrong kind (a float channel count, a str seed, ...).
        ValueError: a size below its minimum or above ``autograd._checks.MAX_SIZE``, or more
            than ``MAX_SIZE`` parameters in all (refused before anything is built).

    Attributes:
        weight: ``weight[o][c][i][j]``, Values; named ``channels.o.w.k`` with ``k`` the index
            in ``(c, i, j)`` order -- each output channel is a neuron whose weights slide, so a
            picture draws a cluster per channel.
        bias: ``bias[o]`` (named ``channels.o.b``), or None.

    >>> conv = Conv2d(3, 8, 5)
    >>> conv.num_parameters() == 8 * 3 * 5 * 5 + 8, conv.output_shape((3, 32, 32))
    (True, (8, 28, 28))
    """

    def __init__(
        self,
        in_channels: int,
        out_channels: int,
        kernel_size: int | tuple[int, int],
        stride: int | tuple[int, int] = 1,
        padding: int | tuple[int, int] = 0,
        bias: bool = True,
        *,
        init: Init = "uniform_fan_in",
        seed: Seed = None,
        value: float = 0.0,
    ) -> None:
        self.in_channels = _checks.size("Conv2d in_channels", in_channels)
        self.out_channels = _checks.size("Conv2d out_channels", out_channels)
        self.kernel_size = pair("Conv2d kernel_size", kernel_size, 1)
        self.stride = pair("Conv2d stride", stride, 1)
        self.padding = pair("Conv2d padding", padding, 0)
        has_bias = _checks.flag("Conv2d bias", bias)
        self.init = check_init(init, caller="Conv2d")
        rng = _checks.rng("Conv2d seed", seed)
        kh, kw = self.kernel_size
        fan_in, fan_out = self.in_channels * kh * kw, self.out_channels * kh * kw
        value = _checks.real("Conv2d value", value)
        _checks.total(
            f"Conv2d with in_channels={self.in_channels}, out_channels={self.out_channels} and "
            f"kernel_size={self.kernel_size}",
            self.out_channels * (fan_in + has_bias),
        )
        self.weight: list[list[list[list[Value]]]] = []
        for o in range(self.out_channels):
            flat = [
                Value(w, label=f"channels.{o}.w.{k}")
                for k, w in enumerate(init_weights(init, fan_in, fan_out, rng, value))
            ]
            self.weight.append(
                [[flat[(c * kh + i) * kw : (c * kh + i + 1) * kw] for i in range(kh)]
                 for c in range(self.in_channels)]
            )  # fmt: skip
        self.bias: list[Value] | None = None
        if has_bias:
            self.bias = [Value(0.0, label=f"channels.{o}.b") for o in range(self.out_channels)]

    def output_shape(self, shape: Sequence[int]) -> Shape:
        """Return the output's ``(out_channels, rows, cols)`` for an input of ``shape``.

        >>> Conv2d(1, 6, 5, padding=2, stride=2).output_shape((1, 28, 28))
        (6, 14, 14)
        """
        c, h, w = image_shape(f"{self!r}.output_shape: shape", shape)
        if c != self.in_channels:
            raise ValueError(
                f"{self!r} expects an image of {self.in_channels} channel(s), shape "
                f"({self.in_channels}, H, W), got shape {tuple(shape)}"
            )
        rows, cols = _windows(repr(self), (c, h, w), self.kernel_size, self.stride, self.padding,
                              self.out_channels)  # fmt: skip
        return self.out_channels, rows, cols

    def __call__(self, x: Any) -> Image:
        """Return the output image ``[o][i][j]``: one ``dot`` node per pixel."""
        image, shape = as_image(x, repr(self), self.in_channels)
        rows = self.output_shape(shape)[1]  # (and the sizes checked)
        # the bias slot of a bias-free filter holds 0: one constant leaf for the whole image
        biases = self.bias if self.bias is not None else [Value(0.0)] * self.out_channels
        flats = [[w for plane in f for row in plane for w in row] for f in self.weight]
        pixels = [v for plane in image for row in plane for v in row]
        kept: dict[tuple[int, ...], list[list[Value]]] = {}  # a window's taps -> their weights
        out: Image = [[[] for _ in range(rows)] for _ in biases]
        for i, taps, where in _taps(shape, self.kernel_size, self.stride, self.padding):
            weights = kept.get(taps)
            if weights is None:  # the interior's taps, then each border's: a few kinds
                weights = kept[taps] = [[f[t] for t in taps] for f in flats]
            for plane, node in zip(out, dots(weights, [pixels[k] for k in where], biases),
                                   strict=True):  # fmt: skip
                plane[i].append(node)
        return out

    def _own_parameters(self) -> list[tuple[str, Value]]:
        weights = [
            (f"channels.{o}.w.{k}", w)
            for o, filters in enumerate(self.weight)
            for k, w in enumerate(w for plane in filters for row in plane for w in row)
        ]
        if self.bias is None:
            return weights
        return [*weights, *((f"channels.{o}.b", b) for o, b in enumerate(self.bias))]

    def config(self) -> dict[str, Any]:
        """Return the constructor arguments as a dict.

        >>> Conv2d(1, 2, 3, bias=False).config()["kernel_size"]
        [3, 3]
        """
        found: dict[str, Any] = {
            "type": "Conv2d",
            "in_channels": self.in_channels,
            "out_channels": self.out_channels,
            "kernel_size": list(self.kernel_size),
            "stride": list(self.stride),
            "padding": list(self.padding),
        }
        return found if self.bias is not None else {**found, "bias": False}

    def __repr__(self) -> str:
        padding = f", padding={self.padding}" if any(self.padding) else ""
        bias = ", bias=False" if self.bias is None else ""
        return (
            f"Conv2d({self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
            f"stride={self.stride}{padding}{bias})"
        )


@lru_cache(maxsize=64)
def _taps(
    shape: Shape, kernel: tuple[int, int], stride: tuple[int, int], padding: tuple[int, int]
) -> tuple[tuple[int, tuple[int, ...], tuple[int, ...]], ...]:
    """Each output pixel's window: ``(row, taps, where)``, in rows then columns.

    ``taps`` are the filter's entries the window covers and ``where`` the input pixels under
    them (both flat, in PyTorch's order: channel, row, column); a tap on the padding is left
    out, since a padded zero adds no term.

    >>> _taps((1, 2, 2), (2, 2), (1, 1), (1, 1))[0]  # the top-left window covers one pixel
    (0, (3,), (0,))
    """
    (channels, height, width), (kh, kw), (sh, sw), (ph, pw) = shape, kernel, stride, padding
    rows = _out_size("Conv2d", height, kh, sh, ph, "height")  # (sizes checked by the caller)
    cols = _out_size("Conv2d", width, kw, sw, pw, "width")
    found = []
    for i in range(rows):
        for j in range(cols):
            taps, where = [], []
            for c in range(channels):
                for di in range(kh):
                    r = i * sh + di - ph
                    if 0 <= r < height:
                        for dj in range(kw):
                            q = j * sw + dj - pw
                            if 0 <= q < width:
                                taps.append((c * kh + di) * kw + dj)
                                where.append((c * height + r) * width + q)
            found.append((i, tuple(taps), tuple(where)))
    return tuple(found)


class _Pool2d(Module):
    """What both poolings share: windows of ``kernel_size`` every ``stride`` pixels, per channel."""

    name = ""

    def __init__(
        self, kernel_size: int | tuple[int, int], stride: int | tuple[int, int] | None = None
    ) -> None:
        self.kernel_size = pair(f"{self.name} kernel_size", kernel_size, 1)
        self.stride = self.kernel_size if stride is None else pair(f"{self.name} stride", stride, 1)

    def output_shape(self, shape: Sequence[int]) -> Shape:
        """Return the output's ``(channels, rows, cols)`` for an input of ``shape``.

        >>> MaxPool2d(2).output_shape((6, 24, 24)), AvgPool2d(2).output_shape((1, 3, 3))
        ((6, 12, 12), (1, 1, 1))
        """
        c, h, w = image_shape(f"{self!r}.output_shape: shape", shape)
        rows, cols = _windows(repr(self), (c, h, w), self.kernel_size, self.stride, (0, 0), c)
        return c, rows, cols

    def pool(self, window: list[Value], size: Value) -> Value:
        """One output pixel from its window's pixels, in row-major order; ``size`` their count."""
        raise NotImplementedError

    def __call__(self, x: Any) -> Image:
        """Return the pooled image ``[c][i][j]``: one node per output pixel."""
        image, shape = as_image(x, repr(self))
        _, rows, cols = self.output_shape(shape)
        (kh, kw), (sh, sw) = self.kernel_size, self.stride
        size = Value(float(kh * kw))  # one constant leaf for the whole image
        return [
            [
                [
                    self.pool(
                        [v for r in plane[i * sh : i * sh + kh] for v in r[j * sw : j * sw + kw]],
                        size,
                    )
                    for j in range(cols)
                ]
                for i in range(rows)
            ]
            for plane in image
        ]

    def config(self) -> dict[str, Any]:
        """Return ``{"type": ..., "kernel_size": [...], "stride": [...]}``."""
        return {
            "type": self.name,
            "kernel_size": list(self.kernel_size),
            "stride": list(self.stride),
        }

    def __repr__(self) -> str:
        stride = "" if self.stride == self.kernel_size else f", stride={self.stride}"
        kernel = (
            self.kernel_size[0] if self.kernel_size[0] == self.kernel_size[1] else self.kernel_size
        )
        return f"{self.name}({kernel}{stride})"


class MaxPool2d(_Pool2d):
    """The largest pixel of each window, per channel (``torch.nn.MaxPool2d``, no padding).

    ``stride`` defaults to ``kernel_size``; sizes round down. Each output is one ``max`` node, so
    the gradient goes to the window's first largest pixel (PyTorch's choice); a pixel that wins
    several overlapping windows adds up their gradients.

    >>> x = [[[1.0, 2.0, 0.0], [4.0, 3.0, 0.0], [0.0, 0.0, 0.0]]]
    >>> y = MaxPool2d(2, stride=1)(x)
    >>> [[v.data for v in row] for row in y[0]]
    [[4.0, 3.0], [4.0, 3.0]]
    """

    name = "MaxPool2d"

    def pool(self, window: list[Value], size: Value) -> Value:  # noqa: D102
        return max_values(window)


class AvgPool2d(_Pool2d):
    """The mean of each window, per channel (``torch.nn.AvgPool2d``, no padding).

    Each output is ``sum(window) / (kh * kw)``: a ``sum`` node and a division.

    >>> AvgPool2d(2)([[[12.0, 12.0, 17.0], [15.0, 19.0, 21.0], [18.0, 18.0, 24.0]]])[0][0][0].data
    14.5
    """

    name = "AvgPool2d"

    def pool(self, window: list[Value], size: Value) -> Value:  # noqa: D102
        return sum_values(window) / size
