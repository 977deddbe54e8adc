"""`perrypress build`: what it says it did, failures that stay failed, and interruptions that lose nothing."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import pytest
from pypdf import PdfReader

from conftest import Project, build_env

EDITIONS = ["pdf", "html", "docx"]


def digests(project: Project) -> dict[str, str]:
    """SHA-256 of each edition readers open."""
    return {e: hashlib.sha256(project.edition(e).read_bytes()).hexdigest() for e in EDITIONS}


def append(project: Project, relative: str, text: str) -> None:
    """Add ``text`` at the end of one of the project's files."""
    with (project.root / relative).open("a", encoding="utf-8") as handle:
        handle.write(text)


def replace(project: Project, relative: str, old: str, new: str) -> None:
    """Replace ``old`` (which must be there) with ``new`` in one of the project's files."""
    path = project.root / relative
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {relative}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def assert_complete(project: Project) -> None:
    """Every edition readers open exists and is whole: a PDF that parses, a DOCX zip that tests, a closed page."""
    pdf = project.edition("pdf")
    assert pdf.read_bytes().rstrip().endswith(b"%%EOF")
    assert len(PdfReader(pdf).pages) > 5
    with zipfile.ZipFile(project.edition("docx")) as archive:
        assert archive.testzip() is None
        assert "word/document.xml" in archive.namelist()
    assert project.edition("html").read_text(encoding="utf-8").rstrip().endswith("</html>")


class TestSummary:
    """The build ends by saying what it rebuilt, why, and where the editions are."""

    def test_a_section_edit_names_the_section_and_the_editions(self, built_copy: Project) -> None:
        """A one-section edit reports that section as the reason for the three editions, with their sizes."""
        append(built_copy, "sections/03-advent.qmd", "\nA sentence added for the summary test.\n")
        result = built_copy.perrypress("build")
        assert result.returncode == 0, result.stderr
        assert "Rebuilt 3 step(s)" in result.stdout
        line = next(l for l in result.stdout.splitlines() if "sections/03-advent.qmd changed →" in l)
        assert {"edition pdf", "edition html", "edition docx"} == set(line.split("→")[1].strip().split(", "))
        for ext in EDITIONS:
            assert f"_build/cybersex-trafficking-south-america.{ext}  " in result.stdout
        assert "2 warning(s):" in result.stderr  # the two photographs' placeholders, once each

    def test_a_no_op_says_nothing_was_rebuilt(self, built_copy: Project) -> None:
        """Nothing changed: the build says so and still lists the editions."""
        result = built_copy.perrypress("build")
        assert result.returncode == 0, result.stderr
        assert "Nothing to rebuild" in result.stdout
        assert "Rebuilt" not in result.stdout
        assert "_build/cybersex-trafficking-south-america.pdf" in result.stdout

    def test_quiet_prints_nothing_on_success(self, built_copy: Project) -> None:
        """--quiet: a successful build prints nothing at all."""
        append(built_copy, "sections/01-introduction.qmd", "\nAnother sentence.\n")
        result = built_copy.perrypress("build", "--quiet")
        assert result.returncode == 0, result.stderr
        assert result.stdout == ""


# A broken source for one step of the workflow each, and the message it must give. The
# templates are the installed package's, shared by every paper, so an edition's own
# failure is made in what the workflow put in the project for that edition alone: the
# PDF layout's copy, the DOCX reference document, the HTML page's cite block.
FAILURES: dict[str, tuple[Callable[[Project], None], str, list[str]]] = {
    "edition_pdf": (lambda p: replace(p, "_build/styles/perry.typ", "#let ", "#let broken(x) = x(\n#let "),
                    "Typst", ["PDF"]),
    "edition_html": (lambda p: (p.root / "_build" / "cite.html").write_bytes(b"<p>\xff\xfe</p>\n"),
                     "_build/cite.html", ["HTML"]),
    "edition_docx": (lambda p: (p.root / "_build" / "styles" / "reference.docx").write_bytes(b"not a DOCX"),
                     "central directory signature", ["DOCX"]),
    "image": (lambda p: (p.root / "images" / "tradewinds-2016.jpg").write_text("not a JPEG"),
              "sections/03-advent.qmd:7: image /images/tradewinds-2016.jpg cannot be read", ["PDF", "HTML", "DOCX"]),
    "figure": (lambda p: replace(p, "data/country-regions.csv", "\n", "\nnot,a,valid,row,at,all\n"),
               "data/country-regions.csv:", ["PDF", "HTML", "DOCX"]),
    "table": (lambda p: replace(p, "data/structures.csv", ",79,", ",seventy-nine,"),
              "data/structures.csv:", ["PDF", "HTML", "DOCX"]),
}


