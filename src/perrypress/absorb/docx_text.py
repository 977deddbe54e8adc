"""Read a DOCX (ours, edited or not) as paragraphs of plain text, with its notes and comments, through pandoc."""

from __future__ import annotations

import json
import logging
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import toolchain
from ..errors import SourceError

log = logging.getLogger(__name__)

NOTE = "\ue000"  # where a footnote's marker stands in a paragraph's text
PROPERTY = "perrypress-sources"


@dataclass
class Unit:
    """One paragraph of the document: body text, a heading, a table cell, a caption, a note."""

    style: str  # the Word style ("Body Text", "Heading 1", "Table Caption", "Footnote", …)
    text: str  # plain text; NOTE where a footnote's marker is
    table: tuple[int, int, int] | None = None  # (table, row, column) for a table cell
    parent: int | None = None  # for a note: the index of the unit its marker is in
    note: int = 0  # for a note: which of the parent's notes (0-based)

    @property
    def is_note(self) -> bool:
        """True for a footnote's text."""
        return self.parent is not None


@dataclass
class Comment:
    """A Word comment: who wrote it, when, what it says, and the text it is anchored to."""

    author: str
    date: str
    text: str
    anchor: str
    unit_text: str  # the accepted text of the paragraph the comment starts in
    unit_index: int = -1  # that paragraph's index among the accepted document's units


@dataclass
class Reading:
    """A DOCX read one way (changes accepted or rejected): its units, and its comments."""

    units: list[Unit]
    comments: list[Comment] = field(default_factory=list)


def docx_property(path: Path, name: str = PROPERTY) -> str | None:
    """The value of the custom document property ``name`` (docProps/custom.xml), or None."""
    import xml.etree.ElementTree as ET

    try:
        with zipfile.ZipFile(path) as archive:
            if "docProps/custom.xml" not in archive.namelist():
                return None
            root = ET.fromstring(archive.read("docProps/custom.xml"))
    except (zipfile.BadZipFile, ET.ParseError, OSError):
        return None
    for prop in root:
        if prop.get("name") == name:
            return "".join(prop.itertext()).strip()
    return None


def pandoc_json(path: Path, track_changes: str) -> dict[str, Any]:
    """pandoc's AST of the DOCX, with Word styles, tracked changes ``accept``, ``reject`` or ``all``."""
    result = subprocess.run([toolchain.pandoc_path(), "-f", "docx+styles", f"--track-changes={track_changes}",
                             str(path), "-t", "json"], capture_output=True, text=True)
    if result.returncode != 0:
        raise SourceError(path, f"pandoc cannot read it as DOCX: {result.stderr.strip()}",
                          "give the DOCX file as Word or LibreOffice saved it")
    return json.loads(result.stdout)


