"""Snakemake's process: the workflow freezes its start-up objects, and its exit handlers cancel the
scheduler's wake-up timers, and only those."""

import threading

from snakemake.scheduling.job_scheduler import JobScheduler

from conftest import Project
from perrypress.workflow import snakemake_process


class _Scheduler:
    """Starts its wake-up timer the way Snakemake's JobScheduler does."""

    def __init__(self) -> None:
        self.woken = threading.Event()

    def _schedule_reevalutation(self, delay: float) -> threading.Timer:
        timer = threading.Timer(delay, lambda: self.woken.set())
        timer.start()
        return timer


def test_snakemake_still_wakes_its_scheduler_with_this_method() -> None:
    """An upgrade of Snakemake that renames the method would leave the timers running: this notices."""
    assert callable(getattr(JobScheduler, snakemake_process.RESCHEDULE))


def test_the_schedulers_timers_are_cancelled() -> None:
    scheduler = _Scheduler()
    timer = scheduler._schedule_reevalutation(30)
    assert snakemake_process.cancel_rescheduling_timers() == 1
    timer.join(timeout=5)
    assert not timer.is_alive()
    assert not scheduler.woken.is_set()


def test_other_timers_are_left_alone() -> None:
    fired = threading.Event()
    timer = threading.Timer(0.2, fired.set)
    timer.start()
    assert snakemake_process.cancel_rescheduling_timers() == 0
    assert fired.wait(timeout=5)


def test_the_workflow_freezes_what_snakemake_loaded(built: Project) -> None:
    """Parsing the workflow moves the objects loaded so far out of the garbage collector's passes."""
    frozen, result = built.snakemake_then("--list-rules", inspect="gc.get_freeze_count()")
    assert int(frozen) > 100_000, result.stdout + result.stderr
