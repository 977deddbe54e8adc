"""Build the two sides of a review: BASE exported from git under a cache folder, HEAD in the working tree or
exported too; each with its own tool and dependencies (environment.py)."""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
import subprocess
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import SourceError
from .environment import ENVS, EnvironmentFailed, SideEnvironment, side_environment

log = logging.getLogger(__name__)

CACHE = Path("_build") / ".review-cache"
# Markers in a cached side's folder: its files are all there; its build succeeded (with which environment).
EXPORTED, BUILT = ".review-exported", ".review-built"


@dataclass(frozen=True)
class Side:
    """One built side of a review: where its build is, or the error that stopped it."""

    label: str
    revision: str  # a git revision, or "working tree"
    project: Path
    error: str = ""
    cached: bool = False
    environment: SideEnvironment | None = None
    config: dict[str, Any] = field(default_factory=dict, compare=False)

    @property
    def failed(self) -> bool:
        """True when this side did not build."""
        return bool(self.error)


def git(root: Path, *args: str) -> str:
    """Run git in ``root`` and return its output; SourceError naming the revision when it fails."""
    result = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True)
    if result.returncode != 0:
        raise SourceError(root, f"git {' '.join(args)}: {result.stderr.strip() or 'failed'}",
                          "give a revision that exists (fetch it with full history: git fetch --unshallow)")
    return result.stdout.strip()


def review_epoch(root: Path, base: str) -> int:
    """SOURCE_DATE_EPOCH for both sides: the environment's, else BASE's commit date."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    return int(git(root, "log", "-1", "--format=%ct", base))


def side_env(environment: SideEnvironment, epoch: int) -> dict[str, str]:
    """The process environment a side's tool runs in: its src/ first on the path, the review's SOURCE_DATE_EPOCH."""
    return {**os.environ, "SOURCE_DATE_EPOCH": str(epoch), "PYTHONPATH": environment.pythonpath,
            "PYTHONDONTWRITEBYTECODE": "1"}


def run_build(project: Path, environment: SideEnvironment, *, epoch: int) -> str:
    """Build every edition of ``project`` with its own tool; return "" on success, else its ``file:line`` errors."""
    result = subprocess.run([environment.python, "-m", "perrypress.cli", "--root", str(project), "build"],
                            cwd=project, env=side_env(environment, epoch), capture_output=True, text=True)
    if result.returncode == 0:
        return ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return "\n".join(lines[-20:]) or f"the build failed with exit code {result.returncode}"


# Read a side's configuration with that side's own reader (its schema, its defaults): the module moved
# between versions of the tool, so each known place is tried; a tree with neither is read as plain YAML.
READ_CONFIG = """
import json, sys
from pathlib import Path
root = Path(sys.argv[1])
try:
    from perrypress.sources.config import load_config
except ImportError:
    from perrypress.config import load_config
