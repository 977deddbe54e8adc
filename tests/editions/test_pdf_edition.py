"""The PDF edition in the Perry Center's house style: cover, inner pages, running header, back page, PDF/A + PDF/UA."""

from __future__ import annotations

import re

import pytest
from pypdf import PdfReader

from conftest import Project
from readers import normalise, pdf_body_lines, pdf_pages, pdf_structure

HEADER = "WILLIAM J. PERRY CENTER FOR HEMISPHERIC DEFENSE STUDIES"


@pytest.fixture(scope="module")
def pages(built: Project) -> list[str]:
    return pdf_pages(built.edition("pdf"))


def test_cover(pages: list[str]) -> None:
    """Page 1 carries the Center, the series, edition and number, title, subtitle and author."""
    cover = normalise(pages[0])
    for text in ["William J. Perry Center for Hemispheric Defense Studies", "Emerging Voices",
                 "2024 Edition | No. 1 (January)", "Cybersex Trafficking in South America",
                 "The Civil-Military Dimensions of Confronting Human Trafficking in the Digital Domain",
                 "By Zoe Nelson"]:
        assert normalise(text) in cover, text


def test_inner_pages_before_the_body(pages: list[str]) -> None:
    """About the Author, the series statement and the disclaimer precede the body, then the title block again."""
    inner = normalise(pages[1])
    for text in ["About the Author", "Zoe Nelson is an Academic Assistant", "Emerging Voices, the newest "
                 "publication platform", "The views expressed in this article are those of the author"]:
        assert normalise(text) in inner, text
    assert normalise("By Zoe Nelson") in normalise(pages[2]) and "Introduction" in pages[2]


def test_running_header_on_body_pages_only(pages: list[str]) -> None:
    """Every body page has the running header and a page number; the cover, inner and back pages do not."""
    running = "JANUARY 2024, No. 1"  # the header's issue line; the cover sets the issue differently
    assert running not in pages[0] and running not in pages[1] and HEADER not in pages[1]
    for number, text in enumerate(pages[2:-1], start=1):
        assert HEADER in text and "EMERGING VOICES" in text and running in text, number
        assert re.search(rf"(^|\n){number}\s*$", text.strip()) or f"\n{number}\n" in text, number
    assert running not in pages[-1]


def test_back_page(pages: list[str]) -> None:
    """The last page has the editorial credits, the web address and the final disclaimer."""
    back = normalise(pages[-1])
    for text in ["Editor-in-chief: Dr. Patrick Paterson", "Editor: Luz Noguez", "Layout Design: Gabrielli Raya Lebrón",
                 "www.wjpcenter.org", "Emerging Voices is an original publication"]:
        assert normalise(text) in back, text


def test_bibliography_before_back_page(pages: list[str]) -> None:
    """The bibliography comes after the conclusions, before the back page."""
    text = "\n".join(pages[:-1])
    assert text.index("Bibliography") > text.index("Conclusions")
    assert "Pion-Berlin, David, and Miguel Carreras" in text


def test_metadata_and_conformance(built: Project) -> None:
    """Title, author and language are set, and the XMP declares PDF/A-2a and PDF/UA-1."""
    reader = PdfReader(built.edition("pdf"))
    assert reader.metadata.title.startswith("Cybersex Trafficking in South America")
    assert reader.metadata.author == "Zoe Nelson"
    assert str(reader.trailer["/Root"]["/Lang"]).startswith("en")
    xmp = reader.trailer["/Root"]["/Metadata"].get_object().get_data().decode("utf-8")
    assert re.search(r"pdfaid:part[^0-9]*2", xmp) and re.search(r"pdfaid:conformance[^A-Z]*A", xmp)
    assert re.search(r"pdfuaid:part[^0-9]*1", xmp)


