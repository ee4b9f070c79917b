"""The figure conventions every ``render_*`` shares, so a reader learns them once.

The ``explorer.py`` modules of the analyses draw their figures (matplotlib) with these helpers rather than each
choosing its own sizes and legends; where :mod:`workbench.explorers` decides how a figure reaches the screen,
this module decides what it looks like:

- one label per row (languages, tokenizers): the font size follows the number of rows (:func:`label_size`)
  and the figure grows so each label keeps its own line (:func:`row_axes`); a log axis of ratios reads
  ``2×`` (:func:`ratio_axis`);
- values clipped to a range say so on the colour bar (:func:`ratio_colorbar`: arrows at both ends, the end
  ticks read ``≥10×``), and cells left without a value say why in the legend (:func:`add_missing_legend`);
- counts that span decades are drawn on a log axis with every bar labelled with its count and share
  (:func:`log_count_bars`), so the smallest category still shows beside a 100% one;
- an axis that shows money names its unit and price (:func:`money`).

Nothing here knows an analysis: no polars, no model code.

>>> label_size(5), label_size(500)
(10.0, 6.0)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.colorbar import Colorbar
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

#: The colour of a cell that has no value (and the axes background behind it).
MISSING_COLOUR = "#bdbdbd"
#: Why a premium cell has no value (:data:`workbench.fairness.published.UNKNOWN_THRESHOLD`).
TOO_MANY_UNKNOWN = "too many unknown tokens (no premium)"
#: Font sizes (pt) of row labels: the largest for a few rows, never below the smallest.
LARGEST_LABEL, SMALLEST_LABEL = 10.0, 6.0
#: Up to ``FEW_ROWS`` rows get the largest labels, from ``MANY_ROWS`` the smallest (log-linear between).
FEW_ROWS, MANY_ROWS = 10, 150
#: Line spacing of row labels, as a multiple of their font size.
LINE_SPACING = 1.6


def label_size(rows: int) -> float:
    """The font size (pt) of one label per row: :data:`LARGEST_LABEL` up to :data:`FEW_ROWS` rows,
    :data:`SMALLEST_LABEL` from :data:`MANY_ROWS`, falling with the log of the number of rows between."""
    share = (math.log(max(rows, FEW_ROWS)) - math.log(FEW_ROWS)) / (math.log(MANY_ROWS) - math.log(FEW_ROWS))
    return round(LARGEST_LABEL - min(share, 1.0) * (LARGEST_LABEL - SMALLEST_LABEL), 1)


def row_axes(labels: int, width: float, *, bars_per_label: int = 1, margin: float = 1.2,
             min_height: float = 2.5) -> tuple[Figure, Axes]:
    """A figure ``width`` inches wide, tall enough for ``labels`` y labels of :func:`label_size` on their own lines.

    The y tick labels get that size. A label standing for a group of ``bars_per_label`` bars gets more room
    (0.6 of a line per bar); ``margin`` inches are added for the title, the x axis and its label.
    """
    size = label_size(labels)
    lines = labels * max(1.0, 0.6 * bars_per_label)
    fig, ax = plt.subplots(figsize=(width, max(min_height, lines * size * LINE_SPACING / 72 + margin)))
    ax.tick_params(axis="y", labelsize=size)
    return fig, ax


def ratio_axis(ax: Axes, axis: Literal["x", "y"] = "x") -> None:
    """A log axis of ratios whose ticks read ``0.5×``, ``1×``, ``2×`` (not ``2×10⁰``)."""
    target = ax.xaxis if axis == "x" else ax.yaxis
    (ax.set_xscale if axis == "x" else ax.set_yscale)("log")
    target.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}×"))
    target.set_minor_formatter(FuncFormatter(lambda v, _: f"{v:g}×" if f"{v:g}"[0] in "25" else ""))


def ratio_colorbar(colorbar: Colorbar, limit: float, label: str) -> None:
    """Label a colour bar of ``log2`` ratios clipped to ``[1/limit, limit]`` in ratios (``0.5×``, ``2×``).

    Its end ticks read ``≤1/limit×`` and ``≥limit×``, its label says they are clipped, and it carries
    arrows (``extend="both"`` when the colour bar is made), so a clipped cell is not read as one at the limit.
    """
    top = math.log2(limit)
    inner = [v for v in range(-int(top), int(top) + 1) if abs(v) < top - 0.6]  # no tick crowding an end
    colorbar.set_ticks([-top, *inner, top], labels=[f"≤{1 / limit:g}×", *(f"{2.0 ** v:g}×" for v in inner),
                                                    f"≥{limit:g}×"])
    colorbar.set_label(f"{label}, clipped at {limit:g}×")


def add_missing_legend(ax: Axes, label: str = TOO_MANY_UNKNOWN) -> None:
    """A legend entry above ``ax`` for the cells drawn in :data:`MISSING_COLOUR`: no value, because ``label``."""
    ax.set_facecolor(MISSING_COLOUR)
    ax.legend(handles=[Patch(facecolor=MISSING_COLOUR, edgecolor="black", linewidth=0.5, label=label)],
              loc="lower left", bbox_to_anchor=(0.0, 1.0), frameon=False, fontsize=8, borderaxespad=0.2)


def log_count_bars(ax: Axes, groups: Sequence[str], series: dict[str, Sequence[int]],
                   totals: Sequence[int]) -> None:
    """Grouped horizontal bars of counts on a log axis, each labelled ``count (share of its total)``.

    ``groups`` are the rows (top to bottom), ``series`` one bar per group each (a colour and a legend entry);
    zeros get no bar. On a log axis from ½ the smallest bar (one item) still takes about a twentieth of the
    width beside a bar of a million.
    """
    height = 0.8 / max(len(series), 1)
    largest = max([max(v, default=0) for v in series.values()] + [1])
    for k, (name, values) in enumerate(series.items()):
        y = np.arange(len(groups)) + k * height
        counts = np.asarray(values, dtype=float)
        bars = ax.barh(y, np.where(counts > 0, counts, np.nan), height=height, label=name)
        labels = [f"{int(c):,} ({share(c / t)})" if c > 0 else "" for c, t in zip(counts, totals, strict=True)]
        ax.bar_label(bars, labels, padding=2, fontsize=label_size(len(groups)) - 1.5)
    ax.set_xscale("log")
    ax.set_xlim(0.5, largest * 40)  # room for the labels right of the longest bar
    ax.set_yticks(np.arange(len(groups)) + 0.4 - height / 2, groups)
    ax.set_ylim(len(groups) - 0.1 - height / 2, -0.1 - height / 2)  # first group on top
    ax.legend(fontsize=8, loc="lower right")


def share(fraction: float) -> str:
    """A fraction as a percentage with two significant digits, never in exponent form.

    >>> share(1.0), share(0.0078), share(0.00002)
    ('100%', '0.78%', '0.002%')
    """
    return np.format_float_positional(100 * fraction, precision=2, fractional=False, trim="-") + "%"


def money(price_per_million: float, currency: str = "USD") -> str:
    """The unit of a cost axis, with the price it was computed at (no ``$``: matplotlib reads it as maths).

    >>> money(2.5)
    'USD, at 2.50 USD per million tokens'
    """
    return f"{currency}, at {price_per_million:.2f} {currency} per million tokens"
