"""review.docx: HEAD's DOCX edition with the differences from BASE as native Word tracked changes."""

from __future__ import annotations

import hashlib
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

    old, new = normalise_media(old_docx.read_bytes()), normalise_media(new_docx.read_bytes())
    redlined = DocxodusEngine().run_redline(AUTHOR, old, new)[0]
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


MEDIA_PARTS = re.compile(r"word/(document|footnotes|endnotes|header\d*|footer\d*)\.xml|word/_rels/.*\.rels")


def normalise_media(docx: bytes) -> bytes:
    """The DOCX with each image named by its content (media/<digest>.png, relationship id rIdm<digest>).

    pandoc names an image and its relationship by a running number (media/rId35.png), which shifts
    when anything with a relationship (a note's link) is inserted before it; the comparison would
    then show the unchanged figure deleted and inserted again.
    """
    with zipfile.ZipFile(BytesIO(docx)) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
        infos = archive.infolist()
    renames: dict[str, str] = {}  # old → new, for both the media file names and their relationship ids
    for rels_name in [name for name in parts if name.startswith("word/_rels/") and name.endswith(".rels")]:
        rels = parts[rels_name].decode("utf-8")
        for ident, target in re.findall(r'<Relationship\b[^>]*?Id="([^"]+)"[^>]*?Target="(media/[^"]+)"', rels):
            digest = hashlib.sha256(parts.get(f"word/{target}", target.encode())).hexdigest()[:16]
            renames[target] = f"media/{digest}{Path(target).suffix}"
            renames[ident] = f"rIdm{digest}"
    if not renames:
        return docx
    pattern = re.compile(r'(?<=")(' + "|".join(re.escape(k) for k in sorted(renames, key=len, reverse=True)) + r')(?=")')
    part_name = re.compile(r'(?<="/word/)(' + "|".join(re.escape(k) for k in renames if k.startswith("media/")) + r')(?=")')
    out = BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for info in infos:
            name, data = info.filename, parts[info.filename]
            if name.startswith("word/media/"):
                name = "word/" + renames.get(name.removeprefix("word/"), name.removeprefix("word/"))
            elif MEDIA_PARTS.fullmatch(name):
                data = pattern.sub(lambda m: renames[m.group(1)], data.decode("utf-8")).encode("utf-8")
            elif name == "[Content_Types].xml":  # PartName="/word/media/rId35.png"
                data = part_name.sub(lambda m: renames[m.group(1)], data.decode("utf-8")).encode("utf-8")
            archive.writestr(name, data)
    return out.getvalue()
