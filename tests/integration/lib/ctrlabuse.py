#!/usr/bin/env python3
"""tests/integration/lib/ctrlabuse.py -- control socket abuse clients.

Usage: ctrlabuse.py MODE SOCKET [ARGS] (modes: many, long, garbage,
monitor, halfopen, idle; see each function). Used by test_ctrl_abuse.sh
and test_valgrind.sh. stdlib only.
"""
import os
import random
import socket
import sys
import threading
import time

SOCK = sys.argv[2]


def conn(timeout=10.0):
    """A blocking connect: with a timeout Python connects non-blocking,
    which fails with EAGAIN while the listen backlog is full."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.connect(SOCK)
    s.settimeout(timeout)
    return s


def read_until(s, pred, timeout=10.0):
    """Read until pred(data) or EOF or timeout; returns (data, eof)."""
    data = b""
    end = time.monotonic() + timeout
    while not pred(data):
        left = end - time.monotonic()
        if left <= 0:
            return data, False
        s.settimeout(left)
        try:
            chunk = s.recv(65536)
        except socket.timeout:
            return data, False
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def request(s, line):
    s.sendall(line.encode() + b"\n")
    data, _ = read_until(s, lambda d: d.endswith(b"OK\n") or
                         b"FAIL" in d or d == b"PONG\n")
    return data.decode(errors="replace")


def fail(msg):
    print(msg)
    sys.exit(1)


def many(n, max_clients):
    """n clients connect at once: max_clients are served, the others
    read FAIL too many clients and are closed."""
    n, max_clients = int(n), int(max_clients)
    socks = [None] * n
    results = [None] * n
    go = threading.Barrier(n)

    def client(i):
        try:
            go.wait(30)
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(SOCK)  # blocking: waits while the backlog is full
            socks[i] = s
            data, eof = read_until(s, lambda d: d.endswith(b"\n"), 3.0)
            if data == b"FAIL too many clients\n":
                data, eof = read_until(s, lambda d: False, 3.0)
                results[i] = "refused" if eof and not data else \
                    "refused-not-closed"
            elif not data and not eof:
                results[i] = "held"
            else:
                results[i] = "odd:%r eof=%s" % (data[:60], eof)
        except Exception as e:  # reported, never hidden
            results[i] = "error:%s" % e

    threads = [threading.Thread(target=client, args=(i,))
               for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    held = [i for i in range(n) if results[i] == "held"]
    refused = results.count("refused")
    print("held %d refused %d" % (len(held), refused))
    others = sorted(set(r for r in results if r not in ("held", "refused")))
    for r in others[:10]:
        print("unexpected: %s" % r)
    ok = len(held) == max_clients and refused == n - max_clients
    # the held ones are real clients: each is served
    for i in held:
        r = request(socks[i], "PING")
        if r != "PONG\n":
            print("held client %d: PING gave %r" % (i, r))
            ok = False
    for s in socks:
        if s:
            s.close()
    sys.exit(0 if ok else 1)


def long_line(mbytes):
    """mbytes MB without a newline: one FAIL too long, then the same
    connection works again (or is closed cleanly)."""
    total = int(float(mbytes) * 1024 * 1024)
    s = conn()
    got = []

    def reader():
        data, eof = read_until(s, lambda d: b"PONG\n" in d, 60.0)
        got.append((data, eof))

    t = threading.Thread(target=reader)
    t.start()
    chunk = b"A" * 65536
    sent = 0
    try:
        while sent < total:
            s.sendall(chunk)
            sent += len(chunk)
        s.sendall(b"\nPING\n")
    except (BrokenPipeError, ConnectionResetError) as e:
        t.join(10)
        print("closed after %d bytes (%s), replies %r" %
              (sent, e, got[0][0][:80] if got else None))
        sys.exit(0 if got and got[0][0].startswith(b"FAIL too long") else 1)
    t.join(70)
    data, eof = got[0] if got else (b"", False)
    print("sent %d bytes; replies %r eof=%s" % (sent, data[:120], eof))
    if data == b"FAIL too long\nPONG\n":
        sys.exit(0)
    if eof and data in (b"", b"FAIL too long\n"):
        sys.exit(0)  # closed cleanly
    sys.exit(1)


def garbage(kbytes, seed):
    """Random bytes with NULs and newlines: every reply line is a FAIL;
    then PING on the same connection answers PONG."""
    rnd = random.Random(int(seed))
    blob = bytes(rnd.getrandbits(8) for _ in range(int(kbytes) * 1024))
    blob = blob.replace(b"\x00", b"\x00\x00")  # more NULs
    # no line may start a real verb by chance: prefix every line
    blob = blob.replace(b"\n", b"\n\x00")
    nlines = blob.count(b"\n")
    s = conn()
    got = []

    def reader():
        got.append(read_until(s, lambda d: d.endswith(b"PONG\n"), 30.0))

    t = threading.Thread(target=reader)
    t.start()
    s.sendall(b"\x00" + blob + b"\nPING\n")
    t.join(40)
    data, eof = got[0] if got else (b"", False)
    lines = data.split(b"\n")[:-1]
    fails = [ln for ln in lines if ln.startswith(b"FAIL")]
    print("%d request lines; %d reply lines, %d FAIL, eof=%s, last %r" %
          (nlines + 2, len(lines), len(fails), eof, lines[-1:]))
    bad = [ln for ln in lines[:-1] if not ln.startswith(b"FAIL")]
    for ln in bad[:5]:
        print("not a FAIL: %r" % ln[:80])
    ok = (not bad and lines and lines[-1] == b"PONG" and
          len(fails) == nlines + 1)
    sys.exit(0 if ok else 1)


def slow_monitor(iterations):
    """A monitor ATTACHes at the most verbose level and never reads while
    a request client toggles the hook; the daemon must drop the monitor
    and keep answering the request client."""
    mon = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    mon.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    mon.connect(SOCK)
    mon.sendall(b"LEVEL 7\nATTACH\n")
    req = conn()
    dropped_at = None
    for i in range(int(iterations)):
        for verb in ("offhook", "onhook"):
            r = request(req, "line 1 " + verb)
            if not r.endswith("OK\n"):
                fail("iteration %d: line 1 %s gave %r" % (i, verb, r))
        if i % 200 == 199:
            r = request(req, "status")
            n = [ln for ln in r.split("\n")
                 if ln.startswith("control_clients=")]
            if n == ["control_clients=1"]:
                dropped_at = i + 1
                break
    if dropped_at is None:
        fail("monitor still attached after %s toggles" % iterations)
    # what the monitor got before the drop, then EOF
    mon.settimeout(10)
    total = 0
    while True:
        try:
            chunk = mon.recv(1 << 20)
        except (socket.timeout, ConnectionResetError) as e:
            fail("monitor: no clean EOF after %d bytes (%s)" % (total, e))
        if not chunk:
            break
        total += len(chunk)
    print("monitor dropped after %d toggles, it had %d bytes queued" %
          (dropped_at, total))
    if request(req, "PING") != "PONG\n":
        fail("request client no longer served")
    sys.exit(0)


def half_open():
    """Half-closed and vanishing peers."""
    # 1. request, then shut our write side: the reply still comes, then
    #    the daemon closes
    s = conn()
    s.sendall(b"PING\n")
    s.shutdown(socket.SHUT_WR)
    data, eof = read_until(s, lambda d: False, 5.0)
    if data != b"PONG\n" or not eof:
        fail("PING + SHUT_WR: got %r eof=%s" % (data, eof))
    s.close()
    # 2. a partial line and EOF: no reply, closed
    s = conn()
    s.sendall(b"stat")
    s.shutdown(socket.SHUT_WR)
    data, eof = read_until(s, lambda d: False, 5.0)
    if not eof:
        fail("partial line + SHUT_WR: not closed (%r)" % data)
    s.close()
    # 3. our read side shut, big replies asked for: the daemon's sends
    #    fail (EPIPE, no SIGPIPE) and it drops us
    s = conn()
    s.shutdown(socket.SHUT_RD)
    try:
        for _ in range(2000):
            s.sendall(b"help\nstatus\nmodule list\n")
    except (BrokenPipeError, ConnectionResetError):
        pass
    s.close()
    # 4. ask for a reply and vanish at once (RST on unread data)
    for _ in range(300):
        s = conn()
        s.sendall(b"help\nstatus\n")
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                     b"\x01\x00\x00\x00\x00\x00\x00\x00")
        s.close()
    # 5. connect and close without a byte, many times
    for _ in range(300):
        conn().close()
    s = conn()
    if request(s, "PING") != "PONG\n":
        fail("PING after half-open clients failed")
    print("half-open cases handled")
    sys.exit(0)


def idle_hold(max_clients):
    """max_clients idle clients hold every slot; the next one is
    refused; once they go, the slots are free again."""
    idle = [conn() for _ in range(int(max_clients))]
    for s in idle:  # each is really accepted (the daemon answers it)
        if request(s, "PING") != "PONG\n":
            fail("idle client not served")
    extra = conn()
    data, eof = read_until(extra, lambda d: False, 5.0)
    if data != b"FAIL too many clients\n" or not eof:
        fail("client %d: got %r eof=%s" % (len(idle) + 1, data, eof))
    for s in idle:
        s.close()
    time.sleep(0.2)
    s = conn()
    if request(s, "PING") != "PONG\n":
        fail("slots not freed after the idle clients left")
    print("slots held and freed")
    sys.exit(0)


MODES = {"many": many, "long": long_line, "garbage": garbage,
         "monitor": slow_monitor, "halfopen": half_open,
         "idle": idle_hold}
MODES[sys.argv[1]](*sys.argv[3:])
