"""PDF pages aligned by their text, not their numbers, with each difference boxed on the page."""

from __future__ import annotations

import ctypes
import hashlib
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
    height: float = 0.0  # px at SCALE
    drawing: str = ""  # digest of what the page draws besides its text (drawing())

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
class PrintedLine:
    """One line of a PDF's text as printed (running heads and folios left out), and whether a word of it changed."""

    page: int  # 1-based
    text: str
    changed: bool


@dataclass
class PageReview:
    """The pages of the two PDFs compared: counts, the changes, and how many pages are unchanged."""

    count: tuple[int, int] = (0, 0)
    changes: list[PageChange] = field(default_factory=list)
    unchanged: int = 0
    shifted: list[str] = field(default_factory=list)  # "pages 5–14 are now 6–15 (unchanged)"
    runs: list[tuple[str, str]] = field(default_factory=list)  # the document's words deleted / inserted, in order
    lines: tuple[list[PrintedLine], list[PrintedLine]] = ((), ())  # each side's lines, in reading order


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
    return PageText(words, height * scale)


POINTS = 32  # a path of at most this many segments is digested point by point; a longer one by its outline


def drawing(page: Any) -> str:
    """A digest of what a page draws besides its text: each image's data, each path's colours, stroke, place
    and segments, each shading's place. Two pages with the same words and the same digest look the same
    outside their words, so they need not be rendered to be compared. A long path (a map's coastline) is
    digested by its bounds, colours and number of segments, not point by point, which would cost more
    than rendering the page; the figures it draws are compared pixel by pixel from their own files."""
    import pypdfium2.raw as pdfium_c

    digest = hashlib.sha256()
    for obj in page.get_objects(max_depth=15):
        if obj.type in (pdfium_c.FPDF_PAGEOBJ_TEXT, pdfium_c.FPDF_PAGEOBJ_FORM):
            continue  # text is compared word by word; a form's content is listed object by object
        digest.update(repr((obj.type, obj.level, [round(v, 2) for v in obj.get_bounds()])).encode())
        if obj.type == pdfium_c.FPDF_PAGEOBJ_IMAGE:
            digest.update(bytes(obj.get_data(decode_simple=False)))
        elif obj.type == pdfium_c.FPDF_PAGEOBJ_PATH:
            digest.update(repr(_path(obj.raw)).encode())
    return digest.hexdigest()


def _path(raw: Any) -> tuple:
    """A path object's colours, stroke width, draw mode and segments (their points when few, else their number)."""
    import pypdfium2.raw as pdfium_c

    colours = []
    for get in (pdfium_c.FPDFPageObj_GetFillColor, pdfium_c.FPDFPageObj_GetStrokeColor):
        rgba = [ctypes.c_uint() for _ in range(4)]
        colours.append(tuple(v.value for v in rgba) if get(raw, *map(ctypes.byref, rgba)) else None)
    width, mode, stroke = ctypes.c_float(), ctypes.c_int(), ctypes.c_int()
    pdfium_c.FPDFPageObj_GetStrokeWidth(raw, ctypes.byref(width))
    pdfium_c.FPDFPath_GetDrawMode(raw, ctypes.byref(mode), ctypes.byref(stroke))
    count = pdfium_c.FPDFPath_CountSegments(raw)
    points = []
    if count <= POINTS:
        x, y = ctypes.c_float(), ctypes.c_float()
        for index in range(count):
            segment = pdfium_c.FPDFPath_GetPathSegment(raw, index)
            pdfium_c.FPDFPathSegment_GetPoint(segment, ctypes.byref(x), ctypes.byref(y))
            points.append((pdfium_c.FPDFPathSegment_GetType(segment), round(x.value, 2), round(y.value, 2),
                           pdfium_c.FPDFPathSegment_GetClose(segment)))
    return colours, round(width.value, 3), mode.value, stroke.value, count, points


