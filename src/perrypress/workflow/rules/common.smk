# Helpers shared by the rules: paths and input lists, never logic.
import os
import sys
from pathlib import Path

from perrypress import resources
from perrypress.sources.config import data_files, data_package
from perrypress.sources.datapackage import SOURCES, resource_files, resource_path
from perrypress.workflow import job_inputs

# Up to date means same content, not a newer modification time: a step whose inputs changed after
# it started (a save made while the build ran) loses its outputs now, so Snakemake runs it again
# (perrypress/workflow/job_inputs.py; each step records its inputs' digests as it starts).
# Only the submitting host plans: a job that a cluster or cloud executor runs parses this file again
# (``--mode remote``) and must not remove another step's outputs while the build runs.
if not workflow.remote_exec:
    job_inputs.forget_stale()

# Each part of the configuration a step reads, as its own file, rewritten only when that part changed
# (perrypress/workflow/config_parts.py): a table's caption reruns that table and the editions, not the fonts.
from perrypress.workflow import config_parts

config_parts.write_parts(config)


def config_part(name):
    """The file of one part of the configuration (fonts, table-<slug>, figure-<slug>, variables, editions).

    Local: every job's Snakemake writes it from the workflow's config file where the job runs.
    """
    return local(str(config_parts.part_path(name)))

BUILD = "_build"
# What every rule asks a scheduler for (threads:, resources: mem_mb in MB and runtime in minutes, as
# `sbatch --cpus-per-task={threads} --mem={resources.mem_mb}M` reads them): each step's peak resident
# memory and wall time, measured with `/usr/bin/time -f "%M %e"` on this repository's paper (a step's
# figure includes pandoc's and Typst's processes), with at least three times the memory and a runtime
# far above the time. Measured peaks: editions 185-191 MB in 3.2-3.5 s; figure 140 MB, 5.8 s;
# tables and variables 75 MB, 1.5 s; check_data 43 MB, 2.6 s; the rest 3-41 MB, under 1 s.
# The editions readers open: replaced only by a successful build (rules/editions.smk).
OUTPUT = f"{BUILD}/{config['output_name']}"
# The workflow's own copies of the editions, the outputs its rules declare.
BUILT = f"{BUILD}/.built"
SECTIONS = sorted(str(p) for p in Path("sections").glob("*.qmd"))
# The tool's files come from the installed package (perrypress/resources.py), not the
# project: every paper uses the same filters, templates and code, and an upgrade of the
# package reruns the steps whose files it changed. Filters include their shared modules (lib/).
# local(): the package's files are where it is installed, on every host and in every image, never in remote storage.
FILTERS = sorted(local(str(p)) for p in resources.FILTERS.rglob("*.lua"))
PANDOC_FILES = FILTERS + sorted(local(str(p)) for p in resources.PANDOC.rglob("*") if p.suffix in {".yaml", ".typst", ".typ", ".css", ".openxml", ".html", ".js"})


# The data package: every CSV's Table Schema, licence and source (data/datapackage.json).
DATA_PACKAGE = data_package(config)
# Steps that read data run after the package's validation (rules/data.smk), so they never see a bad
# cell and a bad cell always gets the same message, the check's. Not ancient(): Snakemake 9 then skips
# re-checking the steps downstream of check_data and would leave a changed table stale; the price is
# that a change to one CSV reruns every step that reads data.
DATA_CHECKED = f"{BUILD}/checks/data.ok"


# The words the editions print, one table per language (perrypress/sources/labels.py).
LABELS = sorted(local(str(p)) for p in resources.LABELS.glob("*.yaml"))


def code(*modules):
    """Paths of the package modules a rule's output depends on: editing one reruns the steps that use it."""
    return [local(str(resources.module(name))) for name in modules]


def storage_root():
    """Where Snakemake keeps its local copies of the default storage's files (``--default-storage-provider``), or None.

    A file ``data/law.csv`` of a build with ``--default-storage-prefix s3://bucket/2024-1`` is handed to the
    step as ``.snakemake/storage/s3/bucket/2024-1/data/law.csv`` (``fs``: the prefix's path without its first
    ``/``): the step finds its project's layout again under this folder (perrypress/workflow/storage_stage.py).
    """
    settings = workflow.storage_settings
    if settings is None or not settings.default_storage_provider:
        return None
    # The provider's own answer for a file at the top of the prefix, less that file's name.
    prefix = (settings.default_storage_prefix or "").rstrip("/")
    probe = workflow.storage_registry.default_storage_provider.object(f"{prefix}/perrypress-project-root")
    return os.path.relpath(probe.local_path().parent)


CLI = f'"{sys.executable}" -m perrypress.cli'
# With remote storage, each step runs in a folder laid out like the project from the paths its rule passes.
# (Without it the command is unchanged, so a local build's steps are not rerun.)
if storage_root():
    CLI += f" --storage-root {storage_root()}"
# HTML and PDF editions, print, DOCX; the same as perrypress.products.figures.FORMATS
# (a test checks it), not imported so the Snakefile loads nothing of the package's.
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
    readers = "{output.readers}" if storage_root() else f"{OUTPUT}.{ext}"
    return (f"{{CLI}} --inputs {{input:q}} --outputs {{output:q}} --log {{log}} step edition {ext} {RELEASE} --bibliography-keys {{input.bibliography}} "
            f"--out {{output.edition}} --replace {readers}")


