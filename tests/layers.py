#!/usr/bin/env python3
"""
@file layers.py  The layer check of core/ (`make test`, `make ccheck`)

Reads the layer order from core/LAYERS and checks, with TAP output
(first, that the include checks catch a tree made wrong on purpose):
 1. includes: a core file includes only headers of its own row or below
 2. modules include no core header but ataua.h
 3. calls (nm of the built objects): every core symbol a core object
    uses is defined on the user's row or below
 4. no circle of files (by calls) crosses a folder
 5. file name = function prefix: an object's global symbols start with
    ata_ (the module API) or the first word of its file name
 6. each folder's first file says in its header comment what the folder
    is for ("folder core/NAME/: ...")
 7. the daemon (./ataua) exports only ata_* and the few libre functions
    core/ataua.map names (the core's rand_* on getrandom)
 8. modules use only what the daemon exports
The checks of symbols need the objects and binary of `make all`;
without them they are skipped, never passed.
"""
import glob
import os
import re
import subprocess
import sys

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..')
BUILD = os.environ.get('BUILD', 'build')
INC = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def read_layers():
    """folder (or 'ataua.h') -> row; '.' is core/ itself"""
    rows = {}
    with open('core/LAYERS') as f:
        for line in f:
            line = line.split('#', 1)[0].split()
            if not line:
                continue
            for name in line[1:]:
                rows[name] = int(line[0])
    return rows


def folder_of(path):
    """core/X/y.c -> X; core/y.c -> '.'; core/ataua.h -> 'ataua.h'"""
    rel = os.path.relpath(path, 'core')
    if rel == 'ataua.h':
        return 'ataua.h'
    parts = rel.split(os.sep)
    return parts[0] if len(parts) > 1 else '.'


def core_files():
    return sorted(glob.glob('core/*.[ch]') + glob.glob('core/*/*.[ch]'))


def check_includes(rows, bad):
    for f in core_files():
        fold = folder_of(f)
        if fold not in rows:
            bad.append('%s: folder %s is not in core/LAYERS' % (f, fold))
            continue
        for h in INC.findall(open(f).read()):
            here = os.path.join(os.path.dirname(f), h)
            if os.path.exists(here):
                target = folder_of(os.path.normpath(here))
            elif os.path.exists(os.path.join('core', h)):
                target = folder_of(os.path.join('core', h))
            else:
                bad.append('%s: includes "%s", not a core header' % (f, h))
                continue
            if target not in rows:
                bad.append('%s: "%s" is in no layer' % (f, h))
            elif rows[target] > rows[fold]:
                bad.append('%s (row %d) includes "%s" (row %d)' %
                           (f, rows[fold], h, rows[target]))


def check_module_includes(bad):
    for f in sorted(glob.glob('modules/*/*.[ch]')):
        for h in INC.findall(open(f).read()):
            own = os.path.join(os.path.dirname(f), h)
            if h != 'ataua.h' and not (os.path.exists(own) and
                                       '/' not in h):
                bad.append('%s includes "%s": a module includes '
                           'ataua.h and its own headers only' % (f, h))


def nm(obj, undefined):
    out = subprocess.run(['nm', '-u' if undefined else '--defined-only',
                          obj], capture_output=True, text=True).stdout
    if undefined:
        return {l.split()[-1] for l in out.splitlines() if l.strip()}
    return {p[2] for p in (l.split() for l in out.splitlines())
            if len(p) == 3 and p[1] in 'TDBRGSV'}


def objects():
    """core source -> its object in the daemon's build (main.c too)"""
    objs = {}
    for src in core_files():
        if src.endswith('.c') and folder_of(src) != 'cli':
            o = os.path.join(BUILD, src[:-2] + '.o')
            if not os.path.exists(o):
                return None
            objs[src] = o
    return objs


def call_graph(objs):
    definer = {}
    for src, o in objs.items():
        for s in nm(o, False):
            definer[s] = src
    edges = {}
    for src, o in objs.items():
        edges[src] = {}
        for s in nm(o, True):
            d = definer.get(s)
            if d and d != src:
                edges[src].setdefault(d, s)
    return definer, edges


def check_calls(rows, edges, bad):
    for a in sorted(edges):
        for b, s in sorted(edges[a].items()):
            ra, rb = rows[folder_of(a)], rows[folder_of(b)]
            if rb > ra:
                bad.append('%s (row %d) calls %s of %s (row %d)' %
                           (a, ra, s, b, rb))


def sccs(edges):
    """Tarjan's strongly connected components, iteratively"""
    index, low, onstack, stack, out = {}, {}, set(), [], []
    counter = [0]
    for root in sorted(edges):
        if root in index:
            continue
        work = [(root, iter(sorted(edges[root])))]
        index[root] = low[root] = counter[0]
        counter[0] += 1
        stack.append(root)
        onstack.add(root)
        while work:
            v, it = work[-1]
            w = next(it, None)
            if w is not None:
                if w not in index:
                    index[w] = low[w] = counter[0]
                    counter[0] += 1
                    stack.append(w)
                    onstack.add(w)
                    work.append((w, iter(sorted(edges.get(w, ())))))
                elif w in onstack:
                    low[v] = min(low[v], index[w])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[v])
            if low[v] == index[v]:
                comp = []
                while True:
                    w = stack.pop()
                    onstack.discard(w)
                    comp.append(w)
                    if w == v:
                        break
                out.append(sorted(comp))
    return out


