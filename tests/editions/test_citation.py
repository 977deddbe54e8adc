"""The "Cite this paper" block: Chicago, BibTeX and RIS from report.qmd's metadata, every value escaped."""

from __future__ import annotations

import codecs
import dataclasses
import re
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote

import latexcodec  # noqa: F401 (registers the "ulatex" codec)
import pytest
from pybtex.database import parse_string

from conftest import ROOT
from perrypress.editions.citation import (Author, Work, bibtex, chicago_html, chicago_text, cite_block, read_metadata, ris,
                                 work_from_metadata, write_cite_block)
from perrypress.errors import DocumentError

# LaTeX escapes and what they print.
LATEX_UNESCAPE = {r"\textbackslash{}": "\\", r"\textasciicircum{}": "^", r"\textasciitilde\ ": "~ ",
                  r"\textasciitilde{}": "~"}
LATEX_ESCAPE = re.compile("|".join(re.escape(e) for e in LATEX_UNESCAPE) + r"|\\[{}$&%#_]")
HOSTILE = 'Bits & <b>Bytes</b>: "Quotes", {Braces}, 100% $5 #1 snake_case ~ ^ \\ done'


@pytest.fixture(scope="module")
def work() -> Work:
    """The paper, from the real report.qmd."""
    meta, text = read_metadata(ROOT / "report.qmd")
    return work_from_metadata(meta, path=ROOT / "report.qmd", text=text)


def hostile(work: Work) -> Work:
    """The paper with a title full of characters that mean something in HTML, LaTeX or BibTeX."""
    return dataclasses.replace(work, title=HOSTILE, subtitle="", authors=[Author("Ana", "Pérez-Díaz")])


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def rendered(fragment: str) -> str:
    """The text a browser shows for an HTML fragment."""
    parser = _Text()
    parser.feed(fragment)
    return "".join(parser.parts)


class TestMetadata:
    """The work is read from report.qmd's YAML block; a missing or malformed key is a source error."""

    def test_reads_the_paper(self, work: Work) -> None:
        """Title, author, date, series, number, publisher and URL come from the metadata."""
        assert work.full_title.startswith("Cybersex Trafficking in South America: The Civil-Military")
        assert work.authors == [Author("Zoe", "Nelson")]
        assert (work.year, work.month) == (2024, 1)
        assert (work.series, work.number) == ("Emerging Voices", "1")
        assert work.publisher == "William J. Perry Center for Hemispheric Defense Studies"
        assert work.url.startswith("https://www.wjpcenter.org/")
        assert work.key == "nelson2024cybersex"

    def test_missing_key_names_it(self, tmp_path: Path) -> None:
        """Without series.number the error names the key and the file."""
        report = tmp_path / "report.qmd"
        report.write_text("---\ntitle: T\nauthor: A B\ndate: 2024\nseries: {name: S}\npublisher: {name: P}\n---\n")
        meta, text = read_metadata(report)
        with pytest.raises(DocumentError, match=r"report\.qmd: metadata: 'series\.number' is missing"):
            work_from_metadata(meta, path=report, text=text)

    def test_bad_date_names_its_line(self, tmp_path: Path) -> None:
        """A date that is not YYYY[-MM[-DD]] is reported at its line of report.qmd."""
        report = tmp_path / "report.qmd"
        report.write_text("---\ntitle: T\nauthor: A B\ndate: soon\nseries: {name: S, number: 1}\n"
                          "publisher: {name: P}\n---\n")
        meta, text = read_metadata(report)
        with pytest.raises(DocumentError, match=r"report\.qmd:4: metadata: date 'soon' is not a date"):
            work_from_metadata(meta, path=report, text=text)

    def test_no_metadata_block(self, tmp_path: Path) -> None:
        """A report without a YAML block is an error at line 1."""
        report = tmp_path / "report.qmd"
        report.write_text("# Just text\n")
        with pytest.raises(DocumentError, match=r"report\.qmd:1: no YAML metadata block"):
            read_metadata(report)


