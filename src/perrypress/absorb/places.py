"""Where to make an edit absorb will not apply: the data row and column, the bibliography entry and field, the config key."""

from __future__ import annotations

import csv
import logging
import re
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)


def _line(path: Path, needle: str) -> int | None:
    """The first line of ``path`` that holds ``needle``."""
    from ..errors import line_of

    return line_of(path, needle) if path.exists() else None


def _at(root: Path, name: str, needle: str) -> str:
    line = _line(root / name, needle)
    return f"{name}:{line}" if line else name


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def var_place(key: str, config: dict[str, Any], root: Path) -> str:
    """Where the number ``{{< var key >}}`` comes from: its data file's row and column (config/config.yaml variables)."""
    parts = key.split(".")
    group = config.get("variables", {}).get(parts[0])
    if not group or len(parts) < 2:
        return f"_variables.yml key {key} (made from data/ by the build)"
    data = group.get("data", "")
    if "sums" in group and parts[1] in group["sums"]:
        total = group["sums"][parts[1]]
        where = ", ".join(f"{k}={v}" for k, v in (total.get("where") or {}).items())
        return f"{data}: the sum of column {total.get('column')}" + (f" over rows where {where}" if where else "") + \
            f" (config/config.yaml variables.{parts[0]}.sums.{parts[1]})"
    if "key" in group:
        needle = parts[1]
        return f"{_at(root, data, needle)} row {group['key']}={needle}, column {group.get('value')}"
    return f"{data} (config/config.yaml variables.{parts[0]})"


def table_slug(caption_text: str, config: dict[str, Any]) -> str | None:
    """The table whose configured caption the printed caption carries."""
    from difflib import SequenceMatcher

    best, score = None, 0.0
    for slug, spec in config.get("tables", {}).items():
        caption = spec.get("caption", "")
        ratio = 1.0 if caption and caption in caption_text else SequenceMatcher(None, caption, caption_text).ratio()
        if ratio > score:
            best, score = slug, ratio
    return best if score >= 0.6 else None


def cell_place(slug: str | None, config: dict[str, Any], root: Path, row_texts: list[str], header: list[str],
               column: int, cell_text: str, span: tuple[int, int] | None) -> str:
    """The data file, row and column a table cell is printed from."""
    if slug is None:
        return "a table generated from data/ (its configuration not found)"
    spec = config["tables"][slug]
    data = spec["data"]
    columns = list(spec.get("columns", {}).items())
    name = columns[column][0] if column < len(columns) else None
    cell = columns[column][1] if column < len(columns) else None
    data_columns = [name] if name else []
    if isinstance(cell, dict) and isinstance(cell.get("cell"), list):
        data_columns = [p if isinstance(p, str) else p.get("column") or p.get("cite") for p in cell["cell"]]
        data_columns = [c for c in data_columns if c]
    rows = _rows(root / data)
    joined = " ".join(row_texts)
    best, score = None, 0
    for number, row in enumerate(rows, start=2):
        hits = sum(1 for v in row.values() if v and v in joined)
        if hits > score:
            best, score = (number, row), hits
    if best is None:
        return f"{data}, column {', '.join(data_columns)} (config/config.yaml tables.{slug})"
    number, row = best
    chosen = [c for c in data_columns if row.get(c) and _touches(cell_text, row[c], span)] or data_columns
    key = next(iter(row.items()))
    return f"{data}:{number} row {key[0]}={key[1]}, column {', '.join(chosen)}"


def _touches(cell: str, value: str, span: tuple[int, int] | None) -> bool:
    """True when the change at ``span`` of the printed cell is in (or, inserted, at the end of) ``value``."""
    at = cell.find(value)
    if at < 0:
        return False
    if span is None:
        return True
    start, end = span
    return (start < at + len(value) and at < end) if end > start else at < start <= at + len(value)


def config_place(root: Path, keys: list[str], value: str = "") -> str:
    """``config/config.yaml:LINE keys.joined`` for a configured string."""
    from ..sources.config import yaml_line

    path = root / "config" / "config.yaml"
    line = yaml_line(path.read_text(encoding="utf-8"), keys) if path.exists() else None
    return f"config/config.yaml:{line} {'.'.join(keys)}" if line else f"config/config.yaml {'.'.join(keys)}"


def _bib_entries(root: Path, config: dict[str, Any]) -> dict[str, dict[str, str]]:
    from ..sources.bibliography import parse

    entries = {}
    bib = parse(root / config["bibliography"])
    for key, entry in bib.entries.items():
        fields = {k.lower(): re.sub(r"[{}\\]", "", str(v)) for k, v in entry.fields.items()}
        for role, people in entry.persons.items():
            fields[role.lower()] = " and ".join(str(p) for p in people)
        entries[key] = fields
    return entries


def bib_place(root: Path, config: dict[str, Any], before: str, keys: list[str] | None = None,
              printed: str = "") -> str:
    """The references.bib entry (and field) that prints ``before`` in ``printed`` (a bibliography entry or a note)."""
    bibname = config["bibliography"]
    try:
        entries = _bib_entries(root, config)
    except Exception as exc:  # a bibliography pybtex cannot read: name the file only
        log.debug("bibliography: %s", exc)
        return bibname
    if not keys:
        def score(fields: dict[str, str]) -> int:
            return sum(len(v) for v in fields.values() if len(v) > 3 and v in printed)
        ranked = sorted(entries, key=lambda k: score(entries[k]), reverse=True)
        keys = ranked[:1] if ranked and score(entries[ranked[0]]) else []
    words = [w for w in re.findall(r"\w+", before) if len(w) > 1] or re.findall(r"\w+", before)
    places = []
    for key in keys:
        fields = entries.get(key, {})
        field = next((f for f, v in fields.items() if words and all(w in v for w in words)), None)
        places.append(f"{_at(root, bibname, '{' + key + ',')} entry {key}" + (f", field {field}" if field else ""))
    return "; ".join(places) or bibname
