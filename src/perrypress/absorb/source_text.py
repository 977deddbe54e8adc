"""The sources' paragraphs as the editions print their text: each printed character tied to its bytes in the file.

A paragraph of Markdown (or a string of report.qmd's metadata) is *projected*: its markup is dropped
(``*``, ``#``, ``> ``, link targets, attributes), its escapes and typographic dashes resolved, and what
the build generates in its place becomes an atom — a citation, an inline note ``^[…]``, a
``{{< var >}}`` number, a cross-reference — whose printed text the source does not hold.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger(__name__)

NOTE_MARK = "\ue000"  # an atom that prints as a footnote marker (docx_text.NOTE)
OPAQUE = "\ue001"  # an atom whose printed text is made by the build
QUOTES = str.maketrans({"“": '"', "”": '"', "„": '"', "‘": "'", "’": "'", "\u00a0": " "})

VAR = re.compile(r"\{\{<\s*var\s+(\S+?)\s*>\}\}")
SHORTCODE = re.compile(r"\{\{<.*?>\}\}")
CITE_KEY = re.compile(r"(?<![\w\\])-?@([\w][\w:.#$%&+?<>~/-]*[\w])")
CROSSREF = re.compile(r"(?:fig|tbl|sec|eq)-")


def read_source(path: Path) -> str:
    """A source file's text exactly as stored (its line ends untranslated), so offsets are the file's own."""
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


@dataclass
class Atom:
    """Text the build prints in place of a source construct."""

    kind: str  # "citation", "note", "var", "crossref"
    start: int  # its span in the file
    end: int
    detail: str = ""  # the var's key, the citation's keys, the cross-reference's label
    locators: list[tuple[str, int, int]] = field(default_factory=list)  # citation: (key, start, end) of each locator
    inner: Block | None = None  # note: its text, projected


@dataclass
class Block:
    """One source paragraph (or metadata string) projected: ``text[i]`` was written at ``spans[i]`` in ``file``."""

    file: str
    line: int
    start: int
    end: int
    kind: str  # "paragraph", "heading", "quote", "list", "figure", "yaml"
    text: str = ""
    spans: list[tuple[int, int]] = field(default_factory=list)  # (start, end) in the file; (-1, k) for atom k
    atoms: list[Atom] = field(default_factory=list)
    yaml_style: str = ""  # for metadata: "double", "single", "plain", "folded", "literal"

    def add(self, char: str, start: int, end: int) -> None:
        self.text += char
        self.spans.append((start, end))

    def add_atom(self, atom: Atom, mark: str) -> None:
        self.atoms.append(atom)
        self.add(mark, -1, len(self.atoms) - 1)


def _closing(text: str, start: int, opening: str = "[", closing: str = "]") -> int:
    """Index of the bracket closing the one at ``start`` (backslash escapes skipped), or -1."""
    depth, i = 0, start
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2
            continue
        if char == opening:
            depth += 1
        elif char == closing:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    return -1


def _citation(text: str, start: int, end: int) -> Atom | None:
    """A bracketed citation ``[@key, 12; see @other]`` spanning text[start:end], with each locator's span."""
    inner = text[start + 1:end - 1]
    if "@" not in inner or not CITE_KEY.search(inner):
        return None
    atom = Atom("citation", start, end)
    keys = []
    offset = start + 1
    for part in re.finditer(r"[^;]+", inner):
        match = CITE_KEY.search(part.group())
        if not match:
            return None
        keys.append(match.group(1))
        rest = part.group()[match.end():]
        locator = re.match(r"\s*,\s*(.*?)\s*$", rest, re.S)
        if locator and locator.group(1):
            loc_start = offset + part.start() + match.end() + locator.start(1)
            atom.locators.append((match.group(1), loc_start, loc_start + len(locator.group(1))))
    atom.detail = "; ".join(keys)
    return atom


