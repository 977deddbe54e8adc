"""The review command: build both sides, compare, write _build/review/, and choose the exit code."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from .compare import Review, compare, edition_path, side_config
from .redline import write_redline
from .report import write_index, write_summary
from .sides import build_sides

log = logging.getLogger(__name__)

OUT_DIR = Path("_build") / "review"
EXIT_CHANGED, EXIT_FAILED = 1, 2


def review(root: Path, base: str, head: str | None = None) -> tuple[Review, str]:
    """Build BASE and HEAD, compare their editions and write the report; return the review and SUMMARY.md."""
    base_side, head_side = build_sides(root, base, head)
    out_dir = root / OUT_DIR
    staging = out_dir.with_name("review.part")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    result = compare(base_side, head_side, out_dir=staging)
    if not result.failed:
        old_docx = edition_path(base_side, side_config(base_side), "docx")
        new_docx = edition_path(head_side, side_config(head_side), "docx")
        result.docx = staging / "review.docx"
        result.docx_changes = write_redline(old_docx, new_docx, result.docx)
    summary = write_summary(result, staging / "SUMMARY.md")
    write_index(result, summary, staging / "index.html")
    shutil.rmtree(out_dir, ignore_errors=True)
    staging.replace(out_dir)
    # Paths in the review now point into the final folder.
    if result.docx:
        result.docx = out_dir / "review.docx"
    return result, summary


def exit_code(result: Review, *, fail_on_change: bool) -> int:
    """2 when a side failed to build; 1 with ``fail_on_change`` when anything changed; else 0."""
    if result.failed:
        return EXIT_FAILED
    return EXIT_CHANGED if fail_on_change and result.changed else 0
