"""The whole build: one command, reruns only what changed, data flows into every edition, bad sources stop it."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import Project, build_env
from perrypress import resources
from readers import docx_text, html_text, normalise, pdf_text, with_numbers

EDITIONS = ["pdf", "html", "docx"]


def edition_text(project: Project, edition: str, keep=normalise) -> str:
    """An edition's text, normalised by ``keep`` (letters only, by default)."""
    path = project.edition(edition)
    if edition == "pdf":
        return keep(pdf_text(path))
    if edition == "html":
        return keep(" ".join(html_text(path).body))
    return keep(docx_text(path))


def dry_run_jobs(project: Project) -> set[str]:
    """The rules a dry run would run."""
    result = project.snakemake("--dry-run", "--quiet", "rules")
    return set(re.findall(r"^(\w+)\s+\d+\s*$", result.stdout, flags=re.M)) - {"total", "all"}


def test_build_writes_every_edition(built: Project) -> None:
    """One build makes the three editions, the tables, the figure's three formats and the variables."""
    for edition in EDITIONS:
        assert built.edition(edition).stat().st_size > 10_000
    for name in ["regions.svg", "regions.pdf", "regions.png"]:
        assert (built.root / "figures" / name).exists()
    assert (built.root / "_build" / "tables" / "structures.md").exists()
    assert dry_run_jobs(built) == set()  # up to date


def test_editing_a_section_reruns_only_editions(built_copy: Project) -> None:
    """An edit to one section reruns the three edition rules and nothing else."""
    with (built_copy.root / "sections" / "01-introduction.qmd").open("a", encoding="utf-8") as section:
        section.write("\nA new closing sentence.\n")
    assert dry_run_jobs(built_copy) == {"edition_pdf", "edition_html", "edition_docx"}


def test_editing_a_csv_reruns_what_depends_on_it(built_copy: Project) -> None:
    """An edit to Table 2's data reruns the data check, the steps that read data, and the editions.

    Not the bibliography check: the editions check the tables' citations themselves.
    """
    structures = built_copy.root / "data" / "structures.csv"
    structures.write_text(structures.read_text(encoding="utf-8").replace(",79,", ",78,"), encoding="utf-8")
    assert dry_run_jobs(built_copy) == {"check_data", "table", "figure", "variables",
                                        "edition_pdf", "edition_html", "edition_docx"}


def test_a_caption_edit_reruns_that_table_and_the_editions(built_copy: Project) -> None:
    """Each step depends on the part of the configuration it reads: a caption is table law's and the editions'."""
    config = built_copy.root / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("Regarding Human Trafficking", "on Human Trafficking", 1), encoding="utf-8")
    result = built_copy.snakemake("--dry-run")
    assert set(re.findall(r"^\s+wildcards: slug=(\S+)$", result.stdout, flags=re.M)) == {"law"}
    assert dry_run_jobs(built_copy) == {"table", "edition_pdf", "edition_html", "edition_docx"}


def test_publishing_settings_rerun_nothing(built_copy: Project) -> None:
    """Only `perrypress publish` reads the publish: settings; no step of the build reruns for them."""
    config = built_copy.root / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    config.write_text(text.replace("timeout: 60", "timeout: 90", 1), encoding="utf-8")
    assert dry_run_jobs(built_copy) == set()


def test_steps_that_read_data_wait_for_the_data_check(built_copy: Project) -> None:
    """No step draws from a CSV before the data package's check passes; the bibliography check waits for none."""
    result = built_copy.snakemake("--dry-run", "--forcerun", "check_data")
    jobs = re.split(r"\n(?=rule |localrule )", result.stdout)
    for rule in ("table", "figure", "variables"):
        job = next(j for j in jobs if re.match(rf"(local)?rule {rule}:", j))
        assert re.search(r"reason: Input files updated by another job: .*_build/checks/data\.ok", job), job
    assert not [j for j in jobs if re.match(r"(local)?rule check_bibliography:", j)]


