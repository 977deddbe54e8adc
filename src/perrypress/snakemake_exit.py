"""Let Snakemake's process end when its workflow does.

Snakemake 9's job scheduler, after each round of job selection, starts a
``threading.Timer`` that wakes it again one rate-limiting timespan later
(``--max-jobs-per-timespan``, 100 jobs per 1 s by default; see
``JobScheduler._schedule_reevalutation``). The timer thread is not a daemon, so
the interpreter waits for the last one before it exits: every build, a no-op
or a one-section edit alike, ended with up to a second of idling after its last
job. Once the workflow has finished (its ``onsuccess``/``onerror`` handlers run
after the scheduler has returned) there is nothing left to wake, and the
workflow's handlers cancel those timers.
"""

from __future__ import annotations

import threading

# The name of the scheduler method whose timers wake it again; only those are cancelled.
RESCHEDULE = "_schedule_reevalutation"


def cancel_rescheduling_timers() -> int:
    """Cancel the scheduler's pending wake-up timers; return how many were cancelled."""
    cancelled = 0
    for thread in threading.enumerate():
        function = getattr(thread, "function", None)
        if isinstance(thread, threading.Timer) and RESCHEDULE in getattr(function, "__qualname__", ""):
            thread.cancel()
            cancelled += 1
    return cancelled
