"""Align the edited DOCX with the edition it started as, and turn each change into an exact edit of the sources.

The edited document's paragraphs are aligned with the base edition's; each changed base paragraph is
tied to the source paragraph whose projection (source_text.py) it prints, character by character.
A change whose every character is written in the source becomes an :class:`Edit`; any other
(generated text, a number from data, a citation's formatted text, a table, the bibliography) an
:class:`Unplaced` naming where to make it.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path
from typing import Any

from . import places
from .docx_text import NOTE, Unit
from .source_text import NOTE_MARK, OPAQUE, Atom, Block, normalize, project_markdown, read_source

log = logging.getLogger(__name__)

PARAGRAPH = "\u2029"  # between two paragraphs, in a run of changed ones
TOKEN = re.compile(r"\w+|\s+|[^\w\s]", re.U)
CONTEXT = 30


@dataclass
class Edit:
    """Replace file[start:end] with ``new``: one edit of the author's, placed exactly."""

    file: str
    start: int
    end: int
    new: str
    line: int
    what: str
    before: str
    after: str
    context: tuple[int, int] = (0, 0)  # the source block the edit is in (to find it again in a changed file)


@dataclass
class Unplaced:
    """An edit absorb does not apply, and where to make it."""

    what: str
    where: str
    before: str
    after: str
    reason: str = ""


@dataclass
class Plan:
    """The edits to apply and those to report, and each base unit's source place (for comments)."""

    edits: list[Edit] = field(default_factory=list)
    unplaced: list[Unplaced] = field(default_factory=list)
    unit_places: dict[int, str] = field(default_factory=dict)


def _tokens(text: str) -> list[str]:
    return TOKEN.findall(text)


def char_opcodes(a: str, b: str) -> list[tuple[str, int, int, int, int]]:
    """Word-level differences of a and b, in character offsets (equal runs left out)."""
    ta, tb = _tokens(a), _tokens(b)
    pa, pb = [0], [0]
    for t in ta:
        pa.append(pa[-1] + len(t))
    for t in tb:
        pb.append(pb[-1] + len(t))
    matcher = SequenceMatcher(None, ta, tb, autojunk=False)
    return [(tag, pa[i1], pa[i2], pb[j1], pb[j2]) for tag, i1, i2, j1, j2 in matcher.get_opcodes() if tag != "equal"]


def _snippet(text: str, start: int, end: int) -> str:
    """text[start:end] with a little context, for the report."""
    left = max(0, start - CONTEXT)
    right = min(len(text), end + CONTEXT)
    shown = ("…" if left else "") + text[left:start] + "[" + text[start:end] + "]" + text[end:right] + \
        ("…" if right < len(text) else "")
    return shown.replace(NOTE, "ⁿ").replace(PARAGRAPH, "¶")


def escape(text: str, block: Block) -> str | None:
    """``text`` as it must be written in ``block``'s source to print as itself (None when it cannot be)."""
    out = re.sub(r"([\\*_`\[\]<@^{}~$])", r"\\\1", text)
    out = re.sub(r"(?<![-\w])(-{2,3})(?!-)", lambda m: "\\" + "\\-".join(m.group(1)), out) if "--" in out else out
    if block.kind == "yaml":
        if block.yaml_style == "double":
            out = out.replace("\\", "\\\\").replace('"', '\\"')
        elif block.yaml_style == "single":
            out = out.replace("'", "''")
        elif block.yaml_style == "plain" and (": " in out or " #" in out):
            return None
        if PARAGRAPH in out:
            return None
    elif PARAGRAPH in out:
        if block.kind != "paragraph":
            return None
        out = re.sub(r"\s*" + PARAGRAPH + r"\s*", "\n\n", out)
    return out


@dataclass
class Mapping:
    """How each character of a printed paragraph maps to its source block: a file span, an atom, or nothing."""

    block: Block
    chars: list[tuple[int, int, int] | None]  # per printed char: (source start, source end, projection index)


