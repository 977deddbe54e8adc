"""The data package (``data/datapackage.json``): read its descriptor, and validate it with frictionless.

Reading the descriptor is plain JSON, cheap enough for the Snakefile and every step. Validation
imports frictionless (about half a second) and so runs in one workflow step only (``check_data``,
workflow/rules/data.smk). Frictionless checks types, required cells, ranges, allowed values, unique
and primary keys, foreign keys (the provenance columns into ``sources``) and the rows' shape; each of
its errors becomes a DataError ``data/file.csv:row:column: message — fix``. Checked by hand, because
frictionless does not: a file that is not UTF-8 (named by its first bad line), malformed quoting (its
line), numbers that are not finite (Table Schema's ``number`` accepts NaN and INF), configured data
files the package lacks, and rows of ``sources`` that no data file cites.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import math
import re
from functools import lru_cache
from pathlib import Path
from typing import Any

from ..errors import DataError, SourceError, did_you_mean, line_of, raise_all

log = logging.getLogger(__name__)

DESCRIPTOR = "datapackage.json"
# The resource every provenance column points to: the works the data cite.
SOURCES = "sources"
# Errors about a row's shape come before errors about its cells, as a reader would fix them.
_SHAPE = {"extra-cell": 0, "missing-cell": 0}
# At most this many errors of one file are reported in one run (a wrong column type gives one per row).
MAX_ERRORS = 20
_LABELS = {"incorrect-label", "missing-label", "extra-label", "duplicate-label", "blank-label", "blank-header"}


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


def package_path(csv_path: Path) -> Path:
    """The package descriptor that describes ``csv_path``: ``datapackage.json`` in the same folder."""
    return csv_path.parent / DESCRIPTOR


@lru_cache(maxsize=8)
def _read_descriptor(path: Path, mtime: float) -> dict[str, Any]:
    try:
        descriptor = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise DataError(path, f"not valid JSON: {exc.msg}", "fix the JSON syntax", line=exc.lineno,
                        column=exc.colno) from None
    if not isinstance(descriptor, dict) or not isinstance(descriptor.get("resources"), list):
        raise DataError(path, "the descriptor has no 'resources' list", "describe each CSV file as a resource")
    _check_resource_paths(path, descriptor)
    return descriptor


def _check_resource_paths(path: Path, descriptor: dict[str, Any]) -> None:
    """Refuse a resource whose data, schema or dialect is a file outside the project or a URL (sources/paths.py)."""
    from .paths import gate

    # The project (the steps run in its root); a package elsewhere keeps its files in its own folder.
    root = Path.cwd().resolve()
    if not path.resolve().is_relative_to(root):
        root = path.resolve().parent
    for resource in descriptor["resources"]:
        if not isinstance(resource, dict):
            continue
        for key in ("path", "schema", "dialect"):
            value = resource.get(key)
            for target in value if isinstance(value, list) else [value]:
                if isinstance(target, str):
                    gate(target, root=root, source=path, line=line_of(path, json.dumps(target)), from_file=True,
                         error=DataError)


def load_descriptor(path: Path) -> dict[str, Any]:
    """Read a data package descriptor (cached until the file changes)."""
    try:
        mtime = path.stat().st_mtime
    except OSError:
        raise DataError(path, "data package descriptor not found",
                        "every data file is described in a datapackage.json beside it (see data/README.md)") from None
    return _read_descriptor(path, mtime)


def resource_of(csv_path: Path) -> dict[str, Any]:
    """The resource of the package beside ``csv_path`` that describes that file."""
    package = package_path(csv_path)
    for resource in load_descriptor(package)["resources"]:
        if resource.get("path") == csv_path.name:
            return resource
    raise DataError(package, f"no resource describes {csv_path.name}",
                    f"add a resource with \"path\": \"{csv_path.name}\" and its schema")


def resource_files(package: Path) -> list[str]:
    """The files of every resource of ``package``, as paths beside it (inputs of the validation step)."""
    return [str(package.parent / r["path"]) for r in load_descriptor(package)["resources"]
            if isinstance(r.get("path"), str)]


def resource_path(package: Path, name: str) -> Path | None:
    """The file of the resource called ``name`` in ``package``, or None when it has none."""
    found = next((r for r in load_descriptor(package)["resources"] if r.get("name") == name), None)
    return package.parent / found["path"] if found and isinstance(found.get("path"), str) else None


def foreign_key_fields(resource: dict[str, Any], target: str = SOURCES) -> list[str]:
    """The fields of ``resource`` that are foreign keys into the resource ``target`` (the provenance columns)."""
    names: list[str] = []
    for key in resource.get("schema", {}).get("foreignKeys", []):
        if key.get("reference", {}).get("resource") == target:
            fields = key["fields"]
            names += [fields] if isinstance(fields, str) else list(fields)
    return names


def primary_key(resource: dict[str, Any]) -> list[str]:
    """The primary key's fields of ``resource`` (empty when it has none)."""
    key = resource.get("schema", {}).get("primaryKey") or []
    return [key] if isinstance(key, str) else list(key)


