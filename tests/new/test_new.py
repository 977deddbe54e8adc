"""`perrypress new`: a new paper project that builds at once, and the Spanish test paper made with it."""

from __future__ import annotations

import hashlib
import html
import json
import os
import re
import zipfile
from pathlib import Path

import pytest

from conftest import ROOT, SPANISH_AUTHOR, Project, new_paper
from perrypress.editions.citation import read_metadata
from perrypress.sources import bibliography
from perrypress.sources.config import data_files, load_config
from perrypress.sources.datapackage import check_package, foreign_key_fields, primary_key
from perrypress.new.project import slug
from readers import docx_footnotes, docx_text, docx_xml, html_text, pdf_structure, pdf_text

EDITIONS = ["pdf", "html", "docx"]
# What a new paper holds: its own files only, nothing of the tool (filters, templates, rules).
FILES = {".ci/run", ".gitignore", "README.md", "Snakefile", "config/config.yaml", "data/datapackage.json",
         "data/note-elements.csv", "data/sources.csv", "data/sources.bib", "references.bib", "report.qmd",
         "requirements.txt", "sections/01-introduction.qmd", "_quarto.yml"}


def words(text: str) -> str:
    """Text with every run of spaces (non-breaking ones too) and line ends as one space."""
    return " ".join(text.replace("\xa0", " ").split())


def scaffold(destination: Path, title: str = "Ports and Storms", author: str = "Ana Smith", *args: str) -> Project:
    """A new paper made with `perrypress new` (not built)."""
    result = new_paper(destination, "--title", title, "--author", author, *args)
    assert result.returncode == 0, result.stderr
    return Project(destination, name=load_config(destination / "config" / "config.yaml", root=destination)
                   ["output_name"])


