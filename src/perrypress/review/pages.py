"""PDF pages aligned by their text, not their numbers, with each difference boxed on the page."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from .textdiff import align

log = logging.getLogger(__name__)

SCALE = 0.7  # changed pages are shown at 428 × 554 px for US Letter (twice the old thumbnails)
CELL = 12  # px: the grid on which pixel differences are gathered into boxes
HYPHENS = "-\x02\xad"
Box = tuple[float, float, float, float]  # left, top, right, bottom in pixels at SCALE


@dataclass
class Word:
    """A word on a page as printed and the boxes it covers (two when hyphenated across lines)."""

    text: str
    boxes: list[Box]


@dataclass
class PageText:
    """The words of one page, in reading order."""

    words: list[Word]

    @property
    def fingerprint(self) -> str:
        """The page's text without bare numbers (folios shift when a page is inserted before it)."""
        return " ".join(w.text for w in self.words if not w.text.strip(".").isdigit())


@dataclass
class PageChange:
    """A page changed (boxes drawn on both sides), inserted or deleted; numbers as printed in each PDF, 1-based."""

    kind: str  # "changed", "inserted", "deleted"
    old: int | None
    new: int | None
    before: Path | None = None
    after: Path | None = None
    deleted: list[str] = field(default_factory=list)  # runs of words deleted from / inserted into the page
    inserted: list[str] = field(default_factory=list)
    regions: int = 0  # boxes drawn where pixels differ outside changed words (figures, rules, images)


@dataclass
class PageReview:
    """The pages of the two PDFs compared: counts, the changes, and how many pages are unchanged."""

    count: tuple[int, int] = (0, 0)
    changes: list[PageChange] = field(default_factory=list)
    unchanged: int = 0
    shifted: list[str] = field(default_factory=list)  # "pages 5–14 are now 6–15 (unchanged)"


def _char(textpage: Any, index: int) -> str:
    import pypdfium2.raw as pdfium_c

    return chr(pdfium_c.FPDFText_GetUnicode(textpage.raw, index))


def page_words(page: Any, scale: float = SCALE) -> PageText:
    """The words of one pypdfium2 page with their boxes in pixels at ``scale``; line-end hyphens joined."""
    textpage = page.get_textpage()
    height = page.get_height()
    words: list[Word] = []
    text, boxes, line_box, joining = "", [], None, False
    try:
        for index in range(textpage.count_chars()):
            char = _char(textpage, index)
            if char.isspace() or char == "\x00":
                if not text or joining:
                    continue
                if char in "\r\n" and len(text) > 1 and text[-1] in HYPHENS:
                    # A word hyphenated at the end of a line: the next line's first word continues it.
                    text, joining = text[:-1], True
                    boxes.append(line_box)
                    line_box = None
                    continue
                words.append(Word(text, [*boxes, *([line_box] if line_box else [])]))
                text, boxes, line_box = "", [], None
                continue
            joining = False
            left, bottom, right, top = textpage.get_charbox(index)
            box = (left * scale, (height - top) * scale, right * scale, (height - bottom) * scale)
            line_box = box if line_box is None else (min(line_box[0], box[0]), min(line_box[1], box[1]),
                                                     max(line_box[2], box[2]), max(line_box[3], box[3]))
            text += char
        if text:
            words.append(Word(text, [*boxes, *([line_box] if line_box else [])]))
    finally:
        textpage.close()
    return PageText(words)


