"""Cell-level differences of the tables' data, with daff (row key, column, old → new; rows added and removed)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class TableDiff:
    """What changed in one data file of a table."""

    file: str
    cells: list[tuple[str, str, str, str]] = field(default_factory=list)  # (row key, column, old, new)
    added: list[str] = field(default_factory=list)  # row keys
    removed: list[str] = field(default_factory=list)
    columns_changed: bool = False
    html: str = ""  # daff's rendering of the highlighted diff

    @property
    def changed(self) -> bool:
        """True when anything in the table changed."""
        return bool(self.cells or self.added or self.removed or self.columns_changed)


def read_rows(path: Path) -> list[list[str]]:
    """A CSV file as rows of strings (header first); empty when it does not exist."""
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return [row for row in csv.reader(handle)]


def schema_key(data: Path) -> list[str]:
    """The primary key of the data file's resource in the data package beside it, if any."""
    from ..errors import DataError
    from ..sources.datapackage import primary_key, resource_of

    try:
        return primary_key(resource_of(data))
    except DataError:
        return []


def diff_rows(old: list[list[str]], new: list[list[str]], *, key: list[str], file: str) -> TableDiff:
    """Compare two tables (header first) with daff, aligning rows on ``key``."""
    import daff

    result = TableDiff(file)
    if old == new:
        return result
    flags = daff.CompareFlags()
    header = new[0] if new else []
    for column in key:
        if column in header and old and column in old[0]:
            flags.addPrimaryKey(column)
    alignment = daff.Coopy.compareTables(daff.PythonTableView(old), daff.PythonTableView(new), flags).align()
    highlighted: list[list[str]] = []
    view = daff.PythonTableView(highlighted)
    daff.TableDiff(alignment, flags).hilite(view)
    render = daff.DiffRender()
    render.render(view)
    result.html = render.html()
    columns = highlighted[0][1:] if highlighted else []
    result.columns_changed = (old[0] if old else []) != header
    key_index = [columns.index(c) for c in key if c in columns] or [0]
    for row in highlighted[1:]:
        action, cells = str(row[0] or ""), [str(c) if c is not None else "" for c in row[1:]]
        if action.startswith("!") or action.startswith("@@"):
            continue
        separator = action if "->" in action else "->"
        row_key = " / ".join(cells[i].split(separator)[-1] for i in key_index if i < len(cells))
        if action == "+++":
            result.added.append(row_key)
        elif action == "---":
            result.removed.append(row_key)
        elif "->" in action:
            for column, cell in zip(columns, cells):
                if separator in cell:
                    before, after = cell.split(separator, 1)
                    result.cells.append((row_key, str(column), before, after))
    return result


def diff_files(old: Path, new: Path, *, file: str) -> TableDiff:
    """Compare one data file on both sides, keyed by its schema's key columns."""
    return diff_rows(read_rows(old), read_rows(new), key=schema_key(new if new.exists() else old), file=file)
