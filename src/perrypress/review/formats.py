"""What each edition shows that the others do not: the DOCX's and the PDF's text set against the HTML's changes."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from .textdiff import Piece, align, word_diff

COVERED = 0.75  # share of a change's words another edition's changes must hold for it to "show there too"
W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def words(text: str) -> list[str]:
    """A text's words, lower-case letters only: punctuation, hyphens and spacing differ by edition, and the PDF's
    note markers stick to the word they follow ("domain.3")."""
    return [w for w in (re.sub(r"[\W\d_]+", "", token.lower()) for token in text.split()) if w]


@dataclass
class Pool:
    """The words an edition's changes delete and insert."""

    old: Counter = field(default_factory=Counter)
    new: Counter = field(default_factory=Counter)

    def add(self, old: str, new: str) -> None:
        """Count the words of one change, both sides."""
        self.old.update(words(old))
        self.new.update(words(new))

    def holds(self, old: str, new: str) -> bool:
        """True when most of the words ``old`` loses and ``new`` gains are among this pool's."""
        return all(_share(words(text), pool) >= COVERED for text, pool in ((old, self.old), (new, self.new)) if words(text))


def _share(items: list[str], pool: Counter) -> float:
    return sum(1 for w in items if pool[w] > 0) / len(items)


@dataclass
class FormatChange:
    """A change seen in the DOCX or the PDF edition that the HTML edition does not show."""

    editions: list[str]
    where: str
    pieces: list[Piece]
    old: str = ""
    new: str = ""


def docx_blocks(path: Path) -> list[str]:
    """The DOCX edition's paragraphs as printed: body, then notes (w:p of document.xml and footnotes.xml)."""
    from xml.etree import ElementTree as ET

    blocks = []
    with zipfile.ZipFile(path) as archive:
        for name in ("word/document.xml", "word/footnotes.xml"):
            if name not in archive.namelist():
                continue
            root = ET.fromstring(archive.read(name))
            for paragraph in root.iter(f"{W}p"):
                text = "".join(node.text or "" for node in paragraph.iter() if node.tag in {f"{W}t"})
                text = re.sub(r"\s+", " ", text).strip()
                if text:
                    blocks.append(text)
    return blocks


def block_changes(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """Blocks changed, inserted or deleted between two lists, as (old text, new text) with only the changed words."""
    changes = []
    for step in align(old, new):
        if step.kind == "changed":
            pieces = word_diff(old[step.old], new[step.new], context=0)
            changes.append((" ".join(p.text for p in pieces if p.kind == "-"),
                            " ".join(p.text for p in pieces if p.kind == "+")))
        elif step.kind == "inserted":
            changes.append(("", new[step.new]))
        elif step.kind == "deleted":
            changes.append((old[step.old], ""))
    return changes


def renumbered(changes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The changes less those that only renumber: a run deleted and a run inserted with the same letters
    ("3Ophélie" → "4Ophélie", a note's number in the PDF), or one change whose two sides have the same letters."""
    key = lambda text: " ".join(words(text))  # noqa: E731
    inserted: dict[str, int] = {}
    for old, new in changes:
        if new and not old:
            inserted[key(new)] = inserted.get(key(new), 0) + 1
    kept, dropped = [], {}
    for old, new in changes:
        if old and new and key(old) == key(new):
            continue
        if old and not new and inserted.get(key(old), 0) > dropped.get(key(old), 0):
            dropped[key(old)] = dropped.get(key(old), 0) + 1
            continue
        kept.append((old, new))
    result = []
    for old, new in kept:
        if new and not old and dropped.get(key(new), 0) > 0:
            dropped[key(new)] -= 1
            continue
        result.append((old, new))
    return result


def only_in(name: str, changes: list[tuple[str, str]], html: Pool, others: dict[str, Pool],
            html_text: Pool | None = None) -> list[FormatChange]:
    """The changes of edition ``name`` that neither the HTML edition's changes hold nor its whole text (words
    that only flowed elsewhere on the page are in it); digits-only ones are page numbers."""
    found = []
    for old, new in renumbered(changes):
        if not any(re.search(r"[^\W\d_]", text) for text in (old, new)) or html.holds(old, new):
            continue
        if html_text is not None and html_text.holds(old, new):
            continue
        editions = [name] + [other for other, pool in others.items() if pool.holds(old, new)]
        pieces = [piece for piece in (Piece("-", old), Piece("+", new)) if piece.text]
        found.append(FormatChange(editions, name, pieces, old, new))
    return found


def tokens(text: str) -> list[str]:
    """A text's runs of letters, lower-case, hyphens dropped first: a URL the PDF breaks over two lines
    ("…/News/2022/" and "Financial-and-…") reads as the same words as the HTML's unbroken link, and a
    compound broken at its hyphen ("law-" "enforcement") as the same word."""
    return re.findall(r"[^\W\d_]+", re.sub("[-\xad\x02]", "", text.lower()))


@dataclass
class Printed:
    """What an edition prints, as its words and the pairs of words next to each other in its text."""

    vocabulary: set[str] = field(default_factory=set)
    pairs: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def of(cls, blocks: list[str]) -> Printed:
        """The words and word pairs of ``blocks``, in order (a table's cells follow one another)."""
        found = tokens(" ".join(blocks))
        return cls(set(found), set(zip(found, found[1:])))

    def shows(self, line: str) -> bool:
        """True when this edition prints ``line``: each of its words, next to a neighbour it has on the line
        when it has one."""
        found = tokens(line)
        if len(found) == 1:
            return found[0] in self.vocabulary
        covered = [False] * len(found)
        for index, pair in enumerate(zip(found, found[1:])):
            if pair in self.pairs:
                covered[index] = covered[index + 1] = True
        return all(covered)


def printed_units(lines: list, printed: Printed) -> list[str]:
    """The units of text only this PDF prints: each run of consecutive lines (running heads and folios left
    out, so a paragraph continued on the next page is one run) that ``printed`` (the other editions) does
    not show, kept when one of its lines changed. Whole lines as printed, never parts."""
    units, run = [], []

    def close() -> None:
        if any(line.changed for line in run):
            units.append(" ".join(line.text for line in run))
        run.clear()

    for line in lines:
        alone = bool(tokens(line.text)) and not printed.shows(line.text)
        if not alone:
            close()
        if alone:
            run.append(line)
    close()
    return units


def pdf_only(lines: tuple[list, list], html: tuple[list[str], list[str]],
             docx: tuple[list[str], list[str]]) -> list[FormatChange]:
    """What only the PDF edition shows: its changed lines that neither the HTML nor the DOCX edition of the same
    side prints, as whole units (a paragraph or lines as printed). A unit removed and one inserted that are
    alike are one changed unit (a word diff)."""
    old_units, new_units = (printed_units(side, Printed.of([*h, *d]))
                            for side, h, d in zip(lines, html, docx))
    found = []
    for step in align(old_units, new_units):
        if step.kind == "changed":
            old, new = old_units[step.old], new_units[step.new]
            found.append(FormatChange(["PDF"], "PDF", word_diff(old, new), old, new))
        elif step.kind == "inserted":
            new = new_units[step.new]
            found.append(FormatChange(["PDF"], "PDF", [Piece("+", new)], "", new))
        elif step.kind == "deleted":
            old = old_units[step.old]
            found.append(FormatChange(["PDF"], "PDF", [Piece("-", old)], old, ""))
    return found