print(json.dumps(load_config(root / "config" / "config.yaml", root=root), default=str))
"""


def read_config(project: Path, environment: SideEnvironment, *, epoch: int) -> dict[str, Any]:
    """The side's configuration as the side's own tool reads it; SourceError with its message when it cannot."""
    result = subprocess.run([environment.python, "-c", READ_CONFIG, str(project)], cwd=project,
                            env=side_env(environment, epoch), capture_output=True, text=True)
    if result.returncode != 0:
        raise SourceError(project / "config" / "config.yaml",
                          f"the side's own tool could not read its configuration: {result.stderr.strip()[-500:]}",
                          "build that revision alone to see why")
    return json.loads(result.stdout)


def export(root: Path, revision: str, folder: Path) -> None:
    """Write the files of ``revision`` into ``folder`` (git archive: no .git, so the folder can be copied or cached)."""
    archive = subprocess.run(["git", "archive", "--format=tar", revision], cwd=root, capture_output=True)
    if archive.returncode != 0:
        raise SourceError(root, f"git archive {revision}: {archive.stderr.decode(errors='replace').strip()}",
                          "give a revision that exists (fetch it with full history: git fetch --unshallow)")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    with tarfile.open(fileobj=io.BytesIO(archive.stdout)) as tar:
        try:
            tar.extractall(folder, filter="data")  # refuses links and paths that leave the folder
        except tarfile.FilterError as error:  # a committed symbolic link to a file outside the project
            member = error.tarinfo
            shutil.rmtree(folder, ignore_errors=True)
            raise SourceError(member.name, f"at {revision}, a symbolic link to {member.linkname!r}, outside the "
                              "project folder", "commit the file itself inside the project, not a link to it") from None
    (folder / EXPORTED).write_text(f"{revision}\n", encoding="utf-8")


def build_revision(root: Path, revision: str, *, label: str, epoch: int) -> Side:
    """Build ``revision`` under _build/.review-cache/<tree hash>/, reusing an earlier successful build.

    Only a successful build is remembered (the BUILT marker, with the environment and the
    SOURCE_DATE_EPOCH it was built with); a failed or interrupted one is built again, incrementally, by the next review.
    """
    tree = git(root, "rev-parse", f"{revision}^{{tree}}")
    folder = root / CACHE / tree
    if not (folder / EXPORTED).exists():
        export(root, revision, folder)
    try:
        environment = side_environment(folder, root / ENVS)
    except EnvironmentFailed as error:
        return Side(label, revision, folder, error=str(error))
    marker = folder / BUILT
    # The environment and SOURCE_DATE_EPOCH it was built with: the editions' bytes depend on both.
    built_with = f"{environment.key} {epoch}"
    if marker.exists() and marker.read_text(encoding="utf-8").split("\n")[0] == built_with:
        log.info("%s (%s): reusing the cached build in %s", label, revision, folder)
        return Side(label, revision, folder, cached=True, environment=environment)
    marker.unlink(missing_ok=True)
    log.info("%s (%s): building in %s", label, revision, folder)
    error = run_build(folder, environment, epoch=epoch)
    if not error:
        marker.write_text(f"{built_with}\n{revision}\n", encoding="utf-8")
    return Side(label, revision, folder, error=error, environment=environment)


def build_working_tree(root: Path, *, label: str, epoch: int) -> Side:
    """Build the working tree in place (an incremental build, as ``perrypress build`` does)."""
    log.info("%s (working tree): building in %s", label, root)
    try:
        environment = side_environment(root, root / ENVS)
    except EnvironmentFailed as error:
        return Side(label, "working tree", root, error=str(error))
    return Side(label, "working tree", root, error=run_build(root, environment, epoch=epoch), environment=environment)


def with_config(side: Side, *, epoch: int) -> Side:
    """The side with its configuration, read by its own tool; a side that cannot read it has failed."""
    if side.failed or side.environment is None:
        return side
    try:
        config = read_config(side.project, side.environment, epoch=epoch)
    except SourceError as error:
        return Side(side.label, side.revision, side.project, error=str(error), environment=side.environment)
    return Side(side.label, side.revision, side.project, cached=side.cached, environment=side.environment,
                config=config)


def build_sides(root: Path, base: str, head: str | None) -> tuple[Side, Side]:
    """Build BASE and HEAD (the working tree when ``head`` is None) with the same SOURCE_DATE_EPOCH."""
    epoch = review_epoch(root, base)
    base_side = build_revision(root, base, label="BASE", epoch=epoch)
    head_side = (build_working_tree(root, label="HEAD", epoch=epoch) if head is None
                 else build_revision(root, head, label="HEAD", epoch=epoch))
    return with_config(base_side, epoch=epoch), with_config(head_side, epoch=epoch)


def changed_sources(root: Path, base: str, head: str | None) -> list[str]:
    """The files that differ between BASE and HEAD's sources (information: the review compares editions)."""
    args = ["diff", "--name-only", base] + ([head] if head else [])
    try:
        names = git(root, *args).splitlines()
        if head is None:
            names += git(root, "ls-files", "--others", "--exclude-standard").splitlines()
    except SourceError:
        return []
    return sorted({name for name in names if name})
