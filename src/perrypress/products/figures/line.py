"""The ``line`` kind: a line chart of one or more value columns over an x column (years, say), one line per column.

This module draws it; its values and alt text are line_text.py's, which loads no matplotlib.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import matplotlib
import numpy as np
from matplotlib.ticker import FuncFormatter

from . import chart, style
from .line_text import read_values, x_text

log = logging.getLogger(__name__)

HEIGHT_IN = 3.4
# Up to this many x values, each gets its own tick.
MAX_TICKS = 16


def _numeric(xs: list[Any]) -> bool:
    """Whether every x value is a number (else the x values are names, evenly spaced)."""
    return all(isinstance(x, (int, float, np.number)) and not isinstance(x, bool) for x in xs)


def draw_lines(*, xs: list[Any], series: list[tuple[str, list[float | None]]], font_files: list[Path],
               outputs: Mapping[str, Path], axis: Mapping[str, str] | None = None, source_line: str = "",
               unit: str = "", decimal_mark: str = ".", height: float | None = None) -> None:
    """Draw one line per series (legend words, values) over ``xs`` and save it in each requested format.

    ``axis`` gives the axes' words: "x" and "y" (either may be left out). Empty values leave a gap in their line.
    """
    style.check_formats(outputs)
    axis = axis or {}
    family, text_weight, _ = style.register_fonts(font_files)
    numeric = _numeric(xs)
    positions = [float(x) for x in xs] if numeric else list(range(len(xs)))
    labels = [x_text(x, decimal_mark) for x in xs]
    words = chart.texts(labels, [w for w, _ in series], axis.values(), source_line, unit)
    with matplotlib.rc_context(style.house_rc(family, text_weight)):
        fig = chart.figure(height or HEIGHT_IN)
        ax = fig.add_subplot()
        for i, (label, values) in enumerate(series):
            ys = [float("nan") if v is None else v for v in values]
            ax.plot(positions, ys, color=style.SERIES_COLOURS[i], marker=style.SERIES_MARKERS[i],
                    linestyle=style.SERIES_DASHES[i], linewidth=1.3, markersize=3.2, label=label)
        if not numeric or len(xs) <= MAX_TICKS:
            ax.set_xticks(positions, labels)
        else:
            ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _pos: x_text(v, decimal_mark)))
        stated = [v for _, values in series for v in values if v is not None]
        if stated and min(stated) >= 0:
            ax.set_ylim(bottom=0.0, top=max(stated) * 1.1 or 1.0)
        chart.style_axes(ax, value_axis="y", unit=unit, decimal_mark=decimal_mark)
        chart.axis_words(ax, x=axis.get("x"), y=axis.get("y"))
        chart.legend(fig, ax, len(series))
        chart.source(fig, source_line)
        chart.render(fig, outputs, font_files, words)


def draw(slug: str, spec: Mapping[str, Any], *, root: Path, font_files: list[Path], outputs: dict[str, Path],
         conjunction: str = "and") -> None:
    """Draw the line chart a configuration entry (figures.<slug>, kind: line) declares."""
    xs, series = read_values(slug, spec, root)
    line = chart.source_text(spec, root, conjunction)
    draw_lines(xs=xs, series=series, font_files=font_files, outputs=outputs, axis=spec.get("axis"),
               source_line=line,
               unit=spec.get("unit", ""), decimal_mark=spec.get("decimal_mark", "."), height=spec.get("height"))

