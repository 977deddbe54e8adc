"""Read what a built DOCX edition prints: its blocks of text (paragraphs, table cells, notes, headers and
footers), each with where a reader finds it; and its links (hyperlinks and their relationships' targets) and
its pictures' descriptions (alt text), each with the place of the block it is in."""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from xml.etree import ElementTree as ET

from .links import AltText, Link

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
R = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
TITLE_PAGE = "title page"
# The Divs front-back-matter.lua makes: pandoc writes a Div's id as a bookmark around its paragraphs.
MATTER = {"front-matter": TITLE_PAGE, "back-matter": "back matter"}
HEADING = re.compile(r"(?i)heading ?\d+")  # pandoc's paragraph styles Heading1 … Heading9
CAPTION = "TableCaption"
PARTS = re.compile(r"word/(header|footer)(\d*)\.xml")


@dataclass(frozen=True)
class Block:
    """One unit of text the DOCX edition prints, and where it is: a heading's text ("Introduction"), "title
    page", "back matter", "note 3 (Introduction)", "Table 1, a cell (Introduction)", "header", "footer"."""

    text: str
    where: str


def text_of(element: ET.Element) -> str:
    """The text an element prints, tabs and line breaks as spaces, whitespace collapsed."""
    parts = []
    for node in element.iter():
        if node.tag == f"{W}t":
            parts.append(node.text or "")
        elif node.tag in {f"{W}tab", f"{W}br", f"{W}cr"}:
            parts.append(" ")
        elif node.tag == f"{W}noBreakHyphen":
            parts.append("-")
    return re.sub(r"\s+", " ", "".join(parts)).strip()


@dataclass
class DocxReading:
    """What the DOCX edition prints (its blocks), where its links go and what its pictures' descriptions say."""

    blocks: list[Block] = field(default_factory=list)
    links: list[Link] = field(default_factory=list)
    alt_texts: list[AltText] = field(default_factory=list)

    def add(self, element: ET.Element, where: str, targets: dict[str, str]) -> None:
        """Record the hyperlinks (``targets``: the part's relationship id → target; an internal link's bookmark
        as "#name") and the picture descriptions inside ``element``, found at ``where``."""
        for link in element.iter(f"{W}hyperlink"):
            ident, anchor = link.get(f"{R}id"), link.get(f"{W}anchor")
            target = targets.get(ident or "", "") if ident else f"#{anchor}" if anchor else ""
            self.links.append(Link(text_of(link), target, where))
        for picture in element.iter(f"{WP}docPr"):
            if picture.get("descr", "").strip():
                self.alt_texts.append(AltText(re.sub(r"\s+", " ", picture.get("descr")).strip(), "image", where))


def relationships(archive: zipfile.ZipFile, part: str) -> dict[str, str]:
    """A part's relationships: id → target (word/_rels/<part>.rels)."""
    folder, name = part.rsplit("/", 1)
    rels = f"{folder}/_rels/{name}.rels"
    if rels not in archive.namelist():
        return {}
    found = ET.fromstring(archive.read(rels)).iter(f"{RELS}Relationship")
    return {rel.get("Id", ""): rel.get("Target", "") for rel in found}


