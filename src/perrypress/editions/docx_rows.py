"""Keep every table row of the DOCX edition on one page (Word's ``w:cantSplit``).

pandoc's DOCX writer marks header rows to repeat (``w:tblHeader``) but has no
way to say that a row must not break across a page, and Word and LibreOffice
ignore ``cantSplit`` in a table style. So the edition's ``word/document.xml``
gets it on every row, after pandoc wrote the file. The ZIP's other entries,
their order, dates and compression stay as pandoc wrote them, so the
edition's bytes stay reproducible.
"""

from __future__ import annotations

import io
import logging
import re
import zipfile
from pathlib import Path

log = logging.getLogger(__name__)

DOCUMENT = "word/document.xml"
CANT_SPLIT = b"<w:cantSplit />"


def keep_rows_together(xml: bytes) -> bytes:
    """Return document.xml with ``w:cantSplit`` in the row properties of every table row."""
    # A row's properties are its first child (pandoc writes no w:tblPrEx); they are a choice of elements in
    # any order, so cantSplit goes first. A row that has it already is left alone.
    xml = xml.replace(b"<w:trPr />", b"<w:trPr></w:trPr>")
    xml = re.sub(rb"(<w:tr(?: [^>]*)?>)<w:trPr>(?!<w:cantSplit)", rb"\1<w:trPr>" + CANT_SPLIT, xml)
    return re.sub(rb"(<w:tr(?: [^>]*)?>)(?!<w:trPr>)", rb"\1<w:trPr>" + CANT_SPLIT + rb"</w:trPr>", xml)


def rewrite_docx(path: Path) -> int:
    """Apply keep_rows_together to the DOCX at ``path`` in place; return the number of rows."""
    source = path.read_bytes()
    buffer = io.BytesIO()
    rows = 0
    with zipfile.ZipFile(io.BytesIO(source)) as archive, zipfile.ZipFile(buffer, "w") as out:
        for info in archive.infolist():
            data = archive.read(info)
            if info.filename == DOCUMENT:
                data = keep_rows_together(data)
                rows = data.count(CANT_SPLIT)
            out.writestr(info, data, compress_type=info.compress_type)
    path.write_bytes(buffer.getvalue())
    log.info("%s: %d table rows kept on one page", path.name, rows)
    return rows