def map_unit(text: str, block: Block) -> Mapping:
    """Tie each printed character to the source character it is (None: printed by the build)."""
    projected = _with_marks(block, text.count(NOTE))
    matcher = SequenceMatcher(None, normalize(text), normalize(projected), autojunk=False)
    chars: list[tuple[int, int, int] | None] = [None] * len(text)
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            start, end = block.spans[b + k]
            if start < 0:
                atom = block.atoms[end]
                chars[a + k] = (atom.start, atom.end, b + k)
            else:
                chars[a + k] = (start, end, b + k)
    return Mapping(block, chars)


def _with_marks(block: Block, notes: int) -> str:
    """The block's projection, its citations printed as notes or in the text as the edition has them."""
    marks = block.text.count(NOTE_MARK)
    if marks == notes:
        return block.text
    only_notes = sum(1 for a in block.atoms if a.kind == "note")
    if only_notes == notes:  # an author-date style: citations print in the text
        out = list(block.text)
        for i, (start, end) in enumerate(block.spans):
            if start < 0 and block.atoms[end].kind == "citation":
                out[i] = OPAQUE
        return "".join(out)
    return block.text


def note_atoms(block: Block, notes: int) -> list[Atom]:
    """The atoms of ``block`` that print as its notes, in order."""
    projected = _with_marks(block, notes)
    return [block.atoms[end] for (start, end), char in zip(block.spans, projected) if start < 0 and char == NOTE_MARK]


