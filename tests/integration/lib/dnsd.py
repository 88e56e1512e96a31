#!/usr/bin/env python3
"""A DNS server for the lab: A and AAAA records from the command line.

    dnsd.py ADDR NAME=IP|NAME=srv:PORT:TARGET [...]

Listens on UDP ADDR:53. A query for a listed name and type A gets its
IPv4 address, type AAAA its IPv6 address (a name may be listed twice,
once per family), type SRV its srv: record (priority 10, weight 10);
the same name with another type (NAPTR, SRV where none is listed: what
RFC 3263 asks first), or a family it has no address in, gets an empty
answer, so the client falls back to A; any other name gets NXDOMAIN.
Every query is logged as "QNAME QTYPE".
"""
import socket
import struct
import sys

TYPE_A = 1
TYPE_AAAA = 28
TYPE_SRV = 33


def qname(pkt, off):
    labels = []
    while True:
        n = pkt[off]
        off += 1
        if n == 0:
            return ".".join(labels).lower(), off
        if n & 0xC0:
            raise ValueError("compressed name in a question")
        labels.append(pkt[off:off + n].decode("ascii", "replace"))
        off += n


def answer(pkt, records):
    ident, flags, qd = struct.unpack("!HHH", pkt[:6])
    if qd != 1:
        return None
    name, off = qname(pkt, 12)
    qtype, qclass = struct.unpack("!HH", pkt[off:off + 4])
    question = pkt[12:off + 4]
    rd = flags & 0x0100
    print(name, qtype, flush=True)

    if name not in records:
        hdr = struct.pack("!HHHHHH", ident, 0x8403 | rd, 1, 0, 0, 0)
        return hdr + question
    if qtype == TYPE_SRV and "srv" in records[name]:
        port, target = records[name]["srv"]
        raw = struct.pack("!HHH", 10, 10, port) + b"".join(
            bytes([len(l)]) + l.encode("ascii")
            for l in target.split(".")) + b"\0"
        hdr = struct.pack("!HHHHHH", ident, 0x8400 | rd, 1, 1, 0, 0)
        rr = struct.pack("!HHHIH", 0xC00C, qtype, qclass, 60, len(raw))
        return hdr + question + rr + raw
    fam = {TYPE_A: socket.AF_INET, TYPE_AAAA: socket.AF_INET6}.get(qtype)
    ip = records[name].get(fam)
    if ip is None:
        hdr = struct.pack("!HHHHHH", ident, 0x8400 | rd, 1, 0, 0, 0)
        return hdr + question

    raw = socket.inet_pton(fam, ip)
    hdr = struct.pack("!HHHHHH", ident, 0x8400 | rd, 1, 1, 0, 0)
    rr = struct.pack("!HHHIH", 0xC00C, qtype, qclass, 60, len(raw)) + raw
    return hdr + question + rr


def main():
    addr = sys.argv[1]
    records = {}
    for arg in sys.argv[2:]:
        name, ip = arg.split("=", 1)
        rec = records.setdefault(name.lower().rstrip("."), {})
        if ip.startswith("srv:"):
            port, target = ip[4:].split(":", 1)
            rec["srv"] = (int(port), target.rstrip("."))
            continue
        fam = socket.AF_INET6 if ":" in ip else socket.AF_INET
        rec[fam] = ip

    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind((addr, 53))
    while True:
        pkt, src = s.recvfrom(4096)
        try:
            resp = answer(pkt, records)
        except (ValueError, IndexError, struct.error):
            continue
        if resp:
            s.sendto(resp, src)


if __name__ == "__main__":
    main()
