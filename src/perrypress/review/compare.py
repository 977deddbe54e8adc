"""Compare two builds as readers see them: prose, notes, bibliography, tables, variables, figures, pages, metadata,
links and alt text."""

from __future__ import annotations

import hashlib
import json
import logging
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .docx_edition import read_docx_edition
from .edition import EditionText, PrintedTable, read_edition
from .formats import COVERED, FormatChange, Pool, block_changes, docx_only, pdf_only, words
from .links import AltChange, LinkChange, compare_alt_texts, compare_links, read_pdf_links
from .pages import PageReview, compare_pdfs
from .sides import Side
from .table_cells import TableDiff, diff_rows
from .textdiff import Piece, Step, align, word_diff

log = logging.getLogger(__name__)

EDITIONS = {"pdf": "PDF", "html": "HTML", "docx": "DOCX"}


@dataclass
class ProseChange:
    """A paragraph changed, inserted, deleted or moved, in one section."""

    section: str
    kind: str  # "changed", "inserted", "deleted", "moved"
    pieces: list[Piece]
    detail: str = ""
    editions: list[str] = field(default_factory=lambda: list(EDITIONS.values()))  # the editions that show it


@dataclass
class NoteChange:
    """A note whose text changed, or that was inserted or removed (numbers as printed, 1-based)."""

    kind: str  # "changed", "inserted", "deleted"
    old: int | None
    new: int | None
    section: str
    pieces: list[Piece]


@dataclass
class EntryChange:
    """A bibliography entry as printed: added, removed or changed (a word diff of the printed entry)."""

    key: str
    kind: str
    pieces: list[Piece] = field(default_factory=list)


@dataclass
class TableChange:
    """A printed table's changes: caption, header, cells and rows (daff), notes and source line."""

    label: str
    caption: list[Piece] = field(default_factory=list)
    header: list[tuple[str, str, str]] = field(default_factory=list)  # (column, old, new)
    cells: TableDiff | None = None
    notes: list[tuple[str, list[Piece]]] = field(default_factory=list)  # (kind, word diff)
    source: list[Piece] = field(default_factory=list)
    kind: str = "changed"  # or "added", "removed"

    @property
    def count(self) -> int:
        """How many things changed in the table."""
        cells = len(self.cells.cells) + len(self.cells.added) + len(self.cells.removed) if self.cells else 0
        return bool(self.caption) + len(self.header) + cells + len(self.notes) + bool(self.source) + (self.kind != "changed")


@dataclass
class FigureChange:
    """One figure: the share of its pixels that changed and the before/after/difference images."""

    slug: str
    share: float
    images: dict[str, Path] = field(default_factory=dict)


@dataclass
class Review:
    """Everything that differs between the two sides' editions."""

    base: Side
    head: Side
    prose: list[ProseChange] = field(default_factory=list)
    notes: list[NoteChange] = field(default_factory=list)
    renumbering: list[str] = field(default_factory=list)
    bibliography: list[EntryChange] = field(default_factory=list)
    tables: list[TableChange] = field(default_factory=list)
    variables: list[tuple[str, str, str, list[str]]] = field(default_factory=list)  # key, old, new, where
    figures: list[FigureChange] = field(default_factory=list)
    unchanged_figures: list[str] = field(default_factory=list)
    pages: PageReview = field(default_factory=PageReview)
    metadata: list[tuple[str, str, str]] = field(default_factory=list)
    only: list[FormatChange] = field(default_factory=list)  # what the DOCX or the PDF shows and the HTML does not
    links: list[LinkChange] = field(default_factory=list)  # links retargeted, added or removed, in any edition
    alt_texts: list[AltChange] = field(default_factory=list)  # images whose alt text changed, in any edition
    files: list[str] = field(default_factory=list)  # editions whose bytes differ
    sources: list[str] = field(default_factory=list)  # source files that differ (information only)
    docx: Path | None = None
    docx_changes: tuple[int, int] = (0, 0)  # (w:ins, w:del) in review.docx

    @property
    def failed(self) -> list[Side]:
        """The sides that did not build."""
        return [side for side in (self.base, self.head) if side.failed]

    @property
    def changed(self) -> bool:
        """True when any edition's file differs: what readers see is then listed, or at least which bytes differ."""
        return bool(self.files)

    @property
    def changed_pages(self) -> list:
        """The PDF pages changed, inserted or deleted."""
        return self.pages.changes


