"""Word-level diffs of rendered text, and alignment of paragraphs and notes (moved, inserted, renumbered)."""

from __future__ import annotations

from dataclasses import dataclass
from difflib import SequenceMatcher

CONTEXT = 5  # words of unchanged text kept on each side of a change


@dataclass(frozen=True)
class Piece:
    """A run of words: kept (" "), deleted ("-") or inserted ("+")."""

    kind: str
    text: str


def word_diff(old: str, new: str, *, context: int | None = CONTEXT) -> list[Piece]:
    """The word-level difference of two texts; unchanged runs cut to ``context`` words each side (None: all)."""
    a, b = old.split(), new.split()
    pieces: list[Piece] = []
    opcodes = SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    for index, (tag, i1, i2, j1, j2) in enumerate(opcodes):
        if tag == "equal":
            words = a[i1:i2]
            first, last = index == 0, index == len(opcodes) - 1
            if context is not None and len(words) > (1 if first or last else 2) * context:
                head = [] if first else words[:context]
                tail = [] if last else words[-context:]
                words = [*head, "…", *tail]
            pieces.append(Piece(" ", " ".join(words)))
            continue
        if i2 > i1:
            pieces.append(Piece("-", " ".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(Piece("+", " ".join(b[j1:j2])))
    return pieces


def changed_words(pieces: list[Piece]) -> tuple[list[str], list[str]]:
    """The deleted and the inserted runs of a word diff."""
    return [p.text for p in pieces if p.kind == "-"], [p.text for p in pieces if p.kind == "+"]


def similar(a: str, b: str) -> float:
    """How alike two texts are, word by word (0 to 1)."""
    return SequenceMatcher(None, a.split(), b.split(), autojunk=False).ratio()


@dataclass(frozen=True)
class Step:
    """One step of aligning two lists of texts: equal, changed, inserted or deleted (old and new 0-based indexes)."""

    kind: str  # "equal", "changed", "inserted", "deleted"
    old: int | None
    new: int | None


def align(old: list[str], new: list[str], *, threshold: float = 0.5) -> list[Step]:
    """Align two lists of texts: in a replaced run, items are paired when alike or when they are left in
    equal numbers on both sides (a note after an inserted one, "Ibid." now a short form, is changed, not
    deleted and inserted); the surplus is deleted or inserted."""
    steps: list[Step] = []
    for tag, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if tag == "equal":
            steps += [Step("equal", i1 + k, j1 + k) for k in range(i2 - i1)]
            continue
        i, j = i1, j1
        while i < i2 or j < j2:
            # Alike, or the last items of a run whose surplus is used up: the same item, changed.
            if i < i2 and j < j2 and (similar(old[i], new[j]) >= threshold or i2 - i == j2 - j):
                steps.append(Step("changed", i, j))
                i, j = i + 1, j + 1
            elif i < i2 and (j >= j2 or _best(old[i], new[j:j2]) < _best(new[j], old[i:i2])):
                steps.append(Step("deleted", i, None))
                i += 1
            else:
                steps.append(Step("inserted", None, j))
                j += 1
    return steps


def _best(text: str, others: list[str]) -> float:
    return max((similar(text, other) for other in others), default=0.0)