def read_pdf(pdf: Path) -> tuple[list[PageText], list[Any]]:
    """Every page's words and drawing, and the open document to render pages from later."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    found = []
    for index in range(len(document)):
        page = document[index]
        text = page_words(page)
        text.drawing = drawing(page)
        found.append(text)
    return found, [document]


def render(document: Any, index: int) -> Any:
    """One page as an RGB PIL image at SCALE."""
    return document[index].render(scale=SCALE).to_pil().convert("RGB")


def _lines(page: PageText) -> list[list[int]]:
    """The page's words grouped into lines (indexes), by the top of their first box."""
    lines: list[list[int]] = []
    last = None
    for index, word in enumerate(page.words):
        top = word.boxes[0][1] if word.boxes else 0
        if last is None or abs(top - last) > 3:
            lines.append([])
        lines[-1].append(index)
        last = top
    return lines


MARGIN = 0.12  # share of the page's height at its top and bottom where running heads and feet are looked for
MOVED = 4  # words: a run deleted in one place and inserted unchanged in another (a note that moved page) is kept


def running_words(pages: list[PageText]) -> list[set[int]]:
    """Per page, the words of its running heads and feet: a line near the top or the bottom that, digits aside,
    recurs on several pages (a title, a folio) is not the document's text."""
    def key(page: PageText, line: list[int]) -> str:
        return "".join(c for c in " ".join(page.words[i].text for i in line) if not c.isdigit()).strip()

    def edge(page: PageText, line: list[int]) -> bool:
        top = page.words[line[0]].boxes[0][1] if page.words[line[0]].boxes else 0
        return top < page.height * MARGIN or top > page.height * (1 - MARGIN)

    edges = [[line for line in _lines(page) if edge(page, line)] for page in pages]
    counts: dict[str, int] = {}
    for page, lines in zip(pages, edges):
        for text in {key(page, line) for line in lines}:
            counts[text] = counts.get(text, 0) + 1
    least = max(3, len(pages) * 0.3)
    return [{i for line in lines if counts[key(page, line)] >= least for i in line}
            for page, lines in zip(pages, edges)]


def document_changes(old: list[PageText], new: list[PageText]) -> tuple[set[tuple[int, int]], set[tuple[int, int]],
                                                                          list[tuple[str, str]]]:
    """The words deleted and inserted in the whole document's text, as (page, word) indexes on each side and
    as runs of text. Running heads and folios are left out; text that flowed onto another page, and a
    run of words deleted in one place and inserted unchanged in another (notes that moved with their
    call), are unchanged."""
    def stream(pages: list[PageText]) -> list[tuple[int, int]]:
        skip = running_words(pages)
        return [(p, i) for p, page in enumerate(pages) for i in range(len(page.words)) if i not in skip[p]]

    a, b = stream(old), stream(new)
    words_a = [old[p].words[i].text for p, i in a]
    words_b = [new[p].words[i].text for p, i in b]
    gone, added = [], []  # positions in the streams
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, words_a, words_b, autojunk=False).get_opcodes():
        if tag != "equal":
            gone += range(i1, i2)
            added += range(j1, j2)
    moved = SequenceMatcher(None, [words_a[k] for k in gone], [words_b[k] for k in added], autojunk=False)
    kept_a, kept_b = set(), set()
    for block in moved.get_matching_blocks():
        if block.size >= MOVED:
            kept_a.update(gone[block.a:block.a + block.size])
            kept_b.update(added[block.b:block.b + block.size])
    gone = [k for k in gone if k not in kept_a]
    added = [k for k in added if k not in kept_b]
    # A shorter run deleted here and inserted, the same words, there: the diff's choice, not a change.
    inserted_runs = {" ".join(words_b[k] for k in run): run for run in _consecutive(added)}
    for run in _consecutive(gone):
        twin = inserted_runs.pop(" ".join(words_a[k] for k in run), None)
        if twin is not None:
            kept_a.update(run)
            kept_b.update(twin)
    gone = [k for k in gone if k not in kept_a]
    added = [k for k in added if k not in kept_b]
    found = [(" ".join(words_a[k] for k in run), "") for run in _consecutive(gone)]
    found += [("", " ".join(words_b[k] for k in run)) for run in _consecutive(added)]
    return {a[k] for k in gone}, {b[k] for k in added}, found