class Placer:
    """Places the changes of edited units in the sources of the base edition."""

    def __init__(self, base: list[Unit], blocks: list[Block], *, root: Path, config: dict[str, Any]) -> None:
        self.base, self.blocks, self.root, self.config = base, blocks, root, config
        self.plan = Plan()
        self._block_cache: dict[int, Block | None] = {}
        self._texts = {id(b): read_source(root / b.file) for b in blocks}

    # ---- where a base unit comes from

    def block_of(self, index: int) -> Block | None:
        """The source block base unit ``index`` prints (a note's: its inline note's text), or None."""
        if index not in self._block_cache:
            self._block_cache[index] = self._find(index)
        return self._block_cache[index]

    def _find(self, index: int) -> Block | None:
        unit = self.base[index]
        if unit.is_note:
            parent = self.block_of(unit.parent)
            if parent is None:
                return None
            atoms = note_atoms(parent, self.base[unit.parent].text.count(NOTE))
            if len(atoms) != self.base[unit.parent].text.count(NOTE) or unit.note >= len(atoms):
                return None
            atom = atoms[unit.note]
            if atom.kind == "note" and atom.inner is not None:
                return atom.inner
            citation = Block(parent.file, parent.line, atom.start, atom.end, "citation")
            citation.atoms = [atom]
            return citation
        if unit.table is not None or unit.style in ("Table Caption", "Table Note", "Table Source", "Bibliography"):
            return None
        target = normalize(unit.text.replace(NOTE, ""))
        if not target.strip():
            return None
        scored = []
        for block in self.blocks:
            candidate = normalize(block.text.replace(NOTE_MARK, "").replace(OPAQUE, ""))
            matcher = SequenceMatcher(None, target, candidate, autojunk=False)
            if matcher.real_quick_ratio() < 0.6 or matcher.quick_ratio() < 0.6:
                continue
            scored.append((matcher.ratio(), block))
        scored.sort(key=lambda s: s[0], reverse=True)
        if not scored or scored[0][0] < 0.6:
            return None
        if len(scored) > 1 and scored[1][0] > scored[0][0] - 0.02:
            return None  # two places print nearly the same text: never guess
        return scored[0][1]

    def place_of(self, index: int) -> str:
        """``file:line`` of base unit ``index``'s source, or what generates it."""
        block = self.block_of(index)
        if block is not None:
            return f"{block.file}:{self._line(block, block.start)}"
        return self._generated_place(index, "")

    def _line(self, block: Block, offset: int) -> int:
        text = self._texts.get(id(block))
        if text is None:
            text = read_source(self.root / block.file)
        return text.count("\n", 0, max(0, offset)) + 1

    def _generated_place(self, index: int, before: str, span: tuple[int, int] | None = None) -> str:
        unit = self.base[index]
        if unit.table is not None:
            return self._cell_place(index, span)
        if unit.style == "Table Caption":
            slug = places.table_slug(unit.text, self.config)
            return places.config_place(self.root, ["tables", slug, "caption"]) if slug else "config/config.yaml tables"
        if unit.style in ("Table Note", "Table Source"):
            slug = self._table_before(index)
            if slug and unit.style == "Table Source" and "source" in self.config["tables"][slug]:
                return places.config_place(self.root, ["tables", slug, "source"])
            notes = self.config["tables"].get(slug, {}).get("notes") if slug else None
            return f"{notes} (the table's notes)" if notes else "the table's notes in data/"
        if unit.style == "Bibliography":
            return places.bib_place(self.root, self.config, before, printed=unit.text)
        if unit.is_note and self.base[unit.parent].table is not None:
            return self._cell_place(unit.parent, None)
        return f"text the build prints ({unit.style}): no source paragraph prints it"

    def _table_before(self, index: int) -> str | None:
        for i in range(index, -1, -1):
            if self.base[i].style == "Table Caption":
                return places.table_slug(self.base[i].text, self.config)
        return None

    def _cell_place(self, index: int, span: tuple[int, int] | None) -> str:
        unit = self.base[index]
        table, row, column = unit.table
        slug = self._table_before(index)
        cells = [u for u in self.base if u.table is not None and u.table[0] == table]
        row_texts = [u.text for u in cells if u.table[1] == row]
        header = [u.text for u in cells if u.table[1] == 0]
        return places.cell_place(slug, self.config, self.root, row_texts, header, column, unit.text, span)

    # ---- the changes of one unit

    def unit(self, index: int, new: str) -> None:
        """Place the changes that turn base unit ``index`` into ``new`` (which may hold PARAGRAPH: a split)."""
        old = self.base[index].text
        if old == new:
            return
        block = self.block_of(index)
        if block is None:
            self._report_all(index, old, new, "the build prints this paragraph")
            return
        if block.kind == "citation":
            self._citation(index, block, old, new)
            return
        mapping = map_unit(old, block)
        for tag, a1, a2, b1, b2 in char_opcodes(old, new):
            self._one(index, block, mapping, old, new, a1, a2, b1, b2)

    def _report_all(self, index: int, old: str, new: str, reason: str) -> None:
        for tag, a1, a2, b1, b2 in _merged(char_opcodes(old, new), old):
            self.plan.unplaced.append(Unplaced(self._kind(index), self._generated_place(index, _around(old, a1, a2),
                                                                                        (a1, a2)),
                                               _snippet(old, a1, a2), _snippet(new, b1, b2), reason))

    def _kind(self, index: int) -> str:
        unit = self.base[index]
        if unit.table is not None or (unit.is_note and self.base[unit.parent].table is not None):
            return "table"
        return {"Table Caption": "table caption", "Table Note": "table note", "Table Source": "table source",
                "Bibliography": "bibliography"}.get(unit.style, "generated text")

    def _one(self, index: int, block: Block, mapping: Mapping, old: str, new: str,
             a1: int, a2: int, b1: int, b2: int) -> None:
        before, after = _snippet(old, a1, a2), _snippet(new, b1, b2)
        inserted = new[b1:b2]
        if NOTE in old[a1:a2] or NOTE in inserted:
            self.plan.unplaced.append(Unplaced("note marker", self.place_of(index), before, after,
                                               "a note added or removed: write or delete its ^[…] or [@key] in the source"))
            return
        chars = mapping.chars[a1:a2]
        if a1 < a2 and any(c is None or self._is_atom(block, c) for c in chars):
            self._report_generated(index, block, mapping, old, a1, a2, before, after)
            return
        if a1 < a2:
            start, end = chars[0][0], chars[-1][1]
            first, last = chars[0][2], chars[-1][2]
            if last - first != a2 - a1 - 1 or not self._only_markup_between(block, start, end, first, last):
                self.plan.unplaced.append(Unplaced("prose", self.place_of(index), before, after,
                                                   "the change crosses markup the source writes (emphasis, a link)"))
                return
        else:
            left = mapping.chars[a1 - 1] if a1 > 0 else None
            right = mapping.chars[a1] if a1 < len(old) else None
            if left is not None:
                start = end = left[1]
            elif right is not None:
                start = end = right[0]
            else:
                self._report_generated(index, block, mapping, old, a1, a2, before, after)
                return
        written = escape(inserted, block)
        if written is None:
            self.plan.unplaced.append(Unplaced("prose", self.place_of(index), before, after,
                                               "the new text cannot be written in this source as it is printed"))
            return
        what = {"heading": "heading", "figure": "caption", "yaml": "front matter", "note": "note"}.get(block.kind, "text")
        self.plan.edits.append(Edit(block.file, start, end, written, self._line(block, start), what, before, after,
                                    (block.start, block.end)))

    @staticmethod
    def _is_atom(block: Block, char: tuple[int, int, int]) -> bool:
        return block.spans[char[2]][0] < 0

    def _only_markup_between(self, block: Block, start: int, end: int, first: int, last: int) -> bool:
        """True when file[start:end] holds nothing printed but projection[first:last+1] (markup may be there, balanced)."""
        for k, (s, e) in enumerate(block.spans):
            if s < 0:
                atom = block.atoms[e]
                if start < atom.end and atom.start < end:
                    return False
            elif start <= s < end and not first <= k <= last:
                return False
        text = read_source(self.root / block.file)[start:end]
        printed = set()
        for k in range(first, last + 1):
            s, e = block.spans[k]
            printed.update(range(s, e))
        markup = "".join(text[i - start] for i in range(start, end) if i not in printed)
        return all(markup.count(c) % 2 == 0 for c in "*_`") and not any(c in markup for c in "[]()")

    def _report_generated(self, index: int, block: Block, mapping: Mapping, old: str, a1: int, a2: int,
                          before: str, after: str) -> None:
        """An edit of text the source does not hold: name the atoms around it and where they come from."""
        left = next((mapping.chars[k][2] for k in range(a1 - 1, -1, -1) if mapping.chars[k] is not None), -1)
        right = next((mapping.chars[k][2] for k in range(a2, len(old)) if mapping.chars[k] is not None),
                     len(block.text))
        atoms = [block.atoms[e] for s, e in block.spans[max(left, 0):right + 1] if s < 0]
        atoms = [a for a in atoms if a.kind in ("var", "crossref", "citation")] or atoms
        line = f"{block.file}:{self._line(block, atoms[0].start if atoms else block.start)}"
        if atoms and atoms[0].kind == "var":
            self.plan.unplaced.append(Unplaced("number from data", places.var_place(atoms[0].detail, self.config,
                                                                                    self.root), before, after,
                                               f"printed by {{{{< var {atoms[0].detail} >}}}} at {line}"))
        elif atoms and atoms[0].kind == "crossref":
            self.plan.unplaced.append(Unplaced("cross-reference", line, before, after,
                                               f"@{atoms[0].detail} is numbered by the build"))
        elif atoms and atoms[0].kind == "citation":
            self.plan.unplaced.append(Unplaced("citation", places.bib_place(self.root, self.config, old[a1:a2],
                                                                            atoms[0].detail.split("; ")),
                                               before, after, f"formatted from the bibliography; cited at {line}"))
        else:
            self.plan.unplaced.append(Unplaced("generated text", line, before, after,
                                               "printed by the build (a label or number), not written in the source"))

    def _citation(self, index: int, block: Block, old: str, new: str) -> None:
        """A note printed from a citation: only its locators are written in the source."""
        atom = block.atoms[0]
        text = read_source(self.root / block.file)
        regions = []
        for key, start, end in atom.locators:
            written = Block(block.file, block.line, start, end, "paragraph")
            project_markdown(text, start, end, written)
            found = [m for m in re.finditer(r"(?<![\w])" + re.escape(normalize(written.text)) + r"(?![\w])",
                                            normalize(old))]
            regions.append((key, start, end, found[0].span() if len(found) == 1 else None))
        ops = char_opcodes(old, new)
        remaining = []
        homes: dict[int, list[tuple[str, int, int, int, int]]] = {}
        for op in ops:
            _, a1, a2, b1, b2 = op
            home = [n for n, r in enumerate(regions) if r[3] and r[3][0] <= a1 and a2 <= r[3][1]]
            if len(home) == 1:
                homes.setdefault(home[0], []).append(op)
            else:
                remaining.append(op)
        placed = {id(op) for group in homes.values() for op in group}
        for n, group in homes.items():
            key, start, end, (r1, r2) = regions[n]
            shift = sum((op[4] - op[3]) - (op[2] - op[1]) for op in ops if op[2] <= r1 and id(op) not in placed)
            grow = sum((op[4] - op[3]) - (op[2] - op[1]) for op in group)
            locator = new[r1 + shift:r2 + shift + grow]
            written_locator = escape(locator, Block(block.file, block.line, start, end, "paragraph"))
            self.plan.edits.append(Edit(block.file, start, end, written_locator or locator, self._line(block, start),
                                        "locator", _snippet(old, r1, r2), _snippet(new, r1 + shift, r2 + shift + grow),
                                        (atom.start, atom.end)))
        for _, a1, a2, b1, b2 in _merged(remaining, old):
            self.plan.unplaced.append(Unplaced("citation", places.bib_place(self.root, self.config,
                                                                            _around(old, a1, a2),
                                                                            atom.detail.split("; ")),
                                               _snippet(old, a1, a2), _snippet(new, b1, b2),
                                               f"formatted from the bibliography; cited at {block.file}:"
                                               f"{self._line(block, atom.start)}"))


