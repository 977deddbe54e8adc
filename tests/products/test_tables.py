"""Tables: generated from data as Markdown includes, shaped by configuration; data cells are text, never markup."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import ROOT, run_pandoc, write_package
from perrypress.sources.config import load_config
from perrypress.errors import ConfigError, DataError
from perrypress.products.markdown import escape
from perrypress.products.tables import render_table

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


def test_table_step_joins_pages_in_the_papers_language(project) -> None:
    """The workflow's table step takes the conjunction from the labels of report.qmd's lang: es-ES gives `y`."""
    report = project.root / "report.qmd"
    report.write_text(report.read_text(encoding="utf-8").replace("\nlang: en-US\n", "\nlang: es-ES\n", 1),
                      encoding="utf-8")
    out = project.root / "_build" / "tables" / "structures.md"
    result = project.perrypress("step", "table", "structures", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "pp\\. 48 y 115\\." in out.read_text(encoding="utf-8")


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
    from perrypress.products.markdown import citation

    assert citation("unodc2022", "12–13", path="data/x.csv", row=3) == "[@unodc2022, 12–13]"
    with pytest.raises(DataError, match=r"^data/x\.csv:3: 'p\. 48' is not a page locator — "):
        citation("unodc2022", "p. 48", path="data/x.csv", row=3)
    with pytest.raises(DataError, match=r"^data/x\.csv:4: 'unodc 2022' is not a citation key — "):
        citation("unodc 2022", "48", path="data/x.csv", row=4)


# A table shaped by configuration only, from a CSV written for the tests (no renderer of its own).
SCHEMA = {
    "fields": [
        {"name": "city", "type": "string", "constraints": {"required": True}},
        {"name": "rate", "type": "number"},
        {"name": "status", "type": "string"},
        {"name": "mark", "type": "string"},
        {"name": "extra", "type": "string"},
        {"name": "source_key", "type": "string", "constraints": {"required": True}},
        {"name": "source_page", "type": "integer"},
    ],
    "primaryKey": ["city"],
}
NOTES_SCHEMA = {"fields": [{"name": "mark", "type": "string"}, {"name": "note", "type": "string"}],
                "primaryKey": ["mark"]}
ROWS = "city,rate,status,mark,extra,source_key,source_page\nQuito,4.5,ok,*,tras la nota,kara2017,12\nLima,,none,,,kara2017,30\n"
SPEC = {
    "data": "data/cities.csv",
    "caption": "Ciudades",
    "columns": {
        "city": {"header": "Ciudad", "cell": ["city", "mark"]},
        "rate": "Tasa",
        "status": {"header": "Estado", "labels": {"ok": "Dato publicado", "none": "Sin dato"}},
        "note": {"header": "Fuente", "cell": [{"text": "Según "}, {"cite": "source_key", "page": "source_page"},
                                              {"column": "extra", "before": " (", "after": ")"}]},
    },
    "widths": {"city": 30, "rate": 10, "status": 30, "note": 30},
    "source": "Fuente: informe, págs. {pages}.",
}


def cities(tmp_path: Path, spec: dict | None = None, *, notes: str | None = None) -> str:
    """Render SPEC (or ``spec``) over the test CSV written to tmp_path."""
    write_package(tmp_path / "data", {"cities": SCHEMA})
    (tmp_path / "data" / "cities.csv").write_text(ROWS, encoding="utf-8")
    if notes is not None:
        write_package(tmp_path / "data", {"cities-notes": NOTES_SCHEMA})
        (tmp_path / "data" / "cities-notes.csv").write_text(notes, encoding="utf-8")
    return render_table("cities", spec or SPEC, root=tmp_path)


class TestShapeFromConfig:
    """One renderer: the columns, cells, labels, notes and source line are the configuration's."""

    def test_headers_and_widths_follow_the_config(self, tmp_path: Path) -> None:
        """Headers in the configured order, separator dashes in the configured proportions."""
        text = cities(tmp_path)
        assert "| Ciudad | Tasa | Estado | Fuente |" in text
        separator = next(line for line in text.splitlines() if line.startswith("|-"))
        assert [len(d) for d in separator.strip("|").split("|")] == [30, 10, 30, 30]

    def test_cells_compose_columns_citations_and_words(self, tmp_path: Path) -> None:
        """A cell joins its parts in turn: value and mark; fixed words, a citation with its page, a column's words."""
        text = cities(tmp_path)
        assert "| Quito\\* | 4\\.5 | Dato publicado | Según [@kara2017, 12] \\(tras la nota\\) |" in text

    def test_an_empty_column_adds_nothing(self, tmp_path: Path) -> None:
        """An empty value adds neither itself nor its before/after words; a number cell may be empty."""
        assert "| Lima |  | Sin dato | Según [@kara2017, 30] |" in cities(tmp_path)

    def test_source_line_pages_come_from_the_data(self, tmp_path: Path) -> None:
        """{pages} in the source line is filled with the pages the data's *_page column cites."""
        assert "Fuente\\: informe\\, págs\\. 12 and 30\\." in cities(tmp_path)

    def test_source_line_pages_end_with_the_papers_and(self, tmp_path: Path) -> None:
        """The last page of the source line follows the conjunction given: a Spanish paper's `y`, not `and`."""
        cities(tmp_path)
        text = render_table("cities", SPEC, root=tmp_path, conjunction="y")
        assert "Fuente\\: informe\\, págs\\. 12 y 30\\." in text and " and " not in text

    def test_notes_follow_the_table(self, tmp_path: Path) -> None:
        """A notes file gives one paragraph per row, composed as `note` says, after the caption."""
        spec = {**SPEC, "notes": "data/cities-notes.csv", "note": ["mark", {"text": " "}, "note"]}
        text = cities(tmp_path, spec, notes="mark,note\n*,Dato provisional.\n")
        assert text.index("::: table-notes\n\\* Dato provisional\\.\n:::") > text.index(": Ciudades {#tbl-cities}")

    def test_a_column_the_file_lacks_is_a_data_error(self, tmp_path: Path) -> None:
        """A column the configuration names but the file lacks is named, with the file and the columns it has."""
        spec = {**SPEC, "columns": {**SPEC["columns"], "population": "Población"}}
        with pytest.raises(DataError, match=r"^data/cities\.csv:1: no column 'population', which "
                                            r"tables\.cities\.columns\.population names — use one of its columns \(city"):
            cities(tmp_path, spec)

    def test_a_part_must_name_one_thing(self, tmp_path: Path) -> None:
        """A cell part with both a column and fixed words is a ConfigError naming the part."""
        spec = {**SPEC, "columns": {"city": {"header": "Ciudad", "cell": [{"column": "city", "text": "x"}]}}}
        with pytest.raises(ConfigError, match=r"tables\.cities\.columns\.city\.cell\[0\]: a part names column and text"):
            cities(tmp_path, spec)

    def test_a_bad_page_names_its_row(self, tmp_path: Path) -> None:
        """A citation key that is not one names the file and row (the project's DataError form)."""
        write_package(tmp_path / "data", {"cities": SCHEMA})
        (tmp_path / "data" / "cities.csv").write_text(ROWS.replace("Lima,,none,,,kara2017", "Lima,,none,,,kara 2017"))
        with pytest.raises(DataError, match=r"^data/cities\.csv:3: 'kara 2017' is not a citation key"):
            render_table("cities", SPEC, root=tmp_path)


