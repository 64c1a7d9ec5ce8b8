"""The page of a player over one pass (full or collapsed): its HTML fragment and whole page.

Both :class:`autograd.viz.stepper.StepThrough` and
:class:`autograd.viz.collapsed_player.CollapsedStepThrough` are :class:`PassPlayer` pages: the
title, the line shown where scripts cannot run, the controls, the caption lines, the legend,
the graph and the frames' JSON, read by the script of :mod:`autograd.viz.player`.
"""

from __future__ import annotations

import html
import os
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

from autograd import _checks
from autograd.engine import Value
from autograd.files import write_atomic
from autograd.viz.player import (
    LARGEST_SCALE,
    LEGEND_HTML,
    NO_SCRIPT_TEXT,
    PLAYER_CSS,
    PLAYER_JS,
    READABLE_SCALE,
    STATIC_CSS,
    controls_html,
)

PLAYER_ID_DIGITS: Final = 12  # hex digits of the content hash that name a player on a page
PX_PER_PT: Final = 4 / 3  # Graphviz sizes an SVG in points; CSS pixels are 3/4 of a point
_SVG_WIDTH: Final = re.compile(r'<svg\b[^>]*?\bwidth="([\d.]+)pt"')


class PassPlayer:
    """What a player page needs of its subclass: frames, names, root, note, svg, player id."""

    root: Value
    frames: Sequence[Any]
    names: Mapping[Value, str]
    note: str
    svg: str
    player_id: str

    def frames_json(self) -> str:
        """Return the frames as the JSON the page's script reads."""
        raise NotImplementedError

    def fragment(self) -> str:
        """Return the player as an HTML fragment (what Jupyter shows).

        Until its script runs, the fragment shows its title and a line saying why nothing
        moves (an untrusted notebook, a viewer without scripts); the controls and the graph
        are not displayed (inline ``display:none``, which sanitizers keep) until the script
        starts. The laid-out graph holds the last frame's numbers, so the page of
        :meth:`html` opened without scripts shows it, and a line saying so
        (:func:`whole_page`).
        """
        total = len(self.frames)
        title = html.escape(f"{self.names[self.root]}: {total} steps (forward, then backward)")
        note = f'<div class="ag-note">{html.escape(self.note)}</div>' if self.note else ""
        static = (
            f"Without scripts, the graph shows the last of the {total} steps: every value of the "
            "forward pass and every gradient of the backward pass."
        )
        return f"""<div class="ag-player" tabindex="0" data-frames="{total}" \
data-player="{self.player_id}">
<style>{PLAYER_CSS}</style>
<div class="ag-title">{title}</div>
<div class="ag-noscript">{html.escape(NO_SCRIPT_TEXT)}</div>
{static_html(static)}
{controls_html(total)}
{note}<div class="ag-phase"></div>
<div class="ag-step"></div>
<div class="ag-formula"></div>
{LEGEND_HTML}
{graph_html(self.svg)}
<script type="application/json" class="ag-data">{self.frames_json()}</script>
<script>{PLAYER_JS}("{self.player_id}");</script>
</div>"""

    def _repr_html_(self) -> str:
        return self.fragment()

    def save(self, path: str | os.PathLike[str], *, frame: int | None = None) -> Path:
        """Write the player: ``.html`` the page, ``.gif`` every frame, ``.png``/``.svg`` one.

        ``frame`` picks the frame of a still (default: the last). Stills and GIF frames are
        drawn by Graphviz with the page's numbers and highlights, each node (or box, for a
        collapsed player) where the page has it; the GIF needs Pillow. Writing is atomic (a
        temporary file, then a rename), so a failure leaves an older file as it was.
        """
        target = _checks.path("StepThrough.save: path", path)
        if target.suffix.lower() in (".html", ".htm", "") and frame is None:
            return write_atomic(target, self.html())
        from autograd.viz.export import save_player  # rendering and Pillow only when asked

        written: Path = save_player(self, path, frame=frame, caller="StepThrough.save")
        return written

    def frame_count(self) -> int:
        """How many frames the player has (forward, then backward)."""
        return len(self.frames)

    def html(self) -> str:
        """Return a complete HTML page holding the player (no external resources)."""
        return whole_page(
            f"Backpropagation, step by step: {self.names[self.root]}", self.fragment()
        )


def static_html(text: str) -> str:
    """Return the line saying what the graph shows where scripts do not run (hidden elsewhere)."""
    return f'<div class="ag-static" style="display:none">{html.escape(text)}</div>'


def graph_html(svg: str) -> str:
    """Return the graph's box: hidden until the script starts, or a saved page without scripts.

    It carries the sizes the graph is fitted between where no script fits it (``--ag-min``,
    ``--ag-max``: see :data:`~autograd.viz.player.STATIC_CSS`).

    >>> graph_html('<svg width="300pt" height="90pt"></svg>')[:79]
    '<div class="ag-graph ag-js" style="display:none;--ag-min:240px;--ag-max:600px">'
    """
    found = _SVG_WIDTH.search(svg)
    fit = ""
    if found:
        px = float(found.group(1)) * PX_PER_PT
        fit = f";--ag-min:{px * READABLE_SCALE:.0f}px;--ag-max:{px * LARGEST_SCALE:.0f}px"
    return f'<div class="ag-graph ag-js" style="display:none{fit}">{svg}</div>'


def whole_page(title: str, fragment: str) -> str:
    """Return a player's fragment as a page of its own, titled ``title`` (escaped here).

    Where scripts do not run, the page shows the player's graph of the last frame under the
    line saying why nothing moves (:data:`~autograd.viz.player.STATIC_CSS`).

    >>> whole_page("a < b", "<div></div>").splitlines()[4]
    '<title>a &lt; b</title>'
    """
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<noscript><style>{STATIC_CSS}</style></noscript>\n"
        f"</head>\n<body>\n{fragment}\n</body>\n</html>\n"
    )
