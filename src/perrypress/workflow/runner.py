"""`perrypress build`: run the workflow, show what it does, and end with what it made and why."""

from __future__ import annotations

import fcntl
import logging
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ..errors import BuildError
from . import last_good

log = logging.getLogger(__name__)

BUILD = "_build"
# The workflow's copies of the editions (workflow/rules/common.smk, BUILT).
BUILT = f"{BUILD}/.built"

_JOB = re.compile(r"^(?:local)?rule (\w+):$")
_FIELD = re.compile(r"^\s+(\w+): (.*)$")
_FINISHED = re.compile(r"^Finished jobid: (\d+) \(Rule: (\w+)\)")
_FAILED = re.compile(r"^Error in rule (\w+):$")
# Snakemake's own errors that concern the sources (a missing input file, say).
_WORKFLOW_ERROR = re.compile(r"^(MissingInputException|Missing input files|WorkflowError|"
                             r"MissingOutputException|IncompleteFilesException)")


@dataclass
class Job:
    """One step of the workflow as Snakemake announced it."""

    rule: str
    jobid: str = ""
    output: str = ""
    log: str = ""
    reason: str = ""
    wildcards: str = ""
    started: float = field(default_factory=time.monotonic)
    seconds: float | None = None
    failed: bool = False
    # Its place among the steps this run started ("step 5 of 17").
    number: int = 0
    # What the workflow said before planning: outputs it removed because an input changed after their step started.
    stale: dict[str, str] = field(default_factory=dict)
    # Whether the previous build failed (its steps' outputs were removed then).
    after_failure: bool = False
    # The remote storage's prefix of the files, when they are there (a profile's default storage).
    storage: str | None = None
    # What it reads now (Snakemake's ``input:`` field), and what each step read last time, by its first output.
    input: str = ""
    previous: dict[str, list[str]] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The step as a person reads it: ``edition pdf``, ``table structures``."""
        values = [part.split("=", 1)[1] for part in self.wildcards.split(", ") if "=" in part]
        return " ".join([self.rule.replace("_", " "), *values])

    @property
    def why(self) -> str:
        """Snakemake's reason, in a reader's words (a missing output is named only when alone)."""
        parts = [(part.startswith(_NEW_INPUTS) and self._inputs_changed())
                 or _reason(part, stale=self.stale, after_failure=self.after_failure, storage=self.storage)
                 for part in self.reason.split("; ") if part]
        shown = [text for text, missing in parts if not missing] or [text for text, _ in parts]
        return "; ".join(dict.fromkeys(shown)) or "requested"

    def _inputs_changed(self) -> tuple[str, bool] | None:
        """Which files it reads were added or removed since its last run (None if that run is unknown)."""
        before = self.previous.get(self.output.split(", ")[0])
        if before is None or not self.input:
            return None
        now = self.input.split(", ")
        added = [_shown(f, self.storage) for f in now if f not in before]
        removed = [_shown(f, self.storage) for f in before if f not in now]
        said = [f"{_listed(files)} {'was' if len(files) == 1 else 'were'} {verb}"
                for files, verb in ((added, "added"), (removed, "removed")) if files]
        return ("; ".join(said), False) if said else None


_REASONS = [("Updated input files: ", "changed"), ("Input files updated by another job: ", "rebuilt"),
            ("Missing output files: ", "missing"), ("Incomplete output files: ", "incomplete")]
# Snakemake's reasons without files, in a reader's words.
_NEW_INPUTS = "Set of input files has changed since last execution"
_PLAIN_REASONS = {
    "Forced execution": "requested",
    _NEW_INPUTS: "a file it reads was added, removed or renamed",
    "Code has changed since last execution": "its command changed (a new perrypress, or another mode)",
    "Software environment definition has changed since last execution": "its software changed",
    "Job has no metadata": "not built by this workflow before",
}
_EDITION = re.compile(rf"^{re.escape(BUILT)}/.+\.(pdf|html|docx)$")
_TABLE = re.compile(rf"^{re.escape(BUILD)}/tables/(.+)\.md$")
_FIGURE = re.compile(r"^figures/(.+)\.(?:svg|pdf|png)$")
_CHECKS = {f"{BUILD}/checks/data.ok": "the data check", f"{BUILD}/checks/bibliography-keys.txt": "the bibliography check"}
_CONFIG_PART = re.compile(rf"^{re.escape(BUILD)}/config/(.+)\.json$")


def storage_prefix(profile: str | None) -> str | None:
    """The remote storage a profile puts the files in (its ``default-storage-prefix``), or None."""
    import os

    import yaml

    folder = Path(profile) if profile else None
    config = folder / "config.yaml" if folder and folder.is_dir() else folder
    try:
        settings = yaml.safe_load(config.read_text(encoding="utf-8")) if config else None
    except (OSError, yaml.YAMLError):
        return None
    value = settings.get("default-storage-prefix") if isinstance(settings, dict) else None
    return os.path.expandvars(str(value)).rstrip("/") + "/" if value else None


def _shown(file: str, storage: str | None = None) -> str:
    """A file as the summary names it: the package's own files by their place in it (perrypress/…),
    a file in remote storage by its place in the project."""
    from ..resources import PACKAGE

    file = file.removesuffix(" (in storage)")
    if storage and file.startswith(storage):
        file = file[len(storage):]
    prefix = f"{PACKAGE}/"
    if file.startswith(prefix):
        return "perrypress/" + file[len(prefix):]
    if match := _CONFIG_PART.match(file):  # one part of the configuration (workflow/config_parts.py)
        part = match[1].replace("-", " ", 1) if match[1].startswith(("table-", "figure-")) else match[1]
        return f"config/config.yaml ({part})"
    if match := _EDITION.match(file):
        return f"the {match[1].upper()} edition"
    if match := _TABLE.match(file):  # what another step made, by that step's name
        return f"table {match[1]}"
    if match := _FIGURE.match(file):
        return f"figure {match[1]}"
    return _CHECKS.get(file, file)


def _listed(files: list[str]) -> str:
    files = list(dict.fromkeys(files))
    return ", ".join(files[:3]) + (f" and {len(files) - 3} more" if len(files) > 3 else "")


def _reason(part: str, *, stale: dict[str, str] | None = None, after_failure: bool = False,
            storage: str | None = None) -> tuple[str, bool]:
    """One of Snakemake's reasons in a reader's words, and whether it is only a missing output.

    A missing output is explained when the run knows why: the workflow removed it because an input
    changed after its step started (``stale``: output → the inputs), or the last build failed.
    """
    for prefix, verb in _REASONS:
        if part.startswith(prefix):
            files = [f for f in part[len(prefix):].split(", ") if f]
            if verb in {"missing", "incomplete"}:
                changed = [(stale or {}).get(f) for f in files]
                if any(changed):
                    return f"{_listed([_shown(c) for c in ', '.join(filter(None, changed)).split(', ')])} changed", False
                if verb == "incomplete":
                    return "the last build stopped while making it", False
                if after_failure:
                    return "the last build failed", True
                shown = [_shown(f, storage) for f in files]
                return f"{_listed(shown)} {'was' if len(shown) == 1 else 'were'} missing", True
            return f"{_listed([_shown(f, storage) for f in files])} {verb}", False
    for prefix, text in _PLAIN_REASONS.items():
        if part.startswith(prefix):
            return text, False
    return part[:1].lower() + part[1:], False


# The workflow's line for an output it removed because an input changed after its step started (job_inputs.py).
_STALE = re.compile(r"^perrypress: (.+) is out of date: (.+) changed after its step started$")


@dataclass
class Event:
    """A step started, finished or failed."""

    kind: str
    job: Job


@dataclass
class Run:
    """What one run of the workflow did, read from Snakemake's output."""

    jobs: dict[str, Job] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)
    workflow_errors: list[str] = field(default_factory=list)
    planned: set[str] = field(default_factory=set)
    # How many steps Snakemake planned (its "Job stats" total, less the target rule ``all``).
    total: int = 0
    stale: dict[str, str] = field(default_factory=dict)
    after_failure: bool = False
    nothing_to_do: bool = False
    # When the steps run elsewhere (a profile's executor): the records folder where each notes its own time
    # (workflow/job_inputs.py), read instead of the time between Snakemake's lines, and when the run began.
    own_times: Path | None = None
    storage: str | None = None
    # What each step read last time (its record, workflow/job_inputs.py), by its first output: read before the
    # steps run, as they write new records.
    previous: dict[str, list[str]] = field(default_factory=dict)
    began: float = field(default_factory=time.time)
    _in_stats: bool = False
    _current: Job | None = None
    _failing: Job | None = None

    def feed(self, line: str) -> list[Event]:
        """Read one line of Snakemake's output; return the steps that have just started, finished or failed.

        A step's header ends at the first line that is not one of its fields. Jobs run in
        parallel, so that line may be anything (another step's warning, a "Finished" line):
        it ends the header and is then read for itself, never dropped.
        """
        line = line.rstrip("\n")
        events = []
        started, self._current = self._current, None
        if started is not None and not _FIELD.match(line):
            if started.jobid and started.rule != "all":
                started.number = sum(job.rule != "all" for job in self.jobs.values())
                started.started = time.monotonic()
                events.append(Event("started", started))
        else:
            self._current = started
        if self._failing is not None and not _FIELD.match(line):
            failing, self._failing = self._failing, None
            events.append(Event("failed", self._fail(failing)))
        event = self._read(line)
        return events + ([event] if event else [])

    def _read(self, line: str) -> Event | None:
        """Read a line that is not the end of a step's header."""
        if line.startswith("Job stats:"):
            self._in_stats = True
            return None
        if self._in_stats:
            words = line.split()
            if len(words) == 2 and words[1].isdigit():
                if words[0] == "total":
                    self.total = int(words[1]) - int("all" in self.planned)
                else:
                    self.planned.add(words[0])
            self._in_stats = bool(words) and words[0] != "total"
            return None
        if match := _JOB.match(line):
            self._current, self._failing = Job(match[1], stale=self.stale, after_failure=self.after_failure,
                                               storage=self.storage, previous=self.previous), None
            return None
        if match := _FAILED.match(line):
            self._current, self._failing = None, Job(match[1])
            return None
        if (match := _FIELD.match(line)) and (self._current or self._failing):
            self._field(self._current or self._failing, match[1], match[2])
            return None
        if match := _FINISHED.match(line):
            job = self.jobs.get(match[1])
            if job is not None:
                job.seconds = self._own_time(job) or time.monotonic() - job.started
                return Event("finished", job) if job.rule != "all" else None
            return None
        if match := _STALE.match(line):
            self.stale[match[1]] = match[2]
        elif "Nothing to be done" in line:
            self.nothing_to_do = True
        elif re.search(r"\bwarning\b", line, re.I) and not line.startswith(("Warning: the following output", "Assuming")):
            if line not in self.warnings:
                self.warnings.append(line)
        elif _WORKFLOW_ERROR.match(line) or " — " in line:
            self.workflow_errors.append(line)
        return None

    def _own_time(self, job: Job) -> float | None:
        """The time the step noted itself, when the steps run elsewhere (None here, or if it noted none)."""
        from .job_inputs import recorded_seconds

        output = job.output.split(", ")[0]
        if self.own_times is None or not output:
            return None
        return recorded_seconds(output, self.own_times, since=self.began - 1)

    def close(self) -> list[Event]:
        """End of output: finish a failure report that was still being read."""
        failing, self._failing = self._failing, None
        return [Event("failed", self._fail(failing))] if failing else []

    def _field(self, job: Job, key: str, value: str) -> None:
        if key in {"jobid", "input", "output", "log", "reason", "wildcards"}:
            setattr(job, key, value.split(" (check log file")[0])
        if key == "jobid" and job is self._current:
            self.jobs[value] = job

    def _fail(self, failing: Job) -> Job:
        job = self.jobs.get(failing.jobid, failing)
        job.failed, job.log = True, job.log or failing.log
        job.seconds = self._own_time(job) or time.monotonic() - job.started
        self.jobs.setdefault(failing.jobid, job)
        return job

    @property
    def failed(self) -> list[Job]:
        """The steps that failed."""
        return [job for job in self.jobs.values() if job.failed]

    @property
    def running(self) -> list[Job]:
        """The steps started and not yet ended."""
        return [job for job in self.jobs.values() if job.seconds is None and job.rule != "all"]

    @property
    def done(self) -> list[Job]:
        """The steps that ran to the end (not the target rule ``all``, which does nothing)."""
        return [job for job in self.jobs.values()
                if job.seconds is not None and not job.failed and job.rule != "all"]


