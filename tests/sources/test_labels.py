"""The editions' own words come from one table per language, chosen by report.qmd's lang."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from pypdf import PdfReader

from conftest import ROOT, Project
from perrypress import resources
from perrypress.editions.citation import Author, Work, chicago_text, cite_block
from perrypress.errors import DocumentError
from perrypress.sources.labels import TABLES, language_of, languages, labels_for, pandoc_metadata, table, write_pandoc_defaults
from readers import docx_footnotes, docx_text, docx_xml, pdf_text
from editions.test_filters import render, write_case

# Where labels used to be written out; none of the tool's files may spell them.
# The package holds all of the tool: modules, filters, templates, stylesheet, script, workflow (perrypress/resources.py).
TOOL = [resources.PACKAGE]


class TestTables:
    def test_english_and_spanish(self) -> None:
        """English and Spanish tables ship in the package."""
        assert {"en", "es"} <= set(languages())

    @pytest.mark.parametrize("language", languages())
    def test_same_keys_as_english(self, language: str) -> None:
        """Every language's table has exactly English's keys, each a non-empty text (months: twelve; quotes: four)."""
        labels = table(language)
        assert set(labels) == set(table("en"))
        assert all(isinstance(v, str) and v.strip() for k, v in labels.items() if k not in {"months", "quotes"})
        assert len(labels["months"]) == 12
        assert set(labels["quotes"]) == {"open", "close", "inner-open", "inner-close"}
        assert all(isinstance(v, str) and len(v) == 1 for v in labels["quotes"].values())

    def test_spanish_words(self) -> None:
        """The Spanish table says what the issue asks for."""
        es = table("es")
        assert (es["table"], es["figure"], es["notes"], es["bibliography"]) == ("Tabla", "Figura", "Notas", "Bibliografía")
        assert es["cite-this-paper"] == "Cómo citar este artículo"
        assert es["download-pdf"] == "Descargar PDF"

    def test_no_label_spelt_in_the_tool(self) -> None:
        """No filter, template, stylesheet, script or module writes an English label itself (comments aside)."""
        english = [v for k, v in table("en").items() if k not in {"months", "language", "and", "by", "chicago",
                                                                    "figure", "table", "notes", "contents",
                                                                    "download", "number", "bibliography", "about-series", "quotes",
                                                                    "decimal-mark",
                                                                    "source", "data"}]  # in SourceError, DataFrame
        found = [f"{path.relative_to(ROOT)}: {word!r}" for path, code in tool_code() for word in english
                 if word in code and path.name != "cli.py"]  # cli.py's help text names the block
        assert not found

    def test_scan_sees_code(self) -> None:
        """The scan reads code, not comments: a label in a Lua string is seen, one in a comment is not."""
        assert "Notes" in without_comments(".lua", "-- Notes\nlocal t = 'Notes'")
        assert "Notes" not in without_comments(".lua", "--[[ Notes ]]\n-- Notes\nlocal t = 'x'")
        assert "Notes" not in without_comments(".py", '"""Notes."""\n# Notes\nx = 1')


COMMENTS = {
    ".lua": [r"--\[\[.*?\]\]", r"--[^\n]*"],
    ".py": [r'"""[\s\S]*?"""', r"#[^\n]*"],
    ".typ": [r"//[^\n]*"],
    ".typst": [r"//[^\n]*", r"\$--[^\n]*"],
    ".html": [r"\$--[^\n]*", r"<!--.*?-->"],
    ".openxml": [r"\$--[^\n]*"],
    ".css": [r"/\*.*?\*/"],
    ".js": [r"/\*.*?\*/", r"(?<![:\\])//[^\n]*"],
}


def without_comments(suffix: str, text: str) -> str:
    """``text`` with the comments of its language removed."""
    for pattern in COMMENTS[suffix]:
        text = re.sub(pattern, "", text, flags=re.S)
    return text


def tool_code() -> list[tuple[Path, str]]:
    """(path, code without comments) of every filter, template, stylesheet, script and module of the tool."""
    return [(path, without_comments(path.suffix, path.read_text(encoding="utf-8")))
            for folder in TOOL for path in sorted(folder.rglob("*"))
            if path.is_file() and path.suffix in COMMENTS]


class TestChoice:
    def test_lang_picks_the_table(self) -> None:
        """lang: es-ES gives the Spanish table; no lang gives English."""
        assert labels_for({"lang": "es-ES"}, path=Path("r.qmd"))["notes"] == "Notas"
        assert labels_for({}, path=Path("r.qmd"))["notes"] == "Notes"
        assert language_of("es_MX") == "es"

    def test_paper_overrides_a_label(self) -> None:
        """A paper's `perry-labels:` replaces one label and keeps the rest."""
        labels = labels_for({"lang": "es", "perry-labels": {"about-author": "Sobre la autora"}}, path=Path("r.qmd"))
        assert labels["about-author"] == "Sobre la autora"
        assert labels["figure"] == "Figura"

    def test_unknown_label_names_line(self, tmp_path: Path) -> None:
        """A misspelt label is an error naming report.qmd's line."""
        report = tmp_path / "report.qmd"
        report.write_text("---\ntitle: T\nlang: es\nperry-labels:\n  figura: Fig.\n---\n", encoding="utf-8")
        with pytest.raises(DocumentError) as info:
            write_pandoc_defaults(report, tmp_path / "out.yaml")
        assert "report.qmd:5:" in str(info.value) and "perry-labels.figura" in str(info.value)

    def test_quartos_labels_key_is_refused(self, tmp_path: Path) -> None:
        """`labels:` is Quarto's (it replaces it before any filter runs): an error naming the line and the key to use."""
        report = tmp_path / "report.qmd"
        report.write_text("---\ntitle: T\nlabels:\n  by: Por\n---\n", encoding="utf-8")
        with pytest.raises(DocumentError) as info:
            write_pandoc_defaults(report, tmp_path / "out.yaml")
        assert "report.qmd:3:" in str(info.value) and "perry-labels" in str(info.value)

    def test_unknown_language(self) -> None:
        """A language with no table is an error listing the ones there are."""
        with pytest.raises(DocumentError, match="has no label table"):
            labels_for({"lang": "xx-YY"}, path=Path("r.qmd"))

    def test_section_titles(self) -> None:
        """citeproc's bibliography heading and the notes heading follow the language unless the paper sets them."""
        assert pandoc_metadata({"lang": "es-ES"}, path=Path("r.qmd"))["reference-section-title"] == "Bibliografía"
        assert pandoc_metadata({"lang": "es-ES"}, path=Path("r.qmd"))["notes-title"] == "Notas"
        assert pandoc_metadata({"reference-section-title": "Works Cited"},
                               path=Path("r.qmd"))["reference-section-title"] == "Works Cited"

    def test_defaults_file(self, tmp_path: Path) -> None:
        """The defaults file pandoc is given carries the labels as metadata."""
        report = tmp_path / "report.qmd"
        report.write_text("---\ntitle: T\nlang: es-ES\n---\n", encoding="utf-8")
        written = yaml.safe_load(write_pandoc_defaults(report, tmp_path / "d.yaml").read_text(encoding="utf-8"))
        assert written["metadata"]["perry-labels"]["contents"] == "Contenido"
        assert "labels" not in written["metadata"]


