#!/usr/bin/env python3
"""tests/integration/lib/faxpeer.py -- a far-end fax answerer, and analysis.

send:    faxpeer.py send TARGET_HOST:PORT USER OUTDIR
  Calls sip:USER@TARGET straight (lib/rtppeer.py's sip_call), waits for
  the answer, then sends PCMU, 20 ms a packet, paced by CLOCK_MONOTONIC,
  one SSRC and timeline: 0.6 s silence, 2.6 s answer tone (2100 Hz,
  -12 dBm0, phase reversed every 450 ms: ANS/), 2.0 s V.21 channel 2
  preamble (HDLC flags 0x7E, LSB first, 300 bit/s, FSK mark 1650 Hz /
  space 1850 Hz, continuous phase, -12 dBm0), 0.6 s silence; in the
  preamble every 25th packet is sent 70 ms late (a jitter spike that
  the 120 ms pass-through delay absorbs and a voice call's 45 ms does
  not); holds the call 2 s, then BYE. Writes OUTDIR/sent.ulaw (every payload byte in
  order) and OUTDIR/sections ("ans START END" and "v21 START END",
  sample indexes into sent.ulaw).
capture: faxpeer.py capture OUT.raw
  The phone side of a calling fax machine for the virtual SLIC's
  capture (looped): CNG, 1100 Hz at -12 dBm0, 0.5 s on, 3 s off.
analyze: faxpeer.py analyze OUTDIR PLAYBACK.raw
  Decodes sent.ulaw as core/dsp/g711.c does (the G.191 formula) and
  finds it in the vslic recording (S16 mono): where the answer tone
  begins, the silence the pass-through switch inserted into it (the
  detection's latency in line time, no wall clock), and whether
  everything from the end of that silence to the end of the preamble
  plays exactly, sample for sample, at one offset (no sample inserted,
  dropped or changed). Prints key=value lines.
stdlib only.
"""

import math
import os
import random
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rtppeer  # noqa: E402

FRAME = 160
SR = 8000
AMP = 22657 * 10 ** (-12 / 20.0)     # -12 dBm0 (a 0 dBm0 sine: 22657)
LATE_S = 0.070
GAP_MS = 120 - 45                    # pass-through less voice delay


