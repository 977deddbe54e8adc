"""Build the project twice, in two folders with different paths, and compare every output byte for byte."""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import BuildError
from .toolchain import source_date_epoch

log = logging.getLogger(__name__)

# Everything a fresh clone has; build products and caches are never copied.
_IGNORE = shutil.ignore_patterns(".git", ".venv", "_build", ".snakemake", "__pycache__", ".pytest_cache",
                                 "*.egg-info", "_variables.yml")


def _ignore(root: Path):
    """What copy_sources leaves out: build products, caches, and the generated figures (root's figures/ only)."""
    generated = (Path(root) / "figures").resolve()

    def ignore(directory: str, names: list[str]) -> set[str]:
        ignored = set(_IGNORE(directory, names))
        if Path(directory).resolve() == generated:
            ignored |= {n for n in names if n != "README.md"}
        return ignored

    return ignore


TEXT_SUFFIXES = {".html", ".md", ".svg", ".yml", ".typ", ".xml", ".csv"}


@dataclass(frozen=True)
class Comparison:
    """The outcome for one output file."""

    path: str
    identical: bool
    detail: str = ""


def copy_sources(root: Path, destination: Path) -> Path:
    """Copy the project's sources, not its build products, to ``destination``."""
    shutil.copytree(root, destination, ignore=_ignore(root))
    return destination


def build(project: Path, *, epoch: int, cores: int = 2) -> None:
    """Run the whole workflow in ``project``; raise BuildError if it fails."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    result = subprocess.run([sys.executable, "-m", "snakemake", "--cores", str(cores), "--quiet", "all"],
                            cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BuildError(f"{project}: build failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")


def outputs(project: Path) -> list[str]:
    """Every file the build makes, relative to the project: editions, tables, figures, variables.

    Not the workflow's bookkeeping: its logs, and the records of what each step read
    (``_build/.inputs``, which hold modification times so a no-op rebuild need not read every input).
    """
    bookkeeping = {"logs", ".inputs"}
    found = [p for p in (project / "_build").rglob("*") if p.is_file() and not bookkeeping & set(p.parts)]
    found += [p for p in (project / "figures").iterdir() if p.is_file() and p.name != "README.md"]
    found.append(project / "_variables.yml")
    return sorted(str(p.relative_to(project)) for p in found)


def first_difference(a: bytes, b: bytes, *, text: bool, width: int = 60) -> str:
    """Describe where two byte strings first differ, with context for text files."""
    index = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    if not text:
        return f"first difference at byte {index} (sizes {len(a)} and {len(b)})"
    start = max(0, index - width)
    left = a[start:index + width].decode("utf-8", "replace")
    right = b[start:index + width].decode("utf-8", "replace")
    return f"first difference at byte {index}:\n    - {left!r}\n    + {right!r}"


def compare(first: Path, second: Path) -> list[Comparison]:
    """Compare the outputs of two builds."""
    results = []
    for name in sorted(set(outputs(first)) | set(outputs(second))):
        a, b = first / name, second / name
        if not a.exists() or not b.exists():
            results.append(Comparison(name, False, "made by only one of the builds"))
            continue
        data_a, data_b = a.read_bytes(), b.read_bytes()
        if hashlib.sha256(data_a).digest() == hashlib.sha256(data_b).digest():
            results.append(Comparison(name, True))
        else:
            results.append(Comparison(name, False, first_difference(data_a, data_b,
                                                                    text=a.suffix in TEXT_SUFFIXES)))
    return results


def verify(root: Path) -> list[Comparison]:
    """Build the sources at ``root`` twice in temporary folders with different paths and compare."""
    epoch = source_date_epoch(root)
    with tempfile.TemporaryDirectory(prefix="perrypress-verify-") as tmp:
        first = copy_sources(root, Path(tmp) / "a" / "project")
        second = copy_sources(root, Path(tmp) / "second-build" / "other" / "project")
        for project in (first, second):
            log.info("building in %s", project)
            build(project, epoch=epoch)
        return compare(first, second)
