#!/usr/bin/env python3
"""A second comparison, on running text rather than names: for each language and each code page
that serves it, a file of 12 held-out program messages (those generate_models.py does not learn
from: every tenth), one to a line, written in that page. Same judging as compare.py.
Development time only:  python3 scripts/encodings/compare_text.py [--intake PATH]
"""
import os, sys, subprocess, json, collections
sys.path.insert(0, os.path.dirname(__file__))
import generate_models as g
import compare as c

def main():
    import chardet, charset_normalizer
    totals = collections.Counter()
    misses = []
    for name, codec, langs in g.PAGES:
        for lang in langs.split():
            msgs = g.messages(g.LOCALE_DIR.get(lang, lang))
            held = [m for i, m in enumerate(msgs) if i % 10 == 0]
            if lang == 'vi':
                held = [g.to_1258(m) for m in held]
            lines = []
            for m in held:
                m = ' '.join(m.split())
                if len(m) < 20 or not any(ord(ch) > 0x7F for ch in m):
                    continue
                try:
                    m.encode(codec)
                except UnicodeEncodeError:
                    continue
                lines.append(m)
                if len(lines) == 12:
                    break
            if len(lines) < 12:
                continue
            payload = ('\n'.join(lines) + '\n').encode(codec)
            want = payload.decode(codec)
            path = '/tmp/intake-text-%s-%s.txt' % (lang, name)
            open(path, 'wb').write(payload)
            got, evidence = c.intake(path)
            os.unlink(path)
            cd = chardet.detect(payload)['encoding']
            best = charset_normalizer.from_bytes(payload).best()
            cn = best.encoding if best else None
            def right(e, codec=None):
                return c.text(payload, codec or (c.PY.get(e) if e else None)) == want
            ok = right(got)
            unsure = isinstance(evidence, dict) and evidence.get('unsure')
            totals['files'] += 1
            totals['intake'] += ok
            totals['unsure_wrong'] += (not ok) and bool(unsure)
            totals['unsure_right'] += ok and bool(unsure)
            totals['chardet'] += right(cd, cd and cd.lower())
            totals['cn'] += right(cn, cn)
            if not ok:
                misses.append('%s in %s read as %s%s' % (lang, name, got, ' (unsure)' if unsure else ''))
    print('\n'.join(misses))
    print('running text: %d files, Intake %d (and %d wrong but unsure; %d right but unsure), chardet %d, charset-normalizer %d' % (
        totals['files'], totals['intake'], totals['unsure_wrong'], totals['unsure_right'], totals['chardet'], totals['cn']))

main()
