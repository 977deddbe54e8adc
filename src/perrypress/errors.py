"""The errors a source file can cause, printed as ``file:line: message — fix``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class SourceError(Exception):
    """A problem in one of the paper's sources that its author can fix."""

    path: str | Path
    message: str
    fix: str = ""
    line: int | None = None
    column: int | str | None = None

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        text = f"{where}: {self.message}"
        return f"{text} — {self.fix}" if self.fix else text


class ConfigError(SourceError):
    """The workflow configuration does not match its schema."""


class DataError(SourceError):
    """A data file does not match its schema."""


class BibliographyError(SourceError):
    """The bibliography cannot be parsed or is incomplete."""


class DocumentError(SourceError):
    """The paper's text refers to something that does not exist."""


class BuildError(Exception):
    """A rendering tool (pandoc, Typst) failed; its own message says why."""


def line_of(path: Path, needle: str) -> int | None:
    """Return the 1-based line of the first occurrence of ``needle`` in ``path``."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    index = text.find(needle)
    return None if index < 0 else text.count("\n", 0, index) + 1


class PublishError(BuildError):
    """Publishing failed (bundle, credentials, or the site's answer); the message says what to do."""
