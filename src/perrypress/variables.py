"""Compute the numbers the prose quotes (Quarto ``{{< var >}}``) from the data files."""

from __future__ import annotations

import json
import logging
import math
from pathlib import Path
from typing import Any

import pandas as pd

from .data import load_table
from .errors import DataError

log = logging.getLogger(__name__)

_ONES = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
         "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]


def number_words(value: float) -> str:
    """Spell out a whole number from 0 to 100 (Chicago style); others stay in figures."""
    if not float(value).is_integer() or not 0 <= value <= 100:
        return _figure(value)
    n = int(value)
    if n < 20:
        return _ONES[n]
    if n == 100:
        return "one hundred"
    tens, ones = divmod(n, 10)
    return _TENS[tens] + ("" if ones == 0 else "-" + _ONES[ones])


def _figure(value: float) -> str:
    """Return a number as the prose prints it: no trailing '.0'."""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def _entry(value: float) -> dict[str, str]:
    """Return the forms a number can take in the prose."""
    return {"pct": _figure(value), "words": number_words(value)}


def compute(spec: dict[str, str], *, root: Path, alt_texts: dict[str, str] | None = None) -> dict[str, Any]:
    """Return the variables tree: regions, stats, structures (those configured) and figure alt texts."""
    variables: dict[str, Any] = {}
    if "regions" in spec:
        variables["regions"] = {}
        for row in load_table(root / spec["regions"]).itertuples():
            if row.share_pct is not None and not (isinstance(row.share_pct, float) and math.isnan(row.share_pct)):
                variables["regions"][row.slug] = _entry(row.share_pct)
    if "statistics" in spec:
        variables["stats"] = {row.slug: _entry(row.value) for row in load_table(root / spec["statistics"]).itertuples()}
    if "structures" in spec:
        variables["structures"] = _structures(spec["structures"], root=root)
    if alt_texts:
        variables["figures"] = {slug: {"alt": text} for slug, text in alt_texts.items()}
    return variables


def _structures(name: str, *, root: Path) -> dict[str, Any]:
    """The shares of prosecuted traffickers in organised structures and alone."""
    structures = load_table(root / name)
    organised = structures[structures["organised"] == "yes"]["percent"]
    alone = structures[structures["organised"] == "no"]["percent"]
    if alone.empty:
        raise DataError(name, "no row has organised = no",
                        "mark the individual traffickers' row with organised = no")
    return {"organised": _entry(float(pd.to_numeric(organised).sum())),
            "individual": _entry(float(pd.to_numeric(alone).sum()))}


def write_variables(variables: dict[str, Any], output: Path) -> None:
    """Write the variables as ``_variables.yml`` (JSON, which is YAML that pandoc's Lua reads too)."""
    output.write_text(json.dumps(variables, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
    log.info("wrote %s", output)
