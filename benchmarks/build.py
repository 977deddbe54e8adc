"""Benchmark the build against its floor: the same tool invocations with no workflow around them.

Run:  .venv/bin/python benchmarks/build.py [--repeat 3]

Scenarios, each in a fresh copy of the sources (as a clone has them): a fresh
build, a no-op rebuild, a rebuild after editing one section, and one after
editing Figure 1's CSV, and one after editing Table 1's caption in
config/config.yaml. Each runs `snakemake` as `perrypress build` does, in a
wrapper process that reports the largest resident memory of any job.

The floor of a scenario is what its steps cost on their own: the very commands
the workflow's rules run (read from `snakemake --dry-run --printshellcmds`),
called one after another in one Python process (a new one per scenario) through
`perrypress.cli.main`, so with no Snakemake, no interpreter start and no import
per job; pandoc and Typst are the same binaries. The no-op's floor is
`snakemake --version`. The table printed is the README's "Performance" table;
besides wall time it gives CPU seconds (user + system, every process), which a
machine loaded by other work disturbs far less, each with its target and
whether it is met. The load average before and after is printed with it:
wall-time figures are idle-machine figures only when it is low. Figures belong here, not in timed unit tests.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from perrypress import cli
from perrypress.verify import copy_sources

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "SOURCE_DATE_EPOCH": "1704067200"}
# Runs a command and prints the largest resident memory (KiB) of any process it waited for, and their CPU seconds.
PEAK = ("import resource, subprocess, sys; code = subprocess.run(sys.argv[1:]).returncode; "
        "u = resource.getrusage(resource.RUSAGE_CHILDREN); "
        "print(u.ru_maxrss, u.ru_utime + u.ru_stime, file=sys.stderr); sys.exit(code)")


@dataclass
class Measure:
    """One run of a scenario."""

    seconds: float
    floor: float
    jobs: int
    peak_mib: float
    # CPU seconds (user + system, every process): less disturbed than wall time by a loaded machine.
    cpu: float
    floor_cpu: float


def snakemake(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    result = subprocess.run([sys.executable, "-m", "snakemake", "--cores", "2", *args], cwd=project, env=ENV,
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"snakemake {' '.join(args)} failed in {project}:\n{result.stderr[-3000:]}")
    return result


def rule_order(project: Path) -> dict[str, int]:
    """Each rule's rank in a topological order of the workflow's rule graph (``snakemake --rulegraph``)."""
    dot = snakemake(project, "--rulegraph").stdout
    names = dict(re.findall(r'^\s*(\d+)\[label = "(\w+)"', dot, flags=re.M))
    edges = re.findall(r"^\s*(\d+) -> (\d+)", dot, flags=re.M)
    waiting = {node: {a for a, b in edges if b == node} for node in names}
    order: list[str] = []
    while waiting:
        ready = sorted((node for node, before in waiting.items() if not before), key=int)
        if not ready:
            raise SystemExit("the rule graph has a cycle")
        for node in ready:
            order.append(names[node])
            del waiting[node]
        for before in waiting.values():
            before.difference_update(ready)
    return {rule: rank for rank, rule in enumerate(order)}


def planned_commands(project: Path) -> list[tuple[str, str]]:
    """The shell commands the workflow would run now, as (rule, command), in an order their inputs allow.

    A dry run lists the jobs, not in the order they run; they are sorted by their rule's place in the
    rule graph, which puts every job after the jobs that write its inputs.
    """
    result = snakemake(project, "--dry-run", "--printshellcmds")
    jobs, rule = [], None
    for line in result.stdout.splitlines():
        if match := re.match(r"(?:local)?rule (\w+):", line):
            rule = match.group(1)
        elif line.startswith("Shell command: ") and rule and line != "Shell command: None":  # rule all: none
            jobs.append((rule, line.removeprefix("Shell command: ")))
    rank = rule_order(project)
    return sorted(jobs, key=lambda job: rank[job[0]])
def cpu_seconds() -> float:
    """CPU seconds used so far by this process and the children it waited for (pandoc)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def floor(project: Path) -> tuple[float, int, float]:
    """Run the planned commands directly, in this process; return (seconds, number of commands, CPU seconds).

    The perrypress steps are called through ``cli.main``; any other command (a rule that copies a
    file) through the shell, as the rule runs it.
    """
    commands = planned_commands(project)
    cwd = os.getcwd()
    os.chdir(project)
    os.environ["SOURCE_DATE_EPOCH"] = ENV["SOURCE_DATE_EPOCH"]
    try:
        start, start_cpu = time.perf_counter(), cpu_seconds()
        for rule, command in commands:
            arguments = shlex.split(command)
            outputs = [a for a in arguments if a.startswith(("_build/", "figures/", "_variables"))]
            for out in outputs:
                Path(out).parent.mkdir(parents=True, exist_ok=True)
            if "-m perrypress.cli" in command:
                code = cli.main(shlex.split(command.split("-m perrypress.cli", 1)[1]))
            else:
                code = subprocess.run(command, shell=True, env=ENV).returncode
            if code != 0:
                raise SystemExit(f"floor: {rule}: {command} failed")
        return time.perf_counter() - start, len(commands), cpu_seconds() - start_cpu
    finally:
        os.chdir(cwd)