def check_package(package: Path, *, data_files: list[Path] = ()) -> list[tuple[str, int]]:
    """Validate ``package`` and raise DataError for its first problem; return each file's row count."""

    descriptor = load_descriptor(package)
    names = {r.get("path") for r in descriptor["resources"]}
    for path in data_files:
        if path.parent.resolve() != package.parent.resolve() or path.name not in names:
            raise DataError(package, f"the configured data file {path} is not a resource of this package",
                            f"add a resource with \"path\": \"{path.name}\" and its schema (beside the CSV)")
    counts = []
    for resource in descriptor["resources"]:
        path = package.parent / str(resource.get("path", ""))
        counts.append((str(path), _check_by_hand(path, resource, read_text(path))))
    _check_with_frictionless(package, descriptor)
    _check_sources_are_cited(package, descriptor)
    log.info("%s: %d resources, %d rows, valid", package, len(counts), sum(n for _, n in counts))
    return counts


def _check_by_hand(path: Path, resource: dict[str, Any], text: str) -> int:
    """What frictionless does not check or does not place: quoting (by line) and non-finite numbers; return rows."""
    fields = resource.get("schema", {}).get("fields", [])
    numbers = [i for i, f in enumerate(fields) if f.get("type") == "number"]
    rows = 0
    with io.StringIO(text, newline="") as handle:
        reader = csv.reader(handle, strict=True)
        try:
            for number, cells in enumerate(reader, start=1):
                if number > 1 and any(c.strip() for c in cells):
                    rows += 1
                for i in numbers:
                    if number > 1 and i < len(cells) and cells[i].strip():
                        try:
                            finite = math.isfinite(float(cells[i]))
                        except ValueError:
                            continue  # not a number at all: frictionless says so
                        if not finite:
                            raise DataError(path, f"column '{fields[i]['name']}': {cells[i]!r} is not a number",
                                            "write a plain number such as 8, or leave the cell empty if allowed",
                                            line=number, column=i + 1)
        except csv.Error as exc:
            raise DataError(path, f"malformed CSV: {exc}", "check the quoting on this line",
                            line=reader.line_num) from None
    return rows


def _check_with_frictionless(package: Path, descriptor: dict[str, Any]) -> None:
    """Validate the package with frictionless; raise the first error as a DataError."""
    from frictionless import FrictionlessException, Package

    try:
        report = Package(str(package)).validate()
    except FrictionlessException as exc:
        reason = exc.reasons[0] if exc.reasons else exc.error
        raise DataError(package, f"the descriptor is not a valid data package: {reason.note or reason.message}",
                        "see https://datapackage.org/standard/table-schema/") from None
    if report.valid:
        return
    by_name = {r.get("name"): r for r in descriptor["resources"]}
    found: list[SourceError] = []
    for task in report.tasks:
        errors = [e for e in task.errors if not _blank_row(e)]
        if not errors:
            continue
        resource = by_name.get(task.name, {})
        path = package.parent / str(resource.get("path", task.name))
        # Every cell's error, row by row; a row with a shape error (a stray comma) says that alone.
        ordered = sorted(errors, key=lambda e: (getattr(e, "row_number", 1) or 1, _SHAPE.get(e.type, 1)))
        rows_done: set[int] = set()
        for error in ordered[:MAX_ERRORS]:
            row = getattr(error, "row_number", None) or 1
            if row in rows_done:
                continue
            if _SHAPE.get(error.type, 1) == 0:
                rows_done.add(row)
            found.append(_data_error(error, path=path, resource=resource, package=package))
    raise_all(found)
    if report.errors:  # about the package itself, not one of its files
        raise DataError(package, report.errors[0].message, "see https://datapackage.org/standard/data-package/")


def _blank_row(error: Any) -> bool:
    """An error about a blank row (a spreadsheet's trailing ``,,,``): such rows are skipped, as when reading."""
    cells = getattr(error, "cells", None)
    return error.type == "blank-row" or (cells is not None and not any(str(c).strip() for c in cells))