def edition_path(side: Side, ext: str) -> Path:
    """Path of one of a side's editions (its configuration as its own tool read it)."""
    return side.project / "_build" / f"{side.config['output_name']}.{ext}"


def compare_prose(old: EditionText, new: EditionText) -> list[ProseChange]:
    """Word-level changes per section; a paragraph deleted in one place and inserted unchanged elsewhere is moved."""
    old_sections = {s.key: s for s in old.sections}
    new_sections = {s.key: s for s in new.sections}
    changes: list[ProseChange] = []
    order = [s.key for s in new.sections] + [k for k in old_sections if k not in new_sections]
    for key in order:
        before = old_sections[key].paragraphs if key in old_sections else []
        after = new_sections[key].paragraphs if key in new_sections else []
        heading = (new_sections.get(key) or old_sections[key]).heading
        if key in old_sections and key in new_sections and old_sections[key].heading != heading:
            changes.append(ProseChange(heading, "heading changed", word_diff(old_sections[key].heading, heading)))
        for step in align(before, after):
            if step.kind == "changed":
                changes.append(ProseChange(heading, "changed", word_diff(before[step.old], after[step.new])))
            elif step.kind == "inserted":
                changes.append(ProseChange(heading, "inserted", [Piece("+", after[step.new])]))
            elif step.kind == "deleted":
                changes.append(ProseChange(heading, "deleted", [Piece("-", before[step.old])]))
    return _moves(changes)


def _moves(changes: list[ProseChange]) -> list[ProseChange]:
    """Pair each deleted paragraph with an identical inserted one: one "moved" change instead of two."""
    inserted = {c.pieces[0].text: c for c in changes if c.kind == "inserted"}
    result: list[ProseChange] = []
    moved: set[int] = set()
    for change in changes:
        text = change.pieces[0].text if change.pieces else ""
        if change.kind == "deleted" and text in inserted and id(inserted[text]) not in moved:
            target = inserted[text]
            moved.add(id(target))
            detail = (f"moved within “{change.section}”" if change.section == target.section
                      else f"moved from “{change.section}” to “{target.section}”")
            result.append(ProseChange(change.section, "moved", [Piece(" ", text)], detail))
        elif id(change) not in moved:
            result.append(change)
    return [c for c in result if id(c) not in moved]


def compare_notes(old: EditionText, new: EditionText) -> tuple[list[NoteChange], list[str]]:
    """Notes aligned by their text: changed, inserted and removed notes, and the renumbering they cause."""
    changes: list[NoteChange] = []
    runs: list[list[Step]] = []
    steps = align(old.notes, new.notes)
    for step in steps:
        if step.kind == "changed":
            changes.append(NoteChange("changed", step.old + 1, step.new + 1, new.note_sections.get(step.new + 1, ""),
                                      word_diff(old.notes[step.old], new.notes[step.new])))
        elif step.kind == "inserted":
            changes.append(NoteChange("inserted", None, step.new + 1, new.note_sections.get(step.new + 1, ""),
                                      [Piece("+", new.notes[step.new])]))
        elif step.kind == "deleted":
            changes.append(NoteChange("deleted", step.old + 1, None, old.note_sections.get(step.old + 1, ""),
                                      [Piece("-", old.notes[step.old])]))
        elif step.old != step.new:
            if runs and runs[-1][-1].old == step.old - 1 and runs[-1][-1].new - runs[-1][-1].old == step.new - step.old:
                runs[-1].append(step)
            else:
                runs.append([step])
    cause = "; ".join(f"a note was {c.kind} in “{c.section}”" if c.section else f"a note was {c.kind}"
                      for c in changes if c.kind != "changed")
    renumbering = []
    for run in runs:
        first, last = run[0], run[-1]
        span = (f"note {first.old + 1} is now {first.new + 1}" if first is last else
                f"notes {first.old + 1}–{last.old + 1} are now {first.new + 1}–{last.new + 1}")
        renumbering.append(f"{span} (text unchanged){': ' + cause if cause else ''}")
    return changes, renumbering


