#!/usr/bin/env python3
"""tests/integration/lib/dtmfpeer.py -- a SIP callee that logs DTMF.

capture: dtmfpeer.py capture OUT.raw
  Writes the handset's side for test_dtmf_handset.sh: raw S16 mono
  8 kHz, a timeline from the device's first sample: 1.0-5.0 s
  speech-like voiced sound and dial tone (350 + 440 Hz), 6.0 s the keys
  1 0 0 2 (100 ms each, 100 ms apart, -10 dBm0 a tone), 14.0 s the keys
  5 and # (150 ms, 150 ms apart), silence to 40 s (the file loops).
uas: dtmfpeer.py uas PORT OUTDIR SECONDS
  Listens on 127.0.0.1:PORT (UDP), takes any REGISTER (the line's
  registrar, which outgoing calls need), answers one INVITE with PCMU and
  telephone-event, writes OUTDIR/invite.txt (the Request-URI), sends
  silent PCMU back, and logs each RFC 4733 event once (by its RTP
  timestamp) to OUTDIR/events.txt as the key. OUTDIR/inband.txt: the
  number of received 20 ms frames in which a DTMF pair sounds in-band.
  Ends at the BYE (answered) or after SECONDS.
stdlib only.
"""

import math
import os
import re
import select
import socket
import struct
import sys
import time

ROWS = (697, 770, 852, 941)
COLS = (1209, 1336, 1477, 1633)
KEYS = "123A456B789C*0#D"
PEAK0 = 22657.0                      # 0 dBm0 sine peak (core/dsp/tone.h)


