"""Compare two builds as readers see them: prose, notes, bibliography, tables, variables, figures, pages, metadata."""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..sources.config import load_config
from ..sources.document import VAR, source_files
from .edition import EditionText, read_edition
from .sides import Side
from .table_cells import TableDiff, diff_files
from .textdiff import Piece, Step, align, word_diff

log = logging.getLogger(__name__)

PAGE_SCALE = 0.35  # thumbnails of PDF pages: 214 × 277 px for US Letter


@dataclass
class ProseChange:
    """A paragraph changed, inserted, deleted or moved, in one section."""

    section: str
    kind: str  # "changed", "inserted", "deleted", "moved"
    pieces: list[Piece]
    detail: str = ""


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
    """A bibliography entry added, removed or changed (field by field: name, old, new)."""

    key: str
    kind: str
    fields: list[tuple[str, str, str]] = field(default_factory=list)


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
    tables: dict[str, TableDiff] = field(default_factory=dict)  # label → diff of one data file
    variables: list[tuple[str, str, str, list[str]]] = field(default_factory=list)  # key, old, new, where
    figures: list[FigureChange] = field(default_factory=list)
    unchanged_figures: list[str] = field(default_factory=list)
    pages: tuple[int, int] = (0, 0)
    changed_pages: list[tuple[int, Path | None, Path | None]] = field(default_factory=list)
    metadata: list[tuple[str, str, str]] = field(default_factory=list)
    docx: Path | None = None
    docx_changes: tuple[int, int] = (0, 0)  # (w:ins, w:del) in review.docx

    @property
    def failed(self) -> list[Side]:
        """The sides that did not build."""
        return [side for side in (self.base, self.head) if side.failed]

    @property
    def changed(self) -> bool:
        """True when any edition says or shows something different."""
        return bool(self.prose or self.notes or self.bibliography or self.tables or self.variables
                    or self.figures or self.changed_pages or self.metadata or self.pages[0] != self.pages[1])


def side_config(side: Side) -> dict[str, Any]:
    """The configuration of one side."""
    return load_config(side.project / "config" / "config.yaml", root=side.project)


def edition_path(side: Side, config: dict[str, Any], ext: str) -> Path:
    """Path of one of a side's editions."""
    return side.project / "_build" / f"{config['output_name']}.{ext}"


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
            result.append(ProseChange(change.section, "moved", [Piece(" ", text)],
                                      f"moved from “{change.section}” to “{target.section}”"))
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


def compare_bibliography(old_side: Side, new_side: Side, old_config: dict, new_config: dict) -> list[EntryChange]:
    """Bibliography entries added, removed and changed field by field."""
    old_entries = _bib_fields(old_side.project / old_config["bibliography"])
    new_entries = _bib_fields(new_side.project / new_config["bibliography"])
    changes = []
    for key in sorted(set(old_entries) | set(new_entries)):
        if key not in old_entries:
            changes.append(EntryChange(key, "added"))
        elif key not in new_entries:
            changes.append(EntryChange(key, "removed"))
        else:
            a, b = old_entries[key], new_entries[key]
            fields = [(name, a.get(name, ""), b.get(name, "")) for name in sorted(set(a) | set(b))
                      if a.get(name) != b.get(name)]
            if fields:
                changes.append(EntryChange(key, "changed", fields))
    return changes


def _bib_fields(path: Path) -> dict[str, dict[str, str]]:
    from pybtex.database import parse_file

    entries = {}
    for key, entry in parse_file(str(path), bib_format="bibtex").entries.items():
        values = {name.lower(): str(value) for name, value in entry.fields.items()}
        values |= {role.lower(): " and ".join(str(p) for p in people) for role, people in entry.persons.items()}
        values["type"] = entry.type
        entries[key] = values
    return entries