class TestForms:
    """Each form carries title, author, year, series, number, publisher and URL."""

    def test_chicago(self, work: Work) -> None:
        """The Chicago bibliography entry: author inverted, title in italics, series and number, imprint, URL."""
        assert chicago_text(work) == (
            "Nelson, Zoe. Cybersex Trafficking in South America: The Civil-Military Dimensions of Confronting Human "
            "Trafficking in the Digital Domain. Emerging Voices, no. 1. William J. Perry Center for Hemispheric "
            "Defense Studies, January 2024. "
            "https://www.wjpcenter.org/emerging-voices/2024-1/cybersex-trafficking-south-america/.")
        assert "<em>Cybersex Trafficking in South America: " in chicago_html(work)

    def test_chicago_several_authors(self, work: Work) -> None:
        """Only the first author is inverted; 'and' comes before the last."""
        two = dataclasses.replace(work, authors=[Author("Zoe", "Nelson"), Author("Ana", "Pérez")])
        three = dataclasses.replace(work, authors=[*two.authors, Author("Luz", "Noguez")])
        assert chicago_text(two).startswith("Nelson, Zoe, and Ana Pérez. ")
        assert chicago_text(three).startswith("Nelson, Zoe, Ana Pérez, and Luz Noguez. ")

    def test_bibtex(self, work: Work) -> None:
        """A @techreport that pybtex reads back with every field."""
        entry = parse_string(bibtex(work), "bibtex").entries["nelson2024cybersex"]
        assert entry.type == "techreport"
        assert str(entry.persons["author"][0]) == "Nelson, Zoe"
        fields = entry.fields
        assert fields["title"].strip("{}").startswith("Cybersex Trafficking in South America: The Civil")
        assert (fields["year"], fields["month"], fields["type"], fields["number"]) == ("2024", "January",
                                                                                       "Emerging Voices", "1")
        assert fields["institution"] == work.publisher and fields["url"] == work.url

    def test_ris(self, work: Work) -> None:
        """An RIS record with CRLF line ends, TY first and ER last."""
        text = ris(work)
        lines = text.split("\r\n")
        assert lines[0] == "TY  - RPRT" and lines[-2] == "ER  - " and lines[-1] == ""
        for expected in ["AU  - Nelson, Zoe", f"TI  - {work.full_title}", "T3  - Emerging Voices", "SN  - 1",
                         "PY  - 2024", "DA  - 2024/01", f"PB  - {work.publisher}", f"UR  - {work.url}"]:
            assert expected in lines


class TestEscaping:
    """A title with <, &, quotes, braces and LaTeX specials prints exactly as written in every form."""

    def test_html_renders_literally(self, work: Work) -> None:
        """In the block's HTML the title is text, not markup: no <b> element, the characters shown as typed."""
        block = cite_block(hostile(work))
        assert "<b>" not in block
        assert HOSTILE in rendered(block)
        assert f"<em>{HOSTILE}</em>" not in block  # the raw string never reaches the page unescaped

    def test_bibtex_round_trip(self, work: Work) -> None:
        """In BibTeX every LaTeX special is escaped; undoing the escapes gives back the title."""
        entry = parse_string(bibtex(hostile(work)), "bibtex").entries[hostile(work).key]
        title = entry.fields["title"][1:-1]  # the outer braces that keep the title's capitals
        assert not re.search(r"[{}$&%#_^~\\]", LATEX_ESCAPE.sub("", title)), title
        assert LATEX_ESCAPE.sub(lambda m: LATEX_UNESCAPE.get(m.group(0), m.group(0)[-1:]), title) == HOSTILE
        assert codecs.decode(str(entry.persons["author"][0]), "ulatex") == "Pérez-Díaz, Ana"

    def test_ris_one_line_per_value(self, work: Work) -> None:
        """RIS has no escaping, so a value keeps its characters and loses only its line breaks."""
        broken = dataclasses.replace(hostile(work), title="Line one\nline two " + HOSTILE)
        assert f"TI  - Line one line two {HOSTILE}\r\n" in ris(broken)

    def test_downloads_carry_the_same_text(self, work: Work) -> None:
        """The .bib and .ris download links hold exactly the BibTeX and RIS text, as data: URIs."""
        block = cite_block(hostile(work))
        hrefs = re.findall(r'href="data:[^;]+;charset=utf-8,([^"]+)"', block)
        decoded = [unquote(rendered(h)) for h in hrefs]
        assert decoded == [bibtex(hostile(work)), ris(hostile(work))]

    def test_key_is_ascii(self, work: Work) -> None:
        """The citation key folds accents and drops punctuation."""
        assert hostile(work).key == "perezdiaz2024bits"


