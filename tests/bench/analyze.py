#!/usr/bin/env python3
"""tests/bench/analyze.py OUT -- figures of a `make bench` run.

Reads OUT/ataua/<mode>-<calls>/ (written by tests/bench/run.sh) and
OUT/baresip/ (the shared baresip recipe's folder, if it ran), and writes
OUT/summary.txt (machine, table against the targets, details),
OUT/results.json, OUT/playout.dat + playout.gp and OUT/playout.png
(playout delay over a call, both programs; needs gnuplot). Standard
library only. Exit status 0 even when a target is missed: the table says
so; 1 only when the run folder is unusable.
"""
import json
import os
import re
import statistics
import struct
import subprocess
import sys

RATE = 8000
PKT_RATE = 50                  # 20 ms packets per second and call
SILENT_ULAW = (0xFF, 0x7F)     # u-law codes of 0
SILENT_PCM = 64                # |sample| at or below: silence
QUIET_RUN = 800                # samples of silence before an onset
CG_FUNCS = ("call_rx_packet", "call_rx_drain", "recvmmsg", "jitbuf_put", "jitbuf_get",
            "g711_ulaw_decode", "snd_pcm_writei", "snd_pcm_mmap_commit",
            "malloc", "free", "mem_alloc", "mem_deref", "mbuf_alloc",
            "epoll_wait", "poll", "recvfrom", "read", "write",
            "clock_gettime", "pthread_mutex_lock", "dtmf_det_process",
            "line_echo_capture", "echo_can_process")
# the line's capture path, inclusive (a function and what it calls):
# what the duplex run adds to receiving
CG_INCL = ("line_echo_capture", "echo_can_process", "dtmf_det_process")


