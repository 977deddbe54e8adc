"""The second paper is as easy as the first: fonts made once per machine, every error at once, Spanish throughout."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import fontpkg_source_sans_3

from conftest import Project, new_paper
from perrypress.editions import font_cache, fonts, webfonts
from perrypress.editions.citation import bibtex, read_metadata, series_number, work_from_metadata
from perrypress.errors import SourceErrors
from perrypress.sources.config import load_config
from perrypress.sources.document import check_document
from perrypress.sources.labels import labels_for, table
from readers import docx_text, html_text, pdf_text

from .test_new import scaffold, words

SANS = sorted((fontpkg_source_sans_3.ROOT / "files").glob("*.ttf"))
FEW = [ord(c) for c in "Ab1"]  # a tiny cut: the cache's behaviour, not the fonts', is under test


class TestFontCache:
    """Instanced fonts come from the cache folder when the very same input was made before."""

    def test_the_folder(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.delenv(font_cache.ENV, raising=False)
        monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
        assert font_cache.cache_dir() == tmp_path / "xdg" / "perrypress"
        monkeypatch.delenv("XDG_CACHE_HOME")
        assert font_cache.cache_dir() == Path.home() / ".cache" / "perrypress"
        monkeypatch.setenv(font_cache.ENV, "off")
        assert font_cache.cache_dir() is None

    def test_same_bytes_with_or_without_the_cache(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        """Off, cold and warm give the same bytes; warm makes nothing; other settings are another entry."""
        upright = next(p for p in SANS if not fonts.is_italic(p))
        monkeypatch.setenv(font_cache.ENV, "off")
        fresh_web = webfonts.web_font(upright, unicodes=FEW)
        fresh_static = fonts.static_font(upright, tmp_path / "off.ttf", weight=600, unicodes=FEW).read_bytes()
        monkeypatch.setenv(font_cache.ENV, str(tmp_path / "cache"))
        assert webfonts.web_font(upright, unicodes=FEW) == fresh_web  # cold: made and stored
        assert fonts.static_font(upright, tmp_path / "cold.ttf", weight=600, unicodes=FEW).read_bytes() == fresh_static
        assert len(list((tmp_path / "cache" / "fonts").iterdir())) == 2

        def no_font_work(*args: object, **kwargs: object) -> None:
            raise AssertionError("font work with a filled cache")

        monkeypatch.setattr(webfonts, "_web_font", no_font_work)
        monkeypatch.setattr(fonts, "_instance", no_font_work)
        assert webfonts.web_font(upright, unicodes=FEW) == fresh_web  # warm
        assert fonts.static_font(upright, tmp_path / "warm.ttf", weight=600, unicodes=FEW).read_bytes() == fresh_static
        with pytest.raises(AssertionError, match="font work"):
            webfonts.web_font(upright, unicodes=FEW, weights=(400, 600))  # other settings: another key

    def test_a_half_written_entry_is_made_again(self, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
        monkeypatch.setenv(font_cache.ENV, str(tmp_path))
        made = font_cache.cached("k", sources=SANS[:1], code=[Path(font_cache.__file__)], settings=1,
                                 make=lambda: {"a": b"one"})
        entry = next((tmp_path / "fonts").iterdir())
        (entry / "index.json").unlink()  # a build killed before the index was written
        again = font_cache.cached("k", sources=SANS[:1], code=[Path(font_cache.__file__)], settings=1,
                                  make=lambda: {"a": b"one"})
        assert made == again == {"a": b"one"} and (entry / "index.json").exists()


@pytest.mark.slow
def test_a_second_paper_does_no_font_work(spanish_papers: tuple[Project, Project]) -> None:
    """The session's second build (another folder, the same fonts) takes every font from the cache."""
    logs = spanish_papers[1].root / "_build" / "logs"
    for step in ("web_fonts", "reference_docx", "figure_fonts"):
        text = (logs / f"{step}.log").read_text(encoding="utf-8")
        assert "from the font cache" in text, step


