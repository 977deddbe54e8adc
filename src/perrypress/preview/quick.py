"""The served edition at once: its step run again, without Snakemake, when only what the editions read changed.

A section, a photograph or a pandoc template is read by the edition steps and by no
other step. When every saved file is one of those (and the last build succeeded), the
served edition's step is the only work between the save and the page: the preview runs
it again at once, with the very command line the workflow's rule gave it last time (its
record, workflow/job_inputs.py), in a process forked from a warm one that has already
imported what the step needs. The full build follows and finds that edition up to date
(the step wrote it and recorded what it read, as under Snakemake); anything else (a CSV,
the configuration, a new file) goes through the workflow from the start.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import runpy
import sys
import warnings
from pathlib import Path

from ..workflow.job_inputs import read_records

log = logging.getLogger(__name__)

# The workflow's copies of the editions (rules/common.smk, BUILT) and the folder of the steps' records.
BUILT = Path("_build") / ".built"
RECORDS = Path("_build") / ".inputs"
# Imported once, in the warm process the quick steps are forked from.
PRELOAD = ["perrypress.editions.render", "perrypress.sources.document",
           "perrypress.sources.bibliography", "perrypress.sources.labels", "perrypress.workflow.last_good",
           "perrypress.workflow.job_inputs", "perrypress.workflow.runner"]


def quick_command(root: Path, served: Path, changed: list[Path]) -> list[str] | None:
    """The served edition's last command line, if every changed file is read by the editions alone; else None.

    A changed file no record names and that no longer exists (an editor's temporary file) is left out;
    one that exists (a new section) changes what the workflow plans, so it takes the full build.
    """
    records = read_records(root / RECORDS)
    built = (BUILT / served.name).as_posix()
    own = next((r for r in records if r.get("outputs", [None])[0] == built and r.get("argv")), None)
    if own is None:
        return None

    def named(record: dict) -> set[Path]:
        return {(root / name).resolve() for name in record["inputs"]}

    editions = [r for r in records if all(o.startswith(f"{BUILT.as_posix()}/") for o in r["outputs"])]
    others = set().union(*(named(r) for r in records if r not in editions))
    read_by_it = named(own)
    relevant = False
    for path in (p.resolve() for p in changed):
        if path in read_by_it and path not in others and path.is_file():
            relevant = True
        elif path in others or path in read_by_it or path.exists():
            return None
    return list(own["argv"]) if relevant else None


def _run(root: str, argv: list[str]) -> None:
    """In the forked process: take the build lock, then run the step's command as its rule would.

    The command is ``python -m perrypress.cli ARGV``, run in this process (``runpy``) instead of a new
    interpreter: the modules it needs are already imported.
    """
    os.setsid()  # its own process group, stopped with every process it starts
    os.chdir(root)
    from ..errors import BuildError
    from ..workflow.runner import build_lock

    try:
        with build_lock(Path(root)):
            sys.argv = ["perrypress", *argv]
            with warnings.catch_warnings():  # runpy warns that perrypress.cli is imported already: it is, harmlessly
                warnings.simplefilter("ignore", RuntimeWarning)
                runpy.run_module("perrypress.cli", run_name="__main__", alter_sys=True)
            code = 0
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    except BuildError as exc:  # another build holds the lock: leave it to the workflow
        log.info("%s", exc)
        code = 1
    os._exit(code)


class QuickSteps:
    """A warm process (multiprocessing's fork server, with the step's modules imported) to fork quick steps from."""

    def __init__(self) -> None:
        self._context = multiprocessing.get_context("forkserver")
        self._context.set_forkserver_preload(PRELOAD)
        self.process: multiprocessing.process.BaseProcess | None = None

    def warm(self) -> None:
        """Start the fork server now, not at the first save."""
        process = self._context.Process(target=os._exit, args=(0,))
        process.start()
        process.join()

    def run(self, root: Path, argv: list[str]) -> bool:
        """Run one step; return whether it succeeded."""
        self.process = self._context.Process(target=_run, args=(str(root), argv), name="preview-quick-step")
        self.process.start()
        self.process.join()
        code, self.process = self.process.exitcode, None
        return code == 0

    def close(self) -> None:
        """Stop the fork server and its resource tracker, and wait for them (the preview leaves no process behind)."""
        from multiprocessing import forkserver, resource_tracker

        for helper in (getattr(forkserver, "_forkserver", None), getattr(resource_tracker, "_resource_tracker", None)):
            stop = getattr(helper, "_stop", None)  # multiprocessing's own shutdown of its helper process
            if stop is not None:
                stop()
