"""Where the editions send readers and what screen readers say: links (their targets) and alt text, as each
edition carries them (the HTML's hrefs and alt attributes, the DOCX's hyperlink relationships and picture
descriptions, the PDF's link annotations and tagged figures), compared side by side.

A retargeted link or a new alt text prints no word differently, so the prose comparison cannot see it; here
each edition's links are compared by their targets (a link that only moved with its paragraph, or whose
note was renumbered, is no change) and its alt texts in reading order. Links within the document (notes,
cross-references, the contents) are left out: their targets are the paper's own anchors, renumbered
with the notes, and what they point at is compared as text.
"""

from __future__ import annotations

import ctypes
import hashlib
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .textdiff import align

SHORT_DATA = 60  # characters of a data: URL shown before its length and digest


@dataclass(frozen=True)
class Link:
    """One link as an edition carries it: the text it is on, where that is, and where it sends the reader."""

    text: str
    target: str
    where: str  # "Conclusions", "note 12 (Introduction)", "page metadata (canonical)", "page 12"


@dataclass(frozen=True)
class AltText:
    """An image's alt text (what a screen reader says for it), what the image is and where it is."""

    text: str
    what: str  # "Figure 1", "photo", "image", "figure"
    where: str


@dataclass
class LinkChange:
    """A link whose target changed, or that was added or removed, and the editions that show it."""

    kind: str  # "changed", "added", "removed"
    text: str
    where: str
    old: str  # "" for an added link
    new: str  # "" for a removed link
    editions: list[str] = field(default_factory=list)


@dataclass
class AltChange:
    """An image whose alt text changed, or an image with alt text added or removed, and the editions that show it."""

    kind: str  # "changed", "added", "removed"
    what: str
    where: str
    old: str
    new: str
    editions: list[str] = field(default_factory=list)


def external(target: str) -> bool:
    """True for a target outside the document: anything but a fragment of the page itself ("#fn3")."""
    return bool(target.strip()) and not target.strip().startswith("#")


def shown_target(target: str) -> str:
    """A target as the report prints it: whole, but a long data: URL as its start, its length and a digest
    (two different payloads never print alike)."""
    if target.startswith("data:") and len(target) > SHORT_DATA:
        digest = hashlib.sha256(target.encode("utf-8")).hexdigest()[:12]
        return f"{target[:SHORT_DATA]}… ({len(target):,} characters, sha256 {digest})"
    return target


def _key(text: str) -> str:
    """A link's text for matching: its letters and digits, lower-case (line breaks and hyphens aside)."""
    return " ".join(re.findall(r"[^\W_]+", text.lower()))


def _surplus(links: list[Link], others: list[Link]) -> list[Link]:
    """The links of ``links`` whose target ``others`` has fewer times, in reading order; among a target's
    links, those whose text and place ``others`` does not have go first."""
    extra = Counter(link.target for link in links) - Counter(link.target for link in others)
    if not extra:
        return []
    matched = Counter((link.target, _key(link.text), link.where) for link in others)
    unmatched, rest = [], []
    for link in links:
        if not extra[link.target]:
            continue
        pair = (link.target, _key(link.text), link.where)
        if matched[pair]:
            matched[pair] -= 1
            rest.append(link)
        else:
            unmatched.append(link)
    chosen, taken = [], Counter()
    for link in unmatched + rest:
        if taken[link.target] < extra[link.target]:
            taken[link.target] += 1
            chosen.append(link)
    return sorted(chosen, key=links.index)