def compare_bibliography(old: EditionText, new: EditionText) -> list[EntryChange]:
    """Bibliography entries as printed: added, removed, and changed (word diff of the printed entry)."""
    changes = []
    for key in dict.fromkeys([*new.entries, *old.entries]):
        if key not in old.entries:
            changes.append(EntryChange(key, "added", [Piece("+", new.entries[key])]))
        elif key not in new.entries:
            changes.append(EntryChange(key, "removed", [Piece("-", old.entries[key])]))
        elif old.entries[key] != new.entries[key]:
            changes.append(EntryChange(key, "changed", word_diff(old.entries[key], new.entries[key])))
    return changes


def compare_tables(old: EditionText, new: EditionText) -> list[TableChange]:
    """Each printed table: caption, header, cells and rows (daff), notes and source line, as readers see them."""
    found = []
    for ident in dict.fromkeys([*new.printed_tables, *old.printed_tables]):
        a, b = old.printed_tables.get(ident), new.printed_tables.get(ident)
        label = (b or a).caption or ident
        if a is None or b is None:
            found.append(TableChange(label, kind="added" if a is None else "removed"))
            continue
        change = TableChange(label)
        if a.caption != b.caption:
            change.caption = word_diff(a.caption, b.caption)
        change.header = [(b.header[i] if i < len(b.header) else a.header[i],
                          a.header[i] if i < len(a.header) else "", b.header[i] if i < len(b.header) else "")
                         for i in range(max(len(a.header), len(b.header)))
                         if (a.header[i:i + 1] or [""]) != (b.header[i:i + 1] or [""])]
        change.cells = _cells(a, b, label)
        for step in align(a.notes, b.notes):
            if step.kind == "changed":
                change.notes.append(("changed", word_diff(a.notes[step.old], b.notes[step.new])))
            elif step.kind in {"inserted", "deleted"}:
                text = b.notes[step.new] if step.kind == "inserted" else a.notes[step.old]
                change.notes.append((step.kind, [Piece("+" if step.kind == "inserted" else "-", text)]))
        if a.source != b.source:
            change.source = word_diff(a.source, b.source)
        if change.count:
            found.append(change)
    return found


def _cells(a: PrintedTable, b: PrintedTable, label: str) -> TableDiff:
    """The body's cells with daff; columns named by position when their number is unchanged (a renamed header
    is a header change, not a new column)."""
    if len(a.header) == len(b.header):
        header = a.header or [f"column {i + 1}" for i in range(len(a.rows[0]) if a.rows else 0)]
        names = [name or f"column {i + 1}" for i, name in enumerate(b.header or header)]
        return diff_rows([names, *a.rows], [names, *b.rows], key=[], file=label)
    return diff_rows([a.header, *a.rows], [b.header, *b.rows], key=[], file=label)


def flatten(node: Any, prefix: str = "") -> dict[str, str]:
    """Nested variables as dotted keys → printed values."""
    if isinstance(node, dict):
        return {k: v for key, value in node.items() for k, v in flatten(value, f"{prefix}{key}.").items()}
    return {prefix.rstrip("."): str(node)}


