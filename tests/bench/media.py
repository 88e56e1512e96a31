#!/usr/bin/env python3
"""tests/bench/media.py OUT SECONDS -- the bench's PCMU test stream.

Raw G.711 u-law, 8 kHz: 1 s of digital silence (0xFF), then 1 s of a
440 Hz tone at -10 dBFS peak, repeated. The silence-to-tone edges are
what the analyser times at both ends (RTP arrival, playout). The same
pattern as the baresip recipe's media, so both programs receive the same
kind of stream.
"""
import math
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


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: media.py OUT SECONDS")
    out, secs = sys.argv[1], int(sys.argv[2])
    if secs < 2:
        sys.exit("media.py: SECONDS must be >= 2")
    amp = 32767 * 10 ** (-10 / 20)
    tone = bytes(ulaw_byte(round(amp * math.sin(2 * math.pi * 440 * i
                                                 / RATE)))
                 for i in range(RATE))
    silence = b"\xff" * RATE
    with open(out, "wb") as f:
        for s in range(secs):
            f.write(silence if s % 2 == 0 else tone)


if __name__ == "__main__":
    main()