def key_pair(key):
    i = KEYS.index(key)
    return ROWS[i // 4], COLS[i % 4]


def capture(path):
    sr = 8000
    out = [0.0] * (40 * sr)
    amp = PEAK0 * 10 ** (-10 / 20.0)
    # speech-like and dial tone: no key must come of them
    ph = 0.0
    for i in range(1 * sr, 3 * sr):
        t = i / sr
        f0 = 170 + 85 * math.sin(2 * math.pi * 0.6 * t)
        fm1 = 650 + 250 * math.sin(2 * math.pi * 1.3 * t)
        fm2 = 1500 + 400 * math.sin(2 * math.pi * 0.9 * t + 1)
        ph += 2 * math.pi * f0 / sr
        v, h = 0.0, 1
        while h * f0 < 3400:
            f = h * f0
            a = (0.1 + math.exp(-((f - fm1) / 120) ** 2) +
                 0.7 * math.exp(-((f - fm2) / 150) ** 2))
            v += a / h * math.sin(h * ph)
            h += 1
        out[i] = 6000 * v
    da = PEAK0 * 10 ** (-13 / 20.0)
    for i in range(3 * sr, 5 * sr):
        t = i / sr
        out[i] = da * (math.sin(2 * math.pi * 350 * t) +
                       math.sin(2 * math.pi * 440 * t))

    def keys(start, seq, ms):
        n = ms * sr // 1000
        pos = int(start * sr)
        for k in seq:
            fr, fc = key_pair(k)
            for j in range(n):
                t = j / sr
                out[pos + j] = amp * (math.sin(2 * math.pi * fr * t) +
                                      math.sin(2 * math.pi * fc * t))
            pos += 2 * n
    keys(6.0, "1002", 100)
    keys(14.0, "5#", 150)
    with open(path, "wb") as f:
        f.write(b"".join(struct.pack("<h", int(max(-32768, min(32767, v))))
                         for v in out))


def ulaw_dec(b):
    b = ~b & 0xFF
    t = ((b & 0x0F) << 3) + 0x84
    t <<= (b & 0x70) >> 4
    return (0x84 - t) if b & 0x80 else (t - 0x84)


ULAW = [ulaw_dec(i) for i in range(256)]


def power(x, f):
    c = 2 * math.cos(2 * math.pi * f / 8000)
    s1 = s2 = 0.0
    for v in x:
        s1, s2 = v + c * s1 - s2, s1
    return 2 * (s1 * s1 + s2 * s2 - c * s1 * s2) / (len(x) ** 2)


def inband(pcm):
    """A DTMF pair above -30 dBm0 a tone in this frame"""
    floor = (PEAK0 ** 2 / 2) * 1e-3
    rp = max(power(pcm, f) for f in ROWS)
    cp = max(power(pcm, f) for f in COLS)
    return rp > floor and cp > floor


def header(msg, name):
    m = re.search(r"^%s:\s*(.*)$" % name, msg, re.M | re.I)
    return m.group(1).strip() if m else ""


def uas(port, outdir, secs):
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.bind(("127.0.0.1", port))
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind(("127.0.0.1", 0))
    rport = rtp.getsockname()[1]
    far = None
    tev_pt = 101
    seen = set()
    keys = []
    frames = 0
    inband_frames = 0
    seq, ts, ssrc = 1, 0, 0x5eed1234
    next_tx = time.monotonic()
    end = time.monotonic() + secs
    answer = None
    done = False
    while not done and time.monotonic() < end:
        r, _, _ = select.select([sip, rtp], [], [], 0.02)
        if sip in r:
            data, src = sip.recvfrom(65535)
            msg = data.decode("utf-8", "replace")
            first = msg.split("\r\n", 1)[0]
            method = first.split(" ", 1)[0]
            if method == "INVITE":
                if answer is None:
                    with open(os.path.join(outdir, "invite.txt"), "w") as f:
                        f.write(first + "\n")
                    c = re.search(r"^c=IN IP4 (\S+)", msg, re.M)
                    m = re.search(r"^m=audio (\d+)", msg, re.M)
                    t = re.search(r"^a=rtpmap:(\d+) telephone-event", msg,
                                  re.M)
                    if c and m:
                        far = (c.group(1), int(m.group(1)))
                    if t:
                        tev_pt = int(t.group(1))
                    sdp = ("v=0\r\no=- 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
                           "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
                           "m=audio %d RTP/AVP 0 %d\r\n"
                           "a=rtpmap:0 PCMU/8000\r\n"
                           "a=rtpmap:%d telephone-event/8000\r\n"
                           "a=fmtp:%d 0-15\r\na=ptime:20\r\n"
                           "a=sendrecv\r\n" % (rport, tev_pt, tev_pt,
                                               tev_pt))
                    to = header(msg, "To")
                    if ";tag=" not in to:
                        to += ";tag=peer1"
                    answer = ("SIP/2.0 200 OK\r\n"
                              "Via: %s\r\nFrom: %s\r\nTo: %s\r\n"
                              "Call-ID: %s\r\nCSeq: %s\r\n"
                              "Contact: <sip:peer@127.0.0.1:%d>\r\n"
                              "Content-Type: application/sdp\r\n"
                              "Content-Length: %d\r\n\r\n%s" %
                              (header(msg, "Via"), header(msg, "From"), to,
                               header(msg, "Call-ID"), header(msg, "CSeq"),
                               port, len(sdp), sdp))
                sip.sendto(answer.encode(), src)
            elif method == "REGISTER":
                ok = ("SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\n"
                      "To: %s;tag=reg1\r\nCall-ID: %s\r\nCSeq: %s\r\n"
                      "Contact: %s;expires=60\r\nExpires: 60\r\n"
                      "Content-Length: 0\r\n\r\n"
                      % (header(msg, "Via"), header(msg, "From"),
                         header(msg, "To"), header(msg, "Call-ID"),
                         header(msg, "CSeq"), header(msg, "Contact")))
                sip.sendto(ok.encode(), src)
            elif method == "BYE":
                ok = ("SIP/2.0 200 OK\r\nVia: %s\r\nFrom: %s\r\nTo: %s\r\n"
                      "Call-ID: %s\r\nCSeq: %s\r\nContent-Length: 0\r\n\r\n"
                      % (header(msg, "Via"), header(msg, "From"),
                         header(msg, "To"), header(msg, "Call-ID"),
                         header(msg, "CSeq")))
                sip.sendto(ok.encode(), src)
                done = True
        if rtp in r:
            data, src = rtp.recvfrom(2048)
            if len(data) >= 12:
                pt = data[1] & 0x7F
                pts = struct.unpack("!I", data[4:8])[0]
                body = data[12 + 4 * (data[0] & 0x0F):]
                if pt == tev_pt and len(body) >= 4 and pts not in seen:
                    seen.add(pts)
                    if body[0] < 16:
                        keys.append("0123456789*#ABCD"[body[0]])
                    with open(os.path.join(outdir, "events.txt"), "w") as f:
                        f.write("".join(keys) + "\n")
                elif pt == 0 and len(body) == 160:
                    frames += 1
                    if inband([ULAW[b] for b in body]):
                        inband_frames += 1
        now = time.monotonic()
        while far and answer and now >= next_tx:
            pkt = struct.pack("!BBHII", 0x80, 0, seq & 0xFFFF, ts, ssrc)
            rtp.sendto(pkt + b"\xff" * 160, far)
            seq += 1
            ts += 160
            next_tx += 0.02
    with open(os.path.join(outdir, "inband.txt"), "w") as f:
        f.write("%d %d\n" % (inband_frames, frames))
    if not os.path.exists(os.path.join(outdir, "events.txt")):
        open(os.path.join(outdir, "events.txt"), "w").write("\n")


if __name__ == "__main__":
    if len(sys.argv) >= 3 and sys.argv[1] == "capture":
        capture(sys.argv[2])
    elif len(sys.argv) >= 5 and sys.argv[1] == "uas":
        uas(int(sys.argv[2]), sys.argv[3], float(sys.argv[4]))
    else:
        sys.stderr.write(__doc__)
        sys.exit(2)
