#!/usr/bin/env python3
"""tests/integration/lib/stallprobe.py -- does the machine itself stall?

stallprobe.py OUTFILE SECONDS [MIN_MS]
  Sleeps 1 ms at a time for SECONDS (run it real-time, chrt -f 10, like
  the audio thread it stands beside) and writes every gap longer than
  MIN_MS (default 5) as "<end_monotonic_ns> <gap_ns>". A gap here and an
  underrun in ataua at the same moment mean neither thread could run:
  the machine stalled (hypervisor steal, a long kernel section), which
  no audio buffer of a few periods survives. stdlib only.
"""

import sys
import time


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    out, secs = sys.argv[1], float(sys.argv[2])
    min_ns = float(sys.argv[3] if len(sys.argv) > 3 else 5) * 1e6
    end = time.monotonic_ns() + int(secs * 1e9)
    last = time.monotonic_ns()
    with open(out, "w") as f:
        while last < end:
            time.sleep(0.001)
            t = time.monotonic_ns()
            if t - last > min_ns:
                f.write("%d %d\n" % (t, t - last))
                f.flush()
            last = t


if __name__ == "__main__":
    main()
