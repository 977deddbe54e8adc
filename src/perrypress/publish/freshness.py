"""Whether a bundle is the sources' own: the sources' hashes and uncommitted edits, recorded and checked."""

from __future__ import annotations

import hashlib
import json
import logging
import subprocess
from pathlib import Path
from typing import Any

import yaml

from ..errors import PublishError

log = logging.getLogger(__name__)

# What a person edits (as `perrypress preview` watches it); the build's products are not sources.
SOURCES = ("report.qmd", "sections", "data", "references.bib", "config", "images")


def source_hashes(root: Path) -> dict[str, str]:
    """Every source file (relative path) with its SHA-256."""
    found: dict[str, str] = {}
    for name in SOURCES:
        top = root / name
        paths = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file()) if top.is_dir() else []
        for path in paths:
            relative = path.relative_to(root)
            if any(part.startswith(".") or part == "__pycache__" for part in relative.parts):
                continue
            found[relative.as_posix()] = hashlib.sha256(_source_bytes(path, relative)).hexdigest()
    return found


def _source_bytes(path: Path, relative: Path) -> bytes:
    """A source's bytes; for config/config.yaml its settings but ``publish:`` (where and how to publish is no source)."""
    if relative.as_posix() != "config/config.yaml":
        return path.read_bytes()
    settings = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    settings.pop("publish", None) if isinstance(settings, dict) else None
    return json.dumps(settings, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def uncommitted(root: Path) -> list[str] | None:
    """The source files with uncommitted changes (git status), or None outside a git checkout."""
    if not (root / ".git").exists():
        return None
    try:
        result = subprocess.run(["git", "status", "--porcelain", "--untracked-files=all", "--", *SOURCES],
                                cwd=root, capture_output=True, text=True, timeout=30)
    except OSError:
        return None
    if result.returncode != 0:
        return None
    return sorted(line[3:].strip() for line in result.stdout.splitlines() if line.strip())


def provenance(root: Path) -> dict[str, Any]:
    """What the manifest records about the sources: their hashes and the uncommitted ones."""
    return {"sources": source_hashes(root), "uncommitted": uncommitted(root)}


def check_fresh(manifest: dict[str, Any], root: Path, *, allow_dirty: bool) -> list[str]:
    """Refuse a bundle older than the sources or built from uncommitted edits (unless ``allow_dirty``); return warnings."""
    recorded = manifest.get("sources")
    if recorded is None:
        raise PublishError("manifest.json records no source hashes (a bundle from an older perrypress) — "
                           "run `perrypress publish` again")
    now = source_hashes(root)
    changed = sorted(p for p in set(recorded) | set(now) if recorded.get(p) != now.get(p))
    dirty = manifest.get("uncommitted") or []
    problems = []
    if changed:
        problems.append(f"the bundle is older than the sources: {', '.join(changed[:5])}"
                        f"{f' and {len(changed) - 5} more' if len(changed) > 5 else ''} changed since "
                        "`perrypress publish` — run `perrypress publish` again")
    if dirty:
        problems.append(f"the bundle was built from uncommitted edits ({', '.join(dirty[:5])}) — commit them and run "
                        "`perrypress publish` again")
    if problems and not allow_dirty:
        raise PublishError("; ".join(problems) + " (or give --allow-dirty to publish it anyway)")
    for problem in problems:
        log.warning("%s (published anyway: --allow-dirty)", problem)
    return problems