def read_pdf(pdf: Path) -> tuple[list[PageText], list[Any]]:
    """Every page's words and a function-free handle to render it later (the open document and its pages)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    return [page_words(document[i]) for i in range(len(document))], [document]


def render(document: Any, index: int) -> Any:
    """One page as an RGB PIL image at SCALE."""
    return document[index].render(scale=SCALE).to_pil().convert("RGB")


def _folio_shift(old: str, new: str, shift: int) -> bool:
    """True when ``old`` → ``new`` is a page number moved by ``shift`` pages (not a change readers see)."""
    return old.isdigit() and new.isdigit() and int(new) - int(old) == shift


def word_changes(a: PageText, b: PageText, shift: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """Indexes of words deleted from ``a`` and inserted in ``b``, and of folios that only moved (on each side)."""
    deleted, inserted, folio_a, folio_b = [], [], [], []
    old, new = [w.text for w in a.words], [w.text for w in b.words]
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1 and all(
                _folio_shift(old[i], new[j], shift) for i, j in zip(range(i1, i2), range(j1, j2))):
            folio_a += range(i1, i2)
            folio_b += range(j1, j2)
            continue
        deleted += range(i1, i2)
        inserted += range(j1, j2)
    return deleted, inserted, folio_a, folio_b


def runs(words: list[Word], indexes: list[int]) -> list[str]:
    """Consecutive indexes as runs of text."""
    found: list[list[int]] = []
    for index in indexes:
        if found and found[-1][-1] == index - 1:
            found[-1].append(index)
        else:
            found.append([index])
    return [" ".join(words[i].text for i in run) for run in found]


def pixel_regions(a: Any, b: Any, masks: list[Box]) -> list[Box]:
    """Boxes around the pixels that differ between two renderings, outside ``masks`` (grid cells merged)."""
    from PIL import ImageChops, ImageDraw

    if a.size != b.size:
        return [(0, 0, *b.size)]
    difference = ImageChops.difference(a, b).convert("L")
    draw = ImageDraw.Draw(difference)
    for box in masks:
        draw.rectangle([box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2], fill=0)
    if difference.getbbox() is None:
        return []
    width, height = difference.size
    cells = {(x, y) for x in range(0, width, CELL) for y in range(0, height, CELL)
             if difference.crop((x, y, min(x + CELL, width), min(y + CELL, height))).getbbox()}
    boxes = []
    while cells:
        stack = [cells.pop()]
        group = []
        while stack:
            x, y = stack.pop()
            group.append((x, y))
            for dx in (-CELL, 0, CELL):
                for dy in (-CELL, 0, CELL):
                    if (x + dx, y + dy) in cells:
                        cells.remove((x + dx, y + dy))
                        stack.append((x + dx, y + dy))
        boxes.append((min(x for x, _ in group), min(y for _, y in group),
                      min(max(x for x, _ in group) + CELL, width), min(max(y for _, y in group) + CELL, height)))
    return boxes


def _draw(image: Any, boxes: list[Box], colour: tuple[int, int, int], path: Path, *, frame: bool = False) -> Path:
    from PIL import ImageDraw

    image = image.copy()
    draw = ImageDraw.Draw(image)
    for box in boxes:
        draw.rectangle([box[0] - 2, box[1] - 2, box[2] + 2, box[3] + 2], outline=colour, width=2)
    if frame:
        draw.rectangle([0, 0, image.size[0] - 1, image.size[1] - 1], outline=colour, width=6)
    path.parent.mkdir(parents=True, exist_ok=True)
    image.save(path, optimize=True)
    return path


RED, GREEN = (200, 20, 20), (20, 140, 40)


def compare_pdfs(old_pdf: Path, new_pdf: Path, out_dir: Path) -> PageReview:
    """Pair the pages of two PDFs by their text and box every difference on the pages that changed."""
    old_pages, (old_doc,) = read_pdf(old_pdf)
    new_pages, (new_doc,) = read_pdf(new_pdf)
    review = PageReview((len(old_pages), len(new_pages)))
    folder = out_dir / "pages"
    moved: list[tuple[int, int]] = []
    try:
        for step in align([p.fingerprint for p in old_pages], [p.fingerprint for p in new_pages], threshold=0.3):
            if step.kind == "inserted":
                path = _draw(render(new_doc, step.new), [], GREEN, folder / f"page-new-{step.new + 1:03d}.png", frame=True)
                review.changes.append(PageChange("inserted", None, step.new + 1, after=path,
                                                 inserted=[" ".join(w.text for w in new_pages[step.new].words)]))
                continue
            if step.kind == "deleted":
                path = _draw(render(old_doc, step.old), [], RED, folder / f"page-old-{step.old + 1:03d}.png", frame=True)
                review.changes.append(PageChange("deleted", step.old + 1, None, before=path,
                                                 deleted=[" ".join(w.text for w in old_pages[step.old].words)]))
                continue
            a, b = old_pages[step.old], new_pages[step.new]
            deleted, inserted, folio_a, folio_b = word_changes(a, b, step.new - step.old)
            image_a, image_b = render(old_doc, step.old), render(new_doc, step.new)
            boxes_a = [box for i in deleted for box in a.words[i].boxes]
            boxes_b = [box for i in inserted for box in b.words[i].boxes]
            masks = (boxes_a + boxes_b + [box for i in folio_a for box in a.words[i].boxes]
                     + [box for i in folio_b for box in b.words[i].boxes])
            regions = pixel_regions(image_a, image_b, masks)
            if not (deleted or inserted or regions):
                review.unchanged += 1
                if step.old != step.new:
                    moved.append((step.old + 1, step.new + 1))
                continue
            name = f"page-{step.old + 1:03d}-{step.new + 1:03d}"
            review.changes.append(PageChange(
                "changed", step.old + 1, step.new + 1,
                before=_draw(image_a, boxes_a + regions, RED, folder / f"{name}-before.png"),
                after=_draw(image_b, boxes_b + regions, GREEN, folder / f"{name}-after.png"),
                deleted=runs(a.words, deleted), inserted=runs(b.words, inserted), regions=len(regions)))
    finally:
        old_doc.close()
        new_doc.close()
    review.shifted = _spans(moved)
    return review


def _spans(moved: list[tuple[int, int]]) -> list[str]:
    """Unchanged pages whose number changed, as runs: "pages 5–14 are now 6–15"."""
    groups: list[list[tuple[int, int]]] = []
    for old, new in moved:
        if groups and groups[-1][-1] == (old - 1, new - 1):
            groups[-1].append((old, new))
        else:
            groups.append([(old, new)])
    return [f"page {g[0][0]} is now {g[0][1]}" if len(g) == 1 else
            f"pages {g[0][0]}–{g[-1][0]} are now {g[0][1]}–{g[-1][1]}" for g in groups]
