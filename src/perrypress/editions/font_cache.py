"""Instanced fonts made once per machine: a cache in the user's cache folder, shared by every paper.

Cutting and instancing the variable fonts (figure fonts, the DOCX edition's
embedded faces, the HTML edition's WOFF2) costs a minute of CPU and gives the
same bytes for every paper that uses the same fonts. Each result is stored
under a key made of everything it depends on — the font file's bytes, the
source of the module that makes it, the fontTools version and the settings —
so a cached font is exactly the font the code would make now: the editions
are byte-identical with or without the cache.

The folder is ``$PERRYPRESS_CACHE_DIR`` when set (the tests point it at a
temporary folder), else ``$XDG_CACHE_HOME/perrypress``, else
``~/.cache/perrypress``; ``PERRYPRESS_CACHE_DIR=off`` makes every font afresh.
A cache that cannot be written is not an error: the font is made and used.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

ENV = "PERRYPRESS_CACHE_DIR"
# Raise to drop every cached font (a change of format, not of code: code changes change the key already).
VERSION = 1


def cache_dir() -> Path | None:
    """The folder of the font cache, or None when it is switched off."""
    chosen = os.environ.get(ENV)
    if chosen:
        return None if chosen == "off" else Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "perrypress"


@cache
def _digest_file(path: str, size: int, mtime_ns: int) -> str:
    """The SHA-256 of a file, remembered by path, size and modification time within one process."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def file_digest(path: Path) -> str:
    """The SHA-256 of ``path``'s bytes."""
    stat = Path(path).stat()
    return _digest_file(str(Path(path).resolve()), stat.st_size, stat.st_mtime_ns)


def key(kind: str, *, sources: list[Path], code: list[Path], settings: Any) -> str:
    """The cache key of one result: its kind, the input fonts' and code's bytes, fontTools' version, the settings."""
    import fontTools

    parts = {"version": VERSION, "kind": kind, "fonttools": fontTools.version,
             "sources": [file_digest(p) for p in sources], "code": [file_digest(p) for p in code],
             "settings": settings}
    return hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode("utf-8")).hexdigest()


def cached(kind: str, *, sources: list[Path], code: list[Path], settings: Any,
           make: Callable[[], dict[str, bytes]]) -> dict[str, bytes]:
    """The files ``make()`` returns (name → bytes), from the cache when this very input was made before."""
    folder = cache_dir()
    if folder is None:
        return make()
    entry = folder / "fonts" / key(kind, sources=sources, code=code, settings=settings)
    index = entry / "index.json"
    try:
        names = json.loads(index.read_text(encoding="utf-8"))
        found = {name: (entry / f"{number}.bin").read_bytes() for number, name in enumerate(names)}
        log.info("%s: from the font cache %s", kind, entry)
        return found
    except (OSError, ValueError):
        pass
    made = make()
    _store(entry, made)
    return made


def _store(entry: Path, files: dict[str, bytes]) -> None:
    """Write one cache entry whole: its files, then its index (the index is what makes it an entry)."""
    try:
        entry.mkdir(parents=True, exist_ok=True)
        for number, data in enumerate(files.values()):
            write_atomic(entry / f"{number}.bin", data)
        write_atomic(entry / "index.json", json.dumps(list(files)).encode("utf-8"))
    except OSError as exc:  # a read-only or full disk: the font was made, the build goes on
        log.info("font cache not written (%s)", exc)


def write_atomic(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` in one rename (papers building side by side share the cache)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)
