"""Untrusted sources: a path that resolves outside the project is an error naming file and line, in every build."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from conftest import Project, run_pandoc
from perrypress import resources
from perrypress.sources.config import load_config
from perrypress.sources.document import missing_assets, source_files
from perrypress.errors import ConfigError, DocumentError


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A file next to (not inside) the project copy: what an attacker would include."""
    secret = tmp_path / "secret.txt"
    secret.write_text("machine secret\n", encoding="utf-8")
    return secret


def test_include_with_dotdot(project: Project, outside: Path) -> None:
    """An include that climbs out with .. is an error at the including file and line."""
    section = project.root / "sections" / "01-introduction.qmd"
    section.write_text(section.read_text(encoding="utf-8") + "\n{{< include ../../secret.txt >}}\n", encoding="utf-8")
    line = len(section.read_text(encoding="utf-8").splitlines())
    with pytest.raises(DocumentError) as error:
        list(source_files(project.root / "report.qmd", project.root))
    assert f"01-introduction.qmd:{line}: '../../secret.txt' resolves outside the project folder" in str(error.value)


def test_include_through_symlink(project: Project, outside: Path) -> None:
    """A symlink inside the project that points outside is refused too."""
    os.symlink(outside, project.root / "sections" / "link.qmd")
    section = project.root / "sections" / "01-introduction.qmd"
    section.write_text(section.read_text(encoding="utf-8") + "\n{{< include link.qmd >}}\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"01-introduction\.qmd:\d+: 'link\.qmd' resolves outside"):
        list(source_files(project.root / "report.qmd", project.root))


def test_image_outside(project: Project, outside: Path) -> None:
    """An image or photo path outside the project is an error, not a missing asset."""
    section = project.root / "sections" / "03-advent.qmd"
    section.write_text(section.read_text(encoding="utf-8") + "\n![x](/../secret.txt)\n", encoding="utf-8")
    with pytest.raises(DocumentError, match=r"03-advent\.qmd:\d+: '/\.\./secret\.txt' resolves outside"):
        missing_assets([section], project.root)


def test_config_data_outside(project: Project, outside: Path) -> None:
    """A data file named in the configuration must be inside the project."""
    config = project.root / "config" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("data: data/law.csv", "data: ../secret.csv"),
                      encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.yaml:\d+: '\.\./secret\.csv' resolves outside"):
        load_config(config, root=project.root)


def test_lua_include_refuses_dotdot(tmp_path: Path) -> None:
    """include.lua itself refuses an include that climbs out of the project (defence in depth)."""
    (tmp_path / "input.md").write_text("{{< include ../secret.txt >}}\n", encoding="utf-8")
    filters = resources.FILTERS
    result = run_pandoc("input.md", "-t", "markdown", "--lua-filter", str(filters / "include.lua"), cwd=tmp_path)
    assert result.returncode != 0
    assert 'input.md:1: included file "../secret.txt" is outside the project folder' in result.stderr
