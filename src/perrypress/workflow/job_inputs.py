"""Up to date means same content: each step records what its inputs held when it started.

Snakemake reruns a step when an input is newer than its outputs. A save made while
the step runs is newer than the file the step has read, but older than the output the
step writes afterwards: by modification times the output is up to date, though it holds
the text from before the save. So every step, before it reads anything, records the
digest of each of its inputs (:func:`record`, called by ``perrypress.cli`` when a rule
passes ``--inputs``/``--outputs``), and every run of the workflow, plain ``snakemake``
included, compares those records with the files as they are now before Snakemake plans
(:func:`forget_stale`, at the top of rules/common.smk): a step whose inputs changed after
it started loses its outputs, so Snakemake runs it again, and everything after it.

A record keeps each input's size and modification time with its digest: a file whose
``stat`` is unchanged since it was digested is not read again, so the check costs a
``stat`` per input on a no-op rebuild.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import sys
from pathlib import Path

log = logging.getLogger(__name__)

# Where the records live, one JSON file per job (named from its first output).
RECORDS = Path("_build") / ".inputs"
# What the workflow prints, before Snakemake plans, for each step it makes run again (runner.py reads it).
STALE_MESSAGE = "perrypress: {output} is out of date: {changed} changed after its step started"


def _signature(path: Path) -> list[int] | None:
    """Size and modification time of a file, or of every file under a folder; None if it is missing."""
    try:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*") if p.is_file())
            stats = [p.stat() for p in files]
            return [len(files), sum(s.st_size for s in stats), max((s.st_mtime_ns for s in stats), default=0)]
        stat = path.stat()
    except OSError:
        return None
    return [stat.st_size, stat.st_mtime_ns]


def digest(path: Path) -> str | None:
    """SHA-256 of a file's bytes, or of a folder's files (their names and bytes); None if it is missing."""
    hasher = hashlib.sha256()
    try:
        if path.is_dir():
            for file in sorted(p for p in path.rglob("*") if p.is_file()):
                hasher.update(file.relative_to(path).as_posix().encode("utf-8") + b"\0")
                hasher.update(hashlib.sha256(file.read_bytes()).digest())
        else:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    hasher.update(block)
    except OSError:
        return None
    return hasher.hexdigest()


def record_path(output: str, records: Path = RECORDS) -> Path:
    """The record of the job whose first output is ``output``."""
    return records / f"{hashlib.sha256(output.encode('utf-8')).hexdigest()[:24]}.json"


def record(outputs: list[str], inputs: list[str], *, argv: list[str] | None = None, records: Path = RECORDS) -> None:
    """Record, before the step reads anything, the digest of each of its inputs (and the step's command line).

    The signature is taken before the digest: a file saved while it is being read then
    has a newer signature than its record, and is read again (and found changed) next time.
    """
    if not outputs or not inputs:
        return
    entries = {}
    for name in dict.fromkeys(inputs):
        signature = _signature(Path(name))
        entries[name] = {"digest": digest(Path(name)), "stat": signature}
    target = record_path(outputs[0], records)
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.{os.getpid()}.tmp")
    temporary.write_text(json.dumps({"outputs": outputs, "inputs": entries, "argv": argv}, indent=0), encoding="utf-8")
    os.replace(temporary, target)


def record_seconds(outputs: list[str], seconds: float, *, records: Path = RECORDS) -> None:
    """Note how long the step that makes ``outputs`` ran, beside its record (not a ``.json``: no record).

    ``perrypress build`` reads it when the steps run elsewhere (a cluster's jobs), where Snakemake
    only learns that a job ended at its next status check.
    """
    if not outputs:
        return
    target = record_path(outputs[0], records).with_suffix(".seconds")
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(f"{seconds:.3f}\n", encoding="ascii")


def recorded_seconds(output: str, records: Path = RECORDS, *, since: float = 0.0) -> float | None:
    """How long the step whose first output is ``output`` ran, as it noted after ``since`` (a wall-clock time)."""
    path = record_path(output, records).with_suffix(".seconds")
    try:
        if path.stat().st_mtime < since:  # an earlier build's
            return None
        return float(path.read_text(encoding="ascii"))
    except (OSError, ValueError):
        return None


def read_records(records: Path = RECORDS) -> list[dict]:
    """Every readable record: its outputs, its inputs (name → digest and stat) and the step's command line."""
    found = []
    for path in sorted(records.glob("*.json")) if records.is_dir() else []:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if isinstance(entry, dict) and "outputs" in entry and "inputs" in entry:
            found.append(entry)
    return found


def changed_inputs(entry: dict, cache: dict[str, str | None]) -> list[str]:
    """The inputs of one record whose content differs from what the step read (or that are gone)."""
    changed = []
    for name, then in entry["inputs"].items():
        path = Path(name)
        if then.get("stat") is not None and _signature(path) == then["stat"]:
            continue
        if name not in cache:
            cache[name] = digest(path)
        if cache[name] != then.get("digest"):
            changed.append(name)
    return changed


def stale(records: Path = RECORDS) -> list[tuple[Path, list[str], list[str]]]:
    """Every record whose outputs exist but whose inputs changed since its step started: (record, outputs, changed)."""
    found = []
    cache: dict[str, str | None] = {}
    for path in sorted(records.glob("*.json")) if records.is_dir() else []:
        try:
            entry = json.loads(path.read_text(encoding="utf-8"))
            outputs = list(entry["outputs"])
        except (OSError, ValueError, KeyError, TypeError):
            path.unlink(missing_ok=True)  # a record that cannot be read is no record
            continue
        if not any(Path(output).exists() for output in outputs):
            continue
        changed = changed_inputs(entry, cache)
        if changed:
            found.append((path, outputs, changed))
    return found


def forget_stale(records: Path = RECORDS) -> list[str]:
    """Remove the outputs (and record) of every step whose inputs changed after it started; return those outputs.

    Prints one line per output to stderr, which ``perrypress build`` turns into the step's reason.
    """
    removed = []
    for path, outputs, changed in stale(records):
        for output in outputs:
            target = Path(output)
            if target.is_dir() and not target.is_symlink():
                shutil.rmtree(target, ignore_errors=True)
            else:
                target.unlink(missing_ok=True)
            print(STALE_MESSAGE.format(output=output, changed=", ".join(changed)), file=sys.stderr)
            removed.append(output)
        path.unlink(missing_ok=True)
    return removed