class TestFilters:
    def test_crossref_in_spanish(self, tmp_path: Path) -> None:
        """A cross-reference reads "Figura 1" in a Spanish paper."""
        case = write_case(tmp_path, "![Mapa](m.png){#fig-m}\n\nVéase @fig-m.\n", ["crossref"])
        code, output, stderr = render(case, lang="es-ES")
        assert code == 0, stderr
        assert "[Figura\u00a01](#fig-m)" in output and "Figure" not in output

    def test_missing_labels_stop_the_filter(self, tmp_path: Path) -> None:
        """Without the labels (pandoc run by hand), the filter says how to build."""
        case = write_case(tmp_path, "![Mapa](m.png){#fig-m}\n", ["crossref"])
        code, _, stderr = render(case, lang=None)
        assert code != 0 and re.search(r"metadata perry-labels\.(figure|table) is missing — build with perrypress", stderr)

    def test_photo_placeholder_in_spanish(self, tmp_path: Path) -> None:
        """A missing photograph's placeholder is in the paper's language."""
        case = write_case(tmp_path, '::: {.photo image="/images/none.jpg" alt="x"}\nPie.\n:::\n', ["photo"], to="html")
        code, output, stderr = render(case, lang="es-ES", metadata={"build-mode": "draft"})
        assert code == 0, stderr
        assert "Fotografía pendiente" in output

    def test_byline_and_about_in_spanish(self, tmp_path: Path) -> None:
        """The DOCX/Quarto front matter says "Por" and "Sobre el autor"."""
        case = write_case(tmp_path, "---\nauthor:\n  - name: Ana Pérez\n    bio: Bio.\n---\n\nTexto.\n",
                          ["authors", "front-back-matter"])
        code, output, stderr = render(case, lang="es-ES")
        assert code == 0, stderr
        assert "Por Ana Pérez" in output and "Sobre el autor" in output