def job_errors(job: Job, root: Path) -> list[str]:
    """The error lines of a failed step, from its log (warnings are reported apart)."""
    path = root / job.log if job.log else None
    if path is None or not path.exists():
        return [f"{job.name}: failed (no log) — run `snakemake --cores 1 {job.output}` to see why"]
    text = path.read_text(encoding="utf-8", errors="replace")
    if "Traceback" in text:  # a bug in perrypress: show all of it
        return [text.rstrip(), f"(a traceback means a bug in perrypress; the full log is {job.log})"]
    lines = [line for line in text.splitlines() if line.strip() and not re.search(r"\bwarning\b", line, re.I)]
    return lines or [f"{job.name}: failed — see {job.log}"]


@contextmanager
def build_lock(root: Path) -> Iterator[None]:
    """Hold ``_build/.lock`` for the whole build: one build per project at a time.

    The kernel drops the lock when the process ends, however it ends; so when it
    is ours, any Snakemake lock or half-made file left in the folder is stale.
    """
    (root / BUILD).mkdir(exist_ok=True)
    with open(root / BUILD / ".lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise BuildError(f"{BUILD}/: another perrypress build is running in this project — "
                             "wait for it to finish") from None
        yield


def _recover(root: Path, command: list[str]) -> None:
    """Clear what a killed build left: Snakemake's locks and staging files."""
    last_good.remove_stale(root / BUILD)
    locks = root / ".snakemake" / "locks"
    if locks.is_dir() and any(locks.iterdir()):
        subprocess.run([*command, "--unlock"], capture_output=True, text=True)


