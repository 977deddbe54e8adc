"""The ``map`` kind's words: its alt text, read from its regions CSV (map.py draws it).

Free of matplotlib and pyshp: the variables step writes the alt text without loading the drawing code.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pandas

from .frames import read
from .text import number

# The regions CSV's columns; the row whose slug is GLOBAL_SLUG holds the global value.
REGION_COLUMNS = {"slug", "region", "share_pct", "flag"}
GLOBAL_SLUG = "all_regions"
# The words the alt text adds to the values (figures.<slug>.alt_words).
ALT_WORDS = ("substitute", "missing", "world")


def pct(value: float, decimal_mark: str = ".") -> str:
    """Format a percentage as the paper does: an integer when whole, then a non-breaking space and %."""
    return number(value, unit="%", decimal_mark=decimal_mark)


def alt_text(regions: pandas.DataFrame, *, lead: str, words: Mapping[str, str], decimal_mark: str = ".") -> str:
    """Return a plain-text description of the figure: ``lead`` (from config), then the values of ``regions``.

    ``words`` (figures.<slug>.alt_words) say, in the paper's language, what a substitute value is
    ("substitute"), what introduces the regions without a value ("missing") and the global value ("world").
    """
    missing_words = [k for k in ALT_WORDS if not words.get(k)]
    if missing_words:
        raise ValueError(f"the figure's alt_words lack {missing_words}")
    drawn = regions[regions["slug"] != GLOBAL_SLUG]
    stated = drawn[(drawn["flag"] == "stated") & drawn["share_pct"].notna()]
    stated = stated.sort_values("share_pct", ascending=False, kind="stable")
    substitutes = drawn[drawn["flag"] == "substitute-zero"]
    missing = drawn[(drawn["flag"] == "not-stated") | drawn["share_pct"].isna()]
    missing = missing[~missing.index.isin(substitutes.index)]

    def plain(value: float) -> str:
        return pct(value, decimal_mark).replace("\u00a0", " ")

    parts = [f"{r.region} {plain(float(r.share_pct))}" for r in stated.itertuples(index=False)]
    parts += [
        f"{r.region} {plain(float(r.share_pct))} ({words['substitute']})"
        for r in substitutes.itertuples(index=False)
        if not pandas.isna(r.share_pct)
    ]
    text = lead.rstrip(".:") + ((": " + ", ".join(parts) + ".") if parts else ".")
    if len(missing):
        text += f" {words['missing']}: {'; '.join(missing['region'])}."
    world = regions[regions["slug"] == GLOBAL_SLUG]
    if len(world) and not pandas.isna(world.iloc[0]["share_pct"]):
        text += f" {words['world']} {plain(float(world.iloc[0]['share_pct']))}."
    return text


def describe(slug: str, spec: Mapping[str, Any], *, root: Path) -> str:
    """The alt text of the map a configuration entry (figures.<slug>, kind: map) declares."""
    regions = read(root, spec, "data", REGION_COLUMNS)
    return alt_text(regions, lead=spec["alt"], words=spec["alt_words"], decimal_mark=spec.get("decimal_mark", "."))