def floor_in_fresh_process(project: Path) -> tuple[float, float]:
    """Measure :func:`floor` in a new Python process (matplotlib caches fonts by path for a process's life)."""
    result = subprocess.run([sys.executable, __file__, "--floor", str(project)], capture_output=True, text=True,
                            env=ENV)
    if result.returncode != 0:
        raise SystemExit(f"floor failed:\n{result.stderr[-3000:]}")
    seconds, cpu = result.stdout.strip().splitlines()[-1].split()
    return float(seconds), float(cpu)


def workflow(project: Path) -> tuple[float, int, float, float]:
    """Run the workflow once; return (seconds, jobs run, largest job's resident memory in MiB, CPU seconds)."""
    start = time.perf_counter()
    result = subprocess.run([sys.executable, "-c", PEAK, sys.executable, "-m", "snakemake", "--cores", "2",
                             "--rerun-incomplete"], cwd=project, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"the build failed:\n{result.stdout[-2000:]}\n{result.stderr[-2000:]}")
    jobs = len(re.findall(r"^Finished jobid: \d+ \(Rule: (?!all\))", result.stdout + result.stderr, flags=re.M))
    peak_kib, cpu = result.stderr.strip().splitlines()[-1].split()
    return seconds, jobs, int(peak_kib) / 1024, float(cpu)


def edit_section(project: Path) -> None:
    with (project / "sections" / "01-introduction.qmd").open("a", encoding="utf-8") as handle:
        handle.write("\nAn edited sentence.\n")


def edit_figure_csv(project: Path) -> None:
    regions = project / "data" / "regions.csv"
    text = regions.read_text(encoding="utf-8")
    regions.write_text(re.sub(r"(South America,)8(\.?\d*,)", r"\g<1>9\2", text, count=1), encoding="utf-8")


def edit_table_caption(project: Path) -> None:
    config = project / "config" / "config.yaml"
    text = config.read_text(encoding="utf-8")
    edited = text.replace("Regarding Human Trafficking", "on Human Trafficking", 1)
    if edited == text:
        raise SystemExit("benchmark: Table 1's caption was not found in config/config.yaml")
    config.write_text(edited, encoding="utf-8")


def version_floor() -> tuple[float, float]:
    start, start_cpu = time.perf_counter(), cpu_seconds()
    subprocess.run([sys.executable, "-m", "snakemake", "--version"], capture_output=True, check=True)
    return time.perf_counter() - start, cpu_seconds() - start_cpu


def built_project(tmp: Path) -> Path:
    """A fresh copy of the sources, built once: the starting point of every rebuild scenario."""
    project = copy_sources(ROOT, tmp / "built")
    snakemake(project)
    return project


