"""No save is lost: a change made before, during or after a build is in the next build's editions.

A save made while a step runs is newer than what the step read but older than what it
writes; by modification times the step's output would look up to date. Each case saves
a second sentence at one point of a running build, lets that build end, builds again
(with `perrypress build` or with plain `snakemake`) and reads the editions.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid

import pytest

from conftest import Project, build_env
from perrypress.workflow.job_inputs import record_path
from readers import docx_text, html_text

SECTION = "sections/03-advent.qmd"


def append(project: Project, sentence: str) -> None:
    with (project.root / SECTION).open("a", encoding="utf-8") as handle:
        handle.write(f"\n{sentence}\n")


def in_editions(project: Project, sentence: str) -> dict[str, bool]:
    """Whether the HTML and DOCX editions readers open hold ``sentence``."""
    return {"html": sentence in " ".join(html_text(project.edition("html")).body),
            "docx": sentence in docx_text(project.edition("docx"))}


def start_build(project: Project) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "perrypress.cli", "build"], cwd=project.root, env=build_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def html_step_started(project: Project, since: float) -> bool:
    """Whether the HTML edition's step has recorded its inputs (it does so as it starts) since ``since``."""
    path = record_path(f"_build/.built/{project.name}.html", project.root / "_build" / ".inputs")
    return path.exists() and path.stat().st_mtime > since


def save_during_build(project: Project, when: str) -> tuple[str, str]:
    """Save a first sentence, start a build, save a second at ``when``; return both once the build has ended.

    ``when``: a delay in seconds after the build starts, or ``"html-started"``: just after the HTML
    edition's step has started (and recorded what it reads), the moment a save used to be lost.
    """
    first, second = (f"Sentence {name} {uuid.uuid4().hex[:8]}." for name in ("one", "two"))
    append(project, first)
    started = time.time()
    process = start_build(project)
    if when == "html-started":
        deadline = time.monotonic() + 300
        while not html_step_started(project, started) and process.poll() is None:
            assert time.monotonic() < deadline
            time.sleep(0.02)
    else:
        time.sleep(float(when))
    append(project, second)
    output, _ = process.communicate(timeout=600)
    assert process.returncode == 0, output
    return first, second


@pytest.mark.slow
@pytest.mark.parametrize("tool", ["perrypress", "snakemake"])
@pytest.mark.parametrize("when", ["0.2", "0.8", "1.5", "2.5", "4", "html-started"])
def test_a_save_during_a_build_is_in_the_next_build(built_copy: Project, when: str, tool: str) -> None:
    """Whenever the second save lands, the next build (either tool) puts it in every edition."""
    first, second = save_during_build(built_copy, when)
    if tool == "perrypress":
        result = built_copy.perrypress("build")
        assert result.returncode == 0, result.stdout + result.stderr
    else:
        built_copy.snakemake()
    assert in_editions(built_copy, first) == {"html": True, "docx": True}
    assert in_editions(built_copy, second) == {"html": True, "docx": True}
    # And then it is up to date: nothing left to do.
    assert "Nothing to be done" in built_copy.snakemake("--dry-run").stdout


@pytest.mark.slow
def test_the_rebuild_says_which_save_it_is_for(built_copy: Project) -> None:
    """The build after a mid-build save names the section, not a missing file."""
    save_during_build(built_copy, "html-started")
    result = built_copy.perrypress("build")
    assert result.returncode == 0, result.stderr
    assert f"{SECTION} changed → " in result.stdout, result.stdout
    assert "missing" not in result.stdout


def test_a_build_with_no_save_leaves_nothing_to_do(built_copy: Project) -> None:
    """The records never make an unchanged project rebuild: a no-op stays a no-op."""
    result = built_copy.perrypress("build")
    assert result.returncode == 0, result.stderr
    assert "Nothing to rebuild" in result.stdout
    assert "Nothing to be done" in built_copy.snakemake("--dry-run").stdout