@pytest.mark.slow
def test_data_changes_reach_every_edition(built_copy: Project) -> None:
    """A new value in Figure 1's and Table 2's CSVs reaches the figure, the table and the prose of all three."""
    regions = built_copy.root / "data" / "regions.csv"
    regions.write_text(regions.read_text(encoding="utf-8").replace(
        "south_america,South America,8,", "south_america,South America,9,"), encoding="utf-8")
    structures = built_copy.root / "data" / "structures.csv"
    structures.write_text(structures.read_text(encoding="utf-8").replace(
        "criminal activities”.,unodc2022,48,,79,", "criminal activities”.,unodc2022,48,,81,"), encoding="utf-8")
    svg_before = (built_copy.root / "figures" / "regions.svg").read_bytes()
    built_copy.snakemake()
    assert (built_copy.root / "figures" / "regions.svg").read_bytes() != svg_before
    for edition in EDITIONS:
        text = edition_text(built_copy, edition)
        assert normalise("nine percent of identified victims of sex trafficking in South America") in text
        assert normalise("eight percent of identified victims") not in text
        numbers = edition_text(built_copy, edition, keep=with_numbers)
        assert with_numbers("and 2021, 96 percent of prosecuted traffickers") in numbers  # 81 + 10 + 5
        assert with_numbers("and 2021, 94 percent") not in numbers
        # Table 2's cell, after the definition's note 24 and before its own note 25 (no markers in DOCX).
        assert re.search(r"criminalactivities(24)?81(25)?", numbers), edition
        assert not re.search(r"criminalactivities(24)?79(25)?", numbers), edition
    assert "South America 9 %" in built_copy.edition("html").read_text(encoding="utf-8")  # the figure's alt text


def test_snakefile_does_not_import_heavy_libraries_at_parse_time(built: Project) -> None:
    """Parsing the workflow imports neither pandas, matplotlib nor frictionless: they load only inside jobs."""
    heavy, result = built.snakemake_then(
        "--list-rules", inspect="sorted(m for m in ('pandas', 'matplotlib', 'frictionless') if m in sys.modules)")
    assert heavy == "[]", result.stdout + result.stderr


def test_up_to_date_check_does_not_import_pandas(built: Project) -> None:
    """A no-op rebuild (DAG, metadata checks) loads no pandas: the rules have no params for Snakemake to hash."""
    heavy, result = built.snakemake_then("--cores", "1", "--dry-run",
                                         inspect="sorted(m for m in ('pandas', 'matplotlib') if m in sys.modules)")
    assert "Nothing to be done" in result.stdout + result.stderr, result.stdout + result.stderr
    assert heavy == "[]", result.stdout + result.stderr


def test_switching_to_release_reruns_the_editions(built: Project) -> None:
    """Draft or release is part of each edition's command, so switching reruns every edition."""
    result = built.snakemake("--dry-run", "--config", "mode=release")
    for rule in ("edition_pdf", "edition_html", "edition_docx"):
        assert f"rule {rule}:" in result.stdout, result.stdout


def test_generated_folders_hold_only_rule_outputs(built: Project) -> None:
    """figures/ and _build/tables/ contain exactly what the rules declare, so no stale file can pass for built."""
    import yaml

    config = yaml.safe_load((built.root / "config" / "config.yaml").read_text(encoding="utf-8"))
    figures = {f"{slug}.{fmt}" for slug in config["figures"] for fmt in ("svg", "pdf", "png")} | {"README.md"}
    assert {p.name for p in (built.root / "figures").iterdir()} == figures
    tables = {f"{slug}.md" for slug in config["tables"]}
    assert {p.name for p in (built.root / "_build" / "tables").iterdir()} == tables


def jobs_reading(project: Project, path: Path) -> set[str]:
    """The rules whose jobs declare ``path`` as an input (so a change to it reruns them and what follows)."""
    result = project.snakemake("--dry-run", "--forceall")
    jobs = re.findall(r"^(?:local)?rule (\w+):\n\s+input: ([^\n]*)", result.stdout, flags=re.M)
    return {rule for rule, inputs in jobs if str(path) in inputs.split(", ")}