@dataclass
class _Body:
    """Walk document.xml's body in reading order, keeping the heading, bookmarks and table caption in force."""

    reading: DocxReading = field(default_factory=DocxReading)
    targets: dict[str, str] = field(default_factory=dict)  # document.xml's relationships
    heading: str = ""
    bookmarks: dict[str, str] = field(default_factory=dict)  # open bookmarks: id → name
    caption: str = ""
    notes: dict[str, str] = field(default_factory=dict)  # footnote id → "note N (where its marker is)"

    def walk(self, element: ET.Element) -> None:
        for child in element:
            if child.tag == f"{W}p":
                self.paragraph(child)
            elif child.tag == f"{W}tbl":
                self.table(child)
            elif child.tag in {f"{W}bookmarkStart", f"{W}bookmarkEnd"}:
                self.bookmark(child)
            else:  # the body itself, content controls (w:sdt), custom XML: their paragraphs
                self.walk(child)

    def bookmark(self, mark: ET.Element) -> None:
        if mark.tag == f"{W}bookmarkStart":
            self.bookmarks[mark.get(f"{W}id", "")] = mark.get(f"{W}name", "")
        else:
            self.bookmarks.pop(mark.get(f"{W}id", ""), None)

    def matter(self) -> str:
        """"title page" or "back matter" inside those Divs, else ""."""
        return next((MATTER[name] for name in reversed(self.bookmarks.values()) if name in MATTER), "")

    def place(self) -> str:
        """Where the next block is: front or back matter, else the last heading (before any: the title page)."""
        return self.matter() or self.heading or TITLE_PAGE

    def paragraph(self, paragraph: ET.Element) -> None:
        marks = [m for m in paragraph.iter() if m.tag in {f"{W}bookmarkStart", f"{W}bookmarkEnd"}]
        for mark in marks:
            if mark.tag == f"{W}bookmarkStart":
                self.bookmark(mark)
        text = text_of(paragraph)
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        style = style.get(f"{W}val", "") if style is not None else ""
        if text and HEADING.fullmatch(style) and not self.matter():
            self.heading = text
        self.add(paragraph, text, self.place())
        if style == CAPTION:
            self.caption = text
        for mark in marks:
            if mark.tag == f"{W}bookmarkEnd":
                self.bookmark(mark)

    def table(self, table: ET.Element) -> None:
        label = self.caption.split(":")[0] if ":" in self.caption else "a table"
        where = f"{label}, a cell ({self.place()})"
        for row in table.iter(f"{W}tr"):
            for cell in row.findall(f"{W}tc"):
                text = " ".join(filter(None, (text_of(p) for p in cell.iter(f"{W}p"))))
                self.add(cell, text, where, notes=self.place())
        self.caption = ""

    def add(self, element: ET.Element, text: str, where: str, *, notes: str = "") -> None:
        """Record a block, and the number of each note whose marker it holds with ``notes`` (or ``where``)."""
        for reference in element.iter(f"{W}footnoteReference"):
            self.notes[reference.get(f"{W}id", "")] = f"note {len(self.notes) + 1} ({notes or where})"
        self.reading.add(element, where, self.targets)
        if text:
            self.reading.blocks.append(Block(text, where))


def read_docx(path: Path) -> list[Block]:
    """The DOCX edition's blocks in reading order: the body (paragraphs, table cells), the notes in the order
    of their markers, then the headers and the footers."""
    return read_docx_edition(path).blocks


def read_docx_edition(path: Path) -> DocxReading:
    """The DOCX edition's blocks (as ``read_docx``), and its links and picture descriptions in the same order."""
    with zipfile.ZipFile(path) as archive:
        names = archive.namelist()
        body = _Body(targets=relationships(archive, "word/document.xml"))
        if "word/document.xml" in names:
            body.walk(ET.fromstring(archive.read("word/document.xml")))
        reading = body.reading
        if "word/footnotes.xml" in names:
            notes: dict[str, tuple[Block, DocxReading]] = {}
            targets = relationships(archive, "word/footnotes.xml")
            for note in ET.fromstring(archive.read("word/footnotes.xml")).findall(f"{W}footnote"):
                text = " ".join(filter(None, (text_of(p) for p in note.iter(f"{W}p"))))
                if note.get(f"{W}type") is None and text:  # not the separators
                    ident = note.get(f"{W}id", "")
                    inside = DocxReading()
                    inside.add(note, body.notes.get(ident, "a note"), targets)
                    notes[ident] = Block(text, body.notes.get(ident, "a note")), inside
            for ident in [i for i in body.notes if i in notes] + [i for i in notes if i not in body.notes]:
                block, inside = notes[ident]
                reading.blocks.append(block)
                reading.links += inside.links
                reading.alt_texts += inside.alt_texts
        parts = sorted((m.group(1) != "header", int(m.group(2) or 0), m.group(1), m.group(0))
                       for m in map(PARTS.fullmatch, names) if m)
        for *_, kind, name in parts:
            part = ET.fromstring(archive.read(name))
            text = " ".join(filter(None, (text_of(p) for p in part.iter(f"{W}p"))))
            reading.add(part, kind, relationships(archive, name))
            if text:
                reading.blocks.append(Block(text, kind))
    return reading
