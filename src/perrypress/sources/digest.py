"""The digest of a paper's sources: which text, data and bibliography an edition was built from."""

from __future__ import annotations

import hashlib
import logging
import subprocess
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

PREFIX = "sources-sha256:"


def blob_id(data: bytes) -> str:
    """The git blob id of ``data`` (as `git hash-object` gives it), so a revision's files need not be read."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def digest_files(config: dict[str, Any], root: Path, *, config_path: str = "config/config.yaml") -> list[str]:
    """The project-relative files whose text the editions print: report, its includes, config, bibliography, data."""
    from .config import data_files
    from .document import source_files

    report = root / config["report"]
    written = [p.relative_to(root).as_posix() for p in source_files(report, root)
               if not p.relative_to(root).as_posix().startswith("_build/")]
    names = written + [config_path, config["bibliography"], *data_files(config)]
    return sorted(dict.fromkeys(names))


def combine(blobs: dict[str, str]) -> str:
    """The digest of files given as {path: blob id} (a missing file as "")."""
    text = "".join(f"{path} {blobs[path]}\n" for path in sorted(blobs))
    return PREFIX + hashlib.sha256(text.encode("utf-8")).hexdigest()


def sources_digest(config: dict[str, Any], root: Path, *, config_path: str = "config/config.yaml") -> str:
    """The digest of the working tree's sources."""
    blobs = {}
    for name in digest_files(config, root, config_path=config_path):
        path = root / name
        blobs[name] = blob_id(path.read_bytes()) if path.is_file() else ""
    return combine(blobs)


def revision_digest(root: Path, revision: str, names: list[str]) -> str | None:
    """The digest of ``names`` as they are at git ``revision`` (None when git cannot read it)."""
    result = subprocess.run(["git", "ls-tree", "-r", revision, "--", *names], cwd=root,
                            capture_output=True, text=True)
    if result.returncode != 0:
        return None
    blobs = dict.fromkeys(names, "")
    for line in result.stdout.splitlines():
        meta, _, path = line.partition("\t")
        if path in blobs:
            blobs[path] = meta.split()[2]
    return combine(blobs)
