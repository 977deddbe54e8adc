"""Turn a paper's data tables into Markdown includes with caption, notes and source.

A table's shape is its configuration (tables.<slug> in config/config.yaml), not code:
its columns in order, each a header and the cell it shows — one data column, or
parts composed in turn (columns, a citation from a key and a page column, fixed
words) — with value labels (data value → words), relative widths, notes from a
second CSV, and a source line whose {pages} the data's provenance columns fill.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ConfigError, DataError
from ..sources.data_tables import load_table, source_line
from .markdown import citation, escape, pipe_table

log = logging.getLogger(__name__)

CONFIG = "config/config.yaml"


def _missing(value: Any) -> bool:
    """Whether a data value is an empty cell."""
    return value is None or (isinstance(value, float) and pd.isna(value))


def _plain(value: Any, decimal_mark: str = ".") -> str:
    """A data value as text: '' for an empty cell, a whole number without '.0', the paper's decimal mark."""
    if _missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, float):
        return str(value).replace(".", decimal_mark)
    return str(value)


def _cell(value: Any, decimal_mark: str = ".") -> str:
    """Return a data value as escaped Markdown ('' for a missing value)."""
    return escape(_plain(value, decimal_mark))


# What a table's cell may be made of (tables.<slug>.columns.<id>.cell, and tables.<slug>.note): a list of
# parts, each a data column's name or a map naming one of these.
PART_KEYS = ("column", "cite", "text")


def _literal(text: str) -> str:
    """Escape configured words for Markdown, keeping a leading or trailing space (a separator such as " ")."""
    lead = " " if text[:1].isspace() else ""
    trail = " " if text[-1:].isspace() and text.strip() else ""
    return lead + escape(text) + trail if text.strip() else lead


def _labelled(value: Any, labels: dict[str, str]) -> Any:
    """The configured words for a data value (labels: value → words), or the value itself."""
    if not labels or _missing(value):
        return value
    return labels.get(_plain(value), value)


def _parts(slug: str, where: str, parts: list[Any], *, labels: dict[str, str] | None = None) -> list[dict[str, Any]]:
    """The parts of a cell as maps, shorthand expanded; a ConfigError for a part that names nothing or two things."""
    out = []
    for i, part in enumerate(parts):
        part = {"column": part} if isinstance(part, str) else dict(part)
        named = [k for k in PART_KEYS if k in part]
        if len(named) != 1:
            raise ConfigError(CONFIG, f"tables.{slug}.{where}[{i}]: a part names {' and '.join(named) or 'nothing'}",
                              "give each part one of: a column's name, {column: …}, {cite: …, page: …}, {text: …}")
        if "column" in part and labels and "labels" not in part:
            part["labels"] = labels
        out.append(part)
    return out


def _columns(slug: str, spec: dict[str, Any]) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """The table's columns in order: (id, header, cell parts). A header alone shows the data column of that id."""
    columns = []
    for column_id, column in spec["columns"].items():
        if isinstance(column, str):
            columns.append((column_id, column, [{"column": column_id}]))
            continue
        cell = column.get("cell", [column_id])
        columns.append((column_id, column["header"],
                        _parts(slug, f"columns.{column_id}.cell", cell, labels=column.get("labels"))))
    return columns


def _check_columns(frame: pd.DataFrame, parts: list[dict[str, Any]], *, path: str, slug: str, where: str) -> None:
    """A DataError when a part names a column the data file does not have."""
    for part in parts:
        for key in ("column", "cite", "page"):
            name = part.get(key)
            if name is not None and name not in frame.columns:
                raise DataError(path, f"no column {name!r}, which tables.{slug}.{where} names",
                                f"use one of its columns ({', '.join(frame.columns)}) in config/config.yaml", line=1)


