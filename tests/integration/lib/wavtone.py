#!/usr/bin/env python3
"""wavtone.py FILE FREQ [MIN_SHARE]: is FREQ the dominant tone of FILE?

Reads a 16-bit PCM WAV (any rate, channels mixed down), measures with a
Goertzel filter how much of the signal's energy lies at FREQ (+-2 %), and
prints `share=0.93 rms=1234`. Exits 0 when the share is at least MIN_SHARE
(default 0.5) and the signal is not silence, else 1. Used to check the
content of audio a peer recorded, not just packet counts.
"""
import math
import struct
import sys
import wave


def samples(path):
    with wave.open(path, "rb") as w:
        ch, width, rate = w.getnchannels(), w.getsampwidth(), w.getframerate()
        raw = w.readframes(w.getnframes())
    if width != 2:
        raise SystemExit("wavtone: only 16-bit PCM is supported")
    vals = struct.unpack("<%dh" % (len(raw) // 2), raw)
    mono = [sum(vals[i:i + ch]) / ch for i in range(0, len(vals), ch)]
    return mono, rate


def goertzel_power(x, rate, freq):
    k = 2.0 * math.cos(2.0 * math.pi * freq / rate)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + k * s1 - s2, s1
    return s1 * s1 + s2 * s2 - k * s1 * s2


def main():
    path, freq = sys.argv[1], float(sys.argv[2])
    need = float(sys.argv[3]) if len(sys.argv) > 3 else 0.5
    x, rate = samples(path)
    # skip the first 200 ms (jitter-buffer start) and use at most 2 s
    x = x[rate // 5: rate // 5 + 2 * rate]
    if len(x) < rate // 10:
        print("share=0 rms=0 (too short: %d samples)" % len(x))
        return 1
    energy = sum(v * v for v in x)
    rms = math.sqrt(energy / len(x))
    # a pure tone's Goertzel power is ~ N^2 A^2 / 4, its energy N A^2 / 2
    best = max(goertzel_power(x, rate, freq * f) for f in (0.99, 1.0, 1.01))
    share = min(1.0, (2.0 * best / len(x)) / energy) if energy else 0.0
    print("share=%.2f rms=%.0f" % (share, rms))
    return 0 if share >= need and rms > 50 else 1


if __name__ == "__main__":
    sys.exit(main())