def printed_lines(pages: list[PageText], changed: set[tuple[int, int]]) -> list[PrintedLine]:
    """The document's lines in reading order, without running heads and folios; a line is changed when one
    of its words is in ``changed`` ((page, word) indexes)."""
    skip = running_words(pages)
    found = []
    for number, page in enumerate(pages):
        for line in _lines(page):
            kept = [i for i in line if i not in skip[number]]
            if kept:
                found.append(PrintedLine(number + 1, " ".join(page.words[i].text for i in kept),
                                         any((number, i) in changed for i in kept)))
    return found


def _consecutive(indexes: list[int]) -> list[list[int]]:
    found: list[list[int]] = []
    for index in indexes:
        if found and found[-1][-1] == index - 1:
            found[-1].append(index)
        else:
            found.append([index])
    return found


def runs(words: list[Word], indexes: list[int]) -> list[str]:
    """Consecutive indexes as runs of text."""
    return [" ".join(words[i].text for i in run) for run in _consecutive(indexes)]


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
    """Pair the pages of two PDFs by their text and box every difference on the pages that changed.

    The words are compared over the whole document (a paragraph pushed onto the next page is not a
    change); pixels are compared, outside the words, on pages whose words are the same but whose
    drawing (a figure, a rule, an image) is not. Only the pages that changed are rendered: unchanged
    pages are counted, not drawn.
    """
    old_pages, (old_doc,) = read_pdf(old_pdf)
    new_pages, (new_doc,) = read_pdf(new_pdf)
    review = PageReview((len(old_pages), len(new_pages)))
    deleted, inserted, review.runs = document_changes(old_pages, new_pages)
    review.lines = (printed_lines(old_pages, deleted), printed_lines(new_pages, inserted))
    folder = out_dir / "pages"
    moved: list[tuple[int, int]] = []
    try:
        for step in align([p.fingerprint for p in old_pages], [p.fingerprint for p in new_pages], threshold=0.3):
            a = old_pages[step.old] if step.old is not None else None
            b = new_pages[step.new] if step.new is not None else None
            gone = [i for i in range(len(a.words)) if (step.old, i) in deleted] if a else []
            added = [i for i in range(len(b.words)) if (step.new, i) in inserted] if b else []
            boxes_a = [box for i in gone for box in a.words[i].boxes] if a else []
            boxes_b = [box for i in added for box in b.words[i].boxes] if b else []
            if b is None or a is None:
                kind, page = ("inserted", b) if a is None else ("deleted", a)
                number = (step.new if a is None else step.old) + 1
                image = render(new_doc if a is None else old_doc, number - 1)
                path = _draw(image, boxes_b or boxes_a, GREEN if a is None else RED,
                             folder / f"page-{'new' if a is None else 'old'}-{number:03d}.png", frame=True)
                review.changes.append(PageChange(kind, None if a is None else number, number if a is None else None,
                                                 before=None if a is None else path, after=path if a is None else None,
                                                 deleted=runs(page.words, gone), inserted=runs(page.words, added)))
                continue
            regions: list[Box] = []
            image_a = image_b = None
            if a.fingerprint == b.fingerprint and a.drawing != b.drawing:  # same words, another drawing: where
                image_a, image_b = render(old_doc, step.old), render(new_doc, step.new)
                masks = [box for page in (a, b) for word in page.words for box in word.boxes]
                regions = pixel_regions(image_a, image_b, masks)
            if not (gone or added or regions):
                review.unchanged += 1
                if step.old != step.new:
                    moved.append((step.old + 1, step.new + 1))
                continue
            if image_a is None:
                image_a, image_b = render(old_doc, step.old), render(new_doc, step.new)
            name = f"page-{step.old + 1:03d}-{step.new + 1:03d}"
            review.changes.append(PageChange(
                "changed", step.old + 1, step.new + 1,
                before=_draw(image_a, boxes_a + regions, RED, folder / f"{name}-before.png"),
                after=_draw(image_b, boxes_b + regions, GREEN, folder / f"{name}-after.png"),
                deleted=runs(a.words, gone), inserted=runs(b.words, added), regions=len(regions)))
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
