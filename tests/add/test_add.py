"""`perrypress add`: a section, a table, a figure and a source added to a new paper, which still builds."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
import yaml

from conftest import Project
from perrypress.add.edits import AddError, insert_entry
from perrypress.sources import bibliography
from perrypress.sources.config import data_files, load_config
from perrypress.sources.datapackage import check_package, foreign_key_fields, primary_key
from readers import docx_text, html_text, pdf_text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "new"))
from test_new import scaffold, words  # noqa: E402 — the new-paper fixtures of tests/new

PORTS = "port,country,tonnage\nKingston,Jamaica,120.5\nColón,Panama,300\n"
STORMS = "year,ports,storms\n2019,12.5,3\n2020,14,5\n2021,13.25,4\n"


def config_of(paper: Project) -> dict:
    return load_config(paper.root / "config" / "config.yaml", root=paper.root)


def checks_pass(paper: Project) -> None:
    """The build's own checks: configuration, data package, bibliography against sources.csv and the text."""
    config = config_of(paper)
    check_package(paper.root / "data" / "datapackage.json", data_files=[paper.root / p for p in data_files(config)])
    bibliography.check(paper.root / "references.bib", report=paper.root / "report.qmd",
                       sources=sorted((paper.root / "sections").glob("*.qmd")),
                       sources_table=paper.root / "data" / "sources.csv",
                       provenance_bib=paper.root / "data" / "sources.bib")


def add(paper: Project, *args: str) -> str:
    result = paper.perrypress("add", *args)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Fill in next:" in result.stdout
    return result.stdout


class TestInsertEntry:
    """The config is edited as text: every comment and value stays."""

    def test_into_an_empty_map_and_after_the_last_entry(self, tmp_path: Path) -> None:
        path = tmp_path / "config.yaml"
        original = ("# head\ntables:\n  a:\n    data: x.csv  # mine\n\n# figures come next\nfigures: {}  # none\n"
                    "# tail\nvariables: {}\n")
        path.write_text(original, encoding="utf-8")
        insert_entry(path, "tables", "b", "# the b table\ndata: y.csv")
        insert_entry(path, "figures", "c", "kind: bar")
        text = path.read_text(encoding="utf-8")
        assert yaml.safe_load(text) == {"tables": {"a": {"data": "x.csv"}, "b": {"data": "y.csv"}},
                                        "figures": {"c": {"kind": "bar"}}, "variables": {}}
        for comment in ("# head", "# mine", "# figures come next", "# none", "# tail", "    # the b table"):
            assert comment in text
        assert text.index("  b:") < text.index("# figures come next")

    def test_a_name_taken_is_refused(self, tmp_path: Path) -> None:
        path = tmp_path / "config.yaml"
        path.write_text("tables:\n  a: {data: x.csv}\n", encoding="utf-8")
        with pytest.raises(AddError, match="tables.a is already declared"):
            insert_entry(path, "tables", "a", "data: y.csv")


