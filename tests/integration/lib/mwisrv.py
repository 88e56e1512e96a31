#!/usr/bin/env python3
"""tests/integration/lib/mwisrv.py -- a registrar and MWI notifier, UDP.

Usage: mwisrv.py HOST PORTFILE LOGFILE [PASSWORD]

Binds HOST on a free UDP port and writes the port to PORTFILE. Answers
REGISTER with 200 (the Contact back, expires=3600) and SUBSCRIBE with
200 (Expires: 3600, a To tag); with PASSWORD, a SUBSCRIBE without
credentials first gets 401 (Digest, no qop) and one whose response
is not MD5 over that PASSWORD gets 403. On SIGUSR2 it sends a NOTIFY inside the
last such dialog: Messages-Waiting: yes, Voice-Message: 2/1 (1/0) (a
test first attaches its event monitor). On SIGUSR1 it sends an
unsolicited NOTIFY
(outside any dialog, no To tag) with Messages-Waiting: no, Voice-Message:
0/3 to the last REGISTER's Contact. Other requests get 501.

LOGFILE gets one line per message: "<- REQUEST-LINE | Event: .. | Accept:
.. | Authorization: yes|no | Expires: .." for requests, "<- SIP/2.0 200 OK (CSeq)" for
responses, "-> 200 SUBSCRIBE" (status, method) for its answers and
"-> NOTIFY in-dialog|unsolicited" for what it sends. stdlib
only; runs until killed.
"""

import hashlib
import os
import random
import re
import signal
import socket
import sys

HDR_RE = r"^(?:%s)[ \t]*:[ \t]*(.*?)[ \t]*\r?$"


def hdr(msg, *names):
    m = re.search(HDR_RE % "|".join(names), msg, re.I | re.M)
    return m.group(1) if m else ""


def uri_hostport(value):
    m = re.search(r"sip:(?:[^@;>]*@)?([^;>:]+)(?::(\d+))?", value)
    return (m.group(1), int(m.group(2) or 5060)) if m else None


def md5(text):
    return hashlib.md5(text.encode()).hexdigest()


def digest_ok(msg, method, password):
    auth = hdr(msg, "Authorization")
    par = dict(re.findall(r'(\w+)="?([^",]*)"?', auth))
    ha1 = md5("%s:%s:%s" % (par.get("username"), par.get("realm"),
                            password))
    ha2 = md5("%s:%s" % (method, par.get("uri")))
    return par.get("response") == md5("%s:%s:%s" % (ha1, par.get("nonce"),
                                                    ha2))


