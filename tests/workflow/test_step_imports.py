"""The workflow's steps load only the libraries they use: each job is a new process, and imports are its overhead."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import Project, build_env

HEAVY = ("matplotlib", "pandas", "pybtex", "jsonschema", "fontTools", "typst")

# Runs `perrypress <argv>` in this process, then prints which heavy libraries it loaded.
PROBE = ("import json, sys\n"
         "from perrypress import cli\n"
         "code = cli.main(json.loads(sys.argv[1]))\n"
         "print('LOADED', json.dumps(sorted(m for m in json.loads(sys.argv[2]) if m in sys.modules)))\n"
         "sys.exit(code)\n")


def loaded_by(project: Project, *argv: str) -> set[str]:
    """The heavy libraries a `perrypress` command imports when run in ``project``."""
    result = subprocess.run([sys.executable, "-c", PROBE, json.dumps(list(argv)), json.dumps(HEAVY)],
                            cwd=project.root, env=build_env(), capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    line = next(line for line in result.stdout.splitlines() if line.startswith("LOADED "))
    return set(json.loads(line.removeprefix("LOADED ")))


@pytest.mark.parametrize("edition", ["html", "docx"])
def test_edition_step_loads_no_data_figure_or_bibliography_library(built_copy: Project, edition: str) -> None:
    """An edition reads the checked bibliography's keys (no pybtex), and needs neither pandas nor matplotlib."""
    keys = built_copy.root / "_build" / "checks" / "bibliography-keys.txt"
    assert keys.is_file()
    loaded = loaded_by(built_copy, "step", "edition", edition, "--bibliography-keys", str(keys),
                       "--out", str(built_copy.root / "_build" / f"probe.{edition}"))
    assert loaded == set(), loaded


def test_pdf_edition_step_loads_typst_only(built_copy: Project) -> None:
    """The PDF edition loads Typst's compiler, and nothing else heavy."""
    keys = built_copy.root / "_build" / "checks" / "bibliography-keys.txt"
    loaded = loaded_by(built_copy, "step", "edition", "pdf", "--bibliography-keys", str(keys),
                       "--out", str(built_copy.root / "_build" / "probe.pdf"))
    assert loaded == {"typst"}, loaded


def test_variables_step_does_not_load_matplotlib(built_copy: Project) -> None:
    """The variables step writes the figure's alt text from its data (figures/map_text.py), loading no drawing code."""
    loaded = loaded_by(built_copy, "step", "variables", "--out", str(built_copy.root / "_variables.yml"))
    assert "matplotlib" not in loaded and "pandas" in loaded


@pytest.mark.parametrize("step", [["table", "law", "--out", "_build/tables/law.md"],
                                  ["cite", "--out", "_build/cite.html"],
                                  ["quarto-files", "--out", "_build/quarto-files"]])
def test_text_steps_do_not_load_matplotlib(built_copy: Project, step: list[str]) -> None:
    """Tables, the cite block and the Quarto files load no plotting library."""
    assert "matplotlib" not in loaded_by(built_copy, "step", *step)


def test_an_edition_still_checks_every_citation_against_the_keys(built_copy: Project) -> None:
    """With the keys file, an unknown citation in a section is still an error at its file and line."""
    section = built_copy.root / "sections" / "01-introduction.qmd"
    section.write_text(section.read_text(encoding="utf-8") + "\nA claim [@nosuchwork2020].\n", encoding="utf-8")
    keys = built_copy.root / "_build" / "checks" / "bibliography-keys.txt"
    result = built_copy.perrypress("step", "edition", "html", "--bibliography-keys", str(keys),
                                   "--out", str(built_copy.root / "_build" / "probe.html"))
    assert result.returncode == 1
    line = len(section.read_text(encoding="utf-8").splitlines())
    assert f"sections/01-introduction.qmd:{line}: citation key '@nosuchwork2020' is not in references.bib" in (
        result.stderr), result.stderr