def link_changes(old: list[Link], new: list[Link],
                 known: set[tuple[str, str]] = frozenset()) -> list[tuple[Link | None, Link | None]]:
    """One edition's links compared by their targets: (old link, new link) for each link retargeted, (old,
    None) removed, (None, new) added. A target gone and one that arrived are one link retargeted when another
    edition already paired them (``known``: (old target, new target)), else when they are on the same text,
    else in the same place."""
    removed, added = _surplus(old, new), _surplus(new, old)
    pairs: list[tuple[Link | None, Link | None]] = []
    for same in (lambda a, b: (a.target, b.target) in known,
                 lambda a, b: bool(_key(a.text)) and _key(a.text) == _key(b.text),
                 lambda a, b: a.where == b.where):
        for before in list(removed):
            after = next((link for link in added if same(before, link)), None)
            if after is not None:
                removed.remove(before)
                added.remove(after)
                pairs.append((before, after))
    pairs += [(link, None) for link in removed] + [(None, link) for link in added]
    place = {id(link): index for side in (old, new) for index, link in enumerate(side)}
    return sorted(pairs, key=lambda pair: place[id(pair[1] or pair[0])])  # in reading order


def compare_links(editions: dict[str, tuple[list[Link], list[Link]]]) -> list[LinkChange]:
    """Each link retargeted, added or removed in any edition (``editions``: name → (old links, new links),
    the edition that reads best first), once, with the editions that show it. Only links that leave the
    document are compared."""
    found: dict[tuple[str, str], LinkChange] = {}
    for name, (old, new) in editions.items():
        old, new = ([link for link in side if external(link.target)] for side in (old, new))
        for before, after in link_changes(old, new, set(found)):
            key = (before.target if before else "", after.target if after else "")
            shown = after or before
            change = found.get(key)
            if change is None:
                kind = "changed" if before and after else "added" if after else "removed"
                change = found[key] = LinkChange(kind, shown.text, shown.where, *key, editions=[name])
            elif change.editions[0] == name and shown.where not in change.where.split("; "):
                change.where += f"; {shown.where}"  # the same link in another place of the same edition
            elif name not in change.editions:
                change.editions.append(name)
    return list(found.values())


def alt_changes(old: list[AltText], new: list[AltText]) -> list[tuple[AltText | None, AltText | None]]:
    """One edition's alt texts in reading order: (old, new) for each image whose alt text changed, (old, None)
    and (None, new) for an image removed or added; an image that only moved (the same alt text removed in one
    place and added in another) is no change."""
    steps = align([a.text for a in old], [a.text for a in new])
    pairs: list[tuple[AltText | None, AltText | None]] = []
    for step in steps:
        if step.kind == "changed" and old[step.old].text != new[step.new].text:
            pairs.append((old[step.old], new[step.new]))
        elif step.kind == "deleted":
            pairs.append((old[step.old], None))
        elif step.kind == "inserted":
            pairs.append((None, new[step.new]))
    moved = (Counter(before.text for before, after in pairs if after is None)
             & Counter(after.text for before, after in pairs if before is None))
    drop = {"removed": Counter(moved), "added": Counter(moved)}  # each move: one removal and one addition
    kept = []
    for before, after in pairs:
        if before is None or after is None:
            side, text = ("added", after.text) if before is None else ("removed", before.text)
            if drop[side][text] > 0:
                drop[side][text] -= 1
                continue
        kept.append((before, after))
    return kept


def compare_alt_texts(editions: dict[str, tuple[list[AltText], list[AltText]]]) -> list[AltChange]:
    """Each image whose alt text changed, was added or removed in any edition, once, with the editions that
    show it (``editions``: name → (old alt texts, new alt texts), the edition that reads best first)."""
    found: dict[tuple[str, str], AltChange] = {}
    for name, (old, new) in editions.items():
        for before, after in alt_changes(old, new):
            key = (before.text if before else "", after.text if after else "")
            if key not in found:
                shown = after or before
                kind = "changed" if before and after else "added" if after else "removed"
                found[key] = AltChange(kind, shown.what, shown.where, *key)
            if name not in found[key].editions:
                found[key].editions.append(name)
    return list(found.values())


def _pdf_text(textpage, quads: list[tuple[float, float, float, float]]) -> str:
    """The text printed under a link's boxes (one per line it covers): a line ending in a hyphen or a slash
    runs on into the next without a space (a URL broken over two lines)."""
    text = ""
    for left, bottom, right, top in quads:
        piece = textpage.get_text_bounded(left, bottom, right, top).replace("\x02", "-").strip()
        text += ("" if not text or text[-1] in "-/._" else " ") + piece
    return re.sub(r"\s+", " ", text).strip()


