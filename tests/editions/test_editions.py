"""Each edition (PDF, HTML, DOCX) says everything the paper says: text, tables, figure, notes, bibliography."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from pybtex.database import parse_file

from conftest import ROOT, Project
from perrypress.sources.data_tables import load_table
from readers import (docx_footnotes, pdf_body_text, with_numbers, docx_text, docx_xml, html_text, normalise, pdf_pages, pdf_structure,
                     pdf_text, source_paragraphs)

EDITIONS = ["pdf", "html", "docx"]
HEADINGS = ["Introduction", "Human Trafficking and Cybersex Trafficking: What Is It?",
            "The Advent of Cybersex Trafficking", "Responses to Cybersex Trafficking",
            "Challenges of Combatting Cybersex Trafficking", "Conclusions"]
FIGURE_CAPTION = "Percentage of Victims Identified as Cybersex Trafficking Victims by Region"


def body_text(project: Project, edition: str) -> str:
    """What the edition prints, as one string (for the HTML, without its footnotes)."""
    path = project.edition(edition)
    if edition == "pdf":
        return pdf_text(path)
    if edition == "html":
        return " ".join(html_text(path).body)
    return docx_text(path)


@pytest.fixture(scope="module")
def texts(built: Project) -> dict[str, str]:
    """The normalised text of each edition."""
    return {edition: normalise(body_text(built, edition)) for edition in EDITIONS}


@pytest.mark.parametrize("edition", EDITIONS)
def test_title_author_and_headings(texts: dict[str, str], edition: str) -> None:
    """Title, subtitle, author and the six section headings."""
    for text in ["Cybersex Trafficking in South America", "The Civil-Military Dimensions of Confronting "
                 "Human Trafficking in the Digital Domain", "Zoe Nelson", *HEADINGS]:
        assert normalise(text) in texts[edition], text


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_paragraph(built: Project, texts: dict[str, str], edition: str) -> None:
    """Every paragraph of every section, in full (in the PDF, unbroken by page furniture and notes)."""
    text = normalise(pdf_body_text(built.edition("pdf"))) if edition == "pdf" else texts[edition]
    missing = [f"{section}: {p[:80]}" for section, paragraphs in source_paragraphs(built.root).items()
               for p in paragraphs if normalise(p) not in text]
    assert not missing, "\n".join(missing)


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_table_row(texts: dict[str, str], edition: str) -> None:
    """Every row of Table 1 and Table 2, and Table 1's notes."""
    for row in load_table(ROOT / "data" / "law.csv").itertuples():
        assert normalise(f"{row.year} {row.instrument}") in texts[edition], row.instrument
    for note in load_table(ROOT / "data" / "law-notes.csv").itertuples():
        assert normalise(note.note) in texts[edition], note.note
    for row in load_table(ROOT / "data" / "structures.csv").itertuples():
        assert normalise(row.structure) in texts[edition] and normalise(row.definition) in texts[edition]


@pytest.mark.parametrize("edition", EDITIONS)
def test_numbers_from_data(built: Project, edition: str) -> None:
    """The numbers themselves: Table 1's years, Table 2's percentages, and the shares the prose quotes."""
    text = with_numbers(body_text(built, edition))
    for row in load_table(ROOT / "data" / "law.csv").itertuples():
        assert with_numbers(f"{row.year} {row.instrument}") in text, row.year
    for row in load_table(ROOT / "data" / "structures.csv").itertuples():
        before = with_numbers(row.definition_more if isinstance(row.definition_more, str) else row.definition)
        assert re.search(re.escape(before) + rf"(\d\d)?{row.percent}", text), row.structure
    for phrase in ["women comprised 87% of identified victims", "girls were 11% of identified victims",
                   "and 2021, 94 percent of prosecuted traffickers"]:
        assert with_numbers(phrase) in text, phrase


@pytest.mark.parametrize("edition", EDITIONS)
def test_figure_caption(texts: dict[str, str], edition: str) -> None:
    """Figure 1 is numbered and captioned."""
    assert normalise(f"Figure 1 {FIGURE_CAPTION}") in texts[edition]


