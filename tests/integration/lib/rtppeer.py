#!/usr/bin/env python3
"""tests/integration/lib/rtppeer.py -- SIP caller + marked RTP, and analysis.

call:    rtppeer.py call TARGET_HOST:PORT USER SECONDS OUTDIR [relay opts]
  Calls sip:USER@TARGET straight (no proxy) from 127.0.0.1, waits up to
  30 s for the answer (the test takes the line off-hook), then sends
  PCMU, 20 ms a packet, paced by CLOCK_MONOTONIC, through an impair.Relay
  (jitter, loss, duplication, reordering) to the answered RTP address.
  The audio is silence with a 1 kHz burst starting at every 4000th
  timestamp (twice a second). Writes OUTDIR/relay.log and OUTDIR/send.log
  ("<seq> <ts>" of the first packet, and the burst timestamps), then BYE.
analyze: rtppeer.py analyze OUTDIR PLAYBACK.raw PLAYBACK.log SKEW_PPM
  (LAT_DUMP=1: each burst's delay on stderr)
  Finds each burst's onset in the vslic recording, converts it to
  CLOCK_MONOTONIC with the vslic log, and prints the delay of each burst
  against the nominal arrival (the relay's forward time of packet 0,
  the earliest that its first ten unimpaired packets imply, plus the RTP
  timestamp difference). Bursts whose packets the relay
  dropped are skipped. Prints "delay_ms min max mean n"; writes each
  burst's play time (CLOCK_MONOTONIC ns) and delay to OUTDIR/bursts.
dtmf:    rtppeer.py dtmf TARGET_HOST:PORT USER OUTDIR DIGITS
  Calls like `call`, then sends each digit as RFC 4733 events (PT 101)
  between silent PCMU packets, one a second: full events and, every
  other one, events of which only the end packets arrive; each followed
  by a late duplicate of its start.
stdlib only.
"""

import math
import os
import random
import re
import socket
import struct
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import impair  # noqa: E402

PT = 0
FRAME = 160
BURST_EVERY = 4000
BURST_LEN = 80


def ulaw(x):
    sign = 0x80 if x >= 0 else 0
    mag = (x if x >= 0 else ~x) >> 2
    mag = min(mag + 33, 0x1FFF)
    seg = mag.bit_length() - 6
    code = (seg << 4) | ((mag >> (seg + 1)) & 0x0F)
    return (code ^ 0x7F) | sign


def frame_payload(ts):
    out = bytearray()
    for i in range(FRAME):
        t = ts + i
        off = t % BURST_EVERY
        if off < BURST_LEN:
            x = int(12000 * math.sin(2 * math.pi * 1000 * off / 8000.0))
        else:
            x = 0
        out.append(ulaw(x))
    return bytes(out)


def sip_call(target, user, sock, rtp_port):
    host, port = target
    lport = sock.getsockname()[1]
    callid = "%x@127.0.0.1" % random.getrandbits(64)
    tag = "%x" % random.getrandbits(32)
    branch = "z9hG4bK%x" % random.getrandbits(48)
    sdp = ("v=0\r\no=peer 1 1 IN IP4 127.0.0.1\r\ns=-\r\n"
           "c=IN IP4 127.0.0.1\r\nt=0 0\r\n"
           "m=audio %d RTP/AVP 0\r\na=rtpmap:0 PCMU/8000\r\n"
           "a=ptime:20\r\na=sendrecv\r\n" % rtp_port)
    ruri = "sip:%s@%s:%d" % (user, host, port)
    hdr = ("Via: SIP/2.0/UDP 127.0.0.1:%d;branch=%s;rport\r\n"
           "From: <sip:peer@127.0.0.1:%d>;tag=%s\r\n"
           "To: <%s>\r\nCall-ID: %s\r\n"
           % (lport, branch, lport, tag, ruri, callid))
    inv = ("INVITE %s SIP/2.0\r\n%sCSeq: 1 INVITE\r\n"
           "Contact: <sip:peer@127.0.0.1:%d>\r\nMax-Forwards: 70\r\n"
           "Content-Type: application/sdp\r\nContent-Length: %d\r\n\r\n%s"
           % (ruri, hdr, lport, len(sdp), sdp))
    sock.sendto(inv.encode(), target)
    deadline = time.monotonic() + 30
    sock.settimeout(1.0)
    while time.monotonic() < deadline:
        try:
            data, _ = sock.recvfrom(65535)
        except socket.timeout:
            continue
        msg = data.decode(errors="replace")
        m = re.match(r"SIP/2.0 (\d+)", msg)
        if not m:
            continue
        code = int(m.group(1))
        if code < 200:
            continue
        if code >= 300:
            raise SystemExit("rtppeer: call failed: %d" % code)
        to = re.search(r"^To:(.*)$", msg, re.M | re.I).group(1).strip()
        ack = ("ACK %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;"
               "branch=z9hG4bK%x;rport\r\nFrom: <sip:peer@127.0.0.1:%d>"
               ";tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 1 ACK\r\n"
               "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
               % (ruri, lport, random.getrandbits(48), lport, tag, to,
                  callid))
        sock.sendto(ack.encode(), target)
        c = re.search(r"c=IN IP4 (\S+)", msg).group(1)
        p = int(re.search(r"m=audio (\d+)", msg).group(1))
        bye = ("BYE %s SIP/2.0\r\nVia: SIP/2.0/UDP 127.0.0.1:%d;"
               "branch=z9hG4bK%x;rport\r\nFrom: <sip:peer@127.0.0.1:%d>"
               ";tag=%s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: 2 BYE\r\n"
               "Max-Forwards: 70\r\nContent-Length: 0\r\n\r\n"
               % (ruri, lport, random.getrandbits(48), lport, tag, to,
                  callid))
        return (c, p), bye
    raise SystemExit("rtppeer: no answer")


