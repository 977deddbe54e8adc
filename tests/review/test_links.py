"""Links and alt text in the review (src/perrypress/review/links.py): each edition's links compared by their
targets and its alt texts in reading order, on small inputs; the readers of the HTML, DOCX and PDF editions."""

from __future__ import annotations

import zipfile
from pathlib import Path

from perrypress.review.docx_edition import read_docx_edition
from perrypress.review.edition import read_edition
from perrypress.review.links import (AltChange, AltText, Link, LinkChange, compare_alt_texts, compare_links,
                                     read_pdf_links, shown_target)
from perrypress.review.report import NO_CHANGES, counts, index_html, summary_lines
from review.test_review import fake_review, sections_of

UNODC, PHISH = "https://www.unodc.org/", "https://www.unodc.org.evil.example/phish"
KARA = "https://example.org/kara"


def html_only(old: list[Link], new: list[Link]) -> list[tuple[str, str, str, str]]:
    """compare_links on one edition: (kind, text, old target, new target) of each change."""
    return [(c.kind, c.text, c.old, c.new) for c in compare_links({"HTML": (old, new)})]


class TestLinks:
    """Links are compared by where they send the reader: a retarget, an added and a removed link are changes;
    a link that moved, or whose note was renumbered, is not."""

    def test_a_retargeted_link_is_one_change_with_both_targets(self) -> None:
        """The same text now sending readers elsewhere: one change, old and new target, its text and place."""
        old = [Link("UNODC website", UNODC, "Conclusions"), Link(KARA, KARA, "note 3 (Introduction)")]
        new = [Link("UNODC website", PHISH, "Conclusions"), Link(KARA, KARA, "note 3 (Introduction)")]
        changes = compare_links({"HTML": (old, new)})
        assert [(c.kind, c.text, c.where, c.old, c.new, c.editions) for c in changes] == [
            ("changed", "UNODC website", "Conclusions", UNODC, PHISH, ["HTML"])]

    def test_a_link_that_moved_with_its_paragraph_is_no_change(self) -> None:
        """A link now in another section, after other links, on other text: the same target, no change."""
        old = [Link("UNODC website", UNODC, "Conclusions"), Link(KARA, KARA, "note 3 (Introduction)")]
        new = [Link(KARA, KARA, "note 4 (Introduction)"), Link("the UNODC's site", UNODC, "Introduction")]
        assert html_only(old, new) == []

    def test_added_and_removed_links(self) -> None:
        """A link whose target is new is added; one whose target is gone is removed, each with its text."""
        old = [Link("UNODC website", UNODC, "Conclusions"), Link("Kara", KARA, "Introduction")]
        new = [Link("UNODC website", UNODC, "Conclusions"), Link("a new site", PHISH, "Challenges")]
        assert html_only(old, new) == [("removed", "Kara", KARA, ""), ("added", "a new site", "", PHISH)]

    def test_the_same_target_twice_is_one_item_with_both_places(self) -> None:
        """A URL printed in a note and in the bibliography, retargeted: one item naming both places."""
        old = [Link(KARA, KARA, "note 3 (Introduction)"), Link(KARA, KARA, "Bibliography (kara2017)")]
        new = [Link(PHISH, PHISH, "note 3 (Introduction)"), Link(PHISH, PHISH, "Bibliography (kara2017)")]
        [change] = compare_links({"HTML": (old, new)})
        assert (change.old, change.new, change.where) == (KARA, PHISH, "note 3 (Introduction); Bibliography (kara2017)")

    def test_links_within_the_document_are_left_out(self) -> None:
        """Anchors the notes renumber (#fn3 → #fn4, #fnref3 → #fnref4) are no change, and none is reported."""
        old = [Link("3", "#fn3", "Introduction"), Link("↩︎", "#fnref3", "note 3")]
        new = [Link("4", "#fn4", "Introduction"), Link("↩︎", "#fnref4", "note 4")]
        assert html_only(old, new) == []

    def test_each_edition_that_shows_a_retarget_is_named(self) -> None:
        """A retarget the HTML and the PDF show and the DOCX does not names those two; the PDF's link is
        credited though its text reads differently there (found under its box, with the line's punctuation)."""
        html = ([Link("UNODC website", UNODC, "Conclusions")], [Link("UNODC website", PHISH, "Conclusions")])
        docx = ([Link("UNODC website", UNODC, "Conclusions")], [Link("UNODC website", UNODC, "Conclusions")])
        pdf = ([Link("UNODC web-", UNODC, "page 12")], [Link("site.", PHISH, "page 13")])
        [change] = compare_links({"HTML": html, "DOCX": docx, "PDF": pdf})
        assert (change.kind, change.editions) == ("changed", ["HTML", "PDF"])

    def test_a_data_url_is_shown_short_but_never_alike(self) -> None:
        """A long data: URL prints its start, length and a digest: two payloads with the same start differ."""
        a, b = "data:text/html;base64," + "A" * 200, "data:text/html;base64," + "A" * 199 + "B"
        assert shown_target(a) != shown_target(b) and len(shown_target(a)) < 120
        assert shown_target(UNODC) == UNODC


