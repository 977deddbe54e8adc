"""Read what a built HTML edition says: prose per section, notes, bibliography entries, front and back matter."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from xml.etree import ElementTree as ET

from .links import AltText, Link

VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}
SKIP = {"script", "style", "svg", "math", "template"}
# Blocks whose text is one unit of prose (a paragraph of the diff).
PARAGRAPHS = {"p", "li", "figcaption", "dt", "dd", "h3", "h4", "h5", "h6"}
# Not prose: tables are compared cell by cell as printed, note markers through the notes.
NOT_PROSE = {"table", "nav"}
TABLE_BLOCK = "data-table"  # the generated table's wrapper: the table, its notes and its source line
# Links that are no link of the paper's: note calls and back-links (numbered anew with the notes), and the
# paper's citation as a file (made from the metadata, compared there).
NOT_LINKS = {"footnote-ref", "footnote-back", "cite-download"}
# Parts of the page outside the paper's sections, by tag and class: where their links are.
PLACES = {("header", "masthead"): "page header", ("footer", "colophon"): "page footer",
          ("header", "paper-header"): "title page", ("nav", "toc"): "contents"}
URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")  # a metadata value that is an address (og:url, a PDF's URL)


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
    links: list[Link] = field(default_factory=list)  # every link, its text and where it is, in reading order
    alt_texts: list[AltText] = field(default_factory=list)  # every image's alt text, in reading order

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
        if name and name not in {"viewport", "generator"} and not URL.fullmatch(meta.get("content", "")):
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
    links, alt_texts = _links(root, note_sections)
    return EditionText(sections, notes, entries, metadata, tables, note_sections, printed, links, alt_texts)


def _links(root: ET.Element, note_sections: dict[int, str]) -> tuple[list[Link], list[AltText]]:
    """Every link of the page (the head's link elements and address-valued meta fields too) and every image's
    alt text (an img's alt, or the aria-label of an element drawn as an image: a photo's placeholder), each
    with where it is: its section's heading, "note N (its section)", "title page", "page metadata (…)"."""
    links: list[Link] = []
    alts: list[AltText] = []
    for element in root.iter("head"):
        for child in element:
            name = child.get("rel") or child.get("name") or child.get("property") or ""
            if child.tag == "link" and child.get("href"):
                links.append(Link("", child.get("href"), f"page metadata ({name})"))
            elif child.tag == "meta" and URL.fullmatch(child.get("content", "")):
                links.append(Link("", child.get("content"), f"page metadata ({name})"))

    def walk(element: ET.Element, where: str, what: str) -> None:
        classes, ident = _classes(element), element.get("id", "")
        if element.tag == "head":
            return
        place = next((name for (tag, cls), name in PLACES.items() if element.tag == tag and cls in classes), None)
        heading = element.find("h2") if element.tag == "section" else None
        if place:
            where = place
        elif heading is not None:
            where = text_of(heading)
        elif element.tag == "li" and re.fullmatch(r"fn\d+", ident):
            number = int(ident[2:])
            where = f"note {number}" + (f" ({note_sections[number]})" if number in note_sections else "")
        elif "csl-entry" in classes and ident.startswith("ref-"):
            where = f"{where} ({ident.removeprefix('ref-')})"
        if element.tag == "figure":
            what = "photo" if "photo" in classes else _figure_label(element)
        if element.tag == "a" and element.get("href") is not None and not classes & NOT_LINKS:
            links.append(Link(text_of(element), element.get("href", ""), where))
        alt = element.get("alt") if element.tag == "img" else None
        if alt is None and (element.tag == "img" or element.get("role") == "img"):
            alt = element.get("aria-label")
        if alt is not None:
            alts.append(AltText(re.sub(r"\s+", " ", alt).strip(), what, where))
        for child in element:
            walk(child, where, what)

    walk(root, "page", "image")
    return links, alts


def _figure_label(figure: ET.Element) -> str:
    """A numbered figure's label as its caption prints it ("Figure 1"), else "figure"."""
    caption = figure.find(".//figcaption")
    label = text_of(caption).split(":")[0] if caption is not None and ":" in text_of(caption) else ""
    return label if label and len(label.split()) <= 3 else "figure"


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