def project_markdown(text: str, start: int, end: int, block: Block, *, in_note: bool = False) -> None:
    """Project text[start:end] (Markdown inlines) into ``block``."""
    i = start
    while i < end:
        char = text[i]
        nxt = text[i + 1] if i + 1 < end else ""
        if char == "\\" and nxt and nxt != "\n":
            block.add(nxt, i, i + 2)
            i += 2
        elif text.startswith("{{<", i):
            close = text.find(">}}", i)
            close = end if close < 0 else close + 3
            var = VAR.match(text, i)
            if var:
                block.add_atom(Atom("var", i, close, var.group(1)), OPAQUE)
            i = close
        elif char == "^" and nxt == "[":
            close = _closing(text, i + 1)
            if close < 0 or close >= end:
                block.add(char, i, i + 1)
                i += 1
                continue
            inner = Block(block.file, block.line, i + 2, close, "note")
            project_markdown(text, i + 2, close, inner, in_note=True)
            block.add_atom(Atom("note", i, close + 1, inner=inner), NOTE_MARK)
            i = close + 1
        elif char == "!" and nxt == "[":
            i += 1  # an image: its caption is printed, the path is not
        elif char == "[":
            close = _closing(text, i)
            if close < 0 or close >= end:
                block.add(char, i, i + 1)
                i += 1
                continue
            citation = _citation(text, i, close + 1)
            if citation is not None:
                citation.kind = "citation"
                block.add_atom(citation, OPAQUE if in_note else NOTE_MARK)
                i = close + 1
                continue
            if text.startswith("^", i + 1):  # a note reference [^1]
                block.add_atom(Atom("note", i, close + 1), NOTE_MARK)
                i = close + 1
                continue
            # [text](url) or [text]{attrs}: the text is printed, the rest is not
            project_markdown(text, i + 1, close, block, in_note=in_note)
            after = close + 1
            if after < end and text[after] in "({":
                last = _closing(text, after, text[after], ")" if text[after] == "(" else "}")
                after = last + 1 if last >= 0 else after
            i = after
        elif char == "{" and (nxt in "#." or text.startswith("{=", i)):
            close = _closing(text, i, "{", "}")
            i = close + 1 if close >= 0 else i + 1
        elif char == "@" and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] == "\\")):
            match = CITE_KEY.match(text, i)
            if not match:
                block.add(char, i, i + 1)
                i += 1
                continue
            kind = "crossref" if CROSSREF.match(match.group(1)) else "citation"
            block.add_atom(Atom(kind, i, match.end(), match.group(1)), OPAQUE)
            i = match.end()
        elif char in "*_" and not (char == "_" and i > start and text[i - 1].isalnum() and nxt.isalnum()):
            i += 1
        elif char == "`":
            i += 1
        elif text.startswith("<!--", i):
            close = text.find("-->", i)
            i = end if close < 0 else close + 3
        elif text.startswith("---", i):
            block.add("—", i, i + 3)
            i += 3
        elif text.startswith("--", i):
            block.add("–", i, i + 2)
            i += 2
        elif text.startswith("...", i):
            block.add("…", i, i + 3)
            i += 3
        elif char == "\n":
            # A line break inside a paragraph prints as a space; a quote's or list's next-line prefix is markup.
            block.add(" ", i, i + 1)
            i += 1
            while i < end and text[i] in " \t":
                i += 1
            if block.kind == "quote" and i < end and text[i] == ">":
                i += 1
                if i < end and text[i] == " ":
                    i += 1
        else:
            block.add(char, i, i + 1)
            i += 1


HEADING = re.compile(r"(#{1,6})[ \t]+")
HEADING_ATTRS = re.compile(r"[ \t]*\{[^{}]*\}[ \t]*$")
LIST_ITEM = re.compile(r"([-*+]|\d+[.)])[ \t]+")
FENCE = re.compile(r"(```|~~~)")


def markdown_blocks(path: Path, name: str) -> list[Block]:
    """The printed paragraphs of a Markdown file (its metadata block aside): one Block each."""
    text = read_source(path)
    blocks: list[Block] = []
    lines = text.splitlines(keepends=True)
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    i = 0
    if lines and lines[0].strip() == "---":  # the metadata block: metadata_blocks reads it
        i = 1
        while i < len(lines) and lines[i].strip() not in ("---", "..."):
            i += 1
        i += 1
    fenced = False
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if FENCE.match(stripped):
            fenced = not fenced
            i += 1
            continue
        if fenced or not stripped or stripped.startswith(":::") or SHORTCODE.fullmatch(stripped) \
                or stripped.startswith("<!--") or stripped.startswith("|"):
            i += 1
            continue
        first = i
        if HEADING.match(line) or LIST_ITEM.match(line):
            i += 1  # a heading or a list item is one line (its continuation lines are indented)
            while LIST_ITEM.match(line) and i < len(lines) and lines[i].startswith((" ", "\t")) and lines[i].strip():
                i += 1
        else:
            i += 1
            while i < len(lines) and lines[i].strip() and not lines[i].strip().startswith(":::") \
                    and not HEADING.match(lines[i]) and not LIST_ITEM.match(lines[i]):
                i += 1
        start, end = offsets[first], offsets[i]
        while end > start and text[end - 1] in "\r\n":
            end -= 1
        blocks.append(_markdown_block(text, name, first + 1, start, end))
    return [b for b in blocks if b.text.strip()]