def compare_variables(old_side: Side, new_side: Side, new_config: dict) -> list[tuple[str, str, str, list[str]]]:
    """Each ``{{< var >}}`` value that changed, old → new, and the source lines that print it."""
    def load(side: Side) -> dict[str, str]:
        path = side.project / "_variables.yml"
        return flatten(json.loads(path.read_text(encoding="utf-8"))) if path.exists() else {}

    old, new = load(old_side), load(new_side)
    changed = [key for key in sorted(set(old) | set(new)) if old.get(key) != new.get(key)]
    if not changed:
        return []
    root = new_side.project
    uses: dict[str, list[str]] = {}
    try:
        from ..sources.document import VAR, source_files

        paths = source_files(root / new_config["report"], root)
    except Exception as error:  # HEAD's sources as this tool reads them: where a number is printed is a hint only
        log.info("where the numbers are printed is not known: %s", error)
        paths = []
    for path in paths:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            for key in VAR.findall(line):
                uses.setdefault(key, []).append(f"{path.relative_to(root)}:{number}")
    return [(key, old.get(key, "—"), new.get(key, "—"), uses.get(key, [])) for key in changed]


def compare_figures(old_side: Side, new_side: Side, new_config: dict, out_dir: Path) -> tuple[list[FigureChange], list[str]]:
    """Each figure's PNG compared with pixelmatch: changed ones with a difference image, and the unchanged."""
    from PIL import Image
    from pixelmatch.contrib.PIL import pixelmatch

    changed, unchanged = [], []
    for slug in new_config["figures"]:
        before, after = old_side.project / "figures" / f"{slug}.png", new_side.project / "figures" / f"{slug}.png"
        if before.exists() and after.exists() and content_digest(before) == content_digest(after):
            unchanged.append(slug)
            continue
        folder = out_dir / "figures"
        folder.mkdir(parents=True, exist_ok=True)
        images = {}
        if before.exists() and after.exists():
            a, b = Image.open(before).convert("RGBA"), Image.open(after).convert("RGBA")
            if a.size == b.size:
                difference = Image.new("RGBA", a.size)
                pixels = pixelmatch(a, b, difference, threshold=0.0)  # any colour change counts
                share = pixels / (a.size[0] * a.size[1])
                difference.save(folder / f"{slug}-difference.png")
                images["difference"] = folder / f"{slug}-difference.png"
            else:
                share = 1.0
        else:
            share = 1.0
        for name, source in (("before", before), ("after", after)):
            if source.exists():
                images[name] = folder / f"{slug}-{name}.png"
                images[name].write_bytes(source.read_bytes())
        changed.append(FigureChange(slug, share, images))
    return changed, unchanged


# The DOCX edition's record of the sources it was built from (perrypress absorb): provenance, not content a
# reader sees, so a source change the editions do not show (a bib field, say) is still "no change".
_SOURCES_PROPERTY = re.compile(rb'(name="perrypress-sources"><vt:lpwstr>)[^<]*(</vt:lpwstr>)')


def content_digest(path: Path) -> bytes:
    """The digest of an edition's file; a DOCX's without the sources record in docProps/custom.xml.

    That record (absorb's ``perrypress-sources``) names the bytes of the sources, so two builds from
    sources that differ only in bytes readers never see (a CSV re-saved with CRLF) differ in it alone.
    """
    if path.suffix != ".docx":
        return hashlib.sha256(path.read_bytes()).digest()
    digest = hashlib.sha256()
    with zipfile.ZipFile(path) as package:
        for info in package.infolist():
            data = package.read(info)
            if info.filename == "docProps/custom.xml":
                data = _SOURCES_PROPERTY.sub(rb"\1\2", data)
            digest.update(info.filename.encode() + b"\0" + hashlib.sha256(data).digest())
    return digest.digest()


def compare_metadata(old: EditionText, new: EditionText) -> list[tuple[str, str, str]]:
    """Title, author, dates, credits and the rest of the front and back matter: old → new."""
    return [(name, old.metadata.get(name, ""), new.metadata.get(name, ""))
            for name in dict.fromkeys([*new.metadata, *old.metadata])
            if old.metadata.get(name) != new.metadata.get(name)]


def same_bytes(base: Side, head: Side) -> list[str]:
    """The editions whose files differ between the two sides ("PDF", "HTML", "DOCX")."""
    return [name for ext, name in EDITIONS.items()
            if content_digest(edition_path(base, ext)) != content_digest(edition_path(head, ext))]


