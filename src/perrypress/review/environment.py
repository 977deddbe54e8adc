"""The Python each side of a review is built with: its own tool (src/) and the dependencies its pyproject.toml asks for."""

from __future__ import annotations

import hashlib
import logging
import shutil
import site
import subprocess
import sys
import tomllib
import venv
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

log = logging.getLogger(__name__)

ENVS = Path("_build") / ".review-envs"
LOCK = "lock.txt"  # written last: what the environment installed; an environment without it is incomplete


@dataclass(frozen=True)
class SideEnvironment:
    """How to run one side's tool: the interpreter, the PYTHONPATH that puts its src/ first, and what was installed."""

    python: str
    pythonpath: str
    installed: tuple[str, ...] = ()  # name==version of what this side needs beyond the running interpreter's packages

    @property
    def key(self) -> str:
        """A short digest of the environment: a side's build is reused only with the same environment."""
        # The environment's folder, not the spelling of its interpreter (bin/python and bin/python3 are one).
        where = sys.prefix if self.python == sys.executable else str(Path(self.python).parent.parent)
        return hashlib.sha256("\n".join([str(Path(where).resolve()), *self.installed]).encode()).hexdigest()[:16]


def requirements(project: Path) -> list[str]:
    """The dependencies ``project``'s pyproject.toml declares ([project] dependencies), or none."""
    path = project / "pyproject.toml"
    if not path.exists():
        return []
    with path.open("rb") as handle:
        return list(tomllib.load(handle).get("project", {}).get("dependencies", []))


def unmet(required: list[str]) -> list[str]:
    """The requirements the running interpreter's packages do not satisfy (missing, or another version)."""
    from packaging.requirements import Requirement

    missing = []
    for line in required:
        requirement = Requirement(line)
        if requirement.marker is not None and not requirement.marker.evaluate():
            continue
        try:
            version = metadata.version(requirement.name)
        except metadata.PackageNotFoundError:
            missing.append(line)
            continue
        if not requirement.specifier.contains(version, prereleases=True):
            missing.append(line)
    return sorted(missing)


def tool_path(project: Path) -> str:
    """The folder that holds the perrypress a side is built with: its own src/, else the installed package's."""
    source = project / "src"
    if (source / "perrypress" / "__init__.py").exists():
        return str(source.resolve())
    from ..resources import PACKAGE

    return str(PACKAGE.resolve().parent)


def side_environment(project: Path, envs: Path) -> SideEnvironment:
    """The environment that builds ``project`` as its own pyproject.toml says, made once per set of needs.

    A side whose requirements the running interpreter's packages meet is built with this interpreter
    (its own src/ first on PYTHONPATH). Otherwise the requirements not met are installed with pip
    into a virtual environment under ``envs``, keyed by them, whose path then falls back on this
    interpreter's packages; pip uses its cache and configured indexes, so it works offline once the
    packages have been seen. SourceError (from the caller) when pip fails; a failed environment is
    not kept.
    """
    needed = unmet(requirements(project))
    path = tool_path(project)
    if not needed:
        return SideEnvironment(sys.executable, path)
    key = hashlib.sha256("\n".join([sys.version, sys.prefix, *needed]).encode()).hexdigest()[:16]
    folder = envs / key
    python = folder / "bin" / "python"
    lock = folder / LOCK
    if not lock.exists():
        shutil.rmtree(folder, ignore_errors=True)
        venv.EnvBuilder(with_pip=False, symlinks=True).create(folder)
        purelib = _purelib(python)
        # After the environment's own packages: the running interpreter's, as plain paths (no .pth of theirs runs).
        (purelib / "1-packages.pth").write_text("".join(f"{p}\n" for p in site.getsitepackages()), encoding="utf-8")
        log.info("installing %s for a side of the review in %s", ", ".join(needed), folder)
        result = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
                                 "--disable-pip-version-check", "--no-warn-conflicts", *needed],
                                capture_output=True, text=True)
        if result.returncode != 0:
            shutil.rmtree(folder, ignore_errors=True)
            raise EnvironmentFailed(f"pip install {' '.join(needed)} failed:\n{result.stderr.strip()[-2000:]}")
        frozen = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "list", "--format=freeze",
                                 "--path", str(purelib), "--disable-pip-version-check"],
                                capture_output=True, text=True, check=True).stdout
        lock.write_text(frozen, encoding="utf-8")
    installed = tuple(line for line in lock.read_text(encoding="utf-8").splitlines() if line.strip())
    return SideEnvironment(str(python), path, installed)


class EnvironmentFailed(Exception):
    """A side's dependencies could not be installed."""


def _purelib(python: Path) -> Path:
    return Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