def read_pdf_links(path: Path) -> tuple[list[Link], list[AltText]]:
    """The PDF's link annotations that open a URI (internal links go to a page, not an address) and the alt
    text of its tagged figures, in page order, each "where" its page ("page 12"). A link printed over two
    lines or pages may be two annotations: those that follow one another with the same URI, no other link
    between them, are one link."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as raw

    document = pdfium.PdfDocument(str(path))
    links: list[Link] = []
    alts: list[AltText] = []
    last = ""  # the URI of the annotation before, "" after an internal link
    try:
        for index in range(len(document)):
            page = document[index]
            where = f"page {index + 1}"
            textpage = page.get_textpage()
            position, link = ctypes.c_int(0), raw.FPDF_LINK()
            while raw.FPDFLink_Enumerate(page.raw, ctypes.byref(position), ctypes.byref(link)):
                action = raw.FPDFLink_GetAction(link)
                if not action or raw.FPDFAction_GetType(action) != raw.PDFACTION_URI:
                    last = ""
                    continue
                size = raw.FPDFAction_GetURIPath(document.raw, action, None, 0)
                buffer = ctypes.create_string_buffer(size)
                raw.FPDFAction_GetURIPath(document.raw, action, buffer, size)
                target = buffer.value.decode("utf-8", errors="replace")
                text = _pdf_text(textpage, _boxes(link))
                if target == last:
                    links[-1] = Link(f"{links[-1].text} {text}".strip(), target, links[-1].where)
                else:
                    links.append(Link(text, target, where))
                last = target
            textpage.close()
            alts += [AltText(text, kind.lower(), where) for kind, text in _tagged_alt_texts(page)]
    finally:
        document.close()
    return links, alts


def _boxes(link) -> list[tuple[float, float, float, float]]:
    """A link annotation's boxes (left, bottom, right, top): its quad points, one per line, else its rectangle."""
    import pypdfium2.raw as raw

    boxes = []
    for index in range(raw.FPDFLink_CountQuadPoints(link)):
        quad = raw.FS_QUADPOINTSF()
        if raw.FPDFLink_GetQuadPoints(link, index, ctypes.byref(quad)):
            xs, ys = (quad.x1, quad.x2, quad.x3, quad.x4), (quad.y1, quad.y2, quad.y3, quad.y4)
            boxes.append((min(xs), min(ys), max(xs), max(ys)))
    if not boxes:
        rect = raw.FS_RECTF()
        raw.FPDFLink_GetAnnotRect(link, ctypes.byref(rect))
        boxes.append((rect.left, rect.bottom, rect.right, rect.top))
    return boxes


def _utf16(get, element) -> str:
    """A string pdfium returns as UTF-16LE through a (buffer, length) call."""
    size = get(element, None, 0)
    if size <= 2:
        return ""
    buffer = ctypes.create_string_buffer(size)
    get(element, buffer, size)
    return buffer.raw[:size].decode("utf-16-le", errors="replace").rstrip("\0")


def _tagged_alt_texts(page) -> list[tuple[str, str]]:
    """(structure type, alt text) of each element of the page's structure tree that has an alt text."""
    import pypdfium2.raw as raw

    found = []

    def walk(element) -> None:
        text = _utf16(raw.FPDF_StructElement_GetAltText, element)
        if text.strip():
            kind = _utf16(raw.FPDF_StructElement_GetType, element) or "image"
            found.append((kind, re.sub(r"\s+", " ", text).strip()))
        for index in range(raw.FPDF_StructElement_CountChildren(element)):
            child = raw.FPDF_StructElement_GetChildAtIndex(element, index)
            if child:
                walk(child)

    tree = raw.FPDF_StructTree_GetForPage(page.raw)
    if not tree:
        return found
    try:
        for index in range(raw.FPDF_StructTree_CountChildren(tree)):
            element = raw.FPDF_StructTree_GetChildAtIndex(tree, index)
            if element:
                walk(element)
    finally:
        raw.FPDF_StructTree_Close(tree)
    return found
