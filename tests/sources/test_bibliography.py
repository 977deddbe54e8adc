"""The bibliography: parses without warnings, no duplicates, complete entries, every citation known."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest
from pybtex.database import parse_file

from conftest import ROOT
from perrypress.sources.bibliography import check, check_fields, citations_in, parse
from perrypress.errors import BibliographyError, DocumentError

BIB = ROOT / "references.bib"
REPORT = ROOT / "report.qmd"
SECTIONS = sorted((ROOT / "sections").glob("*.qmd"))
STRUCTURES_KEYS = {"unodc2022"}  # cited from Table 2's data (data/structures.csv)


def test_parses_with_pybtex_without_warnings() -> None:
    """pybtex reads references.bib with no warning at all."""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        bib = parse_file(str(BIB))
    assert len(bib.entries) == 18


def test_project_bibliography_passes_every_check() -> None:
    """Sources and bibliography agree: every citation has an entry, every entry is cited or in nocite."""
    check(BIB, report=REPORT, sources=SECTIONS)


def test_every_entry_is_cited_or_nocite() -> None:
    """No entry of references.bib is left unused."""
    cited = {c.key for c in citations_in([REPORT, *SECTIONS])} | STRUCTURES_KEYS
    assert set(parse_file(str(BIB)).entries) == cited


def test_corporate_authors_are_braced() -> None:
    """Corporate authors are one name, not split into given and family names."""
    bib = parse_file(str(BIB))
    unodc = bib.entries["unodc2022"].persons["author"][0]
    assert str(unodc) == "{United Nations Office on Drugs and Crime}" and not unodc.first_names


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "references.bib"
    path.write_text(text, encoding="utf-8")
    return path


class TestErrors:
    """A broken bibliography is reported with the file, the line and a fix."""

    def test_syntax_error_has_line(self, tmp_path: Path) -> None:
        """pybtex's line number is passed on."""
        path = write(tmp_path, "@book{a,\n  title = {A},\n\n  author = {B\n}\n")
        with pytest.raises(BibliographyError) as info:
            parse(path)
        assert str(info.value).startswith(f"{path}:")

    def test_duplicate_key(self, tmp_path: Path) -> None:
        """The second entry with a key is named, with the first one's line."""
        entry = "@book{kara2017,\n  author = {Kara, S.},\n  title = {T},\n  publisher = {P},\n  date = {2017},\n}\n"
        path = write(tmp_path, entry + "\n" + entry)
        with pytest.raises(BibliographyError, match="duplicate key 'kara2017' \\(first defined on line 1\\)") as info:
            parse(path)
        assert str(info.value).startswith(f"{path}:8:")

    def test_missing_required_field(self, tmp_path: Path) -> None:
        """An article without a journal is named with its line."""
        path = write(tmp_path, "@article{x,\n  author = {A, B},\n  title = {T},\n  date = {2020},\n}\n")
        with pytest.raises(BibliographyError, match="'x' \\(@article\\) has no journaltitle or journal") as info:
            check_fields(parse(path), path)
        assert str(info.value).startswith(f"{path}:1:")

    def test_unknown_citation_key_names_section_and_line(self, tmp_path: Path) -> None:
        """A key cited in a section but absent from the bibliography names the section file and line."""
        section = tmp_path / "01-intro.qmd"
        section.write_text("# Intro\n\nA claim.[@nosuchkey2020, 4]\n", encoding="utf-8")
        with pytest.raises(DocumentError, match="'@nosuchkey2020' is not in references.bib") as info:
            check(BIB, report=REPORT, sources=[*SECTIONS, section])
        assert str(info.value).startswith(f"{section}:3:")

    def test_uncited_entry(self, tmp_path: Path) -> None:
        """An entry no source cites is reported."""
        extra = "\n@book{unused2000,\n  author = {U, V},\n  title = {T},\n  publisher = {P},\n  date = {2000},\n}\n"
        path = write(tmp_path, BIB.read_text(encoding="utf-8") + extra)
        with pytest.raises(BibliographyError, match="'unused2000' is neither cited nor listed in nocite"):
            check(path, report=REPORT, sources=[*SECTIONS, ROOT / "data" / "structures.csv"])


def test_citation_scan_ignores_crossrefs_and_escaped_at() -> None:
    """@fig-/@tbl- references, e-mail addresses and escaped @ are not citations."""
    sample = ROOT / "tests" / "fixtures" / "citations.md"
    keys = [c.key for c in citations_in([sample])]
    assert keys == ["kara2017", "unodc2022", "stockhem2020", "powell2018"]


def test_citation_keys_are_case_sensitive(tmp_path: Path) -> None:
    """'@Henry2016' is not '@henry2016' for citeproc, so it fails, suggesting the right key."""
    section = tmp_path / "03.qmd"
    section.write_text("A claim.[@Henry2016, 399]\n", encoding="utf-8")
    with pytest.raises(DocumentError, match="did you mean '@henry2016'") as info:
        check(BIB, report=REPORT, sources=[*SECTIONS, section])
    assert str(info.value).startswith(f"{section}:1:")


def test_keys_written_by_the_check_are_read_back(tmp_path: Path) -> None:
    """The check's keys file holds every entry's key, which the editions read instead of parsing the .bib."""
    from perrypress.sources.bibliography import parse, read_keys, write_keys

    bib = parse(ROOT / "references.bib")
    write_keys(bib, tmp_path / "checks" / "keys.txt")
    assert read_keys(tmp_path / "checks" / "keys.txt") == set(bib.entries)
