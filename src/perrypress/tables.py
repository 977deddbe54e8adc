"""Turn the paper's data tables into Markdown includes with caption, notes and source."""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd

from .data import load_table, source_line
from .errors import DataError
from .markdown import citation, escape, pipe_table

log = logging.getLogger(__name__)


def _cell(value: Any) -> str:
    """Return a data value as escaped Markdown ('' for a missing value)."""
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return escape(str(value))


def law_rows(spec: dict[str, Any], root: Path) -> tuple[list[list[str]], list[str]]:
    """Rows of Table 1 (year, instrument + mark) and its notes."""
    path = spec["data"]
    frame = load_table(root / path)
    rows = [[_cell(r.year), _cell(r.instrument) + _cell(r.mark)] for r in frame.itertuples()]
    notes: list[str] = []
    if spec.get("notes"):
        notes = [_cell(n.mark) + _cell(n.note) for n in load_table(root / spec["notes"]).itertuples()]
    return rows, notes


def structures_rows(spec: dict[str, Any], root: Path) -> tuple[list[list[str]], list[str]]:
    """Rows of Table 2: structure, definition with its source note, percentage with its note."""
    path = spec["data"]
    frame = load_table(root / path)
    rows = []
    for r in frame.itertuples():
        definition = _cell(r.definition) + citation(r.definition_key, r.definition_page, path=path, row=r.Index)
        if _cell(r.definition_more):
            definition += " " + _cell(r.definition_more)
        percent = _cell(r.percent) + citation(r.percent_key, r.percent_page, path=path, row=r.Index)
        rows.append([_cell(r.structure), definition, percent])
    return rows, []


def figure_data_rows(spec: dict[str, Any], root: Path) -> tuple[list[list[str]], list[str]]:
    """Rows of a figure's data table, with flags spelled out by the config's labels."""
    frame = load_table(root / spec["data"])
    labels = spec.get("labels", {})
    columns = list(spec["columns"])
    rows = []
    for record in frame.to_dict("records"):
        rows.append([_cell(labels.get(record[c], record[c]) if c == "flag" else record[c]) for c in columns])
    return rows, []


RENDERERS: dict[str, Callable[[dict[str, Any], Path], tuple[list[list[str]], list[str]]]] = {
    "law": law_rows,
    "structures": structures_rows,
    "figure_data": figure_data_rows,
}


def render_table(slug: str, spec: dict[str, Any], *, root: Path) -> str:
    """Return the Markdown include for the table ``slug`` described by ``spec``."""
    rows, notes = RENDERERS[spec["kind"]](spec, root)
    columns = list(spec["columns"])
    header = [escape(spec["columns"][c]) for c in columns]
    widths = [spec.get("widths", {}).get(c, 1) for c in columns]
    if any(len(row) != len(header) for row in rows):
        raise DataError(spec["data"], "the table's rows do not match its configured columns",
                        "check 'columns' for this table in config/config.yaml")
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
        parts += ["", "::: table-source", escape(source_line(spec["source"], root / spec["data"])), ":::"]
    parts += ["", ":::", ""]
    return "\n".join(parts)


def write_table(slug: str, spec: dict[str, Any], *, root: Path, output: Path) -> None:
    """Render the table ``slug`` and write it to ``output``."""
    text = render_table(slug, spec, root=root)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(text, encoding="utf-8")
    log.info("wrote %s", output)