def shipped_ms(key, fallback):
    """A media duration's shipped default, from conf/ataua.yaml."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                        "..", "..", "conf", "ataua.yaml")
    try:
        for line in open(path):
            m = re.match(r"\s+%s:\s*(\d+)ms\b" % key, line)
            if m:
                return int(m.group(1))
    except OSError:
        pass
    return fallback


JITTER_MS = shipped_ms("jitter_delay", 35)  # the bench's media.jitter_delay
PERIOD_MS = shipped_ms("period", 20)        # run.sh -p: other
RECOVER_S = 1.0                # the stall row's target after 30 ms
HORIZON_S = 3.5                # a stall's effect is judged this long


# ------------------------------------------------------------ run files
def read_phases(d):
    """phases.txt: NAME TIME [numbers...] -> {NAME: [TIME, n1, ...]}"""
    ph = {}
    path = os.path.join(d, "phases.txt")
    if os.path.exists(path):
        for line in open(path):
            f = line.split()
            if len(f) >= 2:
                ph.setdefault(f[0], [float(x) for x in f[1:]])
    return ph


def read_status_kb(path):
    r = {}
    if os.path.exists(path):
        for line in open(path):
            m = re.match(r"(\w+):\s+(\d+)\s*kB", line)
            if m:
                r[m.group(1)] = int(m.group(2))
    return r


def uss_kB(mem, prefix=""):
    """Private_Clean + Private_Dirty (smaps_rollup), or None."""
    c, d = (mem or {}).get(prefix + "Private_Clean"), \
        (mem or {}).get(prefix + "Private_Dirty")
    return None if c is None or d is None else c + d


def read_threads(path):
    r = {}
    if os.path.exists(path):
        for line in open(path):
            f = line.split()
            if len(f) >= 4:
                r[f[0]] = (f[1], int(f[2]), int(f[3]))
    return r


def native_run(d, calls):
    """CPU, wake-ups, memory of one ataua run (steady vs idle windows)."""
    ph = read_phases(d)
    need = ("idle_start", "idle_end", "steady_start", "steady_end",
            "rx_start", "rx_end")
    if not all(k in ph for k in need):
        return None
    iw = ph["idle_end"][0] - ph["idle_start"][0]
    sw = ph["steady_end"][0] - ph["steady_start"][0]
    idle_ns = ph["idle_end"][1] - ph["idle_start"][1]
    steady_ns = ph["steady_end"][1] - ph["steady_start"][1]
    vcs = ph["steady_end"][2] - ph["steady_start"][2]
    ivcs = ph["steady_end"][3] - ph["steady_start"][3]
    rxw = ph["rx_end"][0] - ph["rx_start"][0]
    rx = ph["rx_end"][1] - ph["rx_start"][1]
    # the rx counters bracket the CPU window from just outside it
    pkts = rx * sw / rxw if rxw > 0 else 0
    net_ns = steady_ns - idle_ns / iw * sw
    r = {
        "calls": calls, "steady_s": round(sw, 3), "idle_s": round(iw, 3),
        "threads": int(ph["steady_end"][4]),
        "packets": round(pkts),
        "packets_expected": PKT_RATE * calls * round(sw),
        "cpu_idle_pct": round(100 * idle_ns / 1e9 / iw, 4),
        "cpu_steady_pct": round(100 * steady_ns / 1e9 / sw, 4),
        "cpu_per_call_pct": round(100 * net_ns / 1e9 / sw / calls, 4),
        "us_per_packet": round(net_ns / 1e3 / pkts, 2) if pkts else None,
        "wakeups_per_packet": round(vcs / pkts, 3) if pkts else None,
        "involuntary_cs": ivcs,
        "rx_bracket_s": round(rxw, 3),
        "fds": ph.get("fds", [None])[0],
        "fd_limit": (ph.get("fds", [None, None]) + [None])[1],
        "mem_idle_kB": read_status_kb(os.path.join(d, "mem_idle.txt")),
        "mem_call_kB": read_status_kb(os.path.join(d, "mem_call.txt")),
    }
    a = read_threads(os.path.join(d, "threads_start.txt"))
    b = read_threads(os.path.join(d, "threads_end.txt"))
    r["per_thread"] = [{"tid": t, "comm": b[t][0],
                        "cpu_ms": round((b[t][1] - a[t][1]) / 1e6, 3),
                        "voluntary_cs": b[t][2] - a[t][2]}
                       for t in b if t in a]
    return r


# ------------------------------------------------------------ callgrind
def parse_callgrind(path):
    """Self Ir per object and function, calls per callee name, total."""
    names = {}
    ob = fn = cob = cfn = None
    in_call = False
    self_ob, self_fn, calls, incl = {}, {}, {}, {}
    call_key = None
    total = trigger = None

    def name(kind, val):
        m = re.match(r"\((\d+)\)\s*(.*)$", val)
        if not m:
            return val
        if m.group(2):
            names[(kind, m.group(1))] = m.group(2)
        return names.get((kind, m.group(1)), "?")

    for line in open(path, errors="replace"):
        line = line.rstrip("\n")
        if not line:
            continue
        c = line[0]
        if c.isdigit() or c in "+-*":
            if in_call:
                in_call = False          # inclusive cost of the call
                f = line.split()
                if len(f) >= 2:
                    incl[call_key] = incl.get(call_key, 0) + int(f[1])
                continue
            f = line.split()
            if len(f) >= 2:
                ir = int(f[1])
                self_ob[ob] = self_ob.get(ob, 0) + ir
                self_fn[(fn, ob)] = self_fn.get((fn, ob), 0) + ir
            continue
        key, _, val = line.partition("=")
        if key == "ob":
            ob = cob = name("ob", val)
        elif key == "fn":
            fn = name("fn", val)
            cob = ob
        elif key == "cob":
            cob = name("ob", val)
        elif key == "cfn":
            cfn = name("fn", val)
        elif key in ("fl", "fi", "fe", "cfi", "cfl"):
            name("fl", val)
        elif key == "calls":
            n = int(val.split()[0])
            k = (cfn, os.path.basename(cob or "?"))
            calls[k] = calls.get(k, 0) + n
            call_key = k
            cob = ob
            in_call = True
        elif line.startswith(("totals:", "summary:")):
            total = int(line.split()[1])
        elif line.startswith("desc: Trigger:"):
            trigger = line.split(":", 2)[2].strip()
    return {"total": total, "trigger": trigger, "self_ob": self_ob,
            "self_fn": self_fn, "calls": calls, "incl": incl}


def calls_named(cg, fname, obj=None):
    return sum(n for (f, o), n in cg["calls"].items()
               if f == fname and (obj is None or o == obj))


def callgrind_run(d, pkt_fn):
    ph = read_phases(d)
    dumps = {}
    for f in sorted(os.listdir(d)):
        if re.fullmatch(r"callgrind\.out\.\d+", f):
            cg = parse_callgrind(os.path.join(d, f))
            for w in ("idle", "steady"):
                if cg["trigger"] and w in cg["trigger"]:
                    dumps[w] = cg
    st = dumps.get("steady")
    if not st or not st["total"]:
        return None
    sw = ph["steady_end"][0] - ph["steady_start"][0]
    pk = calls_named(st, pkt_fn, "ataua") or calls_named(st, pkt_fn)
    sink = sum(v for o, v in st["self_ob"].items() if o and "vslic" in o)
    r = {"packet_function": pkt_fn, "packets": pk,
         "steady_s": round(sw, 3), "steady_Ir": st["total"],
         "sink_Ir": sink}
    if pk:
        r["Ir_per_packet_gross"] = round(st["total"] / pk)
        r["Ir_per_packet"] = round((st["total"] - sink) / pk)
        r["by_object_per_packet"] = sorted(
            ((os.path.basename(o or "?"), round(v / pk))
             for o, v in st["self_ob"].items()), key=lambda x: -x[1])
        r["top_functions_per_packet"] = sorted(
            ((f"{f} [{os.path.basename(o or '?')}]", round(v / pk))
             for (f, o), v in st["self_fn"].items()),
            key=lambda x: -x[1])[:20]
        r["calls_per_packet"] = {f: round(calls_named(st, f) / pk, 2)
                                 for f in CG_FUNCS if calls_named(st, f)}
        r["inclusive_per_packet"] = {
            f: round(sum(v for (g, _), v in st["incl"].items()
                         if g == f) / pk)
            for f in CG_INCL if calls_named(st, f)}
    idle = dumps.get("idle")
    if idle and idle["total"] is not None:
        iw = ph["idle_end"][0] - ph["idle_start"][0]
        r["idle_Ir_per_s"] = round(idle["total"] / iw)
    return r


# ------------------------------------------------------------ latency
def read_pcap(path):
    """[(time_s, dst_port, udp_payload)] of the IPv4/UDP packets."""
    data = open(path, "rb").read()
    if len(data) < 24:
        return []
    magic = struct.unpack("<I", data[:4])[0]
    end = "<" if magic in (0xA1B2C3D4, 0xA1B23C4D) else ">"
    magic = struct.unpack(end + "I", data[:4])[0]
    frac = 1e9 if magic == 0xA1B23C4D else 1e6
    link = struct.unpack(end + "I", data[20:24])[0]
    skip = {1: 14, 113: 16, 276: 20}.get(link, 0)
    out, off = [], 24
    while off + 16 <= len(data):
        sec, sub, incl, _ = struct.unpack(end + "IIII", data[off:off + 16])
        frame = data[off + 16:off + 16 + incl]
        off += 16 + incl
        ip = frame[skip:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        udp = ip[(ip[0] & 15) * 4:]
        out.append((sec + sub / frac, struct.unpack(">H", udp[2:4])[0],
                    udp[8:]))
    return out


def rtp_onsets(pcap):
    """Arrival times of the first packet with sound after >=100 ms of
    digital silence, on the port that got the most PCMU packets."""
    rtp = [(t, p, pl) for t, p, pl in read_pcap(pcap)
           if len(pl) > 12 and pl[0] >> 6 == 2 and pl[1] & 0x7F == 0]
    if not rtp:
        return [], None
    ports = {}
    for _, p, _ in rtp:
        ports[p] = ports.get(p, 0) + 1
    port = max(ports, key=ports.get)
    onsets, quiet = [], 0
    first = None
    for t, p, pl in rtp:
        if p != port:
            continue
        first = t if first is None else first
        silent = all(b in SILENT_ULAW for b in pl[12:])
        if not silent and quiet >= 5:
            onsets.append(t)
        quiet = quiet + 1 if silent else 0
    return onsets, first


def match(onsets, plays):
    """Pair each play time with the last RTP onset before it (< 1 s)."""
    pairs = []
    for p in plays:
        c = [t for t in onsets if t <= p]
        if c and p - c[-1] < 1.0:
            pairs.append((c[-1], (p - c[-1]) * 1000))
    return pairs


def vslic_plays(d, offset_ns):
    """Realtime of each onset on the recorded line (vslic playback)."""
    raw, logf = (os.path.join(d, f) for f in ("playback.raw",
                                                "playback.log"))
    if not (os.path.exists(raw) and os.path.exists(logf)):
        return None, 0
    clock, xruns = [], 0
    for line in open(logf):
        if line.startswith("#"):
            xruns += "xrun" in line
            continue
        f = line.split()
        if len(f) == 2:
            clock.append((int(f[0]), int(f[1])))
    data = open(raw, "rb").read()
    n = len(data) // 2
    pcm = struct.unpack(f"<{n}h", data[:2 * n])
    plays, quiet, ci = [], 0, 0
    for i, s in enumerate(pcm):
        if abs(s) <= SILENT_PCM:
            quiet += 1
            continue
        if quiet >= QUIET_RUN and clock:
            while ci + 1 < len(clock) and clock[ci + 1][0] <= i:
                ci += 1
            idx, ns = clock[ci]
            if idx <= i:
                plays.append((ns + (i - idx) * 1e9 / RATE
                              + offset_ns) / 1e9)
        quiet = 0
    return plays, xruns


def latency_ataua(d):
    ph = read_phases(d)
    pcap = os.path.join(d, "rtp.pcap")
    if "clock_offset_ns" not in ph or not os.path.exists(pcap):
        return None
    onsets, first = rtp_onsets(pcap)
    plays, xruns = vslic_plays(d, ph["clock_offset_ns"][0])
    if plays is None:
        return {"note": "nothing played to the SLIC (no vslic recording):"
                        " audio-alsa does not play yet"}
    return latency_result(match(onsets, plays), first,
                          {"xruns": xruns, "rtp_onsets": len(onsets)})


def latency_baresip(d):
    pcap, evf = (os.path.join(d, f) for f in ("rtp.pcap",
                                                "pacednull.events"))
    if not (os.path.exists(pcap) and os.path.exists(evf)):
        return None
    onsets, first = rtp_onsets(pcap)
    plays = []
    for line in open(evf):
        m = re.search(r"play_rt_ns=(-?\d+)", line)
        if m and int(m.group(1)) > 0:
            plays.append(int(m.group(1)) / 1e9)
    return latency_result(match(onsets, plays), first,
                          {"rtp_onsets": len(onsets)})


def nominal_onsets(pcap, window_s=2.0):
    """[(arrival, nominal arrival)] of each onset (as rtp_onsets). The
    nominal arrival is where the stream's least-delayed packet of the
    last window_s puts the onset's RTP timestamp (as ataua's
    playout_delay_ms): a sender or a capture late by a few ms on this
    shared machine does not read as a playout delay."""
    rtp = [(t, p, pl) for t, p, pl in read_pcap(pcap)
           if len(pl) > 12 and pl[0] >> 6 == 2 and pl[1] & 0x7F == 0]
    if not rtp:
        return []
    ports = {}
    for _, p, _ in rtp:
        ports[p] = ports.get(p, 0) + 1
    port = max(ports, key=ports.get)
    pk, ts0 = [], None
    for t, p, pl in rtp:
        if p != port:
            continue
        ts = struct.unpack(">I", pl[4:8])[0]
        ts0 = ts if ts0 is None else ts0
        pk.append((t, ((ts - ts0) & 0xFFFFFFFF) / RATE,
                   all(b in SILENT_ULAW for b in pl[12:])))
    out, quiet, lo = [], 0, 0
    for i, (t, ts, silent) in enumerate(pk):
        while pk[lo][0] < t - window_s:
            lo += 1
        if not silent and quiet >= 5:
            base = min(a - b for a, b, _ in pk[lo:i + 1])
            out.append((t, base + ts))
        quiet = quiet + 1 if silent else 0
    return out


def stall_ataua(d, jitter_ms, period_ms):
    """Playout delay around each stall of the audio thread: the time
    from the stall's end until the delay (from each onset's nominal
    arrival, nominal_onsets) is back in its window [jitter_delay - 2,
    jitter_delay + period + 2] ms for good (for HORIZON_S after the
    stall: a load spike of this shared machine later is not the
    stall's). Delays are seen every 200 ms (the bursts' onsets): a recovery
    is known to that resolution."""
    ph = read_phases(d)
    pcap, sf = os.path.join(d, "rtp.pcap"), os.path.join(d, "stalls.txt")
    if "clock_offset_ns" not in ph or not os.path.exists(pcap) or \
            not os.path.exists(sf):
        return None
    off = ph["clock_offset_ns"][0]
    stalls, prio = [], None
    for line in open(sf):
        f = line.split()
        if f and f[0] == "stall" and len(f) == 3:
            stalls.append(((int(f[1]) + off) / 1e9, (int(f[2]) + off) / 1e9))
        elif f and f[0] == "audio_thread":
            prio = int(f[3])
    if not stalls:
        return {"note": "no stall ran (see stalls.txt)"}
    onsets = nominal_onsets(pcap)
    plays, xruns = vslic_plays(d, off)
    # (play time, delay ms) of each onset, from its nominal arrival
    pairs = []
    for p in plays or []:
        c = [(t, n) for t, n in onsets if t <= p]
        if c and p - c[-1][0] < 1.0:
            pairs.append((p, (p - c[-1][1]) * 1000))
    # underruns (vslic log, monotonic) that no spinner made: the box
    # itself stalled the thread; a recovery late because of one says so
    xr = [(int(ln.split()[3]) + off) / 1e9
          for ln in open(os.path.join(d, "playback.log"))
          if ln.startswith("# xrun")]
    own = [x for x in xr if any(a - 0.005 <= x <= b + 0.025
                                for a, b in stalls)]
    lo, hi = jitter_ms - 2, jitter_ms + period_ms + 2
    before = [ms for p, ms in pairs if p < stalls[0][0]]
    r = {"window_ms": [lo, hi], "rt_priority": prio, "xruns": xruns,
         "delay_before_ms": round(statistics.median(before), 2)
         if before else None, "stalls": []}
    for i, (s0, s1) in enumerate(stalls):
        nxt = stalls[i + 1][0] if i + 1 < len(stalls) else float("inf")
        after = [(p, ms) for p, ms in pairs
                 if s0 <= p < min(nxt, s1 + HORIZON_S)]
        bad = [k for k, (_, ms) in enumerate(after) if not lo <= ms <= hi]
        k = bad[-1] + 1 if bad else 0
        rec = round(after[k][0] - s1, 3) if k < len(after) else None
        r["stalls"].append({
            "stall_ms": round((s1 - s0) * 1000, 1),
            "onsets_after": len(after),
            "off_target": len(bad),
            "max_delay_ms": round(max(ms for _, ms in after), 2)
            if after else None,
            "recovered_s": rec,
            "other_xruns_s": [round(x - s1, 3) for x in xr
                              if x not in own and s1 < x < min(
                                  nxt, s1 + HORIZON_S)],
            "series": [(round(p - s1, 3), round(ms, 2))
                       for p, ms in after[:max(k + 3, 8)]]})
    return r


def latency_result(pairs, first, extra):
    r = dict(extra, onsets_matched=len(pairs))
    if pairs:
        v = [ms for _, ms in pairs]
        r.update(median_ms=round(statistics.median(v), 2),
                 min_ms=round(min(v), 2), max_ms=round(max(v), 2),
                 series=[(round(t - first, 3), round(ms, 2))
                         for t, ms in pairs])
    return r


# ------------------------------------------------------------ baresip
def baresip_figures(d):
    p = os.path.join(d, "results.json")
    if not os.path.exists(p):
        return None
    j = json.load(open(p))
    r = {}
    cg = (j.get("callgrind") or {}).get("callgrind") or {}
    r["Ir_per_packet"] = cg.get("Ir_per_packet_excluding_sink")
    r["Ir_per_packet_gross"] = cg.get("Ir_per_packet_gross")
    n = j.get("native") or {}
    cs = n.get("cpu_steady") or {}
    if cs.get("ctx_switches_voluntary_per_s") is not None:
        r["wakeups_per_packet"] = round(
            cs["ctx_switches_voluntary_per_s"] / PKT_RATE, 3)
    net = n.get("cpu_call_minus_idle_pct_one_core")
    if net is not None:
        r["cpu_per_call_pct"] = net
        r["us_per_packet"] = round(net * 1e4 / PKT_RATE, 2)
    r["peak_rss_kB"] = (n.get("mem_call_kB") or {}).get("call_VmHWM")
    r["uss_kB"] = uss_kB(n.get("mem_call_kB"), "call_")
    r["mem_call_kB"] = n.get("mem_call_kB")
    fl = j.get("floor") or {}
    r["wakeup_floor_ns"] = fl.get("ns_per_wakeup_runs")
    lat = latency_baresip(os.path.join(d, "latency"))
    if lat:
        r["latency"] = lat
    return r


# ------------------------------------------------------------ output
def machine(out):
    env = {}
    p = os.path.join(out, "env.txt")
    if os.path.exists(p):
        for line in open(p):
            k, _, v = line.partition(": ")
            env.setdefault(k.strip(), []).append(v.strip())
    return {k: v[0] if len(v) == 1 else v for k, v in env.items()}


def period_ms(out):
    """media.period of the run (run.sh -p), else ataua's default."""
    m = re.search(r"period=(\d+)", str(machine(out).get("params", "")))
    return int(m.group(1)) if m else PERIOD_MS


