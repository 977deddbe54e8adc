"""The Quarto path: _quarto.yml matches the pandoc path, filters work as Quarto runs them, `quarto render`."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml

from conftest import PANDOC, ROOT, Project
from perrypress import resources
from perrypress.workflow import quarto, quarto_files
from perrypress.cli import main
from perrypress.sources.config import load_config

QUARTO_YML = yaml.safe_load((ROOT / "_quarto.yml").read_text(encoding="utf-8"))
FORMATS = QUARTO_YML["format"]
DEFAULTS = {name: yaml.safe_load(resources.defaults(name).read_text(encoding="utf-8"))
            for name in ("common", "html", "docx", "typst")}
CONFIG = load_config(ROOT / "config" / "config.yaml", root=ROOT)
AS_QUARTO = ROOT / "tests" / "fixtures" / "quarto" / "as-quarto.lua"
# Filters of pandoc/defaults/common.yaml that Quarto replaces with its own implementation
# (include and var shortcodes, crossref, content-visible, fig-alt), and citeproc itself, which
# under Quarto runs last (PDF) or inside front-back-matter (HTML, DOCX). note-numbers and
# note-separator run under Quarto too (TestCiteprocLast).
QUARTO_BUILT_IN = {"include", "conditional-content", "variables", "crossref", "project-paths", "alt-text",
                   "citeproc"}
# Quarto's `pdf-standard` values for typst (quarto-cli src/resources/schema/document-pdfa.yml,
# commit 40e7bec4, tags formats: [$pdf-all, typst]).
# Quarto's default `citeproc` per format when the document has a bibliography: typst's is false
# (quarto-cli src/format/typst/format-typst.ts), the others run citeproc unless told not to
# (src/command/render/filters.ts, citeMethod).
QUARTO_DEFAULT_CITEPROC = {"html": True, "docx": True, "typst": False}
QUARTO_PDF_STANDARDS = {"1.4", "1.5", "1.6", "1.7", "2.0", "a-1b", "a-2a", "a-2b", "a-2u", "a-3a", "a-3b", "a-3u",
                        "a-4", "a-4f", "a-1a", "a-4e", "ua-1", "ua-2"}


def in_repository(value: str) -> str:
    """A path of a pandoc defaults file (``${.}`` is the defaults' folder) as _quarto.yml spells it: the package's
    pandoc files are the copy the workflow writes into _build/quarto-files/pandoc/ (workflow/quarto_files.py)."""
    path = Path(os.path.normpath(value.replace("${.}", str(resources.DEFAULTS))))
    if not path.is_absolute():
        return value
    return str(quarto_files.FOLDER / "pandoc" / path.relative_to(resources.PANDOC))


def in_package(value: str) -> Path:
    """The package's file that _quarto.yml names by its copy under _build/quarto-files/pandoc/."""
    return resources.PANDOC / Path(value).relative_to(quarto_files.FOLDER / "pandoc")


def on_resource_path(name: str) -> str:
    """A file the HTML defaults find on their resource path, as _quarto.yml spells it."""
    for folder in DEFAULTS["html"]["resource-path"]:
        path = Path(os.path.normpath(f"{folder}/{name}".replace("${.}", str(resources.DEFAULTS))))
        if path.is_absolute() and path.is_file():
            return in_repository(str(path))
    raise AssertionError(f"{name} is not on the HTML defaults' resource path")


def names(filters: list[str]) -> list[str]:
    """Filter names without folder and extension ('quarto' and 'citeproc' stay as they are)."""
    return [Path(f).stem for f in filters]


def quarto_runs_citeproc(name: str) -> bool:
    """Whether Quarto appends its own citeproc pass after every filter of format ``name``."""
    return FORMATS[name].get("citeproc", QUARTO_DEFAULT_CITEPROC[name])


class TestSameAsPandocPath:
    """Each Quarto format names the template, styles, reference document and filters the pandoc path uses."""

    @pytest.mark.parametrize("name", ["html", "docx"])
    def test_template(self, name: str) -> None:
        """HTML and DOCX use the pandoc path's template."""
        assert FORMATS[name]["template"] == in_repository(DEFAULTS[name]["template"])

    def test_typst_partials_are_perry_typst(self) -> None:
        """The typst partials carry perry.typst's import and conf() call, character for character."""
        perry = (resources.TEMPLATES / "perry.typst").read_text(encoding="utf-8")
        partials = {Path(p).name: in_package(p).read_text(encoding="utf-8")
                    for p in FORMATS["typst"]["template-partials"]}
        assert set(partials) == {"typst-template.typ", "typst-show.typ"}
        show = partials["typst-show.typ"]
        assert show[show.index("#show: doc => conf("):] in perry
        for line in partials["typst-template.typ"].splitlines():
            if line.startswith("#"):
                assert line in perry

    def test_html_styles_and_page_parts(self) -> None:
        """The HTML page gets the same stylesheets, script, cite block and heading shift."""
        html, pandoc_html = FORMATS["html"], DEFAULTS["html"]
        assert html["css"] == [in_repository(c) for c in pandoc_html["css"]]
        assert html["include-after-body"] == pandoc_html["include-after-body"]
        assert html["metadata"]["script"] == [on_resource_path(s) for s in pandoc_html["variables"]["script"]]
        for key in ("embed-resources", "toc", "toc-depth", "shift-heading-level-by", "section-divs",
                    "default-image-extension"):
            assert html[key] == pandoc_html[key], key

    def test_docx_reference_doc(self) -> None:
        """The DOCX uses the reference document the workflow writes."""
        assert FORMATS["docx"]["reference-doc"] == in_repository(DEFAULTS["docx"]["reference-doc"])
        assert FORMATS["docx"]["default-image-extension"] == DEFAULTS["docx"]["default-image-extension"]

    @pytest.mark.parametrize("name", ["html", "docx", "typst"])
    def test_filters(self, name: str) -> None:
        """Every project filter of the pandoc path runs under Quarto, in the same order, unless Quarto has its own."""
        pandoc_path = [f for f in names(DEFAULTS["common"]["filters"] + DEFAULTS[name].get("filters", []))
                       if f not in QUARTO_BUILT_IN]
        if name != "typst":
            pandoc_path.remove("typst-blocks")  # a no-op outside Typst
        quarto_path = [f for f in names(FORMATS[name]["filters"]) if f != "quarto"]
        assert sorted(quarto_path) == sorted(pandoc_path)
        assert "quarto" in names(FORMATS[name]["filters"])

    @pytest.mark.parametrize("name", ["html", "docx", "typst"])
    def test_citeproc_runs_once(self, name: str) -> None:
        """citeproc runs once: in front-back-matter (HTML, DOCX, `citeproc: false`) or Quarto's, last (PDF)."""
        in_filter = "front-back-matter" in names(FORMATS[name]["filters"])
        assert in_filter + quarto_runs_citeproc(name) == 1
        # The PDF's citations are pandoc citeproc's, not Typst's own bibliography.
        assert FORMATS["typst"]["citeproc"] is True

    def test_html_without_quarto_page_features(self) -> None:
        """The page is perry.html's: no Bootstrap, quarto.js, tippy, anchors or clipboard."""
        assert FORMATS["html"]["minimal"] is True

    def test_typst_fonts_and_pdf_standard(self) -> None:
        """The PDF uses the configured fonts from the folder the workflow fills, and PDF/A-2a + PDF/UA-1."""
        typst = FORMATS["typst"]
        assert typst["font-paths"] == [str(quarto_files.FOLDER / "fonts")]
        assert typst["pdf-standard"] == ["a-2a", "ua-1"]
        assert set(typst["pdf-standard"]) <= QUARTO_PDF_STANDARDS

    def test_output_dir(self) -> None:
        """Quarto writes where quarto.py collects the editions."""
        assert QUARTO_YML["project"]["output-dir"] == str(quarto.OUTPUT_DIR)

    def test_every_named_file_is_the_packages(self) -> None:
        """Every filter, template and partial _quarto.yml names is a copy of one of the package's files."""
        named = [f for name in FORMATS for f in FORMATS[name].get("filters", []) if f != "quarto"]
        named += [FORMATS["html"]["template"], FORMATS["docx"]["template"], *FORMATS["typst"]["template-partials"]]
        for value in named:
            assert in_package(value).is_file(), value
        # The path gate first (the whole document, before any format drops its conditional content), then
        # the authors' records read in Quarto's shape or pandoc's, before any filter that prints them.
        assert all(names(FORMATS[name]["filters"])[:2] == ["inside-project", "authors"] for name in FORMATS)

    def test_metadata_and_post_render_from_the_build(self) -> None:
        """The metadata file and the post-render script are the ones the workflow writes."""
        assert QUARTO_YML["metadata-files"] == [str(quarto_files.FOLDER / "metadata.yml")]
        assert QUARTO_YML["project"]["post-render"] == [str(quarto_files.FOLDER / "post-render")]

    def test_new_paper_gets_the_same_file(self) -> None:
        """`perrypress new` writes this very _quarto.yml: it names only _build/ files, the same for every paper."""
        from perrypress.new.project import SCAFFOLD

        assert (SCAFFOLD / "common" / "_quarto.yml").read_bytes() == (ROOT / "_quarto.yml").read_bytes()

        def values(node: object) -> list[str]:
            if isinstance(node, dict):
                return [v for item in node.values() for v in values(item)]
            if isinstance(node, list):
                return [v for item in node for v in values(item)]
            return [str(node)]
        paths = [v for v in values(QUARTO_YML) if "/" in v]
        assert paths and all(v.startswith("_build/") for v in paths), paths


class TestQuartoFiles:
    """_build/quarto-files/, written by the workflow (rule quarto_files) for `quarto render`."""

    @pytest.fixture(scope="class")
    def files(self, tmp_path_factory: pytest.TempPathFactory) -> Path:
        """The folder written once for this repository's paper."""
        out = tmp_path_factory.mktemp("quarto-files") / "quarto-files"
        (out / "stale").mkdir(parents=True)
        return quarto_files.write_quarto_files(ROOT, CONFIG, out)

    def test_pandoc_files_copied(self, files: Path) -> None:
        """Each filter, template and partial is the package's, byte for byte; nothing stale is left."""
        for part in quarto_files.PANDOC_PARTS:
            for source in (resources.PANDOC / part).rglob("*"):
                if source.is_file() and "__pycache__" not in source.parts:
                    assert (files / "pandoc" / source.relative_to(resources.PANDOC)).read_bytes() == source.read_bytes()
        assert not (files / "stale").exists()

    def test_metadata(self, files: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """The pandoc path's labels, titles, edition name, mode and fonts; the PDF's date at SOURCE_DATE_EPOCH."""
        from perrypress.sources.labels import pandoc_metadata
        from perrypress.sources.metadata import read_metadata

        written = yaml.safe_load((files / "metadata.yml").read_text(encoding="utf-8"))
        meta, text = read_metadata(ROOT / "report.qmd")
        for key, value in pandoc_metadata(meta, path=ROOT / "report.qmd", text=text).items():
            assert written[key] == value, key
        assert written["toc-title"] == "Contents" and "labels" not in written
        assert written["edition-name"] == CONFIG["output_name"] and written["build-mode"] == CONFIG["mode"]
        assert (written["serif-font"], written["sans-font"]) == (CONFIG["fonts"]["serif"]["family"],
                                                                 CONFIG["fonts"]["sans"]["family"])
        dated = quarto_files.quarto_metadata(ROOT, CONFIG, epoch=1704067200)
        assert dated["pdf-date"] == {"year": 2024, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0}
        assert dated["source-date-epoch"] == 1704067200

    def test_fonts_linked(self, files: Path) -> None:
        """font-paths' folder holds the configured fonts."""
        linked = sorted(p.name for p in (files / "fonts").iterdir())
        assert linked == sorted(p.name for p in __import__("perrypress.toolchain").toolchain.font_files(CONFIG["fonts"]))
        assert any("SourceSerif" in n for n in linked)

    def test_post_render_script(self, files: Path) -> None:
        """An executable script that runs `perrypress step quarto-finish` with this Python."""
        import sys

        script = files / "post-render"
        assert os.access(script, os.X_OK)
        text = script.read_text(encoding="utf-8")
        assert text.startswith(f"#!{sys.executable}\n") and '"quarto-finish"' in text


class TestQuartoFinish:
    """The post-render step: what the pandoc path does after pandoc, on Quarto's outputs."""

    def test_output_files_from_quarto(self, tmp_path: Path) -> None:
        """The list comes from QUARTO_PROJECT_OUTPUT_FILES, or from the file Quarto names instead."""
        assert quarto.project_output_files({"QUARTO_PROJECT_OUTPUT_FILES": "_build/quarto/a.html\n"}) == [
            "_build/quarto/a.html"]
        listing = tmp_path / "outputs.txt"
        listing.write_text("a.docx\nb.pdf\n", encoding="utf-8")
        assert quarto.project_output_files({"QUARTO_USE_FILE_FOR_PROJECT_OUTPUT_FILES": str(listing)}) == [
            "a.docx", "b.pdf"]

    def test_html_tidied_docx_dated(self, built: Project, tmp_path: Path) -> None:
        """The HTML gets html_markup.tidy; the DOCX its rows kept together and the build's date, whatever its own."""
        import zipfile

        from readers import docx_xml

        (tmp_path / "_build" / "quarto-files").mkdir(parents=True)
        (tmp_path / "_build" / "quarto-files" / "metadata.yml").write_text("source-date-epoch: 1704067200\n",
                                                                          encoding="utf-8")
        page = tmp_path / "page.html"
        page.write_text('<style type="text/css">p{}</style><div id="f" class="quarto-float" alt="A map">',
                        encoding="utf-8")
        docx = tmp_path / "paper.docx"
        with zipfile.ZipFile(built.edition("docx")) as source, zipfile.ZipFile(docx, "w") as out:
            for info in source.infolist():
                entry = zipfile.ZipInfo(info.filename, date_time=(2031, 5, 6, 7, 8, 10))
                data = source.read(info)
                if info.filename == "docProps/core.xml":
                    data = data.replace(b"2024-01-01T00:00:00Z", b"2031-05-06T07:08:10Z")
                out.writestr(entry, data.replace(b"<w:cantSplit />", b""))
        quarto.finish_outputs(tmp_path, ["page.html", "paper.docx", "paper.pdf"])
        assert page.read_text(encoding="utf-8") == '<style>p{}</style><div id="f" class="quarto-float">'
        assert "2024-01-01T00:00:00Z" in docx_xml(docx, "docProps/core.xml")
        assert "2031" not in docx_xml(docx, "docProps/core.xml")
        assert docx_xml(docx, "word/document.xml").count("<w:cantSplit />") > 0
        with zipfile.ZipFile(docx) as archive:
            assert {info.date_time for info in archive.infolist()} == {(2024, 1, 1, 0, 0, 0)}


class TestAuthorsBothWays:
    """authors.lua gives the same `perry-authors` from pandoc's metadata and from Quarto's normalised one."""

    PANDOC_SHAPE = {"author": [{"name": "Ana Pérez", "bio": "Ana *writes*."}, "Luis Gómez"]}
    # What Quarto hands user filters (quarto-cli src/command/render/pandoc.ts; filters/modules/authors.lua).
    QUARTO_SHAPE = {"author": ["Ana Pérez", "Luis Gómez"],
                    "authors": [{"id": 1, "name": {"literal": "Ana Pérez", "given": "Ana", "family": "Pérez"},
                                 "metadata": {"bio": "Ana *writes*."}},
                                {"id": 2, "name": {"literal": "Luis Gómez", "given": "Luis", "family": "Gómez"},
                                 "metadata": {}}],
                    "by-author": [{"name": {"literal": "Ana Pérez"}}]}

    @staticmethod
    def perry_authors(meta: dict, tmp_path: Path) -> list:
        """The `perry-authors` authors.lua leaves in the metadata, as pandoc JSON."""
        import json

        source = tmp_path / "in.md"
        source.write_text("---\n" + yaml.safe_dump(meta, allow_unicode=True) + "---\n\nText.\n", encoding="utf-8")
        result = subprocess.run([str(PANDOC), str(source), "-t", "json", "--lua-filter",
                                 str(resources.FILTERS / "authors.lua")], capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)["meta"]["perry-authors"]["c"]

    def test_same_authors(self, tmp_path: Path) -> None:
        """Names and bios alike; a plain name has no bio."""
        ours = self.perry_authors(self.PANDOC_SHAPE, tmp_path)
        assert self.perry_authors(self.QUARTO_SHAPE, tmp_path) == ours
        assert len(ours) == 2 and "bio" in ours[0]["c"] and "bio" not in ours[1]["c"]
        assert "Emph" in str(ours[0]["c"]["bio"])

    def test_given_and_family(self, tmp_path: Path) -> None:
        """`given:` and `family:` alone make the name."""
        authors = self.perry_authors({"author": [{"given": "Ana", "family": "Pérez"}]}, tmp_path)
        assert authors == self.perry_authors({"author": [{"name": "Ana Pérez"}]}, tmp_path)


def run_as_quarto(filter_name: str, project: Path, text: str, *args: str,
                  quarto_module: bool = True) -> subprocess.CompletedProcess[str]:
    """Run one project filter on ``text`` (a file outside ``project``), with or without a `quarto` module."""
    session = project.parent / "session"
    session.mkdir(exist_ok=True)
    (session / "report.md").write_text(text, encoding="utf-8")
    filter_file = resources.FILTERS / f"{filter_name}.lua"
    env = {k: v for k, v in os.environ.items() if k != "QUARTO_PROJECT_DIR"}
    env.update(TEST_QUARTO_PROJECT=str(project), TEST_FILTER=str(filter_file))
    lua = ["--lua-filter", str(AS_QUARTO if quarto_module else filter_file)]
    return subprocess.run([str(PANDOC), str(session / "report.md"), "-f", "markdown", *lua, *args],
                          cwd=project, env=env, capture_output=True, text=True)


class TestQuartoLuaModule:
    """With Quarto's `quarto` module present, filters take the root from quarto.project.directory."""

    def test_variables_from_quarto_project_directory(self, tmp_path: Path) -> None:
        """_variables.yml is read from quarto.project.directory, not beside the input."""
        project = tmp_path / "project"
        project.mkdir()
        (project / "_variables.yml").write_text('{"n": "7"}', encoding="utf-8")
        result = run_as_quarto("variables", project, "N {{< var n >}}.\n", "-t", "plain")
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "N 7."
        assert run_as_quarto("variables", project, "N {{< var n >}}.\n", "-t", "plain",
                             quarto_module=False).returncode != 0

    def test_docx_properties_keeps_only_writer_metadata(self, tmp_path: Path) -> None:
        """With Quarto's module present too, _quarto-vars, the bibliography and build settings are dropped.

        Under Quarto nothing after docx-properties reads them: variables are shortcodes, resolved in
        Quarto's pre stage, and with `citeproc: false` front-back-matter's is the only citeproc pass.
        """
        project = tmp_path / "project"
        project.mkdir()
        text = "---\ntitle: T\n_quarto-vars: {n: '7'}\nbibliography: refs.bib\nbuild-mode: draft\n---\n\nText.\n"
        for quarto_module in (True, False):
            result = run_as_quarto("docx-properties", project, text, "-t", "native", "-s", quarto_module=quarto_module)
            assert result.returncode == 0, result.stderr
            assert '"title"' in result.stdout
            for key in ("_quarto-vars", "bibliography", "build-mode"):
                assert f'"{key}"' not in result.stdout, (quarto_module, key)


class TestCanonicalLink:
    """Quarto lower-cases <LINK rel=canonical> before embedding, so its HTML omits it (og:url stays)."""

    def test_template_omits_canonical_link_on_request(self, tmp_path: Path) -> None:
        """omit-canonical-link drops the <LINK> element and nothing else."""
        def page(*extra: str) -> str:
            result = subprocess.run([str(PANDOC), "-f", "markdown", "-t", "html5", "--template",
                                     str(resources.TEMPLATES / "perry.html"),
                                     *extra],
                                    input="---\nsite: {canonical-url: 'https://example.org/x'}\n---\nText.\n", capture_output=True, text=True, cwd=ROOT)
            return result.stdout
        assert 'rel="canonical"' in page()
        omitted = page("-M", "omit-canonical-link=true")
        assert 'rel="canonical"' not in omitted
        assert page().replace(re.search(r"<LINK[^\n]*\n", page()).group(0), "") == omitted


class TestEngineOption:
    """perrypress build --engine quarto."""

    def test_missing_quarto_is_a_clear_error(self, monkeypatch: pytest.MonkeyPatch,
                                            capsys: pytest.CaptureFixture[str]) -> None:
        """Without quarto on PATH: exit 1 and a file:line message saying what to do, no traceback."""
        monkeypatch.setenv("PATH", "/nonexistent")
        code = main(["--root", str(ROOT), "build", "--engine", "quarto"])
        assert code == 1
        err = capsys.readouterr().err
        assert "_quarto.yml:1: quarto is not on PATH" in err and "perrypress build" in err
        assert "Traceback" not in err

    def test_render_commands(self) -> None:
        """One `quarto render --to FORMAT` per edition, named as the pandoc path names it."""
        assert quarto.render_command("quarto", "pdf", CONFIG) == [
            "quarto", "render", "report.qmd", "--to", "typst", "--output", f"{CONFIG['output_name']}.pdf"]


QUARTO = shutil.which("quarto")


def edition_text(path: Path) -> str:
    """The text of an edition, whitespace-normalised, with one reader per format (tests/readers.py)."""
    from readers import docx_footnotes, docx_text, html_text, pdf_text

    if path.suffix == ".pdf":
        text = pdf_text(path)
    elif path.suffix == ".docx":
        text = docx_text(path) + "\n".join(docx_footnotes(path))
    else:
        page = html_text(path)
        text = "".join(page.body) + "\n".join(page.notes)
    return " ".join(text.split())


# The warnings tolerated, both about Quarto's installation, not the paper:
# - with `pdf-standard` set and verapdf not installed (`quarto install verapdf`), Quarto says it
#   cannot check the PDF and goes on (quarto-cli src/core/verapdf.ts, validatePdfStandards);
#   perrypress checks PDF/A and PDF/UA itself (page-validation, below);
# - a Quarto run from quarto-cli's source without its bundled typst-gather tool (which a Quarto
#   release ships) stages its Typst packages without analysing them first
#   (src/command/render/output-typst.ts, analyzeNeededPackages).
QUARTO_INSTALLATION_WARNINGS = [
    re.compile(r"^[A-Z]*:? ?PDF standard validation requested but verapdf is not installed\.\n"
               r"Install with: quarto install verapdf\n"
               r"Standards requested: a-2a, ua-1\n?", re.MULTILINE),
    re.compile(r"^[A-Z]*:? ?typst-gather analyze failed; staging all packages as fallback: "
               r"typst-gather binary not found\.\nRun \./configure\.sh to build and install it\.\n?", re.MULTILINE),
]


def without_installation_warnings(stderr: str) -> str:
    """Quarto's stderr without its warnings about its own installation (colours removed)."""
    text = re.sub(r"\x1b\[[0-9;]*m", "", stderr)
    for warning in QUARTO_INSTALLATION_WARNINGS:
        text = warning.sub("", text)
    return text


needs_quarto = pytest.mark.skipif(QUARTO is None, reason="quarto is not on PATH (it cannot be installed on the "
                                                         "project's machines: TOOLCHAIN.md); install Quarto to run it")


@pytest.fixture(scope="module")
def release_like(built: Project, stand_in_photographs, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The session's built project, copied, with stand-in photographs, built again as a release (`perrypress build
    --release`): the pandoc path's editions, and everything `quarto render` reads."""
    destination = tmp_path_factory.mktemp("quarto-render") / "project"
    shutil.copytree(built.root, destination, ignore=shutil.ignore_patterns(".git", "__pycache__"))
    project = Project(destination)
    stand_in_photographs(project.root)
    result = project.perrypress("build", "--release")
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return project


def quarto_render(project: Project, edition: str) -> tuple[subprocess.CompletedProcess[str], bytes]:
    """Run plain `quarto render` for one edition, in an environment without SOURCE_DATE_EPOCH; return it and the file."""
    env = {k: v for k, v in os.environ.items() if k != "SOURCE_DATE_EPOCH"}
    result = subprocess.run(quarto.render_command(QUARTO, edition, CONFIG), cwd=project.root, env=env,
                            capture_output=True, text=True)
    rendered = project.root / quarto.OUTPUT_DIR / f"{CONFIG['output_name']}.{edition}"
    return result, rendered.read_bytes() if result.returncode == 0 else b""


@pytest.mark.slow
@needs_quarto
class TestQuartoRender:
    """After `perrypress build`, plain `quarto render` makes the three editions the pandoc path makes."""

    @pytest.fixture(scope="class")
    def renders(self, release_like: Project) -> dict[str, tuple[subprocess.CompletedProcess[str], bytes, bytes]]:
        """Each edition rendered twice: (first run, its bytes, the second run's bytes)."""
        found = {}
        for edition in ("pdf", "html", "docx"):
            first, data = quarto_render(release_like, edition)
            _, again = quarto_render(release_like, edition)
            found[edition] = (first, data, again)
        return found

    @pytest.mark.parametrize("edition", ["pdf", "html", "docx"])
    def test_renders_without_warning(self, renders, edition: str) -> None:
        """Exit 0, and nothing on stderr but Quarto's warnings about its own installation."""
        result = renders[edition][0]
        assert result.returncode == 0, result.stderr
        stderr = without_installation_warnings(result.stderr)
        assert "WARN" not in stderr and "ERROR" not in stderr, stderr

    @pytest.mark.parametrize("edition", ["pdf", "html", "docx"])
    def test_same_text_as_pandoc_path(self, renders, release_like: Project, edition: str) -> None:
        """The same text, notes included, as the pandoc path's edition (tests/readers.py)."""
        assert renders[edition][1]
        rendered = release_like.root / quarto.OUTPUT_DIR / f"{CONFIG['output_name']}.{edition}"
        assert edition_text(rendered) == edition_text(release_like.edition(edition))
        assert "Zoe Nelson" in edition_text(rendered)

    @pytest.mark.parametrize("edition", ["pdf", "html", "docx"])
    def test_byte_identical_across_runs(self, renders, edition: str) -> None:
        """Two renders of the same sources are the same bytes (the build's SOURCE_DATE_EPOCH, not the clock)."""
        _, first, second = renders[edition]
        assert first and first == second

    def test_notes_and_pages(self, renders, release_like: Project) -> None:
        """As many notes in the HTML and DOCX, and as many PDF pages, as on the pandoc path."""
        from readers import docx_footnotes, html_text, pdf_pages

        out = release_like.root / quarto.OUTPUT_DIR / CONFIG["output_name"]
        ours = html_text(release_like.edition("html"))
        quartos = html_text(out.with_suffix(".html"))
        def notes(page) -> str:
            return " ".join("".join(page.notes).split())
        assert len(notes(ours)) > 1000 and notes(quartos) == notes(ours)
        assert len(docx_footnotes(out.with_suffix(".docx"))) == len(docx_footnotes(release_like.edition("docx"))) > 50
        assert len(pdf_pages(out.with_suffix(".pdf"))) == len(pdf_pages(release_like.edition("pdf")))

    def test_html_page_as_pandoc_paths(self, renders, release_like: Project) -> None:
        """The page's Download and Cite actions, its contents heading, and the tidied markup."""
        page = (release_like.root / quarto.OUTPUT_DIR / f"{CONFIG['output_name']}.html").read_text(encoding="utf-8")
        name = CONFIG["output_name"]
        for action in (f'href="{name}.pdf"', f'href="{name}.docx"', 'href="#cite-this-paper"'):
            assert action in page, action
        assert '<h2 id="toc-title">Contents</h2>' in page
        assert '<style type="text/css">' not in page and '<img role="img" ' not in page
        assert '<time datetime="2024-01">' in page

    @pytest.mark.parametrize("profile", ["2a", "ua1"])
    def test_pdf_compliant(self, renders, release_like: Project, profile: str) -> None:
        """page-validation finds Quarto's PDF compliant with PDF/A-2a and PDF/UA-1."""
        import page

        report = page.validate_pdf(str(release_like.root / quarto.OUTPUT_DIR / f"{CONFIG['output_name']}.pdf"),
                                   profile=profile)
        assert report.is_compliant and not report.failures, report.failures

    def test_nu_html_checker(self, renders, release_like: Project) -> None:
        """The Nu Html Checker reports no error and no warning on Quarto's page either."""
        import json

        jar = ROOT / ".ci" / "node" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
        if shutil.which("java") is None or not jar.exists():
            pytest.skip("the Nu Html Checker needs Java and npm's vnu-jar (.ci/run installs both)")
        page = release_like.root / quarto.OUTPUT_DIR / f"{CONFIG['output_name']}.html"
        result = subprocess.run(["java", "-jar", str(jar), "--format", "json", str(page)],
                                capture_output=True, text=True, timeout=300)
        messages = json.loads(result.stderr or result.stdout)["messages"]
        flagged = [m for m in messages if m["type"] == "error" or m.get("subType") == "warning"
                   or m["type"] == "non-document-error"]
        assert not flagged, [(m.get("lastLine"), m["message"]) for m in flagged]


@pytest.mark.slow
@needs_quarto
@pytest.mark.parametrize("edition", ["html", "pdf"])
def test_a_refused_source_stops_quarto_render(release_like: Project, tmp_path: Path, edition: str) -> None:
    """The project's filters stop `quarto render` (Quarto's own error() only logs and goes on): an event
    handler in a section is a failed render that writes no edition, not an ERROR line and a page that runs it."""
    project = Project(tmp_path / "project")
    shutil.copytree(release_like.root, project.root)
    shutil.rmtree(project.root / quarto.OUTPUT_DIR, ignore_errors=True)  # another test's renders
    with (project.root / "sections" / "06-conclusions.qmd").open("a", encoding="utf-8") as handle:
        handle.write('\nA [span]{onclick="alert(1)"} here.\n')
    result, rendered = quarto_render(project, edition)
    assert result.returncode != 0 and rendered == b"", result.stderr[-2000:]
    assert "attribute onclick is an event handler" in result.stderr
    assert not (project.root / quarto.OUTPUT_DIR / f"{CONFIG['output_name']}.{edition}").exists()


def as_quarto(filter_path: str, project: Path, folder: Path) -> Path:
    """A wrapper that runs one filter as Quarto loads it: `quarto` module present, its own PANDOC_SCRIPT_FILE."""
    path = (ROOT / filter_path.replace("${.}", str(resources.DEFAULTS))).resolve()
    if path.is_relative_to(ROOT / quarto_files.FOLDER):
        # _quarto.yml names the build's copy of the package's filters: run the package's own (the copy
        # exists only after a build, and TestQuartoFiles checks that it is one).
        path = in_package(filter_path)
    wrapper = folder / f"as-quarto-{path.stem}.lua"
    wrapper.write_text(f"quarto = {{ project = {{ directory = {str(project)!r} }} }}\n"
                       f"PANDOC_SCRIPT_FILE = {str(path)!r}\nreturn dofile(PANDOC_SCRIPT_FILE)\n", encoding="utf-8")
    return wrapper


class TestCiteprocLast:
    """Under Quarto the filters run in Quarto's order: the editions must not change.

    The pandoc path's edition command is run with its filters in Quarto's order — the filters
    Quarto replaces and those listed before `quarto` in _quarto.yml (in the pandoc path's
    order), then the format's filters listed after `quarto`, the project's filters with
    Quarto's `quarto` module present, then citeproc if Quarto runs it (after every filter:
    quarto-cli src/command/render/filters.ts, resolveFilters; the PDF's `citeproc: true`) —
    and compared with the pandoc path's output. Without it (HTML, DOCX: `citeproc: false`)
    front-back-matter's own citeproc is the only pass.
    """

    @staticmethod
    def command(edition: str, root: Path, folder: Path, *, quarto_order: bool) -> tuple[list[str], Path]:
        """The edition's pandoc command (Typst source for the PDF), optionally in Quarto's filter order."""
        from perrypress.editions import render as editions
        from perrypress.sources.labels import write_pandoc_defaults

        folder.mkdir()
        name = editions.EDITIONS[edition]
        output = folder / f"edition.{'typ' if edition == 'pdf' else edition}"
        labels = write_pandoc_defaults(root / CONFIG["report"], folder / "labels.yaml")
        args = editions.pandoc_args(edition, CONFIG, output=output, log_file=folder / "log.json",
                                    labels=labels.resolve())
        if not quarto_order:
            return args, output
        common = DEFAULTS["common"]["filters"]
        listed = FORMATS[name]["filters"]
        before_quarto = set(names(listed[:listed.index("quarto")]))
        replaced = [f for f in common[:common.index("citeproc")] if Path(f).stem in QUARTO_BUILT_IN | before_quarto]
        filters = [str(as_quarto(f, root, folder)) if Path(f).stem not in QUARTO_BUILT_IN else f
                   for f in [*replaced, *listed[listed.index("quarto") + 1:]]]
        if quarto_runs_citeproc(name):
            filters.append("citeproc")
        for part, content in (("common", {**DEFAULTS["common"], "filters": filters}),
                              (name, {k: v for k, v in DEFAULTS[name].items() if k != "filters"})):
            # The copies live elsewhere: ${.} (the defaults file's folder) spelt out.
            text = yaml.safe_dump(content).replace("${.}", str(resources.DEFAULTS))
            (folder / f"{part}.yaml").write_text(text, encoding="utf-8")
            args[args.index(str(resources.defaults(part)))] = str(folder / f"{part}.yaml")
        return args, output

    @pytest.mark.parametrize("edition", ["pdf", "html", "docx"])
    def test_same_edition(self, edition: str, built: Project, tmp_path: Path) -> None:
        """Typst source and DOCX body identical; HTML identical but for bare <span>s around a citation."""
        import zipfile

        env = {**os.environ, "SOURCE_DATE_EPOCH": "1704067200"}
        outputs = []
        for quarto_order in (False, True):
            args, output = self.command(edition, built.root, tmp_path / str(quarto_order), quarto_order=quarto_order)
            result = subprocess.run(args, cwd=built.root, env=env, capture_output=True, text=True)
            assert result.returncode == 0, result.stderr
            outputs.append(output)
        ours, quartos = outputs

        def content(path: Path) -> bytes:
            if edition == "docx":
                with zipfile.ZipFile(path) as z:
                    return z.read("word/document.xml") + z.read("word/footnotes.xml")
            if edition == "html":
                return path.read_bytes().replace(b"<span><span", b"<span").replace(b"</span></span>", b"</span>")
            return path.read_bytes()
        assert content(quartos) == content(ours)
        assert content(ours).count(b"Ibid") > 0