def check_circles(edges, bad):
    for comp in sccs(edges):
        folders = {folder_of(f) for f in comp}
        if len(folders) > 1:
            bad.append('circle across %s: %s' %
                       (' '.join(sorted(folders)), ' '.join(comp)))


def check_prefixes(objs, bad):
    for src, o in sorted(objs.items()):
        word = os.path.basename(src)[:-2].split('_')[0]
        for s in sorted(nm(o, False)):
            if s == 'main' or s.startswith('ata_'):
                continue
            if s != word and not s.startswith(word + '_'):
                bad.append('%s defines %s: not ata_* nor %s_*' %
                           (src, s, word))


def check_folder_notes(rows, bad):
    for fold in sorted(rows):
        if fold in ('.', 'ataua.h'):
            continue
        files = sorted(glob.glob('core/%s/*.[ch]' % fold))
        if not files:
            bad.append('core/%s/: in core/LAYERS but missing' % fold)
            continue
        head = open(files[0]).read(2000)
        if ('folder core/%s/:' % fold) not in head:
            bad.append('%s: the first file of core/%s/ says what the '
                       'folder is for ("folder core/%s/: ...")' %
                       (files[0], fold, fold))


def map_globals():
    """The names core/ataua.map exports besides ata_*: libre's rand_*,
    which the core defines again"""
    text = re.sub(r'/\*.*?\*/', '', open('core/ataua.map').read(), flags=re.S)
    part = text.split('global:', 1)[1].split('local:', 1)[0]
    return {w.strip() for w in part.split(';') if w.strip()} - {'ata_*'}


def daemon_exports():
    out = subprocess.run(['nm', '-D', '--defined-only', 'ataua'],
                         capture_output=True, text=True).stdout
    return {p[2] for p in (l.split() for l in out.splitlines())
            if len(p) == 3}


def check_exports(bad):
    named = map_globals()
    for s in sorted(daemon_exports()):
        if not s.startswith('ata_') and s not in named and \
           not s.startswith(('_', '__')) and s not in ('_init', '_fini'):
            bad.append('ataua exports %s: not ata_* nor named in '
                       'core/ataua.map' % s)


def check_module_symbols(definer, bad):
    exported = daemon_exports()
    for o in sorted(glob.glob(os.path.join(BUILD, 'modules/*/*.o'))):
        for s in sorted(nm(o, True)):
            if s in definer and s not in exported:
                bad.append('%s uses %s of %s, which the daemon does not '
                           'export (core/ataua.map)' % (o, s, definer[s]))


def check_selftest(bad):
    """The include checks on a small tree made wrong on purpose: a test
    that cannot fail is no test"""
    import tempfile
    here = os.getcwd()
    with tempfile.TemporaryDirectory() as tmp:
        for path, text in (
                ('core/LAYERS', '1 dsp base ataua.h\n2 conf\n8 .\n'),
                ('core/ataua.h', ''),
                ('core/dsp/a.c', '#include "conf/c.h"\n'),
                ('core/conf/c.h', '#include "dsp/a.h"\n'),
                ('core/dsp/a.h', ''),
                ('modules/m/m.c', '#include "ataua.h"\n'
                 '#include "base/log.h"\n')):
            os.makedirs(os.path.join(tmp, os.path.dirname(path)),
                        exist_ok=True)
            with open(os.path.join(tmp, path), 'w') as f:
                f.write(text)
        os.chdir(tmp)
        try:
            found = []
            check_includes(read_layers(), found)
            check_module_includes(found)
        finally:
            os.chdir(here)
    want = ['core/dsp/a.c (row 1) includes "conf/c.h" (row 2)',
            'modules/m/m.c includes "base/log.h": a module includes '
            'ataua.h and its own headers only']
    if found != want:
        bad.append('on a wrong tree it found %r, not %r' % (found, want))


def main():
    os.chdir(ROOT)
    rows = read_layers()
    objs = objects()
    definer = edges = None
    if objs is not None:
        definer, edges = call_graph(objs)
    checks = [
        ('the check finds a wrong include', check_selftest),
        ('core includes point down', lambda b: check_includes(rows, b)),
        ('modules include only ataua.h', check_module_includes),
        ('core calls point down',
         edges and (lambda b: check_calls(rows, edges, b))),
        ('no circle of files crosses a folder',
         edges and (lambda b: check_circles(edges, b))),
        ('file name = function prefix',
         objs and (lambda b: check_prefixes(objs, b))),
        ('each folder says what it is for',
         lambda b: check_folder_notes(rows, b)),
        ('the daemon exports only the module API',
         os.path.exists('ataua') and definer and check_exports),
        ('modules use only what the daemon exports',
         os.path.exists('ataua') and definer and
         (lambda b: check_module_symbols(definer, b))),
    ]
    print('1..%d' % len(checks))
    failed = 0
    for n, (name, fn) in enumerate(checks, 1):
        if not fn:
            print('ok %d - %s # SKIP no objects: run make all first' %
                  (n, name))
            continue
        bad = []
        fn(bad)
        if bad:
            failed += 1
            print('not ok %d - %s' % (n, name))
            for line in bad:
                print('#   ' + line)
        else:
            print('ok %d - %s' % (n, name))
    return 1 if failed else 0


if __name__ == '__main__':
    sys.exit(main())
