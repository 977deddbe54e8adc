"""Keep Snakemake's own process cheap: what it adds to a build is start-up and exit, not work.

Two costs of Snakemake 9's process that no rule pays for, each measured with
benchmarks/build.py:

- Its start imports about a thousand modules, whose objects live until the
  process ends. Python's cyclic garbage collector traverses them all in every
  full collection while the workflow is parsed and its DAG built, and once more
  at exit. :func:`freeze_startup_objects` moves them out of its reach
  (``gc.freeze()``); objects made afterwards are collected as usual. (No-op
  rebuild 1.05 s → 0.89 s.)
- Its job scheduler, after each round of job selection, starts a
  ``threading.Timer`` that wakes it again one rate-limiting timespan later
  (``--max-jobs-per-timespan``, 100 jobs per 1 s by default; see
  ``JobScheduler._schedule_reevalutation``). The timer thread is not a daemon,
  so the interpreter waited for the last one before exiting: every build ended
  with up to a second of idling after its last job. Once the workflow has
  finished (its ``onsuccess``/``onerror`` handlers run after the scheduler has
  returned) there is nothing left to wake, and :func:`cancel_rescheduling_timers`
  cancels them. (One-section edit 4.06 s → 3.17 s.)
"""

from __future__ import annotations

import gc
import threading

# The name of the scheduler method whose timers wake it again; only those are cancelled.
RESCHEDULE = "_schedule_reevalutation"


def freeze_startup_objects() -> None:
    """Leave every object that exists now out of the garbage collector's later passes (``gc.freeze``)."""
    gc.freeze()


def cancel_rescheduling_timers() -> int:
    """Cancel the scheduler's pending wake-up timers; return how many were cancelled."""
    cancelled = 0
    for thread in threading.enumerate():
        function = getattr(thread, "function", None)
        if isinstance(thread, threading.Timer) and RESCHEDULE in getattr(function, "__qualname__", ""):
            thread.cancel()
            cancelled += 1
    return cancelled