def _around(text: str, start: int, end: int) -> str:
    """The changed words, or for an insertion the words either side of it (to find the field that holds them)."""
    if end > start:
        return text[start:end]
    left = re.findall(r"\w+", text[:start])[-1:]
    right = re.findall(r"\w+", text[end:])[:1]
    return " ".join(left + right)


def _merged(ops: list[tuple[str, int, int, int, int]], old: str) -> list[tuple[str, int, int, int, int]]:
    """Neighbouring changes separated by a space or two shown as one, for a readable report."""
    merged: list[tuple[str, int, int, int, int]] = []
    for op in ops:
        if merged and op[1] - merged[-1][2] <= 2 and not old[merged[-1][2]:op[1]].strip():
            last = merged[-1]
            merged[-1] = ("replace", last[1], op[2], last[3], op[4])
        else:
            merged.append(op)
    return merged


def plan_changes(base: list[Unit], edited: list[Unit], blocks: list[Block], *, root: Path,
                 config: dict[str, Any]) -> Plan:
    """Align the edited units with the base ones and place every change."""
    placer = Placer(base, blocks, root=root, config=config)
    keys_a, keys_b = [u.text for u in base], [u.text for u in edited]
    matcher = SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        if i2 - i1 == j2 - j1:
            for i, j in zip(range(i1, i2), range(j1, j2)):
                placer.unit(i, edited[j].text)
            continue
        _region(placer, base, edited, i1, i2, j1, j2)
    return placer.plan


