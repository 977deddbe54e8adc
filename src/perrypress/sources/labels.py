"""The words the editions print that are not the paper's own ("Figure", "Notes", "Cite this paper"), per language.

One table per language, ``labels/<language>.yaml`` in the package, is chosen by
``lang:`` in report.qmd (``es-ES`` → ``es.yaml``); a paper may override any
label under ``perry-labels:`` in its metadata. Pandoc gets them as the metadata
map ``perry-labels`` (templates: ``$perry-labels.figure$``; filters:
``meta['perry-labels']``), and the standard keys ``reference-section-title``
and ``notes-title`` from them. Not ``labels``: that name is
Quarto's, which replaces it with its own title-block labels before any filter
runs (quarto-cli src/resources/filters/modules/authors.lua, computeLabels).
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from ..errors import DocumentError
from .config import load_yaml, yaml_line

log = logging.getLogger(__name__)

TABLES = Path(__file__).parent / "languages"
DEFAULT_LANG = "en-US"
# The metadata key of the labels, in report.qmd (a paper's overrides) and for pandoc (the whole table).
KEY = "perry-labels"


def languages() -> list[str]:
    """The languages a table exists for ('en', 'es', …)."""
    return sorted(p.stem for p in TABLES.glob("*.yaml"))


def language_of(lang: str) -> str:
    """The language part of a BCP 47 tag: 'es-ES' → 'es', 'en_US' → 'en'."""
    return lang.replace("_", "-").split("-")[0].lower()


@cache
def table(language: str) -> dict[str, Any]:
    """The labels of ``language`` ('en', 'es'); KeyError for a language with no table."""
    path = TABLES / f"{language}.yaml"
    if not path.is_file():
        raise KeyError(language)
    return load_yaml(path.read_text(encoding="utf-8"))


def labels_for(meta: dict[str, Any], *, path: Path, text: str = "") -> dict[str, Any]:
    """The labels of a paper: its language's table, with the overrides under ``perry-labels:`` in its metadata."""
    lang = str(meta.get("lang") or DEFAULT_LANG)
    try:
        labels = dict(table(language_of(lang)))
    except KeyError:
        raise DocumentError(path, f"metadata: lang {lang!r} has no label table",
                            f"use one of {', '.join(languages())} (e.g. en-US, es-ES), or add "
                            f"src/perrypress/sources/languages/{language_of(lang)}.yaml",
                            line=yaml_line(text, ["lang"]) + 1 if text else None) from None
    if "labels" in meta:
        raise DocumentError(path, "metadata: 'labels' is Quarto's own key (its title-block labels)",
                            "write the paper's labels under perry-labels: instead",
                            line=yaml_line(text, ["labels"]) + 1 if text else None)
    _gendered(labels, meta)
    overrides = meta.get(KEY) or {}
    if not isinstance(overrides, dict):
        raise DocumentError(path, f"metadata: '{KEY}' must be a map of label: text",
                            f"write e.g. {KEY}: {{about-author: Sobre la autora}}")
    for key, value in overrides.items():
        if key not in labels:
            raise DocumentError(path, f"metadata: {KEY}.{key} is not a label",
                                f"use one of: {', '.join(k for k in labels if k != 'months')}",
                                line=yaml_line(text, [KEY, key]) + 1 if text else None)
        if key == "months" and (not isinstance(value, list) or len(value) != 12):
            raise DocumentError(path, f"metadata: {KEY}.months must list twelve month names",
                                "write them in order, January first")
        if key == "quotes":
            if not isinstance(value, dict) or set(value) - set(labels["quotes"]):
                raise DocumentError(path, f"metadata: {KEY}.quotes is a map of open, close, inner-open, inner-close",
                                    f"write e.g. {KEY}: {{quotes: {{open: «, close: »}}}}")
            value = {**labels["quotes"], **{k: str(v) for k, v in value.items()}}
        labels[key] = value if key in {"months", "quotes"} else str(value)
    return labels


GENDERS = ("female", "male")


def _gendered(labels: dict[str, Any], meta: dict[str, Any]) -> None:
    """The "About the Author" headings in the authors' grammatical gender, when the metadata gives it.

    ``gender: female`` (or ``male``) under each author picks ``about-author-female`` (one author)
    or ``about-authors-female`` (several, every one female; any male gives ``-male``).
    """
    authors = meta.get("author") or []
    authors = authors if isinstance(authors, list) else [authors]
    genders = [str(a.get("gender", "")).strip().lower() for a in authors if isinstance(a, dict)]
    if not authors or len(genders) != len(authors) or not all(g in GENDERS for g in genders):
        return
    gender = "female" if all(g == "female" for g in genders) else "male"
    for key in ("about-author", "about-authors"):
        if f"{key}-{gender}" in labels:
            labels[key] = labels[f"{key}-{gender}"]


def report_labels(report: Path) -> dict[str, Any]:
    """The labels of the paper whose metadata ``report`` (report.qmd) holds: its ``lang:``'s table and overrides."""
    from .metadata import read_metadata

    meta, text = read_metadata(report)
    return labels_for(meta, path=report, text=text)


def pandoc_metadata(meta: dict[str, Any], *, path: Path, text: str = "") -> dict[str, Any]:
    """The metadata an edition's pandoc run is given: the labels, and the section titles citeproc and filters read."""
    labels = labels_for(meta, path=path, text=text)
    return {
        KEY: {key: value for key, value in labels.items() if key != "months"},
        "reference-section-title": str(meta.get("reference-section-title") or labels["bibliography"]),
        "notes-title": str(meta.get("notes-title") or labels["notes"]),
    }


def write_pandoc_defaults(report: Path, output: Path) -> Path:
    """Write a pandoc defaults file giving ``report``'s labels as metadata (which overrides the document's)."""
    from .metadata import read_metadata

    meta, text = read_metadata(report)
    defaults = {"metadata": pandoc_metadata(meta, path=report, text=text)}
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(yaml.safe_dump(defaults, allow_unicode=True, sort_keys=True), encoding="utf-8")
    return output
