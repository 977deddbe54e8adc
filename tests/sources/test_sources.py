"""The paper's sources: every file parses cleanly, and the notes add up to the original's 61."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT, run_pandoc
from perrypress.sources.config import load_config
from perrypress.products.tables import render_table

SOURCES = ["report.qmd", *sorted(f"sections/{p.name}" for p in (ROOT / "sections").glob("*.qmd"))]
HEADINGS = ["Introduction", "Human Trafficking and Cybersex Trafficking: What Is It?",
            "The Advent of Cybersex Trafficking", "Responses to Cybersex Trafficking",
            "Challenges of Combatting Cybersex Trafficking", "Conclusions"]


def ast(markdown_file: str | None = None, text: str | None = None) -> dict:
    """Parse Markdown with pandoc into its JSON AST, failing on any warning."""
    args = ["-f", "markdown", "-t", "json", "--fail-if-warnings"]
    result = run_pandoc(*args, markdown_file) if markdown_file else run_pandoc(*args, stdin=text)
    assert result.returncode == 0 and not result.stderr.strip(), result.stderr
    return json.loads(result.stdout)


def notes_in(node) -> int:
    """Count the notes a note style makes: footnotes, and citations outside footnotes."""
    if isinstance(node, dict):
        if node.get("t") == "Image":  # an implicit figure's alt repeats its caption
            return 0
        if node.get("t") == "Note":
            return 1
        if node.get("t") == "Cite":
            crossref = all(c["citationId"].startswith(("fig-", "tbl-")) for c in node["c"][0])
            return 0 if crossref else 1
        return sum(notes_in(v) for v in node.values())
    if isinstance(node, list):
        return sum(notes_in(v) for v in node)
    return 0


@pytest.mark.parametrize("source", SOURCES)
def test_source_parses_without_warnings(source: str) -> None:
    """pandoc reads each source file with no warning."""
    assert ast(source)["blocks"]


def test_sections_in_order() -> None:
    """The six sections, in the original's order, each opening with its heading."""
    for name, heading in zip(SOURCES[1:], HEADINGS, strict=True):
        first = ast(name)["blocks"][0]
        assert first["t"] == "Header" and first["c"][0] == 1
        text = "".join(i["c"] if i["t"] == "Str" else " " for i in first["c"][2])
        assert text == heading


def test_sixty_one_notes() -> None:
    """Citations and footnotes in the sections plus Table 2's notes make the original's 61."""
    config = load_config(ROOT / "config" / "config.yaml", root=ROOT)
    in_sections = sum(notes_in(ast(name)) for name in SOURCES[1:])
    in_tables = notes_in(ast(text=render_table("structures", config["tables"]["structures"], root=ROOT)))
    assert (in_sections, in_tables) == (53, 8)


def test_report_metadata_is_complete() -> None:
    """report.qmd's metadata holds the front and back matter the editions print."""
    meta = ast("report.qmd")["meta"]
    for key in ["title", "subtitle", "author", "series", "publisher", "disclaimer", "back-disclaimer",
                "credits", "keywords", "lang", "site", "bibliography", "csl", "nocite"]:
        assert key in meta, key


def test_corrections_are_recorded() -> None:
    """Every deliberate departure from the original has location, original, corrected and reason."""
    import yaml

    corrections = yaml.safe_load((ROOT / "corrections.yml").read_text(encoding="utf-8"))
    assert len(corrections) >= 3
    for item in corrections:
        assert set(item) == {"location", "original", "corrected", "reason"} and all(item.values())
    assert any(item["location"] == "Note 18" and item["original"] == "112.: 112." for item in corrections)
