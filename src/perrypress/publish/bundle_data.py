"""The bundle's data package: the repository's ``data/datapackage.json``, cut to the files the paper uses."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from ..sources.datapackage import load_descriptor, package_path, read_text

log = logging.getLogger(__name__)

_BLANK = re.compile(r"^[,\s]*$")


def _referenced(resources: list[dict[str, Any]]) -> set[str]:
    """The names of the resources that ``resources``' foreign keys point to."""
    return {key["reference"]["resource"] for r in resources for key in r.get("schema", {}).get("foreignKeys", [])
            if key.get("reference", {}).get("resource")}


def bundle_descriptor(descriptor: dict[str, Any], csv_files: list[Path], *, name: str, title: str) -> dict[str, Any]:
    """The package of ``csv_files`` and the resources their foreign keys need, renamed; paths as bare file names."""
    wanted = {p.name for p in csv_files}
    chosen = [r for r in descriptor["resources"] if r.get("path") in wanted]
    missing = wanted - {r["path"] for r in chosen}
    if missing:
        raise ValueError(f"no resource describes {sorted(missing)}")  # check_data has refused this already
    needed = _referenced(chosen)
    chosen += [r for r in descriptor["resources"] if r.get("name") in needed and r not in chosen]
    package = {**descriptor, "name": name, "title": title}
    package["resources"] = [{**r, "path": Path(r["path"]).name} for r in chosen]
    return package


def write_package(csv_files: list[Path], *, out_dir: Path, name: str, title: str) -> dict[str, Any]:
    """Copy ``csv_files`` and the tables they reference into ``out_dir`` with their ``datapackage.json``."""
    source = package_path(csv_files[0])
    package = bundle_descriptor(load_descriptor(source), csv_files, name=name, title=title)
    out_dir.mkdir(parents=True, exist_ok=True)
    for resource in package["resources"]:
        # UTF-8 without a byte-order mark, whatever a spreadsheet saved, and without the blank rows (",,,")
        # a spreadsheet may leave, which the build skips and frictionless would report.
        text = read_text(source.parent / resource["path"])
        lines = [line for line in text.splitlines(keepends=True) if not _BLANK.match(line)]
        (out_dir / resource["path"]).write_bytes("".join(lines).encode("utf-8"))
    (out_dir / "datapackage.json").write_text(json.dumps(package, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    log.info("%s: %d resources from %s", out_dir / "datapackage.json", len(package["resources"]), source)
    return package
