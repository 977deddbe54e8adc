"""Write the placed edits into the source files, changing no other byte."""

from __future__ import annotations

import logging
import os
import subprocess
import tempfile
from pathlib import Path

from .place import Edit, Unplaced
from .source_text import read_source

log = logging.getLogger(__name__)


def uncommitted(root: Path, files: list[str]) -> list[str]:
    """Those of ``files`` with changes git has not committed (none when ``root`` is not in a git repository)."""
    if not files:
        return []
    result = subprocess.run(["git", "status", "--porcelain", "--", *files], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        return []
    return sorted({line[3:].strip() for line in result.stdout.splitlines() if line.strip()})


def relocate(edits: list[Edit], base: Path, root: Path) -> tuple[list[Edit], list[Unplaced], list[Edit]]:
    """The edits placed in the working tree's files (found again by their paragraph where those files changed),
    those that cannot be, and those the working tree already has."""
    placed, conflicts, present = [], [], []
    texts: dict[str, tuple[str, str]] = {}
    for edit in edits:
        if edit.file not in texts:
            texts[edit.file] = (read_source(base / edit.file),
                                read_source(root / edit.file) if (root / edit.file).exists() else "")
        old, now = texts[edit.file]
        if base.resolve() == root.resolve() or old == now:
            placed.append(edit)
            continue
        context = old[edit.context[0]:edit.context[1]]
        if context and now.count(context) == 1:
            shift = now.index(context) - edit.context[0]
            placed.append(Edit(edit.file, edit.start + shift, edit.end + shift, edit.new,
                               now.count("\n", 0, edit.start + shift) + 1, edit.what, edit.before, edit.after,
                               (edit.context[0] + shift, edit.context[1] + shift)))
        elif context and now.count(_made(old, edit, edits)) == 1:
            present.append(edit)
        else:
            conflicts.append(Unplaced(edit.what, f"{edit.file}:{edit.line}", edit.before, edit.after,
                                      "the paragraph has changed in the working tree since the DOCX was made"))
    return placed, conflicts, present


def _made(text: str, edit: Edit, edits: list[Edit]) -> str:
    """The edit's paragraph as it reads once all the edits in it are made."""
    start, end = edit.context
    mine = [Edit(e.file, e.start - start, e.end - start, e.new, e.line, e.what, e.before, e.after)
            for e in edits if e.file == edit.file and e.context == edit.context]
    return rewritten(text[start:end], mine)


def without_overlaps(edits: list[Edit]) -> tuple[list[Edit], list[Unplaced]]:
    """The edits that touch distinct spans; an edit overlapping an earlier one is reported instead."""
    kept: list[Edit] = []
    dropped: list[Unplaced] = []
    for edit in sorted(edits, key=lambda e: (e.file, e.start, e.end)):
        clash = any(k.file == edit.file and (k.start < edit.end and edit.start < k.end or
                                             (k.start == k.end == edit.start == edit.end)) for k in kept)
        if clash:
            dropped.append(Unplaced(edit.what, f"{edit.file}:{edit.line}", edit.before, edit.after,
                                    "overlaps another edit of the same words"))
        else:
            kept.append(edit)
    return kept, dropped


def rewritten(text: str, edits: list[Edit]) -> str:
    """``text`` with ``edits`` (spans of this text) made, last first."""
    for edit in sorted(edits, key=lambda e: (e.start, e.end), reverse=True):
        text = text[:edit.start] + edit.new + text[edit.end:]
    return text


def write_edits(root: Path, edits: list[Edit]) -> list[str]:
    """Rewrite each file the edits touch, atomically; return the files written."""
    written = []
    for name in sorted({e.file for e in edits}):
        path = root / name
        text = read_source(path)
        new = rewritten(text, [e for e in edits if e.file == name])
        if new == text:
            continue
        handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(new)
        os.chmod(temporary, path.stat().st_mode & 0o777)
        os.replace(temporary, path)
        written.append(name)
        log.info("%s: %d edit(s) written", name, sum(1 for e in edits if e.file == name))
    return written