class TestCitation:
    WORK = Work(title="Título", subtitle="", authors=[Author("Ana", "Pérez"), Author("Luis", "Gómez")], year=2025,
                month=3, series="Voces Emergentes", number="2", publisher="Centro Perry")

    def test_chicago_entry_in_spanish(self) -> None:
        """The "Cite this paper" entry uses the language's conjunction, number and month."""
        text = chicago_text(self.WORK, labels=table("es"))
        assert text.startswith("Pérez, Ana, y Luis Gómez. ")
        assert "Voces Emergentes, n.º 2." in text and "marzo 2025" in text

    def test_block_headings_in_spanish(self) -> None:
        """The block's heading and download links are in Spanish."""
        block = cite_block(self.WORK, labels=table("es"))
        assert ">Cómo citar este artículo</h2>" in block
        assert "(notas y bibliografía)" in block and ">Descargar perez2025titulo.bib</a>" in block


@pytest.mark.slow
def test_spanish_editions(project: Project) -> None:
    """The paper with lang: es-ES: every edition's labels, citeproc's terms and language tags are Spanish."""
    report = project.root / "report.qmd"
    report.write_text(report.read_text(encoding="utf-8").replace("lang: en-US", "lang: es-ES"), encoding="utf-8")
    project.snakemake()
    html = project.edition("html").read_text(encoding="utf-8")
    assert '<html lang="es-ES">' in html
    for word in [">Contenido<", ">Bibliografía<", ">Sobre el autor<", ">Cómo citar este artículo<",
                 "Descargar PDF", ">Notas<", "Figura\u00a01", "Tabla\u00a01", ">Por <"]:
        assert word in html, word
    for english in [">Contents<", ">Bibliography<", "About the Author", "Cite this paper", "Download PDF"]:
        assert english not in html, english
    docx = docx_text(project.edition("docx"))
    assert "Sobre el autor" in docx and "Bibliografía" in docx and "Tabla\u00a01" in docx
    assert re.search(r'<w:lang [^>]*w:val="es-ES"', docx_xml(project.edition("docx"), "word/styles.xml"))
    # citeproc's es-ES terms: "s. f." for an undated work, "consultado" for an access date.
    notes = " ".join(docx_footnotes(project.edition("docx")))
    for text in (html, notes):
        assert "s.\u00a0f." in text or "s. f." in text
        assert "n.d." not in text and "Accessed" not in text
    assert "accedido" in html.lower()
    pdf = pdf_text(project.edition("pdf"))
    assert "Sobre el autor" in pdf and "Figura 1" in pdf.replace("\u00a0", " ") and "Por " in pdf
    # Typst writes the language without its region in the catalog's /Lang.
    assert PdfReader(project.edition("pdf")).trailer["/Root"]["/Lang"] == "es"
