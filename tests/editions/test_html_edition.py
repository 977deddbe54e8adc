"""The HTML edition as a Perry Center web page: valid, navigable, accessible, citable, and self-contained."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import ROOT, Project
from perrypress.editions.citation import read_metadata
from perrypress.screenshots import chromium, chromium_available
from readers import docx_text, html_text, normalise, pdf_text

MAX_PAGE_BYTES = 2_000_000
METADATA = read_metadata(ROOT / "report.qmd")[0]
needs_chromium = pytest.mark.skipif(
    not chromium_available(),
    reason="Chromium is not installed: `apt-get install -y chromium` (Debian) and the playwright package; "
           "never `playwright install`")


class _Tree(HTMLParser):
    """Every element in document order with its attributes and its text, and the page's <style> text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[dict] = []
        self.open: list[dict] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        element = {"tag": tag, "attrs": {k: v or "" for k, v in attrs}, "text": []}
        self.elements.append(element)
        if tag not in {"meta", "link", "img", "br", "hr", "input", "col", "wbr", "source"}:
            self.open.append(element)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append({"tag": tag, "attrs": {k: v or "" for k, v in attrs}, "text": []})

    def handle_endtag(self, tag: str) -> None:
        if not any(e["tag"] == tag for e in self.open):
            return
        while self.open:
            if self.open.pop()["tag"] == tag:
                break

    def handle_data(self, data: str) -> None:
        for element in self.open:
            element["text"].append(data)
        if self.open and self.open[-1]["tag"] == "style":
            self.styles.append(data)

    def find(self, tag: str, **attrs: str) -> list[dict]:
        """Elements named ``tag`` whose attributes include ``attrs`` (class_ matches one class)."""
        found = []
        for element in self.elements:
            if element["tag"] != tag:
                continue
            a = element["attrs"]
            if all((v in a.get("class", "").split()) if k == "class_" else a.get(k) == v for k, v in attrs.items()):
                found.append(element)
        return found


def text(element: dict) -> str:
    """An element's text, whitespace folded."""
    return " ".join("".join(element["text"]).split())


@pytest.fixture(scope="module")
def html(built: Project) -> str:
    """The HTML edition's source."""
    return built.edition("html").read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def tree(html: str) -> _Tree:
    """The HTML edition, parsed."""
    parser = _Tree()
    parser.feed(html)
    return parser


class TestDocument:
    """The page is valid HTML with the landmarks, language and metadata a publication page needs."""

    def test_parses_without_errors(self, html: str) -> None:
        """html5lib's strict parser (the WHATWG algorithm) finds no parse error."""
        import html5lib

        html5lib.HTMLParser(strict=True).parse(html)

    def test_one_main_one_h1_and_language(self, tree: _Tree) -> None:
        """One <main> landmark, one <h1> (the title), and the document language from report.qmd."""
        assert len(tree.find("main")) == 1
        assert [text(h) for h in tree.find("h1")] == [METADATA["title"]]
        assert tree.find("html")[0]["attrs"]["lang"] == METADATA["lang"]

    def test_head_metadata(self, tree: _Tree) -> None:
        """Viewport, canonical link, description, keywords and author come from the metadata."""
        meta = {m["attrs"].get("name"): m["attrs"].get("content") for m in tree.find("meta") if "name" in m["attrs"]}
        assert "width=device-width" in meta["viewport"]
        assert tree.find("link", rel="canonical")[0]["attrs"]["href"] == METADATA["site"]["canonical-url"]
        assert METADATA["title"] in meta["description"]
        assert meta["keywords"].split(", ") == METADATA["keywords"]
        assert meta["author"] == METADATA["author"][0]["name"]
        assert meta["citation_pdf_url"].endswith("/cybersex-trafficking-south-america.pdf")

    def test_header_from_metadata(self, tree: _Tree) -> None:
        """The header prints series, edition, number, month and year, title, subtitle and author."""
        header = text(tree.find("header", id="title-block-header")[0])
        series = METADATA["series"]
        for value in [series["name"], series["edition"], series["number"], f"{series['month']} {series['year']}",
                      METADATA["title"], METADATA["subtitle"], METADATA["author"][0]["name"]]:
            assert normalise(str(value)) in normalise(header), value

    def test_every_internal_link_has_a_target(self, tree: _Tree) -> None:
        """Each href="#…" (contents, notes, back-links, cross-references) points at an id on the page."""
        ids = {e["attrs"]["id"] for e in tree.elements if "id" in e["attrs"]}
        targets = [e["attrs"]["href"][1:] for e in tree.find("a") if e["attrs"].get("href", "").startswith("#")]
        assert targets and not sorted(set(targets) - ids)

    def test_page_size(self, built: Project) -> None:
        """The self-contained page, fonts and figure included, stays under 2 MB."""
        assert built.edition("html").stat().st_size < MAX_PAGE_BYTES


