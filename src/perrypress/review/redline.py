"""review.docx: HEAD's DOCX edition with the differences from BASE as native Word tracked changes."""

from __future__ import annotations

import logging
import re
import zipfile
from io import BytesIO
from pathlib import Path

log = logging.getLogger(__name__)

AUTHOR = "perrypress review"


def write_redline(old_docx: Path, new_docx: Path, out: Path) -> tuple[int, int]:
    """Compare the two DOCX editions (python-redlines' Docxodus engine); return (w:ins, w:del) written."""
    from python_redlines.engines import DocxodusEngine

    redlined = DocxodusEngine().run_redline(AUTHOR, old_docx.read_bytes(), new_docx.read_bytes())[0]
    staged = out.with_suffix(".docx.part")
    staged.parent.mkdir(parents=True, exist_ok=True)
    staged.write_bytes(redlined)
    staged.replace(out)
    return tracked_changes(redlined)


def tracked_changes(docx: bytes) -> tuple[int, int]:
    """Count the insertions and deletions (w:ins, w:del) in the body, footnotes and endnotes of a DOCX."""
    inserted = deleted = 0
    with zipfile.ZipFile(BytesIO(docx)) as archive:
        for name in archive.namelist():
            if re.fullmatch(r"word/(document|footnotes|endnotes)\.xml", name):
                xml = archive.read(name).decode("utf-8")
                inserted += len(re.findall(r"<w:ins\b", xml))
                deleted += len(re.findall(r"<w:del\b", xml))
    return inserted, deleted
