"""The attributes and raw HTML a source writes: no script and no styling of its own reaches an edition.

A source may set attributes on its elements in Quarto's syntax (``[text]{.class key=value}``, on
spans, divs, headings, images, links, code, tables) and may hold raw HTML (``<div …>``), which
Quarto passes to the page (the pandoc path prints it as text). Every attribute found either way goes
through :func:`perrypress.sources.paths.attribute_refusal` (no ``on…`` event handler, no ``style``,
no script URL in ``href``/``src``/…), and every raw HTML element through ``element_refusal`` (no
``<script>``, ``<style>``, ``<iframe>``, …): the same rules ``inside-project.lua`` applies to the
document pandoc reads. Raw HTML is read with the standard library's HTML parser, each paragraph and
each line on its own, so that an unclosed quote cannot hide the tags after it; code (fenced blocks,
`code spans`) is shown, not run, and is not read.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path

from ..errors import DocumentError
from .paths import attribute_refusal, element_refusal, fix_of
from .utf8 import read_source

FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
CODE_SPAN = re.compile(r"(?<!`)(`+)(?!`)(.+?)(?<!`)\1(?!`)")
# Pandoc's attribute key: a letter, then letters, digits and - _ : . (its `identifier`), then "=".
KEY = re.compile(r"[^\W\d_][\w\-:.]*=")
QUOTED = {'"': re.compile(r'"((?:[^"\\]|\\.)*)"', re.S), "'": re.compile(r"'((?:[^'\\]|\\.)*)'", re.S)}
UNQUOTED = re.compile(r"(?:[^\s}\\]|\\.)*")
BLANK_LINE = re.compile(r"\n[ \t]*\n")


def without_code(text: str) -> str:
    """``text`` with the contents of fenced code blocks and code spans blanked (same length, same lines).

    A fence's own line stays: its attributes (```` ```{.python …} ````) are the block's.
    """
    lines = text.split("\n")
    fence = None
    for index, line in enumerate(lines):
        opened = FENCE.match(line)
        if fence is None:
            if opened:
                fence = opened.group(1)
            else:
                lines[index] = CODE_SPAN.sub(lambda m: m.group(1) + " " * len(m.group(2)) + m.group(1), line)
        elif opened and opened.group(1)[0] == fence[0] and len(opened.group(1)) >= len(fence) \
                and not line.strip().strip(fence[0]):
            fence = None
        else:
            lines[index] = " " * len(line)
    return "\n".join(lines)


def quarto_attributes(text: str) -> Iterator[tuple[int, str, str]]:
    """Yield (offset, key, value) of every ``key=value`` in a ``{…}`` attribute block of ``text``.

    Lenient on purpose: a token that is not an attribute is skipped, not taken as proof that the braces
    are not an attribute block. ``{{< shortcodes >}}`` and ``\\{`` are not blocks; a block ends at its
    ``}`` (outside quotes) or at a blank line.
    """
    start = 0
    while (start := text.find("{", start)) >= 0:
        if text.startswith("{{", start) or (start and text[start - 1] in "{\\"):
            start += 2 if text.startswith("{{", start) else 1
            continue
        at = start + 1
        while at < len(text) and text[at] != "}":
            if text[at].isspace():
                if text[at] == "\n" and BLANK_LINE.match(text, at):
                    break
                at += 1
                continue
            key = KEY.match(text, at)
            if key:
                at = key.end()
                quote = QUOTED.get(text[at:at + 1])
                quoted = quote.match(text, at) if quote else None
                value = quoted or UNQUOTED.match(text, at)
                at = value.end()
                yield key.start(), key.group(0)[:-1], re.sub(r"\\(.)", r"\1", value.group(1 if quoted else 0))
                continue
            while at < len(text) and not text[at].isspace() and text[at] != "}":
                at += 1
        start += 1


class _Tags(HTMLParser):
    """Every start tag of some raw HTML: (line, tag, attributes), attribute values entity-decoded."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[int, str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((self.getpos()[0], tag, attrs))


def html_tags(text: str) -> Iterator[tuple[int, str, list[tuple[str, str | None]]]]:
    """Yield (line, tag, attributes) for each raw HTML start tag in ``text``, read per paragraph and per line."""
    lines = text.split("\n")
    pieces: list[tuple[int, str]] = []
    block: list[str] = []
    for number, line in enumerate([*lines, ""]):
        if line.strip():
            block.append(line)
        elif block:
            pieces.append((number - len(block), "\n".join(block)))
            block = []
    seen = set()
    for before, piece in [*pieces, *enumerate(lines)]:
        parser = _Tags()
        parser.feed(piece)
        parser.close()
        for line, tag, attrs in parser.tags:
            if (before + line, tag, tuple(attrs)) not in seen:
                seen.add((before + line, tag, tuple(attrs)))
                yield before + line, tag, attrs


def _refusal(name: str, value: str, base: str) -> str | None:
    """attribute_refusal, a relative path read from the project root (as pandoc reads it) and from ``base``."""
    return attribute_refusal(name, value, "") or attribute_refusal(name, value, base)


def markup_errors(files: list[Path], root: Path) -> list[DocumentError]:
    """A DocumentError at file:line for every refused attribute or raw HTML element in ``files`` (all of them)."""
    errors = []
    for path in files:
        shown = path.relative_to(root) if path.is_relative_to(root) else path
        base = shown.parent.as_posix().strip(".")
        text = without_code(read_source(path))
        newlines = [i for i, char in enumerate(text) if char == "\n"]
        for offset, key, value in quarto_attributes(text):
            reason = _refusal(key, value, base)
            if reason:
                errors.append(DocumentError(shown, reason, fix_of(reason), line=bisect_right(newlines, offset) + 1))
        for line, tag, attrs in html_tags(text):
            element = element_refusal(tag)
            if element:
                errors.append(DocumentError(shown, element, fix_of(element), line=line))
            for name, value in attrs:
                reason = _refusal(name, value or "", base)
                if reason:
                    errors.append(DocumentError(shown, f"raw HTML <{tag}>: {reason}", fix_of(reason), line=line))
    return errors
