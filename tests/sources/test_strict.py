"""Strict sources: each kind of bad source stops the build with `file:line: what — fix`, and loses nothing."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import Project

EDITIONS = ["pdf", "html", "docx"]


def edit(path: str, old: str, new: str) -> Callable[[Path], None]:
    """A change to one source file: replace ``old`` (which must be there) with ``new``."""

    def apply(root: Path) -> None:
        target = root / path
        text = target.read_text(encoding="utf-8")
        assert old in text, f"{old!r} not in {path}"
        target.write_text(text.replace(old, new, 1), encoding="utf-8")

    return apply


def append(path: str, text: str) -> Callable[[Path], None]:
    """A change to one source file: add ``text`` at its end."""

    def apply(root: Path) -> None:
        with (root / path).open("a", encoding="utf-8") as handle:
            handle.write(text)

    return apply


def append_bytes(path: str, data: bytes) -> Callable[[Path], None]:
    """A change to one source file: add ``data`` (bytes, in any encoding) at its end."""

    def apply(root: Path) -> None:
        with (root / path).open("ab") as handle:
            handle.write(data)

    return apply


def png_named_jpg(root: Path) -> None:
    """A PNG saved under the name of the photograph the text shows (.jpg)."""
    from PIL import Image

    (root / "images").mkdir(exist_ok=True)
    Image.new("RGB", (60, 40), (10, 20, 30)).save(root / "images" / "tradewinds-2016.jpg", format="PNG")


@dataclass
class Case:
    """A bad source, and the start of the message it must produce."""

    change: Callable[[Path], None]
    message: str  # a regular expression the error output must contain
    args: tuple[str, ...] = ()


KARA = "@book{kara2017,\n  author = {Kara, Siddharth},\n  title = {Sex Trafficking},\n  publisher = {P},\n  date = {2017},\n}\n"

CASES = {
    "csv-non-numeric": Case(edit("data/regions.csv", "South America,8,", "South America,eight,"),
                            r"data/regions\.csv:4:3: column 'share_pct': 'eight' is not a number — "),
    "csv-out-of-range": Case(edit("data/regions.csv", "South America,8,", "South America,180,"),
                             r"data/regions\.csv:4:3: column 'share_pct': 180 is outside the allowed range"),
    "csv-missing-column": Case(edit("data/structures.csv", ",organised\n", "\n"),
                               r"data/structures\.csv:1: missing column\(s\) \['organised'\]"),
    "csv-extra-column": Case(edit("data/statistics.csv", "source_page\n", "source_page,comment\n"),
                             r"data/statistics\.csv:1: unexpected column\(s\) \['comment'\]"),
    "csv-empty-required": Case(edit("data/statistics.csv", "sa_women,87,", "sa_women,,"),
                               r"data/statistics\.csv:2:2: column 'value': the cell is empty but required — "),
    "csv-duplicate-key": Case(edit("data/regions.csv", "north_america,North America", "south_america,North America"),
                              r"data/regions\.csv:4: duplicate key \(slug\) = \(south_america\) — "),
    "bib-syntax": Case(append("references.bib", "\n@book{broken,\n  title = {Unclosed\n"),
                       r"references\.bib:\d+: syntax error"),
    "bib-duplicate-key": Case(append("references.bib", "\n" + KARA),
                              r"references\.bib:\d+: duplicate key 'kara2017' \(first defined on line 19\) — "),
    "bib-missing-field": Case(edit("references.bib", "  journaltitle = {Policing and Society},\n", ""),
                              r"references\.bib:160: entry 'powell2018' \(@article\) has no journaltitle or journal — "),
    "citation-key-case": Case(edit("sections/03-advent.qmd", "[@henry2016, 399]", "[@Henry2016, 399]"),
                              r"sections/03-advent\.qmd:\d+: citation key .@Henry2016. is not in references\.bib — did you mean"),
    "provenance-unknown-key": Case(edit("data/regions.csv", "South America,8,2009–2020/1,unodc2022,",
                                        "South America,8,2009–2020/1,unodc2099,"),
                                   r"data/regions\.csv:4:5: column 'source_key': 'unodc2099' is not a key of "
                                   r"data/sources\.csv — correct the key, or add the work to sources\.csv"),
    "provenance-source-drifts": Case(edit("data/sources.csv", "Persons: 2022", "Persons 2022"),
                                     r"data/sources\.csv:3:3: column 'title': 'Global Report on Trafficking in Persons "
                                     r"2022' is not what the entry 'unodc2022' says — write "),
    "unknown-citation": Case(edit("sections/04-responses.qmd", "cyber-enabled crimes.", "cyber-enabled crimes.[@nobody2099]"),
                             r"sections/04-responses\.qmd:\d+: citation key '@nobody2099' is not in references\.bib — "),
    "crossref-no-target": Case(edit("sections/03-advent.qmd", "(See @tbl-structures)", "(See @tbl-nothing)"),
                               r"sections/03-advent\.qmd:\d+: cross-reference @tbl-nothing has no target — "),
    "var-no-value": Case(edit("sections/03-advent.qmd", "{{< var stats.sa_women.pct >}}", "{{< var stats.nobody.pct >}}"),
                         r"sections/03-advent\.qmd:\d+: \{\{< var stats\.nobody\.pct >\}\}: no such variable — "),
    # Citations are checked by each edition over the whole document, so a section edit that drops
    # the only citation of an entry is caught as soon as it is built, as is an entry never cited.
    "entry-no-longer-cited": Case(edit("sections/02-what-is-it.qmd", "[@kara2017, 4]", ""),
                                  r"references\.bib:\d+: entry 'kara2017' is neither cited nor listed in nocite — "),
    "entry-never-cited": Case(append("references.bib", KARA.replace("kara2017", "unused2000")),
                              r"references\.bib:\d+: entry 'unused2000' is neither cited nor listed in nocite — "),
    "include-no-file": Case(edit("report.qmd", "sections/06-conclusions.qmd", "sections/07-missing.qmd"),
                            r"report\.qmd:\d+: included file 'sections/07-missing\.qmd' not found — "),
    "missing-asset-release": Case(lambda root: None,
                                  r"report\.qmd: release build: 2 missing asset\(s\): "
                                  r"sections/03-advent\.qmd:\d+: /images/tradewinds-2016\.jpg; "
                                  r"sections/04-responses\.qmd:\d+: /images/police-military-cucuta\.jpg — ",
                                  args=("--release",)),
    # A Latin-1 byte: the line and column, never a traceback.
    "section-not-utf8": Case(append_bytes("sections/02-what-is-it.qmd", b"\nCaf\xe9 con leche.\n"),
                             r"sections/02-what-is-it\.qmd:\d+: not UTF-8 text: byte 0xE9 at column 4 — save "),
    "report-not-utf8": Case(append_bytes("report.qmd", b"\n<!-- Caf\xe9 -->\n"),
                            r"report\.qmd:\d+: not UTF-8 text: byte 0xE9 at column 9 — "),
    "bib-not-utf8": Case(append_bytes("references.bib", b"\n% Caf\xe9\n"),
                         r"references\.bib:\d+: not UTF-8 text: byte 0xE9 at column 6 — "),
    "duplicate-section-id": Case(append("sections/02-what-is-it.qmd", "\n## Again {#sec-introduction}\n\nText.\n"),
                                 r"sections/02-what-is-it\.qmd:\d+: identifier #sec-introduction is already used at "
                                 r"sections/01-introduction\.qmd:1 — "),
    "duplicate-table-id": Case(append("sections/06-conclusions.qmd", "\n| a | b |\n|---|---|\n| 1 | 2 |\n\n: More {#tbl-law}\n"),
                               r"sections/06-conclusions\.qmd:\d+: identifier #tbl-law is already used at table law "
                               r"\(config/config\.yaml\) — "),
    "image-no-alt": Case(append("sections/06-conclusions.qmd", "\n![A chart](/figures/regions)\n"),
                         r"sections/06-conclusions\.qmd:\d+: image /figures/regions has no alt text — add \{fig-alt="),
    "glyph-not-in-fonts": Case(append("sections/01-introduction.qmd", "\nThe words 网络 in Chinese.\n"),
                               r"sections/01-introduction\.qmd:\d+: the PDF edition's fonts \(Source Serif 4, Source Sans 3\) "
                               r"have no \"网\" \(U\+7F51\), \"络\" \(U\+7EDC\) — "),
    "png-named-jpg": Case(png_named_jpg, r"sections/03-advent\.qmd:7: image /images/tradewinds-2016\.jpg cannot be read: "
                                         r"it is a PNG file named \.jpg — rename it"),
    "config-unknown-key": Case(edit("config/config.yaml", "mode: draft", "mode: draft\nmdoe: release"),
                               r"config/config\.yaml:\d+: mdoe: not a key here — did you mean 'mode'\? "),
    "config-wrong-type": Case(edit("config/config.yaml", "mode: draft", "mode: final"),
                              r"config/config\.yaml:\d+: mode: 'final' is not allowed — use one of: draft, release"),
}


def digests(project: Project) -> dict[str, str]:
    return {e: hashlib.sha256(project.edition(e).read_bytes()).hexdigest() for e in EDITIONS}


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_source_stops_the_build(built_copy: Project, name: str) -> None:
    """The build exits 1 with the file, line and a fix, prints no traceback, and the last editions survive."""
    case = CASES[name]
    before = digests(built_copy)
    case.change(built_copy.root)
    result = built_copy.perrypress("build", *case.args)
    assert result.returncode == 1, result.stdout + result.stderr
    assert re.search(case.message, result.stderr), result.stderr
    assert "Traceback" not in result.stderr
    assert digests(built_copy) == before
    assert not list((built_copy.root / "_build").glob(".tmp-*")), "a staging folder was left behind"


def test_missing_asset_only_warns_in_draft(built_copy: Project) -> None:
    """In a draft build, the missing photographs are warnings naming file and line, and the build succeeds."""
    append("sections/03-advent.qmd", "\nA new closing sentence.\n")(built_copy.root)
    result = built_copy.perrypress("build")
    assert result.returncode == 0, result.stderr
    assert re.search(r"sections/03-advent\.qmd:\d+: warning: asset /images/tradewinds-2016\.jpg not found", result.stderr)
    assert "A new closing sentence" in built_copy.edition("html").read_text(encoding="utf-8")


def test_release_build_succeeds_with_every_asset(built_copy: Project) -> None:
    """With the photographs in place a release build passes: no warning is left to stop it."""
    from PIL import Image

    images = built_copy.root / "images"
    images.mkdir(exist_ok=True)
    for name in ["tradewinds-2016.jpg", "police-military-cucuta.jpg"]:
        Image.new("RGB", (600, 400), (120, 130, 140)).save(images / name, quality=80)
    result = built_copy.perrypress("build", "--release")
    assert result.returncode == 0, result.stderr
    assert "Photograph to come" not in built_copy.edition("html").read_text(encoding="utf-8")
