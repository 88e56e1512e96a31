#!/usr/bin/env python3
"""tests/integration/lib/xrunjudge.py -- is an xrun in a call ataua's fault?

xrunjudge.py VSLIC_LOG STALLS T_CALL ATAUA_LOG STATS EVIDENCE_MS

  VSLIC_LOG  the virtual SLIC's log ("# xrun <line> <monotonic_ns>" lines)
  STALLS     lib/stallprobe.py's gaps ("<end_ns> <gap_ns>"), all probes
  T_CALL     the call's start and end, CLOCK_MONOTONIC ns, one a line
             (one line only: the call has not ended)
  ATAUA_LOG  the daemon's log ("no real-time priority" if it said so)
  STATS      the text of `atactl stats LINE` taken in the call
  EVIDENCE_MS  a probe gap from this length on, ending within 5 ms of
             an xrun, is evidence that the machine, not ataua, stalled

Prints one line: "ok[ note]", "skip <why>" or "fail <why>". Xruns
outside the call are reported, not judged (the line is silent then). An
xrun in the call passes only as a skip, with the evidence, when the
machine could not run the audio thread: a stall the real-time probe
saw too at that moment, or an audio thread the daemon could not make
real-time (plain scheduling on a shared 2-core VM promises nothing
within a period). stdlib only.
"""

import sys


def main():
    if len(sys.argv) != 7:
        sys.exit(__doc__)
    log, stalls, tcall, alog, stats = sys.argv[1:6]
    evidence = float(sys.argv[6]) * 1e6
    xr = [int(l.split()[3]) for l in open(log) if l.startswith("# xrun")]
    st = [tuple(map(int, l.split())) for l in open(stalls) if l.strip()]
    t = [int(l) for l in open(tcall) if l.strip()]
    t0, t1 = t[0], (t[-1] if len(t) > 1 else float("inf"))
    inc = [x for x in xr if t0 <= x <= t1]
    out = ["%+.3f s" % ((x - t0) / 1e9) for x in xr if not t0 <= x <= t1]
    note = ("; %d outside the call (at %s from its start)"
            % (len(out), ", ".join(out))) if out else ""
    sx = [l[6:] for l in stats.splitlines() if l.startswith("xruns=")]
    if not sx or not sx[0].isdigit():
        return print("fail no xruns= in stats%s" % note)
    sx = int(sx[0])
    if not inc and sx == 0:
        return print("ok%s" % note)
    nort = [l.split("audio-alsa: ")[-1].strip() for l in open(alog)
            if "no real-time priority" in l]
    ev = []
    for x in inc:
        hit = [g for e, g in st if g >= evidence and e - g - 5e6 <= x <= e + 5e6]
        near = [(g, x - e) for e, g in st if e - g - 50e6 <= x <= e + 50e6]
        ev.append((x, hit, near))
    what = ", ".join(
        "%.3f s into the call (probe: %s)" % ((x - t0) / 1e9,
            "stalled %.0f ms" % (max(h) / 1e6) if h else
            "longest gap %.1f ms, ending %+.1f ms from it" %
            (max(n)[0] / 1e6, -max(n)[1] / 1e6) if n else
            "no gap >= 5 ms")
        for x, h, n in ev) or "capture only"
    # a stall also overruns capture: at most two counted per playback xrun
    fits = sx <= 2 * max(len(inc), 1)
    if nort:
        print("skip no real-time priority for the audio thread (%s): "
              "%d xrun(s) in the call, stats xruns=%d, at %s%s"
              % (nort[0], len(inc), sx, what, note))
    elif inc and fits and all(h for x, h, n in ev):
        print("skip the machine stalled (the real-time probe saw it too): "
              "%d xrun(s), stats xruns=%d, at %s%s"
              % (len(inc), sx, what, note))
    else:
        print("fail %d xrun(s) in the call, stats xruns=%d, at %s%s"
              % (len(inc), sx, what, note))


if __name__ == "__main__":
    main()