def snakemake_command(root: Path, targets: list[str], *, cores: int, release: bool, profile: str | None = None,
                      jobs: int | None = None) -> list[str]:
    """The Snakemake command line of a build (``profile``: a Snakemake profile that sends the steps elsewhere)."""
    # Targets first: --config takes every word after it.
    # --keep-going: a failed step does not stop the others, so the build reports every error at once.
    command = [sys.executable, "-m", "snakemake", *targets, "--cores", str(cores), "--rerun-incomplete",
               "--keep-going", "--directory", str(root)]
    if root.resolve() != Path.cwd().resolve():  # run from outside the paper (`--root`, `perrypress series`)
        command += ["--snakefile", str(root / "Snakefile")]
    if profile:  # a folder given relative to where perrypress runs, as a person types it
        command += ["--profile", str(Path(profile).resolve()) if Path(profile).exists() else profile]
    if jobs:
        command += ["--jobs", str(jobs)]
    return command + (["--config", "mode=release"] if release else [])


def gather_from_logs(run: Run, root: Path) -> None:
    """Steps that ran elsewhere (a cluster's jobs): their logs' warnings.

    The job's messages go to the scheduler's output, not to this process; each step writes its
    warnings to its log too. (Their times: :meth:`Run._own_time`.)
    """
    for job in [*run.done, *run.failed]:
        path = root / job.log if job.log else None
        if path is None or not path.is_file():
            continue
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if re.search(r"\bwarning\b", line, re.I) and line not in run.warnings:
                run.warnings.append(line)


