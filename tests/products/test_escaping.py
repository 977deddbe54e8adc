"""Data is content, never markup: hostile text in a CSV cell prints literally in all three editions."""

from __future__ import annotations

import csv
import io
import re

import pytest

from conftest import Project
from readers import docx_text, html_text, pdf_body_text, pdf_text

HOSTILE = {
    "html": "<script>alert(1)</script>",
    "markdown": "*emphasis*",
    "math": "$math$",
    "typst": "#typst-code",
    "include": "{{< include /etc/passwd >}}",
}
EDITIONS = ["pdf", "html", "docx"]
# Metadata is Markdown by design (a title may have italics), but markup of HTML or Typst must stay text.
# (A <script> there is refused by the path gate, as in a section: tests/sources/test_paths.py.)
SUBTITLE = "Sub <b>bold</b> #typst-sub"


@pytest.fixture(scope="module")
def hostile(built: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The project rebuilt with each hostile string in a Table 1 cell, a Table 2 cell and the subtitle."""
    import shutil

    project = Project(tmp_path_factory.mktemp("hostile") / "project")
    shutil.copytree(built.root, project.root)
    path = project.root / "data" / "law.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    for i, text in enumerate(HOSTILE.values()):
        rows.append([str(1900 + i), f"Instrument {text} end", "", "nelson2024", ""])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    structures = project.root / "data" / "structures.csv"
    row = ["Hostile structure", "Definition " + " ".join(HOSTILE.values()) + " end", "unodc2022", "48", "",
           "1", "unodc2022", "115", "yes"]
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerow(row)
    structures.write_text(structures.read_text(encoding="utf-8") + out.getvalue(), encoding="utf-8")
    report = project.root / "report.qmd"
    report.write_text(report.read_text(encoding="utf-8").replace(
        'subtitle: "The Civil-Military', f'subtitle: "{SUBTITLE} The Civil-Military', 1), encoding="utf-8")
    project.snakemake()
    return project


def flat(text: str) -> str:
    return re.sub(r"\s+", " ", text)


def printed(project: Project, edition: str) -> str:
    if edition == "pdf":
        return flat(pdf_text(project.edition("pdf")))
    if edition == "html":
        return flat(" ".join(html_text(project.edition("html")).body))
    return flat(docx_text(project.edition("docx")))


@pytest.mark.parametrize("edition", EDITIONS)
@pytest.mark.parametrize("kind", sorted(HOSTILE))
def test_hostile_cell_prints_literally(hostile: Project, edition: str, kind: str) -> None:
    """The cell's text appears exactly as written."""
    assert f"Instrument {HOSTILE[kind]} end" in printed(hostile, edition)


@pytest.mark.parametrize("edition", EDITIONS)
def test_hostile_table_2_cell_prints_literally(hostile: Project, edition: str) -> None:
    """A Table 2 definition cell holding every hostile string at once prints them all, as written."""
    assert "Definition " + " ".join(HOSTILE.values()) + " end" in printed(hostile, edition)


@pytest.mark.parametrize("edition", EDITIONS)
def test_hostile_metadata_prints_literally(hostile: Project, edition: str) -> None:
    """HTML and Typst markup in report.qmd's subtitle prints as text in every edition."""
    assert SUBTITLE in printed(hostile, edition)


def test_nothing_is_executed_or_included(hostile: Project, built: Project) -> None:
    """No script element reaches the page but its own (pandoc/html/perry.js), and no file's content is included."""
    page = html_text(hostile.edition("html"))
    own = [a for tag, a in html_text(built.edition("html")).elements if tag == "script"]
    assert len([a for tag, a in page.elements if tag == "script"]) == len(own) == 1
    assert "<script>alert" not in hostile.edition("html").read_text(encoding="utf-8")
    for edition in EDITIONS:
        assert "root:x:0:0" not in printed(hostile, edition)
    assert "root:" not in pdf_body_text(hostile.edition("pdf"))