def compare(base: Side, head: Side, *, out_dir: Path) -> Review:
    """Compare the editions of two built sides; images for the report are written under ``out_dir``.

    Editions identical byte for byte are "no change", whatever changed in the sources; otherwise
    everything is read from the editions: the HTML's text, tables and bibliography as printed,
    the DOCX's paragraphs, the PDF's pages paired by their text.
    """
    review = Review(base, head)
    if review.failed:
        return review
    review.files = same_bytes(base, head)
    if not review.files:
        return review
    old_config, new_config = base.config, head.config
    old_text = read_edition(edition_path(base, "html"))
    new_text = read_edition(edition_path(head, "html"))
    review.prose = compare_prose(old_text, new_text)
    review.notes, review.renumbering = compare_notes(old_text, new_text)
    review.bibliography = compare_bibliography(old_text, new_text)
    review.tables = compare_tables(old_text, new_text)
    review.variables = compare_variables(base, head, new_config)
    review.figures, review.unchanged_figures = compare_figures(base, head, new_config, out_dir)
    review.pages = compare_pdfs(edition_path(base, "pdf"), edition_path(head, "pdf"), out_dir)
    review.metadata = compare_metadata(old_text, new_text)
    # What each edition shows: the HTML's changes set against the DOCX's paragraphs and the PDF's pages.
    html, docx, pdf = Pool(), Pool(), Pool()
    for old, new in block_changes(old_text.blocks(), new_text.blocks()):
        html.add(old, new)
    docx_readings = read_docx_edition(edition_path(base, "docx")), read_docx_edition(edition_path(head, "docx"))
    docx_sides = docx_readings[0].blocks, docx_readings[1].blocks
    old_docx, new_docx = ([block.text for block in side] for side in docx_sides)
    docx_changes = block_changes(old_docx, new_docx)
    printed = set(words(" ".join(new_docx + old_docx)))
    for table in review.tables:  # a table the DOCX does not print (the HTML's data table under a figure)
        caption = words(table.label)
        if caption and sum(w in printed for w in caption) / len(caption) < COVERED:
            table.label += " (only in the HTML edition)"
    pdf_changes = review.pages.runs
    for old, new in docx_changes:
        docx.add(old, new)
    for old, new in pdf_changes:
        pdf.add(old, new)
    for change in review.prose:
        old = " ".join(p.text for p in change.pieces if p.kind == "-")
        new = " ".join(p.text for p in change.pieces if p.kind == "+")
        if change.kind == "moved":
            old = new = change.pieces[0].text
        change.editions = ["HTML"] + [name for name, pool in (("PDF", pdf), ("DOCX", docx)) if pool.holds(old, new)]
    # The DOCX's own: whole blocks (a paragraph, a cell, a note) with the changes the HTML does not show marked,
    # the PDF named when it shows them too; the PDF's own: whole lines as printed that neither other edition
    # prints (so what both the PDF and the DOCX show is the DOCX's item, with the PDF named).
    html_sides = old_text.blocks(), new_text.blocks()
    review.only = docx_only(docx_sides, html_sides, html, pdf) + pdf_only(review.pages.lines, html_sides,
                                                                          (old_docx, new_docx))
    # Where links send readers and what screen readers say: no printed word shows either.
    pdf_readings = read_pdf_links(edition_path(base, "pdf")), read_pdf_links(edition_path(head, "pdf"))
    review.links = compare_links({"HTML": (old_text.links, new_text.links),
                                  "DOCX": (docx_readings[0].links, docx_readings[1].links),
                                  "PDF": (pdf_readings[0][0], pdf_readings[1][0])})
    review.alt_texts = compare_alt_texts({"HTML": (old_text.alt_texts, new_text.alt_texts),
                                          "DOCX": (docx_readings[0].alt_texts, docx_readings[1].alt_texts),
                                          "PDF": (pdf_readings[0][1], pdf_readings[1][1])})
    return review
