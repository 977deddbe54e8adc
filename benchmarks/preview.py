"""Benchmark the preview: from a save to the new sentence on the page in a real browser, against the HTML step alone.

Run:  .venv/bin/python benchmarks/preview.py [--repeat 5]

In a fresh, built copy of the sources:

- the HTML edition's step alone: the very command the workflow's rule last ran (its record,
  ``_build/.inputs/``), after appending a sentence to a section, in a new process each time;
- the preview: ``perrypress preview --no-browser`` with the page open in Chromium
  (Playwright driving /usr/bin/chromium); a sentence is appended to a section and the
  clock stops at the first animation frame whose page holds it, its fonts loaded. Each
  save waits for the previous one's full build (all three editions) to end.

Prints the medians, their ratio and the target (≤ 1.3×), the HTML step's CPU seconds,
and the load average before and after: on a loaded machine wall times stretch.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from perrypress.screenshots import chromium
from perrypress.verify import copy_sources
from perrypress.workflow.job_inputs import record_path

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1704067200"}
SECTION = "sections/06-conclusions.qmd"
TARGET = 1.3
SHOWN = "s => document.body && document.body.textContent.includes(s) && document.fonts.status === 'loaded'"


def append(project: Path, sentence: str) -> None:
    with (project / SECTION).open("a", encoding="utf-8") as handle:
        handle.write(f"\n{sentence}\n")


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def html_step(project: Path, name: str) -> tuple[float, float]:
    """Run the HTML edition's step as its rule did; return (seconds, CPU seconds)."""
    entry = json.loads(record_path(f"_build/.built/{name}.html", project / "_build" / ".inputs").read_text())
    append(project, f"The HTML step alone {uuid.uuid4().hex[:8]}.")
    start, cpu = time.perf_counter(), children_cpu()
    subprocess.run([sys.executable, "-m", "perrypress.cli", *entry["argv"]], cwd=project, env=ENV, check=True,
                   capture_output=True)
    return time.perf_counter() - start, children_cpu() - cpu


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(log: Path, text: str, count: int, timeout: float = 600) -> None:
    """Wait until ``text`` has been printed ``count`` times by the preview."""
    deadline = time.monotonic() + timeout
    while log.read_text(encoding="utf-8", errors="replace").count(text) < count:
        if time.monotonic() > deadline:
            raise SystemExit(f"the preview did not print {text!r}:\n{log.read_text()[-3000:]}")
        time.sleep(0.05)


def wait_idle(log: Path, quiet: float = 3.0, timeout: float = 600) -> None:
    """Wait until the preview has ended its builds (its editions listed) and printed nothing for ``quiet`` seconds."""
    deadline, seen, since = time.monotonic() + timeout, -1, time.monotonic()
    while True:
        text = log.read_text(encoding="utf-8", errors="replace")
        if len(text) != seen:
            seen, since = len(text), time.monotonic()
        elif time.monotonic() - since > quiet and text.rstrip().endswith(("kB", "MB", "Ctrl-C to stop")):
            return
        if time.monotonic() > deadline:
            raise SystemExit(f"the preview did not settle:\n{text[-3000:]}")
        time.sleep(0.1)


def preview_saves(project: Path, repeat: int) -> list[float]:
    """Seconds from each save to the sentence shown in Chromium, the preview running."""
    port, log = free_port(), project.parent / "preview.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "perrypress.cli", "preview", "--no-browser", "--port",
                                    str(port)], cwd=project, env=ENV, stdout=out, stderr=subprocess.STDOUT,
                                   start_new_session=True)
    seconds = []
    try:
        wait_for(log, "Serving", 1)
        wait_idle(log)
        with chromium() as browser:
            page = browser.new_page()
            page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
            for run in range(repeat):
                sentence = f"The preview shows this {uuid.uuid4().hex[:8]}."
                start = time.perf_counter()
                append(project, sentence)
                # Shown: in the page, its fonts loaded (text waits for its web font). Checked at every animation
                # frame (a locator's wait polls every 500 ms after its first tries, which would add up to half
                # a second to the figure); the check survives a full reload of the page.
                page.wait_for_function(SHOWN, arg=sentence, polling="raf", timeout=600_000)
                seconds.append(time.perf_counter() - start)
                wait_idle(log)  # the other editions, before the next save
    finally:
        os.killpg(process.pid, signal.SIGINT)
        process.wait(60)
    text = log.read_text(encoding="utf-8", errors="replace")
    if "Build failed" in text:
        raise SystemExit(f"a preview build failed:\n{text[-3000:]}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--project", type=Path, help="a copy of the sources to use (changed!) instead of a new one")
    args = parser.parse_args()
    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="perrypress-preview-bench-") as tmp:
        project = args.project.resolve() if args.project else copy_sources(ROOT, Path(tmp) / "project")
        subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2"], cwd=project, env=ENV, check=True,
                       capture_output=True)
        name = re.search(r"^output_name: (\S+)", (project / "config" / "config.yaml").read_text(), re.M)[1]
        steps = [html_step(project, name) for _ in range(args.repeat)]
        subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2"], cwd=project, env=ENV, check=True,
                       capture_output=True)
        saves = preview_saves(project, args.repeat)
    load_after = os.getloadavg()
    step, step_cpu = statistics.median(s for s, _ in steps), statistics.median(c for _, c in steps)
    save = statistics.median(saves)
    ratio = save / step
    print(f"Load average (1, 5, 15 min): before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)}\n")
    print(f"| median of {args.repeat}, {os.cpu_count()} cores | seconds |")
    print("| --- | ---: |")
    print(f"| HTML edition step alone (wall) | {step:.2f} s |")
    print(f"| HTML edition step alone (CPU) | {step_cpu:.2f} s |")
    print(f"| save → new sentence in Chromium, preview running | {save:.2f} s |")
    print(f"| ratio | {ratio:.2f}× (target ≤ {TARGET}×: {'met' if ratio <= TARGET else 'missed'}) |")
    print(f"\nEach save: {', '.join(f'{s:.2f}' for s in saves)} s; each step: "
          f"{', '.join(f'{s:.2f}' for s, _ in steps)} s")


if __name__ == "__main__":
    main()