def test_write_cite_block(tmp_path: Path) -> None:
    """The workflow step writes one <section> with the three forms."""
    output = tmp_path / "cite.html"
    write_cite_block(ROOT / "report.qmd", output)
    text = output.read_text(encoding="utf-8")
    assert text.startswith('<section id="cite-this-paper"') and text.count("<section") == 1
    assert "Chicago" in text and "@techreport{nelson2024cybersex," in text and "TY  - RPRT" in text


class TestNames:
    """An author's name is split at its last space, unless report.qmd gives `family:` and `given:` beside `name:`."""

    SPANISH = "---\ntitle: Puertos\nauthor:\n  - name: Lucía Fernández O'Brien\n{extra}date: 2026-03\n" \
              "series: {{name: Emerging Voices, number: n.º 2}}\npublisher: {{name: Perry Center}}\nlang: es-ES\n---\n"

    def work(self, tmp_path: Path, extra: str = "") -> Work:
        """The work of a report.qmd whose one author is Lucía Fernández O'Brien, with ``extra`` under her name."""
        report = tmp_path / "report.qmd"
        report.write_text(self.SPANISH.format(extra=extra), encoding="utf-8")
        meta, text = read_metadata(report)
        return work_from_metadata(meta, path=report, text=text)

    def test_split_at_the_last_space_by_default(self, tmp_path: Path) -> None:
        """With `name:` only, the last word is the family name: right for "Zoe Nelson", not for a double surname."""
        assert self.work(tmp_path).authors == [Author("Lucía Fernández", "O'Brien")]

    def test_family_and_given(self, tmp_path: Path) -> None:
        """`family:` and `given:` give the split; the name as written stays for display."""
        work = self.work(tmp_path, "    family: Fernández O'Brien\n    given: Lucía\n")
        author = work.authors[0]
        assert (author.given, author.family, author.name) == ("Lucía", "Fernández O'Brien", "Lucía Fernández O'Brien")
        assert chicago_text(work).startswith("Fernández O'Brien, Lucía. Puertos.")
        assert "AU  - Fernández O'Brien, Lucía\r\n" in ris(work)
        assert work.key == "fernandezobrien2026puertos"
        person = parse_string(bibtex(work), "bibtex").entries[work.key].persons["author"][0]
        assert codecs.decode(" ".join(person.last_names), "ulatex") == "{Fernández O'Brien}"
        assert codecs.decode(" ".join(person.first_names), "ulatex") == "Lucía"
        assert "Fernández O'Brien, Lucía" in rendered(cite_block(work))

    def test_csl_json_and_library_record(self, tmp_path: Path) -> None:
        """The bundle's CSL-JSON takes the split; the library record the name as written."""
        from perrypress.publish.bundle import csl_json

        work = self.work(tmp_path, "    family: Fernández O'Brien\n    given: Lucía\n")
        assert csl_json(work)[0]["author"] == [{"family": "Fernández O'Brien", "given": "Lucía"}]
        assert [a.name for a in work.authors] == ["Lucía Fernández O'Brien"]

    def test_family_only(self, tmp_path: Path) -> None:
        """`family:` alone (an institution, a single name) has no given name."""
        work = self.work(tmp_path, "    family: Fernández O'Brien\n")
        assert work.authors == [Author("", "Fernández O'Brien")]
        assert chicago_text(work).startswith("Fernández O'Brien. Puertos.")

    def test_given_without_family(self, tmp_path: Path) -> None:
        """`given:` with no `family:` is an error on its line of report.qmd."""
        with pytest.raises(DocumentError, match=r"report\.qmd:6: metadata: author 1 has 'given:' but no 'family:'"):
            self.work(tmp_path, "    bio: B\n    given: Lucía\n")
