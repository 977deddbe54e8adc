"""The PDF edition in the Perry Center's house style: cover, inner pages, running header, back page, PDF/A + PDF/UA."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from conftest import Project
from readers import normalise, pdf_pages, pdf_structure

HEADER = "WILLIAM J. PERRY CENTER FOR HEMISPHERIC DEFENSE STUDIES"


@pytest.fixture(scope="module")
def pages(built: Project) -> list[str]:
    return pdf_pages(built.edition("pdf"))


def test_cover(pages: list[str]) -> None:
    """Page 1 carries the Center, the series, edition and number, title, subtitle and author."""
    cover = normalise(pages[0])
    for text in ["William J. Perry Center for Hemispheric Defense Studies", "Emerging Voices",
                 "2024 Edition | No. 1 (January)", "Cybersex Trafficking in South America",
                 "The Civil-Military Dimensions of Confronting Human Trafficking in the Digital Domain",
                 "By Zoe Nelson"]:
        assert normalise(text) in cover, text


def test_inner_pages_before_the_body(pages: list[str]) -> None:
    """About the Author, the series statement and the disclaimer precede the body, then the title block again."""
    inner = normalise(pages[1])
    for text in ["About the Author", "Zoe Nelson is an Academic Assistant", "Emerging Voices, the newest "
                 "publication platform", "The views expressed in this article are those of the author"]:
        assert normalise(text) in inner, text
    assert normalise("By Zoe Nelson") in normalise(pages[2]) and "Introduction" in pages[2]


def test_running_header_on_body_pages_only(pages: list[str]) -> None:
    """Every body page has the running header and a page number; the cover, inner and back pages do not."""
    running = "JANUARY 2024, No. 1"  # the header's issue line; the cover sets the issue differently
    assert running not in pages[0] and running not in pages[1] and HEADER not in pages[1]
    for number, text in enumerate(pages[2:-1], start=1):
        assert HEADER in text and "EMERGING VOICES" in text and running in text, number
        assert re.search(rf"(^|\n){number}\s*$", text.strip()) or f"\n{number}\n" in text, number
    assert running not in pages[-1]


def test_back_page(pages: list[str]) -> None:
    """The last page has the editorial credits, the web address and the final disclaimer."""
    back = normalise(pages[-1])
    for text in ["Editor-in-chief: Dr. Patrick Paterson", "Editor: Luz Noguez", "Layout Design: Gabrielli Raya Lebrón",
                 "www.wjpcenter.org", "Emerging Voices is an original publication"]:
        assert normalise(text) in back, text


def test_bibliography_before_back_page(pages: list[str]) -> None:
    """The bibliography comes after the conclusions, before the back page."""
    text = "\n".join(pages[:-1])
    assert text.index("Bibliography") > text.index("Conclusions")
    assert "Pion-Berlin, David, and Miguel Carreras" in text


def test_metadata_and_conformance(built: Project) -> None:
    """Title, author and language are set, and the XMP declares PDF/A-2a and PDF/UA-1."""
    reader = PdfReader(built.edition("pdf"))
    assert reader.metadata.title.startswith("Cybersex Trafficking in South America")
    assert reader.metadata.author == "Zoe Nelson"
    assert str(reader.trailer["/Root"]["/Lang"]).startswith("en")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part[^0-9]*2", xmp) and re.search(r"pdfaid:conformance[^A-Z]*A", xmp)
    assert re.search(r"pdfuaid:part[^0-9]*1", xmp)


def test_only_project_fonts_are_embedded(built: Project) -> None:
    """Every font in the PDF is one of the project's (Source Serif 4, Source Sans 3), embedded."""
    reader = PdfReader(built.edition("pdf"))
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                names.add(str(descendant["/BaseFont"]).split("+")[-1])
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), names
    assert names and all(n.startswith(("SourceSerif4", "SourceSans3")) for n in names), names


def test_tables_are_tagged_with_header_rows(built: Project) -> None:
    """Tables 1 and 2 are tagged tables with header cells (repeated on a page break by Typst)."""
    tags = [str(e["/S"]) for e in pdf_structure(built.edition("pdf"))]
    assert tags.count("/Table") >= 2 and tags.count("/TH") >= 5


@pytest.mark.parametrize("name", ["Bogotá", "Belém do Pará", "Ejército de Liberación Nacional", "Cúcuta",
                                  "Ophélie", "Lebrón"])
def test_spanish_and_portuguese_names(pages: list[str], name: str) -> None:
    """Accented names are set with their own glyphs (and extract back as the same letters)."""
    assert name in re.sub(r"\s+", " ", "\n".join(pages))
