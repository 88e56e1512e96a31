#!/usr/bin/env python3
"""tests/integration/lib/sipsend.py -- send one SIP message, print replies.

Usage: sipsend.py [-t udp|tcp] [-w SECONDS] [-f] [-b PORT|via]
                  HOST PORT FILE
       sipsend.py -B [options] HOST PORT  < list of FILEs

Sends FILE's bytes unchanged ("-" = stdin) to HOST:PORT in one UDP
datagram or over one TCP connection, then prints the status line of each
SIP message that comes back (e.g. "SIP/2.0 404 Not Found"), one a line,
until a final response (>= 200) arrives or SECONDS (default 1) pass with
nothing new. Only messages with the Call-ID of the one sent count (a
retransmitted reply to an earlier message may arrive). With -f it keeps
printing until the timeout even after a final response (to see
retransmissions or a second reply).

A UAS answers a UDP request at the source address but at the port of the
top Via's sent-by (RFC 3261 18.2.2; default 5060) unless the Via has
rport. -b via binds the sending socket to that port, so the replies of
messages sent byte for byte come back to us; -b PORT binds PORT.

Exit status: 0 if something came back, 1 if nothing did (a silent drop),
2 on a usage or socket error. -B (batch) reads one path a line on stdin
and answers each with one line: the status lines joined by " | ", "-"
if nothing came back, or "ERROR reason". stdlib only.
"""

import argparse
import re
import select
import socket
import sys
import time

VIA_RE = re.compile(rb"^(?:via|v)[ \t]*:[ \t]*SIP[ \t]*/[ \t]*2\.0[ \t]*/"
                    rb"[ \t]*[A-Za-z]+[ \t]+([^;, \t\r\n]+)",
                    re.IGNORECASE | re.MULTILINE)
CALLID_RE = re.compile(rb"^(?:call-id|i)[ \t]*:[ \t]*([^\r\n]*?)[ \t]*\r?$",
                       re.IGNORECASE | re.MULTILINE)
CL_RE = re.compile(rb"^(?:content-length|l)[ \t]*:[ \t]*(\d+)",
                   re.IGNORECASE | re.MULTILINE)


def via_port(data):
    """The port of the first Via's sent-by (5060 if it has none)."""
    head = data.split(b"\r\n\r\n", 1)[0]
    m = VIA_RE.search(head)
    if not m:
        return 5060
    sent_by = m.group(1).decode("ascii", "replace")
    host, sep, port = sent_by.rpartition(":")
    if sep and port.isdigit() and not host.endswith(":"):
        return int(port)
    return 5060


def call_id(msg):
    """The Call-ID of a message's header, or None."""
    head = msg.split(b"\r\n\r\n", 1)[0]
    m = CALLID_RE.search(head)
    return m.group(1) if m else None


def status_line(msg):
    """The first line of a message, printable (bytes are escaped)."""
    line = msg.split(b"\r\n", 1)[0].split(b"\n", 1)[0]
    return line.decode("utf-8", "backslashreplace")


def is_final(line):
    """True for a response with a code >= 200."""
    parts = line.split(" ", 2)
    return (len(parts) >= 2 and parts[0] == "SIP/2.0" and
            parts[1].isdigit() and int(parts[1]) >= 200)


def split_stream(buf):
    """Complete messages at the head of a TCP stream, and the rest."""
    msgs = []
    while True:
        while buf.startswith(b"\r\n"):
            buf = buf[2:]  # keep-alive CRLFs between messages
        end = buf.find(b"\r\n\r\n")
        if end < 0:
            return msgs, buf
        head = buf[:end + 4]
        m = CL_RE.search(head)
        total = end + 4 + (int(m.group(1)) if m else 0)
        if len(buf) < total:
            return msgs, buf
        msgs.append(buf[:total])
        buf = buf[total:]


def wait_readable(sock, deadline):
    left = deadline - time.monotonic()
    if left <= 0:
        return False
    readable, _, _ = select.select([sock], [], [], left)
    return bool(readable)


def exchange(args, data):
    """Send data, return the status lines of the replies to it."""
    family = socket.AF_INET6 if ":" in args.host else socket.AF_INET
    kind = socket.SOCK_DGRAM if args.transport == "udp" \
        else socket.SOCK_STREAM
    got = []
    want = call_id(data)
    with socket.socket(family, kind) as sock:
        if args.bind:
            lport = via_port(data) if args.bind == "via" \
                else int(args.bind)
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind((args.host, lport))
        sock.settimeout(args.wait)
        sock.connect((args.host, args.port))
        sock.settimeout(None)
        sock.sendall(data)
        deadline = time.monotonic() + args.wait
        pending = b""
        while wait_readable(sock, deadline):
            try:
                chunk = sock.recv(65535)
            except ConnectionRefusedError:
                # ICMP port unreachable: nobody listens
                raise OSError("connection refused (nobody listens)")
            if not chunk:
                break  # TCP peer closed
            if kind == socket.SOCK_DGRAM:
                msgs = [chunk]
            else:
                pending += chunk
                msgs, pending = split_stream(pending)
            final = False
            for msg in msgs:
                if call_id(msg) != want:
                    continue  # e.g. a retransmission for an earlier test
                line = status_line(msg)
                got.append(line)
                final = final or is_final(line)
            if final and not args.follow:
                break
            deadline = time.monotonic() + args.wait
    return got


def batch(args):
    """Paths on stdin, one reply line each: the status lines joined by
    ' | ', or '-' for none (a coprocess saves an interpreter per send)."""
    for path in sys.stdin:
        path = path.rstrip("\n")
        if not path:
            continue
        try:
            with open(path, "rb") as f:
                lines = exchange(args, f.read())
            print(" | ".join(lines) if lines else "-", flush=True)
        except OSError as e:
            print("ERROR %s" % e, flush=True)
    return 0


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-t", dest="transport", choices=("udp", "tcp"),
                    default="udp")
    ap.add_argument("-w", dest="wait", type=float, default=1.0,
                    help="seconds to wait for a (next) reply")
    ap.add_argument("-f", dest="follow", action="store_true",
                    help="go on after a final response")
    ap.add_argument("-b", dest="bind", default="",
                    help="local port, or 'via': the top Via's port")
    ap.add_argument("host")
    ap.add_argument("port", type=int)
    ap.add_argument("-B", dest="batch", action="store_true",
                    help="read FILE paths from stdin, one result a line")
    ap.add_argument("file", nargs="?", default="-")
    args = ap.parse_args()
    try:
        if args.batch:
            return batch(args)
        if args.file == "-":
            data = sys.stdin.buffer.read()
        else:
            with open(args.file, "rb") as f:
                data = f.read()
        lines = exchange(args, data)
        for line in lines:
            print(line)
        return 0 if lines else 1
    except OSError as e:
        print("sipsend: %s" % e, file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
