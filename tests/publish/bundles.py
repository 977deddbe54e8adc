"""Helpers of the publishing tests: run `perrypress publish` in a project copy and find its bundle."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

from perrypress.sources.config import load_config
from perrypress.publish.bundle import assemble

SITE = Path("_build/site")


def bundle_of(project: Any) -> Path:
    """The one bundle folder a project's `perrypress publish` wrote."""
    bundles = [p for p in (project.root / SITE).iterdir() if not p.name.startswith(".")]
    assert len(bundles) == 1, bundles
    return bundles[0]


def publish(project: Any) -> Path:
    """Run `perrypress publish` in ``project`` (a tests/conftest.py Project with its photographs) and return the bundle."""
    result = project.perrypress("publish")
    assert result.returncode == 0, result.stdout + result.stderr
    return bundle_of(project)


def record(bundle: Path) -> dict:
    """The bundle's record.json."""
    return json.loads((bundle / "record.json").read_text(encoding="utf-8"))


def with_slug(project: Any, slug: str) -> Path:
    """Give ``project``'s report.qmd another library slug and re-assemble its bundle (no rebuild); return it."""
    shutil.rmtree(project.root / SITE, ignore_errors=True)
    report = project.root / "report.qmd"
    text = report.read_text(encoding="utf-8")
    report.write_text(re.sub(r"(?m)^  slug: .*$", f"  slug: {slug}", text, count=1), encoding="utf-8")
    return assemble(load_config(project.root / "config/config.yaml", root=project.root), root=project.root)