def verdict(ok):
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def build_table(res):
    b, a = res.get("baresip") or {}, res["ataua"]
    nat = a["native"]
    one = nat.get("1") or {}
    cg = a.get("callgrind") or {}
    lat = a.get("latency") or {}
    blat = b.get("latency") or {}
    rows = []

    def row(what, bv, av, target, ok):
        rows.append((what, "-" if bv is None else str(bv),
                     "-" if av is None else str(av), target,
                     verdict(ok) if target not in ("", "info") else ""))

    bi, ai = b.get("Ir_per_packet"), cg.get("Ir_per_packet")
    row("instructions/packet (user, no sink)", bi, ai, "<= 1/4 baresip",
        None if bi is None or ai is None else ai <= bi / 4)
    di = (a.get("duplex") or {}).get("Ir_per_packet")
    if di is not None:
        row("  duplex (sendrecv, DTMF det., echo can.)", None, di,
            "info", None)
    aw = one.get("wakeups_per_packet")
    row("thread wake-ups/packet", b.get("wakeups_per_packet"), aw, "<= 1",
        None if aw is None else aw <= 1.0)
    br = b.get("peak_rss_kB")
    ar = (one.get("mem_call_kB") or {}).get("VmHWM")
    row("peak RSS in call, kB (VmHWM)", br, ar, "<= 1/2 baresip",
        None if br is None or ar is None else ar <= br / 2)
    bu = b.get("uss_kB")
    au = uss_kB(one.get("mem_call_kB"))
    row("private memory in call, kB (USS)", bu, au, "<= 1/2 baresip",
        None if bu is None or au is None else au <= bu / 2)
    # the clean part is file pages no other process maps at that moment
    # (other programs on a shared box move it); the dirty part is stable
    row("  of it Private_Dirty, kB",
        ((b.get("mem_call_kB") or {}).get("call_Private_Dirty")),
        (one.get("mem_call_kB") or {}).get("Private_Dirty"), "info", None)
    bl, al = blat.get("median_ms"), lat.get("median_ms")
    row("added latency, ms (RTP arrival->DAC)", bl, al, "<= 1/4 baresip",
        None if bl is None or al is None else al <= bl / 4)
    st = a.get("stall") or {}
    for s in st.get("stalls") or []:
        rec = s.get("recovered_s")
        first = s is st["stalls"][0]
        other = s.get("other_xruns_s")
        row(f"stall {s['stall_ms']} ms: back on target, s", None,
            ("never" if rec is None else str(rec)) +
            (f" (box stalled at +{other[0]} s)" if other else ""),
            f"<= {RECOVER_S}" if first else "info",
            (rec is not None and rec <= RECOVER_S) if first else None)
    row("CPU per call, % of a core (1 call)", b.get("cpu_per_call_pct"),
        one.get("cpu_per_call_pct"), "info", None)
    row("CPU per packet, us", b.get("us_per_packet"),
        one.get("us_per_packet"), "info", None)
    # a run whose packet count is short (a call down, the counters read
    # off the window) gives no per-packet figure worth judging
    ns = sorted(int(k) for k in nat
                if nat[k]["packets"] >= 0.9 * nat[k]["packets_expected"]
                and nat[k].get("us_per_packet"))
    per = [nat[str(k)]["us_per_packet"] for k in ns]
    # flat = no call makes the others dearer: the worst per-call cost
    # over N calls against one call (a falling cost is fine: wake-ups
    # are shared between calls)
    flat = None
    if len(per) >= 2 and ns[0] == 1 and per[0] > 0:
        flat = round(max(per[1:]) / per[0], 3)
    for k in ns:
        r = nat[str(k)]
        row(f"  {k:>2} calls: us/packet (wake-ups/pkt)", None,
            f"{r.get('us_per_packet')} ({r.get('wakeups_per_packet')})",
            "", None)
    row(f"CPU/call flat, worst of {ns[1:]} / 1 call", None, flat,
        "<= 1.25", None if flat is None or len(ns) < 2 else flat <= 1.25)
    return rows


