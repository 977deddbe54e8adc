"""The DOCX edition opened in a real office suite: LibreOffice converts it to PDF, and the PDF is read back.

LibreOffice (Debian libreoffice-writer-nogui) does not have the house fonts
installed: it can only show them from the fonts embedded in the DOCX.
"""

from __future__ import annotations

import csv
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from conftest import Project
from readers import normalise

SOFFICE = shutil.which("soffice") or shutil.which("libreoffice")
pytestmark = pytest.mark.skipif(
    SOFFICE is None or shutil.which("pdffonts") is None or shutil.which("pdftotext") is None,
    reason="LibreOffice or poppler-utils is not installed: `apt-get install -y libreoffice-writer-nogui "
           "poppler-utils` (Debian; .ci/run installs them)")
NOTES = 61


@pytest.fixture(scope="session")
def converted(built: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The DOCX edition converted to PDF by LibreOffice headless, once per session (own profile folder)."""
    out = tmp_path_factory.mktemp("libreoffice")
    result = subprocess.run([SOFFICE, f"-env:UserInstallation={(out / 'profile').as_uri()}", "--headless",
                             "--convert-to", "pdf", "--outdir", str(out), str(built.edition("docx"))],
                            capture_output=True, text=True, timeout=300)
    pdf = out / built.edition("docx").with_suffix(".pdf").name
    assert pdf.exists(), result.stdout + result.stderr
    return pdf


@pytest.fixture(scope="module")
def pages(converted: Path) -> list[str]:
    """The converted PDF's text, page by page, in content order (a table cell's text stays together)."""
    text = subprocess.run(["pdftotext", "-raw", str(converted), "-"], capture_output=True, text=True,
                          check=True).stdout
    return text.split("\f")


def test_house_fonts_not_substitutes(converted: Path) -> None:
    """The PDF uses Source Serif 4 and Source Sans 3 (embedded in the DOCX), and no DejaVu or other fallback."""
    listing = subprocess.run(["pdffonts", str(converted)], capture_output=True, text=True, check=True).stdout
    names = [re.sub(r"^[A-Z]{6}\+", "", line.split()[0]) for line in listing.splitlines()[2:] if line.strip()]
    families = {name.split("-")[0] for name in names}
    assert families == {"SourceSerif4", "SourceSans3"}, names
    assert {"SourceSerif4-Regular", "SourceSerif4-Italic", "SourceSans3-Bold"} <= set(names)


def test_all_notes_are_footnotes(pages: list[str]) -> None:
    """The notes are numbered 1 to 61 at the foot of the pages, in order, and there is no 62nd."""
    labels = [int(m) for page in pages for m in re.findall(r"^\s*(\d{1,3})\s*$", page, flags=re.M)]
    expected = 1
    for label in labels:  # note labels stand on a line of their own; other lone numbers are skipped
        if label == expected:
            expected += 1
    assert expected - 1 == NOTES
    assert NOTES + 1 not in labels


def test_no_file_path(pages: list[str]) -> None:
    """No image path or file name is printed; the photo placeholders read "Photograph to come"."""
    text = "\n".join(pages)
    assert "/images/" not in text and ".jpg" not in text
    assert text.count("Photograph to come") == 2


@pytest.mark.parametrize("table, column", [("structures", "definition"), ("law", "instrument")])
def test_no_table_row_split_across_pages(pages: list[str], built: Project, table: str, column: str) -> None:
    """Each row's longest cell (Table 2's definitions, Table 1's instruments) is printed whole on one page."""
    with open(built.root / "data" / f"{table}.csv", encoding="utf-8") as handle:
        cells = [row[column] for row in csv.DictReader(handle)]
    assert cells
    printed = [normalise(page) for page in pages]
    split = [cell for cell in cells if not any(normalise(cell) in page for page in printed)]
    assert not split, f"rows cut across a page break (or missing): {split}"