def workflow_targets(targets: list[str], config: dict[str, Any]) -> list[str]:
    """Map the editions readers open (``_build/<name>.pdf``) to the rules' outputs."""
    readers = {f"{BUILD}/{config['output_name']}.{ext}": f"{BUILT}/{config['output_name']}.{ext}"
               for ext in config["editions"]}
    return [readers.get(target.removeprefix("./"), target) for target in targets]


def run_build(root: Path, config: dict[str, Any], *, targets: list[str], cores: int, release: bool,
              quiet: bool = False, out: IO[str] = sys.stdout, err: IO[str] = sys.stderr,
              profile: str | None = None, jobs: int | None = None) -> int:
    """Build with Snakemake, printing progress and a summary; return 0 on success, 1 on failure.

    With ``profile`` (a Snakemake profile folder) the steps run where it sends them; the build keeps
    its lock, its clean-up and its summary, with each step's own time and its log's warnings.
    """
    start = time.monotonic()
    command = snakemake_command(root, workflow_targets(targets, config), cores=cores, release=release,
                                profile=profile, jobs=jobs)
    from .job_inputs import RECORDS, read_records

    run = Run(after_failure=(root / last_good.FAILED).exists(), own_times=root / RECORDS if profile else None,
              storage=storage_prefix(profile),
              previous={r["outputs"][0]: list(r["inputs"]) for r in read_records(root / RECORDS) if r["outputs"]})
    progress = Progress(run, out, quiet=quiet)
    with build_lock(root), _stopped_by_signals() as stopped:
        _recover(root, command)
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   bufsize=1)
        assert process.stdout is not None
        progress.start()
        try:
            for line in process.stdout:
                progress.show(run.feed(line))
            progress.show(run.close())
            code = process.wait()
        except KeyboardInterrupt:
            _stop(process)
            progress.stop()
            print(f"Build stopped ({stopped[-1] if stopped else 'SIGINT'}): the editions are the last good ones.",
                  file=err)
            raise SystemExit(128 + (signal.SIGTERM if stopped[-1:] == ["SIGTERM"] else signal.SIGINT)) from None
        finally:
            progress.stop()
    seconds = time.monotonic() - start
    if profile:
        gather_from_logs(run, root)
    if code != 0:
        _report_failure(run, root, config, seconds, err=err)
        return 1
    if not quiet:
        _report_success(run, root, config, seconds, out=out, err=err)
    return 0


