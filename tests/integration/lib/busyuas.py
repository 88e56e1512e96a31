#!/usr/bin/env python3
"""tests/integration/lib/busyuas.py -- a SIP UAS that is always busy.

Usage: busyuas.py PORTFILE
Binds UDP 127.0.0.1:0, writes the port to PORTFILE, then answers every
INVITE with 180 Ringing and 486 Busy Here (Via, From, To with a tag,
Call-ID and CSeq copied), to the address it came from; the ACK and
anything else are ignored. Runs until killed. stdlib only.
"""

import re
import socket
import sys

HDRS = ("via", "v", "from", "f", "to", "t", "call-id", "i", "cseq")


def reply(msg, code, reason):
    out = ["SIP/2.0 %d %s" % (code, reason)]
    for line in msg.split("\r\n")[1:]:
        if not line:
            break
        name = line.split(":", 1)[0].strip().lower()
        if name in HDRS:
            if name in ("to", "t") and ";tag=" not in line:
                line += ";tag=busy1"
            out.append(line)
    out += ["Content-Length: 0", "", ""]
    return "\r\n".join(out).encode()


def main():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(("127.0.0.1", 0))
    with open(sys.argv[1], "w") as f:
        f.write("%d\n" % sock.getsockname()[1])
    while True:
        data, src = sock.recvfrom(65535)
        msg = data.decode(errors="replace")
        if not re.match(r"INVITE ", msg):
            continue
        sock.sendto(reply(msg, 180, "Ringing"), src)
        sock.sendto(reply(msg, 486, "Busy Here"), src)
        print("486 to %s:%d" % src, flush=True)


if __name__ == "__main__":
    main()