def write_plot(out, res):
    series = {"baresip 1.0": ((res.get("baresip") or {}).get("latency")
                              or {}).get("series"),
              "ataua": (res["ataua"].get("latency") or {}).get("series")}
    series = {k: v for k, v in series.items() if v}
    if not series:
        return "no playout data from either program"
    dat = os.path.join(out, "playout.dat")
    with open(dat, "w") as f:
        for name, s in series.items():
            f.write(f"# {name}: seconds into the call, delay ms\n")
            for t, ms in s:
                f.write(f"{t} {ms}\n")
            f.write("\n\n")
    plots = ", ".join(f"'{dat}' index {i} with linespoints title '{n}'"
                      for i, n in enumerate(series))
    missing = [n for n in ("baresip 1.0", "ataua") if n not in series]
    note = (f"set label 'no data: {', '.join(missing)}' at graph 0.02,"
            " graph 0.06\n" if missing else "")
    gp = os.path.join(out, "playout.gp")
    with open(gp, "w") as f:
        f.write("set terminal png size 900,500\n"
                f"set output '{os.path.join(out, 'playout.png')}'\n"
                "set title 'Playout delay over a call: RTP arrival on lo "
                "-> sample on the (virtual) DAC'\n"
                "set xlabel 'seconds into the call'\n"
                "set ylabel 'delay, ms'\nset yrange [0:*]\nset grid\n"
                "set key bottom right\n" + note + f"plot {plots}\n")
    try:
        subprocess.run(["gnuplot", gp], check=True, capture_output=True,
                       timeout=60)
    except (OSError, subprocess.SubprocessError) as e:
        return f"gnuplot failed: {e}"
    return "playout.png" + (f" (no data: {', '.join(missing)})"
                            if missing else "")


