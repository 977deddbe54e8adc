"""What the bar and line charts share in drawing: axes in the house style, their words from config, the source line.

Their series and alt text, which load no matplotlib, are chart_text.py's.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import matplotlib.axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from . import style
from .text import number

# Characters of the source line per printed line (6.3 pt type across the text width).
SOURCE_WRAP = 140


def source_text(spec: Mapping[str, Any], root: Path, conjunction: str) -> str:
    """The chart's source line (optional in config), its ``{pages}`` filled from the data; "" when none."""
    from ...sources.data_tables import source_line

    return source_line(spec["source"], root / spec["data"], conjunction=conjunction) if spec.get("source") else ""


def figure(height: float) -> Figure:
    """A figure the width of the text whose layout engine keeps the axis words, legend and source line inside it."""
    return Figure(figsize=(style.WIDTH_IN, height), layout="constrained")


def style_axes(ax: matplotlib.axes.Axes, *, value_axis: str, unit: str, decimal_mark: str) -> None:
    """House axes: no box, a light grid across the values, small ticks, values printed as the paper prints them."""
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_linewidth(0.5)
    ax.tick_params(length=2.0, width=0.5, pad=1.5, colors=style.TEXT_COLOUR, labelsize=style.TICK_SIZE)
    ax.grid(axis=value_axis, color=style.GRID_COLOUR, linewidth=0.4)
    ax.set_axisbelow(True)
    axis = ax.xaxis if value_axis == "x" else ax.yaxis
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: number(v, unit=unit, decimal_mark=decimal_mark)))


def axis_words(ax: matplotlib.axes.Axes, *, x: str | None, y: str | None) -> None:
    """Title the axes with the configured words (an axis without words has no title)."""
    if x:
        ax.set_xlabel(x, fontsize=style.LABEL_SIZE)
    if y:
        ax.set_ylabel(y, fontsize=style.LABEL_SIZE)


def legend(fig: Figure, ax: matplotlib.axes.Axes, count: int) -> None:
    """A legend above the chart when it has more than one series (one series needs none)."""
    if count > 1:
        fig.legend(*ax.get_legend_handles_labels(), loc="outside upper left", ncols=count, frameon=False,
                   fontsize=style.LABEL_SIZE, handlelength=1.6, columnspacing=1.4)


def source(fig: Figure, line: str) -> None:
    """The source line under the chart, left-aligned and wrapped to the text width."""
    if line:
        fig.supxlabel(textwrap.fill(line, SOURCE_WRAP), x=0.01, ha="left", fontsize=style.SOURCE_SIZE,
                      color=style.MUTED_COLOUR)


def texts(*parts: Iterable[str] | str | None) -> list[str]:
    """Every string a chart writes, flattened, for the glyph check (digits and signs included)."""
    out = ["0123456789.,-\u00a0"]
    for part in parts:
        if isinstance(part, str):
            out.append(part)
        elif part is not None:
            out.extend(str(p) for p in part)
    return out


def render(fig: Figure, outputs: Mapping[str, Path], font_files: list[Path], words: list[str]) -> None:
    """Check the fonts set every word, then save the chart reproducibly in the house style."""
    style.check_glyphs(words, font_files)
    style.save(fig, outputs)
