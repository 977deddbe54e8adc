"""The errors a source file can cause, printed as ``file:line: message — fix``."""

from __future__ import annotations

from collections.abc import Iterable
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


class SourceErrors(SourceError):
    """Several problems found in one pass, each printed on its own line (``file:line: message — fix``)."""

    def __init__(self, errors: list[SourceError]) -> None:
        first = errors[0]
        super().__init__(first.path, first.message, first.fix, first.line, first.column)
        self.errors = errors

    def __str__(self) -> str:
        return "\n".join(dict.fromkeys(str(error) for error in self.errors))


def raise_all(errors: list[SourceError]) -> None:
    """Raise the one error, or all of them as SourceErrors; nothing when there is none."""
    flat = [e for error in errors for e in (error.errors if isinstance(error, SourceErrors) else [error])]
    if len(flat) == 1:
        raise flat[0]
    if flat:
        kinds = {type(error) for error in flat}
        # All of one kind (DataError…): the group is that kind too, so callers catching it still do.
        kind = kinds.pop() if len(kinds) == 1 else SourceError
        raise _group(kind)(flat)


_GROUPS: dict[type, type] = {}


def _group(kind: type) -> type:
    """SourceErrors that is also a ``kind`` (e.g. several DataErrors: an ``except DataError`` catches them)."""
    if kind is SourceError:
        return SourceErrors
    if kind not in _GROUPS:
        _GROUPS[kind] = type(f"{kind.__name__}s", (SourceErrors, kind), {"__str__": SourceErrors.__str__})
    return _GROUPS[kind]


def near_miss(word: str, choices: Iterable[str]) -> str | None:
    """The choice ``word`` was probably meant to be: the same but for case, else the closest spelling."""
    import difflib

    options = [str(c) for c in choices]
    same = [c for c in options if c.lower() == str(word).lower() and c != word]
    if same:
        return same[0]
    close = difflib.get_close_matches(str(word), options, n=1, cutoff=0.75)
    return close[0] if close else None


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """"did you mean 'Kingston'? " for a near miss, else ''."""
    near = near_miss(word, choices)
    return f"did you mean {near!r}? " if near else ""


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