def _markdown_block(text: str, name: str, line: int, start: int, end: int) -> Block:
    """One block of lines, by the kind its first line says."""
    first = text[start:end]
    heading, item = HEADING.match(first), LIST_ITEM.match(first)
    if heading:
        attrs = HEADING_ATTRS.search(first)
        block = Block(name, line, start, end, "heading")
        project_markdown(text, start + heading.end(), start + (attrs.start() if attrs else len(first)), block)
    elif item:
        block = Block(name, line, start, end, "list")
        project_markdown(text, start + item.end(), end, block)
    elif first.startswith(">"):
        block = Block(name, line, start, end, "quote")
        skip = 2 if first.startswith("> ") else 1
        project_markdown(text, start + skip, end, block)
    elif first.startswith("!["):
        block = Block(name, line, start, end, "figure")
        close = _closing(text, start + 1)
        project_markdown(text, start + 2, close if 0 < close < end else end, block)
    else:
        block = Block(name, line, start, end, "paragraph")
        project_markdown(text, start, end, block)
    return block


YAML_KEY = re.compile(r"^(\s*)(?:-\s+)?([\w-]+):[ \t]*(.*?)[ \t]*$")


def metadata_blocks(path: Path, name: str) -> list[Block]:
    """The strings of a Markdown file's YAML metadata block (title, subtitle, abstract, bios…), one Block each."""
    text = read_source(path)
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return []
    offsets = [0]
    for line in lines:
        offsets.append(offsets[-1] + len(line))
    blocks: list[Block] = []
    i = 1
    while i < len(lines) and lines[i].strip() not in ("---", "..."):
        match = YAML_KEY.match(lines[i].rstrip("\r\n"))
        if not match or lines[i].lstrip().startswith("#"):
            i += 1
            continue
        indent, value = len(match.group(1)), match.group(3)
        value_start = offsets[i] + match.start(3)
        if value[:1] in ("|", ">"):
            block = Block(name, i + 2, 0, 0, "yaml", yaml_style="literal" if value[0] == "|" else "folded")
            j = i + 1
            while j < len(lines) and (not lines[j].strip() or len(lines[j]) - len(lines[j].lstrip()) > indent) \
                    and lines[j].strip() not in ("---", "..."):
                j += 1
            block.start, block.end = offsets[i + 1], offsets[j]
            while block.end > block.start and text[block.end - 1] in "\r\n":
                block.end -= 1
            _project_yaml_lines(text, block)
            i = j
        elif value[:1] in ('"', "'"):
            quote = value[0]
            block = Block(name, i + 1, value_start + 1, value_start + len(value) - 1, "yaml",
                          yaml_style="double" if quote == '"' else "single")
            k = block.start
            while k < block.end:
                if quote == '"' and text[k] == "\\" and k + 1 < block.end:
                    block.add(text[k + 1], k, k + 2)
                    k += 2
                elif quote == "'" and text.startswith("''", k):
                    block.add("'", k, k + 2)
                    k += 2
                else:
                    block.add(text[k], k, k + 1)
                    k += 1
            _resolve_markdown(block, text)
            i += 1
        elif value and not value.startswith(("[", "{", "&", "*", "#")):
            block = Block(name, i + 1, value_start, value_start + len(value), "yaml", yaml_style="plain")
            project_markdown(text, block.start, block.end, block)
            i += 1
        else:
            i += 1
            continue
        if block.text.strip():
            blocks.append(block)
    return blocks


def _project_yaml_lines(text: str, block: Block) -> None:
    """A block scalar's lines: their indentation dropped, folded line ends printed as spaces."""
    project_markdown(text, block.start, block.end, block)
    if block.text.startswith(" "):
        while block.text.startswith(" "):
            block.text, block.spans = block.text[1:], block.spans[1:]


def _resolve_markdown(block: Block, text: str) -> None:
    """A quoted string's characters read again as Markdown (its emphasis and escapes are markup too)."""
    if not any(c in block.text for c in "*_[\\`{@"):
        return
    plain = Block(block.file, block.line, block.start, block.end, block.kind, yaml_style=block.yaml_style)
    project_markdown(text, block.start, block.end, plain)
    block.text, block.spans, block.atoms = plain.text, plain.spans, plain.atoms


def source_blocks(root: Path, config: dict[str, Any]) -> list[Block]:
    """Every printed paragraph of the paper's sources: report.qmd's metadata, then its text and includes in order."""
    from ..sources.document import source_files

    report = root / config["report"]
    blocks = metadata_blocks(report, config["report"])
    for path in source_files(report, root):
        name = path.relative_to(root).as_posix()
        if name.startswith("_build/"):
            continue  # generated (tables): never a place to write
        blocks += markdown_blocks(path, name)
    return blocks


def normalize(text: str) -> str:
    """Text for comparing: typographic quotes as straight ones, no-break spaces as spaces (one char for one)."""
    return text.translate(QUOTES)