class TestAltText:
    """Alt texts are compared in reading order: a changed one is a word diff; one that moved is no change."""

    def test_a_changed_alt_text(self) -> None:
        """One photo's alt text reworded: one change, old and new, with what the image is and where."""
        old = [AltText("Colombian police and military personnel together.", "photo", "Responses"),
               AltText("World map of the regions.", "Figure 1", "The Advent")]
        new = [AltText("Venezuelan police and military personnel together.", "photo", "Responses"),
               AltText("World map of the regions.", "Figure 1", "The Advent")]
        changes = compare_alt_texts({"HTML": (old, new), "PDF": ([old[1]], [new[1]])})
        assert [(c.kind, c.what, c.where, c.old, c.new, c.editions) for c in changes] == [
            ("changed", "photo", "Responses", old[0].text, new[0].text, ["HTML"])]

    def test_an_image_that_moved_is_no_change_and_a_new_one_is_added(self) -> None:
        """An image moved after another is no change; an image inserted is "added" with its alt text."""
        a, b = AltText("A map of the regions.", "Figure 1", "A"), AltText("Police in Cúcuta, Colombia.", "photo", "B")
        added = AltText("A boat at sea, seen from the air.", "photo", "C")
        assert compare_alt_texts({"HTML": ([a, b], [b, a])}) == []
        assert [(c.kind, c.new) for c in compare_alt_texts({"HTML": ([a, b], [a, b, added])})] == [
            ("added", added.text)]


PAGE = """<!DOCTYPE html><html><head><link rel="canonical" href="{canonical}">
<meta property="og:url" content="{canonical}"><meta name="author" content="A. Author"></head><body>
<header class="masthead"><a href="https://www.wjpcenter.org">The Center</a></header>
<section id="sec-a" class="level2"><h2>Alpha</h2>
<p>{first}<a href="#fn{n}" class="footnote-ref" id="fnref{n}"><sup>{n}</sup></a></p>
<figure class="photo"><div class="photo-placeholder" role="img" aria-label="{alt}"><p>Photograph to come</p></div>
<figcaption><p>Photo concept: a caption.</p></figcaption></figure></section>
<section id="sec-b" class="level2"><h2>Beta</h2><p>{second}</p></section>
<section id="notes" class="level2"><h2>Notes</h2><div id="footnotes"><ol>{notes}</ol></div></section>
</body></html>"""


def note(n: int, text: str) -> str:
    return f'<li id="fn{n}"><p>{text}<a href="#fnref{n}" class="footnote-back">↩︎</a></p></li>'


def page(tmp_path: Path, name: str, **fields) -> Path:
    path = tmp_path / f"{name}.html"
    path.write_text(PAGE.format(**fields), encoding="utf-8")
    return path


def test_the_html_edition_links_and_alt_text(tmp_path: Path) -> None:
    """The HTML reader finds each link with its place (section, note, page header, page metadata) and a
    placeholder's alt text; a note inserted before (its calls and back-links renumbered) and a paragraph with
    a link moved to another section are no change, a retarget and a new alt text are."""
    url = '<a href="https://example.org/kara">https://example.org/kara</a>'
    site = '<a href="https://www.unodc.org/">UNODC website</a>'
    old = read_edition(page(tmp_path, "old", canonical="https://example.org/p/", first="Text.", n=1,
                            alt="Colombian police together.", second=f"More on the {site}.",
                            notes=note(1, f"Kara, {url}.")))
    assert [(link.where, link.text) for link in old.links if not link.target.startswith("#")] == [
        ("page metadata (canonical)", ""), ("page metadata (og:url)", ""), ("page header", "The Center"),
        ("Beta", "UNODC website"), ("note 1 (Alpha)", "https://example.org/kara")]
    assert [(a.what, a.where, a.text) for a in old.alt_texts] == [("photo", "Alpha", "Colombian police together.")]
    assert "meta og:url" not in old.metadata and old.metadata["meta author"] == "A. Author"
    moved = read_edition(page(tmp_path, "moved", canonical="https://example.org/p/", first=f"More on the {site}.",
                              n=2, alt="Colombian police together.", second="Text.",
                              notes=note(1, "A new note.") + note(2, f"Kara, {url}.")))
    assert compare_links({"HTML": (old.links, moved.links)}) == []
    assert compare_alt_texts({"HTML": (old.alt_texts, moved.alt_texts)}) == []
    changed = read_edition(page(tmp_path, "changed", canonical="https://example.org/q/", first="Text.", n=1,
                                alt="Venezuelan police together.",
                                second=f"More on the {site.replace('unodc.org/', 'unodc.org.evil.example/')}.",
                                notes=note(1, f"Kara, {url}.")))
    assert [(c.where, c.old, c.new) for c in compare_links({"HTML": (old.links, changed.links)})] == [
        ("page metadata (canonical); page metadata (og:url)", "https://example.org/p/", "https://example.org/q/"),
        ("Beta", UNODC, "https://www.unodc.org.evil.example/")]
    assert [(c.old, c.new) for c in compare_alt_texts({"HTML": (old.alt_texts, changed.alt_texts)})] == [
        ("Colombian police together.", "Venezuelan police together.")]