class Srv:
    def __init__(self, host, log, password=None):
        self.password = password
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((host, 0))
        self.host, self.port = self.sock.getsockname()
        self.log = open(log, "a", buffering=1)
        self.contact = None
        self.cseq = 1
        self.pending = False
        self.pending_dlg = False
        self.dialog = None
        self.pending_dlg = False
        self.dialog = None

    def note(self, line):
        self.log.write(line + "\n")

    def send(self, data, addr):
        self.sock.sendto(data.encode(), addr)

    def reply(self, msg, addr, code, reason, extra=""):
        to = hdr(msg, "To", "t")
        if ";tag=" not in to:
            to += ";tag=mwisrv%d" % random.randint(1, 1 << 30)
        out = "SIP/2.0 %d %s\r\n" % (code, reason)
        for v in re.findall(HDR_RE % "Via|v", msg, re.I | re.M):
            out += "Via: %s\r\n" % v
        out += "From: %s\r\nTo: %s\r\nCall-ID: %s\r\nCSeq: %s\r\n" % (
            hdr(msg, "From", "f"), to, hdr(msg, "Call-ID", "i"),
            hdr(msg, "CSeq"))
        out += extra + "Content-Length: 0\r\n\r\n"
        self.send(out, addr)
        self.note("-> %d %s" % (code, hdr(msg, "CSeq").split(" ")[-1]))
        return to

    def notify(self, target, frm, to, callid, body, state):
        self.cseq += 1
        addr = uri_hostport(target)
        out = ("NOTIFY %s SIP/2.0\r\n"
               "Via: SIP/2.0/UDP %s:%d;branch=z9hG4bK%d;rport\r\n"
               "Max-Forwards: 70\r\nFrom: %s\r\nTo: %s\r\nCall-ID: %s\r\n"
               "CSeq: %d NOTIFY\r\nContact: <sip:mwi@%s:%d>\r\n"
               "Event: message-summary\r\n%s"
               "Content-Type: application/simple-message-summary\r\n"
               "Content-Length: %d\r\n\r\n%s") % (
            target, self.host, self.port, random.randint(1, 1 << 30),
            frm, to, callid, self.cseq, self.host, self.port, state,
            len(body), body)
        self.send(out, addr)

    def unsolicited(self):
        if not self.contact:
            self.note("-> no contact for an unsolicited NOTIFY")
            return
        body = "Messages-Waiting: no\r\nVoice-Message: 0/3\r\n"
        target = self.contact.strip("<>").split(">")[0]
        self.notify(target, "<sip:mwi@%s:%d>;tag=u%d" % (
            self.host, self.port, random.randint(1, 1 << 30)),
            "<%s>" % target, "unsol%d@mwisrv" % random.randint(1, 1 << 30),
            body, "")
        self.note("-> NOTIFY unsolicited")

    def in_dialog(self):
        if not self.dialog:
            self.note("-> no subscription for a NOTIFY")
            return
        body = ("Messages-Waiting: yes\r\nMessage-Account: "
                "sip:1001@%s\r\nVoice-Message: 2/1 (1/0)\r\n" % self.host)
        self.notify(*self.dialog, body,
                    "Subscription-State: active;expires=3600\r\n")
        self.note("-> NOTIFY in-dialog")

    def request(self, msg, addr):
        line = msg.split("\r\n", 1)[0]
        method = line.split(" ", 1)[0]
        self.note("<- %s | Event: %s | Accept: %s | Authorization: %s | "
                  "Expires: %s" % (
                      line, hdr(msg, "Event", "o"), hdr(msg, "Accept"),
                      "yes" if hdr(msg, "Authorization") else "no",
                      hdr(msg, "Expires")))
        if method == "REGISTER":
            contact = hdr(msg, "Contact", "m")
            self.contact = re.sub(r";expires=\d+", "", contact)
            self.reply(msg, addr, 200, "OK",
                       "Contact: %s;expires=3600\r\n" % self.contact)
        elif method == "SUBSCRIBE" and self.password and \
                not hdr(msg, "Authorization"):
            self.reply(msg, addr, 401, "Unauthorized",
                       'WWW-Authenticate: Digest realm="mwisrv", '
                       'nonce="%x"\r\n' % random.randint(1, 1 << 60))
        elif method == "SUBSCRIBE" and self.password and \
                not digest_ok(msg, method, self.password):
            self.reply(msg, addr, 403, "Forbidden")
        elif method == "SUBSCRIBE":
            expires = hdr(msg, "Expires") or "3600"
            to = self.reply(msg, addr, 200, "OK",
                            "Expires: %s\r\nContact: <sip:mwi@%s:%d>\r\n" %
                            (expires, self.host, self.port))
            if expires.strip() != "0":
                target = hdr(msg, "Contact", "m").strip("<>").split(">")[0]
                self.dialog = (target, to, hdr(msg, "From", "f"),
                               hdr(msg, "Call-ID", "i"))
        elif method != "ACK":
            self.reply(msg, addr, 501, "Not Implemented")

    def run(self):
        while True:
            if self.pending:
                self.pending = False
                self.unsolicited()
            if self.pending_dlg:
                self.pending_dlg = False
                self.in_dialog()
            try:
                data, addr = self.sock.recvfrom(65535)
            except InterruptedError:
                continue
            msg = data.decode("utf-8", "replace")
            if msg.startswith("SIP/2.0"):
                self.note("<- %s (%s)" % (msg.split("\r\n", 1)[0],
                                          hdr(msg, "CSeq")))
            elif msg.strip():
                self.request(msg, addr)


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    srv = Srv(sys.argv[1], sys.argv[3],
              sys.argv[4] if len(sys.argv) == 5 else None)

    def usr1(sig, _frame):
        if sig == signal.SIGUSR1:
            srv.pending = True
        else:
            srv.pending_dlg = True
        # wake the recvfrom: a datagram to ourselves
        socket.socket(socket.AF_INET, socket.SOCK_DGRAM).sendto(
            b"\r\n", (srv.host, srv.port))
    signal.signal(signal.SIGUSR1, usr1)
    signal.signal(signal.SIGUSR2, usr1)
    tmp = sys.argv[2] + ".tmp"
    with open(tmp, "w") as f:
        f.write("%d\n" % srv.port)
    os.rename(tmp, sys.argv[2])
    srv.run()


if __name__ == "__main__":
    main()
