"""The HTML edition's markup, tidied of what the Nu Html Checker warns about in pandoc's output."""

from __future__ import annotations

from perrypress.editions.html_markup import tidy

NOTES = ('<section id="notes" class="level2 unnumbered">\n<h2 class="unnumbered">Notes</h2>\n</section>\n'
         '<section id="footnotes" class="footnotes footnotes-end-of-document" role="doc-endnotes">\n<hr />\n'
         '<ol>\n<li id="fn1"><p>A note.</p></li>\n</ol>\n</section>\n<section id="after"><h2>After</h2></section>')


def test_style_without_type() -> None:
    """Inlined stylesheets lose their unneeded type attribute."""
    assert tidy('<style type="text/css">\np{}</style>') == "<style>\np{}</style>"


def test_img_without_role() -> None:
    """An inlined SVG image loses its implied role="img", keeping its label."""
    assert tidy('<img role="img" aria-label="Map" src="data:," />') == '<img aria-label="Map" src="data:," />'


def test_notes_list_moves_under_its_heading() -> None:
    """The end-notes list becomes a div (same id, class, role) inside the Notes section, after its heading."""
    out = tidy(NOTES)
    assert out.count("<section") == 2
    assert ('<h2 class="unnumbered">Notes</h2>\n<div id="footnotes" class="footnotes footnotes-end-of-document" '
            'role="doc-endnotes">\n<hr />\n<ol>\n<li id="fn1"><p>A note.</p></li>\n</ol>\n</div>\n</section>\n'
            '<section id="after">') in out


def test_page_without_notes_unchanged() -> None:
    """A page with none of these is returned as it is."""
    page = '<section id="a"><h2>A</h2><p>Text.</p></section>'
    assert tidy(page) == page
