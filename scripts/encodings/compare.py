#!/usr/bin/env python3
"""Compares Intake's encoding detection with chardet and charset-normalizer on the fixtures
(Tests/Fixtures/encodings/, plus the sparse files the tests make: one name on row 2,400).
A detection is right when it reads the file as the same text as the encoding it was written in
(windows-1250 and iso-8859-2 read a file without the letters they place differently the same).
Development time only:  pip install chardet charset-normalizer;  swift build --product intake;
    python3 scripts/encodings/compare.py [--intake .build/debug/intake] [--markdown]
"""
import json, os, subprocess, sys, collections

ROOT = os.path.join(os.path.dirname(__file__), '..', '..')
FIX = os.path.join(ROOT, 'Tests', 'Fixtures', 'encodings')
INTAKE = sys.argv[sys.argv.index('--intake') + 1] if '--intake' in sys.argv else os.path.join(ROOT, '.build', 'debug', 'intake')
PY = {'windows-%d' % n: 'cp%d' % n for n in range(1250, 1259)}
PY.update({'iso-8859-%d' % n: 'iso8859_%d' % n for n in (1, 2, 5, 7, 9, 13, 15)})
PY.update({'koi8-r': 'koi8_r', 'koi8-u': 'koi8_u', 'macintosh': 'mac_roman', 'ibm850': 'cp850', 'ibm437': 'cp437', 'ibm866': 'cp866',
           'shift_jis': 'cp932', 'euc-jp': 'euc_jp', 'gbk': 'gb18030', 'gb18030': 'gb18030', 'big5': 'big5hkscs', 'euc-kr': 'cp949',
           'utf-8': 'utf-8', 'utf-16le': 'utf-16-le', 'utf-16be': 'utf-16-be', 'utf-32le': 'utf-32-le', 'utf-32be': 'utf-32-be'})

def text(data, codec):
    if not codec:
        return None
    try:
        return data.decode(codec)
    except (UnicodeDecodeError, LookupError):
        return None

def sparse(data, codec):
    """One name on row 2,400 of ASCII rows, as the tests make it."""
    lines = data.decode(codec).split('\r\n')
    rows = ['Name;City;Amount'] + ['John Smith;Springfield;%d.50' % i for i in range(2400)] + [lines[1].replace(',', ';')]
    return ('\r\n'.join(rows) + '\r\n').encode(codec)

def intake(path):
    out = subprocess.run([INTAKE, 'inspect', '--json', path], capture_output=True, text=True)
    try:
        d = json.loads(out.stdout)
    except ValueError:
        return None, out.stderr.strip()[:80]
    return d.get('encoding'), d.get('evidence', {}).get('encoding', {})

def main():
    import chardet, charset_normalizer
    rows = []
    for line in open(os.path.join(FIX, 'manifest.tsv')):
        if line.startswith('#') or not line.strip():
            continue
        name, encoding, what = line.rstrip('\n').split('\t')
        data = open(os.path.join(FIX, name), 'rb').read()
        cases = [(name, what, data)]
        if what == 'short' and not encoding.startswith('utf-'):
            cases.append((name.replace('-short', '-sparse'), 'sparse', sparse(data, PY[encoding])))
        for case, kind, payload in cases:
            want = text(payload, PY[encoding])
            path = os.path.join('/tmp', 'intake-compare-' + case)
            open(path, 'wb').write(payload)
            got, evidence = intake(path)
            cd = chardet.detect(payload)['encoding']
            best = charset_normalizer.from_bytes(payload).best()
            cn = best.encoding if best else None
            def right(e, codec=None):
                return text(payload, codec or (PY.get(e) if e else None)) == want
            unsure = isinstance(evidence, dict) and evidence.get('unsure')
            rows.append((case, encoding, kind.split(':')[0], got, right(got), unsure, cd, right(cd, cd and cd.lower()), cn, right(cn, cn)))
            os.unlink(path)
    totals = collections.Counter()
    for r in rows:
        totals['files'] += 1
        totals['intake'] += r[4]
        totals['chardet'] += r[7]
        totals['cn'] += r[9]
        totals['unsure'] += bool(r[5])
        totals[('intake', r[2])] += r[4]; totals[('chardet', r[2])] += r[7]; totals[('cn', r[2])] += r[9]; totals[('n', r[2])] += 1
    md = '--markdown' in sys.argv
    if md:
        # One line per fixture set (language and encoding): short, long, sparse, each ✓ or ✗.
        sets = collections.OrderedDict()
        for r in rows:
            key = r[0].rsplit('-', 1)[0]
            sets.setdefault(key, {})[r[2]] = r
        print('| file set (language-encoding) | Intake | chardet | charset-normalizer |')
        print('|---|---|---|---|')
        for key, kinds in sets.items():
            def marks(i, j):
                out = []
                for kind in ('short', 'long', 'sparse'):
                    r = kinds.get(kind)
                    if r:
                        out.append(('✓' if r[i] else '✗') + ('?' if j and r[j] else ''))
                return ' '.join(out)
            print('| %s | %s | %s | %s |' % (key, marks(4, 5), marks(7, None), marks(9, None)))
    else:
        for r in rows:
            print('%-40s %-13s %-6s intake=%-14s %s%s chardet=%-14s %s cn=%-12s %s' % (r[0], r[1], r[2], r[3], 'ok' if r[4] else 'XX', '?' if r[5] else ' ',
                  r[6], 'ok' if r[7] else 'XX', r[8], 'ok' if r[9] else 'XX'))
    print()
    for kind in ('short', 'long', 'sparse'):
        n = totals[('n', kind)]
        print('%s: %d files, Intake %d, chardet %d, charset-normalizer %d' % (kind, n, totals[('intake', kind)], totals[('chardet', kind)], totals[('cn', kind)]))
    print('all: %d files, Intake %d (unsure %d), chardet %d, charset-normalizer %d' % (totals['files'], totals['intake'], totals['unsure'], totals['chardet'], totals['cn']))

if __name__ == "__main__":
    main()
