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

# Left by a failed build (removed by the next successful one): `perrypress build` then says
# "the last build failed" of the steps that run again because of it.
FAILED = Path("_build") / ".last-build-failed"
# Files a killed build may leave in _build/: staging folders and half-copied editions.
STALE = (".tmp-*", ".*.tmp")


def umask_mode() -> int:
    """The mode the user's umask gives a new file (0644 under umask 022), as ``open()`` would create it."""
    try:  # Linux says it without changing it (os.umask would, for a moment, for every thread)
        status = Path("/proc/self/status").read_text(encoding="ascii")
        mask = next(int(line.split()[1], 8) for line in status.splitlines() if line.startswith("Umask:"))
    except (OSError, StopIteration, ValueError, IndexError):
        mask = os.umask(0o022)
        os.umask(mask)
    return 0o666 & ~mask


def replace(built: Path, readers: Path) -> None:
    """Put a copy of the edition ``built`` at ``readers`` in one atomic rename.

    The copy gets the mode any new file gets under the user's umask (``mkstemp`` alone would
    make it 0600, unreadable to a web server, a shared group or an rsync of ``_build/``).
    """
    readers.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=readers.parent, prefix=f".{readers.name}.", suffix=".tmp")
    try:
        os.fchmod(handle, umask_mode())
        with os.fdopen(handle, "wb") as out, built.open("rb") as source:
            shutil.copyfileobj(source, out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(temporary, readers)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def forget(built: list[Path], *, failed: Path = FAILED) -> None:
    """After a failed build, remove the workflow's copies so that none counts as up to date; note the failure."""
    for path in built:
        path.unlink(missing_ok=True)
    failed.parent.mkdir(parents=True, exist_ok=True)
    failed.write_text("The last build failed: its failed steps and the editions run again.\n", encoding="utf-8")


def succeeded(*, failed: Path = FAILED) -> None:
    """After a successful build, forget that an earlier one failed."""
    failed.unlink(missing_ok=True)


def remove_stale(build_dir: Path) -> list[Path]:
    """Remove what a killed build left behind in ``build_dir``; return what was removed."""
    removed = [p for pattern in STALE for p in build_dir.glob(pattern)]
    for path in removed:
        shutil.rmtree(path) if path.is_dir() else path.unlink(missing_ok=True)
    return removed
