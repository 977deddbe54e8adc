"""Benchmark the build: a fresh build, a no-op rebuild, and rebuilds after editing a section or a CSV.

Run:  .venv/bin/python benchmarks/build.py [--repeat 3]

It copies the project's sources to a temporary folder (as a fresh clone has
them), runs the workflow there as `perrypress build` does, and prints the median
wall-clock time of each scenario and the largest resident memory of any job.
Figures belong here, not in timed unit tests.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from perrypress.verify import copy_sources

ROOT = Path(__file__).resolve().parents[1]


def run(project: Path) -> float:
    """Run the workflow once in ``project``; return the wall-clock seconds."""
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", "--quiet", "all"], cwd=project, check=True,
                   capture_output=True, env={**os.environ, "SOURCE_DATE_EPOCH": "1704067200"})
    return time.perf_counter() - start


def append(path: Path, text: str) -> None:
    with path.open("a", encoding="utf-8") as handle:
        handle.write(text)


def scenarios(project: Path) -> dict[str, float]:
    """Time each scenario once, in order, in one copy of the project."""
    times = {"fresh build": run(project), "no-op rebuild": run(project)}
    append(project / "sections" / "01-introduction.qmd", "\nAn edited sentence.\n")
    times["after editing a section"] = run(project)
    regions = project / "data" / "regions.csv"
    regions.write_text(regions.read_text(encoding="utf-8").replace("South America,8,", "South America,9,"),
                       encoding="utf-8")
    times["after editing Figure 1's CSV"] = run(project)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    results: dict[str, list[float]] = {}
    for i in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="perrypress-bench-") as tmp:
            for name, seconds in scenarios(copy_sources(ROOT, Path(tmp) / "project")).items():
                results.setdefault(name, []).append(seconds)
    print(f"{'scenario':32} {'median s':>9} {'min s':>7} {'max s':>7}  (n={args.repeat}, 2 cores)")
    for name, values in results.items():
        print(f"{name:32} {statistics.median(values):9.2f} {min(values):7.2f} {max(values):7.2f}")
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(f"largest resident memory of one job: {peak_mib:.0f} MiB")


if __name__ == "__main__":
    main()
