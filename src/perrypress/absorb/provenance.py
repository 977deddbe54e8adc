"""Which sources an edited DOCX edition was built from, and that edition rebuilt to compare against."""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import SourceError
from ..sources.digest import PREFIX, digest_files, revision_digest, sources_digest
from .docx_text import docx_property

log = logging.getLogger(__name__)

CACHE = Path("_build") / ".absorb-cache"
SEARCHED = 200  # commits searched for the one an edition was built from


@dataclass(frozen=True)
class Base:
    """The edition the edited DOCX started as: its sources' folder, the DOCX, and the revision named."""

    sources: Path
    docx: Path
    revision: str  # "working tree" or a git revision
    digest: str


def recorded_digest(docx: Path) -> str:
    """The sources digest the DOCX records; SourceError when the file is not one of our DOCX editions."""
    if not docx.is_file():
        raise SourceError(docx, "no such file", "give the path of the edited DOCX")
    value = docx_property(docx)
    if not value or not value.startswith(PREFIX):
        raise SourceError(docx, "not a DOCX edition made by perrypress (no perrypress-sources document property)",
                          "absorb edits made to a copy of _build/<name>.docx")
    return value


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)


def find_commit(root: Path, names: list[str], digest: str) -> str | None:
    """The most recent commit (of the last SEARCHED) whose sources have ``digest``."""
    result = _git(root, "rev-list", "-n", str(SEARCHED), "HEAD")
    for revision in result.stdout.split() if result.returncode == 0 else []:
        if revision_digest(root, revision, names) == digest:
            return revision
    return None


def _build_docx(project: Path, config: dict[str, Any], python: str, *, pythonpath: str = "") -> Path:
    """Build the DOCX edition of ``project`` (and what it needs) with the workflow; return its path.

    ``pythonpath`` puts the revision's own tool first (its src/), as `perrypress review` builds a side.
    """
    target = Path("_build") / f"{config['output_name']}.docx"
    env = {**os.environ, "PYTHONPATH": pythonpath} if pythonpath else dict(os.environ)
    result = subprocess.run([python, "-m", "perrypress.cli", "--root", str(project), "build", "--quiet",
                             str(target)], cwd=project, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise SourceError(project, "the base edition did not build:\n" + result.stderr[-3000:],
                          "fix the build of that revision, or give another with --base")
    return project / target


def locate_base(root: Path, config: dict[str, Any], docx: Path, revision: str | None) -> Base:
    """The base edition of ``docx``: the working tree's when its sources are those it records, else --base's."""
    import sys

    digest = recorded_digest(docx)
    names = digest_files(config, root)
    if revision is None:
        current = sources_digest(config, root)
        if current != digest:
            commit = find_commit(root, names, digest)
            where = f"commit {commit[:12]}" if commit else f"sources with digest {digest}"
            raise SourceError(docx, f"built from {where}; the sources have changed since",
                              f"absorb it against that revision: perrypress absorb {docx} --base "
                              f"{commit[:12] if commit else 'REV'}")
        built = root / "_build" / f"{config['output_name']}.docx"
        if not (built.is_file() and docx_property(built) == digest):
            log.info("building the DOCX edition of the working tree to compare with")
            built = _build_docx(root, config, sys.executable)
        return Base(root, built, "working tree", digest)
    found = revision_digest(root, revision, names)
    if found is None:
        raise SourceError(root, f"git cannot read revision {revision!r}", "give a commit, branch or tag")
    if found != digest:
        commit = find_commit(root, names, digest)
        raise SourceError(docx, f"built from {'commit ' + commit[:12] if commit else digest}, not from {revision}",
                          f"give --base {commit[:12]}" if commit else "give the revision the DOCX was built from")
    return Base(*_revision_project(root, config, revision), revision, digest)


def _revision_project(root: Path, config: dict[str, Any], revision: str) -> tuple[Path, Path]:
    """A worktree of ``revision`` under _build/.absorb-cache/<tree>/ with its DOCX edition built (kept for reuse)."""
    from ..review.environment import ENVS, side_environment
    from ..review.sides import git

    tree = git(root, "rev-parse", f"{revision}^{{tree}}")
    folder = root / CACHE / tree
    docx = folder / "_build" / f"{config['output_name']}.docx"
    if docx.is_file():
        return folder, docx
    if folder.exists():
        _git(root, "worktree", "remove", "--force", str(folder))
        shutil.rmtree(folder, ignore_errors=True)
    _git(root, "worktree", "prune")
    folder.parent.mkdir(parents=True, exist_ok=True)
    git(root, "worktree", "add", "--detach", str(folder), revision)
    log.info("building the DOCX edition of %s in %s", revision, folder)
    # The revision is built with its own tool and the dependencies its pyproject.toml asks for, as a review side is.
    environment = side_environment(folder, root / ENVS)
    return folder, _build_docx(folder, config, environment.python, pythonpath=environment.pythonpath)
