"""The ``bar`` kind's words: its values read from the CSV, and its alt text (bar.py draws it).

Free of matplotlib: the variables step writes the alt text without loading the drawing code.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from .chart_text import Groups, describe_or_explain, read_chart


def read_values(slug: str, spec: Mapping[str, Any], root: Path,
                ) -> tuple[list[str], list[tuple[str, list[float | None]]]]:
    """The categories and each series' values (None where empty), read from the configured CSV."""
    categories, series = read_chart(slug, spec, root, "category")
    return ["" if pd.isna(c) else str(c) for c in categories], series


def groups(categories: list[str], series: list[tuple[str, list[float | None]]]) -> Groups:
    """The values as the alt text reads them: by category, each series' value within it (one series: no groups)."""
    if len(series) == 1:
        return [(None, list(zip(categories, series[0][1])))]
    return [(c, [(words, values[i]) for words, values in series]) for i, c in enumerate(categories)]


def describe(slug: str, spec: Mapping[str, Any], *, root: Path) -> str:
    """The alt text of the bar chart a configuration entry declares: its opening, then every bar's value."""
    categories, series = read_values(slug, spec, root)
    return describe_or_explain(slug, groups(categories, series), spec)
