#!/usr/bin/env python3
"""tests/integration/lib/impair.py -- a userspace UDP impairment relay.

The kernel's netem is not available here, so this stands between an RTP
sender and ataua: every datagram received on LISTEN is forwarded to TO
after a random extra delay (uniform 0..JITTER ms on top of BASE ms), or
dropped (LOSS), or sent twice (DUP), or held back behind the next one
(REORDER). Random choices come from a seeded generator, so a run can be
repeated. Each forwarded datagram is logged as
    <monotonic_ns> <bytes 2-3 as RTP seq> <action>
so a test can measure against the moment packets really left the relay.

Usable as a module (Relay, run in a thread by the peer) or standalone:
    impair.py LISTEN_HOST:PORT TO_HOST:PORT [--jitter MS] [--base MS]
              [--loss P] [--dup P] [--reorder P] [--seed N] [--log FILE]
stdlib only.
"""

import argparse
import heapq
import random
import select
import socket
import struct
import threading
import time


def hostport(s):
    host, port = s.rsplit(":", 1)
    return host, int(port)


class Relay:
    def __init__(self, listen, to, jitter_ms=0.0, base_ms=0.0, loss=0.0,
                 dup=0.0, reorder=0.0, seed=1, log=None, spare_first=10):
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind(listen)
        self.addr = self.sock.getsockname()
        self.to = to
        self.jitter = jitter_ms / 1000.0
        self.base = base_ms / 1000.0
        self.loss, self.dup, self.reorder = loss, dup, reorder
        self.rng = random.Random(seed)
        self.log = open(log, "w") if log else None
        self.spare_first = spare_first  # untouched: the anchor is clean
        self.count = {"in": 0, "lost": 0, "dup": 0, "reorder": 0}
        self.stop = threading.Event()
        self.heap = []
        self.seq = 0
        self.held = None

    def schedule(self, t, data, action):
        self.seq += 1
        heapq.heappush(self.heap, (t, self.seq, data, action))

    def receive(self, data):
        now = time.monotonic()
        self.count["in"] += 1
        if self.count["in"] <= self.spare_first:
            self.schedule(now + self.base, data, "fwd")
            return
        if self.rng.random() < self.loss:
            self.count["lost"] += 1
            self.note(time.monotonic_ns(), data, "lost")
            return
        t = now + self.base + self.rng.random() * self.jitter
        if self.held is not None:
            # the held one goes out just after this one
            self.schedule(t, data, "fwd")
            self.schedule(t + 0.0001, self.held, "reordered")
            self.held = None
            return
        if self.rng.random() < self.reorder:
            self.count["reorder"] += 1
            self.held = data
            return
        self.schedule(t, data, "fwd")
        if self.rng.random() < self.dup:
            self.count["dup"] += 1
            self.schedule(t + 0.001, data, "dup")

    def note(self, ns, data, action):
        if self.log and len(data) >= 4:
            seq = struct.unpack("!H", data[2:4])[0]
            self.log.write("%d %d %s\n" % (ns, seq, action))

    def run(self):
        while not self.stop.is_set():
            timeout = 0.05
            if self.heap:
                timeout = max(0.0, self.heap[0][0] - time.monotonic())
            r, _, _ = select.select([self.sock], [], [], timeout)
            if r:
                data, _ = self.sock.recvfrom(2048)
                self.receive(data)
            now = time.monotonic()
            while self.heap and self.heap[0][0] <= now:
                _, _, data, action = heapq.heappop(self.heap)
                self.sock.sendto(data, self.to)
                self.note(time.monotonic_ns(), data, action)
        if self.log:
            self.log.close()

    def start(self):
        th = threading.Thread(target=self.run, daemon=True)
        th.start()
        return th


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("listen", type=hostport)
    ap.add_argument("to", type=hostport)
    ap.add_argument("--jitter", type=float, default=0.0)
    ap.add_argument("--base", type=float, default=0.0)
    ap.add_argument("--loss", type=float, default=0.0)
    ap.add_argument("--dup", type=float, default=0.0)
    ap.add_argument("--reorder", type=float, default=0.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--log")
    a = ap.parse_args()
    r = Relay(a.listen, a.to, a.jitter, a.base, a.loss, a.dup, a.reorder,
              a.seed, a.log)
    try:
        r.run()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
