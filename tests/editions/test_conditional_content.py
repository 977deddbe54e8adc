"""Quarto's conditional content (conditional-content.lua): what the golden cases do not show."""

from __future__ import annotations

import pytest

from conftest import ROOT, run_pandoc
from perrypress import resources

FILTER = str(resources.FILTERS / "conditional-content.lua")
SOURCE = '::: {.content-visible when-format="html"}\nOnly HTML.\n:::\n\n[Not HTML]{.content-hidden when-format="html"}\n'


@pytest.mark.parametrize(("to", "shown", "hidden"), [("html", "Only HTML", "Not HTML"),
                                                      ("typst", "Not HTML", "Only HTML"),
                                                      ("gfm", "Not HTML", "Only HTML")])
def test_each_edition_sees_its_content(to: str, shown: str, hidden: str) -> None:
    """HTML keeps the HTML-only div and drops the span; other formats the reverse."""
    result = run_pandoc("-f", "markdown", "-t", to, "--lua-filter", FILTER, stdin=SOURCE)
    assert result.returncode == 0, result.stderr
    assert shown in result.stdout and hidden not in result.stdout


def test_unsupported_condition_stops_the_build() -> None:
    """A Quarto condition this filter does not implement is an error, not silently ignored."""
    result = run_pandoc("-f", "markdown", "-t", "html", "--lua-filter", FILTER,
                        stdin='::: {.content-visible when-profile="print"}\nX\n:::\n')
    assert result.returncode != 0 and "when-profile" in result.stderr and "when-format" in result.stderr
