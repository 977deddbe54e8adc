#!/bin/sh
# A Slurm job's state as cluster-generic asks for it: running, success or failed.
# A job sacct does not list yet (just submitted) is running.
state=$(sacct -j "$1" --format=State --noheader --parsable2 2>/dev/null | head -n 1)
case "$state" in
  COMPLETED) echo success ;;
  ""|PENDING|RUNNING|REQUEUED|RESIZING|SUSPENDED|CONFIGURING|COMPLETING) echo running ;;
  *) echo failed ;;
esac