def measure(name: str, prepare: Callable[[Path], None] | None, tmp: Path, built: Path) -> Measure:
    """Measure one scenario in two copies: one for the floor, one for the workflow.

    A fresh build starts from the sources; a rebuild from a copy of ``built``
    (its _build/, figures/ and .snakemake/ metadata, modification times kept),
    then the scenario's edit.
    """
    copies = []
    for label in ("floor", "workflow"):
        destination = tmp / f"{label}-{name.replace(' ', '-')}"
        if prepare is None:
            project = copy_sources(ROOT, destination)
        else:
            project = Path(shutil.copytree(built, destination, symlinks=True))
            prepare(project)
        copies.append(project)
    floor_seconds, floor_cpu = version_floor() if name == "no-op rebuild" else floor_in_fresh_process(copies[0])
    seconds, jobs, peak, cpu = workflow(copies[1])
    return Measure(seconds, floor_seconds, jobs, peak, cpu, floor_cpu)


SCENARIOS: dict[str, Callable[[Path], None] | None] = {
    "fresh build": None,
    "no-op rebuild": lambda project: None,
    "one section edited": edit_section,
    "Figure 1's CSV edited": edit_figure_csv,
    "a table caption edited": edit_table_caption,
}

# Each scenario's target: a ratio of the workflow to its floor, or (no-op) seconds over `snakemake --version`.
TARGETS: dict[str, tuple[str, float]] = {
    "fresh build": ("ratio", 1.3),
    "no-op rebuild": ("over", 0.3),
    "one section edited": ("ratio", 1.2),
    "Figure 1's CSV edited": ("ratio", 1.3),
    "a table caption edited": ("ratio", 1.3),
}


def verdict(name: str, value: float) -> str:
    """The scenario's target and whether ``value`` (a ratio, or seconds over the floor) meets it."""
    kind, limit = TARGETS[name]
    shown = f"≤ {limit:.1f}×" if kind == "ratio" else f"≤ +{limit:.1f} s"
    return f"{shown}: {'met' if value <= limit else 'missed'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", action="append", choices=list(SCENARIOS), metavar="SCENARIO",
                        help=f"measure only this scenario (repeatable): {', '.join(map(repr, SCENARIOS))}")
    parser.add_argument("--floor", type=Path, help=argparse.SUPPRESS)  # measure one floor, in this process
    args = parser.parse_args()
    if args.floor:
        seconds, _, cpu = floor(args.floor)
        print(seconds, cpu)
        return
    scenarios = {name: prepare for name, prepare in SCENARIOS.items() if not args.only or name in args.only}
    results: dict[str, list[Measure]] = {}
    load_before = os.getloadavg()
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory(prefix="perrypress-bench-") as tmp:
            built = built_project(Path(tmp)) if any(p is not None for p in scenarios.values()) else None
            for name, prepare in scenarios.items():
                results.setdefault(name, []).append(measure(name, prepare, Path(tmp), built))
    load_after = os.getloadavg()
    print(f"Load average (1, 5, 15 min): before {' '.join(f'{x:.2f}' for x in load_before)}, "
          f"after {' '.join(f'{x:.2f}' for x in load_after)}\n")
    print(f"| scenario (median of {args.repeat}, {os.cpu_count()} cores) | workflow | floor | ratio | target "
          "| CPU: workflow / floor | CPU ratio | jobs | largest job |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    for name, runs in results.items():
        seconds = statistics.median(r.seconds for r in runs)
        floor_seconds = statistics.median(r.floor for r in runs)
        cpu, floor_cpu = statistics.median(r.cpu for r in runs), statistics.median(r.floor_cpu for r in runs)
        if name == "no-op rebuild":
            wall, cpu_value = seconds - floor_seconds, cpu - floor_cpu
            shown, cpu_shown = f"{wall:+.2f} s", f"{cpu_value:+.2f} s"
        else:
            wall, cpu_value = seconds / floor_seconds, cpu / floor_cpu
            shown, cpu_shown = f"{wall:.2f}×", f"{cpu_value:.2f}×"
        print(f"| {name} | {seconds:.2f} s | {floor_seconds:.2f} s | {shown} | {verdict(name, wall)} "
              f"| {cpu:.2f} s / {floor_cpu:.2f} s | {cpu_shown} | {runs[0].jobs} "
              f"| {max(r.peak_mib for r in runs):.0f} MiB |")


if __name__ == "__main__":
    main()
