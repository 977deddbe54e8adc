"""Compile report.qmd into the PDF, HTML and DOCX editions with pandoc (and Typst for the PDF)."""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from .. import resources, toolchain
from ..errors import BuildError
from ..sources.digest import sources_digest
from ..sources.labels import write_pandoc_defaults
from .pdf_streams import unambiguous_stream_ends

log = logging.getLogger(__name__)

EDITIONS = {"html": "html", "docx": "docx", "pdf": "typst"}
PDF_STANDARDS = ["a-2a", "ua-1"]
BUILD_STYLES = "_build/styles"


def pandoc_args(edition: str, config: dict[str, Any], *, output: Path, log_file: Path, labels: Path,
                digest: str = "") -> list[str]:
    """Return the pandoc command line for ``edition``; ``labels`` is the defaults file of the paper's labels.

    ``digest`` is the sources' digest (sources/digest.py), recorded in the DOCX edition's properties.
    """
    defaults = EDITIONS[edition]
    args = [
        toolchain.pandoc_path(), config["report"],
        "--defaults", str(resources.defaults("common")),
        "--defaults", str(resources.defaults(defaults)),
        "--defaults", str(labels),
        # The workflow's copy in the project (rule style_csl), so every file pandoc is given is inside it.
        "--csl", f"{BUILD_STYLES}/{config['csl']}",
        "--metadata", f"build-mode={config['mode']}",
        "--metadata", f"serif-font={config['fonts']['serif']['family']}",
        "--metadata", f"sans-font={config['fonts']['sans']['family']}",
        "--metadata", f"edition-name={config['output_name']}",
        "--log", str(log_file),
        "--output", str(output),
    ]
    if edition == "docx" and digest:
        # What `perrypress absorb` checks an edited DOCX against (docx-properties.lua keeps it as a custom property).
        args += ["--metadata", f"perrypress-sources={digest}"]
    if config["mode"] == "release":
        args.append("--fail-if-warnings")
    return args


def _filter_message(stderr: str) -> str:
    """Return the message of a failed Lua filter without pandoc's stack traceback."""
    text = stderr.split("stack traceback:")[0]
    text = re.sub(r"^Error running (Lua|filter)[^\n]*:\n?", "", text.strip(), flags=re.M)
    return text.strip() or stderr.strip()


def run_pandoc(edition: str, config: dict[str, Any], *, root: Path, output: Path, epoch: int) -> list[str]:
    """Run pandoc for ``edition``; return its warnings; raise BuildError on failure."""
    log_file = output.with_suffix(output.suffix + ".log.json")
    # The words the editions print, in the paper's language (src/perrypress/sources/labels.py).
    labels = write_pandoc_defaults(root / config["report"], output.with_suffix(output.suffix + ".labels.yaml"))
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    digest = sources_digest(config, root) if edition == "docx" else ""
    result = subprocess.run(pandoc_args(edition, config, output=output, log_file=log_file, labels=labels.resolve(),
                                        digest=digest),
                            cwd=root, env=env, capture_output=True, text=True)
    labels.unlink(missing_ok=True)
    # photo.lua's placeholder warnings repeat documents.check_document's, which name file and line.
    warnings = [w for w in _warnings(log_file) if "a placeholder is drawn" not in w]
    log_file.unlink(missing_ok=True)
    if result.returncode != 0:
        if warnings and config["mode"] == "release" and "stack traceback" not in result.stderr:
            raise BuildError(f"{config['report']}: release build stopped on pandoc warnings:\n  "
                             + "\n  ".join(warnings) + "\n— fix each warning (draft builds only show them)")
        raise BuildError(_filter_message(result.stderr))
    return warnings


def _warnings(log_file: Path) -> list[str]:
    """Return pandoc's warnings from its JSON log."""
    if not log_file.exists():
        return []
    entries = json.loads(log_file.read_text(encoding="utf-8") or "[]")
    return [_describe(e) for e in entries if e.get("verbosity") == "WARNING"]


def _describe(entry: dict[str, Any]) -> str:
    """Return a one-line description of a pandoc log entry."""
    return entry.get("pretty") or f"{entry.get('type', 'warning')}: {entry.get('message', '')}"


def compile_pdf(typ: Path, pdf: Path, config: dict[str, Any], *, root: Path, epoch: int) -> list[str]:
    """Compile Typst source to a PDF/A-2a + PDF/UA-1 file with the project's fonts only."""
    import typst

    compiler = typst.Compiler(root=str(root), font_paths=[str(p) for p in toolchain.font_dirs(config["fonts"])],
                              ignore_system_fonts=True)
    try:
        data, warnings = compiler.compile_with_warnings(input=str(typ), format="pdf",
                                                        pdf_standards=PDF_STANDARDS, timestamp=epoch)
    except typst.TypstError as exc:
        hints = "".join(f"\n  hint: {h}" for h in getattr(exc, "hints", []) or [])
        raise BuildError(f"{typ.name}: Typst: {getattr(exc, 'message', exc)}{hints}") from None
    pdf.write_bytes(unambiguous_stream_ends(data))
    messages = [f"Typst: {w.message}" for w in warnings]
    unknown_fonts = [m for m in messages if "unknown font family" in m]
    if unknown_fonts:
        raise BuildError(f"{typ.name}: {unknown_fonts[0]} — use a family from the fonts in config/config.yaml")
    return messages


def finish(edition: str, staged: Path) -> None:
    """What pandoc cannot write: DOCX rows that never split across pages; HTML markup the Nu checker accepts."""
    if edition == "docx":
        from .docx_rows import rewrite_docx

        rewrite_docx(staged)
    elif edition == "html":
        from .html_markup import tidy_file

        tidy_file(staged)


def build_edition(edition: str, config: dict[str, Any], *, root: Path, output: Path) -> list[str]:
    """Build one edition into ``output`` atomically; return the warnings it produced."""
    epoch = toolchain.source_date_epoch(root)
    output.parent.mkdir(parents=True, exist_ok=True)
    # Typst only reads files under its root, so the staging folder is inside the project.
    staging = root / "_build"
    staging.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=staging, prefix=".tmp-") as tmp:
        staged = Path(tmp) / output.name
        if edition == "pdf":
            typ = Path(tmp) / (output.stem + ".typ")
            warnings = run_pandoc(edition, config, root=root, output=typ, epoch=epoch)
            warnings += compile_pdf(typ, staged, config, root=root, epoch=epoch)
        else:
            warnings = run_pandoc(edition, config, root=root, output=staged, epoch=epoch)
            finish(edition, staged)
        if warnings and config["mode"] == "release":
            raise BuildError(f"{config['report']}: release build stopped on warnings:\n  " + "\n  ".join(warnings))
        shutil.move(staged, output)
    for warning in warnings:
        log.warning("%s: %s", output.name, warning)
    return warnings
