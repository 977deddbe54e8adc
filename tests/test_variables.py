"""Variables: the numbers the prose quotes come from the data files."""

from __future__ import annotations

import pytest

from conftest import ROOT
from perrypress.config import load_config
from perrypress.variables import compute, number_words


@pytest.mark.parametrize(("value", "words"), [(0, "zero"), (2, "two"), (11, "eleven"), (21, "twenty-one"),
                                              (94, "ninety-four"), (100, "one hundred"), (8.5, "8.5"),
                                              (101, "101")])
def test_number_words(value: float, words: str) -> None:
    """Whole numbers up to 100 are spelled out; others stay figures."""
    assert number_words(value) == words


def test_variables_from_data() -> None:
    """The prose's numbers: regional shares, victim shares, and Table 2's sums."""
    config = load_config(ROOT / "config" / "config.yaml", root=ROOT)
    variables = compute(config["variables"], root=ROOT)
    assert variables["regions"]["south_america"] == {"pct": "8", "words": "eight"}
    assert variables["regions"]["all_regions"]["words"] == "two"
    assert variables["stats"]["sa_women"]["pct"] == "87"
    assert variables["structures"]["organised"]["pct"] == "94"
    assert variables["structures"]["individual"]["words"] == "six"
    assert "central_america_caribbean" not in variables["regions"]  # no value: no variable
