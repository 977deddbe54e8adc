"""A stand-in for a batch scheduler (Slurm's sbatch, a status query, scancel), written into a folder by the tests.

``sbatch [options] JOBSCRIPT`` starts the job script in the background in its own process group,
records the options it was given, and prints a job id (as ``sbatch --parsable`` does); ``job-status ID``
answers ``running``, ``success`` or ``failed``; ``sacct -j ID ...`` prints the job's Slurm state (what
profiles/slurm/slurm-status.sh reads); ``scancel ID...`` stops the jobs. The job runs where it
was submitted from, like a Slurm job on a shared file system. Nothing is installed: the scripts are put
first on ``PATH`` of the build under test.
"""

from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

SBATCH = """#!/bin/sh
# Stand-in for sbatch --parsable: run the job script in the background, print its id.
state={state}
for last; do :; done
id=$(date +%s%N)
mkdir -p "$state/$id"
printf '%s\\n' "$@" > "$state/$id/options"
setsid sh -c '"$1" > "$2/out" 2>&1; echo $? > "$2/rc"' stand-in "$last" "$state/$id" < /dev/null > /dev/null 2>&1 &
echo $! > "$state/$id/pid"
echo "$id"
"""

STATUS = """#!/bin/sh
# Stand-in for a scheduler's status query: running, success or failed.
state={state}
if [ ! -d "$state/$1" ]; then echo failed; exit 0; fi
if [ ! -f "$state/$1/rc" ]; then echo running; exit 0; fi
if [ "$(cat "$state/$1/rc")" = 0 ]; then echo success; else echo failed; fi
"""

SACCT = """#!/bin/sh
# Stand-in for `sacct -j ID --format=State --noheader --parsable2`: the job's Slurm state.
state={state}
while [ $# -gt 0 ]; do case "$1" in -j) id=$2; shift 2 ;; *) shift ;; esac; done
[ -d "$state/$id" ] || exit 0
if [ ! -f "$state/$id/rc" ]; then echo RUNNING
elif [ "$(cat "$state/$id/rc")" = 0 ]; then echo COMPLETED
elif [ "$(cat "$state/$id/rc")" = 143 ]; then echo CANCELLED
else echo FAILED; fi
"""

CANCEL = """#!/bin/sh
# Stand-in for scancel: stop each job's process group.
state={state}
for id; do
  pid=$(cat "$state/$id/pid" 2>/dev/null) && kill -TERM -- "-$pid" 2>/dev/null
  echo 143 > "$state/$id/rc"
done
exit 0
"""


def write_scheduler(folder: Path) -> Path:
    """Write ``sbatch``, ``job-status``, ``sacct`` and ``scancel`` into ``folder/bin``; return that folder (for PATH)."""
    bin_dir, state = folder / "bin", folder / "jobs"
    bin_dir.mkdir(parents=True, exist_ok=True)
    state.mkdir(parents=True, exist_ok=True)
    for name, text in (("sbatch", SBATCH), ("job-status", STATUS), ("sacct", SACCT), ("scancel", CANCEL)):
        path = bin_dir / name
        path.write_text(text.format(state=state), encoding="utf-8")
        path.chmod(path.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    return bin_dir


def submitted(folder: Path) -> list[list[str]]:
    """The options of every job submitted so far, in order."""
    return [(job / "options").read_text(encoding="utf-8").split("\n")[:-1]
            for job in sorted((folder / "jobs").iterdir()) if (job / "options").exists()]


def scheduler_env(folder: Path, base: dict[str, str] | None = None) -> dict[str, str]:
    """``base`` (default: this process's environment) with the stand-in and this Python's scripts first on PATH."""
    env = dict(os.environ if base is None else base)
    env["PATH"] = os.pathsep.join([str(folder / "bin"), str(Path(sys.executable).parent), env.get("PATH", "")])
    return env