def test_editing_a_module_reruns_its_steps(project: Project) -> None:
    """The installed package's table code is an input of the tables, not the figure; its filters, of the editions."""
    assert jobs_reading(project, resources.module("products.tables")) == {"table"}
    assert {"edition_pdf", "edition_html", "edition_docx"} <= jobs_reading(project, resources.FILTERS / "crossref.lua")
    assert "style_typst" in jobs_reading(project, resources.TYPST_LAYOUT)


def test_a_figure_reruns_only_for_its_own_kind(project: Project) -> None:
    """The bar chart's modules are inputs of no step of a paper with only a map; the map's drawing module is the
    figure's, its words' module (the alt text) the figure's and the variables step's."""
    result = project.snakemake("--dry-run", "--forceall")
    jobs = re.findall(r"^(?:local)?rule (\w+):\n\s+input: ([^\n]*)", result.stdout, flags=re.M)

    def reading(module: str) -> set[str]:
        return {rule for rule, inputs in jobs if str(resources.module(module)) in inputs.split(", ")}

    assert reading("products.figures.bar") == reading("products.figures.bar_text") == reading("products.figures.chart_text") == set()
    assert reading("products.figures.map") == reading("products.figures.style") == {"figure"}
    assert reading("products.figures.map_text") == reading("products.figures.text") == {"figure", "variables"}


def declared_modules(name: str) -> dict[str, list[str]]:
    """One of the kind → modules tables of common.smk (FIGURE_MODULES, FIGURE_TEXT_MODULES)."""
    common = (resources.WORKFLOW / "rules" / "common.smk").read_text(encoding="utf-8")
    return ast.literal_eval(re.search(rf"^{name} = (\{{.*\}})$", common, flags=re.M).group(1))


# Imports a module in a fresh process, then prints the modules of perrypress.products.figures it loaded, and matplotlib's.
LOADS = ("import importlib, json, sys\n"
         "importlib.import_module(sys.argv[1])\n"
         "print(json.dumps(sorted({m.removeprefix('perrypress.products.figures').lstrip('.') or '__init__'\n"
         "                         for m in sys.modules if m.startswith('perrypress.products.figures')}\n"
         "                        | ({'matplotlib'} & set(sys.modules)))))\n")


@pytest.mark.parametrize("kind", ["map", "bar", "line"])
def test_the_rules_declare_the_modules_each_kind_loads(kind: str) -> None:
    """The variables rule's figure code is exactly what describing a kind loads (no matplotlib); the figure rule's,
    what drawing it loads: editing any of them reruns the steps that use it, and no other edit does."""
    from perrypress.products.figures import KINDS

    text, drawing = declared_modules("FIGURE_TEXT_MODULES"), declared_modules("FIGURE_MODULES")
    assert set(text) == set(drawing) == set(KINDS)

    def loads(module: str) -> set[str]:
        result = subprocess.run([sys.executable, "-c", LOADS, f"perrypress.products.figures.{module}"], env=build_env(),
                                capture_output=True, text=True, check=True)
        return set(json.loads(result.stdout))

    described = {"__init__", "frames", "text", *text[kind]}
    assert loads(f"{kind}_text") == described
    assert loads(kind) == described | {"style", *drawing[kind], "matplotlib"}


def test_rule_figure_formats_match_the_module() -> None:
    """The figure rule declares exactly the formats the drawing modules write."""
    from perrypress.products.figures import FORMATS
    from perrypress.products.figures.style import FORMATS as SAVED

    assert FORMATS == SAVED

    common = (resources.WORKFLOW / "rules" / "common.smk").read_text(encoding="utf-8")
    declared = re.search(r"^FIGURE_FORMATS = \[(.*)\]$", common, flags=re.M).group(1)
    assert tuple(f.strip().strip('"') for f in declared.split(",")) == FORMATS