# How long Snakemake may take to stop its steps after the build is stopped, before it is killed.
STOP_SECONDS = 20.0


@contextmanager
def _stopped_by_signals() -> Iterator[list[str]]:
    """SIGTERM stops the build as Ctrl-C does (KeyboardInterrupt), so Snakemake is stopped and waited for, never
    left behind; the list it yields names the signal that stopped it. Only in the main thread (signals' rule)."""
    stopped: list[str] = []
    if threading.current_thread() is not threading.main_thread():
        yield stopped
        return

    def interrupt(signum: int, frame: object) -> None:
        stopped.append(signal.Signals(signum).name)
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield stopped
    finally:
        signal.signal(signal.SIGTERM, previous)


def _stop(process: subprocess.Popen[str]) -> None:
    """Stop Snakemake: SIGTERM (it stops its steps), then SIGKILL if it has not ended in STOP_SECONDS."""
    process.terminate()
    try:
        process.wait(timeout=STOP_SECONDS)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


class Progress:
    """What a person sees while the build runs: each step as it starts ("step 5 of 17") and ends,
    and, during a long step, a line every few seconds naming what is still running."""

    # Seconds of silence after which the running steps are named again.
    EVERY = 5.0

    def __init__(self, run: Run, out: IO[str], *, quiet: bool) -> None:
        self.run, self.out, self.quiet = run, out, quiet
        self._lock = threading.Lock()
        self._last = time.monotonic()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._tick, name="build-progress", daemon=True)

    def start(self) -> None:
        """Start naming long-running steps."""
        if not self.quiet:
            self._thread.start()

    def stop(self) -> None:
        """Stop naming them."""
        self._stop.set()

    def _print(self, text: str) -> None:
        with self._lock:
            print(text, file=self.out, flush=True)
            self._last = time.monotonic()

    def show(self, events: list[Event]) -> None:
        """Print the steps that started or finished (a failure is reported at the end, with its error)."""
        for event in [] if self.quiet else events:
            self._show(event)

    def _show(self, event: Event) -> None:
        job, total = event.job, self.run.total or len(self.run.jobs)
        if event.kind == "started":
            self._print(f"  step {job.number} of {total}: {job.name} ({job.why})")
        elif event.kind == "finished":
            done = len(self.run.done)
            self._print(f"  done {done} of {total}: {job.name} in {job.seconds or 0:.1f} s")
        elif event.kind == "failed":
            self._print(f"  failed: {job.name} after {job.seconds or 0:.1f} s")

    def _tick(self) -> None:
        while not self._stop.wait(0.5):
            if time.monotonic() - self._last < self.EVERY:
                continue
            now = time.monotonic()
            running = [f"{job.name} ({now - job.started:.0f} s)" for job in self.run.running]
            if running:
                self._print(f"  still running: {', '.join(running)}")
            else:
                self._last = now