class TestNavigation:
    """Contents, notes with back-links, bibliography and back matter, in reading order."""

    def test_contents_lists_every_section(self, html: str, tree: _Tree) -> None:
        """The table of contents links every section, the notes, the bibliography, the author and the citation."""
        toc = html[html.index('<nav id="TOC"'):]
        links = re.findall(r'<a href="([^"]+)"', toc[:toc.index("</nav>")])
        sections = [e["attrs"]["id"] for e in tree.find("section") if e["attrs"].get("id", "").startswith("sec-")]
        assert len(sections) == 6
        assert links == [f"#{s}" for s in sections] + ["#notes", "#bibliography", "#about-the-author",
                                                       "#cite-this-paper"]

    def test_notes_link_both_ways(self, tree: _Tree) -> None:
        """Every note marker links to its note and every note links back to its marker."""
        refs = tree.find("a", class_="footnote-ref")
        backs = tree.find("a", class_="footnote-back")
        notes = {li["attrs"]["id"] for li in tree.find("li") if re.fullmatch(r"fn\d+", li["attrs"].get("id", ""))}
        assert len(refs) == len(backs) == len(notes) == 61
        assert {r["attrs"]["href"][1:] for r in refs} == notes
        assert {b["attrs"]["href"][1:] for b in backs} == {r["attrs"]["id"] for r in refs}

    def test_order_of_the_parts(self, html: str) -> None:
        """Body, notes, bibliography, about the author, the citation block, then the colophon."""
        marks = ['id="sec-conclusions"', 'id="footnotes"', 'id="bibliography"', 'id="about-the-author"',
                 'id="cite-this-paper"', 'id="about-the-series"', 'class="colophon"']
        positions = [html.index(m) for m in marks]
        assert positions == sorted(positions)

    def test_back_matter_once(self, tree: _Tree) -> None:
        """The template prints title, series line and byline; the filter adds none of them to the body."""
        assert not tree.find("div", id="front-matter") and not tree.find("div", id="back-matter")
        assert len(tree.find("p", class_="series-line")) == 1
        assert len(tree.find("section", id="about-the-author")) == 1
        colophon = text(tree.find("footer", class_="colophon")[0])
        assert METADATA["publisher"]["name"] in colophon and METADATA["credits"][0]["name"] in colophon

    def test_downloads_point_to_the_other_editions(self, built: Project, tree: _Tree) -> None:
        """The PDF and DOCX links are relative and name files that sit beside the page."""
        hrefs = [a["attrs"]["href"] for a in tree.find("a", class_="action")]
        editions = [h for h in hrefs if h.endswith((".pdf", ".docx"))]
        assert sorted(editions) == ["cybersex-trafficking-south-america.docx", "cybersex-trafficking-south-america.pdf"]
        for href in editions:
            assert (built.edition("html").parent / href).is_file(), href