def compare_tables(old_side: Side, new_side: Side, old_config: dict, new_config: dict,
                   captions: dict[str, str]) -> dict[str, TableDiff]:
    """Cell-level changes of every configured table's data files, labelled as printed ("Table 2: …")."""
    found = {}
    for slug in dict.fromkeys([*new_config["tables"], *old_config["tables"]]):
        spec = new_config["tables"].get(slug) or old_config["tables"][slug]
        label = captions.get(f"tbl-{slug}") or spec.get("caption", slug)
        for part in ("data", "notes"):
            if part not in spec:
                continue
            diff = diff_files(old_side.project / spec[part], new_side.project / spec[part], file=spec[part])
            if diff.changed:
                found[f"{label} ({spec[part]})"] = diff
    return found


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
    for path in source_files(root / new_config["report"], root):
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
        if before.exists() and after.exists() and _digest(before) == _digest(after):
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


def _digest(path: Path) -> bytes:
    return hashlib.sha256(path.read_bytes()).digest()


def page_images(pdf: Path) -> list[Any]:
    """Every page of a PDF rendered as a small PIL image."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return [document[i].render(scale=PAGE_SCALE).to_pil() for i in range(len(document))]
    finally:
        document.close()


def compare_pages(old_pdf: Path, new_pdf: Path, out_dir: Path) -> tuple[tuple[int, int], list[tuple[int, Path | None, Path | None]]]:
    """Page counts before and after, and the pages whose rendering differs, with before/after thumbnails."""
    if _digest(old_pdf) == _digest(new_pdf):
        count = _page_count(old_pdf)
        return (count, count), []
    old_pages, new_pages = page_images(old_pdf), page_images(new_pdf)
    changed = []
    folder = out_dir / "pages"
    for index in range(max(len(old_pages), len(new_pages))):
        a = old_pages[index] if index < len(old_pages) else None
        b = new_pages[index] if index < len(new_pages) else None
        if a is not None and b is not None and a.size == b.size and a.tobytes() == b.tobytes():
            continue
        folder.mkdir(parents=True, exist_ok=True)
        paths: list[Path | None] = []
        for name, image in (("before", a), ("after", b)):
            if image is None:
                paths.append(None)
                continue
            path = folder / f"page-{index + 1:03d}-{name}.png"
            image.save(path, optimize=True)
            paths.append(path)
        changed.append((index + 1, paths[0], paths[1]))
    return (len(old_pages), len(new_pages)), changed


def _page_count(pdf: Path) -> int:
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return len(document)
    finally:
        document.close()


def compare_metadata(old: EditionText, new: EditionText) -> list[tuple[str, str, str]]:
    """Title, author, dates, credits and the rest of the front and back matter: old → new."""
    return [(name, old.metadata.get(name, ""), new.metadata.get(name, ""))
            for name in dict.fromkeys([*new.metadata, *old.metadata])
            if old.metadata.get(name) != new.metadata.get(name)]


def compare(base: Side, head: Side, *, out_dir: Path) -> Review:
    """Compare the editions of two built sides; images for the report are written under ``out_dir``."""
    review = Review(base, head)
    if review.failed:
        return review
    old_config, new_config = side_config(base), side_config(head)
    old_text = read_edition(edition_path(base, old_config, "html"))
    new_text = read_edition(edition_path(head, new_config, "html"))
    review.prose = compare_prose(old_text, new_text)
    review.notes, review.renumbering = compare_notes(old_text, new_text)
    review.bibliography = compare_bibliography(base, head, old_config, new_config)
    review.tables = compare_tables(base, head, old_config, new_config, new_text.tables)
    review.variables = compare_variables(base, head, new_config)
    review.figures, review.unchanged_figures = compare_figures(base, head, new_config, out_dir)
    review.pages, review.changed_pages = compare_pages(edition_path(base, old_config, "pdf"),
                                                       edition_path(head, new_config, "pdf"), out_dir)
    review.metadata = compare_metadata(old_text, new_text)
    return review
