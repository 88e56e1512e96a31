#!/usr/bin/env python3
"""tests/integration/lib/promtext.py -- a strict reader of Prometheus'
text exposition format 0.0.4, for `atactl metrics`.

check: promtext.py check FILE
  Exits 1 with the first fault: a line that is neither a sample, a
  # HELP / # TYPE line nor another comment; a bad metric or label name;
  a label value with an escape other than \\\\ \\" \\n or a bare quote; a
  value that is no float; HELP or TYPE twice for a family, TYPE after
  its samples or of an unknown type; a family's samples not together; a
  series twice; a counter not named *_total; no final newline. Then, if
  python3-prometheus-client is installed, its parser must read it too.
  Prints the number of families and samples.
get: promtext.py get FILE NAME [LABEL=VALUE ...]
  The sum of the samples of NAME whose labels include those given
  (0 when none).
stdlib only (prometheus_client is optional).
"""

import re
import sys

NAME = r'[a-zA-Z_:][a-zA-Z0-9_:]*'
LABEL = r'[a-zA-Z_][a-zA-Z0-9_]*'
TYPES = ('counter', 'gauge', 'histogram', 'summary', 'untyped')


class Fault(Exception):
    pass


def labels_parse(text, where):
    """`k="v",k2="v2"` -> dict; strict about escapes and separators"""
    out, i = {}, 0
    while i < len(text):
        m = re.compile(LABEL + '=\"').match(text, i)
        if not m:
            raise Fault('%s: bad label at %r' % (where, text[i:]))
        key = text[i:m.end() - 2]
        i, val = m.end(), []
        while True:
            if i >= len(text):
                raise Fault('%s: unterminated label value' % where)
            c = text[i]
            if c == '\\':
                esc = text[i + 1:i + 2]
                if esc not in ('\\', '"', 'n'):
                    raise Fault('%s: bad escape \\%s' % (where, esc))
                val.append('\n' if esc == 'n' else esc)
                i += 2
            elif c == '"':
                i += 1
                break
            elif c == '\n':
                raise Fault('%s: newline in a label value' % where)
            else:
                val.append(c)
                i += 1
        if key in out:
            raise Fault('%s: label %s twice' % (where, key))
        if key.startswith('__'):
            raise Fault('%s: reserved label %s' % (where, key))
        out[key] = ''.join(val)
        if i < len(text):
            if text[i] != ',':
                raise Fault('%s: expected , at %r' % (where, text[i:]))
            i += 1
    return out


def parse(text):
    """-> (families {name: {help, type}}, samples [(name, labels, v)])"""
    if text and not text.endswith('\n'):
        raise Fault('no newline at the end')
    fams, samples, seen, done, current = {}, [], set(), set(), None
    sample_re = re.compile(r'^(%s)(?:\{(.*)\})? (\S+)(?: (-?\d+))?$' % NAME)
    for n, line in enumerate(text.split('\n')[:-1], 1):
        where = 'line %d' % n
        if line.startswith('#'):
            m = re.match(r'^# (HELP|TYPE) (%s) ?(.*)$' % NAME, line)
            if not m:
                if re.match(r'^# ?(HELP|TYPE)\b', line):
                    raise Fault('%s: malformed %r' % (where, line))
                continue
            kind, name, rest = m.groups()
            fam = fams.setdefault(name, {})
            if kind in fam:
                raise Fault('%s: %s for %s twice' % (where, kind, name))
            if name in done or (name == current and kind == 'TYPE'
                                and fam.get('samples')):
                raise Fault('%s: %s of %s after its samples' %
                            (where, kind, name))
            if kind == 'TYPE' and rest not in TYPES:
                raise Fault('%s: unknown type %r' % (where, rest))
            if kind == 'HELP' and re.search(r'\\[^\\n]', rest):
                raise Fault('%s: bad escape in HELP' % where)
            fam[kind] = rest
            if current and current != name:
                done.add(current)
            current = name
            continue
        if not line.strip():
            continue
        m = sample_re.match(line)
        if not m:
            raise Fault('%s: not a sample: %r' % (where, line))
        name, ltext, value = m.group(1), m.group(2) or '', m.group(3)
        if name in done:
            raise Fault('%s: samples of %s not together' % (where, name))
        if current and current != name:
            done.add(current)
        current = name
        try:
            v = float(value)
        except ValueError:
            raise Fault('%s: bad value %r' % (where, value))
        labels = labels_parse(ltext, where)
        key = (name, tuple(sorted(labels.items())))
        if key in seen:
            raise Fault('%s: series twice: %r' % (where, line))
        seen.add(key)
        fam = fams.setdefault(name, {})
        fam['samples'] = fam.get('samples', 0) + 1
        if fam.get('TYPE') == 'counter' and not name.endswith('_total'):
            raise Fault('%s: counter %s not named *_total' % (where, name))
        samples.append((name, labels, v))
    return fams, samples


def main():
    if len(sys.argv) < 3 or sys.argv[1] not in ('check', 'get'):
        sys.exit(__doc__)
    text = open(sys.argv[2]).read()
    try:
        fams, samples = parse(text)
    except Fault as e:
        print('promtext: %s' % e)
        sys.exit(1)
    if sys.argv[1] == 'get':
        want = dict(a.split('=', 1) for a in sys.argv[4:])
        total = sum(v for n, lb, v in samples if n == sys.argv[3] and
                    all(lb.get(k) == w for k, w in want.items()))
        print('%d' % total if total == int(total) else total)
        return
    extra = ''
    try:
        from prometheus_client.parser import text_string_to_metric_families
    except ImportError:
        pass
    else:
        n = sum(len(f.samples) for f in text_string_to_metric_families(text))
        if n != len(samples):
            print('promtext: prometheus_client read %d samples, we %d' %
                  (n, len(samples)))
            sys.exit(1)
        extra = ', prometheus_client agrees'
    print('%d families, %d samples%s' % (len(fams), len(samples), extra))


if __name__ == '__main__':
    main()