def test_the_papers_tables_are_configuration() -> None:
    """No table declares a kind: every table, this paper's included, is drawn by the one renderer."""
    assert not any("kind" in spec for spec in CONFIG["tables"].values())


def test_figure_data_labels_spell_out_flags() -> None:
    """The regions-data table shows the configured words for each flag value, not the value."""
    text = render_table("regions-data", CONFIG["tables"]["regions-data"], root=ROOT)
    assert "not\\-stated" not in text and "| 3 |  |" in text


def variant(tmp_path: Path, old: str, new: str) -> Path:
    """The project's configuration with ``old`` replaced by ``new``."""
    path = tmp_path / "config.yaml"
    text = (ROOT / "config" / "config.yaml").read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_notes_without_note_shape_are_refused(tmp_path: Path) -> None:
    """A table with notes must say how each note reads."""
    with pytest.raises(ConfigError, match="'note' is a dependency of 'notes'"):
        load_config(variant(tmp_path, "    note: [mark, note]\n", ""), root=ROOT)


def test_a_misspelt_column_key_is_refused(tmp_path: Path) -> None:
    """A column's map accepts header, cell and labels only."""
    with pytest.raises(ConfigError, match="cells: not a key here — did you mean 'cell'"):
        load_config(variant(tmp_path, "{header: Instrument, cell:", "{header: Instrument, cells:"), root=ROOT)
