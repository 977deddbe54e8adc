"""Benchmark `perrypress review`: a one-word change reviewed against a BASE whose build is cached.

Run:  .venv/bin/python benchmarks/review.py [--repeat 3]

It copies the project's sources into a temporary git repository, builds it, reviews the
unchanged tree once (which builds BASE into _build/.review-cache/), then, for each repeat,
changes one word, commits, and times `perrypress review HEAD~1` (BASE cached; HEAD rebuilt
incrementally) next to a plain incremental `perrypress build` of the same kind of edit.
Last, it times the page comparison alone (``pages.compare_pdfs``: pairing the PDF pages, rendering
and boxing the changed ones) on BASE's PDF against the one-word edit's and against itself, and counts
the pages it rendered. Figures belong here, not in timed tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from perrypress.review import pages
from perrypress.verify import copy_sources

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1704067200", "GIT_AUTHOR_NAME": "bench", "GIT_AUTHOR_EMAIL": "b@example.org",
       "GIT_COMMITTER_NAME": "bench", "GIT_COMMITTER_EMAIL": "b@example.org"}
WORDS = ("model", "performer")


def time_pages(old_pdf: Path, new_pdf: Path, repeat: int) -> tuple[float, float, int, int]:
    """Median wall-clock and CPU seconds of ``compare_pdfs(old_pdf, new_pdf)`` (CPU time is what a shared
    machine's load disturbs least), the pages it rendered, and the pages changed."""
    rendered = []
    render = pages.render

    def counting(document, index):
        rendered.append(index)
        return render(document, index)

    seconds, cpu = [], []
    pages.render = counting
    try:
        for _ in range(repeat):
            rendered.clear()
            with tempfile.TemporaryDirectory(prefix="perrypress-bench-pages-") as out:
                start, start_cpu = time.perf_counter(), time.process_time()
                result = pages.compare_pdfs(old_pdf, new_pdf, Path(out))
                seconds.append(time.perf_counter() - start)
                cpu.append(time.process_time() - start_cpu)
    finally:
        pages.render = render
    return statistics.median(seconds), statistics.median(cpu), len(rendered), len(result.changes)


def timed(project: Path, *args: str) -> float:
    """Run one perrypress command in ``project``; return the wall-clock seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "perrypress.cli", *args], cwd=project, env=ENV, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def edit(project: Path, index: int) -> None:
    """Swap one word of the introduction and commit."""
    section = project / "sections" / "01-introduction.qmd"
    old, new = WORDS if index % 2 == 0 else WORDS[::-1]
    section.write_text(section.read_text(encoding="utf-8").replace(f"webcam {old}", f"webcam {new}", 1), encoding="utf-8")
    subprocess.run(["git", "commit", "-qam", f"edit {index}"], cwd=project, env=ENV, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    repeat = parser.parse_args().repeat
    with tempfile.TemporaryDirectory(prefix="perrypress-bench-review-") as tmp:
        project = copy_sources(ROOT, Path(tmp) / "project")
        for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "base"]):
            subprocess.run(["git", *command], cwd=project, env=ENV, check=True)
        base = subprocess.run(["git", "rev-parse", "HEAD"], cwd=project, env=ENV, check=True, capture_output=True,
                              text=True).stdout.strip()
        fresh = timed(project, "build")
        cold = timed(project, "review", base)  # builds BASE into the cache
        unchanged = timed(project, "review", base)  # BASE cached, HEAD up to date: editions compared byte for byte
        builds, reviews = [], []
        for index in range(repeat):
            edit(project, 0)
            reviews.append(timed(project, "review", base))  # BASE cached; HEAD rebuilt incrementally
            edit(project, 1)
            builds.append(timed(project, "build"))  # the same kind of one-word edit, built alone
        edit(project, 0)
        timed(project, "build")
        base_pdf = next((project / "_build" / ".review-cache").glob("*/_build/*.pdf"))
        head_pdf = project / "_build" / base_pdf.name
        edited = time_pages(base_pdf, head_pdf, max(repeat, 3))
        same = time_pages(base_pdf, base_pdf, max(repeat, 3))
        print(f"fresh build {fresh:.1f} s; first review (builds BASE) {cold:.1f} s; "
              f"review of an unchanged tree (BASE cached) {unchanged:.1f} s")
        print(f"one-word edit: incremental build {statistics.median(builds):.1f} s, "
              f"review with BASE cached {statistics.median(reviews):.1f} s (median of {repeat})")
        print(f"PDF pages alone (compare_pdfs, {len(pdf_pages(base_pdf))} pages): one-word edit {edited[0]:.2f} s "
              f"(CPU {edited[1]:.2f} s), {edited[2]} page renderings for {edited[3]} changed page(s); unchanged PDF "
              f"{same[0]:.2f} s (CPU {same[1]:.2f} s), {same[2]} renderings (median of {max(repeat, 3)})")


def pdf_pages(pdf: Path) -> list:
    """The pages of a PDF (for the count)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(str(pdf))
    try:
        return list(range(len(document)))
    finally:
        document.close()


if __name__ == "__main__":
    main()
