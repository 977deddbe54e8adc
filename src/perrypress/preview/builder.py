"""The preview's builds: ``perrypress build`` in its own process group, stoppable with everything it started."""

from __future__ import annotations

import hashlib
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from .server import Status

log = logging.getLogger(__name__)

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

    def _served_digest(self) -> str | None:
        """A digest of the served edition, to tell whether a build changed it."""
        return hashlib.sha256(self.served.read_bytes()).hexdigest() if self.served.is_file() else None

    def run(self, reason: str) -> None:
        """Run ``perrypress build`` and tell the open pages what came of it."""
        log.info("Building (%s)…", reason)
        # The build is the `perrypress build` command itself (what it prints, how it reports errors),
        # in its own process group, so that stopping the preview stops it and every job it started.
        self._process = subprocess.Popen(
            [sys.executable, "-m", "perrypress.cli", "--root", str(self.root), "build"], cwd=self.root,
            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
        lines: list[str] = []
        for line in self._process.stdout:  # passed on as it comes: the build's own progress and errors
            lines.append(line.rstrip("\n"))
            log.info("%s", lines[-1])
        failed, self._process = self._process.wait() != 0, None
        if failed:
            log.error("Still serving the last good edition; the page shows the errors.")
            self.status.update(changed=False, error=failure_message(lines))
            return
        digest = self._served_digest()
        changed, self._digest = digest != self._digest, digest
        if changed:
            log.info("Reloading the open page.")
        self.status.update(changed=changed, error=None)

    def stop(self) -> None:
        """Stop a running build and every process it started (SIGTERM, then SIGKILL after a grace period).

        SIGTERM, not SIGINT: Snakemake then stops its jobs and releases its lock on the folder.
        """
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
