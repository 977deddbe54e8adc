# Helpers shared by the rules: paths and input lists, never logic.
import sys
from pathlib import Path

from perrypress.config import data_files

BUILD = "_build"
# The editions readers open: replaced only by a successful build (rules/editions.smk).
OUTPUT = f"{BUILD}/{config['output_name']}"
# The workflow's own copies of the editions, the outputs its rules declare.
BUILT = f"{BUILD}/.built"
SECTIONS = sorted(str(p) for p in Path("sections").glob("*.qmd"))
FILTERS = sorted(str(p) for p in Path("pandoc/filters").glob("*.lua"))
PANDOC_FILES = FILTERS + sorted(str(p) for p in Path("pandoc").rglob("*") if p.suffix in {".yaml", ".typst", ".typ", ".css", ".openxml", ".html", ".js"})
# The package modules each step runs: editing one reruns the steps that use it.
PACKAGE = "src/perrypress"


# The words the editions print, one table per language (src/perrypress/labels.py).
LABELS = sorted(str(p) for p in Path(f"{PACKAGE}/labels").glob("*.yaml"))


def code(*modules):
    """Paths of the package modules a rule's output depends on."""
    return [f"{PACKAGE}/{name}.py" for name in modules]


CLI = f'"{sys.executable}" -m perrypress.cli'
# HTML and PDF editions, print, DOCX; the same as perrypress.figure_regions.FORMATS,
# which is not imported here: the Snakefile must not load matplotlib.
FIGURE_FORMATS = ["svg", "pdf", "png"]
RELEASE = "--release" if config["mode"] == "release" else ""


def built_edition(ext):
    """The workflow's copy of one edition (its rule's output)."""
    return f"{BUILT}/{config['output_name']}.{ext}"


def edition_command(ext):
    """The shell command of one edition's rule.

    Draft or release, and the readers' copy it replaces, are written into the
    command rather than given as ``params:``: changing either still reruns the
    edition (Snakemake's "code" rerun trigger compares the command), and a
    workflow with no params spares Snakemake importing pandas, on every run,
    to hash them.
    """
    return (f"{{CLI}} --log {{log}} step edition {ext} {RELEASE} --bibliography-keys {{input.bibliography}} "
            f"--out {{output.edition}} --replace {OUTPUT}.{ext}")


def table_outputs():
    """The Markdown include of every configured table."""
    return [f"{BUILD}/tables/{slug}.md" for slug in config["tables"]]


def figure_outputs():
    """Every file of every configured figure."""
    return [f"figures/{slug}.{fmt}" for slug in config["figures"] for fmt in FIGURE_FORMATS]


def table_data(wildcards):
    """The data files one table is made from."""
    spec = config["tables"][wildcards.slug]
    return [spec["data"], spec["data"].replace(".csv", ".schema.yaml")] + (
        [spec["notes"], spec["notes"].replace(".csv", ".schema.yaml")] if "notes" in spec else [])


def figure_data(wildcards):
    """The data and geometry files one figure is drawn from."""
    spec = config["figures"][wildcards.slug]
    return [spec["data"], spec["countries"], spec["geometry"]]


def edition_inputs(wildcards):
    """Everything an edition is compiled from."""
    return {
        "document": config["report"],
        "sections": SECTIONS,
        "tables": table_outputs(),
        "figures": figure_outputs(),
        "variables": "_variables.yml",
        "bibliography": rules.check_bibliography.output.citation_keys,
        "csl": f"{BUILD}/styles/{config['csl']}",
        "pandoc": PANDOC_FILES,
        "config": "config/config.yaml",
        "code": code("editions", "documents", "bibliography", "toolchain", "pdf_streams", "last_good", "docx_rows",
                     "html_markup", "labels") + LABELS,
        # The HTML edition's fonts and "Cite this paper" block (workflow/rules/site.smk).
        "site": [f"{BUILD}/fonts", f"{BUILD}/cite.html", f"{BUILD}/labels.yml"],
        # Photographs and other assets the sections refer to (absent ones are
        # placeholders in draft builds and errors in release builds).
        "assets": sorted(str(p) for p in Path("images").glob("*") if p.is_file() and p.suffix != ".md"),
    }
