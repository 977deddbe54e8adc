"""Keep the last good editions when a build fails (Snakemake deletes a failed job's outputs)."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

log = logging.getLogger(__name__)


def save(editions: list[Path], backup: Path) -> None:
    """Copy the editions that exist now into ``backup``, keeping their modification times."""
    shutil.rmtree(backup, ignore_errors=True)
    backup.mkdir(parents=True, exist_ok=True)
    for edition in editions:
        if edition.exists():
            shutil.copy2(edition, backup / edition.name)


def restore(editions: list[Path], backup: Path) -> list[Path]:
    """Put back every saved edition that the failed build removed; return those put back.

    The copies keep their old modification times, so the next build still rebuilds them.
    """
    restored = []
    for edition in editions:
        saved = backup / edition.name
        if not edition.exists() and saved.exists():
            shutil.move(saved, edition)
            restored.append(edition)
            log.warning("%s: the build failed; the last good edition was kept", edition)
    discard(backup)
    return restored


def discard(backup: Path) -> None:
    """Remove the copies once the build is over."""
    shutil.rmtree(backup, ignore_errors=True)
