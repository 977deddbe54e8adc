"""Read what an edition says: its text, its notes, its paragraphs, for the edition tests."""

from __future__ import annotations

import html
import json
import re
import zipfile
from html.parser import HTMLParser
from pathlib import Path

from conftest import run_pandoc
from perrypress import resources
from perrypress.sources.labels import write_pandoc_defaults

FILTERS = ["include", "variables", "crossref"]


def normalise(text: str) -> str:
    """Letters only, lower case: immune to whitespace, quotes, dashes, hyphenation and note markers."""
    return re.sub(r"[\W\d_]+", "", text.lower())


def with_numbers(text: str) -> str:
    """Letters and digits only, lower case: for checking numbers (note markers stay in as digits)."""
    return re.sub(r"[\W_]+", "", text.lower())


def _inline_text(inlines: list) -> str:
    out = []
    for node in inlines:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            out.append(content)
        elif kind in {"Space", "SoftBreak", "LineBreak"}:
            out.append(" ")
        elif kind in {"Cite", "Note"}:
            continue
        elif kind in {"Emph", "Strong", "Underline", "SmallCaps", "Strikeout", "Superscript", "Subscript"}:
            out.append(_inline_text(content))
        elif kind == "Quoted":
            out.append(_inline_text(content[1]))
        elif kind in {"Link", "Span"}:
            out.append(_inline_text(content[1]))
    return "".join(out)


def source_paragraphs(root: Path) -> dict[str, list[str]]:
    """The body paragraphs of every section (prose and block quotes), as the editions should print them."""
    paragraphs: dict[str, list[str]] = {}
    for section in sorted((root / "sections").glob("*.qmd")):
        probe = root / f"_probe-{section.stem}.qmd"
        probe.write_text(f"{{{{< include sections/{section.name} >}}}}\n", encoding="utf-8")
        # The filters read the labels of the paper's language, as perrypress gives them to pandoc.
        labels = write_pandoc_defaults(root / "report.qmd", root / f"_probe-{section.stem}-labels.yaml")
        args = ["-f", "markdown", "-t", "json", str(probe.name), "--defaults", labels.name]
        for name in FILTERS:
            args += ["--lua-filter", str(resources.FILTERS / f"{name}.lua")]
        result = run_pandoc(*args, cwd=root)
        probe.unlink()
        labels.unlink()
        assert result.returncode == 0, result.stderr
        blocks = json.loads(result.stdout)["blocks"]
        found = []
        for block in blocks:
            if block["t"] == "Para":
                found.append(_inline_text(block["c"]))
            elif block["t"] == "BlockQuote":
                found += [_inline_text(b["c"]) for b in block["c"] if b["t"] == "Para"]
        paragraphs[section.name] = found
    return paragraphs


# Elements with no end tag: they neither open nor close the notes.
VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"}


class _HTMLText(HTMLParser):
    """Collect an HTML page's text, its footnotes' text separately, and its elements."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.body: list[str] = []
        self.notes: list[str] = []
        self.stack: list[str] = []
        self.in_notes = 0
        self.in_skip = 0
        self.elements: list[tuple[str, dict[str, str | None]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.elements.append((tag, attributes))
        if tag in {"script", "style", "title"}:
            self.in_skip += 1
        if tag in {"section", "div"} and attributes.get("id") == "footnotes" or self.in_notes:
            if tag not in VOID:
                self.in_notes += 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        # A self-closing tag (pandoc writes <hr />, an SVG its <path/>): one element that opens and closes nothing.
        # HTMLParser's default would count it as a start and an end, and an <hr /> would close the notes.
        self.elements.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if tag in {"script", "style", "title"}:
            self.in_skip -= 1
        if self.in_notes and tag not in VOID:
            self.in_notes -= 1

    def handle_data(self, data: str) -> None:
        if self.in_skip:
            return
        (self.notes if self.in_notes else self.body).append(data)


def html_text(path: Path) -> _HTMLText:
    """Parse an HTML edition."""
    parser = _HTMLText()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def docx_xml(path: Path, member: str) -> str:
    """One XML part of a DOCX edition."""
    with zipfile.ZipFile(path) as archive:
        return archive.read(member).decode("utf-8")


def docx_text(path: Path) -> str:
    """All text of a DOCX edition's body (paragraphs and table cells), in order."""
    xml = docx_xml(path, "word/document.xml")
    paragraphs = re.findall(r"<w:p[ >].*?</w:p>", xml, flags=re.S)
    return "\n".join(_runs_text(p) for p in paragraphs)


