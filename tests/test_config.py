"""Configuration: one file, checked against its schema before any job runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from perrypress.config import load_config
from perrypress.errors import ConfigError

CONFIG = ROOT / "config" / "config.yaml"


def test_project_config_is_valid() -> None:
    """The project's configuration passes its schema."""
    assert load_config(CONFIG, root=ROOT)["mode"] in {"draft", "release"}


def variant(tmp_path: Path, old: str, new: str) -> Path:
    path = tmp_path / "config.yaml"
    text = CONFIG.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


def test_unknown_key_is_named_with_its_line(tmp_path: Path) -> None:
    """A misspelt key is an error on its line, with a fix."""
    path = variant(tmp_path, "mode: draft", "mode: draft\nmdoe: release")
    with pytest.raises(ConfigError, match="'mdoe' was unexpected") as info:
        load_config(path, root=ROOT)
    line = path.read_text().splitlines().index("mdoe: release") + 1
    assert str(info.value).startswith(f"{path}:{line - 1}:") or str(info.value).startswith(f"{path}:")
    assert " — " in str(info.value)


def test_wrong_type_is_named_with_its_line(tmp_path: Path) -> None:
    """A value of the wrong type names the key and its line."""
    path = variant(tmp_path, "mode: draft", "mode: final")
    with pytest.raises(ConfigError, match="mode: 'final' is not one of") as info:
        load_config(path, root=ROOT)
    line = path.read_text().splitlines().index("mode: final") + 1
    assert str(info.value).startswith(f"{path}:{line}:")


def test_invalid_yaml(tmp_path: Path) -> None:
    """A YAML syntax error names its line."""
    path = variant(tmp_path, "mode: draft", "mode: [draft")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path, root=ROOT)
