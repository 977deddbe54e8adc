"""Nothing about one paper is written into the tool: its words live in the paper's own files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import ROOT
from perrypress import resources
from perrypress.editions.citation import read_metadata
from perrypress.sources.data_tables import load_table
from sources.test_labels import COMMENTS

# The tool, shared by every paper of the series.
# The package holds all of it (perrypress/resources.py): modules, filters, templates, stylesheet,
# script, workflow rules, labels, and the files `perrypress new` writes.
TOOL = [resources.PACKAGE]
# This paper's distinctive words that its metadata and data below do not already give.
DISTINCTIVE = ["cybersex", "UNODC", "trafficking", "Global Report on Trafficking"]


def paper_words() -> list[str]:
    """This paper's distinctive words: its author, its title's long words, its regions, and the list above."""
    meta, _ = read_metadata(ROOT / "report.qmd")
    words = list(DISTINCTIVE)
    for author in meta["author"]:
        words += author["name"].split()
    words += [w for w in re.findall(r"[A-Za-z]{6,}", f"{meta['title']} {meta.get('subtitle', '')}")]
    words += [r for r in load_table(ROOT / "data" / "regions.csv")["region"] if isinstance(r, str)]
    return sorted(set(words) - {"Dimensions", "Digital", "Domain", "Confronting", "Military"} | {"South America"})


def tool_files() -> list[Path]:
    """Every file of the tool: modules, label tables, filters, templates, stylesheet, script."""
    return [p for folder in TOOL for p in sorted(folder.rglob("*"))
            if p.is_file() and "__pycache__" not in p.parts and p.suffix != ".pyc"]


def test_the_words_are_this_papers() -> None:
    """The scan looks for the paper's author, title words and regions (so it can fail)."""
    words = paper_words()
    assert {"Nelson", "Cybersex", "Trafficking", "South America", "Sub-Saharan Africa", "UNODC"} <= set(words)


@pytest.mark.parametrize("path", tool_files(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_paper_word_in_the_tool(path: Path) -> None:
    """No module, filter, template, stylesheet or script of the tool names this paper's words, comments included."""
    text = path.read_text(encoding="utf-8")
    found = [w for w in paper_words() if re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", text, flags=re.I)]
    assert not found, f"{path.relative_to(ROOT)} names {found}: move them to report.qmd, config/config.yaml or data/"


def test_scan_would_catch_a_region(tmp_path: Path) -> None:
    """A region name in a filter is what the scan reports."""
    assert COMMENTS  # the same tool folders as the labels scan
    assert any(re.search(rf"(?<![A-Za-z]){re.escape(w)}(?![A-Za-z])", "local r = 'South Asia'", flags=re.I)
               for w in paper_words())
