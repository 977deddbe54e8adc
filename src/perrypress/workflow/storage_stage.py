"""A step whose files live in remote storage runs in a folder laid out like the project, from its rule's paths only.

With a default storage provider (``snakemake --default-storage-provider s3 …``, or ``fs`` standing in for
it), Snakemake hands a step local copies of its inputs under the storage's local prefix
(``.snakemake/storage/<provider>/<bucket and prefix>/data/law.csv``) and expects its outputs there too; the
project's own folder may not exist where the step runs (a Kubernetes pod). The rules then pass
``--storage-root`` (rules/common.smk): :func:`staged` copies every input the rule passed to its place in a
new folder (``data/law.csv``), rewrites the step's arguments to those places, runs the step there, and
moves each output the rule declared to the path Snakemake expects. The step reads nothing else: what it
was not passed is not there. The package's own files are local (``local()`` in the rules), as is the
configuration, which every job's Snakemake writes from the workflow's config file.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

log = logging.getLogger(__name__)

# What a job's own Snakemake writes or reads where it runs, not through storage.
CONFIG = Path("config") / "config.yaml"


def project_path(path: str, storage_root: str) -> str | None:
    """The project-relative place of a path a rule passed: under the storage's local copy, or relative; None if absolute."""
    prefix = os.path.normpath(storage_root) + "/"
    relative = os.path.relpath(path) if os.path.isabs(path) else os.path.normpath(path)
    if relative.startswith(prefix):
        return relative[len(prefix):]
    if os.path.isabs(path):
        return None  # the package's files, where they are installed
    return path


def _in_storage(word: str, storage_root: str) -> str | None:
    """A command-line word's project place when it is a path under the storage's local copies; else None."""
    prefix = os.path.normpath(storage_root) + "/"
    return word[len(prefix):] if os.path.normpath(word).startswith(prefix) and word.startswith(prefix) else None


def _copy(source: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)
    elif source.exists():
        shutil.copy2(source, target)


def _move(source: Path, target: Path) -> None:
    if not source.exists():
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    if target.is_dir() and not target.is_symlink():
        shutil.rmtree(target)
    shutil.move(str(source), str(target))


@contextmanager
def staged(storage_root: str, *, inputs: list[str], outputs: list[str], log_file: str | None,
           argv: list[str]) -> Iterator[list[str]]:
    """Run inside a folder with the rule's inputs at their project places; yield the step's arguments for it.

    On a normal exit the outputs (and the log) are moved where Snakemake expects them; the folder goes.
    """
    here = Path.cwd()
    places = {path: project_path(path, storage_root) for path in [*inputs, *outputs, *([log_file] if log_file else [])]}
    stage = Path(tempfile.mkdtemp(prefix="perrypress-stage-", dir=here / ".snakemake" if (here / ".snakemake").is_dir() else here))
    try:
        for path in dict.fromkeys(inputs):
            if places[path] is not None:
                _copy(here / path, stage / places[path])
        if (here / CONFIG).exists() and not (stage / CONFIG).exists():
            _copy(here / CONFIG, stage / CONFIG)
        # Every path under the storage's copies (a passed file, or a folder such as a figure's) at its project place.
        rewritten = [places.get(word) or _in_storage(word, storage_root) or word for word in argv]
        os.chdir(stage)
        try:
            yield rewritten
        finally:
            os.chdir(here)
        for path in dict.fromkeys([*outputs, *([log_file] if log_file else [])]):
            if places[path] is not None:
                _move(stage / places[path], here / path)
    finally:
        shutil.rmtree(stage, ignore_errors=True)
