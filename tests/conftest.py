"""Shared fixtures: the project, a temporary copy of it, and its editions built once per session."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pytest

from perrypress import resources
from perrypress.verify import copy_sources

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    """The machine's font cache (editions/font_cache.py) is a folder of this session's, never the user's."""
    import tempfile

    from perrypress.editions.font_cache import ENV

    if not os.environ.get(ENV):
        os.environ[ENV] = tempfile.mkdtemp(prefix="perrypress-font-cache-")
PANDOC = Path(__import__("pypandoc").__file__).parent / "files" / "pandoc"


@dataclass
class Project:
    """A copy of the project in a temporary folder, with helpers to build it."""

    root: Path
    # The editions' file name (output_name in config/config.yaml).
    name: str = "cybersex-trafficking-south-america"

    def snakemake(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        """Run the workflow in this copy."""
        result = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", *args],
                                cwd=self.root, capture_output=True, text=True, env=build_env())
        if check and result.returncode != 0:
            raise AssertionError(f"snakemake failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        return result

    def snakemake_then(self, *args: str, inspect: str) -> tuple[str, subprocess.CompletedProcess[str]]:
        """Run Snakemake with ``args`` inside a fresh interpreter, then evaluate ``inspect`` in it.

        Return the expression's printed value and the run: what Snakemake's own process loaded or did.
        """
        probe = (f"import gc, sys, snakemake.cli\nsys.argv = ['snakemake', *{list(args)!r}]\n"
                 "try:\n    snakemake.cli.main()\nexcept SystemExit:\n    pass\n"
                 f"print('INSPECTED', {inspect})\n")
        result = subprocess.run([sys.executable, "-c", probe], cwd=self.root, capture_output=True, text=True,
                                env=build_env())
        if "INSPECTED " not in result.stdout:
            raise AssertionError(f"the probe printed nothing:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}")
        return result.stdout.rsplit("INSPECTED ", 1)[1].strip(), result

    def perrypress(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run the perrypress command in this copy."""
        return subprocess.run([sys.executable, "-m", "perrypress.cli", *args], cwd=self.root,
                              capture_output=True, text=True, env=build_env())

    def edition(self, ext: str) -> Path:
        """Path of one edition."""
        return self.root / "_build" / f"{self.name}.{ext}"


def build_env() -> dict[str, str]:
    """The environment builds run in: a fixed SOURCE_DATE_EPOCH so copies outside git agree."""
    return {**os.environ, "SOURCE_DATE_EPOCH": os.environ.get("SOURCE_DATE_EPOCH", "1704067200")}


def copy_project(destination: Path) -> Project:
    """Copy the project's sources (not its build products) to ``destination``."""
    return Project(copy_sources(ROOT, destination))


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """The project copied once and built once: every edition, table and figure."""
    project = copy_project(tmp_path_factory.mktemp("built") / "project")
    project.snakemake()
    return project


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A fresh, unbuilt copy of the project that a test may change."""
    return copy_project(tmp_path / "project")


def copy_built(built: Project, destination: Path) -> Project:
    """Copy the built project (with _build/ and figures/, modification times kept) to ``destination``."""
    shutil.copytree(built.root, destination, ignore=shutil.ignore_patterns(".git", "__pycache__"))
    return Project(destination)


@pytest.fixture
def built_copy(built: Project, tmp_path: Path) -> Project:
    """A copy of the built project (with _build/ and figures/) that a test may change and rebuild."""
    return copy_built(built, tmp_path / "project")


def run_pandoc(*args: str, cwd: Path = ROOT, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    """Run the project's pandoc."""
    return subprocess.run([str(PANDOC), *args], cwd=cwd, input=stdin, capture_output=True, text=True)


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` as a fixed test author; return its output."""
    env = {**os.environ, "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.org",
           "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.org"}
    return subprocess.run(["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True).stdout


def new_paper(destination: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `perrypress new DESTINATION ARGS…` (a new paper project, as an editor starts one)."""
    return subprocess.run([sys.executable, "-m", "perrypress.cli", "new", str(destination), *args],
                          capture_output=True, text=True, env=build_env())


# The second paper, in Spanish, written for the tests (tests/fixtures/spanish-paper/).
SPANISH_PAPER = ROOT / "tests" / "fixtures" / "spanish-paper"
SPANISH_TITLE = 'La cooperación militar ante los desastres: "lecciones" del Caribe'
SPANISH_AUTHOR = "Lucía Fernández O'Brien"


def write_spanish_paper(destination: Path) -> Project:
    """Scaffold a Spanish paper with `perrypress new --lang es` and edit it into the test paper (not built)."""
    import yaml

    result = new_paper(destination, "--title", SPANISH_TITLE, "--author", SPANISH_AUTHOR, "--lang", "es")
    assert result.returncode == 0, result.stderr
    # The scaffold's example data go; the fixture's data package (datapackage.json, sources.csv) replaces its own.
    (destination / "data" / "note-elements.csv").unlink()
    shutil.copytree(SPANISH_PAPER, destination, dirs_exist_ok=True, ignore=shutil.ignore_patterns("README.md"))
    config_file = destination / "config" / "config.yaml"
    config = yaml.safe_load(config_file.read_text(encoding="utf-8"))
    config["tables"] = {"fases": {
        "data": "data/fases.csv",
        "caption": "Fases de un ejercicio regional de respuesta a desastres (datos ficticios)",
        "columns": {"fase": "Fase", "descripcion": "Descripción", "dias": "Días"},
        "widths": {"fase": 20, "descripcion": 65, "dias": 15},
        "source": "Fuente: datos ficticios escritos para esta prueba.",
    }}
    # One bar chart (issue 9): invented numbers (data/ayuda.csv, a resource of the paper's data package),
    # its words in Spanish and numbers with a decimal comma; placed in the section as ![…](/figures/ayuda).
    config["figures"] = {"ayuda": {
        "kind": "bar", "data": "data/ayuda.csv", "category": "medio",
        "values": {"primera_semana": "Primera semana", "segunda_semana": "Segunda semana"},
        "axis": {"category": "Medio de transporte", "value": "Parte de la ayuda entregada"},
        "unit": "%",  # the decimal comma: the paper's language's
        "source": "Fuente: datos ficticios escritos para esta prueba; cada semana suma 100,0 %.",
        "alt": "Gráfico de barras de la parte de la ayuda que entregó cada medio de transporte en las dos "
               "primeras semanas del ejercicio (datos ficticios)",
    }}
    # A number the text quotes in words, in Spanish: the exercise's days, added up from the table's data.
    # And one in figures, with the language's decimal comma: the air share of the first week (62,5).
    config["variables"] = {"fases": {"data": "data/fases.csv", "sums": {"total": {"column": "dias"}}},
                           "ayuda": {"data": "data/ayuda.csv",
                                     "sums": {"aereo": {"column": "primera_semana", "where": {"medio": "Aéreo"}}}}}
    config_file.write_text(yaml.safe_dump(config, allow_unicode=True, sort_keys=False), encoding="utf-8")
    report = destination / "report.qmd"
    text = report.read_text(encoding="utf-8")
    # An editor's edit of the metadata: the author is a woman ("Sobre la autora"). Her double surname
    # needs no edit: `perrypress new` wrote family: and given: (the last two words of a Spanish name).
    assert "    family: \"Fernández O'Brien\"\n    given: \"Lucía\"\n" in text
    text = text.replace("    # gender: female\n", "    gender: female\n")
    report.write_text(text, encoding="utf-8")
    return Project(destination, name=config["output_name"])


@pytest.fixture(scope="session")
def spanish_papers(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, Project]:
    """The Spanish test paper built twice from the same sources, in two folders with different paths."""
    first = write_spanish_paper(tmp_path_factory.mktemp("spanish") / "paper")
    second = Project(copy_sources(first.root, tmp_path_factory.mktemp("spanish-again") / "other" / "paper"),
                     name=first.name)
    for paper in (first, second):
        result = paper.perrypress("build")
        assert result.returncode == 0, result.stdout + result.stderr
    return first, second


@pytest.fixture(scope="session")
def review_repo(built: Project, tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A git repository of the built project, one commit, reviewed once against itself so BASE's build is cached."""
    destination = tmp_path_factory.mktemp("review") / "project"
    shutil.copytree(built.root, destination, ignore=shutil.ignore_patterns(".git", "__pycache__"))
    repo = Project(destination)
    git(repo.root, "init", "-q", "-b", "main")
    git(repo.root, "add", "-A")
    git(repo.root, "commit", "-q", "-m", "base")
    result = repo.perrypress("review", "HEAD")
    assert result.returncode == 0, result.stdout + result.stderr
    return repo


@pytest.fixture
def review_copy(review_repo: Project, tmp_path: Path) -> Project:
    """A copy of ``review_repo`` (git history, builds and the BASE cache) that a test may change and review."""
    destination = tmp_path / "project"
    shutil.copytree(review_repo.root, destination, symlinks=True)
    return Project(destination)


@pytest.fixture(scope="session")
def stand_in_photographs():
    """A function that adds grey stand-in photographs to a project so a release build can pass."""
    return add_stand_in_photographs


def add_stand_in_photographs(root: Path) -> list[Path]:
    """Put a grey stand-in image wherever a section's photo block names a missing one (for release builds)."""
    import re

    from PIL import Image

    written = []
    for section in sorted((root / "sections").glob("*.qmd")):
        for name in re.findall(r'\.photo image="/([^"]+)"', section.read_text(encoding="utf-8")):
            path = root / name
            if not path.exists():
                path.parent.mkdir(parents=True, exist_ok=True)
                Image.new("RGB", (600, 400), (120, 130, 140)).save(path, quality=80)
                written.append(path)
    return written


@pytest.fixture(scope="session")
def figure_fonts(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """Static Regular and SemiBold instances of the packaged Source Sans 3 (the figures' fonts), made once."""
    import fontpkg_source_sans_3

    from perrypress.editions.fonts import static_fonts

    return static_fonts(sorted((fontpkg_source_sans_3.ROOT / "files").glob("*.ttf")), tmp_path_factory.mktemp("fonts"))


FIGURE_FIXTURES = ROOT / "tests" / "fixtures" / "figures"


def write_package(folder: Path, schemas: Mapping[str, dict]) -> Path:
    """Describe each ``<name>.csv`` of ``folder`` by its Table Schema in the folder's datapackage.json; return its path.

    The descriptor is made if there is none; a resource of the same name is replaced, the others are kept.
    """
    path = folder / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8")) if path.exists() else \
        {"profile": "tabular-data-package", "resources": []}
    for name, schema in schemas.items():
        resource = {"name": name, "path": f"{name}.csv", "profile": "tabular-data-resource", "format": "csv",
                    "mediatype": "text/csv", "encoding": "utf-8", "schema": schema}
        descriptor["resources"] = [r for r in descriptor["resources"] if r.get("name") != name] + [resource]
    folder.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(descriptor, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return path


def figure_schema(name: str, **types: str) -> dict:
    """The Table Schema of tests/fixtures/figures/<name>.csv (a fresh copy), the fields named in ``types`` retyped."""
    descriptor = json.loads((FIGURE_FIXTURES / "datapackage.json").read_text(encoding="utf-8"))
    schema = next(r["schema"] for r in descriptor["resources"] if r["name"] == name)
    assert set(types) <= {f["name"] for f in schema["fields"]}, f"{name}.csv has no field {set(types)}"
    for field in schema["fields"]:
        field["type"] = types.get(field["name"], field["type"])
    return schema


def figure_specs() -> dict:
    """The bar and line charts of tests/fixtures/figures/config.yaml, checked against the project's schema."""
    import yaml

    config = yaml.safe_load((ROOT / "config" / "config.yaml").read_text(encoding="utf-8"))
    config["figures"] = yaml.safe_load((FIGURE_FIXTURES / "config.yaml").read_text(encoding="utf-8"))
    return config["figures"] if _valid(config) else {}


def _valid(config: dict) -> bool:
    """Whether ``config`` passes the project's configuration schema (raises ConfigError if not)."""
    import yaml

    from perrypress.sources.config import validate

    validate(config, path=ROOT / "config" / "config.yaml", text=yaml.safe_dump(config),
             schema=resources.CONFIG_SCHEMA)
    return True
