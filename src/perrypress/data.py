"""Read a CSV file and check it, cell by cell, against its ``.schema.yaml``."""

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

from .config import load_yaml
from .errors import DataError

log = logging.getLogger(__name__)

TYPES = {"string", "integer", "number"}


@dataclass(frozen=True)
class Column:
    """One column as the schema describes it."""

    name: str
    type: str = "string"
    required: bool = False
    minimum: float | None = None
    maximum: float | None = None
    enum: tuple[str, ...] | None = None


def schema_path(csv_path: Path) -> Path:
    """Return the schema file that sits beside ``csv_path``."""
    return csv_path.with_name(csv_path.stem + ".schema.yaml")


def load_schema(path: Path) -> dict[str, Any]:
    """Read a data schema and check that it is itself well formed."""
    if not path.exists():
        raise DataError(path, "schema file not found", "every data file needs a <name>.schema.yaml beside it")
    schema = load_yaml(path.read_text(encoding="utf-8")) or {}
    columns = schema.get("columns")
    if not isinstance(columns, list) or not columns:
        raise DataError(path, "the schema lists no columns", "add a 'columns:' list")
    for column in columns:
        if column.get("type", "string") not in TYPES:
            raise DataError(path, f"column {column.get('name')!r} has unknown type {column.get('type')!r}",
                            f"use one of {sorted(TYPES)}")
    return schema


def columns_of(schema: dict[str, Any]) -> list[Column]:
    """Return the schema's columns in order."""
    return [Column(name=c["name"], type=c.get("type", "string"), required=bool(c.get("required", False)),
                   minimum=c.get("minimum"), maximum=c.get("maximum"),
                   enum=tuple(map(str, c["enum"])) if "enum" in c else None)
            for c in schema["columns"]]


def _parse_cell(value: str, column: Column, *, path: Path, row: int, col: int) -> Any:
    """Convert one cell to its column's type, or raise DataError naming the cell."""
    where = {"line": row, "column": col}
    if value.strip() == "":
        if column.required:
            raise DataError(path, f"column '{column.name}': the cell is empty but required",
                            "fill it in (see the schema)", **where)
        return None
    if column.type == "string":
        parsed: Any = value
    else:
        try:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
        except ValueError:
            raise DataError(path, f"column '{column.name}': {value!r} is not a number",
                            f"write a plain {column.type} such as 8, or leave the cell empty if allowed",
                            **where) from None
        if column.type == "integer" and not number.is_integer():
            raise DataError(path, f"column '{column.name}': {value!r} is not a whole number",
                            "write an integer", **where)
        parsed = int(number) if column.type == "integer" else number
        if column.minimum is not None and parsed < column.minimum or \
                column.maximum is not None and parsed > column.maximum:
            raise DataError(path, f"column '{column.name}': {value} is outside the allowed range "
                            f"{column.minimum}–{column.maximum}", "correct the value", **where)
    if column.enum is not None and str(parsed) not in column.enum:
        raise DataError(path, f"column '{column.name}': {value!r} is not one of {list(column.enum)}",
                        "use one of the allowed values", **where)
    return parsed


def read_text(path: Path) -> str:
    """Return a CSV file's text as spreadsheets save it: UTF-8 with or without a byte-order mark.

    Line ends (LF or CRLF) are left to the csv reader; a file that is not UTF-8 is a DataError
    naming its first line that is not.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DataError(path, f"cannot read the data file ({exc.strerror})", "check the path in the config") from None
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise DataError(path, f"the file is not UTF-8 (byte 0x{data[exc.start]:02x} on this line; "
                        "Excel's \"CSV (Comma delimited)\" writes Windows-1252)",
                        "save it as \"CSV UTF-8 (Comma delimited)\" in Excel, or with the character set "
                        "\"Unicode (UTF-8)\" in LibreOffice", line=line) from None


def load_table(path: Path, schema_file: Path | None = None) -> pd.DataFrame:
    """Read ``path`` as the schema beside it describes; raise DataError on the first bad cell.

    The frame's index is the spreadsheet row number of each row (the header is row 1).
    """
    schema_file = schema_file or schema_path(path)
    columns = columns_of(load_schema(schema_file))
    names = [c.name for c in columns]
    with io.StringIO(read_text(path), newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            header = next(reader, None)
            if header is None:
                raise DataError(path, "the file is empty", f"write a header row: {','.join(names)}", line=1)
            missing = [n for n in names if n not in header]
            extra = [h for h in header if h not in names]
            if missing or extra:
                parts = ([f"missing column(s) {missing}"] if missing else []) + \
                        ([f"unexpected column(s) {extra}"] if extra else [])
                raise DataError(path, "; ".join(parts), f"the header must be: {','.join(names)}", line=1)
            by_name = {c.name: c for c in columns}
            rows: list[dict[str, Any]] = []
            for cells in reader:
                row = reader.line_num
                if not any(c.strip() for c in cells):
                    continue
                if len(cells) != len(header):
                    raise DataError(path, f"row has {len(cells)} cells, the header has {len(header)}",
                                    "check for a stray or missing comma, or quote cells that contain commas",
                                    line=row)
                rows.append({h: _parse_cell(v, by_name[h], path=path, row=row, col=i + 1)
                             for i, (h, v) in enumerate(zip(header, cells))} | {"_row": row})
        except csv.Error as exc:
            raise DataError(path, f"malformed CSV: {exc}", "check the quoting on this line",
                            line=reader.line_num) from None
    frame = pd.DataFrame(rows, columns=[*names, "_row"])
    _check_key(frame, load_schema(schema_file).get("key"), path=path)
    for column in columns:
        if column.type != "string":
            frame[column.name] = pd.to_numeric(frame[column.name])
    # The index is each row's number as a spreadsheet shows it, for messages about a row.
    frame.index = pd.Index(frame.pop("_row"), name="row")
    return frame


def cited_pages(frame: pd.DataFrame) -> str:
    """The pages a data file's provenance columns (``*_page``) cite, in order: '12–13, 34, 99 and 112'."""
    pages = {str(v).strip() for c in frame.columns if c.endswith("_page") for v in frame[c].dropna()}
    pages.discard("")
    ordered = sorted(pages, key=lambda p: (int(re.match(r"\d*", p).group() or 0), p))
    return ordered[0] if len(ordered) == 1 else ", ".join(ordered[:-1]) + " and " + ordered[-1]


def source_line(template: str, data: Path) -> str:
    """Fill ``{pages}`` in a configured source line with the pages the data file cites."""
    return template.replace("{pages}", cited_pages(load_table(data))) if "{pages}" in template else template


def _check_key(frame: pd.DataFrame, key: str | list[str] | None, *, path: Path) -> None:
    """Raise DataError when two rows share the schema's key."""
    if not key:
        return
    key_columns = [key] if isinstance(key, str) else list(key)
    duplicated = frame[frame.duplicated(subset=key_columns, keep="first")]
    if not duplicated.empty:
        first = duplicated.iloc[0]
        values = ", ".join(str(first[k]) for k in key_columns)
        raise DataError(path, f"duplicate key ({', '.join(key_columns)}) = ({values})",
                        "each row needs a unique key; remove or rename the duplicate", line=int(first["_row"]))
