#!/usr/bin/env python3
"""tests/integration/lib/echopeer.py -- a far end that talks, and listens.

talk:  echopeer.py talk TARGET_HOST:PORT USER SECONDS OUTDIR
  Calls sip:USER@TARGET straight (rtppeer.sip_call), then sends SECONDS
  of speech-like PCMU (20 ms a packet, paced by CLOCK_MONOTONIC) from
  its RTP socket and records what ataua sends back on it. Writes
  OUTDIR/tx.raw (what it sent) and OUTDIR/rx.raw (what came back, in
  sequence order, from the first packet), both raw S16 8 kHz; then BYE.
  The speech: syllables of 150..300 ms, voiced (harmonics of a gliding
  pitch under three formants, with breath noise), unvoiced (noise
  through a high resonance) or pauses, as tests/unit/test_echo_can.c.
level: echopeer.py level RAW FROM_S [TO_S]
  Prints the mean power of RAW from FROM_S (to TO_S) in dB re 1 LSB^2.
stdlib only.
"""

import math
import os
import random
import socket
import struct
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import rtppeer  # noqa: E402

FRAME = 160
SR = 8000


def ulaw_decode(u):
    u = ~u & 0xFF
    t = ((u & 0x0F) << 3) + 0x84
    t <<= (u & 0x70) >> 4
    return (0x84 - t) if u & 0x80 else (t - 0x84)


ULAW = [ulaw_decode(i) for i in range(256)]


def speech(n, seed=7, fbase=120.0, peak=12000.0):
    rnd = random.Random(seed)
    out = []
    phase = [0.0] * 40
    y1 = [0.0, 0.0]
    y2 = [0.0, 0.0]
    syl_end, kind, env, target = 0, 0.0, 0.0, 0.0
    f1, f2, fn = 500.0, 1500.0, 3000.0

    def reson(k, x, f, bw):
        r = math.exp(-math.pi * bw / SR)
        y = ((1 - r) * x + 2 * r * math.cos(2 * math.pi * f / SR) * y1[k]
             - r * r * y2[k])
        y2[k] = y1[k]
        y1[k] = y
        return y

    def formant(f):
        g = 0.0
        for fc, bw in ((f1, 90.0), (f2, 120.0), (2500.0, 200.0)):
            g += 1.0 / (1.0 + ((f - fc) / bw) ** 2)
        return g

    for i in range(n):
        w = rnd.random() - 0.5
        if i >= syl_end:
            syl_end = i + 1200 + int(rnd.random() * 1200)
            kind = rnd.random()
            target = 0.0 if kind < 0.15 else 1.0
            f1 = 300 + rnd.random() * 500
            f2 = 900 + rnd.random() * 1400
            fn = 2500 + rnd.random() * 1000
        env += (target - env) * 0.004
        f0 = fbase * (1 + 0.35 * math.sin(2 * math.pi * 0.7 * i / SR + seed))
        if kind < 0.4:
            s = 12 * reson(0, w, fn, 600)
        else:
            s = 0.0
            h = 1
            while h < 40 and h * f0 < 3800:
                phase[h] += 2 * math.pi * h * f0 / SR
                s += formant(h * f0) * math.sin(phase[h]) / math.sqrt(h)
                h += 1
            s += 2 * reson(1, w, f1, 150)
        out.append(env * s)
    m = max(abs(x) for x in out) or 1.0
    return [int(x * peak / m) for x in out]


def talk(argv):
    target = rtppeer.impair.hostport(argv[0])
    user, secs, outdir = argv[1], float(argv[2]), argv[3]
    n = int(secs * 50)
    pcm = speech(n * FRAME)
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.bind(("127.0.0.1", 0))
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind(("127.0.0.1", 0))
    media, bye = rtppeer.sip_call(target, user, sip, rtp.getsockname()[1])
    rx = {}
    stop = threading.Event()

    def receive():
        rtp.settimeout(0.2)
        while not stop.is_set():
            try:
                data, _ = rtp.recvfrom(2048)
            except socket.timeout:
                continue
            if len(data) < 12 or data[1] & 0x7F != 0:
                continue
            cc = data[0] & 0x0F
            seq = struct.unpack("!H", data[2:4])[0]
            rx.setdefault(seq, data[12 + 4 * cc:])

    thr = threading.Thread(target=receive, daemon=True)
    thr.start()
    ssrc = random.getrandbits(32)
    seq0 = random.getrandbits(15)
    ts0 = random.getrandbits(31)
    start = time.monotonic()
    for i in range(n):
        due = start + i * 0.020
        d = due - time.monotonic()
        if d > 0:
            time.sleep(d)
        frame = pcm[i * FRAME:(i + 1) * FRAME]
        hdr = struct.pack("!BBHII", 0x80, (0x80 if i == 0 else 0),
                          (seq0 + i) & 0xFFFF, (ts0 + i * FRAME) & 0xFFFFFFFF,
                          ssrc)
        rtp.sendto(hdr + bytes(rtppeer.ulaw(x) for x in frame), media)
    time.sleep(0.3)
    stop.set()
    thr.join()
    sip.sendto(bye.encode(), target)
    time.sleep(0.2)

    with open(os.path.join(outdir, "tx.raw"), "wb") as f:
        f.write(struct.pack("<%dh" % len(pcm), *pcm))
    # in sequence order from the first packet received (loopback: no
    # reordering; a 16-bit wrap sorts by the distance from it)
    first = next(iter(rx), 0)
    seqs = sorted(rx, key=lambda s: (s - first) & 0xFFFF)
    samples = [ULAW[b] for s in seqs for b in rx[s]]
    with open(os.path.join(outdir, "rx.raw"), "wb") as f:
        f.write(struct.pack("<%dh" % len(samples), *samples))
    print("sent=%d received=%d" % (n, len(seqs)))


def level(argv):
    data = open(argv[0], "rb").read()
    x = struct.unpack("<%dh" % (len(data) // 2), data)
    a = int(float(argv[1]) * SR)
    b = int(float(argv[2]) * SR) if len(argv) > 2 else len(x)
    seg = x[a:b]
    if not seg:
        print("nan")
        return 1
    p = sum(v * v for v in seg) / len(seg)
    print("%.1f" % (10 * math.log10(p + 1e-3)))
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("talk", "level"):
        sys.exit(__doc__)
    if sys.argv[1] == "talk":
        talk(sys.argv[2:])
    else:
        sys.exit(level(sys.argv[2:]))
