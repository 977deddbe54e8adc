"""`perrypress series FOLDER`: build every paper under a folder, each its own project, and report each one."""

from __future__ import annotations

import logging
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import IO

log = logging.getLogger(__name__)


@dataclass
class PaperResult:
    """One paper's build: its folder, exit status, time, and what it printed on standard error."""

    folder: Path
    code: int
    seconds: float
    output: str

    @property
    def ok(self) -> bool:
        """Whether its build succeeded."""
        return self.code == 0


def papers(folder: Path) -> list[Path]:
    """The paper projects directly under ``folder`` (a ``Snakefile`` and ``config/config.yaml``), by name."""
    return sorted(p for p in folder.iterdir()
                  if p.is_dir() and not p.name.startswith(".") and (p / "Snakefile").is_file()
                  and (p / "config" / "config.yaml").is_file())


def build_command(paper: Path, *, profile: str | None, jobs: int | None, cores: int, release: bool) -> list[str]:
    """The `perrypress build` of one paper, run in its folder (as its author would)."""
    command = [sys.executable, "-m", "perrypress.cli", "build", "--cores", str(cores)]
    if profile:
        command += ["--profile", str(Path(profile).resolve()) if Path(profile).exists() else profile]
    if jobs:
        command += ["--jobs", str(jobs)]
    return command + (["--release"] if release else [])


def build_series(folder: Path, *, profile: str | None = None, jobs: int | None = None, cores: int = 2,
                 release: bool = False, papers_at_once: int = 1, out: IO[str] = sys.stdout,
                 err: IO[str] = sys.stderr) -> int:
    """Build every paper under ``folder``, ``papers_at_once`` at a time, each with its own lock and summary.

    Each paper's result is printed when its build ends; the last line names every failed paper, in
    the folder's order. Returns 1 if any failed.
    """
    found = papers(folder)
    if not found:
        print(f"{folder}: no paper here (a folder with a Snakefile and config/config.yaml) — "
              "make one with `perrypress new`", file=err)
        return 1
    printing = threading.Lock()  # one paper's lines together

    def build(number: int, paper: Path) -> PaperResult:
        tag = f"[{number}/{len(found)}] {paper.name}"
        with printing:
            print(f"{tag}: building", file=out, flush=True)
        start = time.monotonic()
        process = subprocess.run(build_command(paper, profile=profile, jobs=jobs, cores=cores, release=release),
                                 cwd=paper, capture_output=True, text=True)
        # Its errors, warnings and closing lines (the progress went to its standard output).
        result = PaperResult(paper, process.returncode, time.monotonic() - start, process.stderr)
        with printing:
            if result.ok:
                print(f"{tag}: built in {result.seconds:.1f} s", file=out, flush=True)
            else:
                print(f"{tag}: FAILED after {result.seconds:.1f} s", file=err)
                print("\n".join(f"    {line}" for line in result.output.rstrip().splitlines()), file=err, flush=True)
        return result

    with ThreadPoolExecutor(max_workers=max(1, papers_at_once)) as pool:
        results = list(pool.map(build, range(1, len(found) + 1), found))
    failed = [r.folder.name for r in results if not r.ok]
    built = len(results) - len(failed)
    if failed:
        print(f"{built} of {len(results)} papers built; failed: {', '.join(failed)}", file=err)
        return 1
    print(f"{built} of {len(results)} papers built", file=out)
    return 0