def callgrind_lines(mode, cg, pkt_fn):
    """The summary of a callgrind run (callgrind: receive only; duplex:
    sendrecv with capture, the DTMF detector and echo canceller on)."""
    name = "ataua callgrind" if mode == "callgrind" else \
        "ataua duplex (sendrecv, capture, DTMF detector, echo canceller)"
    if not cg or not cg.get("packets"):
        return [f"{name}: no calls of {pkt_fn} found"]
    lines = [f"{name}: {cg['packets']} calls of "
             f"{pkt_fn} in {cg['steady_s']} s, "
             f"{cg['Ir_per_packet_gross']} Ir/packet gross, "
             f"{cg['Ir_per_packet']} without the vslic sink; "
             f"idle {cg.get('idle_Ir_per_s')} Ir/s"]
    lines.append("  by object (Ir/packet): " + ", ".join(
        f"{o} {v}" for o, v in cg["by_object_per_packet"][:8]))
    lines.append("  calls/packet: " + json.dumps(cg["calls_per_packet"]))
    if cg.get("inclusive_per_packet"):
        lines.append("  inclusive Ir/packet: " + json.dumps(
            cg["inclusive_per_packet"]))
    lines.append("  top functions (self Ir/packet):")
    for f, v in cg["top_functions_per_packet"][:12]:
        lines.append(f"    {v:>7}  {f}")
    return lines


