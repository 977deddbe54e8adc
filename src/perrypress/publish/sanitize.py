"""The last guard before a page leaves: no event handler and no script URL on the site, whatever slipped past.

The document check (sources/markup.py, sources/paths.py) and inside-project.lua refuse a source that
carries script, so an edition built by perrypress has none of its own. What the site receives — the
bundle's ``index.html`` and the WordPress entry's content — is read once more with the standard
library's HTML parser: an ``on…`` or ``srcdoc`` attribute, and a ``javascript:`` or ``vbscript:`` URL
in an attribute a browser loads or follows (``href``, ``src``, ``action``, ``xlink:href``, …), is
removed from its tag, and a warning names it (a bug in the checks: please report it). Only those tags
are rewritten; every other byte of the page stays as it was (the page's own ``<script>`` elements,
perry.js and the JSON-LD, are the templates', and the parser reads their text as text).
"""

from __future__ import annotations

import html
import logging
from bisect import bisect_right
from html.parser import HTMLParser

from ..sources.paths import runs_script, url_attribute

log = logging.getLogger(__name__)


def _active(name: str, value: str | None) -> bool:
    """Whether attribute ``name`` = ``value`` runs script: a handler, a page of its own, a script URL."""
    key = name.lower()
    if key.startswith("on") or key == "srcdoc":
        return True
    if value is None or not url_attribute(key):
        return False
    urls = [(part.split() or [""])[0] for part in value.split(",")] if key == "srcset" else [value]
    return any(runs_script(url) for url in urls)


class _Tags(HTMLParser):
    """The start tags that carry script: (offset, raw text, tag, attributes kept, attributes removed)."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.starts = [0] + [i + 1 for i, char in enumerate(text) if char == "\n"]
        self.found: list[tuple[int, str, str, list[tuple[str, str | None]], list[str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        removed = [name for name, value in attrs if _active(name, value)]
        if removed:
            line, column = self.getpos()
            raw = self.get_starttag_text() or ""
            kept = [(name, value) for name, value in attrs if not _active(name, value)]
            self.found.append((self.starts[line - 1] + column, raw, tag, kept, removed))

    handle_startendtag = handle_starttag


def _tag(tag: str, attributes: list[tuple[str, str | None]], raw: str) -> str:
    """A start tag with ``attributes`` (values escaped), self-closing if ``raw`` was."""
    text = "".join(f" {name}" if value is None else f' {name}="{html.escape(value, quote=True)}"'
                   for name, value in attributes)
    return f"<{tag}{text}{' /' if raw.rstrip('>').rstrip().endswith('/') else ''}>"


def without_script(page: str, *, where: str) -> str:
    """``page`` without event handlers, ``srcdoc`` and script URLs on its tags; each one removed is logged."""
    parser = _Tags(page)
    parser.feed(page)
    parser.close()
    out, at = [], 0
    for offset, raw, tag, kept, removed in parser.found:
        if page[offset:offset + len(raw)] != raw:  # the parser's position is always the tag's; never guess
            raise ValueError(f"{where}: the tag at offset {offset} is not {raw[:40]!r}")
        line = bisect_right(parser.starts, offset)
        log.warning("%s:%d: removed %s from <%s> — it carried script, which the document check should have "
                    "refused: please report this", where, line, ", ".join(removed), tag)
        out += [page[at:offset], _tag(tag, kept, raw)]
        at = offset + len(raw)
    return "".join([*out, page[at:]])
