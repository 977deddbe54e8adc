"""Build the two sides of a review: BASE in a cached git worktree, HEAD in the working tree or another worktree."""

from __future__ import annotations

import logging
import os
import shutil
import site
import subprocess
import sys
import venv
from dataclasses import dataclass
from pathlib import Path

from ..errors import SourceError

log = logging.getLogger(__name__)

CACHE = Path("_build") / ".review-cache"
BUILT, FAILED = ".review-built", ".review-failed"


@dataclass(frozen=True)
class Side:
    """One built side of a review: where its build is, or the error that stopped it."""

    label: str
    revision: str  # a git revision, or "working tree"
    project: Path
    error: str = ""
    cached: bool = False

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


def tool_python(project: Path) -> str:
    """The interpreter that builds ``project`` with the perrypress its own tree carries (src/perrypress), if any.

    In a repository that holds the tool as well as a paper (this one), a change to a filter, a
    template or a step is part of the change under review, so each side is built with the tool of
    its own tree. A paper that only depends on the installed package is built with this interpreter.
    The side's interpreter is a virtual environment without pip whose path holds the tree's src/
    first, then this interpreter's packages as plain paths (so an editable install of another tree,
    a .pth file there, is not loaded).
    """
    source = (project / "src").resolve()
    from ..resources import PACKAGE

    if not (source / "perrypress" / "__init__.py").exists() or PACKAGE.resolve() == source / "perrypress":
        return sys.executable
    folder = project / "_build" / ".review-python"
    python = folder / "bin" / "python"
    if not python.exists():
        venv.EnvBuilder(with_pip=False, symlinks=True).create(folder)
    # Written every time: a copied project's environment would still name the tree it was made in.
    purelib = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                             capture_output=True, text=True, check=True).stdout.strip()
    (Path(purelib) / "0-perrypress-tool.pth").write_text(f"{source}\n", encoding="utf-8")
    (Path(purelib) / "1-packages.pth").write_text("".join(f"{p}\n" for p in site.getsitepackages()),
                                                  encoding="utf-8")
    return str(python)


def run_build(project: Path, *, epoch: int) -> str:
    """Build every edition of ``project`` with its own tool; return "" on success, else its ``file:line`` errors."""
    env = {**os.environ, "SOURCE_DATE_EPOCH": str(epoch)}
    result = subprocess.run([tool_python(project), "-m", "perrypress.cli", "--root", str(project), "build"],
                            cwd=project, env=env, capture_output=True, text=True)
    if result.returncode == 0:
        return ""
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    return "\n".join(lines[-20:]) or f"the build failed with exit code {result.returncode}"


def build_revision(root: Path, revision: str, *, label: str, epoch: int) -> Side:
    """Build ``revision`` in a git worktree under _build/.review-cache/<tree hash>/, reusing an earlier build."""
    tree = git(root, "rev-parse", f"{revision}^{{tree}}")
    folder = root / CACHE / tree
    if (folder / BUILT).exists():
        log.info("%s (%s): reusing the cached build in %s", label, revision, folder)
        return Side(label, revision, folder, cached=True)
    if (folder / FAILED).exists():
        return Side(label, revision, folder, error=(folder / FAILED).read_text(encoding="utf-8"), cached=True)
    if folder.exists():  # an interrupted build: start again
        subprocess.run(["git", "worktree", "remove", "--force", str(folder)], cwd=root, capture_output=True)
        shutil.rmtree(folder, ignore_errors=True)
    subprocess.run(["git", "worktree", "prune"], cwd=root, capture_output=True)
    folder.parent.mkdir(parents=True, exist_ok=True)
    git(root, "worktree", "add", "--detach", str(folder), revision)
    log.info("%s (%s): building in %s", label, revision, folder)
    error = run_build(folder, epoch=epoch)
    (folder / (FAILED if error else BUILT)).write_text(error or f"{revision}\n", encoding="utf-8")
    return Side(label, revision, folder, error=error)


def build_working_tree(root: Path, *, label: str, epoch: int) -> Side:
    """Build the working tree in place (an incremental build, as ``perrypress build`` does)."""
    log.info("%s (working tree): building in %s", label, root)
    return Side(label, "working tree", root, error=run_build(root, epoch=epoch))


def build_sides(root: Path, base: str, head: str | None) -> tuple[Side, Side]:
    """Build BASE and HEAD (the working tree when ``head`` is None) with the same SOURCE_DATE_EPOCH."""
    epoch = review_epoch(root, base)
    base_side = build_revision(root, base, label="BASE", epoch=epoch)
    head_side = (build_working_tree(root, label="HEAD", epoch=epoch) if head is None
                 else build_revision(root, head, label="HEAD", epoch=epoch))
    return base_side, head_side
