"""Tables in the PDF edition: a short one is kept whole on one page, a long one breaks across pages.

A table longer than a page continues on the next pages with its header row repeated, its caption
printed once above it, every row readable and nothing drawn over the folio. The paper is built once
more (from the session's build) with long tables added: 70 rows added to Table 1's data, as the QA
audit did (the data path, src/perrypress/products/tables.py), and, in a section of its own, short
pipe tables one after another and an 80-row pipe table. The text is read as pdfium lays it out:
rows drawn over each other read back garbled or repeated, as they look.
"""

from __future__ import annotations

import re

import pytest

from conftest import Project, copy_built
from perrypress.products.markdown import pipe_table
from readers import pdf_structure, pdf_text_runs

Box = tuple[float, float, float, float]
Runs = list[list[tuple[str, Box]]]

LAW_ADDED = 70
LONG_ROWS = 80
SHORT_TABLES, SHORT_ROWS = 6, 14


def _law_row(i: int) -> str:
    return f"Instrument number {i} for testing a long generated table"


def _long_row(i: int) -> str:
    return f"Country {i:02d} of the long pipe table"


def _short_row(table: int, i: int) -> str:
    return f"Short table {table} row {i:02d}"


def _pipe_table(header: list[str], rows: list[list[str]], caption: str, label: str) -> str:
    """A captioned, labelled pipe table, as an author writes one in a section."""
    return pipe_table(header, rows, [1] * len(header)) + f"\n\n: {caption} {{#{label}}}"


def _layout_section() -> str:
    """A section of short tables, each about half a page, with paragraphs between them, then one long table."""
    paragraph = ("This paragraph sits between two tables so that each table starts at a different height on its "
                 "page, and some of them near the foot of a page. ") * 3
    parts = ["# Tables for the layout tests {#sec-layout-tables}", paragraph.strip()]
    for table in range(1, SHORT_TABLES + 1):
        rows = [[_short_row(table, i), f"{1900 + i}"] for i in range(1, SHORT_ROWS + 1)]
        parts += [_pipe_table(["Short entry", "Short year"], rows, f"Short layout table {table}", f"tbl-short-{table}"),
                  paragraph.strip()]
    rows = [[_long_row(i), f"{1900 + i}", "Generated text"] for i in range(1, LONG_ROWS + 1)]
    parts.append(_pipe_table(["Place", "Founded", "Remark"], rows, "A long table written in a section", "tbl-long"))
    parts.append("The text after the long table.")
    return "\n\n".join(parts) + "\n"