def readers_output(ext):
    """With remote storage, the readers' copy of an edition is an output too, so it reaches the storage.

    Snakemake sends a step's outputs to the storage only when the step succeeds, so the copy there is
    replaced by a complete edition or not at all, as the local one is (perrypress/workflow/last_good.py).
    Locally it is not an output: Snakemake would delete it before the step runs.
    """
    return {"readers": f"{OUTPUT}.{ext}"} if storage_root() else {}


def table_outputs():
    """The Markdown include of every configured table."""
    return [f"{BUILD}/tables/{slug}.md" for slug in config["tables"]]


def figure_outputs():
    """Every file of every configured figure."""
    return [f"figures/{slug}.{fmt}" for slug in config["figures"] for fmt in FIGURE_FORMATS]


def package_files():
    """The files of every resource of the data package."""
    return resource_files(Path(DATA_PACKAGE))


def sources_table():
    """The package's table of the works the data cite (data/sources.csv), which the bibliography check reads."""
    path = resource_path(Path(DATA_PACKAGE), SOURCES)
    return [str(path)] if path else []


def table_data(wildcards):
    """The data files one table is made from, and the package that describes them."""
    spec = config["tables"][wildcards.slug]
    return [spec["data"]] + ([spec["notes"]] if "notes" in spec else []) + [DATA_PACKAGE]


# The configuration keys naming the files each kind of figure is drawn from.
FIGURE_FILES = {"map": ["data", "countries", "geometry"], "bar": ["data"], "line": ["data"]}
# The modules of src/perrypress/products/figures/ each kind of figure is described by (its alt text, from the data, which
# the variables step writes without matplotlib) and drawn by (the figure step, which also loads the kind's words:
# its drawing reads the values and prints the numbers with them). figures/__init__.py says which module does what.
FIGURE_TEXT_MODULES = {"map": ["map_text"], "bar": ["chart_text", "bar_text"], "line": ["chart_text", "line_text"]}
FIGURE_MODULES = {"map": ["map"], "bar": ["chart", "bar"], "line": ["chart", "line"]}


# A shapefile is read with the files beside it: its index, attributes, projection and encoding.
SHAPEFILE_PARTS = [".shx", ".dbf", ".prj", ".cpg"]


def figure_data(wildcards):
    """The data (and, for a map, geometry: the .shp and the files read with it) files one figure is drawn from."""
    spec = config["figures"][wildcards.slug]
    files = [spec[key] for key in FIGURE_FILES[spec["kind"]]]
    if "geometry" in spec:
        shp = Path(spec["geometry"])
        files += [str(shp.with_suffix(s)) for s in SHAPEFILE_PARTS if shp.with_suffix(s).exists()]
    return files + [DATA_PACKAGE]


def _figure_package_code(shared, modules, kinds):
    """The modules of perrypress/products/figures/ named in ``shared`` and, for each of ``kinds``, in ``modules``; each once."""
    names = shared + [m for kind in sorted(set(kinds)) for m in modules[kind]]
    return code(*(f"products.figures.{m}" for m in dict.fromkeys(names)))


def figure_text_code(kinds):
    """The package modules that describe figures of these kinds (their alt text): no drawing module."""
    return code("sources.data_tables") + _figure_package_code(["__init__", "frames", "text"], FIGURE_TEXT_MODULES, kinds)


def figure_code(kinds):
    """The package modules that draw figures of these kinds: those that describe them, the house style, the drawing."""
    kinds = set(kinds)
    return figure_text_code(kinds) + _figure_package_code(["style"], FIGURE_MODULES, kinds)


def figure_modules(wildcards):
    """The package modules one figure is drawn by."""
    return figure_code([config["figures"][wildcards.slug]["kind"]])


def edition_inputs(wildcards):
    """Everything an edition is compiled from."""
    return {
        "document": config["report"],
        "sections": SECTIONS,
        "tables": table_outputs(),
        "figures": figure_outputs(),
        "variables": "_variables.yml",
        "bibliography": rules.check_bibliography.output.citation_keys,
        # What pandoc's citeproc reads the entries from (the check above gives only their keys).
        "bib": [config["bibliography"], config["provenance_bibliography"]],
        # The DOCX records the digest of every data file (perrypress/sources/digest.py).
        "data": data_files(config),
        "csl": f"{BUILD}/styles/{config['csl']}",
        "layout": f"{BUILD}/styles/{resources.TYPST_LAYOUT.name}",
        "pandoc": PANDOC_FILES,
        "config": config_part("editions"),
        "code": code("editions.render", "sources.document", "sources.bibliography", "sources.digest", "toolchain", "editions.pdf_streams", "workflow.last_good", "editions.docx_rows",
                     "editions.html_markup", "sources.labels") + LABELS,
        # The HTML edition's fonts and "Cite this paper" block (rules/site.smk).
        "site": [f"{BUILD}/fonts", f"{BUILD}/cite.html", f"{BUILD}/quarto-files"],
        # Photographs and other assets the sections refer to (absent ones are
        # placeholders in draft builds and errors in release builds).
        "assets": sorted(str(p) for p in Path("images").glob("*") if p.is_file() and p.suffix != ".md"),
    }