class _Walker:
    """Flatten pandoc's blocks into units, in reading order, each paragraph's notes right after it."""

    def __init__(self, mode: str) -> None:
        self.mode = mode  # "accept", "reject" or "all" (then deletions are left out and comments collected)
        self.units: list[Unit] = []
        self.comments: list[Comment] = []
        self._open: dict[str, dict[str, Any]] = {}

    def blocks(self, blocks: list[dict[str, Any]], style: str = "", table: tuple[int, int, int] | None = None) -> None:
        for block in blocks:
            self.block(block, style, table)

    def block(self, block: dict[str, Any], style: str, table: tuple[int, int, int] | None) -> None:
        kind, content = block["t"], block.get("c")
        if kind in ("Para", "Plain"):
            self.paragraph(content, style or "Normal", table)
        elif kind == "Header":
            self.paragraph(content[2], f"Heading {content[0]}", table)
        elif kind == "Div":
            styles = dict(content[0][2])
            self.blocks(content[1], styles.get("custom-style", style), table)
        elif kind == "BlockQuote":
            self.blocks(content, style or "Block Text", table)
        elif kind in ("BulletList", "OrderedList"):
            for item in content if kind == "BulletList" else content[1]:
                self.blocks(item, style or "List Paragraph", table)
        elif kind == "Figure":
            self.blocks(content[1][1], "Image Caption")
            self.blocks(content[2], "Figure")
        elif kind == "Table":
            self.table(content)
        elif kind == "LineBlock":
            for line in content:
                self.paragraph(line, style or "Normal", table)

    def table(self, content: list[Any]) -> None:
        number = sum(1 for u in self.units if u.style == "Table Caption")
        self.blocks(content[1][1], "Table Caption")
        rows = [row for row in content[3][1]]  # head rows
        for body in content[4]:
            rows += body[2] + body[3]
        rows += content[5][1]
        for r, row in enumerate(rows):
            for c, cell in enumerate(row[1]):
                self.blocks(cell[4], "Table Cell", (number, r, c))

    def paragraph(self, inlines: list[dict[str, Any]], style: str, table: tuple[int, int, int] | None) -> None:
        index = len(self.units)
        unit = Unit(style, "", table)
        self.units.append(unit)
        notes: list[list[dict[str, Any]]] = []
        unit.text = self.inlines(inlines, notes, index).strip()
        if not unit.text:  # an image's paragraph, an empty line: nothing to compare
            self.units.pop()
            return
        for k, note in enumerate(notes):
            position = len(self.units)
            walker = _Walker(self.mode)
            walker._open = self._open
            walker.blocks(note, "Footnote Text")
            text = " ".join(u.text for u in walker.units if not u.is_note).strip()
            self.units.insert(position, Unit("Footnote Text", text, parent=index, note=k))
            self.comments += walker.comments
        for comment in self.comments:
            if comment.unit_index == -1 and comment.unit_text == "":
                comment.unit_text = unit.text

    def inlines(self, inlines: list[dict[str, Any]], notes: list[Any], index: int) -> str:
        out: list[str] = []
        for item in inlines:
            kind, content = item["t"], item.get("c")
            if kind == "Str":
                out.append(content)
            elif kind in ("Space", "SoftBreak"):
                out.append(" ")
            elif kind == "LineBreak":
                out.append(" ")
            elif kind in ("Emph", "Strong", "Underline", "Strikeout", "Superscript", "Subscript", "SmallCaps"):
                out.append(self.inlines(content, notes, index))
            elif kind == "Quoted":
                marks = ("“", "”") if content[0]["t"] == "DoubleQuote" else ("‘", "’")
                out.append(marks[0] + self.inlines(content[1], notes, index) + marks[1])
            elif kind in ("Link", "Span", "Cite"):
                inner = content[1]
                if kind == "Span":
                    classes, attrs = content[0][1], dict(content[0][2])
                    if "deletion" in classes and self.mode == "all":
                        continue
                    if "comment-start" in classes:
                        self._open[content[0][0]] = {"author": attrs.get("author", ""), "date": attrs.get("date", ""),
                                                     "text": _plain(content[1]), "anchor": [], "out": out,
                                                     "start": len("".join(out))}
                        self._open[content[0][0]]["index"] = index
                        continue
                    if "comment-end" in classes:
                        self._close(content[0][0], out)
                        continue
                out.append(self.inlines(inner, notes, index))
            elif kind == "Note":
                notes.append(content)
                out.append(NOTE)
            elif kind in ("Code", "Math"):
                out.append(content[1])
            elif kind == "RawInline":
                continue
        return "".join(out)

    def _close(self, ident: str, out: list[str]) -> None:
        opened = self._open.pop(ident, None)
        if opened is None:
            return
        anchor = "".join(out)[opened["start"]:] if opened["out"] is out else "".join(opened["out"])[opened["start"]:]
        self.comments.append(Comment(opened["author"], opened["date"], opened["text"], anchor.strip(), "",
                                     unit_index=-1))


def _plain(inlines: list[dict[str, Any]]) -> str:
    """The plain text of a comment's content (pandoc gives it as the comment-start span's inlines)."""
    walker = _Walker("accept")
    return walker.inlines(inlines, [], -1).strip()


def read_docx(path: Path, track_changes: str = "accept") -> Reading:
    """The units of the DOCX with tracked changes accepted or rejected; with ``all``, its comments too."""
    walker = _Walker(track_changes)
    walker.blocks(pandoc_json(path, track_changes)["blocks"])
    # A comment still open at the end of the document (its end mark lost) is anchored to what followed its start.
    for ident in list(walker._open):
        opened = walker._open.pop(ident)
        walker.comments.append(Comment(opened["author"], opened["date"], opened["text"],
                                       "".join(opened["out"])[opened["start"]:].strip(), ""))
    return Reading(walker.units, walker.comments)


def read_comments(path: Path, accepted: list[Unit]) -> list[Comment]:
    """The DOCX's comments, each with the index of the accepted unit it starts in (the best match of its text)."""
    from difflib import SequenceMatcher

    reading = read_docx(path, "all")
    texts = [u.text for u in accepted]
    for comment in reading.comments:
        candidates = [i for i, t in enumerate(texts) if comment.anchor and comment.anchor in t]
        if len(candidates) == 1:
            comment.unit_index = candidates[0]
            continue
        pool = candidates or range(len(texts))
        best = max(pool, key=lambda i: SequenceMatcher(None, texts[i], comment.unit_text, autojunk=False).ratio(),
                   default=-1)
        comment.unit_index = best
    return reading.comments