def compose(parts: list[dict[str, Any]], record: dict[str, Any], *, path: str, row: int,
            decimal_mark: str = ".") -> str:
    """One cell's Markdown: each part's text in turn (an empty column adds nothing, not even its before/after)."""
    text = ""
    for part in parts:
        if "text" in part:
            text += _literal(part["text"])
        elif "cite" in part:
            page = record[part["page"]] if "page" in part else None
            text += citation(record[part["cite"]], None if _missing(page) else page, path=path, row=row)
        else:
            value = _cell(_labelled(record[part["column"]], part.get("labels") or {}), decimal_mark)
            if value:
                text += _literal(part.get("before", "")) + value + _literal(part.get("after", ""))
    return text


def _rows(slug: str, spec: dict[str, Any], root: Path) -> tuple[list[list[str]], list[str]]:
    """The table's rows, cell by cell as its columns compose them, and its notes (one paragraph each)."""
    path = spec["data"]
    frame = load_table(root / path)
    columns = _columns(slug, spec)
    for column_id, _, parts in columns:
        _check_columns(frame, parts, path=path, slug=slug, where=f"columns.{column_id}")
    mark = spec.get("decimal_mark", ".")
    rows = [[compose(parts, record, path=path, row=int(row), decimal_mark=mark) for _, _, parts in columns]
            for row, record in zip(frame.index, frame.to_dict("records"))]
    notes: list[str] = []
    if spec.get("notes"):
        notes_frame = load_table(root / spec["notes"])
        if not spec.get("note"):
            raise ConfigError(CONFIG, f"tables.{slug}: notes are given but not how each reads",
                              "add note: [the notes file's columns, in turn], e.g. note: [mark, note]")
        parts = _parts(slug, "note", spec["note"])
        _check_columns(notes_frame, parts, path=spec["notes"], slug=slug, where="note")
        notes = [compose(parts, record, path=spec["notes"], row=int(row), decimal_mark=mark)
                 for row, record in zip(notes_frame.index, notes_frame.to_dict("records"))]
    return rows, notes


def render_table(slug: str, spec: dict[str, Any], *, root: Path, conjunction: str = "and") -> str:
    """Return the Markdown include for the table ``slug`` described by ``spec``.

    ``conjunction`` is the paper's "and" (its labels' ``and``), before the last page of the source line.
    """
    rows, notes = _rows(slug, spec, root)
    columns = _columns(slug, spec)
    header = [escape(title) for _, title, _ in columns]
    widths = [spec.get("widths", {}).get(column_id, 1) for column_id, _, _ in columns]
    # label: false gives no tbl- id, so the table is not numbered (a figure's data, shown in one edition only).
    # The tbl- label sits on the table's caption, and the wrapping div's id must not start with "tbl-":
    # Quarto's crossref (quarto-cli src/resources/filters/quarto-pre/parsefiguredivs.lua) turns a Div
    # whose id has a crossref prefix into the float itself, so @tbl-law would not resolve; a Table whose
    # caption carries {#tbl-…} is the form its Table handler numbers, as this project's crossref.lua does.
    label = f" {{#tbl-{slug}}}" if spec.get("label", True) else ""
    parts = [
        f"::: {{.generated .data-table #{slug}-block}}",
        "",
        pipe_table(header, rows, widths),
        "",
        f": {escape(spec['caption'])}{label}",
    ]
    if notes:
        parts += ["", "::: table-notes", "\n\n".join(notes), ":::"]  # one paragraph per note
    if spec.get("source"):
        line = source_line(spec["source"], root / spec["data"], conjunction=conjunction)
        parts += ["", "::: table-source", escape(line), ":::"]
    parts += ["", ":::", ""]
    return "\n".join(parts)


def write_table(slug: str, spec: dict[str, Any], *, root: Path, output: Path, conjunction: str = "and") -> None:
    """Render the table ``slug`` (``conjunction``: the paper's "and") and write it to ``output``."""
    text = render_table(slug, spec, root=root, conjunction=conjunction)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    log.info("wrote %s", output)
