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
from perrypress.workflow import quarto
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
    """A path of a pandoc defaults file (``${.}`` is the defaults' folder) as _quarto.yml spells it, from the root."""
    path = Path(os.path.normpath(value.replace("${.}", str(resources.DEFAULTS))))
    return str(path.relative_to(ROOT)) if path.is_absolute() else value


def on_resource_path(name: str) -> str:
    """A file the HTML defaults find on their resource path, as _quarto.yml spells it."""
    found = [in_repository(f"{folder}/{name}") for folder in DEFAULTS["html"]["resource-path"]]
    return next(f for f in found if (ROOT / f).is_file())


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
        partials = {Path(p).name: (ROOT / p).read_text(encoding="utf-8") for p in FORMATS["typst"]["template-partials"]}
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
        """The PDF uses the configured fonts from the folder quarto.py fills, and PDF/A-2a + PDF/UA-1."""
        typst = FORMATS["typst"]
        assert typst["font-paths"] == [str(quarto.TYPST_FONTS)]
        assert typst["metadata"]["serif-font"] == CONFIG["fonts"]["serif"]["family"]
        assert typst["metadata"]["sans-font"] == CONFIG["fonts"]["sans"]["family"]
        assert typst["pdf-standard"] == ["a-2a", "ua-1"]
        assert set(typst["pdf-standard"]) <= QUARTO_PDF_STANDARDS

    def test_output_dir(self) -> None:
        """Quarto writes where quarto.py collects the editions."""
        assert QUARTO_YML["project"]["output-dir"] == str(quarto.OUTPUT_DIR)


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

    def test_typst_fonts_linked(self, tmp_path: Path) -> None:
        """font-paths' folder holds the configured fonts, and nothing stale."""
        (tmp_path / quarto.TYPST_FONTS).mkdir(parents=True)
        (tmp_path / quarto.TYPST_FONTS / "old.ttf").write_bytes(b"")
        folder = quarto.link_typst_fonts(tmp_path, CONFIG)
        linked = sorted(p.name for p in folder.iterdir())
        assert "old.ttf" not in linked and any("SourceSerif4" in n or "SourceSerif" in n for n in linked)


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


# The one warning tolerated: with `pdf-standard` set and verapdf not installed (`quarto install
# verapdf`), Quarto says it cannot check the PDF and goes on (quarto-cli src/core/verapdf.ts,
# validatePdfStandards). perrypress checks PDF/A and PDF/UA itself.
VERAPDF_MISSING = re.compile(r"^[A-Z]*:? ?PDF standard validation requested but verapdf is not installed\.\n"
                             r"Install with: quarto install verapdf\n"
                             r"Standards requested: a-2a, ua-1\n?", re.MULTILINE)


def without_verapdf_warning(stderr: str) -> str:
    """Quarto's stderr without its verapdf-is-missing warning (colours removed)."""
    return VERAPDF_MISSING.sub("", re.sub(r"\x1b\[[0-9;]*m", "", stderr))


@pytest.mark.slow
@pytest.mark.skipif(QUARTO is None, reason="quarto is not on PATH (it cannot be installed on the project's "
                                           "machines: TOOLCHAIN.md); install Quarto to run this test")
def test_quarto_render_matches_pandoc_path(built: Project) -> None:
    """`quarto render` makes all three editions with no warning and the same text as the default build."""
    for edition in ("pdf", "html", "docx"):
        expected = edition_text(built.edition(edition))
        result = subprocess.run(quarto.render_command(QUARTO, edition, CONFIG), cwd=built.root,
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        stderr = without_verapdf_warning(result.stderr)
        assert "WARN" not in stderr and "ERROR" not in stderr, result.stderr
        rendered = built.root / quarto.OUTPUT_DIR / f"{CONFIG['output_name']}.{edition}"
        assert edition_text(rendered) == expected


def as_quarto(filter_path: str, project: Path, folder: Path) -> Path:
    """A wrapper that runs one filter as Quarto loads it: `quarto` module present, its own PANDOC_SCRIPT_FILE."""
    path = (ROOT / filter_path.replace("${.}", str(resources.DEFAULTS))).resolve()
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
