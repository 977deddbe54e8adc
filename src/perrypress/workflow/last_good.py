"""The editions readers open are replaced only by a complete, successful build.

Each edition rule declares the workflow's own copy (``_build/.built/``) as its
output; Snakemake deletes that copy before the step runs and after it fails, and
:func:`forget` deletes them all when any step fails (an edition whose table
failed did not even start), so an edition is never taken for one built from the
current sources when it was not. The
copy readers open (``_build/<name>.<ext>``) is replaced by :func:`replace`, in
one rename, only once the new edition is complete: it is never missing or
half-written, whatever happens to the build.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from pathlib import Path

log = logging.getLogger(__name__)

# Files a killed build may leave in _build/: staging folders and half-copied editions.
STALE = (".tmp-*", ".*.tmp")


def replace(built: Path, readers: Path) -> None:
    """Put a copy of the edition ``built`` at ``readers`` in one atomic rename."""
    readers.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=readers.parent, prefix=f".{readers.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as out, built.open("rb") as source:
            shutil.copyfileobj(source, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, readers)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def forget(built: list[Path]) -> None:
    """After a failed build, remove the workflow's copies so that none counts as up to date."""
    for path in built:
        path.unlink(missing_ok=True)


def remove_stale(build_dir: Path) -> list[Path]:
    """Remove what a killed build left behind in ``build_dir``; return what was removed."""
    removed = [p for pattern in STALE for p in build_dir.glob(pattern)]
    for path in removed:
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    return removed
