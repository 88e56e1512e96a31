#!/usr/bin/env python3
"""tests/bench/stall.py CPU PRIO MS -- take one CPU from everything below
real-time priority PRIO for MS milliseconds.

The bench's stall run (run.sh -m stall) pins ataua's audio thread to CPU
and runs this beside it at a SCHED_FIFO priority above the thread's
(media.rt_priority + 1): the thread cannot run, nor move to the other
CPU, until this ends, as if the box had stalled it (a thread cannot be
SIGSTOPped alone). Prints "stall START_NS END_NS" (CLOCK_MONOTONIC, the
vslic log's clock): the time it really held the CPU. stdlib only.
"""
import os
import sys
import time


def main():
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    cpu, prio, ms = int(sys.argv[1]), int(sys.argv[2]), float(sys.argv[3])
    if not 1 <= prio <= 99 or not 0 < ms <= 1000:
        sys.exit("stall.py: PRIO 1..99, MS 0..1000")
    os.sched_setaffinity(0, {cpu})
    os.sched_setscheduler(0, os.SCHED_FIFO, os.sched_param(prio))
    start = time.monotonic_ns()
    end = start + int(ms * 1e6)
    now = start
    while now < end:
        now = time.monotonic_ns()
    print("stall %d %d" % (start, now))


if __name__ == "__main__":
    main()