class TestAccessibility:
    """Images have text alternatives; Figure 1's data follows it as a table, in the HTML edition only."""

    def test_every_image_has_alt_text(self, tree: _Tree) -> None:
        """Each <img> has non-empty alt text; each photo placeholder is an image with a label."""
        images = tree.find("img")
        assert images and all(i["attrs"].get("alt", "").strip() for i in images)
        for placeholder in tree.find("div", class_="photo-placeholder"):
            assert placeholder["attrs"].get("role") == "img" and placeholder["attrs"].get("aria-label", "").strip()

    def test_figure_data_table_follows_the_figure(self, tree: _Tree) -> None:
        """The first table after Figure 1 is its data, unnumbered; then Table 2."""
        figure = tree.find("figure", id="fig-regions")[0]
        after = tree.elements[tree.elements.index(figure):]
        captions = [text(e) for e in after if e["tag"] == "caption"]
        assert captions[0].startswith("Data for Figure 1")
        assert captions[1].startswith("Table 2:")
        assert "South America" in text(tree.find("div", id="regions-data-block")[0])

    def test_table_numbering_is_intact(self, tree: _Tree) -> None:
        """Tables 1 and 2 keep their numbers and ids; no Table 3; the references read Table 1 and Table 2."""
        captions = [text(c) for c in tree.find("caption")]
        assert [c.split(":")[0] for c in captions if c.startswith("Table")] == ["Table 1", "Table 2"]
        references = {a["attrs"]["href"]: text(a) for a in tree.find("a") if a["attrs"].get("href", "").startswith("#tbl-")}
        assert references == {"#tbl-law": "Table 1", "#tbl-structures": "Table 2"}

    def test_data_table_only_in_html(self, built: Project) -> None:
        """The PDF and DOCX editions leave the figure's data table out (it is HTML-only content)."""
        assert normalise("Data for Figure 1") not in normalise(pdf_text(built.edition("pdf")))
        assert normalise("Data for Figure 1") not in normalise(docx_text(built.edition("docx")))

    def test_tables_scroll_inside_their_block(self, tree: _Tree) -> None:
        """Every table sits in a .data-table block, which the stylesheet lets scroll sideways."""
        assert len(tree.find("div", class_="data-table")) == len(tree.find("table")) == 3
        assert re.search(r"\.data-table\s*\{[^}]*overflow-x:\s*auto", "".join(tree.styles))


class TestCitation:
    """The "Cite this paper" block gives the paper in three forms."""

    def test_three_forms(self, tree: _Tree) -> None:
        """Chicago, BibTeX and RIS, each with the title and the author."""
        block = text(tree.find("section", id="cite-this-paper")[0])
        assert "Nelson, Zoe. Cybersex Trafficking in South America: The Civil-Military Dimensions" in block
        assert "@techreport{nelson2024cybersex," in block
        assert "TY - RPRT" in block and "TI - Cybersex Trafficking in South America" in block


class TestSelfContained:
    """Nothing on the page is fetched from anywhere: no CDN, no remote font, script, style or image."""

    def test_no_remote_resources(self, tree: _Tree) -> None:
        """No src, <link href> (but the canonical address), CSS url() or @import names an http(s) address."""
        for element in tree.elements:
            src = element["attrs"].get("src", "")
            assert not re.match(r"(?i)\s*(https?:)?//", src), src[:80]
            # rel=canonical names the page's published address; browsers do not fetch it.
            if element["tag"] == "link" and element["attrs"].get("rel") != "canonical":
                assert not re.match(r"(?i)\s*(https?:)?//", element["attrs"].get("href", "")), element["attrs"]
        css = "".join(tree.styles)
        assert "@import" not in css
        urls = re.findall(r"url\(\s*['\"]?([^'\")]{0,40})", css)
        assert urls and all(u.startswith("data:") for u in urls), urls
        # One inline script, the page's own (pandoc/html/perry.js): it names no address and fetches nothing.
        scripts = tree.find("script")
        assert len(scripts) == 1 and not scripts[0]["attrs"].get("src")
        assert not re.search(r"https?:|fetch\(|XMLHttpRequest|import\(|WebSocket", "".join(scripts[0]["text"]))

    def test_build_fetched_nothing(self, built: Project) -> None:
        """pandoc's --embed-resources tried no download (the canonical link is not a resource)."""
        log = (built.root / "_build" / "logs" / "edition_html.log").read_text(encoding="utf-8")
        assert "fetch" not in log.lower(), log

    def test_fonts_are_embedded(self, tree: _Tree) -> None:
        """Both OFL families are inlined as WOFF2, upright and italic."""
        css = "".join(tree.styles)
        faces = re.findall(r"@font-face\s*\{[^}]*\}", css)
        for family in ["Source Serif 4", "Source Sans 3"]:
            styles = {re.search(r"font-style:\s*(\w+)", f).group(1) for f in faces if f'"{family}"' in f}
            assert styles == {"normal", "italic"}, family
        assert all("url(data:font/woff2;base64," in f for f in faces)

    def test_fonts_cover_the_text(self, built: Project) -> None:
        """Every character of the page's text is in the web fonts (only pandoc's back-link arrow falls back)."""
        from fontTools.ttLib import TTFont

        page = html_text(built.edition("html"))
        wanted = {ord(c) for c in "".join(page.body + page.notes) if not c.isspace()} - {0x21A9, 0xFE0E}
        for font in sorted((built.root / "_build" / "fonts").glob("*.woff2")):
            missing = wanted - set(TTFont(str(font)).getBestCmap())
            assert not missing, f"{font.name}: {[chr(c) for c in sorted(missing)]}"


