"""The last guard before the site: no event handler and no script URL in the bundle's page or the entry."""

from __future__ import annotations

import logging
from html.parser import HTMLParser

import pytest

from perrypress.publish.entry_page import content
from perrypress.publish.sanitize import without_script

SLIPPED = """<!DOCTYPE html>
<html><head><script>document.querySelectorAll('a').forEach(a => a.setAttribute('data-x', 'onclick=1'));</script>
<script type="application/ld+json">{"url": "javascript:not-an-attribute"}</script></head>
<body><article id="paper">
<h1>Title</h1>
<p>A <span ONCLICK="alert(1)" class="keep">span</span> and <a href="java&#x09;script:alert(2)">a link</a>,
<a href=" JaVaScRiPt&colon;alert(3)" title="JavaScript: the good parts">another</a>, <a href="vbscript:msgbox(4)">vb</a>,
<img src="data:image/png;base64,AAAA" onload=alert(5) alt="a &quot;box&quot;"/>, <svg onload="alert(6)"><a
xlink:href="javascript:alert(7)">svg</a></svg>, <iframe srcdoc="&lt;script&gt;alert(8)&lt;/script&gt;"></iframe>,
<form><button formaction="javascript:alert(9)">go</button></form>, <img srcset="a.png 1x, javascript:alert(10) 2x">.</p>
<p><a class="cite-download" href="data:text/plain;charset=utf-8,%40misc" download="k.bib">BibTeX</a>
<a href="https://example.org/page#part">fine</a> <a href="#paper">here</a>
<col style="width: 50%" /></p>
</article></body></html>
"""


class _Everything(HTMLParser):
    """Every attribute of every start tag, as a browser's tokenizer gives it."""

    def __init__(self) -> None:
        super().__init__()
        self.attributes: list[tuple[str, str, str | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.attributes += [(tag, name, value) for name, value in attrs]


def attributes(page: str) -> list[tuple[str, str, str | None]]:
    """(tag, name, value) of every attribute in ``page``."""
    parser = _Everything()
    parser.feed(page)
    parser.close()
    return parser.attributes


def scripted(page: str) -> list[tuple[str, str, str | None]]:
    """The attributes of ``page`` a browser would run: handlers, srcdoc, javascript:/vbscript: URLs."""
    def runs(value: str | None) -> bool:
        squeezed = "".join(c for c in (value or "") if c > " ").lower()
        return squeezed.startswith(("javascript:", "vbscript:")) or ", javascript:" in (value or "")

    return [(tag, name, value) for tag, name, value in attributes(page)
            if name.startswith("on") or name == "srcdoc" or (name in ("href", "xlink:href", "formaction", "srcset")
                                                             and runs(value))]


def test_handlers_and_script_urls_are_removed() -> None:
    """Every handler, srcdoc and javascript:/vbscript: URL goes, in any spelling; the tag and its other
    attributes stay."""
    assert len(scripted(SLIPPED)) == 10  # what slipped past, as a browser reads it
    page = without_script(SLIPPED, where="index.html")
    assert scripted(page) == []
    kept = attributes(page)
    assert ("span", "class", "keep") in kept and ("a", "title", "JavaScript: the good parts") in kept
    assert ("img", "alt", 'a "box"') in kept and ("img", "src", "data:image/png;base64,AAAA") in kept
    assert page.count("<a") == SLIPPED.count("<a") and page.count("<iframe") == 1


def test_everything_else_is_left_byte_for_byte() -> None:
    """The page's own scripts (their text is not markup), data: downloads, https: and #links, style on
    pandoc's <col>: unchanged; a page with nothing to remove comes back identical."""
    page = without_script(SLIPPED, where="index.html")
    for kept in ("document.querySelectorAll('a').forEach(a => a.setAttribute('data-x', 'onclick=1'));",
                 '{"url": "javascript:not-an-attribute"}', 'href="data:text/plain;charset=utf-8,%40misc"',
                 '<a href="https://example.org/page#part">', '<a href="#paper">', '<col style="width: 50%" />'):
        assert kept in page
    clean = SLIPPED.split("<article")[0] + "<article><p>Nothing <b>to</b> remove.</p></article>"
    assert without_script(clean, where="index.html") == clean


def test_each_removal_is_a_warning_with_its_line(caplog: pytest.LogCaptureFixture) -> None:
    """The checks should have refused it: each removal says where, so it can be reported."""
    with caplog.at_level(logging.WARNING, logger="perrypress.publish.sanitize"):
        without_script(SLIPPED, where="index.html")
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 10  # one per tag (the svg's <a> and the link each carry one)
    assert messages[0].startswith("index.html:6: removed onclick from <span>")


def test_the_entry_carries_no_script() -> None:
    """The WordPress content made from such a page has no handler and no script URL, and keeps the rest; a link
    the site answers with (an upload's address) is read as it will be published too."""
    page = SLIPPED.replace('<img src="data:image/png;base64,AAAA" onload=alert(5) alt="a &quot;box&quot;"/>', "")
    page = page.replace('<a href="#paper">', '<a href="k.pdf">')
    body = content(page, links={"k.pdf": "javascript:alert('site')"}, images={}, figures=[], json_ld="<!-- ld -->",
                   marker="m", labels={}, cites={"k.bib": "https://site.example/k.txt"})
    assert scripted(body) == [] and "javascript:alert('site')" not in body
    assert "<!-- ld -->" in body and 'class="keep"' in body and 'href="https://site.example/k.txt"' in body
    assert '<a href="https://example.org/page#part">' in body
