"""`perrypress new`: a new paper project that builds at once with the installed package's workflow and filters.

The project gets only the paper's own files (metadata, a section, a bibliography,
a table's data as a Frictionless Data Package — ``data/datapackage.json`` with
``data/sources.csv``, the works its provenance column cites —, configuration, a
tiny Snakefile, CI script, README); the tool stays in the package
(perrypress/resources.py). The files are the package's ``scaffold/`` folder: ``common/`` for every language and ``<language>/`` for the
example text and data, with ``words.yaml`` giving the metadata's words.
Placeholders ``@@name@@`` are replaced by YAML scalars written by a YAML dumper,
so a title with a colon, quotes or a hash stays one string (in ``datapackage.json``,
by JSON strings).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import textwrap
import unicodedata
from importlib import metadata
from pathlib import Path
from typing import Any

import yaml

from ..errors import SourceError
from ..resources import PACKAGE
from ..sources.labels import language_of, table

log = logging.getLogger(__name__)

SCAFFOLD = PACKAGE / "new" / "scaffold"
# The region a bare language gets in report.qmd's `lang:` (the CSL locale and Typst's quotes follow it).
REGIONS = {"en": "en-US", "es": "es-ES"}
_PLACEHOLDER = re.compile(r"@@([a-z_]+)@@")


class NewProjectError(SourceError):
    """`perrypress new` cannot write the project where or as asked."""


def languages() -> list[str]:
    """The languages a new paper can be written in ('en', 'es')."""
    return sorted(p.name for p in SCAFFOLD.iterdir() if (p / "words.yaml").is_file())


def slug(text: str) -> str:
    """A file-name slug of ``text``: ASCII lower case words joined by hyphens ('Ñandú: Sí' → 'nandu-si')."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    words = re.sub(r"[^a-z0-9]+", " ", ascii_text.lower()).split()
    # At most 60 characters, whole words only (the first word however long).
    kept = [words[0][:60]] if words else ["paper"]
    for word in words[1:]:
        if len("-".join(kept + [word])) > 60:
            break
        kept.append(word)
    return "-".join(kept)


def yaml_scalar(value: Any, *, width: int = 72) -> str:
    """``value`` as YAML that reads back equal after ``key: ``: strings double-quoted, long prose folded (``>-``)."""
    if isinstance(value, str) and len(value) > width and re.fullmatch(r"\S+( \S+)*", value):
        # Single spaces only: folding the lines back joins them with one space, giving the same text.
        return ">-\n" + "\n".join(textwrap.wrap(value, width, break_long_words=False, break_on_hyphens=False))
    text = yaml.safe_dump(value, default_style='"', default_flow_style=True, allow_unicode=True, width=1 << 30)
    return text.strip().removesuffix("...").strip()


def _values(*, title: str, author: str, lang: str, today: dt.date) -> dict[str, Any]:
    """Every placeholder's value for a paper in ``lang`` (a BCP 47 tag)."""
    language = language_of(lang)
    words = yaml.safe_load((SCAFFOLD / language / "words.yaml").read_text(encoding="utf-8"))
    year = str(today.year)
    name = slug(title)
    values = {key: words[key] for key in ("bio", "statement", "disclaimer", "back_disclaimer", "editor_in_chief",
                                          "editor", "layout", "to_be_named", "summary", "keywords", "topics",
                                          "countries", "language", "number", "table_caption", "table_columns",
                                          "table_source")}
    values |= {
        "title": title,
        "author": author,
        "date": f"{year}-{today.month:02d}",
        "lang": lang,
        "edition": words["edition"].format(year=year),
        "month": table(language)["months"][today.month - 1],
        "year": year,
        "slug": f"emerging-voices-{year}-{name}",
        "canonical_url": f"https://www.wjpcenter.org/emerging-voices/{year}/{name}/",
        "output_name": name,
    }
    # Values that are not YAML stay as they are: the README's heading, the requirement's version, and
    # the data package's name and title, which are JSON strings (data/datapackage.json).
    return {key: yaml_scalar(value) for key, value in values.items()} | {
        "title_text": title, "output_file": name, "version": metadata.version("perrypress"),
        "package_name": json.dumps(f"{name}-data"),
        "package_title": json.dumps(words["package_title"].format(title=title), ensure_ascii=False)}


