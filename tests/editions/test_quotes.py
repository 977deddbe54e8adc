"""Quotation marks in the paper's language (quotes.lua): «…» with “…” inside in Spanish, in every edition."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import pytest
import typst
from pypdf import PdfReader

from conftest import run_pandoc
from editions.test_filters import pandoc_filter_args, render, write_case

TEXT = 'Dijo "el puerto está \'cerrado\' hoy" y se fue.\n'


def test_no_quotation_is_left_to_the_writers(tmp_path: Path) -> None:
    """In a Spanish paper no Quoted element reaches a writer: the marks are text, the same in every edition."""
    code, output, stderr = render(write_case(tmp_path, TEXT, ["quotes"], to="plain"), lang="es-ES")
    assert code == 0, stderr
    assert output.strip() == "Dijo «el puerto está “cerrado” hoy» y se fue."
    code, native, _ = render(write_case(tmp_path, TEXT, ["quotes"], to="native"), lang="es-ES")
    assert "Quoted" not in native


def test_spanish_docx(tmp_path: Path) -> None:
    """The DOCX's text carries the Spanish marks."""
    case = write_case(tmp_path, TEXT, ["quotes"], to="native")
    _, native, _ = render(case, lang="es-ES")
    result = run_pandoc("-f", "native", "-t", "docx", "-o", "out.docx", cwd=tmp_path, stdin=native)
    assert result.returncode == 0, result.stderr
    with zipfile.ZipFile(tmp_path / "out.docx") as docx:
        text = "".join(re.findall(r"<w:t[^>]*>([^<]*)</w:t>", docx.read("word/document.xml").decode("utf-8")))
    assert "Dijo «el puerto está “cerrado” hoy» y se fue." in text


def test_spanish_html(tmp_path: Path) -> None:
    """The HTML page shows the Spanish marks as text."""
    code, output, stderr = render(write_case(tmp_path, TEXT, ["quotes"], to="html"), lang="es-ES")
    assert code == 0, stderr
    assert output.strip() == "<p>Dijo «el puerto está “cerrado” hoy» y se fue.</p>"


def test_english_is_left_as_it_is(tmp_path: Path) -> None:
    """With English marks the filter changes nothing: the document is pandoc's own, Quoted elements and all."""
    case = write_case(tmp_path, TEXT, ["quotes"], to="native")
    assert render(case, lang="en-US")[1] == run_pandoc("input.md", "-f", "markdown", "-t", "native", "--wrap=none",
                                                       cwd=case).stdout


def test_typst_agrees(tmp_path: Path) -> None:
    """The PDF prints the marks Typst's own smart quotes give a Spanish (es-ES) document, and so do HTML and DOCX."""
    def pdf_text(body: str) -> str:
        source = f'#set text(lang: "es", region: "ES")\n{body}'
        return PdfReader(io.BytesIO(typst.compile(source.encode("utf-8")))).pages[0].extract_text().strip()

    case = write_case(tmp_path, TEXT, ["quotes"], to="typst")
    code, filtered, stderr = render(case, lang="es-ES")
    assert code == 0, stderr
    plain = run_pandoc("input.md", "-f", "markdown", "-t", "typst", cwd=case).stdout
    assert pdf_text(filtered) == pdf_text(plain) == "Dijo «el puerto está “cerrado” hoy» y se fue."


def test_a_missing_mark_is_an_error(tmp_path: Path) -> None:
    """A label table that gives only some of the four marks stops the build, naming the key."""
    case = write_case(tmp_path, TEXT, ["quotes"], to="html")
    (case / "labels.yaml").write_text("metadata:\n  perry-labels:\n    quotes: {open: «, close: »}\n", encoding="utf-8")
    result = run_pandoc("input.md", "-t", "html", *pandoc_filter_args(["quotes"]), "--defaults", "labels.yaml",
                        cwd=case)
    assert result.returncode != 0 and "perry-labels.quotes.inner-" in result.stderr