def signal():
    """The far end's linear samples and the sections' bounds"""
    out = [0] * int(0.6 * SR)
    a0 = len(out)
    rev = int(0.45 * SR)
    for i in range(int(2.6 * SR)):
        ph = math.pi if (i // rev) % 2 else 0.0
        out.append(int(AMP * math.sin(2 * math.pi * 2100 * i / SR + ph)))
    a1 = len(out)
    v0 = len(out)
    phase = 0.0
    nbits = int(2.0 * 300)
    for i in range(int(2.0 * SR)):
        k = i * 300 // SR
        bit = (0x7E >> (k % 8)) & 1 if k < nbits else 1
        phase += 2 * math.pi * (1650 if bit else 1850) / SR
        out.append(int(AMP * math.sin(phase)))
    v1 = len(out)
    out += [0] * int(0.6 * SR)
    return out, (a0, a1), (v0, v1)


def send(argv):
    target = rtppeer.impair.hostport(argv[0])
    user, outdir = argv[1], argv[2]
    pcm, ans, v21 = signal()
    payload = bytes(rtppeer.ulaw(x) for x in pcm)
    with open(os.path.join(outdir, "sent.ulaw"), "wb") as f:
        f.write(payload)
    with open(os.path.join(outdir, "sections"), "w") as f:
        f.write("ans %d %d\nv21 %d %d\n" % (ans + v21))
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.bind(("127.0.0.1", 0))
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind(("127.0.0.1", 0))
    media, bye = rtppeer.sip_call(target, user, sip, rtp.getsockname()[1])
    ssrc = random.getrandbits(32)
    seq0 = random.getrandbits(15)
    ts0 = random.getrandbits(31)
    # in the preamble every 25th packet comes LATE_S late: in time for
    # the pass-through delay (120 ms), lost to a voice call's 45 ms
    plan = []
    for i in range(len(payload) // FRAME):
        late = v21[0] <= i * FRAME < v21[1] and i % 25 == 7
        plan.append((i * 0.020 + (LATE_S if late else 0), i))
    plan.sort()
    start = time.monotonic()
    for due, i in plan:
        d = start + due - time.monotonic()
        if d > 0:
            time.sleep(d)
        hdr = struct.pack("!BBHII", 0x80, (0x80 if i == 0 else 0),
                          (seq0 + i) & 0xFFFF,
                          (ts0 + i * FRAME) & 0xFFFFFFFF, ssrc)
        rtp.sendto(hdr + payload[i * FRAME:(i + 1) * FRAME], media)
    time.sleep(2.0)
    sip.sendto(bye.encode(), target)
    time.sleep(0.2)
    print("sent packets=%d" % (len(payload) // FRAME))


def capture(argv):
    pcm = [int(AMP * math.sin(2 * math.pi * 1100 * i / SR))
           for i in range(SR // 2)] + [0] * (3 * SR)
    with open(argv[0], "wb") as f:
        f.write(struct.pack("<%dh" % len(pcm), *pcm))


def ulaw_dec(c):
    """core/dsp/g711.c: (0x80 << e) + (8 << e) m + (4 << e) - 132"""
    u = 0xFF ^ c
    e, m = (u >> 4) & 7, u & 0x0F
    mag = (0x80 << e) + (8 << e) * m + (4 << e) - 132
    return mag if c & 0x80 else -mag


def analyze(argv):
    outdir, raw = argv[0], argv[1]
    sent = open(os.path.join(outdir, "sent.ulaw"), "rb").read()
    sec = {}
    for line in open(os.path.join(outdir, "sections")):
        k, a, b = line.split()
        sec[k] = (int(a), int(b))
    ref = [ulaw_dec(c) for c in sent]
    data = open(raw, "rb").read()
    play = struct.unpack("<%dh" % (len(data) // 2), data[:len(data) & ~1])

    # the tone's onset: the first sample louder than a tenth of it
    a0, a1 = sec["ans"]
    onset = next((i for i, x in enumerate(play) if abs(x) > AMP / 10),
                 None)
    if onset is None:
        print("result=no-tone")
        return
    # the inserted silence: a run of zeros as long as the delay added
    # (GAP_MS +- 5 ms); others (a stalled sender or device) are listed
    gap0 = gap1 = None
    run = 0
    gaps = []
    for i in range(onset, min(len(play), onset + (a1 - a0))):
        if play[i] == 0:
            run += 1
            continue
        if run >= 200:
            gaps.append("%d+%d" % ((i - run - onset) // 8, run // 8))
            if gap0 is None and abs(run - GAP_MS * 8) <= 40:
                gap0, gap1 = i - run, i
        run = 0
    print("onset=%d" % onset)
    print("silences_ms=%s" % (",".join(gaps) or "none"))
    if gap0 is not None:
        print("switch_ms=%d gap_ms=%d" % ((gap0 - onset) // 8,
                                          (gap1 - gap0) // 8))

    # after the silence: the sent samples, at one offset, exactly
    v0, v1 = sec["v21"]
    probe = struct.pack("<400h", *ref[v0:v0 + 400])
    at = data.find(probe)
    while at >= 0 and at % 2:
        at = data.find(probe, at + 1)
    if at < 0:
        print("result=v21-not-found")
        return
    off = at // 2 - v0
    # without a switch: the preamble alone
    first = gap1 - off if gap0 is not None else v0
    bad = [i for i in range(first, v1)
           if off + i >= len(play) or play[off + i] != ref[i]]
    print("offset=%d exact_from=%d exact_to=%d mismatches=%d"
          % (off, first, v1, len(bad)))
    if bad:
        print("first_mismatch=%d played=%d sent=%d"
              % (bad[0], play[off + bad[0]] if off + bad[0] < len(play)
                 else 0, ref[bad[0]]))
    print("result=%s" % ("exact" if not bad else "inexact"))


if __name__ == "__main__":
    modes = {"send": send, "capture": capture, "analyze": analyze}
    if len(sys.argv) < 2 or sys.argv[1] not in modes:
        raise SystemExit(__doc__)
    modes[sys.argv[1]](sys.argv[2:])