class TestEveryError:
    """Every mistake of the text at once, with suggestions for near misses, and config errors at the paper's key."""

    def test_three_mistakes_in_the_text(self, tmp_path: Path) -> None:
        paper = scaffold(tmp_path / "paper")
        section = paper.root / "sections" / "01-introduction.qmd"
        text = section.read_text(encoding="utf-8").replace("[@chicago2017, 14.1]", "[@Chicago2017, 14.1]")
        text += "\nSee @tbl-note-element.\n\n{{< include /_build/tables/ports.md >}}\n"
        section.write_text(text, encoding="utf-8")
        config = load_config(paper.root / "config" / "config.yaml", root=paper.root)
        (paper.root / "_build" / "tables").mkdir(parents=True)
        (paper.root / "_build" / "tables" / "note-elements.md").write_text(": x {#tbl-note-elements}\n")
        with pytest.raises(SourceErrors) as info:
            check_document(config, root=paper.root, keys={"chicago2017"})
        lines = str(info.value).splitlines()
        assert len(lines) == 3, lines
        assert any("table 'ports' is not declared — declare it under `tables:` in config/config.yaml" in line
                   for line in lines)
        assert any("@tbl-note-element has no target — did you mean 'tbl-note-elements'?" in line for line in lines)
        assert any("'@Chicago2017' is not in references.bib — did you mean '@chicago2017'?" in line for line in lines)
        assert all(re.match(r"\S+:\d+: ", line) for line in lines)

    def test_config_errors_point_at_the_papers_file(self, tmp_path: Path) -> None:
        paper = scaffold(tmp_path / "paper")
        path = paper.root / "config" / "config.yaml"
        text = path.read_text(encoding="utf-8")
        text = text.replace("    caption:", "    captoin:").replace("mode: draft", "mode: drafts")
        path.write_text(text, encoding="utf-8")
        result = paper.perrypress("build")
        assert result.returncode == 1
        assert "schema" not in result.stderr and "Traceback" not in result.stderr
        assert re.search(r"config/config\.yaml:\d+: mode: 'drafts' is not allowed — did you mean 'draft'\?",
                         result.stderr), result.stderr
        assert re.search(r"config/config\.yaml:\d+: tables\.note-elements\.captoin: not a key here — "
                         r"did you mean 'caption'\?", result.stderr), result.stderr


@pytest.mark.slow
def test_a_build_with_three_mistakes_reports_all_three(tmp_path: Path) -> None:
    """A data cell, a citation key and a table include, each wrong: one build names all three, with suggestions."""
    paper = scaffold(tmp_path / "paper")
    package = paper.root / "data" / "datapackage.json"
    descriptor = json.loads(package.read_text(encoding="utf-8"))
    field = descriptor["resources"][0]["schema"]["fields"][0]
    data = paper.root / "data" / "note-elements.csv"
    values = [line.split(",")[0] for line in data.read_text(encoding="utf-8").splitlines()[1:]]
    field["constraints"]["enum"] = values
    package.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False), encoding="utf-8")
    data.write_text(data.read_text(encoding="utf-8").replace(values[0], values[0].lower(), 1), encoding="utf-8")
    section = paper.root / "sections" / "01-introduction.qmd"
    section.write_text(section.read_text(encoding="utf-8").replace("[@chicago2017", "[@Chicago2017")
                       + "\n{{< include /_build/tables/ports.md >}}\n", encoding="utf-8")
    result = paper.perrypress("build")
    assert result.returncode == 1
    err = result.stderr
    assert f"'{values[0].lower()}' is not one of" in err and f"did you mean '{values[0]}'?" in err, err
    assert "did you mean '@chicago2017'?" in err, err
    assert "declare it under `tables:`" in err, err
    assert "Traceback" not in err


