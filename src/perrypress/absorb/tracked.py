"""The edited document with only its tracked changes: untracked edits (made with Track Changes off) left out."""

from __future__ import annotations

import logging
from difflib import SequenceMatcher

from .docx_text import Unit
from .place import char_opcodes

log = logging.getLogger(__name__)


def _pairs(a: list[Unit], b: list[Unit]) -> dict[int, int]:
    """Units of ``a`` paired with units of ``b``: equal ones, and those of same-sized changed runs."""
    pairs = {}
    matcher = SequenceMatcher(None, [u.text for u in a], [u.text for u in b], autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal" or i2 - i1 == j2 - j1:
            pairs.update(zip(range(i1, i2), range(j1, j2)))
    return pairs


def rebase(base: str, rejected: str, accepted: str) -> str:
    """``base`` with the tracked changes (``rejected`` → ``accepted``) made where ``rejected`` equals ``base``."""
    matcher = SequenceMatcher(None, rejected, base, autojunk=False)
    blocks = matcher.get_matching_blocks()

    def to_base(position: int) -> int | None:
        for a, b, size in blocks:
            if a <= position <= a + size:
                return b + position - a
        return None

    out, last = [], 0
    for _, a1, a2, b1, b2 in char_opcodes(rejected, accepted):
        start, end = to_base(a1), to_base(a2)
        if start is None or end is None or start < last:
            log.warning("a tracked change in an untracked edit's words is left out: %r", accepted[b1:b2])
            continue
        out += [base[last:start], accepted[b1:b2]]
        last = end
    return "".join(out) + base[last:]


def tracked_only(base: list[Unit], rejected: list[Unit], accepted: list[Unit]) -> list[Unit]:
    """The base units with the tracked changes made: the accepted document minus its untracked edits."""
    base_of = {r: b for b, r in _pairs(base, rejected).items()}
    accepted_of = _pairs(rejected, accepted)
    rejected_of = {a: r for r, a in accepted_of.items()}
    out: list[Unit] = []
    emitted = -1
    for a, unit in enumerate(accepted):
        r = rejected_of.get(a)
        if r is None:  # a paragraph inserted with Track Changes on
            out.append(unit)
            continue
        b = base_of.get(r)
        if b is None:  # a paragraph added without tracking: left out
            continue
        for missing in range(emitted + 1, b):  # paragraphs deleted without tracking: kept
            if missing not in base_of.values():
                out.append(base[missing])
        emitted = b
        if rejected[r].text == base[b].text:
            out.append(unit)
        else:
            out.append(Unit(unit.style, rebase(base[b].text, rejected[r].text, unit.text), unit.table, unit.parent,
                            unit.note))
    for missing in range(emitted + 1, len(base)):
        if missing not in base_of.values():
            out.append(base[missing])
    return out