class TestScaffold:
    """What `perrypress new` writes."""

    @pytest.mark.parametrize("lang", ["en", "es"])
    def test_the_papers_files_and_none_of_the_tool(self, tmp_path: Path, lang: str) -> None:
        """The paper's own files, a valid configuration, no copy of the workflow, filters or templates (the build
        copies them into _build/quarto-files/ for `quarto render`)."""
        paper = scaffold(tmp_path / "paper", "T", "A", "--lang", lang)
        written = {str(p.relative_to(paper.root)) for p in paper.root.rglob("*") if p.is_file()}
        assert written == FILES
        # The Quarto project names only what the build writes under _build/: the same file as this repository's.
        assert (paper.root / "_quarto.yml").read_bytes() == (ROOT / "_quarto.yml").read_bytes()
        assert os.access(paper.root / ".ci" / "run", os.X_OK)
        meta, _ = read_metadata(paper.root / "report.qmd")
        assert meta["lang"] == {"en": "en-US", "es": "es-ES"}[lang]

    @pytest.mark.parametrize("lang", ["en", "es"])
    def test_data_is_a_valid_data_package(self, tmp_path: Path, lang: str) -> None:
        """The table's CSV is a resource of data/datapackage.json, its provenance a foreign key into sources.csv."""
        paper = scaffold(tmp_path / "paper", 'Ports: "Hubs" \\ #Risks', "A", "--lang", lang)
        package = paper.root / "data" / "datapackage.json"
        descriptor = json.loads(package.read_text(encoding="utf-8"))
        assert descriptor["name"] == "ports-hubs-risks-data" and "Ports: \"Hubs\" \\ #Risks" in descriptor["title"]
        resources = {r["name"]: r for r in descriptor["resources"]}
        assert set(resources) == {"note-elements", "sources"}
        assert foreign_key_fields(resources["note-elements"]) == ["source_key"]
        assert primary_key(resources["note-elements"]) == ["element"]
        assert not list(paper.root.rglob("*.schema.yaml"))
        config = load_config(paper.root / "config" / "config.yaml", root=paper.root)
        assert all("kind" not in table for table in config["tables"].values())
        check_package(package, data_files=[paper.root / name for name in data_files(config)])
        # sources.csv is what the bibliographies say, word for word (the build's bibliography check).
        bibliography.check(paper.root / "references.bib", report=paper.root / "report.qmd",
                           sources=sorted((paper.root / "sections").glob("*.qmd")),
                           sources_table=paper.root / "data" / "sources.csv",
                           provenance_bib=paper.root / "data" / "sources.bib")

    def test_snakefile_is_this_repositorys(self, tmp_path: Path) -> None:
        """A paper's Snakefile is the one this repository (the first paper) builds with."""
        paper = scaffold(tmp_path / "paper")
        assert (paper.root / "Snakefile").read_text(encoding="utf-8") == (ROOT / "Snakefile").read_text(encoding="utf-8")

    def test_every_metadata_field_the_editions_use(self, tmp_path: Path) -> None:
        """report.qmd has every key this repository's report.qmd gives the editions (less its own extras)."""
        paper = scaffold(tmp_path / "paper")
        meta, _ = read_metadata(paper.root / "report.qmd")
        ours, _ = read_metadata(ROOT / "report.qmd")
        paper_only = {"subtitle", "nocite", "corrections"}  # optional, or this paper's own
        assert set(ours) - paper_only <= set(meta)
        for key in ("series", "publisher", "library", "site"):
            assert set(ours[key]) <= set(meta[key]), key
        assert set(ours["author"][0]) <= set(meta["author"][0])

    @pytest.mark.parametrize(("title", "author"), [
        ('Ports: "Hubs" & #Risks', "Ana O'Neil"),
        ("- a dash first, {braces}, [brackets], @at, *star*, %per, `tick`", "yes"),
        ("null", "2024"),
        ("A title long enough to be folded over several lines of the metadata block: it goes on and on and on",
         "Zoë  Two  Spaces"),
        ("Tab\tand back\\slash", "Ñandú"),
    ])
    def test_yaml_special_characters(self, tmp_path: Path, title: str, author: str) -> None:
        """Titles and authors with YAML's special characters read back exactly as given."""
        paper = scaffold(tmp_path / "paper", title, author)
        meta, _ = read_metadata(paper.root / "report.qmd")
        assert meta["title"] == title and meta["author"][0]["name"] == author

    def test_refuses_a_folder_that_is_not_empty(self, tmp_path: Path) -> None:
        """A folder with anything in it is refused with a clear message, and left as it was."""
        folder = tmp_path / "paper"
        folder.mkdir()
        (folder / "notes.txt").write_text("mine\n", encoding="utf-8")
        result = new_paper(folder, "--title", "T", "--author", "A")
        assert result.returncode == 1
        assert f"{folder}: the folder is not empty — give the name of a new folder" in result.stderr
        assert "Traceback" not in result.stderr
        assert [p.name for p in folder.iterdir()] == ["notes.txt"]

    def test_an_empty_folder_is_used(self, tmp_path: Path) -> None:
        """An existing empty folder is fine."""
        (tmp_path / "paper").mkdir()
        scaffold(tmp_path / "paper")

    def test_unknown_language(self, tmp_path: Path) -> None:
        """A language with no scaffold is refused, naming those there are."""
        result = new_paper(tmp_path / "paper", "--title", "T", "--author", "A", "--lang", "fr")
        assert result.returncode == 1 and "use --lang with one of en, es" in result.stderr

    def test_slug(self) -> None:
        """The editions' file name: ASCII words, hyphens, at most 60 characters, no cut word."""
        assert slug('La cooperación: "lecciones" del Caribe') == "la-cooperacion-lecciones-del-caribe"
        assert slug("word " * 30) == "-".join(["word"] * 12)
        assert slug("¿?") == "paper"

    def test_the_workflow_plans_three_editions(self, tmp_path: Path) -> None:
        """Plain `snakemake` in a new paper finds the package's rules and plans the three editions."""
        paper = scaffold(tmp_path / "paper")
        result = paper.snakemake("--dry-run", "--quiet", "rules")
        for rule in ("edition_pdf", "edition_html", "edition_docx", "table", "style_typst"):
            assert rule in result.stdout


@pytest.mark.slow
def test_english_paper_builds_at_once(tmp_path: Path) -> None:
    """`perrypress new` then `perrypress build`: three editions, no warning at all."""
    paper = scaffold(tmp_path / "paper", 'Ports: "Hubs" & #Risks', "Ana O'Neil")
    result = paper.perrypress("build")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()
    for ext in EDITIONS:
        assert paper.edition(ext).stat().st_size > 10_000
    assert "By Ana O’Neil" in pdf_text(paper.edition("pdf"))  # the apostrophe survives on the cover
    assert "Table 1: Elements of a Note Citing a Book" in words(docx_text(paper.edition("docx")))