def _fill(text: str, values: dict[str, str], *, source: Path) -> str:
    """Replace every ``@@name@@`` in ``text``; an unknown name is a bug in the scaffold."""
    def value(match: re.Match[str]) -> str:
        if match.group(1) not in values:
            raise KeyError(f"{source}: no value for placeholder {match.group(0)}")
        # A value on several lines continues indented under its key.
        line = text[text.rfind("\n", 0, match.start()) + 1:match.start()]
        indent = " " * (len(line) - len(line.lstrip()) + 2)
        return values[match.group(1)].replace("\n", "\n" + indent)

    return _PLACEHOLDER.sub(value, text)


def _files(language: str) -> list[tuple[Path, Path]]:
    """(scaffold file, path in the project) for every file a paper in ``language`` gets."""
    found = []
    for folder in (SCAFFOLD / "common", SCAFFOLD / language):
        for path in sorted(folder.rglob("*")):
            if path.is_file() and path.name != "words.yaml" and "__pycache__" not in path.parts:
                parts = [p.replace("dot-", ".", 1) if p.startswith("dot-") else p
                         for p in path.relative_to(folder).parts]
                found.append((path, Path(*parts)))
    return found


# How many of a name's last words are the family name, by language, when --family is not given
# (Spanish names carry two surnames: "Ana Gómez Ruiz" is "Gómez Ruiz, Ana").
FAMILY_WORDS = {"es": 2}
_EXAMPLE_SPLIT = "    # family: Fernández O'Brien\n    # given: Lucía\n"


def name_split(author: str, *, language: str, family: str | None = None) -> tuple[str, str] | None:
    """(family, given) to write under the author, or None to leave pybtex's split (the last word).

    ``family`` (--family) when given; else, for a name of more than two words in a language of
    FAMILY_WORDS, its last words (two in Spanish); in other languages pybtex's split stands.
    """
    words = author.split()
    if family:
        family = " ".join(family.split())
        joined = " ".join(words)
        if not joined.endswith(family) or joined == family:
            raise NewProjectError("--family", f"{family!r} is not the end of the name {joined!r}",
                                  "give the family name as it ends --author, e.g. --family \"Gómez Ruiz\"")
        return family, joined[:-len(family)].strip()
    count = FAMILY_WORDS.get(language)
    if count is None or len(words) <= count:  # pybtex's split: the last word, with its particles ("de la")
        return None
    return " ".join(words[-count:]), " ".join(words[:-count])


def new_project(folder: Path, *, title: str, author: str, lang: str = "en",
                today: dt.date | None = None, family: str | None = None) -> list[Path]:
    """Write a new paper project in ``folder`` (absent or empty); return the files written, relative to it."""
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise NewProjectError(folder, "the folder is not empty" if folder.is_dir() else "a file of that name exists",
                              "give the name of a new folder, or empty this one")
    language = language_of(lang)
    if language not in languages():
        raise NewProjectError(folder, f"no scaffold for the language {lang!r}",
                              f"use --lang with one of {', '.join(languages())}")
    if not title.strip() or not author.strip():
        raise NewProjectError(folder, "the title and the author must not be empty",
                              'give --title "…" and --author "…"')
    tag = REGIONS[language] if lang.lower() == language else lang
    values = _values(title=title.strip(), author=author.strip(), lang=tag, today=today or dt.date.today())
    split = name_split(author, language=language, family=family)
    written = []
    for source, relative in _files(language):
        target = folder / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        text = _fill(source.read_text(encoding="utf-8"), values, source=source)
        if relative == Path("report.qmd") and split:
            text = text.replace(_EXAMPLE_SPLIT, f"    family: {yaml_scalar(split[0])}\n"
                                                f"    given: {yaml_scalar(split[1])}\n")
        target.write_text(text, encoding="utf-8")
        if relative.parts[0] == ".ci":
            target.chmod(0o755)
        written.append(relative)
    return written