def test_only_project_fonts_are_embedded(built: Project) -> None:
    """Every font in the PDF is one of the project's (Source Serif 4, Source Sans 3), embedded."""
    reader = PdfReader(built.edition("pdf"))
    names = set()
    for page in reader.pages:
        for font in (page["/Resources"].get("/Font") or {}).values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descendant = descendant.get_object()
                names.add(str(descendant["/BaseFont"]).split("+")[-1])
                descriptor = descendant.get("/FontDescriptor")
                if descriptor is not None:
                    descriptor = descriptor.get_object()
                    assert any(k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")), names
    assert names and all(n.startswith(("SourceSerif4", "SourceSans3")) for n in names), names


def test_tables_are_tagged_with_header_rows(built: Project) -> None:
    """Tables 1 and 2 are tagged tables with header cells (repeated on a page break by Typst)."""
    tags = [str(e["/S"]) for e in pdf_structure(built.edition("pdf"))]
    assert tags.count("/Table") >= 2 and tags.count("/TH") >= 5


@pytest.mark.parametrize("name", ["Bogotá", "Belém do Pará", "Ejército de Liberación Nacional", "Cúcuta",
                                  "Ophélie", "Lebrón"])
def test_spanish_and_portuguese_names(pages: list[str], name: str) -> None:
    """Accented names are set with their own glyphs (and extract back as the same letters)."""
    assert name in re.sub(r"\s+", " ", "\n".join(pages))


def _metadata_title() -> str:
    """The paper's title as report.qmd's metadata gives it."""
    import yaml

    from conftest import ROOT

    text = (ROOT / "report.qmd").read_text(encoding="utf-8")
    return yaml.safe_load(text.split("---")[1])["title"]


def _section_headings() -> list[str]:
    """The sections' headings, in the order report.qmd includes them."""
    from conftest import ROOT

    report = (ROOT / "report.qmd").read_text(encoding="utf-8")
    headings = []
    for include in re.findall(r"\{\{< include (sections/[^ ]+\.qmd) >\}\}", report):
        for line in (ROOT / include).read_text(encoding="utf-8").splitlines():
            if match := re.match(r"# (.+?)\s*(\{#sec-[^}]*\})?\s*$", line):
                headings.append(match.group(1))
    return headings


class TestStructure:
    """The structure tree reads like the HTML edition: the title H1, About the Author and sections H2."""

    @pytest.fixture
    def headings(self, built: Project) -> list[tuple[str, str]]:
        return [(str(e["/S"]), str(e.get("/T", ""))) for e in pdf_structure(built.edition("pdf"))
                if re.fullmatch(r"/H\d?", str(e["/S"]))]

    def test_title_is_the_one_h1(self, headings) -> None:
        """Exactly one H1, first in the tree: the paper's title."""
        assert [h for h in headings if h[0] == "/H1"] == [("/H1", _metadata_title())]
        assert headings[0] == ("/H1", _metadata_title())

    def test_about_the_author_and_sections_are_h2(self, headings) -> None:
        """About the Author, every section and the bibliography are H2, in reading order; nothing deeper is skipped."""
        h2 = [text for tag, text in headings if tag == "/H2"]
        assert h2 == ["About the Author", *_section_headings(), "Bibliography"]
        assert all(tag in ("/H1", "/H2", "/H3") for tag, _ in headings)

    def test_bookmarks_list_the_sections_only(self, built: Project) -> None:
        """The PDF's bookmarks are the sections and the bibliography, not the title or About the Author."""
        titles = [item.title for item in PdfReader(built.edition("pdf")).outline if not isinstance(item, list)]
        assert titles == [*_section_headings(), "Bibliography"]

    def test_figure_caption_follows_the_figure(self, built: Project) -> None:
        """Figure 1's caption is read after the figure (it is printed below it), as its paragraph."""
        figure = next(e for e in pdf_structure(built.edition("pdf")) if str(e["/S"]) == "/Figure")
        assert "/Alt" in figure
        siblings = [k.get_object() for k in figure["/P"].get_object()["/K"]]
        tags = [str(k.get("/S")) if isinstance(k, dict) else None for k in siblings]
        here = next(i for i, k in enumerate(siblings) if k is figure or k == figure)
        assert tags[here + 1] == "/P"
        assert "/Caption" not in tags


class TestLayout:
    """Page layout a designer signs off: no split table heads, no hyphen at a page's foot, no runts."""

    @pytest.fixture
    def lines(self, built: Project) -> list[list[tuple[str, str, float]]]:
        return pdf_body_lines(built.edition("pdf"))

    def test_no_page_ends_with_a_hyphenated_word(self, lines) -> None:
        """The last line of running text on each page does not end in a hyphen."""
        for number, page in enumerate(lines):
            body = [text for text, font, _ in page if "Serif" in font]
            if body:
                assert not re.search(r"\w-$", body[-1]), (number, body[-1])

    def test_no_one_word_last_lines_in_the_text(self, lines) -> None:
        """No line of the running text (before the bibliography) holds a single word."""
        runts = []
        for number, page in enumerate(lines):
            for text, font, _ in page:
                if text == "Bibliography":
                    break
                if "Serif" in font and len(text.split()) == 1 and "-" not in text:
                    runts.append((number, text))
            else:
                continue
            break
        assert runts == []

    @pytest.mark.parametrize("name", ["law", "structures"])
    def test_a_table_starts_with_at_least_two_body_rows(self, built: Project, pages: list[str], name: str) -> None:
        """The page where a table's header is printed also holds its first two body rows."""
        import yaml

        from conftest import ROOT
        from perrypress.sources.data_tables import load_table

        spec = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["tables"][name]
        last = list(spec["columns"].values())[-1]
        header = normalise(last if isinstance(last, str) else last["header"])
        frame = load_table(ROOT / spec["data"])
        longest = max(spec["columns"], key=lambda c: frame[c].astype(str).str.len().mean())
        start = next(i for i, p in enumerate(pages) if header in normalise(p))
        for cell in frame[longest].astype(str).head(2):
            opening = " ".join(re.sub(r"[\*“”\"]", "", cell).split()[:3])
            assert normalise(opening) in normalise(pages[start]), (name, opening, start)

    def test_bibliography_has_a_hanging_indent(self, lines) -> None:
        """In the bibliography, entries start at the margin and their further lines are indented."""
        after = [line for page in lines for line in page]
        start = next(i for i, line in enumerate(after) if line[0] == "Bibliography")
        entries = [line for line in after[start + 1:] if "Serif" in line[1]]
        margin = min(x for _, _, x in entries)
        indents = {round(x - margin) for _, _, x in entries}
        assert indents == {0, 21}, indents  # 2em of 10.5 pt
        assert entries[0][2] == margin


@pytest.mark.parametrize("profile", ["2a", "ua1"])
def test_independent_validator_finds_the_pdf_compliant(built: Project, profile: str) -> None:
    """page-validation (not Typst's own checks) finds the edition compliant with PDF/A-2a and PDF/UA-1."""
    import page

    report = page.validate_pdf(str(built.edition("pdf")), profile=profile)
    assert report.is_compliant, report.failures
    assert not report.failures
