"""Tables: generated from data as Markdown includes; data cells are text, never markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, run_pandoc
from perrypress.config import load_config
from perrypress.markdown import escape
from perrypress.tables import render_table

CONFIG = load_config(ROOT / "config" / "config.yaml", root=ROOT)


@pytest.mark.parametrize("slug", sorted(CONFIG["tables"]))
def test_table_has_caption_label_and_every_row(slug: str) -> None:
    """Each table renders with its caption, its tbl- label (unless label: false) and one line per data row."""
    spec = CONFIG["tables"][slug]
    text = render_table(slug, spec, root=ROOT)
    assert (f"{{#tbl-{slug}}}" in text) == spec.get("label", True)
    rows = (ROOT / spec["data"]).read_text(encoding="utf-8").strip().count("\n")
    assert text.count("\n| ") == rows + 1  # header + rows (separator starts with "|-")


# Quarto's crossref categories' prefixes (quarto-cli src/resources/filters/common/crossref.lua, crossref.categories).
QUARTO_FLOAT_PREFIXES = ("fig", "tbl", "lst")


def quarto_table_floats(markdown: str) -> list[tuple[str, str]]:
    """(label, caption) of each table Quarto's crossref numbers, read as quarto-pre/parsefiguredivs.lua does.

    Its Div handler makes a Div whose id has a crossref prefix the float itself (so a table labelled
    inside such a Div is not the target); its Table handler numbers a Table with a tbl- id and a caption.
    """
    ast = json.loads(run_pandoc("-f", "markdown", "-t", "json", stdin=markdown).stdout)
    found: list[tuple[str, str]] = []

    def walk(node: object, inside_float: bool) -> None:
        if isinstance(node, list):
            for item in node:
                walk(item, inside_float)
        elif isinstance(node, dict):
            if node.get("t") == "Div":
                identifier = node["c"][0][0]
                walk(node["c"][1], inside_float or identifier.split("-")[0] in QUARTO_FLOAT_PREFIXES)
                return
            if node.get("t") == "Table":
                identifier, caption = node["c"][0][0], node["c"][1][1]
                if identifier.startswith("tbl-") and caption and not inside_float:
                    found.append((identifier, json.dumps(caption)))
            walk(node.get("c"), inside_float)

    walk(ast["blocks"], False)
    return found


@pytest.mark.parametrize("slug", sorted(s for s, spec in CONFIG["tables"].items() if spec.get("label", True)))
def test_table_label_and_caption_where_quarto_crossref_looks(slug: str) -> None:
    """Each labelled table is a Table carrying {#tbl-slug} and its caption, in no Div with a crossref id."""
    spec = CONFIG["tables"][slug]
    floats = quarto_table_floats(render_table(slug, spec, root=ROOT))
    assert [label for label, _ in floats] == [f"tbl-{slug}"]
    assert spec["caption"].split()[0] in floats[0][1]


def test_quarto_reader_rejects_a_table_inside_a_tbl_div() -> None:
    """The check above fails for the old form: a tbl- label inside a Div with id tbl-…-block."""
    old = "::: {#tbl-law-block}\n\n| a |\n|---|\n| 1 |\n\n: Caption {#tbl-law}\n\n:::\n"
    assert quarto_table_floats(old) == []


def test_label_false_leaves_the_table_unnumbered() -> None:
    """label: false writes no tbl- id at all, so the crossref filter does not count the table."""
    spec = {**CONFIG["tables"]["structures"], "label": False}
    assert "#tbl-" not in render_table("structures", spec, root=ROOT)


def test_structures_cells_cite_their_sources() -> None:
    """Table 2's definition and percentage cells carry their notes as citations with pages."""
    text = render_table("structures", CONFIG["tables"]["structures"], root=ROOT)
    assert text.count("[@unodc2022, 48]") == 4 and text.count("[@unodc2022, 115]") == 4


def test_law_notes_follow_the_table() -> None:
    """Table 1's three notes come after the table; it cites no source, so it has no source line."""
    text = render_table("law", CONFIG["tables"]["law"], root=ROOT)
    assert text.index("Venezuela is a signatory") > text.index("{#tbl-law}")
    assert "table-source" not in text


def test_source_line_pages_come_from_the_data() -> None:
    """Table 2's source line lists the pages its rows cite, so a changed page changes the line."""
    text = render_table("structures", CONFIG["tables"]["structures"], root=ROOT)
    assert "pp\\. 48 and 115\\." in text


def test_long_cells_get_relative_widths() -> None:
    """The separator's dashes follow the configured widths, so pandoc wraps long cells."""
    text = render_table("structures", CONFIG["tables"]["structures"], root=ROOT)
    separator = next(line for line in text.splitlines() if line.startswith("|-"))
    assert [len(d) for d in separator.strip("|").split("|")] == [24, 58, 18]


HOSTILE = ["<script>alert(1)</script>", "*emphasis*", "$math$", "#typst-code", "{{< include /etc/passwd >}}",
           "[@kara2017]", "a | b", "\\textbf{x}", "`code`", "^sup^", "~~del~~", "1. list"]


@pytest.mark.parametrize("text", HOSTILE)
def test_escape_renders_literally(text: str) -> None:
    """Escaped text comes back from pandoc exactly as written, in plain text."""
    result = run_pandoc("-f", "markdown", "-t", "plain", "--wrap=none", stdin=escape(text) + "\n")
    assert result.stdout.strip() == text


def test_escape_folds_newlines() -> None:
    """A cell with line breaks stays on one table line."""
    assert "\n" not in escape("one\ntwo\r\nthree")


def test_bad_locator_names_its_row() -> None:
    """A page that is not a locator (the schema's types are the first check) names the file and row."""
    from perrypress.errors import DataError
    from perrypress.markdown import citation

    assert citation("unodc2022", "12–13", path="data/x.csv", row=3) == "[@unodc2022, 12–13]"
    with pytest.raises(DataError, match=r"^data/x\.csv:3: 'p\. 48' is not a page locator — "):
        citation("unodc2022", "p. 48", path="data/x.csv", row=3)
    with pytest.raises(DataError, match=r"^data/x\.csv:4: 'unodc 2022' is not a citation key — "):
        citation("unodc 2022", "48", path="data/x.csv", row=4)