@needs_chromium
class TestInChromium:
    """The page in a real browser: it fetches nothing and fits a 360 px phone screen."""

    def test_requests_stay_in_the_page_folder(self, built: Project) -> None:
        """Loading the page from file:// requests nothing outside its own folder (data: URIs are not requests)."""
        page_file = built.edition("html")
        folder = page_file.parent.resolve().as_uri() + "/"
        requests: list[str] = []
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.on("request", lambda request: requests.append(request.url))
            page.goto(page_file.resolve().as_uri(), wait_until="networkidle")
            page.evaluate("document.fonts.ready")
            page.mouse.wheel(0, 20000)  # scroll through, so lazily loaded content would ask now
            page.wait_for_timeout(200)
        outside = [u for u in requests if not u.startswith(("data:", folder))]
        assert requests and not outside, outside

    @pytest.mark.parametrize("width", [1700, 1280, 360])
    def test_axe_finds_no_violation(self, built: Project, width: int) -> None:
        """axe-core (shipped in its wheel, run offline) reports no accessibility violation, wide or narrow."""
        from axe_playwright_python.sync_playwright import Axe

        with chromium() as browser:
            page = browser.new_page(viewport={"width": width, "height": 900})
            page.goto(built.edition("html").resolve().as_uri(), wait_until="load")
            violations = Axe().run(page).response["violations"]
        assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]

    def test_fits_a_phone_screen(self, built: Project, tmp_path: Path) -> None:
        """At 360 px wide the page does not scroll sideways (tables scroll inside their own block)."""
        with chromium() as browser:
            page = browser.new_page(viewport={"width": 360, "height": 740})
            page.goto(built.edition("html").resolve().as_uri(), wait_until="load")
            page.evaluate("document.fonts.ready")
            width = page.evaluate("document.documentElement.scrollWidth")
            fonts = page.evaluate("[...document.fonts].filter(f => f.status === 'loaded').map(f => f.family)")
            page.screenshot(path=str(tmp_path / "phone.png"), full_page=True)
        assert width <= 360
        assert {"Source Serif 4", "Source Sans 3"} <= set(fonts)
        assert (tmp_path / "phone.png").stat().st_size > 10_000


VNU_JAR = ROOT / ".ci" / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
needs_vnu = pytest.mark.skipif(
    shutil.which("java") is None or not VNU_JAR.exists(),
    reason="the Nu Html Checker needs Java and npm's vnu-jar: `apt-get install -y default-jre-headless npm` and "
           "`npm install --prefix .ci/node --ignore-scripts vnu-jar@26.9.27` (.ci/run does both)")


