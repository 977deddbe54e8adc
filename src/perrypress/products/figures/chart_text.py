"""What the bar and line charts' words share: their series from config, their values from the CSV, the alt text.

Free of matplotlib (chart.py draws): the variables step writes the alt text without loading the drawing code.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import ConfigError
from .frames import numbers, read
from .text import number

CONFIG = "config/config.yaml"
# A chart's series (value columns) are told apart by colour (and, in a line chart, marker and dash):
# as many as style.SERIES_COLOURS has (a test checks it), not read from there so the words load no matplotlib.
MAX_SERIES = 4

# (group, [(item, value)]): a chart's values as its alt text reads them, a group at a time.
Groups = Sequence[tuple[str | None, Sequence[tuple[str, float | None]]]]


def series_of(slug: str, spec: Mapping[str, Any]) -> list[tuple[str, str]]:
    """The chart's series as (column, legend words); a ConfigError when there are more than it can tell apart."""
    values = spec["values"]
    if len(values) > MAX_SERIES:
        raise ConfigError(CONFIG, f"figures.{slug}.values: {len(values)} series, more than a chart tells apart",
                          f"give at most {MAX_SERIES}, or make several figures")
    return [(str(column), str(words)) for column, words in values.items()]


def read_chart(slug: str, spec: Mapping[str, Any], root: Path, key: str,
               ) -> tuple[pd.Series, list[tuple[str, list[float | None]]]]:
    """The configured CSV's column ``spec[key]`` (a bar chart's categories, a line chart's x values; indexed by
    row number), and each series' legend words and values (None where empty)."""
    series = series_of(slug, spec)
    path = root / spec["data"]
    frame = read(root, spec, "data", [spec[key], *(column for column, _ in series)])
    return frame[spec[key]], [(words, numbers(frame, column, path=path)) for column, words in series]


def alt_text(groups: Groups, *, lead: str, words: Mapping[str, str], unit: str = "", decimal_mark: str = ".",
             ) -> str:
    """``lead`` (from config), then every value: 'Lead: a 3 %, b 5 %.', or 'Lead: A: a 3 %, b 5 %; B: …' by group.

    Empty values are listed after ``words['missing']`` (from config), which a chart with none needs not give.
    """
    def plain(value: float) -> str:
        return number(value, unit=unit, decimal_mark=decimal_mark, space=" ")

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