@pytest.mark.slow
@pytest.mark.parametrize("step", sorted(FAILURES))
def test_a_failed_build_stays_failed(built_copy: Project, step: str) -> None:
    """A broken step fails the build, names the file, keeps the last good editions, and fails again on a rerun."""
    change, message, editions = FAILURES[step]
    before = digests(built_copy)
    change(built_copy)
    first, second = built_copy.perrypress("build"), built_copy.perrypress("build")
    for result in (first, second):
        assert result.returncode == 1, result.stdout + result.stderr
        assert message in result.stderr, result.stderr
        assert "Traceback" not in result.stderr
        for edition in editions:
            assert f"{edition}: not built from the current sources; last good edition kept" in result.stderr
    assert first.stderr.split("Build failed")[0] == second.stderr.split("Build failed")[0]
    assert digests(built_copy) == before


@pytest.mark.slow
def test_plain_snakemake_also_stays_failed(built_copy: Project) -> None:
    """Without the perrypress wrapper too, a failed edition is rebuilt (and fails) on the next run."""
    before = digests(built_copy)
    FAILURES["edition_html"][0](built_copy)
    assert built_copy.snakemake(check=False).returncode != 0
    assert built_copy.snakemake(check=False).returncode != 0
    assert digests(built_copy) == before


def start_build(project: Project) -> subprocess.Popen[bytes]:
    """Start `perrypress build` in its own process group."""
    return subprocess.Popen([sys.executable, "-m", "perrypress.cli", "build"], cwd=project.root, env=build_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


@pytest.mark.slow
@pytest.mark.parametrize(("sig", "after"), [(signal.SIGTERM, 1.0), (signal.SIGTERM, 3.0), (signal.SIGKILL, 0.5),
                                            (signal.SIGKILL, 2.0), (signal.SIGKILL, 4.0)])
def test_an_interrupted_build_loses_no_edition(built_copy: Project, sig: signal.Signals, after: float) -> None:
    """Killing the whole build at any point leaves every edition whole; the next build finishes the job."""
    append(built_copy, "sections/06-conclusions.qmd", "\nA sentence the interrupted build was adding.\n")
    process = start_build(built_copy)
    time.sleep(after)
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        pass  # it had already finished
    process.wait(timeout=60)
    assert_complete(built_copy)
    result = built_copy.perrypress("build")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "interrupted build was adding" in built_copy.edition("html").read_text(encoding="utf-8")
    assert not list((built_copy.root / "_build").glob(".*.tmp"))


def test_one_build_at_a_time(built_copy: Project) -> None:
    """A second build in the same project while one runs is refused with a clear message."""
    import fcntl

    with open(built_copy.root / "_build" / ".lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        result = built_copy.perrypress("build")
    assert result.returncode == 1
    assert "another perrypress build is running" in result.stderr


def test_help_lists_the_commands_people_run() -> None:
    """`perrypress --help` lists build and verify, with the workflow's steps grouped under `step`."""
    from perrypress.cli import parser

    text = parser().format_help()
    for command in ["build", "verify", "step"]:
        assert f"    {command} " in text
    for step in ["table", "figure", "check-bib", "reference-docx", "web-fonts"]:
        assert f"    {step} " not in text
    assert "``" not in text


def test_summary_names_package_files_by_their_place_in_the_package() -> None:
    """A changed file of the installed package is named perrypress/…, not by its absolute path."""
    from perrypress.workflow.runner import _reason
    from perrypress.resources import PACKAGE

    text, missing = _reason(f"Updated input files: {PACKAGE}/sources/languages/en.yaml, sections/03-advent.qmd")
    assert text == "perrypress/sources/languages/en.yaml, sections/03-advent.qmd changed" and not missing


class TestReasons:
    """Why a step runs, in the words of the person who made it run."""

    def test_a_missing_edition_is_named_as_an_edition(self) -> None:
        from perrypress.workflow.runner import _reason

        assert _reason("Missing output files: _build/.built/paper.pdf") == ("the PDF edition was missing", True)

    def test_after_a_failure_a_missing_output_is_the_failure(self) -> None:
        from perrypress.workflow.runner import _reason

        assert _reason("Missing output files: _build/.built/paper.docx", after_failure=True)[0] == \
            "the last build failed"

    def test_an_output_removed_for_a_mid_build_save_names_the_save(self) -> None:
        from perrypress.workflow.runner import _reason

        stale = {"_build/.built/paper.html": "sections/03-advent.qmd"}
        assert _reason("Missing output files: _build/.built/paper.html", stale=stale) == \
            ("sections/03-advent.qmd changed", False)

    @pytest.mark.parametrize("snakemake_words", ["Forced execution", "Set of input files has changed since last execution",
                                                 "Code has changed since last execution"])
    def test_snakemakes_own_words_are_not_shown(self, snakemake_words: str) -> None:
        from perrypress.workflow.runner import _reason

        text, _ = _reason(snakemake_words)
        assert "execution" not in text and text

    def test_a_new_or_removed_input_is_named(self) -> None:
        """Snakemake's "set of input files has changed" names the files added and removed since the last run."""
        from perrypress.workflow.runner import Run

        run = Run(previous={"_build/.built/p.html": ["report.qmd", "images/a.jpg", "images/b.jpg"]})
        for line in ["rule edition_html:", "    input: report.qmd, images/c.jpg", "    output: _build/.built/p.html",
                     "    jobid: 1", "    reason: Set of input files has changed since last execution", ""]:
            run.feed(line)
        assert run.jobs["1"].why == "images/c.jpg was added; images/a.jpg, images/b.jpg were removed"
        unknown = Run()  # no record of its last run: Snakemake's reason, in plain words
        for line in ["rule edition_html:", "    input: report.qmd", "    output: _build/.built/p.html", "    jobid: 1",
                     "    reason: Set of input files has changed since last execution", ""]:
            unknown.feed(line)
        assert unknown.jobs["1"].why == "a file it reads was added, removed or renamed"

    def test_a_part_of_the_configuration_is_named_in_the_file(self) -> None:
        from perrypress.workflow.runner import _reason

        assert _reason("Updated input files: _build/config/table-law.json")[0] == "config/config.yaml (table law) changed"


def test_progress_numbers_each_step_and_names_it_while_it_runs() -> None:
    """Snakemake's announcements become "step n of N: name (why)", then "done n of N"."""
    import io

    from perrypress.workflow.runner import Progress, Run

    lines = ["Job stats:", "job      count", "------  -------", "table        1", "edition_pdf  1", "all  1",
             "total        3", "", "rule table:", "    output: _build/tables/law.md", "    jobid: 2",
             "    reason: Updated input files: data/law.csv", "    wildcards: slug=law", "",
             "rule edition_pdf:", "    output: _build/.built/p.pdf", "    jobid: 1",
             "    reason: Input files updated by another job: _build/tables/law.md", "",
             "Finished jobid: 2 (Rule: table)", "Finished jobid: 1 (Rule: edition_pdf)",
             "localrule all:", "    jobid: 0", "", "Finished jobid: 0 (Rule: all)"]
    run, out = Run(), io.StringIO()
    progress = Progress(run, out, quiet=False)
    for line in lines:
        progress.show(run.feed(line))
    assert out.getvalue().splitlines() == [
        "  step 1 of 2: table law (data/law.csv changed)",
        "  step 2 of 2: edition pdf (table law rebuilt)",
        "  done 1 of 2: table law in 0.0 s",
        "  done 2 of 2: edition pdf in 0.0 s",
    ]


def test_a_line_that_ends_a_step_header_is_read_for_itself() -> None:
    """Steps run side by side: a warning or a "Finished" line right after a header is never lost."""
    from perrypress.workflow.runner import Run

    run = Run()
    lines = ["rule table:", "    output: _build/tables/law.md", "    jobid: 2",
             "sections/03-advent.qmd:7: warning: asset /images/x.jpg not found",
             "rule figure:", "    output: figures/regions.svg", "    jobid: 3",
             "Finished jobid: 2 (Rule: table)", "rule edition_pdf:", "    jobid: 1"]
    events = [(event.kind, event.job.rule) for line in lines for event in run.feed(line)]
    events += [(event.kind, event.job.rule) for event in run.feed("")]
    assert events == [("started", "table"), ("started", "figure"), ("finished", "table"), ("started", "edition_pdf")]
    assert run.warnings == ["sections/03-advent.qmd:7: warning: asset /images/x.jpg not found"]


def test_a_long_step_is_named_every_few_seconds() -> None:
    """While a step runs with nothing else to say, a line names it (and how long it has run)."""
    import io

    from perrypress.workflow.runner import Progress, Run

    run, out = Run(), io.StringIO()
    progress = Progress(run, out, quiet=False)
    progress.EVERY = 0.2
    for line in ["rule web_fonts:", "    output: _build/fonts", "    jobid: 3", ""]:
        progress.show(run.feed(line))
    progress.start()
    time.sleep(1.5)
    progress.stop()
    assert out.getvalue().count("still running: web fonts (") >= 2


def test_a_config_error_names_the_file_relative_to_the_project(project: Project) -> None:
    """A mistyped key is reported as config/config.yaml:LINE, also when the project is given by absolute path."""
    config = project.root / "config" / "config.yaml"
    config.write_text(config.read_text(encoding="utf-8").replace("output_name:", "output_nam:", 1), encoding="utf-8")
    result = subprocess.run([sys.executable, "-m", "perrypress.cli", "--root", str(project.root.resolve()), "build"],
                            cwd="/", capture_output=True, text=True, env=build_env())
    assert result.returncode == 1
    assert result.stderr.startswith("config/config.yaml:"), result.stderr
    assert str(project.root.resolve()) not in result.stderr


def test_a_steps_own_failure_leaves_its_traceback_in_its_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                             capsys: pytest.CaptureFixture[str]) -> None:
    """A bug in a step (not a source error) exits 1 with its traceback in the log the build's summary names."""
    import logging

    from perrypress import cli

    def broken(args: object) -> None:
        raise KeyError("a bug")

    monkeypatch.setattr(cli, "cmd_variables", broken)
    log = tmp_path / "logs" / "variables.log"
    try:
        assert cli.main(["--log", str(log), "step", "variables", "--out", str(tmp_path / "v.yml")]) == 1
    finally:
        for handler in logging.getLogger().handlers:  # the step's log handlers (cli._setup_logging)
            handler.close()
        logging.getLogger().handlers.clear()
    text = log.read_text(encoding="utf-8")
    assert "a bug: please report it" in text and "Traceback" in text and "KeyError: 'a bug'" in text
    with pytest.raises(KeyError):  # outside a workflow step, a bug is raised as it is
        cli.main(["step", "variables", "--out", str(tmp_path / "v.yml")])


@pytest.mark.slow
def test_sigterm_to_the_build_stops_snakemake_and_its_steps(built_copy: Project) -> None:
    """SIGTERM to `perrypress build` alone (a CI runner's cancel, `kill PID`): it stops Snakemake and waits for
    it, says so, exits 143, and leaves no process behind and every edition whole."""
    append(built_copy, "sections/06-conclusions.qmd", "\nA sentence the stopped build was adding.\n")
    process = subprocess.Popen([sys.executable, "-m", "perrypress.cli", "build"], cwd=built_copy.root,
                               env=build_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                               start_new_session=True)
    deadline = time.monotonic() + 120
    while not (built_copy.root / "_build" / "logs" / "edition_pdf.log").exists() or not [
            p for p in Path("/proc").iterdir() if p.name.isdigit() and _in(p, built_copy.root) and _is_snakemake(p)]:
        assert process.poll() is None and time.monotonic() < deadline, "the build ended before it could be stopped"
        time.sleep(0.05)
    os.kill(process.pid, signal.SIGTERM)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 143, stderr
    assert "Build stopped (SIGTERM): the editions are the last good ones." in stderr and "Traceback" not in stderr
    with pytest.raises(ProcessLookupError):
        os.killpg(process.pid, 0)  # nothing of the build's process group is left
    assert_complete(built_copy)


def _in(proc: Path, root: Path) -> bool:
    try:
        return Path(os.readlink(proc / "cwd")) == root.resolve()
    except OSError:
        return False


def _is_snakemake(proc: Path) -> bool:
    try:
        return b"snakemake" in (proc / "cmdline").read_bytes()
    except OSError:
        return False
