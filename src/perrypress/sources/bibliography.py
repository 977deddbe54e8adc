"""Check the bibliography: it parses, has no duplicates, has the fields Chicago needs, covers every citation."""

from __future__ import annotations

import csv
import io
import logging
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import BibliographyError, DataError, DocumentError
from .utf8 import read_source

if TYPE_CHECKING:  # pybtex is imported where a bibliography is parsed: the editions only read its keys
    from pybtex.database import BibliographyData

log = logging.getLogger(__name__)

# Fields each biblatex entry type needs for a Chicago note and bibliography entry.
# A tuple means "one of these".
REQUIRED: dict[str, list[str | tuple[str, ...]]] = {
    "article": ["author", "title", ("journaltitle", "journal"), ("date", "year")],
    "book": [("author", "editor"), "title", "publisher", ("date", "year")],
    "incollection": ["author", "title", "booktitle", "editor", "publisher", ("date", "year")],
    "inbook": ["author", "title", "booktitle", "publisher", ("date", "year")],
    "report": ["author", "title", ("institution", "publisher")],  # may be undated (n.d.)
    "techreport": ["author", "title", "institution", ("date", "year")],
    "thesis": ["author", "title", ("institution", "school", "publisher"), ("date", "year")],
    "online": [("author", "organization", "editor"), "title", "url"],
    "misc": [("author", "organization", "editor"), "title"],
}

# A pandoc citation: '@key' not preceded by a word character or a backslash (an escaped '@').
_CITATION = re.compile(r"(?<![\w\\@])-?@([A-Za-z0-9_][A-Za-z0-9_:.#$%&\-+?<>~/]*[A-Za-z0-9_])")
# Quarto cross-reference prefixes are not citations.
CROSSREF_PREFIXES = ("fig-", "tbl-", "sec-", "eq-", "lst-")


@dataclass(frozen=True)
class Citation:
    """One use of a citation key in a source file."""

    key: str
    path: Path
    line: int


def parse(path: Path) -> BibliographyData:
    """Parse ``path`` with pybtex in strict mode; raise BibliographyError with its line."""
    from pybtex import errors as pybtex_errors
    from pybtex.database import parse_string
    from pybtex.scanner import PybtexSyntaxError

    try:
        text = read_source(path, BibliographyError)
    except OSError as exc:
        raise BibliographyError(path, f"cannot read the bibliography ({exc.strerror})", "check the path") from None
    _check_duplicates(text, path)
    pybtex_errors.set_strict_mode(True)
    try:
        return parse_string(text, "bibtex")
    except PybtexSyntaxError as exc:
        raise BibliographyError(path, f"syntax error: {exc.error_type}", "fix the entry at this line",
                                line=exc.lineno) from None
    except Exception as exc:  # pybtex raises plain BibliographyDataError and friends
        raise BibliographyError(path, str(exc), "fix the entry") from None