@needs_vnu
def test_nu_html_checker_no_error_no_warning(built: Project) -> None:
    """The Nu Html Checker (vnu.jar, W3C's validator, offline) reports no error and no warning."""
    result = subprocess.run(["java", "-jar", str(VNU_JAR), "--format", "json", str(built.edition("html"))],
                            capture_output=True, text=True, timeout=300)
    messages = json.loads(result.stderr or result.stdout)["messages"]
    flagged = [m for m in messages if m["type"] == "error" or m.get("subType") == "warning"
               or m["type"] == "non-document-error"]
    assert not flagged, [(m.get("lastLine"), m["message"]) for m in flagged]


def test_no_file_path_printed(built: Project) -> None:
    """No image path or file name is printed on the page: a missing photograph reads "Photograph to come"."""
    page = html_text(built.edition("html"))
    printed = "".join(page.body + page.notes)
    assert "/images/" not in printed and ".jpg" not in printed
    assert printed.count("Photograph to come") == 2


@needs_chromium
class TestReadingAids:
    """Notes shown in place (popover) and the contents kept in view with the current section marked (perry.js)."""

    def open_page(self, browser, built: Project, width: int):  # noqa: ANN001, ANN201
        page = browser.new_page(viewport={"width": width, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.goto(built.edition("html").resolve().as_uri(), wait_until="load")
        return page, errors

    def test_focused_marker_shows_its_note(self, built: Project) -> None:
        """Focusing a note marker shows the note's text beside it, described and expanded; Esc closes it."""
        notes = html_text(built.edition("html"))
        with chromium() as browser:
            page, errors = self.open_page(browser, built, 1280)
            marker = page.locator("a.footnote-ref").nth(11)
            note_id = marker.get_attribute("href")[1:]
            note = page.locator(f"li[id='{note_id}']").inner_text()
            popover = page.locator(f"#{marker.get_attribute('aria-describedby')}")
            assert popover.get_attribute("role") == "tooltip" and not popover.is_visible()
            marker.focus()
            assert popover.is_visible() and marker.get_attribute("aria-expanded") == "true"
            shown = popover.inner_text()
            box, mark = popover.bounding_box(), marker.bounding_box()
            page.keyboard.press("Escape")
            closed = not popover.is_visible() and marker.get_attribute("aria-expanded") == "false"
        assert normalise(note.replace("↩︎", "")) in normalise(shown)
        assert 0 <= box["y"] - (mark["y"] + mark["height"]) < 40  # right under its marker
        assert closed and not errors
        assert len(notes.notes) > 0  # the end-notes list stays in the page

    def test_hover_and_tap(self, built: Project) -> None:
        """Hovering a marker shows its note; a tap shows it without leaving the place (the link is not followed)."""
        with chromium() as browser:
            page, errors = self.open_page(browser, built, 1280)
            marker = page.locator("a.footnote-ref").nth(2)
            popover = page.locator(f"#{marker.get_attribute('aria-describedby')}")
            marker.hover()
            hovered = popover.is_visible()
            page.mouse.move(5, 5)
            page.wait_for_timeout(600)
            left = not popover.is_visible()
            touch = browser.new_context(viewport={"width": 390, "height": 800}, has_touch=True, is_mobile=True)
            phone = touch.new_page()
            phone.goto(built.edition("html").resolve().as_uri(), wait_until="load")
            tapped = phone.locator("a.footnote-ref").nth(2)
            tapped.scroll_into_view_if_needed()
            tapped.tap()
            shown = phone.locator(f"#{tapped.get_attribute('aria-describedby')}").is_visible()
            url = phone.url
        assert hovered and left and shown and not errors
        assert "#fn" not in url

    def test_notes_in_the_margin_on_a_very_wide_screen(self, built: Project) -> None:
        """At 1700 px every note is also in the margin, beside its line, none overlapping; hover marks it."""
        with chromium() as browser:
            page, errors = self.open_page(browser, built, 1700)
            page.evaluate("document.fonts.ready")
            page.wait_for_timeout(200)
            layout = page.evaluate("""() => [...document.querySelectorAll('a.footnote-ref')].map(marker => {
                const id = 'margin-' + marker.getAttribute('aria-describedby');
                const note = document.getElementById(id);
                const box = note.getBoundingClientRect();
                return {marker: marker.getBoundingClientRect().top, top: box.top, bottom: box.bottom,
                        left: box.left, right: box.right,
                        text: note.textContent, popover: document.getElementById(id.slice(7)).textContent};
            })""")
            text_right = page.evaluate("document.querySelector('.paper-body').getBoundingClientRect().right")
            no_scroll = page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
            marker = page.locator("a.footnote-ref").nth(5)
            described = marker.get_attribute("aria-describedby")
            marker.hover()
            current = page.locator(".margin-note.is-current").get_attribute("id")
            popover_shown = page.locator(f"#{described}").is_visible()
            hidden = page.evaluate("document.querySelector('.margin-notes').getAttribute('aria-hidden')")
            focusable = page.evaluate("[...document.querySelectorAll('.margin-notes a')]"
                                      ".filter(a => a.tabIndex >= 0).length")
        assert len(layout) == 61 and not errors
        for before, after in zip(layout, layout[1:]):
            assert after["top"] >= before["bottom"]  # stacked, never overlapping
        assert all(n["top"] >= n["marker"] - 1 and n["left"] > text_right for n in layout)
        assert sum(abs(n["top"] - n["marker"]) < 2 for n in layout) > 30  # most sit on their own line
        assert all(n["text"] == n["popover"] for n in layout) and no_scroll
        assert current == f"margin-{described}" and not popover_shown
        assert hidden == "true" and focusable == 0

    def test_no_margin_notes_below_the_widest_screens(self, built: Project) -> None:
        """At 1280 px the margin stays empty: the notes show in place and at the end."""
        with chromium() as browser:
            page, errors = self.open_page(browser, built, 1280)
            visible = page.locator(".margin-notes").is_visible()
        assert not visible and not errors

    def test_contents_stay_in_view_and_mark_the_section(self, built: Project) -> None:
        """On a wide screen the contents stay at the top of the window while reading and mark the current section."""
        with chromium() as browser:
            page, errors = self.open_page(browser, built, 1280)
            marked = {}
            for section in ("sec-advent", "sec-challenges"):
                page.evaluate(f"document.getElementById('{section}').scrollIntoView()")
                page.wait_for_timeout(300)
                marked[section] = page.evaluate(
                    "[...document.querySelectorAll('#TOC a[aria-current]')].map(a => a.getAttribute('href'))")
                assert 0 <= page.evaluate("document.getElementById('TOC').getBoundingClientRect().top") <= 60
        assert marked == {"sec-advent": ["#sec-advent"], "sec-challenges": ["#sec-challenges"]}
        assert not errors

    def test_contents_at_the_top_on_a_phone(self, built: Project) -> None:
        """On a narrow screen the contents stay where they are, above the text, and scroll away with it."""
        with chromium() as browser:
            page, errors = self.open_page(browser, built, 390)
            toc = page.evaluate("document.getElementById('TOC').getBoundingClientRect().bottom")
            text_top = page.evaluate("document.querySelector('.paper-body').getBoundingClientRect().top")
            page.evaluate("document.getElementById('sec-challenges').scrollIntoView()")
            after = page.evaluate("document.getElementById('TOC').getBoundingClientRect().bottom")
        assert toc <= text_top and after < 0 and not errors

    def test_axe_with_a_note_shown(self, built: Project) -> None:
        """With a note's popover open, axe-core still reports no accessibility violation."""
        from axe_playwright_python.sync_playwright import Axe

        with chromium() as browser:
            page, errors = self.open_page(browser, built, 1280)
            marker = page.locator("a.footnote-ref").first
            marker.focus()
            assert page.locator(f"#{marker.get_attribute('aria-describedby')}").is_visible()
            violations = Axe().run(page).response["violations"]
        assert not violations, [(v["id"], v["help"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
        assert not errors