def _region(placer: Placer, base: list[Unit], edited: list[Unit], i1: int, i2: int, j1: int, j2: int) -> None:
    """Paragraphs added, removed or split: group them at the paragraph breaks both sides keep."""
    old = PARAGRAPH.join(u.text for u in base[i1:i2])
    new = PARAGRAPH.join(u.text for u in edited[j1:j2])
    ta, tb = _tokens(old), _tokens(new)
    matcher = SequenceMatcher(None, ta, tb, autojunk=False)
    # Paragraph breaks kept on both sides cut the region into groups.
    cuts_a, cuts_b = [0], [0]
    ia = [n for n, t in enumerate(ta) if t == PARAGRAPH]
    for a, b, size in matcher.get_matching_blocks():
        for k in range(size):
            if ta[a + k] == PARAGRAPH:
                cuts_a.append(ia.index(a + k) + 1)
                cuts_b.append(sum(1 for t in tb[:b + k] if t == PARAGRAPH) + 1)
    cuts_a.append(i2 - i1)
    cuts_b.append(j2 - j1)
    for (a0, a1), (b0, b1) in zip(zip(cuts_a, cuts_a[1:]), zip(cuts_b, cuts_b[1:])):
        units_a = list(range(i1 + a0, i1 + a1))
        texts_b = [u.text for u in edited[j1 + b0:j1 + b1]]
        body = [i for i in units_a if not base[i].is_note]
        if len(body) == 1 and texts_b:
            notes_b = [t for t, u in zip(texts_b, edited[j1 + b0:j1 + b1]) if u.is_note]
            paras_b = [t for t, u in zip(texts_b, edited[j1 + b0:j1 + b1]) if not u.is_note]
            placer.unit(body[0], PARAGRAPH.join(paras_b))
            for i, text in zip([i for i in units_a if base[i].is_note], notes_b):
                placer.unit(i, text)
        elif not units_a:
            _insert(placer, base, i1 + a0, texts_b)
        elif not texts_b:
            for i in body:
                _delete(placer, i)
        else:
            for i, text in zip(units_a, texts_b):
                placer.unit(i, text)
            for i in units_a[len(texts_b):]:
                if not base[i].is_note:
                    _delete(placer, i)
            if len(texts_b) > len(units_a):
                _insert(placer, base, units_a[-1] + 1, texts_b[len(units_a):])