class TestSpanish:
    """The language's numbers, series number, month and heading."""

    def test_series_number_without_its_label(self) -> None:
        for text in ("No. 1", "no 1", "n.º 1", "N.º 1", "nº 1", "núm. 1", "1"):
            assert series_number(text) == "1", text
        assert series_number("Nov 1") == "Nov 1"

    def test_cite_block_and_bibtex(self, tmp_path: Path) -> None:
        paper = scaffold(tmp_path / "paper", "Puertos y tormentas", "Ana Gómez Ruiz", "--lang", "es")
        meta, text = read_metadata(paper.root / "report.qmd")
        labels = labels_for(meta, path=paper.root / "report.qmd", text=text)
        work = work_from_metadata(meta, path=paper.root / "report.qmd", text=text)
        assert work.number == "1" and work.key.startswith("gomezruiz")
        assert work.authors[0].inverted == "Gómez Ruiz, Ana"
        entry = bibtex(work, labels=labels)
        assert f'month = "{table("es")["months"][work.month - 1]}"' in entry

    def test_heading_gender(self) -> None:
        meta = {"lang": "es-ES", "author": [{"name": "Ana", "gender": "female"}]}
        assert labels_for(meta, path=Path("report.qmd"))["about-author"] == "Sobre la autora"
        meta["author"][0]["gender"] = "male"
        assert labels_for(meta, path=Path("report.qmd"))["about-author"] == "Sobre el autor"
        meta["perry-labels"] = {"about-author": "Sobre quien escribe"}
        assert labels_for(meta, path=Path("report.qmd"))["about-author"] == "Sobre quien escribe"

    def test_family_option(self, tmp_path: Path) -> None:
        paper = scaffold(tmp_path / "paper", "T", "Ana María Gómez", "--lang", "es", "--family", "Gómez")
        meta, _ = read_metadata(paper.root / "report.qmd")
        assert meta["author"][0]["family"] == "Gómez" and meta["author"][0]["given"] == "Ana María"
        result = new_paper(tmp_path / "other", "--title", "T", "--author", "Ana Gómez", "--family", "Ruiz")
        assert result.returncode == 1 and "is not the end of the name" in result.stderr

    @pytest.mark.parametrize("lang", ["en", "es"])
    def test_readme_in_the_papers_language_without_stray_quotes(self, tmp_path: Path, lang: str) -> None:
        paper = scaffold(tmp_path / "paper", "Puertos y tormentas", "A", "--lang", lang)
        readme = (paper.root / "README.md").read_text(encoding="utf-8")
        assert "`_build/puertos-y-tormentas.pdf`" in readme
        assert ("Las ediciones quedan en" in readme) == (lang == "es")
        for key in ("orientation", "alt_words", "legend", "anchors", "geometry", "height", "widths", "notes"):
            assert f"`{key}`" in readme, key


@pytest.mark.slow
class TestSpanishEditions:
    """The Spanish test paper's editions: numbers, series number and month in Spanish throughout."""

    def test_text_numbers_and_citation(self, spanish_papers: tuple[Project, Project]) -> None:
        paper = spanish_papers[0]
        page = paper.edition("html").read_text(encoding="utf-8")
        text = words(" ".join(html_text(paper.edition("html")).body))
        assert "n.º n.º" not in text and "Emerging Voices, n.º 1" in text
        meta, _ = read_metadata(paper.root / "report.qmd")
        month = table("es")["months"][int(str(meta["date"])[5:7]) - 1]
        assert f"month = {{{month}}}" in page or f'month = "{month}"' in page or f"month = &quot;{month}&quot;" in page
        for english in table("en")["months"]:
            assert f'month = "{english}"' not in page and f"month = &quot;{english}&quot;" not in page
        for ext, body in (("html", text), ("pdf", words(pdf_text(paper.edition("pdf")))),
                          ("docx", words(docx_text(paper.edition("docx"))))):
            assert "primera semana (62,5 %)" in body, ext
            assert "62.5" not in body, ext
