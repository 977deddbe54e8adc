"""Render the editions with Quarto (`perrypress build --engine quarto`), after the workflow's generated inputs."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, Mapping

from .. import toolchain
from ..errors import BuildError, SourceError
from . import last_good
from .quarto_files import build_epoch

log = logging.getLogger(__name__)

# Edition file extension -> Quarto format in _quarto.yml.
FORMATS = {"pdf": "typst", "html": "html", "docx": "docx"}
OUTPUT_DIR = Path("_build") / "quarto"  # project: output-dir in _quarto.yml


class QuartoMissing(SourceError):
    """`--engine quarto` was asked for on a machine without Quarto."""


def quarto_executable() -> str:
    """Return the `quarto` on PATH, or raise QuartoMissing naming the option that asked for it."""
    found = shutil.which("quarto")
    if found is None:
        raise QuartoMissing("_quarto.yml", "quarto is not on PATH (perrypress build --engine quarto)",
                            "install Quarto (https://quarto.org/docs/get-started/) or build with the default "
                            "engine: perrypress build", line=1)
    return found


def project_output_files(environ: Mapping[str, str]) -> list[str]:
    """The files a Quarto render wrote, as it tells its post-render scripts (relative to the project)."""
    listing = environ.get("QUARTO_USE_FILE_FOR_PROJECT_OUTPUT_FILES")
    text = Path(listing).read_text(encoding="utf-8") if listing else environ.get("QUARTO_PROJECT_OUTPUT_FILES", "")
    return [line for line in text.splitlines() if line.strip()]


def finish_outputs(root: Path, outputs: list[str]) -> list[Path]:
    """What the pandoc path does after pandoc, for Quarto's outputs (its post-render script): HTML tidied; DOCX rows
    kept on one page and dated at SOURCE_DATE_EPOCH."""
    from ..editions.docx_dates import redate_docx
    from ..editions.html_markup import tidy_quarto
    from ..editions.render import finish

    finished = []
    for name in outputs:
        path = root / name
        if path.suffix == ".html":
            path.write_text(tidy_quarto(path.read_text(encoding="utf-8")), encoding="utf-8")
        elif path.suffix == ".docx":
            finish("docx", path)
            redate_docx(path, build_epoch(root))
        else:
            continue
        finished.append(path)
    return finished


def render_command(quarto: str, edition: str, config: dict[str, Any]) -> list[str]:
    """The `quarto render` command line for one edition ('pdf', 'html' or 'docx')."""
    return [quarto, "render", "report.qmd", "--to", FORMATS[edition],
            "--output", f"{config['output_name']}.{edition}"]


def render_editions(root: Path, config: dict[str, Any], *, editions: list[str] | None = None,
                    quarto: str | None = None) -> list[Path]:
    """Run `quarto render` for each edition and put each where readers open it, _build/<name>.<ext>."""
    quarto = quarto or quarto_executable()
    made = []
    # The PDF's date, the DOCX's and the post-render step's are the pandoc path's (SOURCE_DATE_EPOCH).
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(build_epoch(root))}
    for edition in editions or list(config["editions"]):
        command = render_command(quarto, edition, config)
        log.info("%s", " ".join(command))
        result = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True)
        if result.stderr.strip():
            log.warning("%s", result.stderr.strip())
        if result.returncode != 0:
            raise BuildError(f"quarto render --to {FORMATS[edition]} failed (exit {result.returncode}): "
                             f"{result.stderr.strip()[-2000:]}")
        rendered = root / OUTPUT_DIR / f"{config['output_name']}.{edition}"
        if not rendered.exists():
            raise BuildError(f"quarto render --to {FORMATS[edition]} wrote no {rendered.relative_to(root)}")
        readers = root / "_build" / f"{config['output_name']}.{edition}"
        last_good.replace(rendered, readers)
        made.append(readers)
    return made


def build_with_quarto(root: Path, config: dict[str, Any], *, cores: int, release: bool, quiet: bool) -> int:
    """Run the workflow (tables, figures, variables, styles), then render every edition with Quarto."""
    from .runner import run_build

    quarto = quarto_executable()  # before the workflow runs: no Quarto, no work
    code = run_build(root, config, targets=[], cores=cores, release=release, quiet=quiet)
    if code != 0:
        return code
    for path in render_editions(root, config, quarto=quarto):
        if not quiet:
            print(f"quarto: {path.relative_to(root)}")
    return 0
