"""``_publish.yml``: what the project published where (site, entry, release, files), a file to commit.

Like ``quarto publish``'s ``_publish.yml``: the next run, on any clone, updates
the same entry even after the slug changed, and can tell an entry edited on the
site from one it wrote itself.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import yaml

log = logging.getLogger(__name__)

RECORD_FILE = "_publish.yml"
HEADER = ("# Written by `perrypress publish wordpress`: what this project published on each site.\n"
          "# Commit it, so the next publish (from any clone) updates the same entry.\n")


def read(root: Path) -> list[dict[str, Any]]:
    """Every site's record in ``_publish.yml`` (an empty list when there is none)."""
    path = root / RECORD_FILE
    if not path.exists():
        return []
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return list(data.get("wordpress") or [])


def for_site(root: Path, site: str) -> dict[str, Any] | None:
    """The record for ``site``, or None."""
    return next((r for r in read(root) if r.get("site") == site), None)


def write(root: Path, entry: dict[str, Any]) -> None:
    """Replace the record for ``entry['site']`` (written to a temporary file, then moved into place)."""
    records = [r for r in read(root) if r.get("site") != entry["site"]] + [entry]
    records.sort(key=lambda r: r["site"])
    path = root / RECORD_FILE
    temporary = path.with_name(f".{RECORD_FILE}.tmp")
    temporary.write_text(HEADER + yaml.safe_dump({"wordpress": records}, sort_keys=False, allow_unicode=True,
                                                 width=120), encoding="utf-8")
    os.replace(temporary, path)
    log.debug("%s: entry %s at %s", path, entry.get("entry"), entry["site"])
