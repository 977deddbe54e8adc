"""Write _build/quarto-files/, everything `quarto render` reads that is not the paper's: rule quarto_files.

_quarto.yml (this repository's, and the one `perrypress new` writes) names only
these files, so it is the same for every paper, wherever the package is installed:

- ``pandoc/``: a copy of the installed package's filters, templates, Typst
  partials, stylesheet and script (src/perrypress/editions/pandoc/);
- ``metadata.yml`` (``metadata-files``): what the pandoc path gives pandoc on
  its command line and in its labels defaults file — the labels of the
  paper's language, the section titles, the edition's file name (the HTML
  page's Download and Cite actions), draft or release, the fonts — and the
  PDF's and DOCX's date, SOURCE_DATE_EPOCH's (Quarto's typst call passes no timestamp);
- ``fonts/`` (the typst format's ``font-paths``): links to the configured font files;
- ``post-render`` (the project's ``post-render`` script): runs
  ``perrypress step quarto-finish`` with the Python that built the paper.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import shutil
import sys
from pathlib import Path
from typing import Any

import yaml

from .. import resources, toolchain
from ..sources.labels import labels_for, pandoc_metadata
from ..sources.metadata import read_metadata

log = logging.getLogger(__name__)

FOLDER = Path("_build") / "quarto-files"
# The package's pandoc files the Quarto project uses (the defaults files are the pandoc path's alone).
PANDOC_PARTS = ("filters", "templates", "quarto", "html")


def quarto_metadata(root: Path, config: dict[str, Any], *, epoch: int) -> dict[str, Any]:
    """The metadata `quarto render` needs from perrypress: the pandoc path's --metadata and labels, the PDF's date."""
    report = root / config["report"]
    meta, text = read_metadata(report)
    when = dt.datetime.fromtimestamp(epoch, tz=dt.timezone.utc)
    return {
        **pandoc_metadata(meta, path=report, text=text),
        # The HTML contents' heading: Quarto sets its own ("Table of contents") unless the metadata has one;
        # perry.html prints the `contents` label when it has none (the pandoc path).
        "toc-title": str(meta.get("toc-title") or labels_for(meta, path=report, text=text)["contents"]),
        "build-mode": config["mode"],
        "serif-font": config["fonts"]["serif"]["family"],
        "sans-font": config["fonts"]["sans"]["family"],
        "edition-name": config["output_name"],
        # The build's SOURCE_DATE_EPOCH: the PDF's date, and the DOCX's (post-render, `perrypress step quarto-finish`).
        "source-date-epoch": epoch,
        "pdf-date": {"year": when.year, "month": when.month, "day": when.day,
                     "hour": when.hour, "minute": when.minute, "second": when.second},
    }


def post_render_script() -> str:
    """The post-render script: `perrypress step quarto-finish`, run by the Python that has perrypress."""
    return (f"#!{sys.executable}\n"
            "# Written by perrypress build (_build/quarto-files/): Quarto runs it after rendering\n"
            "# (_quarto.yml, project: post-render) to finish the HTML and DOCX as the pandoc path does.\n"
            "import sys\n\n"
            "from perrypress.cli import main\n\n"
            'sys.exit(main(["step", "quarto-finish"]))\n')


def write_quarto_files(root: Path, config: dict[str, Any], out: Path) -> Path:
    """Write ``out`` (_build/quarto-files/): the package's pandoc files, the metadata, the fonts, the post-render script."""
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    for part in PANDOC_PARTS:
        shutil.copytree(resources.PANDOC / part, out / "pandoc" / part)
    metadata = quarto_metadata(root, config, epoch=toolchain.source_date_epoch(root))
    (out / "metadata.yml").write_text(yaml.safe_dump(metadata, allow_unicode=True, sort_keys=True), encoding="utf-8")
    fonts = out / "fonts"
    fonts.mkdir()
    for font in toolchain.font_files(config["fonts"]):
        (fonts / font.name).symlink_to(font)
    script = out / "post-render"
    script.write_text(post_render_script(), encoding="utf-8")
    os.chmod(script, 0o755)
    log.info("wrote %s", out)
    return out


def build_epoch(root: Path) -> int:
    """The SOURCE_DATE_EPOCH the build wrote into metadata.yml (else the environment's or the last commit's)."""
    path = root / FOLDER / "metadata.yml"
    written = yaml.safe_load(path.read_text(encoding="utf-8")) if path.is_file() else None
    if isinstance(written, dict) and isinstance(written.get("source-date-epoch"), int):
        return written["source-date-epoch"]
    return toolchain.source_date_epoch(root)
