"""A figure's data: its CSV read against its schema, the columns its configuration names checked, its values as numbers."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import DataError
from ...sources.data_tables import load_table
from ...sources.datapackage import read_text


def read(root: Path, spec: Mapping[str, Any], key: str, columns: Iterable[str]) -> pd.DataFrame:
    """Read the CSV that ``spec[key]`` names; a DataError when it lacks one of ``columns``."""
    path = root / spec[key]
    frame = load_table(path)
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        raise DataError(path, f"no column {', '.join(map(repr, missing))}, which the figure needs",
                        f"add it to the file and its schema, or name a column it has ({', '.join(frame.columns)}) "
                        "in config/config.yaml", line=1)
    return frame


def column_number(path: Path, name: str) -> int | None:
    """The 1-based position of column ``name`` in the CSV's header, as a spreadsheet counts it."""
    header = next(csv.reader(io.StringIO(read_text(path), newline="")), [])
    return header.index(name) + 1 if name in header else None


def numbers(frame: pd.DataFrame, column: str, *, path: Path) -> list[float | None]:
    """The values of ``column`` as numbers (None where empty); a DataError naming the first cell that is not one."""
    out: list[float | None] = []
    for row, value in zip(frame.index, frame[column]):
        if value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == "":
            out.append(None)
            continue
        try:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
        except (TypeError, ValueError):
            raise DataError(path, f"column '{column}': {value!r} is not a number",
                            "write a plain number such as 8 or 2.5 (a point, no unit), or leave the cell empty",
                            line=int(row), column=column_number(path, column)) from None
        out.append(number)
    return out