@pytest.mark.parametrize("edition", EDITIONS)
def test_every_bibliography_entry(texts: dict[str, str], edition: str) -> None:
    """Every entry of references.bib is listed, by its title."""
    bib = parse_file(str(ROOT / "references.bib"))
    for key, entry in bib.entries.items():
        title = re.sub(r"[{}]", "", entry.fields["title"])
        assert normalise(title) in texts[edition], key


def test_html_has_61_footnotes_with_back_links(built: Project) -> None:
    """The HTML edition's notes: 61 list items, each referenced from the text and linking back."""
    page = html_text(built.edition("html"))
    notes = [a for tag, a in page.elements if tag == "li" and re.fullmatch(r"fn\d+", a.get("id") or "")]
    refs = [a for tag, a in page.elements if tag == "a" and "footnote-ref" in (a.get("class") or "")]
    backs = [a for tag, a in page.elements if tag == "a" and "footnote-back" in (a.get("class") or "")]
    assert len(notes) == 61 and len(refs) == 61 and len(backs) == 61
    ids = {a.get("id") for _, a in page.elements}
    assert all(b["href"][1:] in ids for b in backs)


def test_html_figure_is_embedded_with_alt_text(built: Project) -> None:
    """Figure 1 is in the page itself (no external file) and has alt text stating the data."""
    page = html_text(built.edition("html"))
    images = [a for tag, a in page.elements if tag == "img"]
    figure = [a for a in images if "South America 8" in (a.get("alt") or "")]
    assert figure and figure[0]["src"].startswith("data:image/svg+xml")


def test_docx_has_61_real_footnotes(built: Project) -> None:
    """The DOCX edition's notes are Word footnotes, 61 of them, each referenced once."""
    notes = docx_footnotes(built.edition("docx"))
    assert len(notes) == 61 and all(n.strip() for n in notes)
    assert docx_xml(built.edition("docx"), "word/document.xml").count("<w:footnoteReference ") == 61
    assert notes[17].strip().startswith("Ibid., 112")  # note 18, corrected from the original's "112.: 112."


def test_docx_tables_have_captions_and_header_rows(built: Project) -> None:
    """Tables 1 and 2 carry captions and marked header rows; Figure 1 is an embedded PNG."""
    xml = docx_xml(built.edition("docx"), "word/document.xml")
    assert xml.count("<w:tblHeader") >= 2
    assert normalise("Table 1: Relevant International Law") in normalise(docx_text(built.edition("docx")))
    import zipfile

    with zipfile.ZipFile(built.edition("docx")) as archive:
        assert any(name.startswith("word/media/") and name.endswith(".png") for name in archive.namelist())


def test_pdf_has_61_notes(built: Project) -> None:
    """The tagged PDF has 61 footnotes (Note elements), and note texts 1 and 61 are printed."""
    notes = [n for n in pdf_structure(built.edition("pdf")) if n["/S"] == "/Note"]
    assert len(notes) == 61
    text = normalise(pdf_text(built.edition("pdf")))
    assert normalise("Eso es Cuento") in text and normalise("Human Beings, 12") in text


def test_pdf_figure_has_alt_text(built: Project) -> None:
    """Figure 1 is tagged with its alt text in the PDF."""
    figures = [n for n in pdf_structure(built.edition("pdf")) if n["/S"] == "/Figure"]
    assert any("South America 8" in str(f.get("/Alt", "")) for f in figures)


def test_pdf_footnotes_at_foot_of_page(built: Project) -> None:
    """A note's text is printed on the same page as its marker (note 1 on the first body page)."""
    pages = pdf_pages(built.edition("pdf"))
    first_body = next(i for i, p in enumerate(pages) if "Introduction" in p and "María Luisa" in p)
    assert "Ser modelo webcam" in pages[first_body]


@pytest.mark.parametrize("edition", EDITIONS)
def test_corrected_readings(texts: dict[str, str], edition: str) -> None:
    """The recorded corrections are in the editions: 'cybercrimes', not the original's 'cybercrims'."""
    assert "cybercrims" not in texts[edition]
