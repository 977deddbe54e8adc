"""What each edition shows that the others do not: the DOCX's and the PDF's text set against the HTML's changes."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .docx_edition import Block
from .textdiff import Piece, align, word_diff

COVERED = 0.75  # share of a change's words another edition's changes must hold for it to "show there too"


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
    where: str  # where the DOCX's block is ("Introduction", "title page", "note 3 (Introduction)"); "" for the PDF
    pieces: list[Piece]
    old: str = ""
    new: str = ""


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


def unmoved(changes: list[tuple[str, str]]) -> list[int]:
    """The indexes of the changes that do more than move or renumber text: a run deleted and a run inserted
    with the same letters (a paragraph moved; "3Ophélie" → "4Ophélie", a note's number in the PDF), and a change
    whose two sides have the same letters, are left out."""
    key = lambda text: " ".join(words(text))  # noqa: E731
    inserted = Counter(key(new) for old, new in changes if new and not old)
    dropped: Counter = Counter()
    kept = []
    for index, (old, new) in enumerate(changes):
        if old and new and key(old) == key(new):
            continue
        if old and not new and inserted[key(old)] > dropped[key(old)]:
            dropped[key(old)] += 1
            continue
        kept.append(index)
    result = []
    for index in kept:
        old, new = changes[index]
        if new and not old and dropped[key(new)] > 0:
            dropped[key(new)] -= 1
            continue
        result.append(index)
    return result


@dataclass
class _Changed:
    """A DOCX block that changed: where it is, its word diff, and the (first, end) pieces of each change in it."""

    where: str
    pieces: list[Piece]
    runs: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        for index, piece in enumerate(self.pieces):
            if piece.kind == " ":
                continue
            if self.runs and self.runs[-1][1] == index:
                self.runs[-1] = (self.runs[-1][0], index + 1)
            else:
                self.runs.append((index, index + 1))

    def side(self, run: tuple[int, int], kind: str) -> str:
        """A run's deleted ("-") or inserted ("+") words."""
        return " ".join(p.text for p in self.pieces[run[0]:run[1]] if p.kind == kind)

    def in_place(self, run: tuple[int, int], kind: str) -> str:
        """A run's deleted or inserted words with the word before and the word after them on that side: the
        text to look for in another edition (a common word inserted is found there only by its neighbours)."""
        text = self.side(run, kind)
        before = tokens(" ".join(p.text for p in self.pieces[:run[0]] if p.kind in {" ", kind}))[-1:]
        after = tokens(" ".join(p.text for p in self.pieces[run[1]:] if p.kind in {" ", kind}))[:1]
        return " ".join([*before, text, *after]) if text else ""


def _changed_blocks(old: list[Block], new: list[Block]) -> list[_Changed]:
    """The DOCX blocks changed (a word diff of the whole block), inserted or deleted, in reading order."""
    found = []
    for step in align([b.text for b in old], [b.text for b in new]):
        if step.kind == "changed":
            found.append(_Changed(new[step.new].where, word_diff(old[step.old].text, new[step.new].text, context=None)))
        elif step.kind == "inserted":
            found.append(_Changed(new[step.new].where, [Piece("+", new[step.new].text)]))
        elif step.kind == "deleted":
            found.append(_Changed(old[step.old].where, [Piece("-", old[step.old].text)]))
    return found


def docx_only(docx: tuple[list[Block], list[Block]], html: tuple[list[str], list[str]], html_changes: Pool,
              pdf_changes: Pool) -> list[FormatChange]:
    """What the DOCX edition (``docx``: each side's blocks) shows and the HTML edition does not: each block
    (paragraph, table cell, note, header, footer) with a change of its own is one item, the whole block with
    only those changes marked (its other changes read as it now prints them). A change is the DOCX's own when
    it has letters (digits alone are page numbers), the HTML's changes do not hold it, it does more than move
    text, and the HTML edition (``html``: each side's blocks) does not print it next to the same words. The
    PDF is named too when its changes hold the item's."""
    blocks = _changed_blocks(*docx)
    printed = [Printed.of(side) for side in html]
    runs = [(number, run) for number, block in enumerate(blocks) for run in block.runs]
    own = set()  # (block number, run) of each change only the DOCX shows
    for index in unmoved([(blocks[number].side(run, "-"), blocks[number].side(run, "+")) for number, run in runs]):
        number, run = runs[index]
        block = blocks[number]
        old, new = block.side(run, "-"), block.side(run, "+")
        if not any(re.search(r"[^\W\d_]", text) for text in (old, new)) or html_changes.holds(old, new):
            continue
        in_place = zip((block.in_place(run, "-"), block.in_place(run, "+")), printed)
        if all(not text or edition.shows(text) for text, edition in in_place):
            continue
        own.add((number, run))
    found = []
    for number, block in enumerate(blocks):
        mine = [run for run in block.runs if (number, run) in own]
        if not mine:
            continue
        shown = []
        for index, piece in enumerate(block.pieces):
            if piece.kind == " " or any(first <= index < end for first, end in mine):
                shown.append(piece)
            elif piece.kind == "+":  # a change the HTML shows too: as the block now prints it
                shown.append(Piece(" ", piece.text))
        old = " ".join(block.side(run, "-") for run in mine)
        new = " ".join(block.side(run, "+") for run in mine)
        found.append(FormatChange(["DOCX"] + (["PDF"] if pdf_changes.holds(old, new) else []), block.where,
                                  _merged(shown), " ".join(p.text for p in block.pieces if p.kind != "+"),
                                  " ".join(p.text for p in block.pieces if p.kind != "-")))
    return found


def _merged(pieces: list[Piece]) -> list[Piece]:
    """Adjacent pieces of the same kind as one."""
    merged: list[Piece] = []
    for piece in pieces:
        if merged and merged[-1].kind == piece.kind:
            merged[-1] = Piece(piece.kind, f"{merged[-1].text} {piece.text}")
        else:
            merged.append(piece)
    return merged


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
            found.append(FormatChange(["PDF"], "", word_diff(old, new), old, new))
        elif step.kind == "inserted":
            new = new_units[step.new]
            found.append(FormatChange(["PDF"], "", [Piece("+", new)], "", new))
        elif step.kind == "deleted":
            old = old_units[step.old]
            found.append(FormatChange(["PDF"], "", [Piece("-", old)], old, ""))
    return found
