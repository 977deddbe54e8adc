"""Read a CSV file as its data package (``datapackage.json`` beside it) describes it, with pandas only.

The checks (types, constraints, keys, provenance) are frictionless's and run once, before any step
reads the data (``check_data``, src/perrypress/sources/datapackage.py); reading converts each cell to its
field's type and stops with a DataError on a cell it cannot convert.
"""

from __future__ import annotations

import csv
import io
import logging
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import DataError
from .datapackage import package_path, read_text, resource_of

log = logging.getLogger(__name__)

# The Table Schema types the build reads; a field of another type is read as text.
NUMERIC = {"integer", "number"}


@dataclass(frozen=True)
class Column:
    """One column as the resource's Table Schema describes it."""

    name: str
    type: str = "string"


def columns_of(resource: dict[str, Any]) -> list[Column]:
    """Return the resource's columns in order."""
    fields = resource.get("schema", {}).get("fields") or []
    return [Column(name=f["name"], type=f.get("type", "string")) for f in fields]


def _parse_cell(value: str, column: Column, *, path: Path, row: int, col: int) -> Any:
    """Convert one cell to its column's type, or raise DataError naming the cell."""
    if value.strip() == "":
        return None
    if column.type not in NUMERIC:
        return value
    try:
        number = float(value)
        if not math.isfinite(number):
            raise ValueError
    except ValueError:
        raise DataError(path, f"column '{column.name}': {value!r} is not a number",
                        f"write a plain {column.type} such as 8, or leave the cell empty if allowed",
                        line=row, column=col) from None
    if column.type == "integer":
        if not number.is_integer():
            raise DataError(path, f"column '{column.name}': {value!r} is not a whole number",
                            "write an integer such as 8", line=row, column=col)
        return int(number)
    return number


def load_table(path: Path) -> pd.DataFrame:
    """Read ``path`` as its resource in the data package describes it; raise DataError on a cell of the wrong type.

    The frame's index is the spreadsheet row number of each row (the header is row 1).
    """
    columns = columns_of(resource_of(path))
    if not columns:
        raise DataError(package_path(path), f"the resource of {path.name} lists no fields", "add its schema's fields")
    names = [c.name for c in columns]
    with io.StringIO(read_text(path), newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise DataError(path, "the file is empty", f"write a header row: {','.join(names)}", line=1)
            if header != names:
                missing = [n for n in names if n not in header]
                extra = [h for h in header if h not in names]
                parts = ([f"missing column(s) {missing}"] if missing else []) + \
                        ([f"unexpected column(s) {extra}"] if extra else []) or ["the columns are out of order"]
                raise DataError(path, "; ".join(parts), f"the header must be: {','.join(names)}", line=1)
            rows: list[dict[str, Any]] = []
            for number, cells in enumerate(reader, start=2):
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    raise DataError(path, f"row has {len(cells)} cells, the header has {len(header)}",
                                    "check for a stray or missing comma, or quote cells that contain commas",
                                    line=number)
                rows.append({c.name: _parse_cell(v, c, path=path, row=number, col=i + 1)
                             for i, (c, v) in enumerate(zip(columns, cells))} | {"_row": number})
        except csv.Error as exc:
            raise DataError(path, f"malformed CSV: {exc}", "check the quoting on this line",
                            line=reader.line_num) from None
    frame = pd.DataFrame(rows, columns=[*names, "_row"])
    for column in columns:
        if column.type in NUMERIC:
            frame[column.name] = pd.to_numeric(frame[column.name])
    # The index is each row's number as a spreadsheet shows it, for messages about a row.
    frame.index = pd.Index(frame.pop("_row"), name="row")
    return frame


def cited_pages(frame: pd.DataFrame, *, conjunction: str = "and") -> str:
    """The pages a data file's provenance columns (``*_page``) cite, in order: '12–13, 34, 99 and 112'.

    ``conjunction`` goes before the last page: the paper's word for "and" (its labels' ``and``, e.g. "y").
    """
    pages = {str(v).strip() for c in frame.columns if c.endswith("_page") for v in frame[c].dropna()}
    pages.discard("")
    ordered = sorted(pages, key=lambda p: (int(re.match(r"\d*", p).group() or 0), p))
    return ordered[0] if len(ordered) == 1 else f"{', '.join(ordered[:-1])} {conjunction} {ordered[-1]}"


def source_line(template: str, data: Path, *, conjunction: str = "and") -> str:
    """Fill ``{pages}`` in a configured source line with the pages ``data`` cites, ``conjunction`` before the last."""
    if "{pages}" not in template:
        return template
    return template.replace("{pages}", cited_pages(load_table(data), conjunction=conjunction))
