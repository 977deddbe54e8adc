"""A figure in words: its percentages as the paper writes them, and its alt text.

Kept apart from the drawing (figure_regions.py) so that the variables step,
which puts the alt text in _variables.yml, does not load matplotlib.
"""

from __future__ import annotations

from collections.abc import Mapping

import pandas

# The row of the regions table that holds the global value (not a region of the map).
GLOBAL_SLUG = "all_regions"
# The words the alt text adds to the values (figures.<slug>.alt_words).
ALT_WORDS = ("substitute", "missing", "world")


def pct(value: float) -> str:
    """Format a percentage as the paper does: an integer when whole, then a non-breaking space and %."""
    text = f"{value:g}" if not float(value).is_integer() else f"{int(value)}"
    return f"{text}\u00a0%"


def alt_text(regions: pandas.DataFrame, *, lead: str, words: Mapping[str, str]) -> str:
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
        return pct(value).replace("\u00a0", " ")

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