def main():
    if len(sys.argv) != 2 or not os.path.isdir(sys.argv[1]):
        sys.exit("usage: analyze.py RESULTS_DIR")
    out = os.path.abspath(sys.argv[1])
    pkt_fn = os.environ.get("PKT_FN", "call_rx_packet")
    base = os.path.join(out, "ataua")
    runs = sorted(os.listdir(base)) if os.path.isdir(base) else []
    a = {"native": {}}
    for r in runs:
        m = re.fullmatch(r"(native|latency|callgrind|duplex|stall)-(\d+)",
                         r)
        if not m:
            continue
        d = os.path.join(base, r)
        if m.group(1) == "native":
            nr = native_run(d, int(m.group(2)))
            if nr:
                a["native"][m.group(2)] = nr
        elif m.group(1) in ("callgrind", "duplex"):
            a[m.group(1)] = callgrind_run(d, pkt_fn)
        elif m.group(1) == "stall":
            a["stall"] = stall_ataua(d, JITTER_MS, period_ms(out))
        else:
            a["latency"] = latency_ataua(d)
    res = {"machine": machine(out), "ataua": a,
           "baresip": baresip_figures(os.path.join(out, "baresip"))}
    res["table"] = build_table(res)
    res["plot"] = write_plot(out, res)

    lines = [f"== ataua bench ({out})"]
    mc = res["machine"]
    for k in ("date", "uname", "nproc", "cpu", "git", "params"):
        if k in mc:
            lines.append(f"{k}: {mc[k]}")
    lines.append("")
    w = [max(len(r[i]) for r in res["table"] + [("figure", "baresip",
                                                   "ataua", "target",
                                                   "")])
         for i in range(5)]
    hdr = ("figure", "baresip", "ataua", "target", "")
    for r in [hdr] + res["table"]:
        lines.append("  ".join(c.ljust(w[i]) if i == 0 else c.rjust(w[i])
                               for i, c in enumerate(r)).rstrip())
    lines.append("")
    b = res["baresip"] or {}
    if b.get("wakeup_floor_ns"):
        lines.append(f"bare timerfd wake-up on this machine: "
                     f"{b['wakeup_floor_ns']} ns CPU")
    for mode in ("callgrind", "duplex"):
        if mode in a:
            lines += callgrind_lines(mode, a[mode], pkt_fn)
    for k, r in sorted(a["native"].items(), key=lambda x: int(x[0])):
        lines.append(f"ataua {k:>2} call(s): {r['packets']} packets "
                     f"(expected {r['packets_expected']}), CPU idle "
                     f"{r['cpu_idle_pct']} %, steady {r['cpu_steady_pct']}"
                     f" %, threads {r['threads']}, VmHWM "
                     f"{r['mem_call_kB'].get('VmHWM')} kB")
        if r["fds"] is not None:
            lines.append(f"  file descriptors {int(r['fds'])} (limit "
                         f"{int(r['fd_limit'] or 0)})")
        if r["rx_bracket_s"] > r["steady_s"] + 2:
            lines.append(f"  WARNING: the packet counters were read "
                         f"{r['rx_bracket_s']} s apart around a "
                         f"{r['steady_s']} s window: packets/CPU skewed")
        if r["packets"] < 0.97 * r["packets_expected"]:
            lines.append("  WARNING: fewer packets than the calls should"
                         " send: a call was down or the sender lagged")
    for name, lat in (("ataua", a.get("latency")),
                      ("baresip", b.get("latency"))):
        if lat:
            lat = {k: v for k, v in lat.items() if k != "series"}
            lines.append(f"{name} playout delay: {json.dumps(lat)}")
    st = a.get("stall")
    if st:
        st = dict(st)
        ss = st.pop("stalls", [])
        lines.append(f"ataua stall run: {json.dumps(st)}")
        for x in ss:
            lines.append(f"  stall {x['stall_ms']} ms: " + json.dumps(
                {k: v for k, v in x.items() if k != "stall_ms"}))
    lines.append(f"plot: {res['plot']}")
    text = "\n".join(lines) + "\n"
    with open(os.path.join(out, "summary.txt"), "w") as f:
        f.write(text)
    with open(os.path.join(out, "results.json"), "w") as f:
        json.dump(res, f, indent=1)
    sys.stdout.write(text)


if __name__ == "__main__":
    main()