NS = ('xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships" '
      'xmlns:wp="http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing"')


def rels(targets: dict[str, str]) -> str:
    return ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            + "".join(f'<Relationship Id="{rid}" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
                      f'relationships/hyperlink" Target="{url}" TargetMode="External"/>'
                      for rid, url in targets.items())
            + "</Relationships>")


def test_the_docx_edition_links_and_picture_descriptions(tmp_path: Path) -> None:
    """The DOCX reader resolves each hyperlink through its part's relationships (the body's and the notes'),
    keeps an internal link as its bookmark, and reads a picture's description, each where its block is."""
    run = '<w:r><w:t>{}</w:t></w:r>'
    body = (f'<w:p><w:pPr><w:pStyle w:val="Heading1"/></w:pPr>{run.format("Conclusions")}</w:p>'
            f'<w:p><w:hyperlink r:id="rId9">{run.format("UNODC website")}</w:hyperlink>'
            f'<w:hyperlink w:anchor="tbl-law">{run.format("Table 1")}</w:hyperlink>'
            f'<w:r><w:footnoteReference w:id="5"/></w:r></w:p>'
            f'<w:p><w:r><w:drawing><wp:inline><wp:docPr id="1" name="Picture" descr="A map of the regions."/>'
            f'</wp:inline></w:drawing></w:r></w:p>')
    path = tmp_path / "edition.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", f"<w:document {NS}><w:body>{body}</w:body></w:document>")
        archive.writestr("word/_rels/document.xml.rels", rels({"rId9": PHISH}))
        archive.writestr("word/footnotes.xml", f'<w:footnotes {NS}><w:footnote w:id="5"><w:p>'
                                               f'<w:hyperlink r:id="rId9">{run.format(KARA)}</w:hyperlink>'
                                               f'</w:p></w:footnote></w:footnotes>')
        archive.writestr("word/_rels/footnotes.xml.rels", rels({"rId9": KARA}))
    reading = read_docx_edition(path)
    assert [(link.where, link.text, link.target) for link in reading.links] == [
        ("Conclusions", "UNODC website", PHISH), ("Conclusions", "Table 1", "#tbl-law"),
        ("note 1 (Conclusions)", KARA, KARA)]
    assert [(a.where, a.text) for a in reading.alt_texts] == [("Conclusions", "A map of the regions.")]


def test_the_pdf_edition_links_and_figure_alt_text(tmp_path: Path) -> None:
    """The PDF reader finds each URI link annotation with the text under it, a link broken over two lines as
    one link, and a tagged figure's alt text."""
    import typst

    source = ('#set page(width: 200pt, height: 300pt)\n'
              'Read the #link("https://example.org/a/long/path")[report of the office on its website today] now.\n\n'
              '#figure(image(bytes("<svg xmlns=\'http://www.w3.org/2000/svg\' width=\'10\' height=\'10\'>'
              '<rect width=\'10\' height=\'10\'/></svg>"), format: "svg", alt: "A black square."), '
              'caption: [A square])\n\n'
              'See #link("https://example.org/b")[the other page].\n')
    path = tmp_path / "edition.pdf"
    path.write_bytes(typst.compile(source.encode("utf-8")))
    links, alts = read_pdf_links(path)
    assert [(link.text, link.target, link.where) for link in links] == [
        ("report of the office on its website today", "https://example.org/a/long/path", "page 1"),
        ("the other page", "https://example.org/b", "page 1")]
    assert [(a.what, a.text) for a in alts] == [("figure", "A black square.")]


class TestReport:
    """SUMMARY.md and index.html list links and alt texts under a section of their own."""

    def test_links_and_alt_text_have_their_section_and_no_fallback_line(self) -> None:
        """A retarget and an alt text changed: counted, each an item with old and new (targets as code, so
        no page makes them live links), and no "files differ, with no difference in their text" line."""
        review = fake_review(
            links=[LinkChange("changed", "UNODC website", "Conclusions", UNODC, PHISH, ["HTML", "DOCX", "PDF"])],
            alt_texts=[AltChange("changed", "photo", "Responses", "Colombian police together.",
                                 "Venezuelan police together.", ["HTML"])])
        assert counts(review) == ["1 link changed", "1 alt text changed"]
        summary = "\n".join(summary_lines(review))
        assert sections_of(summary)["Links and alt text"] == [
            f"Conclusions: link “UNODC website” (target changed): `{UNODC}` → `{PHISH}`",
            "Responses: photo, alt text (changed; only in the HTML edition): ~~Colombian~~ **Venezuelan** "
            "police together."]
        assert "no difference in their text" not in summary and NO_CHANGES not in summary
        page = index_html(review, summary)
        assert f"<code>{UNODC}</code> → <code>{PHISH}</code>" in page and f'href="{PHISH}' not in page
        assert "<del>Colombian</del> <ins>Venezuelan</ins>" in page
