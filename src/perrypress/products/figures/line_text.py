"""The ``line`` kind's words: its values read from the CSV, its x values as printed, its alt text (line.py draws).

Free of matplotlib: the variables step writes the alt text without loading the drawing code.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import DataError
from .chart_text import Groups, describe_or_explain, read_chart
from .frames import column_number
from .text import number


def read_values(slug: str, spec: Mapping[str, Any], root: Path,
                ) -> tuple[list[Any], list[tuple[str, list[float | None]]]]:
    """The x values and each series' values (None where empty), read from the configured CSV."""
    column, series = read_chart(slug, spec, root, "x")
    xs = [None if pd.isna(x) else x for x in column]
    empty = [row for row, x in zip(column.index, xs) if x is None or str(x).strip() == ""]
    if empty:
        path = root / spec["data"]
        raise DataError(path, f"column '{spec['x']}': the cell is empty, and a line chart needs every x value",
                        "fill it in, or remove the row", line=int(empty[0]), column=column_number(path, spec["x"]))
    return xs, series


def x_text(x: Any, decimal_mark: str = ".") -> str:
    """An x value as the chart prints it: a number as the paper prints numbers (no thousands separator), a name as is."""
    return number(float(x), decimal_mark=decimal_mark) if isinstance(x, (int, float, np.number)) else str(x)


def groups(xs: list[Any], series: list[tuple[str, list[float | None]]], decimal_mark: str = ".") -> Groups:
    """The values as the alt text reads them: by series, each x value's within it (one series: no groups)."""
    labels = [x_text(x, decimal_mark) for x in xs]
    if len(series) == 1:
        return [(None, list(zip(labels, series[0][1])))]
    return [(words, list(zip(labels, values))) for words, values in series]


def describe(slug: str, spec: Mapping[str, Any], *, root: Path) -> str:
    """The alt text of the line chart a configuration entry declares: its opening, then every point's value."""
    xs, series = read_values(slug, spec, root)
    return describe_or_explain(slug, groups(xs, series, spec.get("decimal_mark", ".")), spec)
