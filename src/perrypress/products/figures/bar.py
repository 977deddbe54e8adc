"""The ``bar`` kind: a bar chart of one or more value columns by category, each bar labelled with its value.

This module draws it; its values and alt text are bar_text.py's, which loads no matplotlib.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np

from . import chart, style
from .bar_text import read_values
from .text import number

log = logging.getLogger(__name__)

ORIENTATIONS = ("horizontal", "vertical")
# Height in inches of one category's slot (horizontal bars), of one bar within it, and of the rest.
SLOT_IN, BAR_IN, FRAME_IN, VERTICAL_IN = 0.14, 0.16, 0.9, 3.2
GROUP_WIDTH = 0.8


def draw_bars(*, categories: list[str], series: list[tuple[str, list[float | None]]], font_files: list[Path],
              outputs: Mapping[str, Path], axis: Mapping[str, str] | None = None, source_line: str = "",
              unit: str = "", decimal_mark: str = ".", orientation: str = "horizontal",
              height: float | None = None) -> None:
    """Draw the bars of each series (legend words, values) by category and save them in each requested format.

    ``axis`` gives the axes' words: "category" and "value" (either may be left out).
    """
    if orientation not in ORIENTATIONS:
        raise ValueError(f"orientation {orientation!r}: use one of {', '.join(ORIENTATIONS)}")
    style.check_formats(outputs)
    axis = axis or {}
    family, text_weight, _ = style.register_fonts(font_files)
    n, k = len(categories), len(series)
    horizontal = orientation == "horizontal"
    if height is None:
        height = FRAME_IN + n * (SLOT_IN + BAR_IN * k) if horizontal else VERTICAL_IN
    words = chart.texts(categories, [w for w, _ in series], axis.values(), source_line, unit)
    with matplotlib.rc_context(style.house_rc(family, text_weight)):
        fig = chart.figure(height)
        ax = fig.add_subplot()
        width = GROUP_WIDTH / k
        positions = np.arange(n, dtype=float)
        top = max([abs(v) for _, values in series for v in values if v is not None], default=0.0)
        for i, ((label, values), colour) in enumerate(zip(series, style.SERIES_COLOURS)):
            offset = (i - (k - 1) / 2) * width
            drawn = [(p + offset, v) for p, v in zip(positions, values) if v is not None]
            at, heights = [p for p, _ in drawn], [v for _, v in drawn]
            bar = ax.barh if horizontal else ax.bar
            bar(at, heights, width * 0.92, color=colour, label=label, linewidth=0)
            for p, v in drawn:
                _value_label(ax, p, v, number(v, unit=unit, decimal_mark=decimal_mark), horizontal)
        limit = top * 1.15 if top else 1.0
        if horizontal:
            ax.set_yticks(positions, categories)
            ax.invert_yaxis()
            ax.set_xlim(min(0.0, -limit if any(v < 0 for _, vs in series for v in vs if v is not None) else 0.0),
                        limit)
            ax.tick_params(axis="y", length=0)
        else:
            ax.set_xticks(positions, categories)
            ax.set_ylim(min(0.0, -limit if any(v < 0 for _, vs in series for v in vs if v is not None) else 0.0),
                        limit)
            ax.tick_params(axis="x", length=0)
        chart.style_axes(ax, value_axis="x" if horizontal else "y", unit=unit, decimal_mark=decimal_mark)
        chart.axis_words(ax, x=axis.get("value" if horizontal else "category"),
                         y=axis.get("category" if horizontal else "value"))
        chart.legend(fig, ax, k)
        chart.source(fig, source_line)
        chart.render(fig, outputs, font_files, words)


def _value_label(ax: matplotlib.axes.Axes, position: float, value: float, text: str, horizontal: bool) -> None:
    """Write a bar's value just beyond its end."""
    sign = -1 if value < 0 else 1
    if horizontal:
        ax.annotate(text, xy=(value, position), xytext=(2.5 * sign, 0), textcoords="offset points",
                    ha="left" if sign > 0 else "right", va="center", fontsize=style.VALUE_SIZE)
    else:
        ax.annotate(text, xy=(position, value), xytext=(0, 2.0 * sign), textcoords="offset points",
                    ha="center", va="bottom" if sign > 0 else "top", fontsize=style.VALUE_SIZE)


def draw(slug: str, spec: Mapping[str, Any], *, root: Path, font_files: list[Path], outputs: dict[str, Path],
         conjunction: str = "and") -> None:
    """Draw the bar chart a configuration entry (figures.<slug>, kind: bar) declares."""
    categories, series = read_values(slug, spec, root)
    line = chart.source_text(spec, root, conjunction)
    draw_bars(categories=categories, series=series, font_files=font_files, outputs=outputs, axis=spec.get("axis"),
              source_line=line,
              unit=spec.get("unit", ""), decimal_mark=spec.get("decimal_mark", "."),
              orientation=spec.get("orientation", "horizontal"), height=spec.get("height"))

