"""Table rows of the DOCX edition never split across pages: w:cantSplit on every row, the ZIP otherwise untouched."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

from perrypress.editions.docx_rows import keep_rows_together, rewrite_docx

ROWS = (b'<w:tbl><w:tr><w:trPr><w:tblHeader w:val="on" /></w:trPr><w:tc /></w:tr>'
        b'<w:tr><w:tc /></w:tr><w:tr><w:trPr /><w:tc /></w:tr></w:tbl><w:trHeight />')


def test_every_row_gets_cant_split() -> None:
    """Rows with, without and with empty row properties all get cantSplit; header marks stay."""
    out = keep_rows_together(ROWS)
    assert out.count(b"<w:tr>") == 3
    assert out.count(b"<w:tr><w:trPr><w:cantSplit />") == 3
    assert b'<w:cantSplit /><w:tblHeader w:val="on" /></w:trPr>' in out
    assert out.endswith(b"</w:tbl><w:trHeight />")


def test_idempotent() -> None:
    """Applying it twice changes nothing more."""
    once = keep_rows_together(ROWS)
    assert keep_rows_together(once) == once


def test_rewrite_keeps_the_rest_of_the_zip(tmp_path: Path) -> None:
    """Only document.xml changes; entry order, dates and compression stay as pandoc wrote them."""
    docx = tmp_path / "edition.docx"
    with zipfile.ZipFile(docx, "w") as archive:
        for name, data in (("[Content_Types].xml", b"<Types />"), ("word/document.xml", ROWS),
                           ("word/styles.xml", b"<w:styles />")):
            info = zipfile.ZipInfo(name, date_time=(2024, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    before = zipfile.ZipFile(io.BytesIO(docx.read_bytes())).infolist()
    assert rewrite_docx(docx) == 3
    with zipfile.ZipFile(docx) as archive:
        after = archive.infolist()
        assert archive.read("word/styles.xml") == b"<w:styles />"
        assert archive.read("word/document.xml") == keep_rows_together(ROWS)
    assert [(i.filename, i.date_time, i.compress_type) for i in after] == \
        [(i.filename, i.date_time, i.compress_type) for i in before]
