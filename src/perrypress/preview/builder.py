"""The preview's builds: ``perrypress build`` in its own process group, stoppable with everything it started."""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from .quick import QuickSteps, quick_command
from .server import Status

log = logging.getLogger(__name__)

# What Builder._build returns when a newer save stopped it.
INTERRUPTED = ["(stopped for a newer save)"]
# After Ctrl-C, how long a running build may take to stop before its process group is killed.
STOP_GRACE_SECONDS = 10.0


class Builder:
    """Runs the project's builds one at a time and tells ``status`` whether the served edition changed."""

    def __init__(self, root: Path, *, served: Path, status: Status) -> None:
        self.root = root
        self.served = served
        self.status = status
        self._digest = self._served_digest()
        self._process: subprocess.Popen[str] | None = None
        # Whether the last build succeeded: only then may a save be served by its edition's step alone.
        self._last_ok = False
        self.quick = QuickSteps()

    def _served_digest(self) -> str | None:
        """A digest of the served edition, to tell whether a build changed it."""
        return hashlib.sha256(self.served.read_bytes()).hexdigest() if self.served.is_file() else None

    def run(self, reason: str, changed: list[Path] | None = None,
            interrupted: Callable[[], bool] | None = None) -> None:
        """Build the served edition first and reload the open pages, then the other editions.

        The page a person is looking at is the one they wait for: its edition is built first and
        the page reloads as soon as it is done; the full build follows, and only reruns what the
        first left undone. When only files the editions alone read changed (a section), the
        edition's own step runs at once, without Snakemake (quick.py); otherwise the workflow
        builds the served edition (``perrypress build _build/<name>.html``). A newer save
        (``interrupted``) stops the build of the other editions: the editor never waits for them.
        """
        log.info("Building (%s)…", reason)
        started = time.monotonic()
        command = quick_command(self.root, self.served, changed) if changed and self._last_ok else None
        if command is None or not self.quick.run(self.root, command):
            first = self._build([os.path.relpath(self.served, self.root)])
            if first is not None:
                self._report(first)
                return
        self._reload(started)
        others = self._build([], interrupted=interrupted)
        if others is INTERRUPTED:
            log.info("Stopped building the other editions: a newer save comes first.")
            return
        self._report(others)

    def _build(self, targets: list[str], interrupted: Callable[[], bool] | None = None) -> list[str] | None:
        """Run ``perrypress build`` (on ``targets``, else every edition); return its output if it failed.

        ``interrupted`` is asked while the build runs: when it answers yes (a newer save waits), the
        build is stopped, as Ctrl-C stops it, and INTERRUPTED is returned. Stopping loses nothing:
        every edition is replaced whole or not at all, and the next build reruns what was cut short.
        """
        # The build is the `perrypress build` command itself (what it prints, how it reports errors),
        # in its own process group, so that stopping the preview stops it and every job it started.
        process = self._process = subprocess.Popen(
            [sys.executable, "-m", "perrypress.cli", "--root", str(self.root), "build", *targets], cwd=self.root,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        lines: list[str] = []

        def pass_on() -> None:  # the build's own progress and errors, as they come
            for line in process.stdout:
                lines.append(line.rstrip("\n"))
                log.info("%s", lines[-1])

        reader = threading.Thread(target=pass_on, name="preview-build-output", daemon=True)
        reader.start()
        while process.poll() is None:
            if interrupted is not None and interrupted():
                self.stop()
                reader.join()
                self._process = None
                return INTERRUPTED
            time.sleep(0.05)
        reader.join()
        failed, self._process = process.wait() != 0, None
        return lines if failed else None

    def _reload(self, started: float | None = None) -> None:
        """Tell the open pages to reload if the served edition changed (an error shown stays until the end)."""
        digest = self._served_digest()
        changed, self._digest = digest != self._digest, digest
        if changed:
            took = f" ({time.monotonic() - started:.1f} s after the save)" if started is not None else ""
            log.info("Reloading the open page%s.", took)
            self.status.update(changed=True, error=self.status.error)

    def _report(self, failure: list[str] | None) -> None:
        """Tell the open pages how the build ended: the errors over the last good page, or none."""
        self._last_ok = failure is None
        if failure is not None:
            log.error("Still serving the last good edition; the page shows the errors.")
            self.status.update(changed=False, error=failure_message(failure))
            return
        self._reload()
        self.status.update(changed=False, error=None)

    def stop(self) -> None:
        """Stop a running build and every process it started (SIGTERM, then SIGKILL after a grace period).

        SIGTERM, not SIGINT: Snakemake then stops its jobs and releases its lock on the folder.
        """
        quick = self.quick.process
        if quick is not None and quick.pid is not None:
            for sig in (signal.SIGTERM, signal.SIGKILL):
                try:
                    os.killpg(quick.pid, sig)
                except ProcessLookupError:
                    break
                quick.join(STOP_GRACE_SECONDS)
                if quick.exitcode is not None:
                    break
        process = self._process
        if process is None or process.poll() is not None:
            return
        for sig in (signal.SIGTERM, signal.SIGKILL):
            try:
                os.killpg(process.pid, sig)
                process.wait(STOP_GRACE_SECONDS)
                break
            except ProcessLookupError:
                break
            except subprocess.TimeoutExpired:
                continue
        _wait_group_gone(process.pid, STOP_GRACE_SECONDS)


def failure_message(output: list[str]) -> str:
    """What the overlay shows for a failed build: its ``file:line: what — fix`` errors, else all it printed."""
    errors = [line for line in output if " — " in line and ": warning:" not in line]
    return "\n".join(errors or output).strip() or "the build failed and printed nothing"


def _wait_group_gone(pgid: int, timeout: float) -> None:
    """Wait until no process of group ``pgid`` is left (its jobs may outlive Snakemake briefly)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.05)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
