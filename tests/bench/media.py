#!/usr/bin/env python3
"""tests/bench/media.py [-s|-b] OUT SECONDS -- the bench's test signals.

-b: the stall run's PCMU stream: 120 ms of digital silence, then 80 ms
of the 440 Hz tone, repeated, so a playout delay is measured every
200 ms (the analyser needs 100 ms of silence before an onset).

-s: what the duplex run's phone says (vslic capture_file): raw S16
8 kHz speech-like sound, voiced syllables (pitch 100-220 Hz, harmonics
shaped by two formants) of 150-350 ms with pauses, about -20 dBm0, from
a fixed seed.

Without -s, the PCMU test stream:

Raw G.711 u-law, 8 kHz: 1 s of digital silence (0xFF), then 1 s of a
440 Hz tone at -10 dBFS peak, repeated. The silence-to-tone edges are
what the analyser times at both ends (RTP arrival, playout). The same
pattern as the baresip recipe's media, so both programs receive the same
kind of stream.
"""
import math
import random
import struct
import sys

RATE = 8000


def ulaw_byte(sample):
    """G.711 u-law encode one 16-bit linear sample (ITU-T G.711 table)."""
    bias, clip = 0x84, 32635
    sign = 0x80 if sample < 0 else 0
    mag = min(abs(sample), clip) + bias
    exp = mag.bit_length() - 8          # segment 0..7
    exp = max(0, min(7, exp))
    mant = (mag >> (exp + 3)) & 0x0F
    return ~(sign | (exp << 4) | mant) & 0xFF


def speech(out, secs):
    """Voiced syllables and pauses, S16 little-endian."""
    rng = random.Random(14)
    pcm = []
    while len(pcm) < secs * RATE:
        n = int(RATE * rng.uniform(0.15, 0.35))
        f0 = rng.uniform(100, 220)
        f1, f2 = rng.uniform(300, 800), rng.uniform(900, 2500)
        harm = [(k, 1 / k / (1 + ((k * f0 - f1) / 150) ** 2) +
                 0.5 / k / (1 + ((k * f0 - f2) / 200) ** 2))
                for k in range(1, int(3400 / f0))]
        norm = 2400 / math.sqrt(sum(a * a for _, a in harm) / 2)
        for i in range(n):
            env = math.sin(math.pi * i / n)
            t = i / RATE
            pcm.append(env * norm * sum(a * math.sin(2 * math.pi * k * f0
                                                     * t)
                                        for k, a in harm))
        pcm.extend([0.0] * int(RATE * rng.uniform(0.05, 0.3)))
    with open(out, "wb") as f:
        f.write(b"".join(struct.pack("<h", max(-32768, min(32767,
                                                            round(v))))
                         for v in pcm[:secs * RATE]))


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "-s":
        speech(sys.argv[2], int(sys.argv[3]))
        return
    burst = len(sys.argv) == 4 and sys.argv[1] == "-b"
    if burst:
        del sys.argv[1]
    if len(sys.argv) != 3:
        sys.exit("usage: media.py [-s|-b] OUT SECONDS")
    out, secs = sys.argv[1], int(sys.argv[2])
    if secs < 2:
        sys.exit("media.py: SECONDS must be >= 2")
    amp = 32767 * 10 ** (-10 / 20)
    tone = bytes(ulaw_byte(round(amp * math.sin(2 * math.pi * 440 * i
                                                 / RATE)))
                 for i in range(RATE))
    silence = b"\xff" * RATE
    with open(out, "wb") as f:
        if burst:
            cycle = silence[:RATE * 120 // 1000] + tone[:RATE * 80 // 1000]
            f.write(cycle * (secs * 5))
            return
        for s in range(secs):
            f.write(silence if s % 2 == 0 else tone)


if __name__ == "__main__":
    main()