@pytest.mark.slow
class TestSpanishPaper:
    """The second paper, in Spanish, scaffolded with `perrypress new --lang es`, edited and built."""

    def test_three_editions(self, spanish_papers: tuple[Project, Project]) -> None:
        """The build makes the PDF, HTML and DOCX editions."""
        paper = spanish_papers[0]
        for ext in EDITIONS:
            assert paper.edition(ext).stat().st_size > 10_000

    def test_byte_identical_across_two_builds(self, spanish_papers: tuple[Project, Project]) -> None:
        """Two clean builds in folders with different paths write the same bytes."""
        first, second = spanish_papers
        for ext in EDITIONS:
            assert hashlib.sha256(first.edition(ext).read_bytes()).digest() == \
                hashlib.sha256(second.edition(ext).read_bytes()).digest(), ext

    def test_html_in_spanish(self, spanish_papers: tuple[Project, Project]) -> None:
        """The page: lang es-ES, Spanish labels, notes in Spanish (Ibid.), Spanish quotation marks."""
        edition = spanish_papers[0].edition("html")
        assert '<html lang="es-ES"' in edition.read_text(encoding="utf-8")
        page = html_text(edition)  # the notes are their own part of the page (tests/readers.py)
        text = words(" ".join(page.body + page.notes))
        for expected in ("Descargar PDF", "Cómo citar este artículo", "Contenido", "Notas", "Bibliografía",
                      "Sobre la autora", "Tabla 1: Fases", "La Tabla 1 resume", "Por Lucía Fernández O’Brien",
                      "que dura dieciséis días en total",
                      "«cuestiones de “protocolo”»", "Véase Rut Diamint, ed., Control civil", "Ibid.",
                      "Fernández O'Brien, Lucía. La cooperación militar"):  # the cite block, family: and given:
            assert expected in text, expected

    def test_docx_in_spanish(self, spanish_papers: tuple[Project, Project]) -> None:
        """Word: Spanish labels and two real footnotes, Chicago style with the es-ES locale's terms."""
        edition = spanish_papers[0].edition("docx")
        text = words(docx_text(edition))
        for expected in ("Sobre la autora", "Tabla 1: Fases", "Bibliografía", "«cuestiones de “protocolo”»",
                      "n.º 1 ("):
            assert expected in text, expected
        notes = [words(n) for n in docx_footnotes(edition)]
        assert len(notes) == 2
        assert notes[0].startswith("Véase Rut Diamint, ed., Control civil y fuerzas armadas")
        assert notes[1] == "Ibid."

    def test_pdf_in_spanish(self, spanish_papers: tuple[Project, Project]) -> None:
        """The PDF: Spanish labels, the notes as footnotes, Spanish quotation marks, /Lang es."""
        edition = spanish_papers[0].edition("pdf")
        text = words(pdf_text(edition))
        for expected in ("Sobre la autora", "Tabla 1: Fases", "Bibliografía", "Fuente: datos ficticios",
                      "«cuestiones de “protocolo”»", f"Por {SPANISH_AUTHOR.replace(chr(39), '’')}",
                      "1Véase Rut Diamint", "2Ibid."):
            assert expected in text, expected
        assert b"/Lang(es)" in edition.read_bytes()

    def test_bar_chart_in_every_edition(self, spanish_papers: tuple[Project, Project]) -> None:
        """The bar chart is Figura 1 in each edition (SVG in the page, PNG in Word, a tagged figure in the PDF),
        its alt text written from the data in Spanish, with decimal commas."""
        paper = spanish_papers[0]
        alt = json.loads((paper.root / "_variables.yml").read_text(encoding="utf-8"))["figures"]["ayuda"]["alt"]
        assert alt.startswith("Gráfico de barras de la parte de la ayuda que entregó cada medio de transporte")
        assert alt.endswith(": Aéreo: Primera semana 62,5 %, Segunda semana 30,5 %; Marítimo: Primera semana 24 %, "
                            "Segunda semana 51 %; Terrestre: Primera semana 13,5 %, Segunda semana 18,5 %.")
        texts = {"html": words(" ".join(html_text(paper.edition("html")).body)),
                 "docx": words(docx_text(paper.edition("docx"))), "pdf": words(pdf_text(paper.edition("pdf")))}
        for ext, text in texts.items():
            assert "Figura 1: Ayuda entregada por medio de transporte" in text, ext
            assert "Como muestra la Figura 1" in text, ext  # the cross-reference
        page = paper.edition("html").read_text(encoding="utf-8")
        images = re.findall(r"<img [^>]*>", page)
        assert len(images) == 1 and 'src="data:image/svg+xml;base64,' in images[0]
        assert f'alt="{html.escape(alt, quote=True)}"' in images[0]
        with zipfile.ZipFile(paper.edition("docx")) as archive:
            media = [archive.read(n) for n in archive.namelist() if n.startswith("word/media/")]
        assert len(media) == 1 and media[0].startswith(b"\x89PNG")
        assert f'descr="{html.escape(alt, quote=True)}"' in docx_xml(paper.edition("docx"), "word/document.xml")
        figures = [e for e in pdf_structure(paper.edition("pdf")) if str(e["/S"]) == "/Figure"]
        assert [str(f["/Alt"]) for f in figures] == [alt]

    @pytest.mark.parametrize("profile", ["2a", "ua1"])
    def test_pdf_passes_page_validation(self, spanish_papers: tuple[Project, Project], profile: str) -> None:
        """page-validation finds the Spanish PDF compliant with PDF/A-2a and PDF/UA-1."""
        import page

        report = page.validate_pdf(str(spanish_papers[0].edition("pdf")), profile=profile)
        assert report.is_compliant, report.failures
        assert not report.failures
