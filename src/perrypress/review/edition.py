"""Read what a built HTML edition says: prose per section, notes, bibliography entries, front and back matter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIP = {"script", "style", "svg", "math", "template"}
# Blocks whose text is one unit of prose (a paragraph of the diff).
PARAGRAPHS = {"p", "li", "figcaption", "dt", "dd", "h3", "h4", "h5", "h6"}
# Not prose: tables are compared cell by cell as printed, note markers through the notes.
NOT_PROSE = {"table", "nav"}
TABLE_BLOCK = "data-table"  # the generated table's wrapper: the table, its notes and its source line


@dataclass
class Section:
    """One section of the paper as printed: its heading and its paragraphs."""

    key: str
    heading: str
    paragraphs: list[str] = field(default_factory=list)


@dataclass
class PrintedTable:
    """A table as the edition prints it: caption, header, body rows, notes and source line (note markers left out)."""

    caption: str
    header: list[str]
    rows: list[list[str]]
    notes: list[str]
    source: str


@dataclass
class EditionText:
    """What one HTML edition says, in reading order."""

    sections: list[Section]
    notes: list[str]
    entries: dict[str, str]  # bibliography: citation key → entry as printed
    metadata: dict[str, str]  # front and back matter and the page's metadata, by name
    tables: dict[str, str]  # table label ("tbl-law") → its caption as printed
    note_sections: dict[int, str] = field(default_factory=dict)  # note number → heading of the section citing it
    printed_tables: dict[str, PrintedTable] = field(default_factory=dict)  # block id → the table as printed

    def blocks(self) -> list[str]:
        """Every unit of text the edition prints, in order: headings, paragraphs, table cells, notes, entries."""
        found = [f"{name}: {value}" for name, value in self.metadata.items()]
        for section in self.sections:
            found += [section.heading, *section.paragraphs]
        for table in self.printed_tables.values():
            found += [table.caption, *table.header, *(cell for row in table.rows for cell in row), *table.notes,
                      table.source]
        return [*found, *self.notes, *self.entries.values()]


class _TreeBuilder(HTMLParser):
    """Build an ElementTree from HTML, dropping scripts, styles and inline SVG."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = ET.Element("document")
        self.stack = [self.root]
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if self.skip or tag in SKIP:
            self.skip += tag not in VOID
            return
        element = ET.SubElement(self.stack[-1], tag, {k: v or "" for k, v in attrs if not k.startswith("on")})
        if tag not in VOID:
            self.stack.append(element)

    def handle_endtag(self, tag: str) -> None:
        if self.skip:
            self.skip -= tag not in VOID
            return
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data: str) -> None:
        if self.skip:
            return
        parent = self.stack[-1]
        if len(parent):
            parent[-1].tail = (parent[-1].tail or "") + data
        else:
            parent.text = (parent.text or "") + data


def _classes(element: ET.Element) -> set[str]:
    return set(element.get("class", "").split())


def text_of(element: ET.Element, *, drop: set[str] = frozenset()) -> str:
    """The element's text with whitespace collapsed, leaving out elements with a class in ``drop``."""
    parts: list[str] = []

    def walk(node: ET.Element) -> None:
        if _classes(node) & drop:
            parts.append(node.tail or "")
            return
        parts.append(node.text or "")
        for child in node:
            walk(child)
        parts.append(node.tail or "")

    parts.append(element.text or "")
    for child in element:
        walk(child)
    return re.sub(r"\s+", " ", "".join(parts)).strip()


def parse(path: Path) -> ET.Element:
    """Parse an HTML file into an ElementTree element."""
    builder = _TreeBuilder()
    builder.feed(path.read_text(encoding="utf-8"))
    builder.close()
    return builder.root


def _paragraphs(element: ET.Element) -> list[str]:
    """The prose blocks under ``element``, in order, without note markers or tables."""
    found: list[str] = []
    for child in element:
        if child.tag in NOT_PROSE or child.tag in {"h2"} or TABLE_BLOCK in _classes(child):
            continue
        if child.tag in PARAGRAPHS:
            text = text_of(child, drop={"footnote-ref"})
            if text:
                found.append(text)
        else:
            found += _paragraphs(child)
    return found


def read_edition(path: Path) -> EditionText:
    """Read a built HTML edition."""
    root = parse(path)
    sections, notes, entries, metadata, tables, note_sections, printed = [], [], {}, {}, {}, {}, {}
    for meta in root.iter("meta"):
        name = meta.get("name") or meta.get("property")
        if name and name not in {"viewport", "generator"}:
            metadata[f"meta {name}"] = (metadata.get(f"meta {name}", "") + " " + meta.get("content", "")).strip()
    for element in root.iter():
        classes, ident = _classes(element), element.get("id", "")
        if element.tag == "section" and "level2" in classes and ident != "notes":
            heading = element.find("h2")
            sections.append(Section(ident, text_of(heading) if heading is not None else ident, _paragraphs(element)))
            for link in element.iter("a"):
                if "footnote-ref" in _classes(link) and link.get("href", "").startswith("#fn"):
                    note_sections.setdefault(int(link.get("href")[3:]), sections[-1].heading)
        elif element.tag in {"section", "div"} and ident == "footnotes":  # html_markup.py makes it a div
            notes = [text_of(li, drop={"footnote-back"}) for li in element.iter("li") if li.get("id", "").startswith("fn")]
        elif "csl-entry" in classes and ident.startswith("ref-"):
            entries[ident.removeprefix("ref-")] = text_of(element)
        elif element.tag == "table" and ident.startswith("tbl-"):
            caption = element.find("caption")
            tables[ident] = text_of(caption) if caption is not None else ident
        elif TABLE_BLOCK in classes:
            printed[ident or f"table {len(printed) + 1}"] = _printed_table(element)
        elif element.tag == "header" and "paper-header" in classes:
            for block in element.iter():
                if block.tag in {"h1", "p"}:
                    metadata[block.get("class") or block.tag] = text_of(block)
        elif (element.tag in {"section", "footer"} and ident not in {"footnotes", "bibliography", "cite-this-paper"}
              and "level2" not in classes and not _inside_body(element)):
            metadata[ident or element.get("class", element.tag)] = " ".join(_paragraphs(element))
    return EditionText(sections, notes, entries, metadata, tables, note_sections, printed)


def _printed_table(block: ET.Element) -> PrintedTable:
    """Read one generated table block (html: div.data-table)."""
    table = block.find(".//table")
    caption = table.find("caption") if table is not None else None
    header, rows = [], []
    if table is not None:
        for row in table.iter("tr"):
            cells = [text_of(cell, drop={"footnote-ref"}) for cell in row if cell.tag in {"td", "th"}]
            if all(cell.tag == "th" for cell in row if cell.tag in {"td", "th"}) and not rows and not header:
                header = cells
            else:
                rows.append(cells)
    notes, source = [], ""
    for div in block.iter("div"):
        if "table-notes" in _classes(div):
            notes = [text_of(p, drop={"footnote-ref"}) for p in div.iter("p")]
        elif "table-source" in _classes(div):
            source = text_of(div, drop={"footnote-ref"})
    return PrintedTable(text_of(caption) if caption is not None else "", header, rows, notes, source)


def _inside_body(element: ET.Element) -> bool:
    """True for a section nested in the paper's body (level-3 sections are part of their level-2 one)."""
    return "level3" in _classes(element) or "level4" in _classes(element) or element.get("id", "") == "notes"
