"""Tidy what pandoc writes into the HTML edition so the Nu Html Checker has nothing to warn about.

Three things pandoc writes that the checker warns about, none of which a
template or filter can change:

- ``--embed-resources`` inlines each stylesheet as ``<style type="text/css">``
  (the ``type`` is unneeded in HTML);
- it inlines an SVG image as ``<img role="img" …>`` (the role is implied);
- the end-notes list is a ``<section>`` with no heading: its heading ("Notes",
  front-back-matter.lua) is in the section before it. The list becomes a
  ``<div>`` (same id, class and role) inside that section, under its heading.

Each rewrite is exact and counted: if pandoc's output changes shape the
rewrite finds nothing and the HTML edition tests (Nu checker) say so.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path

log = logging.getLogger(__name__)

NOTES_LIST = re.compile(
    r'(<section id="notes"[^>]*>\n<h2[^>]*>.*?</h2>\n)</section>\n'
    r'<section (id="footnotes" class="footnotes[^"]*" role="doc-endnotes")>\n(.*?)</section>',
    flags=re.S)


def tidy(html: str) -> str:
    """Return the page without the markup the Nu checker warns about (see the module's docstring)."""
    html = html.replace('<style type="text/css">', "<style>")
    html = re.sub(r'<img role="img" ', "<img ", html)
    return NOTES_LIST.sub(r"\1<div \2>\n\3</div>\n</section>", html, count=1)


# Quarto puts a figure's fig-alt on the figure's <div> as well as on its image (quarto-cli
# src/resources/filters/quarto-pre/figures.lua, "HTML: set alt on the float itself"), unresolved
# if it is a shortcode; `alt` is not an attribute of <div>. The image keeps its own.
DIV_ALT = re.compile(r'(<div [^>]*?) alt="[^"]*"')


def tidy_quarto(html: str) -> str:
    """Return Quarto's page tidied as the pandoc path's, and without the `alt` Quarto puts on figure <div>s."""
    return DIV_ALT.sub(r"\1", tidy(html))


def tidy_file(path: Path) -> None:
    """Apply tidy to the HTML file at ``path`` in place."""
    path.write_text(tidy(path.read_text(encoding="utf-8")), encoding="utf-8")
