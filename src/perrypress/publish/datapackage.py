"""The data behind the tables and figures as a Frictionless Data Package: Table Schemas from the ``*.schema.yaml`` files."""

from __future__ import annotations

import csv
import io
import json
import logging
from pathlib import Path
from typing import Any

from pybtex.database import parse_file

from ..data import load_schema, read_text, schema_path
from ..errors import DataError

log = logging.getLogger(__name__)

# The resource every provenance column (``references: bibliography``) points to.
SOURCES = "sources"
_CASTS = {"integer": int, "number": float, "string": str}


def table_schema(schema: dict[str, Any]) -> dict[str, Any]:
    """Translate one data schema into a Frictionless Table Schema (types, constraints, primary key, foreign keys)."""
    fields = []
    for column in schema["columns"]:
        kind = column.get("type", "string")
        constraints: dict[str, Any] = {}
        if column.get("required"):
            constraints["required"] = True
        for bound in ("minimum", "maximum"):
            if column.get(bound) is not None:
                constraints[bound] = column[bound]
        if "enum" in column:
            constraints["enum"] = [_CASTS[kind](value) for value in column["enum"]]
        field = {"name": column["name"], "type": kind}
        if column.get("description"):
            field["description"] = " ".join(str(column["description"]).split())
        if column.get("unit"):
            field["unit"] = column["unit"]
        if constraints:
            field["constraints"] = constraints
        fields.append(field)
    result: dict[str, Any] = {"fields": fields, "missingValues": [""]}
    if schema.get("key"):
        result["primaryKey"] = list(schema["key"])
    foreign = [{"fields": c["name"], "reference": {"resource": SOURCES, "fields": "key"}}
               for c in schema["columns"] if c.get("references") == "bibliography"]
    if foreign:
        result["foreignKeys"] = foreign
    return result


def provenance_keys(csv_path: Path, schema: dict[str, Any]) -> set[str]:
    """The bibliography keys a data file's provenance columns name."""
    columns = [c["name"] for c in schema["columns"] if c.get("references") == "bibliography"]
    with io.StringIO(read_text(csv_path), newline="") as handle:
        return {row[c] for row in csv.DictReader(handle) for c in columns if row.get(c)}


def sources_csv(keys: set[str], bibliographies: list[Path]) -> str:
    """The ``sources`` table: one row per cited work (key, author, title, year, url), sorted by key."""
    entries: dict[str, Any] = {}
    for bib in bibliographies:
        entries.update(parse_file(str(bib), bib_format="bibtex").entries)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["key", "author", "title", "year", "url"])
    for key in sorted(keys):
        if key not in entries:
            raise DataError(bibliographies[0], f"provenance key {key!r} is in no bibliography",
                            "add the work to references.bib or data/sources.bib")
        entry = entries[key]
        authors = "; ".join(str(p) for p in entry.persons.get("author", []))
        fields = entry.fields
        writer.writerow([key, authors or fields.get("institution", ""), " ".join(fields.get("title", "").split()),
                         fields.get("year", fields.get("date", ""))[:4], fields.get("url", "")])
    return out.getvalue()


def sources_schema() -> dict[str, Any]:
    """The Table Schema of the ``sources`` table."""
    return {"fields": [{"name": "key", "type": "string", "constraints": {"required": True, "unique": True},
                        "description": "Citation key in the paper's bibliography"},
                       {"name": "author", "type": "string"}, {"name": "title", "type": "string"},
                       {"name": "year", "type": "string"}, {"name": "url", "type": "string"}],
            "missingValues": [""], "primaryKey": ["key"]}


def resource(csv_path: Path, schema: dict[str, Any], *, licence: dict[str, str]) -> dict[str, Any]:
    """The data-package resource for one CSV file, with its provenance and licence."""
    entry: dict[str, Any] = {"name": csv_path.stem, "path": csv_path.name, "profile": "tabular-data-resource",
                             "format": "csv", "mediatype": "text/csv", "encoding": "utf-8"}
    if schema.get("title"):
        entry["title"] = " ".join(str(schema["title"]).split())
    if schema.get("description"):
        entry["description"] = " ".join(str(schema["description"]).split())
    if schema.get("source"):
        entry["sources"] = [{"title": " ".join(str(schema["source"]).split())}]
    entry["licenses"] = [{**licence, **({"title": " ".join(str(schema["licence"]).split())}
                                        if schema.get("licence") else {})}]
    if schema.get("doubtful"):
        # Rows whose value is an editorial choice, with the reason for each (a custom property).
        entry["doubtful"] = {str(k): " ".join(str(v).split()) for k, v in schema["doubtful"].items()}
    entry["schema"] = table_schema(schema)
    return entry


def write_package(csv_files: list[Path], *, out_dir: Path, name: str, title: str, licence: dict[str, str],
                  bibliographies: list[Path]) -> dict[str, Any]:
    """Copy ``csv_files`` into ``out_dir`` with a ``sources.csv`` and ``datapackage.json``; return the descriptor."""
    out_dir.mkdir(parents=True, exist_ok=True)
    resources, keys = [], set()
    for path in csv_files:
        schema = load_schema(schema_path(path))
        keys |= provenance_keys(path, schema)
        (out_dir / path.name).write_bytes(read_text(path).encode("utf-8"))  # UTF-8 without a byte-order mark
        resources.append(resource(path, schema, licence=licence))
    (out_dir / f"{SOURCES}.csv").write_text(sources_csv(keys, bibliographies), encoding="utf-8")
    resources.append({"name": SOURCES, "path": f"{SOURCES}.csv", "profile": "tabular-data-resource",
                      "format": "csv", "mediatype": "text/csv", "encoding": "utf-8",
                      "title": "Works the data's provenance columns cite",
                      "sources": [{"title": "The paper's bibliography and data/sources.bib"}],
                      "licenses": [licence], "schema": sources_schema()})
    package = {"profile": "tabular-data-package", "name": name, "title": title, "licenses": [licence],
               "resources": resources}
    (out_dir / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return package