def _editions(config: dict[str, Any]) -> list[tuple[str, str]]:
    return [(ext, f"{BUILD}/{config['output_name']}.{ext}") for ext in config["editions"]]


def _size(path: Path) -> str:
    size = path.stat().st_size
    return f"{size / 1_000_000:.1f} MB" if size >= 1_000_000 else f"{size / 1000:.0f} kB"


def _print_warnings(run: Run, err: IO[str]) -> None:
    # Steps run side by side, so their warnings arrive in any order: print them sorted (file, then line).
    if run.warnings:
        print(f"{len(run.warnings)} warning(s):", file=err)
        for warning in sorted(run.warnings, key=_warning_order):
            print(f"  {warning}", file=err)


def _warning_order(warning: str) -> tuple[str, int, str]:
    match = re.match(r"^(\S+?):(\d+):", warning)
    return (match[1], int(match[2]), warning) if match else ("~", 0, warning)


def _report_success(run: Run, root: Path, config: dict[str, Any], seconds: float, *, out: IO[str],
                    err: IO[str]) -> None:
    _print_warnings(run, err)
    if run.nothing_to_do or not run.done:
        print(f"Nothing to rebuild: everything is up to date with the sources ({seconds:.1f} s).", file=out)
    else:
        print(f"Rebuilt {len(run.done)} step(s) in {seconds:.1f} s:", file=out)
        by_reason: dict[str, list[str]] = {}
        for job in run.done:
            by_reason.setdefault(job.why, []).append(job.name)
        for why, names in by_reason.items():
            print(f"  {why} → {', '.join(names)}", file=out)
    print("Editions:", file=out)
    for _, path in _editions(config):
        if (root / path).exists():
            print(f"  {path}  {_size(root / path)}", file=out)
        elif run.storage:  # they are in the remote storage
            print(f"  {run.storage}{path}", file=out)


def _unreached_errors(root: Path, config: dict[str, Any], shown: list[str]) -> list[str]:
    """The source errors the failed steps hid (sources/every_error.py), less those already shown."""
    from ..sources.every_error import every_error

    seen = {line.removeprefix(f"{root}/") for line in shown}
    return [line for line in every_error(root, config) if line not in seen]


def _report_failure(run: Run, root: Path, config: dict[str, Any], seconds: float, *, err: IO[str]) -> None:
    # Steps that ran side by side may both fail: in the order of their names, not of their ending.
    failed_jobs = sorted(run.failed, key=lambda job: job.name)
    errors = [line for job in failed_jobs for line in job_errors(job, root)]
    if not errors:  # no step failed: Snakemake itself stopped (a missing input file, say)
        errors = [line for line in run.workflow_errors if not line.rstrip().endswith(":")]
    errors += _unreached_errors(root, config, errors)
    print("\n".join(dict.fromkeys(errors)) or "the workflow failed — run `snakemake --cores 1` to see why", file=err)
    _print_warnings(run, err)
    failed = ", ".join(job.name for job in failed_jobs) or "the workflow"
    print(f"Build failed after {seconds:.1f} s: {failed}.", file=err)
    finished = {job.rule for job in run.done}
    for ext, path in _editions(config):
        rule = f"edition_{ext}"
        if rule not in run.planned or rule in finished:
            continue
        if (root / path).exists():
            print(f"  {ext.upper()}: not built from the current sources; last good edition kept: {path}", file=err)
        else:
            print(f"  {ext.upper()}: not built", file=err)
