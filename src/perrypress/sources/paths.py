"""Keep the build inside the project: any source path that resolves outside the project root is an error."""

from __future__ import annotations

from pathlib import Path

from ..errors import DocumentError, SourceError, line_of

FIX = "keep every source inside the project folder: copy the file in and refer to it there"


def inside_root(path: Path, root: Path, *, source: Path, target: str, line: int | None = None,
                error: type[SourceError] = DocumentError) -> Path:
    """Return ``path`` if it resolves (after ``..`` and symlinks) inside ``root``; else raise ``error`` at source:line."""
    if not path.resolve().is_relative_to(root.resolve()):
        raise error(source, f"{target!r} resolves outside the project folder ({path.resolve()})", FIX,
                    line=line if line is not None else line_of(source, target))
    return path
