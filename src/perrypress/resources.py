"""Where the shared tool's files are: the workflow, its schema, pandoc's filters, templates and styles, the labels.

They ship inside the package, so every paper project uses the installed
perrypress's copy and upgrading the package upgrades every paper. A paper's
Snakefile includes :data:`WORKFLOW_RULES`; the pandoc defaults files name their
filters and templates relative to themselves (``${.}``), so pandoc finds them
wherever the package is installed.
"""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
# Snakemake: the rule files (one file includes them all) and the configuration's JSON Schema.
WORKFLOW = PACKAGE / "workflow"
WORKFLOW_RULES = WORKFLOW / "rules" / "perrypress.smk"
CONFIG_SCHEMA = WORKFLOW / "schemas" / "config.schema.yaml"
# pandoc: defaults per edition, Lua filters, templates (Typst, HTML, DOCX), the HTML page's stylesheet and script.
PANDOC = PACKAGE / "editions" / "pandoc"
DEFAULTS = PANDOC / "defaults"
FILTERS = PANDOC / "filters"
TEMPLATES = PANDOC / "templates"
# The PDF layout, copied into each project's _build/styles/ (Typst reads files under the project only).
TYPST_LAYOUT = TEMPLATES / "perry.typ"
# The editions' words per language.
LABELS = PACKAGE / "sources" / "languages"


def module(name: str) -> Path:
    """The file of one of the package's modules (``"products.tables"`` → …/perrypress/products/tables.py)."""
    return PACKAGE / f"{name.replace('.', '/')}.py"


def defaults(name: str) -> Path:
    """One of pandoc's defaults files (``"common"``, ``"html"``, ``"docx"``, ``"typst"``)."""
    return DEFAULTS / f"{name}.yaml"