def call(argv):
    target = impair.hostport(argv[0])
    user, secs, outdir = argv[1], float(argv[2]), argv[3]
    opts = dict(jitter_ms=float(argv[4]), loss=float(argv[5]),
                dup=float(argv[6]), reorder=float(argv[7]))
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.bind(("127.0.0.1", 0))
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind(("127.0.0.1", 0))
    media, bye = sip_call(target, user, sip, rtp.getsockname()[1])
    relay = impair.Relay(("127.0.0.1", 0), media, base_ms=2.0,
                         log=os.path.join(outdir, "relay.log"), **opts)
    relay.start()
    ssrc = random.getrandbits(32)
    seq0 = random.getrandbits(15)
    ts0 = random.getrandbits(31) // BURST_EVERY * BURST_EVERY
    n = int(secs * 50)
    with open(os.path.join(outdir, "send.log"), "w") as f:
        f.write("first %d %d\n" % (seq0, ts0))
    start = time.monotonic()
    for i in range(n):
        due = start + i * 0.020
        d = due - time.monotonic()
        if d > 0:
            time.sleep(d)
        ts = ts0 + i * FRAME
        hdr = struct.pack("!BBHII", 0x80, (0x80 if i == 0 else 0) | PT,
                          (seq0 + i) & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
        rtp.sendto(hdr + frame_payload(ts - ts0), relay.addr)
    time.sleep(0.3)
    relay.stop.set()
    sip.sendto(bye.encode(), target)
    time.sleep(0.2)
    c = relay.count
    print("relay in=%d lost=%d dup=%d reorder=%d"
          % (c["in"], c["lost"], c["dup"], c["reorder"]))


def telev_payload(event, end, duration):
    return struct.pack("!BBH", event, (0x80 if end else 0) | 10, duration)


def dtmf(argv):
    """Call, then send RFC 4733 digits (PT 101) between PCMU packets.

    Digit k's event starts at the audio timestamp of that moment and is
    sent as 3 packets (marker on the first, duration growing) and 3 end
    packets, RFC 4733 2.5.1.4; then one start packet again, late (a
    duplicate). Every other digit is "short": its 3 start packets are
    lost and only the end packets arrive. One SSRC and one sequence
    space for audio and events, as a real sender. Prints the count.
    """
    target = impair.hostport(argv[0])
    user, outdir, digits = argv[1], argv[2], argv[3]
    codes = {str(d): d for d in range(10)}
    codes.update({"*": 10, "#": 11})
    sip = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sip.bind(("127.0.0.1", 0))
    rtp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    rtp.bind(("127.0.0.1", 0))
    media, bye = sip_call(target, user, sip, rtp.getsockname()[1])
    ssrc = random.getrandbits(32)
    seq = random.getrandbits(15)
    ts0 = random.getrandbits(31)
    start = time.monotonic()
    sent = 0

    def send(pt, marker, ts, payload):
        nonlocal seq
        hdr = struct.pack("!BBHII", 0x80, (0x80 if marker else 0) | pt,
                          seq & 0xFFFF, ts & 0xFFFFFFFF, ssrc)
        rtp.sendto(hdr + payload, media)
        seq += 1

    silence = bytes([0xFF]) * FRAME
    n = 50 * (2 + len(digits))
    for i in range(n):
        due = start + i * 0.020
        d = due - time.monotonic()
        if d > 0:
            time.sleep(d)
        ts = ts0 + i * FRAME
        send(PT, i == 0, ts, silence)
        k = i // 50 - 1
        if 0 <= k < len(digits) and i % 50 == 0:
            ev, short = codes[digits[k]], k % 2 == 1
            for j in range(3):
                if not short:
                    send(101, j == 0, ts, telev_payload(ev, False,
                                                         (j + 1) * FRAME))
            for j in range(3):
                send(101, False, ts, telev_payload(ev, True, 4 * FRAME))
            send(101, True, ts, telev_payload(ev, False, FRAME))
            sent += 1
    # the call stays up a while: the test reads the counters
    time.sleep(2.0)
    sip.sendto(bye.encode(), target)
    time.sleep(0.2)
    print("digits sent=%d" % sent)


def analyze(argv):
    outdir, raw, plog, skew = argv[0], argv[1], argv[2], float(argv[3])
    seq0 = int(open(os.path.join(outdir, "send.log")).read().split()[1])
    lost = set()
    a0 = None
    for line in open(os.path.join(outdir, "relay.log")):
        ns, seq, act = line.split()
        k = (int(seq) - seq0) & 0xFFFF
        if act == "lost":
            lost.add(k)
        elif act == "fwd" and k < 10:
            # the first ten go out unimpaired: each says when packet 0
            # would have; a relay thread that ran late after a send
            # only makes one later, so the earliest is the nominal
            t0 = int(ns) - k * FRAME * 125000
            a0 = t0 if a0 is None else min(a0, t0)
    periods = []
    xruns = 0
    for line in open(plog):
        if line.startswith("#"):
            xruns += "xrun" in line
            continue
        li, ns = line.split()
        periods.append((int(li), int(ns)))
    data = open(raw, "rb").read()
    pcm = struct.unpack("<%dh" % (len(data) // 2), data)
    rate = 8000.0 * (1 + skew * 1e-6)
    delays = []
    bursts = []
    quiet = 0
    k = 0
    for i, x in enumerate(pcm):
        if abs(x) < 300:
            quiet += 1
            continue
        if quiet >= 400 and abs(x) > 1500:
            # burst k: which one? nearest by nominal play time
            while k < len(periods) - 1 and periods[k + 1][0] <= i:
                k += 1
            li, ns = periods[k]
            t_play = ns + (i - li) / rate * 1e9
            # first sample of a burst is at (0..1 samples into the burst)
            b = round((t_play - a0) / 1e9 * 8000 / BURST_EVERY - 0.1)
            ts_off = None
            for cand in (b - 1, b, b + 1):
                if cand < 1:
                    continue
                nom = a0 + cand * BURST_EVERY / 8000.0 * 1e9
                dl = (t_play - nom) / 1e6
                if 0 <= dl < BURST_EVERY / 8.0:
                    ts_off = cand * BURST_EVERY
                    delay = dl
                    break
            pkt = (ts_off // FRAME) if ts_off is not None else None
            if pkt is not None and pkt not in lost and (pkt - 1) not in lost:
                delays.append(delay)
                bursts.append((int(t_play), delay - 0.125))
                if os.environ.get("LAT_DUMP"):
                    # one line per burst: where the delay moved
                    print("# burst %d at sample %d (%.3f s): %.2f ms" %
                          (pkt, i, (t_play - a0) / 1e9, delay),
                          file=sys.stderr)
        quiet = 0
    if not delays or a0 is None:
        print("delay_ms none xruns=%d" % xruns)
        return 1
    # a 1 kHz sine starts at 0: the onset is the first sample above
    # threshold, about 1/4 cycle (0.125 ms) after the burst's start
    delays = [d - 0.125 for d in delays]
    # each burst: when it played (CLOCK_MONOTONIC ns) and its delay, so
    # a test can tell the moments of a stall from the rest of the call
    with open(os.path.join(outdir, "bursts"), "w") as f:
        for t, d in bursts:
            f.write("%d %.2f\n" % (t, d))
    print("delay_ms %.2f %.2f %.2f %d xruns=%d" %
          (min(delays), max(delays), sum(delays) / len(delays),
           len(delays), xruns))
    return 0


if __name__ == "__main__":
    if len(sys.argv) < 2 or sys.argv[1] not in ("call", "analyze", "dtmf"):
        sys.exit(__doc__)
    if sys.argv[1] == "call":
        call(sys.argv[2:])
    elif sys.argv[1] == "dtmf":
        dtmf(sys.argv[2:])
    else:
        sys.exit(analyze(sys.argv[2:]))