def _data_error(error: Any, *, path: Path, resource: dict[str, Any], package: Path) -> DataError:
    """One frictionless error as the project's ``file:row:column: message — fix``."""
    fields = [f["name"] for f in resource.get("schema", {}).get("fields", [])]
    row, name, cell = getattr(error, "row_number", None), getattr(error, "field_name", None), getattr(error, "cell", None)
    column = fields.index(name) + 1 if name in fields else getattr(error, "field_number", None)
    where = {"line": row, "column": column}
    kind = next((f.get("type", "string") for f in resource["schema"]["fields"] if f["name"] == name), "string") \
        if name in fields else "string"
    if error.type in _LABELS:
        header = list(getattr(error, "labels", []))
        missing = [n for n in fields if n not in header]
        extra = [h for h in header if h not in fields]
        parts = ([f"missing column(s) {missing}"] if missing else []) + \
                ([f"unexpected column(s) {extra}"] if extra else []) or [error.message]
        return DataError(path, "; ".join(parts), f"the header must be: {','.join(fields)}", line=1)
    if error.type in {"extra-cell", "missing-cell"}:
        return DataError(path, f"row has {len(error.cells)} cells, the header has {len(fields)}",
                         "check for a stray or missing comma, or quote cells that contain commas", line=row)
    if error.type == "type-error":
        try:
            float(cell)
        except ValueError:
            return DataError(path, f"column '{name}': {cell!r} is not a number",
                             f"write a plain {kind} such as 8, or leave the cell empty if allowed", **where)
        return DataError(path, f"column '{name}': {cell!r} is not a whole number", "write an integer such as 8",
                         **where)
    if error.type == "constraint-error":
        constraints = next(f for f in resource["schema"]["fields"] if f["name"] == name).get("constraints", {})
        constraint = (re.match(r'constraint "(\w+)"', error.note or "") or [None, ""])[1]
        if constraint == "required":
            return DataError(path, f"column '{name}': the cell is empty but required",
                             f"fill it in (its constraints are in {package.name})", **where)
        if constraint in {"minimum", "maximum"}:
            return DataError(path, f"column '{name}': {cell} is outside the allowed range "
                             f"{constraints.get('minimum')}–{constraints.get('maximum')}", "correct the value", **where)
        if constraint == "enum":
            return DataError(path, f"column '{name}': {cell!r} is not one of {constraints['enum']}",
                             f"{did_you_mean(str(cell), map(str, constraints['enum']))}use one of the allowed values",
                             **where)
        return DataError(path, f"column '{name}': {cell!r} breaks the constraint {constraint} = "
                         f"{constraints.get(constraint)!r}", f"correct the value (see {package.name})", **where)
    if error.type == "unique-error":
        return DataError(path, f"column '{name}': {cell!r} is in an earlier row too", "each value must be unique",
                         **where)
    if error.type == "primary-key":
        key = primary_key(resource)
        values = ", ".join(str(error.cells[fields.index(k)]) for k in key if fields.index(k) < len(error.cells))
        return DataError(path, f"duplicate key ({', '.join(key)}) = ({values})",
                         "each row needs a unique key; remove or rename the duplicate", line=row)
    if error.type == "foreign-key":
        match = re.match(r'for "([^"]+)": values "(.*)" not found in the lookup table "([^"]+)"', error.note or "")
        field, value, target = match.groups() if match else ("?", "?", SOURCES)
        first = field.split(",")[0].strip()
        target_path = next((r.get("path") for r in load_descriptor(package)["resources"] if r.get("name") == target),
                           target)
        return DataError(path, f"column '{field}': {value!r} is not a key of {package.parent / target_path}",
                         f"correct the key, or add the work to {target_path} (with its entry in the bibliography)",
                         line=row, column=fields.index(first) + 1 if first in fields else None)
    return DataError(path, f"{error.title}: {error.note or error.message}",
                     f"see {package.name} and https://datapackage.org/standard/", line=row, column=column)


def _check_sources_are_cited(package: Path, descriptor: dict[str, Any]) -> None:
    """Every row of ``sources`` is a work some provenance column cites, so the table cannot drift from the data."""

    sources = next((r for r in descriptor["resources"] if r.get("name") == SOURCES), None)
    if sources is None:
        return
    cited: set[str] = set()
    for resource in descriptor["resources"]:
        columns = foreign_key_fields(resource)
        if columns:
            with io.StringIO(read_text(package.parent / resource["path"]), newline="") as handle:
                cited |= {row[c] for row in csv.DictReader(handle) for c in columns if row.get(c)}
    path = package.parent / sources["path"]
    with io.StringIO(read_text(path), newline="") as handle:
        for number, row in enumerate(csv.DictReader(handle), start=2):
            if row.get("key") and row["key"] not in cited:
                raise DataError(path, f"the work {row['key']!r} is cited by no data file",
                                "remove its row (sources lists only the works the data cite)", line=number, column=1)
