"""`perrypress add table data/x.csv`: the CSV described in the data package, and declared under ``tables:``.

The Table Schema is inferred from the CSV by frictionless (``describe``): the
types, a primary key when a column's values are unique, the provenance
column ``source_key`` as a foreign key into ``sources`` (added to the CSV,
filled with ``--source``, when it has none). Units and descriptions are left
for the editor, who is told so.
"""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path
from typing import Any

from ..new.project import slug as file_slug
from ..sources.config import data_files, data_package
from ..sources.datapackage import DESCRIPTOR, SOURCES, load_descriptor
from .edits import AddError, insert_entry, yaml_value
from .source import ensure_source_row
from .words import paper_language, words

log = logging.getLogger(__name__)

PROVENANCE = "source_key"
# The types the tables and figures read; frictionless may infer others (date, boolean…), kept as text.
TYPES = {"integer", "number", "string"}


def package_of(root: Path, config: dict[str, Any]) -> Path:
    """The paper's data package: the one beside its configured data files, else data/datapackage.json."""
    return root / (data_package(config) if data_files(config) else f"data/{DESCRIPTOR}")


def read_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    """The CSV's header and rows (blank rows dropped)."""
    with io.StringIO(path.read_text(encoding="utf-8-sig"), newline="") as handle:
        rows = [r for r in csv.reader(handle) if any(c.strip() for c in r)]
    if not rows:
        raise AddError(path, "the file is empty", "give it a header row and data rows")
    return rows[0], rows[1:]


def csv_in_package(root: Path, config: dict[str, Any], csv_path: str) -> tuple[Path, Path, str]:
    """(the CSV, its package, its resource name), refusing a CSV outside the package's folder or described already."""
    path = (root / csv_path).resolve()
    package = package_of(root, config)
    if not path.is_file():
        raise AddError(csv_path, "no such file", "put the CSV in data/ and give its path, e.g. data/ports.csv")
    if path.suffix.lower() != ".csv":
        raise AddError(csv_path, "not a CSV file", "save the table as CSV (UTF-8, one header row)")
    if path.parent != package.parent.resolve():
        raise AddError(csv_path, f"the file is not in {package.parent.relative_to(root)}/",
                       f"move it there: the data package {package.relative_to(root)} describes that folder")
    descriptor = load_descriptor(package)
    if any(r.get("path") == path.name for r in descriptor["resources"]):
        raise AddError(package.relative_to(root), f"{path.name} is described already",
                       "edit its resource, or remove it first")
    return path, package, file_slug(path.stem)


