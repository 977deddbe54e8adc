"""Edits made to a copy of the DOCX edition's XML, as an author makes them in Word; and Word's compare of two copies."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass
from pathlib import Path

DOCUMENT, FOOTNOTES = "word/document.xml", "word/footnotes.xml"


@dataclass(frozen=True)
class Change:
    """Replace ``old`` (text inside one w:t element of ``part``) by ``new``; ``split`` ends the paragraph there."""

    old: str
    new: str
    part: str = DOCUMENT
    split: bool = False
    nth: int = 0  # which occurrence of ``old`` (0: the first)


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _edit_xml(xml: str, change: Change) -> str:
    """``xml`` with the change made in the text of a w:t element."""
    old, new = _escape(change.old), _escape(change.new)
    found = [m.start() for m in re.finditer(re.escape(old), xml)]
    texts = [p for p in found if xml.rfind("<w:t", 0, p) > xml.rfind("</w:t>", 0, p)]
    assert len(texts) > change.nth, f"{change.old!r} is not inside a w:t of the part"
    at = texts[change.nth]
    if not change.split:
        return xml[:at] + new + xml[at + len(old):]
    # End the paragraph after ``old``: close the text, run and paragraph, open new ones with the same properties.
    p_start = max(xml.rfind("<w:p>", 0, at), xml.rfind("<w:p ", 0, at))
    p_props = re.match(r"<w:p[^>]*>(<w:pPr>.*?</w:pPr>)?", xml[p_start:], re.S)
    r_start = max(xml.rfind("<w:r>", 0, at), xml.rfind("<w:r ", 0, at))
    r_props = re.match(r"<w:r[^>]*>(<w:rPr>.*?</w:rPr>)?", xml[r_start:], re.S)
    end = at + len(old)
    rest = xml[end:]
    trimmed = rest.lstrip(" ")
    return (xml[:end] + "</w:t></w:r></w:p><w:p>" + (p_props.group(1) or "") + "<w:r>" + (r_props.group(1) or "")
            + '<w:t xml:space="preserve">' + trimmed)


def edit_docx(data: bytes, changes: list[Change]) -> bytes:
    """A copy of the DOCX ``data`` with ``changes`` made (the package otherwise as it was)."""
    source = zipfile.ZipFile(io.BytesIO(data))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as out:
        for info in source.infolist():
            content = source.read(info)
            mine = [c for c in changes if c.part == info.filename]
            if mine:
                xml = content.decode("utf-8")
                for change in mine:
                    xml = _edit_xml(xml, change)
                content = xml.encode("utf-8")
            out.writestr(info, content, compress_type=info.compress_type)
    return buffer.getvalue()


def tracked(original: bytes, edited: bytes, author: str = "Author") -> bytes:
    """The edited copy as Word's compare makes it: the differences as tracked changes (python-redlines)."""
    from python_redlines.engines import DocxodusEngine

    return DocxodusEngine().run_redline(author, original, edited)[0]


def add_comment(data: bytes, anchor: str, text: str, author: str = "Editor") -> bytes:
    """The DOCX with a Word comment on the run that holds ``anchor`` (python-docx)."""
    import docx

    document = docx.Document(io.BytesIO(data))
    for paragraph in document.paragraphs:
        for run in paragraph.runs:
            if anchor in run.text:
                document.add_comment(run, text=text, author=author, initials=author[:1])
                out = io.BytesIO()
                document.save(out)
                return out.getvalue()
    raise AssertionError(f"no run holds {anchor!r}")


def through_libreoffice(path: Path, out_dir: Path) -> Path:
    """``path`` opened and saved as DOCX by LibreOffice (which rewrites the whole package)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    assert soffice, "LibreOffice is not installed"
    out_dir.mkdir(parents=True, exist_ok=True)
    profile = out_dir / ".profile"
    subprocess.run([soffice, f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to", "docx",
                    "--outdir", str(out_dir), str(path)], check=True, capture_output=True, timeout=300)
    return out_dir / path.name
