"""README previews: the PDF's pages rendered by pypdfium2, the HTML page by Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Project
from perrypress.screenshots import chromium_available, first_body_page, html_screenshot, pdf_page_png


def test_pdf_pages_render_identically(built: Project, tmp_path: Path) -> None:
    """The cover renders to the same PNG bytes twice (fixed scale, no metadata)."""
    one = pdf_page_png(built.edition("pdf"), 0, tmp_path / "one.png")
    two = pdf_page_png(built.edition("pdf"), 0, tmp_path / "two.png")
    assert one.read_bytes() == two.read_bytes() and one.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_first_body_page_is_the_introduction(built: Project) -> None:
    """The first body page is where the PDF's first bookmark (the Introduction) points."""
    import pypdfium2 as pdfium

    index = first_body_page(built.edition("pdf"))
    document = pdfium.PdfDocument(str(built.edition("pdf")))
    text = document[index].get_textpage().get_text_range()
    document.close()
    assert index > 0 and "Introduction" in text


@pytest.mark.skipif(not chromium_available(), reason="Chromium is not installed: `apt-get install -y chromium` "
                    "and the playwright package (never `playwright install`)")
def test_html_screenshot(built: Project, tmp_path: Path) -> None:
    """Chromium screenshots the top of the page at 1280 × 1000."""
    from PIL import Image

    out = html_screenshot(built.edition("html"), tmp_path / "page.png")
    assert Image.open(out).size == (1280, 1000)