class TestAdd:
    """Each command on a new English paper; the build's checks pass after it."""

    def test_section(self, tmp_path: Path) -> None:
        paper = scaffold(tmp_path / "paper")
        add(paper, "section", "Ports and storms")
        add(paper, "section", "Conclusions")
        report = (paper.root / "report.qmd").read_text(encoding="utf-8")
        includes = [line for line in report.splitlines() if line.startswith("{{< include sections/")]
        assert includes == ["{{< include sections/01-introduction.qmd >}}",
                            "{{< include sections/02-ports-and-storms.qmd >}}",
                            "{{< include sections/03-conclusions.qmd >}}"]
        assert (paper.root / "sections" / "02-ports-and-storms.qmd").read_text(encoding="utf-8").startswith(
            "# Ports and storms {#sec-ports-and-storms}\n")
        checks_pass(paper)

    def test_table(self, tmp_path: Path) -> None:
        paper = scaffold(tmp_path / "paper")
        (paper.root / "data" / "ports.csv").write_text(PORTS, encoding="utf-8")
        out = add(paper, "table", "data/ports.csv")
        assert "{{< include /_build/tables/ports.md >}}" in out and "unit" in out
        resource = next(r for r in json.loads((paper.root / "data" / "datapackage.json").read_text(encoding="utf-8"))
                        ["resources"] if r["name"] == "ports")
        types = {f["name"]: f["type"] for f in resource["schema"]["fields"]}
        assert types == {"port": "string", "country": "string", "tonnage": "number", "source_key": "string"}
        assert primary_key(resource) == ["port"] and foreign_key_fields(resource) == ["source_key"]
        # The provenance column, filled with the paper's one work, for the editor to correct.
        assert (paper.root / "data" / "ports.csv").read_text(encoding="utf-8").splitlines()[1] == \
            "Kingston,Jamaica,120.5,chicago2017"
        table = config_of(paper)["tables"]["ports"]
        assert table["data"] == "data/ports.csv" and list(table["columns"]) == ["port", "country", "tonnage"]
        assert {"caption", "source"} <= set(table)
        checks_pass(paper)

    def test_figure_has_every_key_commented(self, tmp_path: Path) -> None:
        paper = scaffold(tmp_path / "paper")
        (paper.root / "data" / "storms.csv").write_text(STORMS, encoding="utf-8")
        add(paper, "figure", "line", "data/storms.csv")
        figure = config_of(paper)["figures"]["storms"]
        assert figure["kind"] == "line" and figure["x"] == "year"
        assert figure["values"] == {"ports": "Ports", "storms": "Storms"}
        text = (paper.root / "config" / "config.yaml").read_text(encoding="utf-8")
        block = text[text.index("  storms:"):text.index("variables:")]
        schema = yaml.safe_load((Path(__import__("perrypress").__file__).parent / "workflow" / "schemas" /
                                 "config.schema.yaml").read_text(encoding="utf-8"))
        for key in schema["$defs"]["line_figure"]["properties"]:
            assert f"    {key}:" in block or f"    # {key}:" in block, key
        checks_pass(paper)

    def test_figure_kind_near_miss(self, tmp_path: Path) -> None:
        paper = scaffold(tmp_path / "paper")
        (paper.root / "data" / "storms.csv").write_text(STORMS, encoding="utf-8")
        result = paper.perrypress("add", "figure", "lines", "data/storms.csv")
        assert result.returncode == 1 and "did you mean 'line'?" in result.stderr
        assert "Traceback" not in result.stderr

    def test_source_then_a_table_from_it(self, tmp_path: Path) -> None:
        paper = scaffold(tmp_path / "paper")
        add(paper, "source", "gomez2024", "--author", "Gómez Ruiz, Ana", "--title", "Puertos del Caribe",
            "--year", "2024", "--publisher", "Editorial Mar")
        checks_pass(paper)  # in nocite: the bibliography check passes before the text cites it
        assert "@gomez2024" in (paper.root / "report.qmd").read_text(encoding="utf-8")
        (paper.root / "data" / "ports.csv").write_text(PORTS, encoding="utf-8")
        add(paper, "table", "data/ports.csv", "--source", "gomez2024")
        assert "gomez2024,\"Gómez Ruiz, Ana\",Puertos del Caribe,2024," in \
            (paper.root / "data" / "sources.csv").read_text(encoding="utf-8")
        checks_pass(paper)

    def test_a_misspelt_source_gets_a_suggestion(self, tmp_path: Path) -> None:
        paper = scaffold(tmp_path / "paper")
        add(paper, "source", "gomez2024")
        (paper.root / "data" / "ports.csv").write_text(PORTS, encoding="utf-8")
        result = paper.perrypress("add", "table", "data/ports.csv", "--source", "Gomez2024")
        assert result.returncode == 1 and "did you mean 'gomez2024'?" in result.stderr


@pytest.mark.slow
def test_three_adds_and_one_build(tmp_path: Path) -> None:
    """A new paper gains a section, a CSV table and a line chart with three commands, and builds at once."""
    paper = scaffold(tmp_path / "paper")
    (paper.root / "data" / "ports.csv").write_text(PORTS, encoding="utf-8")
    (paper.root / "data" / "storms.csv").write_text(STORMS, encoding="utf-8")
    add(paper, "section", "Ports and storms")
    add(paper, "table", "data/ports.csv", "--in", "sections/02-ports-and-storms.qmd")
    add(paper, "figure", "line", "data/storms.csv", "--in", "sections/02-ports-and-storms.qmd")
    result = paper.perrypress("build")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "warning" not in (result.stdout + result.stderr).lower()
    texts = {"pdf": words(pdf_text(paper.edition("pdf"))), "docx": words(docx_text(paper.edition("docx"))),
             "html": words(" ".join(html_text(paper.edition("html")).body))}
    for ext, text in texts.items():
        for expected in ("Ports and storms", "Table 2 shows", "Table 2: Caption of the table", "Kingston",
                         "Figure 1 shows", "Figure 1: Caption of the figure"):
            assert expected in text, (ext, expected)
    alt = json.loads((paper.root / "_variables.yml").read_text(encoding="utf-8"))["figures"]["storms"]["alt"]
    assert alt.startswith("Line chart of storms") and "12.5" in alt