def provenance(root: Path, config: dict[str, Any], path: Path, source: str | None) -> tuple[str | None, bool]:
    """Give the CSV a ``source_key`` column when it has none (every row: ``source``); return (key, row added)."""
    header, rows = read_rows(path)
    if PROVENANCE in header:
        return None, False
    if not source:
        sources = package_of(root, config).parent / "sources.csv"
        keys = [r[0] for r in read_rows(sources)[1]] if sources.is_file() else []
        if len(keys) != 1:
            raise AddError(path.relative_to(root), f"the file has no {PROVENANCE} column (the work each row "
                           "comes from)", "name the work: --source KEY (a key of references.bib; "
                           "perrypress add source KEY makes one)")
        source = keys[0]
    added = ensure_source_row(root, config, source)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow([*header, PROVENANCE])
    writer.writerows([*row, source] for row in rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return source, added


def infer_fields(path: Path, language: str) -> list[dict[str, Any]]:
    """The Table Schema's fields of the CSV, as frictionless describes it (types kept to those the build reads)."""
    from frictionless import describe

    resource = describe(str(path), type="resource")
    said = words(language)
    header, rows = read_rows(path)
    fields = []
    for field in resource.schema.to_descriptor()["fields"]:  # type: ignore[union-attr]
        name = field["name"]
        kind = field.get("type", "string") if field.get("type") in TYPES else "string"
        column = [r[header.index(name)] if header.index(name) < len(r) else "" for r in rows]
        out: dict[str, Any] = {"name": name, "type": kind}
        if name == PROVENANCE:
            out["description"] = said["provenance"]
        else:
            out["description"] = said["unit"] if kind in {"integer", "number"} else said["field"]
        if column and all(c.strip() for c in column):
            out["constraints"] = {"required": True}
        fields.append(out)
    return fields


def primary_key(path: Path, fields: list[dict[str, Any]]) -> str | None:
    """The first column (not a number, not the provenance) whose values are all filled in and all different."""
    header, rows = read_rows(path)
    for field in fields:
        if field["name"] == PROVENANCE or field["type"] == "number":
            continue
        index = header.index(field["name"])
        values = [r[index] if index < len(r) else "" for r in rows]
        if values and all(v.strip() for v in values) and len(set(values)) == len(values):
            return field["name"]
    return None


def resource(path: Path, name: str, fields: list[dict[str, Any]], key: str | None, language: str) -> dict[str, Any]:
    """The data package resource of the CSV."""
    schema: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if key:
        field = next(f for f in fields if f["name"] == key)
        field["constraints"] = {"required": True, "unique": True}
        schema["primaryKey"] = [key]
    if any(f["name"] == PROVENANCE for f in fields):
        schema["foreignKeys"] = [{"fields": PROVENANCE, "reference": {"resource": SOURCES, "fields": "key"}}]
    return {"name": name, "path": path.name, "profile": "tabular-data-resource", "format": "csv",
            "mediatype": "text/csv", "encoding": "utf-8", "title": words(language)["resource"],
            "dialect": {"delimiter": ",", "header": True}, "schema": schema}


def write_resource(package: Path, described: dict[str, Any]) -> None:
    """Add ``described`` to the package, before its ``sources`` table (which stays last)."""
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    resources = descriptor["resources"]
    at = next((i for i, r in enumerate(resources) if r.get("name") == SOURCES), len(resources))
    resources.insert(at, described)
    package.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def describe_csv(root: Path, config: dict[str, Any], csv_path: str, source: str | None) -> tuple[str, Path, list[str]]:
    """Describe the CSV in the data package (provenance column added if need be); return (name, CSV, to-dos)."""
    path, package, name = csv_in_package(root, config, csv_path)
    language = paper_language(root, config)
    key, row_added = provenance(root, config, path, source)
    fields = infer_fields(path, language)
    write_resource(package, resource(path, name, fields, primary_key(path, fields), language))
    rel_package, rel_csv = package.relative_to(root), path.relative_to(root)
    todo = [f"{rel_package}: resource {name!r}: its title, each column's description and, for numbers, the unit; "
            "sources and licenses (constraints may be tightened: minimum, maximum, enum)"]
    if key:
        todo.append(f"{rel_csv}: every row's {PROVENANCE} is {key!r}: correct the rows from another work")
    if row_added:
        todo.append(f"data/sources.csv: added the work {key!r}, as its bibliography entry gives it")
    return name, path, todo


def columns_of(path: Path) -> list[str]:
    """The columns a table or figure shows: all but the provenance ones (``source_key``, ``*_page``)."""
    header, _ = read_rows(path)
    return [c for c in header if c != PROVENANCE and not c.endswith("_page") and not c.endswith("_key")]


def add_table(root: Path, config: dict[str, Any], csv_path: str, *, source: str | None = None,
              section: str | None = None) -> list[str]:
    """Describe the CSV and declare its table under ``tables:``; return what to fill in."""
    config_file = root / "config" / "config.yaml"
    name, path, todo = describe_csv(root, config, csv_path, source)
    said = words(paper_language(root, config))
    columns = {c: c.replace("_", " ").capitalize() for c in columns_of(path)}
    entry = "\n".join([
        f"# The table's CSV (a resource of {package_of(root, config).relative_to(root)}).",
        f"data: {yaml_value(path.relative_to(root).as_posix())}",
        "# The caption, after \"Table N:\".",
        f"caption: {yaml_value(said['caption'])}",
        "# The columns in order, data column: header (or {header, cell: [parts]}; see README.md, \"A table\").",
        f"columns: {yaml_value(columns)}",
        "# Relative widths, by column (optional): e.g. widths: {a: 30, b: 70}",
        "# The source line under the table; {pages} lists the pages the *_page columns cite.",
        f"source: {yaml_value(said['source'])}",
    ])
    insert_entry(config_file, "tables", name, entry)
    include = f"{{{{< include /_build/tables/{name}.md >}}}}"
    todo.insert(0, f"config/config.yaml: tables.{name}: the caption, the column headers and the source line")
    if section:
        place(root, section, said["table_ref"].format(slug=name), include)
        todo.append(f"{section}: the sentence that refers to @tbl-{name}")
    else:
        todo.append(f"place it in a section: {include} (refer to it as @tbl-{name})")
    return todo


def place(root: Path, section: str, sentence: str, block: str) -> None:
    """Append a sentence referring to a table or figure, and the table or figure, to a section."""
    path = root / section
    if not path.is_file():
        raise AddError(section, "no such section", "give a file of sections/, e.g. sections/02-ports.qmd")
    text = path.read_text(encoding="utf-8")
    path.write_text(text.rstrip("\n") + f"\n\n{sentence}\n\n{block}\n", encoding="utf-8")