def _runs_text(xml: str) -> str:
    """The text of the w:t runs in an XML fragment, entities decoded."""
    return html.unescape("".join(re.findall(r"<w:t(?: [^>]*)?>([^<]*)</w:t>", xml)))


def docx_footnotes(path: Path) -> list[str]:
    """The text of each real footnote (not the separators) of a DOCX edition."""
    xml = docx_xml(path, "word/footnotes.xml")
    notes = re.findall(r'<w:footnote (?:[^>]*?)w:id="(-?\d+)"[^>]*>(.*?)</w:footnote>', xml, flags=re.S)
    return [_runs_text(body) for id_, body in notes if int(id_) > 0]


def pdf_text(path: Path) -> str:
    """All text of a PDF edition."""
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(path).pages)


def pdf_pages(path: Path) -> list[str]:
    """Text of each page of a PDF edition."""
    from pypdf import PdfReader

    return [page.extract_text() or "" for page in PdfReader(path).pages]


def pdf_structure(path: Path) -> list[dict]:
    """Every element of a tagged PDF's structure tree."""
    from pypdf import PdfReader

    reader = PdfReader(path)
    found: list[dict] = []

    def walk(node) -> None:
        node = node.get_object() if hasattr(node, "get_object") else node
        if isinstance(node, dict):
            if "/S" in node:
                found.append(node)
            kids = node.get("/K")
            if kids is not None:
                walk(kids)
        elif isinstance(node, list):
            for kid in node:
                walk(kid)

    walk(reader.trailer["/Root"]["/StructTreeRoot"])
    return found


def pdf_body_text(path: Path, *, min_size: float = 9.5) -> str:
    """The PDF's running text only: text set at body size, without headers, footnotes, tables and captions."""
    from pypdf import PdfReader

    parts: list[str] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if size * abs(tm[0] or 1) * abs(cm[0] or 1) >= min_size:
            parts.append(text)

    for page in PdfReader(path).pages:
        page.extract_text(visitor_text=visit)
    return "".join(parts)


def pdf_body_lines(path: Path, *, min_size: float = 9.5) -> list[list[tuple[str, str, float]]]:
    """Each page's lines of text set at body size or larger, top to bottom, as (text, font name, left x)."""
    from pypdf import PdfReader

    pages: list[list[tuple[str, str, float]]] = []
    for page in PdfReader(path).pages:
        rows: dict[float, list[tuple[float, str, str]]] = {}

        def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
            if text.strip() and size * abs(tm[0] or 1) * abs(cm[0] or 1) >= min_size:
                y = round(tm[5] * (cm[3] or 1) + cm[5], 1)
                name = str(font.get("/BaseFont", "")) if font else ""
                rows.setdefault(y, []).append((tm[4] * (cm[0] or 1) + cm[4], text, name))

        page.extract_text(visitor_text=visit)
        pages.append([("".join(t for _, t, _ in sorted(parts)).strip(), min(parts)[2], round(min(parts)[0], 1))
                      for _, parts in sorted(rows.items(), key=lambda kv: -kv[0])])
    return pages


def pdf_text_runs(path: Path) -> list[list[tuple[str, tuple[float, float, float, float]]]]:
    """Each page's runs of text as a reader sees them, top to bottom: (text, (left, bottom, right, top)) in points.

    pdfium's text rectangles, each read back from its area: text drawn over other text reads back
    garbled or repeated, as it looks on the page.
    """
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(path))
    pages = []
    for page in document:
        text = page.get_textpage()
        runs = [(text.get_text_bounded(*box).strip(), box) for box in
                (text.get_rect(i) for i in range(text.count_rects()))]
        pages.append(sorted((r for r in runs if r[0]), key=lambda r: (-r[1][3], r[1][0])))
    document.close()
    return pages