@pytest.fixture(scope="module")
def long_tables(built: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The paper with 70 rows more in Table 1's data and a section of short and long tables; its PDF rebuilt."""
    project = copy_built(built, tmp_path_factory.mktemp("long-tables") / "project")
    with (project.root / "data" / "law.csv").open("a", encoding="utf-8") as law:
        for i in range(1, LAW_ADDED + 1):  # as the QA audit added them
            law.write(f"19{i % 90 + 10},{_law_row(i)},,nelson2024,\n")
    (project.root / "sections" / "99-layout-tables.qmd").write_text(_layout_section(), encoding="utf-8")
    report = project.root / "report.qmd"
    text = report.read_text(encoding="utf-8")
    last = "{{< include sections/06-conclusions.qmd >}}"
    assert last in text
    report.write_text(text.replace(last, last + "\n\n{{< include sections/99-layout-tables.qmd >}}"),
                      encoding="utf-8")
    result = project.perrypress("build", f"_build/{project.name}.pdf")
    assert result.returncode == 0, result.stdout + result.stderr
    return project


@pytest.fixture(scope="module")
def runs(long_tables: Project) -> Runs:
    return pdf_text_runs(long_tables.edition("pdf"))


def _pages_of(runs: Runs, text: str) -> list[int]:
    """The pages (0-based) of every run that reads exactly ``text``, once per run."""
    return [number for number, page in enumerate(runs) for found, _ in page if found == text]


LONG_TABLES = {
    # caption, header cells, the rows' text
    "data": ("Relevant International Law for South American Countries Regarding Human Trafficking",
             ["Year", "Instrument"], [_law_row(i) for i in range(1, LAW_ADDED + 1)]),
    "pipe": ("A long table written in a section", ["Place", "Founded", "Remark"],
             [_long_row(i) for i in range(1, LONG_ROWS + 1)]),
}


@pytest.mark.parametrize("table", LONG_TABLES)
def test_every_row_of_a_long_table_is_read_once(runs: Runs, table: str) -> None:
    """Each row's text is read back exactly once, and the table continues over more than one page."""
    _, _, rows = LONG_TABLES[table]
    counts = {row: len(_pages_of(runs, row)) for row in rows}
    assert {row: n for row, n in counts.items() if n != 1} == {}
    assert len({_pages_of(runs, row)[0] for row in rows}) >= 2


@pytest.mark.parametrize("table", LONG_TABLES)
def test_a_long_table_repeats_its_header_and_prints_its_caption_once(runs: Runs, table: str) -> None:
    """Every page the table is on has its header cells above its first row there; the caption is printed once."""
    caption, header, rows = LONG_TABLES[table]
    by_page: dict[int, list[float]] = {}
    for number, page in enumerate(runs):
        for text, box in page:
            if text in rows:
                by_page.setdefault(number, []).append(box[3])
    assert len(by_page) >= 2, by_page.keys()
    for number, tops in by_page.items():
        for cell in header:
            above = [box for text, box in runs[number] if text == cell and box[1] > max(tops)]
            assert len(above) == 1, (table, number + 1, cell)
    captions = [(number, text) for number, page in enumerate(runs) for text, _ in page if caption in text]
    assert len(captions) == 1 and captions[0][0] == min(by_page), captions


def _overlap(a: Box, b: Box) -> float:
    """The area two boxes share, as a share of the smaller one's."""
    width = min(a[2], b[2]) - max(a[0], b[0])
    height = min(a[3], b[3]) - max(a[1], b[1])
    smaller = min((a[2] - a[0]) * (a[3] - a[1]), (b[2] - b[0]) * (b[3] - b[1]))
    return width * height / smaller if width > 0 and height > 0 and smaller > 0 else 0.0


def test_no_text_is_drawn_over_other_text(runs: Runs) -> None:
    """No two runs of text overlap on any page (rows that do not fit are not stacked at the page's foot)."""
    stacked = []
    for number, page in enumerate(runs):
        for i, (text, box) in enumerate(page):
            stacked += [(number + 1, text[:30], other[:30]) for other, box2 in page[i + 1:]
                        if _overlap(box, box2) > 0.5]
    assert stacked == []


def test_table_rows_stay_above_the_folio(runs: Runs) -> None:
    """On every page with table rows, the rows end above the page number at the foot, with room to spare."""
    rows = {row for _, _, table_rows in LONG_TABLES.values() for row in table_rows}
    checked = 0
    for number, page in enumerate(runs):
        bottoms = [box[1] for text, box in page if text in rows]
        if not bottoms:
            continue
        folio = page[-1]
        assert re.fullmatch(r"\d+", folio[0]), (number + 1, folio)
        assert min(bottoms) > folio[1][3] + 12, (number + 1, min(bottoms), folio)
        checked += 1
    assert checked >= 4


def test_a_short_table_is_kept_whole(runs: Runs) -> None:
    """Each short table's caption, header and rows are on one page, and a table that did not fit in what was
    left of a page (with room there for its caption, header and a few rows) moved whole to the next."""
    moved_with_room = 0
    for table in range(1, SHORT_TABLES + 1):
        caption = f"Short layout table {table}"
        pages = {n for n, page in enumerate(runs) for text, _ in page if caption in text}
        pages |= {n for row in range(1, SHORT_ROWS + 1) for n in _pages_of(runs, _short_row(table, row))}
        assert len(pages) == 1, (caption, sorted(p + 1 for p in pages))
        page = pages.pop()
        caption_top = next(box[3] for text, box in runs[page] if caption in text)
        running_head = runs[page][0][1][3] - 25  # the header's lines, at the top of the page
        heads_its_page = not [text for text, box in runs[page] if caption_top + 2 < box[3] < running_head]
        if heads_its_page:
            previous = runs[page - 1]
            last_line = min(box[1] for _, box in previous[:-1])  # above the folio
            moved_with_room += last_line - previous[-1][1][3] > 150
    assert moved_with_room >= 1, "no short table met the foot of a page: lengthen the paragraphs between them"


def test_each_table_is_tagged_once_with_one_header_row(long_tables: Project) -> None:
    """A table over several pages is one tagged Table whose header cells are tagged once (repeats are artifacts)."""
    import yaml

    from perrypress.sources.data_tables import load_table

    root = long_tables.root
    config = yaml.safe_load((root / "config" / "config.yaml").read_text(encoding="utf-8"))["tables"]
    data = [config[name] for name in ("law", "structures")]  # Tables 1 and 2; regions-data is the HTML's only
    tags = [str(e["/S"]) for e in pdf_structure(long_tables.edition("pdf"))]
    assert tags.count("/Table") == len(data) + SHORT_TABLES + 1
    assert tags.count("/TH") == sum(len(t["columns"]) for t in data) + 2 * SHORT_TABLES + 3
    assert tags.count("/TR") == (sum(len(load_table(root / t["data"])) + 1 for t in data)
                                 + SHORT_TABLES * (SHORT_ROWS + 1) + LONG_ROWS + 1)


@pytest.mark.parametrize("profile", ["2a", "ua1"])
def test_a_pdf_with_long_tables_is_compliant(long_tables: Project, profile: str) -> None:
    """page-validation finds the edition with long tables compliant with PDF/A-2a and PDF/UA-1."""
    import page

    report = page.validate_pdf(str(long_tables.edition("pdf")), profile=profile)
    assert report.is_compliant and not report.failures, report.failures


SWEEP_TABLES, SWEEP_ROWS, SWEEP_STEP = 20, 50, 8  # 50 rows: longer than a page; room left from 8 to 160 pt

# The layout's own call, as pandoc/templates/perry.typst makes it, with words of no paper.
SWEEP_PREAMBLE = """#import "/_build/styles/perry.typ": conf
#show figure.where(kind: table): set figure.caption(position: top)
#show: doc => conf(
  title: [Sweep], authors: ((name: [A. Writer], bio: [A bio.]),),
  series: (name: [Series], edition: [Edition], number: [No. 1], month: [May], year: [2024], statement: [Statement.]),
  publisher: (name: [Publisher], web: [example.org]), keywords: (), lang: "en-US",
  labels: (figure: [Figure], table: [Table], about-author: [About], by: [By], conjunction: [and]),
  doc,
)
"""


@pytest.fixture(scope="module")
def sweep(long_tables: Project) -> Runs:
    """Long tables started with less and less room left on their page: 8, 16, … 160 pt above the page's foot.

    Each table's page starts with a block (its only words "Filler k") as tall as the page's text area less
    the room, then the table follows as pandoc's Typst writer emits a captioned pipe table (one pandoc run
    for all). One compile, as the edition's (render.compile_pdf).
    """
    from conftest import run_pandoc
    from perrypress.editions.render import compile_pdf
    from perrypress.sources.config import load_config

    markdown = []
    for k in range(1, SWEEP_TABLES + 1):
        rows = [[f"Sweep {k} row {i:02d}", f"{1900 + i}"] for i in range(1, SWEEP_ROWS + 1)]
        markdown += [f"FILLER-{k}", _pipe_table(["Year", "Entry"], rows, f"Sweep table {k}", f"tbl-sweep-{k}")]
    result = run_pandoc("-f", "markdown", "-t", "typst", stdin="\n\n".join(markdown) + "\n")
    assert result.returncode == 0, result.stderr
    body = re.sub(r"^FILLER-(\d+)$", lambda m: "#pagebreak(weak: true)\n#layout(region => block(width: 100%, "
                  f"height: region.height - {m[1]} * {SWEEP_STEP}pt, below: 0pt)[Filler {m[1]}])", result.stdout,
                  flags=re.M)
    assert body.count("#layout(") == SWEEP_TABLES and body.count("table.header(") == SWEEP_TABLES
    root = long_tables.root
    typ, pdf = root / "_build" / "sweep.typ", root / "_build" / "sweep.pdf"
    typ.write_text(SWEEP_PREAMBLE + body, encoding="utf-8")
    config = load_config(root / "config" / "config.yaml", root=root)
    assert compile_pdf(typ, pdf, config, root=root, epoch=1704067200) == []
    return pdf_text_runs(pdf)


def test_a_long_table_never_leaves_its_caption_or_header_at_a_page_foot(sweep: Runs) -> None:
    """Wherever a long table starts, its caption, header and first two rows share a page; with less room
    than that left, the table starts on the next page (some tables here start on their page, some move)."""
    moved = []
    for k in range(1, SWEEP_TABLES + 1):
        start = next(n for n, page in enumerate(sweep) if any(text.endswith(f"Sweep table {k}") for text, _ in page))
        texts = {text for text, _ in sweep[start]}
        assert {"Year", "Entry", f"Sweep {k} row 01", f"Sweep {k} row 02"} <= texts, (k, start + 1)
        if f"Filler {k}" not in texts:
            moved.append(k)
    assert 0 < len(moved) < SWEEP_TABLES, moved
