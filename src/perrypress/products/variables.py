"""Compute the numbers the prose quotes (Quarto ``{{< var >}}``) from the data files, as configuration declares them.

Each group of ``variables:`` in config/config.yaml reads one CSV of the data package and is one of
two shapes (README, "Numbers in the text"): one number per row (``key``: the column naming it,
``value``: the column giving it), or ``sums`` (a column added up over the rows whose columns have
the values ``where`` gives). Every number has two forms, ``pct`` (in figures) and ``words``
(spelled out in the paper's language, number_words.py). Nothing about one paper is written here.
"""

from __future__ import annotations

import json
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from ..errors import ConfigError, DataError, DocumentError
from ..sources.data_tables import load_table
from .number_words import figure, languages, spell

log = logging.getLogger(__name__)

CONFIG = Path("config/config.yaml")
# The group the figures' alt texts are written to (figures.<slug>.alt); no configured group may take it.
FIGURES = "figures"


def number_words(value: float, language: str = "en") -> str:
    """Spell out a whole number from 0 to 100 in ``language`` (Chicago style); others stay in figures."""
    return spell(value, language)


def paper_language(report: Path) -> str:
    """The language the numbers are spelled in: ``lang:`` of report.qmd ('es-ES' → 'es'; English if none)."""
    from ..sources.config import yaml_line
    from ..sources.labels import DEFAULT_LANG, language_of
    from ..sources.metadata import read_metadata

    meta, text = read_metadata(report)
    lang = str(meta.get("lang") or DEFAULT_LANG)
    if language_of(lang) not in languages():
        line = yaml_line(text, ["lang"])
        raise DocumentError(report, f"metadata: numbers cannot be spelled out in lang {lang!r}",
                            f"use one of {', '.join(languages())}, or add a speller to "
                            "src/perrypress/products/number_words.py", line=line + 1 if line else None)
    return language_of(lang)


def language_decimal_mark(language: str) -> str:
    """The decimal mark of ``language`` ('en' → '.', 'es' → ','): its labels' ``decimal-mark``."""
    from ..sources.labels import table

    try:
        return str(table(language).get("decimal-mark", "."))
    except KeyError:
        return "."


def _entry(value: float, *, language: str, decimal_mark: str) -> dict[str, str]:
    """The forms a number takes in the prose: ``pct`` in figures, ``words`` spelled out."""
    return {"pct": figure(value, decimal_mark=decimal_mark),
            "words": spell(value, language, decimal_mark=decimal_mark)}


def _empty(value: Any) -> bool:
    """A cell with no value: None, NaN or blank."""
    return value is None or (isinstance(value, float) and math.isnan(value)) or str(value).strip() == ""


class _Group:
    """One group of ``variables:`` (``variables.<name>``): its data file read once, its config keys located."""

    def __init__(self, name: str, spec: Mapping[str, Any], *, root: Path, config: Path) -> None:
        self.name, self.spec, self.config = name, spec, config
        self.path = root / spec["data"]
        self.frame = load_table(self.path)

    def line(self, *keys: str) -> int | None:
        """The line of ``variables.<name>.<keys…>`` in the configuration file, when it can be read."""
        from ..sources.config import yaml_line

        try:
            text = self.config.read_text(encoding="utf-8")
        except OSError:
            return None
        return yaml_line(text, ["variables", self.name, *keys])

    def column(self, name: str, *keys: str) -> str:
        """``name``, checked to be a column of the group's data file; a ConfigError at ``keys`` if it is not."""
        if name not in self.frame.columns:
            where = ".".join(["variables", self.name, *keys])
            raise ConfigError(self.config, f"{where}: {name!r} is not a column of {self.spec['data']}",
                              f"use one of its columns: {', '.join(self.frame.columns)}", line=self.line(*keys))
        return name

    def number(self, value: Any, column: str, row: int) -> float:
        """A cell as a number; a DataError naming the row and column when it is not one."""
        try:
            number = float(value)
            if not math.isfinite(number):
                raise ValueError
        except (TypeError, ValueError):
            raise DataError(self.path, f"column '{column}': {value!r} is not a number",
                            f"write a plain number (variables.{self.name} reads this column), or leave it empty",
                            line=int(row), column=list(self.frame.columns).index(column) + 1) from None
        return number