def _insert(placer: Placer, base: list[Unit], at: int, texts: list[str]) -> None:
    """New paragraphs before base unit ``at``: after the source paragraph before them."""
    previous = next((i for i in range(at - 1, -1, -1) if not base[i].is_note), None)
    block = placer.block_of(previous) if previous is not None else None
    shown = PARAGRAPH.join(texts)
    if block is None or block.kind not in ("paragraph", "heading", "quote") or any(NOTE in t for t in texts):
        place = placer.place_of(previous) if previous is not None else "the start of the document"
        placer.plan.unplaced.append(Unplaced("new paragraph", place, "", shown,
                                             "add it in the source after the paragraph at this place"))
        return
    written = escape(shown, Block(block.file, block.line, block.start, block.end, "paragraph"))
    placer.plan.edits.append(Edit(block.file, block.end, block.end, "\n\n" + written, placer._line(block, block.end),
                                  "new paragraph", "", shown, (block.start, block.end)))


def _delete(placer: Placer, index: int) -> None:
    """A paragraph the author removed: its source lines go, with the blank line before them."""
    block = placer.block_of(index)
    text = placer.base[index].text
    if block is None or block.kind not in ("paragraph", "quote", "list"):
        placer.plan.unplaced.append(Unplaced("removed paragraph", placer.place_of(index), text, "",
                                             "the build prints this paragraph; remove it where it is made"))
        return
    source = read_source(placer.root / block.file)
    start, end = block.start, block.end
    if source.startswith("\n\n", end):
        end += 2
    elif source[:start].endswith("\n\n"):
        start -= 2
    placer.plan.edits.append(Edit(block.file, start, end, "", placer._line(block, block.start),
                                  "removed paragraph", _snippet(text, 0, len(text)), "", (block.start, block.end)))
