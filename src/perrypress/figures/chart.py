"""What the bar and line charts share: their words from config, axes in the house style, the source line, the alt text."""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import matplotlib.axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter

from ..errors import ConfigError
from . import style

CONFIG = "config/config.yaml"
# A chart's series (value columns) are told apart by colour (and, in a line chart, marker and dash).
MAX_SERIES = len(style.SERIES_COLOURS)
# Characters of the source line per printed line (6.3 pt type across the text width).
SOURCE_WRAP = 140

# (group, [(item, value)]): a chart's values as its alt text reads them, a group at a time.
Groups = Sequence[tuple[str | None, Sequence[tuple[str, float | None]]]]


def series_of(slug: str, spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The chart's series as (column, legend words); a ConfigError when there are more than it can tell apart."""
    values = spec["values"]
    if len(values) > MAX_SERIES:
        raise ConfigError(CONFIG, f"figures.{slug}.values: {len(values)} series, more than a chart tells apart",
                          f"give at most {MAX_SERIES}, or make several figures")
    return [(str(column), str(words)) for column, words in values.items()]


def source_text(spec: Mapping[str, Any], root: Path, conjunction: str) -> str:
    """The chart's source line (optional in config), its ``{pages}`` filled from the data; "" when none."""
    from ..data import source_line

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
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: style.number(v, unit=unit, decimal_mark=decimal_mark)))


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


def alt_text(groups: Groups, *, lead: str, words: Mapping[str, str], unit: str = "", decimal_mark: str = ".",
             ) -> str:
    """``lead`` (from config), then every value: 'Lead: a 3 %, b 5 %.', or 'Lead: A: a 3 %, b 5 %; B: …' by group.

    Empty values are listed after ``words['missing']`` (from config), which a chart with none needs not give.
    """
    def plain(value: float) -> str:
        return style.number(value, unit=unit, decimal_mark=decimal_mark, space=" ")

    parts, missing = [], []
    for group, items in groups:
        stated = ", ".join(f"{item} {plain(value)}" for item, value in items if value is not None)
        missing += [f"{group} {item}" if group else item for item, value in items if value is None]
        if stated:
            parts.append(f"{group}: {stated}" if group else stated)
    separator = "; " if any(group for group, _ in groups) else ", "
    text = lead.rstrip(".:") + ((": " + separator.join(parts) + ".") if parts else ".")
    if missing:
        if not words.get("missing"):
            raise ValueError("alt_words lacks 'missing'")
        text += f" {words['missing']}: {'; '.join(missing)}."
    return text


def describe_or_explain(slug: str, groups: Groups, spec: Mapping[str, Any]) -> str:
    """The alt text of a chart, or a ConfigError naming the key to add when its data has empty values."""
    try:
        return alt_text(groups, lead=spec["alt"], words=spec.get("alt_words") or {}, unit=spec.get("unit", ""),
                        decimal_mark=spec.get("decimal_mark", "."))
    except ValueError:
        raise ConfigError(CONFIG, f"figures.{slug}: its data has empty values, and alt_words.missing is not set",
                          "add alt_words: {missing: …}, the words that introduce them in the alt text") from None
