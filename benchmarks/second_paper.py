"""Benchmark fonts made once per machine: a first paper's build fills the font cache, a second paper's uses it.

Run:  .venv/bin/python benchmarks/second_paper.py

Both papers are made with `perrypress new` in a temporary folder, with the font
cache (PERRYPRESS_CACHE_DIR) in a fresh temporary folder too, so the first build
does all the font work and the second none. It prints each build's wall time
and CPU seconds (user + system of every process: what a machine loaded by other
work disturbs least) with the load average. The target (issue 23): the second
paper's editions in under 20 s on 2 cores.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def cpu() -> float:
    """CPU seconds used so far by this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run(*args: str, cwd: Path, env: dict[str, str]) -> tuple[float, float]:
    """Run perrypress with ``args``; return (wall, CPU) seconds."""
    start, used = time.monotonic(), cpu()
    result = subprocess.run([sys.executable, "-m", "perrypress.cli", *args], cwd=cwd, env=env,
                            capture_output=True, text=True)
    if result.returncode:
        sys.exit(result.stdout + result.stderr)
    return time.monotonic() - start, cpu() - used


def main() -> None:
    with tempfile.TemporaryDirectory(prefix="second-paper-") as folder:
        work = Path(folder)
        env = {**os.environ, "PERRYPRESS_CACHE_DIR": str(work / "cache"), "SOURCE_DATE_EPOCH": "1704067200"}
        print(f"load average before: {os.getloadavg()[0]:.2f}")
        for name, title, lang in (("first", "Ports and Storms", "en"), ("second", "Puertos y tormentas", "es")):
            run("new", str(work / name), "--title", title, "--author", "Ana Gómez Ruiz", "--lang", lang,
                cwd=work, env=env)
            wall, used = run("build", "--quiet", cwd=work / name, env=env)
            print(f"{name} paper ({'empty' if name == 'first' else 'filled'} font cache): "
                  f"{wall:6.1f} s wall, {used:6.1f} s CPU")
        print(f"load average after: {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
