"""The review command: build both sides, compare, write _build/review/, and choose the exit code."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

from .compare import Review, compare, edition_path
from .redline import write_redline
from .report import write_index, write_summary
from .sides import build_sides, changed_sources

log = logging.getLogger(__name__)

OUT_DIR = Path("_build") / "review"
EXIT_CHANGED, EXIT_FAILED = 1, 2
STALE = "The review did not finish; no report is current."


def review(root: Path, base: str, head: str | None = None) -> tuple[Review, str]:
    """Build BASE and HEAD, compare their editions and write the report; return the review and SUMMARY.md.

    The previous report is removed first, so a review that fails on the way leaves none that
    looks current (``fail_report`` writes what went wrong in its place).
    """
    out_dir = root / OUT_DIR
    shutil.rmtree(out_dir, ignore_errors=True)
    base_side, head_side = build_sides(root, base, head)
    staging = out_dir.with_name("review.part")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    result = compare(base_side, head_side, out_dir=staging)
    result.sources = changed_sources(root, base, head)
    if not result.failed:
        result.docx = staging / "review.docx"
        result.docx_changes = write_redline(edition_path(base_side, "docx"), edition_path(head_side, "docx"),
                                            result.docx)
    summary = write_summary(result, staging / "SUMMARY.md")
    write_index(result, summary, staging / "index.html")
    staging.replace(out_dir)
    # Paths in the review now point into the final folder.
    if result.docx:
        result.docx = out_dir / "review.docx"
    return result, summary


def fail_report(root: Path, message: str) -> str:
    """Replace _build/review/ by a SUMMARY.md that says the review itself failed, and why; return it."""
    out_dir = root / OUT_DIR
    shutil.rmtree(out_dir, ignore_errors=True)
    shutil.rmtree(out_dir.with_name("review.part"), ignore_errors=True)
    out_dir.mkdir(parents=True)
    summary = f"# Review failed\n\n{STALE}\n\n```\n{message.strip()}\n```\n"
    (out_dir / "SUMMARY.md").write_text(summary, encoding="utf-8")
    return summary


def exit_code(result: Review, *, fail_on_change: bool) -> int:
    """2 when a side failed to build; 1 with ``fail_on_change`` when anything changed; else 0."""
    if result.failed:
        return EXIT_FAILED
    return EXIT_CHANGED if fail_on_change and result.changed else 0
