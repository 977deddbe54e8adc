"""The workflow's exit handlers cancel the scheduler's wake-up timers, and only those."""

import threading

from snakemake.scheduling.job_scheduler import JobScheduler

from perrypress import snakemake_exit


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
    assert callable(getattr(JobScheduler, snakemake_exit.RESCHEDULE))


def test_the_schedulers_timers_are_cancelled() -> None:
    scheduler = _Scheduler()
    timer = scheduler._schedule_reevalutation(30)
    assert snakemake_exit.cancel_rescheduling_timers() == 1
    timer.join(timeout=5)
    assert not timer.is_alive()
    assert not scheduler.woken.is_set()


def test_other_timers_are_left_alone() -> None:
    fired = threading.Event()
    timer = threading.Timer(0.2, fired.set)
    timer.start()
    assert snakemake_exit.cancel_rescheduling_timers() == 0
    assert fired.wait(timeout=5)
