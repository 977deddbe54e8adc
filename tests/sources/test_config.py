"""Configuration: one file, checked against its schema before any job runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import ROOT
from perrypress.sources.config import load_config
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
    with pytest.raises(ConfigError, match="mdoe: not a key here — did you mean 'mode'\\? ") as info:
        load_config(path, root=ROOT)
    line = path.read_text().splitlines().index("mdoe: release") + 1
    assert str(info.value).startswith(f"{path}:{line - 1}:") or str(info.value).startswith(f"{path}:")
    assert " — " in str(info.value)


def test_wrong_type_is_named_with_its_line(tmp_path: Path) -> None:
    """A value of the wrong type names the key and its line."""
    path = variant(tmp_path, "mode: draft", "mode: final")
    with pytest.raises(ConfigError, match="mode: 'final' is not allowed — use one of: draft, release") as info:
        load_config(path, root=ROOT)
    line = path.read_text().splitlines().index("mode: final") + 1
    assert str(info.value).startswith(f"{path}:{line}:")


def test_invalid_yaml(tmp_path: Path) -> None:
    """A YAML syntax error names its line."""
    path = variant(tmp_path, "mode: draft", "mode: [draft")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_config(path, root=ROOT)


def test_a_configuration_that_passed_is_not_validated_again(tmp_path: Path) -> None:
    """The second load of an unchanged configuration skips jsonschema (each job loads it); a change is checked."""
    import shutil
    import subprocess
    import sys

    root = tmp_path / "project"
    shutil.copytree(ROOT / "config", root / "config")
    probe = ("import sys\nfrom pathlib import Path\nfrom perrypress.sources.config import load_config\n"
             "load_config(Path('config/config.yaml'), root=Path('.'))\n"
             "print('JSONSCHEMA', 'jsonschema' in sys.modules)\n")

    def jsonschema_loaded() -> bool:
        result = subprocess.run([sys.executable, "-c", probe], cwd=root, capture_output=True, text=True)
        assert result.returncode == 0, result.stderr
        return "JSONSCHEMA True" in result.stdout

    assert jsonschema_loaded()  # never built: validated, and nothing written (no _build/ is created)
    assert not (root / "_build").exists()
    (root / "_build").mkdir()
    assert jsonschema_loaded()  # first load in a built project: validated
    assert not jsonschema_loaded()  # unchanged: remembered
    config = root / "config" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("mode: draft", "mode: final"), encoding="utf-8")
    with pytest.raises(ConfigError, match="mode: 'final' is not allowed"):
        load_config(config, root=root)  # changed: validated again, and the failure is not remembered
    with pytest.raises(ConfigError, match="mode: 'final' is not allowed"):
        load_config(config, root=root)
    assert load_config(config, root=root, overrides={"mode": "release"})["mode"] == "release"