def _by_key(group: _Group, *, language: str, decimal_mark: str) -> dict[str, Any]:
    """One variable per row: named by the ``key`` column, its number from the ``value`` column (empty: none)."""
    key = group.column(group.spec["key"], "key")
    value = group.column(group.spec["value"], "value")
    out: dict[str, Any] = {}
    for row, name, cell in zip(group.frame.index, group.frame[key], group.frame[value]):
        if _empty(name):
            raise DataError(group.path, f"column '{key}' is empty", f"name the row: variables.{group.name} "
                            f"reads each row as {{{{< var {group.name}.KEY… >}}}}", line=int(row),
                            column=list(group.frame.columns).index(key) + 1)
        if str(name) in out:
            raise DataError(group.path, f"column '{key}': {name!r} names two rows",
                            f"give each row its own {key} (variables.{group.name} reads one number per row)",
                            line=int(row), column=list(group.frame.columns).index(key) + 1)
        if not _empty(cell):
            out[str(name)] = _entry(group.number(cell, value, row), language=language, decimal_mark=decimal_mark)
    return out


def _as_number(value: Any) -> float | None:
    """``value`` as a number, or None when it is not one."""
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _matches(group: _Group, cells: pd.Series, wanted: Any, *keys: str) -> pd.Series:
    """Which ``cells`` equal ``wanted`` (a value or a list of them): as numbers in a number column, else as text."""
    values = wanted if isinstance(wanted, list) else [wanted]
    if any(isinstance(v, bool) for v in values):
        raise ConfigError(group.config, f"{'.'.join(['variables', group.name, *keys])}: YAML reads an unquoted "
                          f"yes/no/true/false as true or false, not as the text of a cell",
                          'quote it as the CSV writes it, e.g. "yes"', line=group.line(*keys))
    if pd.api.types.is_numeric_dtype(cells):
        return cells.isin([n for n in map(_as_number, values) if n is not None])
    texts = {str(v) for v in values}
    return cells.map(lambda cell: not _empty(cell) and str(cell) in texts).astype(bool)


def _sums(group: _Group, *, language: str, decimal_mark: str) -> dict[str, Any]:
    """One variable per entry of ``sums``: its ``column`` added up over the rows that match its ``where``."""
    out: dict[str, Any] = {}
    for name, total in group.spec["sums"].items():
        column = group.column(total["column"], "sums", name, "column")
        rows = pd.Series(True, index=group.frame.index)
        for where, wanted in (total.get("where") or {}).items():
            keys = ("sums", name, "where", where)
            rows &= _matches(group, group.frame[group.column(where, *keys)], wanted, *keys)
        if not rows.any():
            condition = " and ".join(f"{c} = {w}" for c, w in (total.get("where") or {}).items())
            raise DataError(group.path, f"no row has {condition} (variables.{group.name}.sums.{name})",
                            "mark the rows to add up, or correct the condition in config/config.yaml")
        values = [group.number(v, column, r) for r, v in zip(group.frame.index[rows], group.frame[column][rows])
                  if not _empty(v)]
        out[name] = _entry(float(sum(values)), language=language, decimal_mark=decimal_mark)
    return out


def compute(spec: Mapping[str, Mapping[str, Any]], *, root: Path, language: str = "en",
            alt_texts: dict[str, str] | None = None, config: Path = CONFIG,
            decimal_mark: str | None = None) -> dict[str, Any]:
    """Return the variables tree: each configured group's numbers, and the figures' alt texts.

    ``spec`` is the configuration's ``variables:`` (README, "Numbers in the text"); ``language``
    ('en', 'es') spells the ``words`` forms and gives the decimal mark (its labels' ``decimal-mark``,
    unless ``decimal_mark`` or the group's own says otherwise); ``config`` is named in errors.
    """
    variables: dict[str, Any] = {}
    if FIGURES in spec:
        from ..sources.config import yaml_line

        text = config.read_text(encoding="utf-8") if config.is_file() else ""
        raise ConfigError(config, f"variables.{FIGURES}: the group name is taken by the figures' alt texts",
                          "give the group another name", line=yaml_line(text, ["variables", FIGURES]) if text else None)
    for name, group_spec in spec.items():
        group = _Group(name, group_spec, root=root, config=config)
        mark = group_spec.get("decimal_mark") or decimal_mark or language_decimal_mark(language)
        options = {"language": language, "decimal_mark": mark}
        variables[name] = _sums(group, **options) if "sums" in group_spec else _by_key(group, **options)
    if alt_texts:
        variables[FIGURES] = {slug: {"alt": text} for slug, text in alt_texts.items()}
    return variables


def write_variables(variables: dict[str, Any], output: Path) -> None:
    """Write the variables as ``_variables.yml`` (JSON, which is YAML that pandoc's Lua reads too)."""
    output.write_text(json.dumps(variables, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    log.info("wrote %s", output)