def write_keys(bib: BibliographyData, path: Path) -> None:
    """Write the keys of a checked bibliography, one a line: the editions read them instead of parsing it again."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(f"{key}\n" for key in sorted(bib.entries)), encoding="utf-8")


def read_keys(path: Path) -> set[str]:
    """Read the keys :func:`write_keys` wrote."""
    return set(path.read_text(encoding="utf-8").splitlines())


def _check_duplicates(text: str, path: Path) -> None:
    """Raise BibliographyError at the second entry that repeats a key (keys are case-insensitive)."""
    seen: dict[str, int] = {}
    for match in re.finditer(r"^[ \t]*@(\w+)\s*\{\s*([^,\s]+)\s*,", text, flags=re.M):
        if match.group(1).lower() in {"comment", "preamble", "string"}:
            continue
        key, line = match.group(2), text.count("\n", 0, match.start(2)) + 1
        if key.lower() in seen:
            raise BibliographyError(path, f"duplicate key '{key}' (first defined on line {seen[key.lower()]})",
                                    "rename or remove one of the entries", line=line)
        seen[key.lower()] = line


def _entry_line(text: str, key: str) -> int | None:
    """Return the line where the entry ``key`` starts."""
    match = re.search(r"^[ \t]*@\w+\s*\{\s*" + re.escape(key) + r"\s*,", text, flags=re.M)
    return None if match is None else text.count("\n", 0, match.start()) + 1


def check_fields(bib: BibliographyData, path: Path) -> None:
    """Raise BibliographyError for the first entry that lacks a field its type needs."""
    text = read_source(path, BibliographyError)
    for key, entry in bib.entries.items():
        needs = REQUIRED.get(entry.type.lower())
        if needs is None:
            raise BibliographyError(path, f"entry '{key}' has type @{entry.type}, which the build does not know",
                                    f"use one of: {', '.join('@' + t for t in REQUIRED)}", line=_entry_line(text, key))
        present = {f.lower() for f in entry.fields} | {r.lower() for r in entry.persons}
        for need in needs:
            options = (need,) if isinstance(need, str) else need
            if not present.intersection(options):
                raise BibliographyError(path, f"entry '{key}' (@{entry.type}) has no {' or '.join(options)}",
                                        "add the field: Chicago style needs it", line=_entry_line(text, key))


def citations_in(paths: Iterable[Path]) -> Iterator[Citation]:
    """Yield every citation key used in ``paths``, with its file and line."""
    for path in paths:
        for number, line in enumerate(read_source(path).splitlines(), start=1):
            for match in _CITATION.finditer(line):
                key = match.group(1)
                if not key.startswith(CROSSREF_PREFIXES):
                    yield Citation(key, path, number)


def check_known(citation: Citation, keys: set[str], bib_name: str) -> None:
    """Raise DocumentError when ``citation`` names no entry; keys match exactly, as in citeproc."""
    if citation.key in keys or citation.key == "*":
        return
    from ..errors import near_miss

    near = near_miss(citation.key, keys)
    fix = (f"did you mean '@{near}'? Keys are case-sensitive" if near and near.lower() == citation.key.lower()
           else f"did you mean '@{near}'? Or add an entry '{citation.key}' to {bib_name}" if near
           else f"add an entry '{citation.key}' to {bib_name} or correct the key")
    raise DocumentError(citation.path, f"citation key '@{citation.key}' is not in {bib_name}", fix,
                        line=citation.line)


# The columns of the data package's ``sources`` table (data/sources.csv) besides its key.
SOURCE_COLUMNS = ("author", "title", "year", "url")


def _plain(text: str) -> str:
    """A BibTeX field as plain text: braces that protect case removed, whitespace collapsed."""
    return " ".join(text.replace("{", "").replace("}", "").split())


def source_row(entry) -> dict[str, str]:
    """What the ``sources`` table says of a work: author (or institution), title, year, URL, from its entry."""
    authors = "; ".join(_plain(str(p)) for p in entry.persons.get("author", []))
    fields = entry.fields
    return {"author": authors or _plain(fields.get("institution", "")), "title": _plain(fields.get("title", "")),
            "year": fields.get("year", fields.get("date", ""))[:4], "url": fields.get("url", "")}


def check_sources_table(path: Path, entries: dict, bib_names: str) -> None:
    """Raise DataError for a row of the data's ``sources`` table that is not its bibliography entry's word for word."""
    from .datapackage import read_text

    with io.StringIO(read_text(path), newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        for number, row in enumerate(reader, start=2):
            key = row.get("key") or ""
            if key not in entries:
                raise DataError(path, f"column 'key': {key!r} is not a key of {bib_names}",
                                "add the work to the bibliography, or correct the key", line=number, column=1)
            for name, value in source_row(entries[key]).items():
                if name in header and (row.get(name) or "") != value:
                    raise DataError(path, f"column '{name}': {row.get(name)!r} is not what the entry {key!r} says",
                                    f"write {value!r} (from {bib_names}), or correct the entry", line=number,
                                    column=header.index(name) + 1)


def check_citations(citations: Iterable[Citation], keys: set[str], bib_path: Path) -> None:
    """Every citation names an entry, and every entry is cited (or listed in the report's nocite).

    ``citations`` are those of the whole document: the report (its nocite) and every file it includes,
    sections and generated tables alike. The editions run this check, so it is as current as they are.
    """
    cited: set[str] = set()
    for citation in citations:
        check_known(citation, keys, bib_path.name)
        cited.add(citation.key)
    uncited = keys - cited
    if uncited and "*" not in cited:  # nocite: '@*' lists every entry
        text = read_source(bib_path, BibliographyError)
        first = min(uncited, key=lambda key: (_entry_line(text, key) or 0, key))  # the first in the file
        raise BibliographyError(bib_path, f"entry '{first}' is neither cited nor listed in nocite",
                                "cite it, add it to nocite in report.qmd, or remove it",
                                line=_entry_line(text, first))


def check_entries(bib_path: Path, *, sources_table: Path | None = None,
                  provenance_bib: Path | None = None) -> BibliographyData:
    """The bibliography on its own: it parses, has no duplicate, each entry has its fields, and the data's
    table of sources says what its entries say. Return the parsed bibliography."""
    bib = parse(bib_path)
    check_fields(bib, bib_path)
    entries = dict(bib.entries) | (dict(parse(provenance_bib).entries) if provenance_bib else {})
    names = bib_path.name + (f" or {provenance_bib}" if provenance_bib else "")
    if sources_table is not None:
        check_sources_table(sources_table, entries, names)
    log.info("%s: %d entries, all complete", bib_path, len(bib.entries))
    return bib


def check(bib_path: Path, *, report: Path, sources: Iterable[Path], sources_table: Path | None = None,
          provenance_bib: Path | None = None) -> BibliographyData:
    """Run every check, the entries' and the citations' of ``report`` and ``sources``; return the bibliography."""
    bib = check_entries(bib_path, sources_table=sources_table, provenance_bib=provenance_bib)
    check_citations(citations_in([report, *sources]), set(bib.entries), bib_path)
    return bib
