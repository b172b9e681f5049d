#!/usr/bin/env python3
"""Writes the code page tables and the language models Intake's encoding detection uses
(Sources/Engine/Reading/Encodings/CodePages.swift and LanguageModels.swift).

Run at development time only (Intake never runs Python):
    python3 scripts/encodings/generate_models.py [--locale-dir /usr/share/locale]

Code pages come from Python's codecs. The language models are letter-pair (bigram) costs
learned from natural text: the translated messages of the programs installed on a Debian
machine (/usr/share/locale/<lang>/LC_MESSAGES/*.mo, read with the gettext module). Only
statistics are kept (costs of letter pairs, the most frequent CJK characters), no text.
"""
import gettext, glob, math, os, re, subprocess, sys, unicodedata, collections, random

LOCALE = sys.argv[sys.argv.index('--locale-dir') + 1] if '--locale-dir' in sys.argv else '/usr/share/locale'
OUT = os.path.join(os.path.dirname(__file__), '..', '..', 'Sources', 'Engine', 'Reading', 'Encodings')

# (Intake's name, Python codec, languages it serves). Order is the preference when texts read the same.
PAGES = [
    ('windows-1252', 'cp1252', 'fr de es pt it nl sv da nb fi is ca et'),
    ('windows-1250', 'cp1250', 'pl cs sk hu sl hr ro sr_Latn de'),
    ('windows-1251', 'cp1251', 'ru uk be bg sr mk'),
    ('windows-1253', 'cp1253', 'el'),
    ('windows-1254', 'cp1254', 'tr fr de es pt it nl sv da nb fi is ca'),
    ('windows-1255', 'cp1255', 'he'),
    ('windows-1256', 'cp1256', 'ar fa'),
    ('windows-1257', 'cp1257', 'lt lv et pl'),
    ('windows-1258', 'cp1258', 'vi'),
    ('iso-8859-1', 'latin_1', 'fr de es pt it nl sv da nb fi is ca'),
    ('iso-8859-15', 'iso8859_15', 'fr de es pt it nl sv da nb fi is ca et'),
    ('iso-8859-2', 'iso8859_2', 'pl cs sk hu sl hr ro sr_Latn de'),
    ('iso-8859-5', 'iso8859_5', 'ru uk be bg sr mk'),
    ('iso-8859-7', 'iso8859_7', 'el'),
    ('iso-8859-9', 'iso8859_9', 'tr fr de es pt it nl sv da nb fi is ca'),
    ('iso-8859-13', 'iso8859_13', 'lt lv et pl'),
    ('koi8-r', 'koi8_r', 'ru bg'),
    ('koi8-u', 'koi8_u', 'uk ru be'),
    ('macintosh', 'mac_roman', 'fr de es pt it nl sv da nb fi is ca'),
    ('ibm850', 'cp850', 'fr de es pt it nl sv da nb fi is ca'),
    ('ibm437', 'cp437', 'fr de es pt it nl sv da nb fi'),
    ('ibm866', 'cp866', 'ru bg'),
]
LOCALE_DIR = {'sr_Latn': 'sr@latin', 'nb': 'nb'}
CJK = [('ja', 'ja'), ('zh-Hans', 'zh_CN'), ('zh-Hant', 'zh_TW'), ('ko', 'ko')]
TONES = '\u0300\u0301\u0303\u0309\u0323'

def messages(lang_dir):
    out = []
    for path in sorted(glob.glob(os.path.join(LOCALE, lang_dir, 'LC_MESSAGES', '*.mo'))):
        try:
            with open(path, 'rb') as f:
                cat = gettext.GNUTranslations(f)._catalog
        except Exception:
            continue
        for k, v in cat.items():
            key = k[1] if isinstance(k, tuple) else k
            if not key or not isinstance(v, str) or v == key:
                continue
            v = re.sub(r'%[-+ #0-9.$]*[a-zA-Z]|\{[^}]*\}|<[^>]*>|&[a-z]+;|\\[nt]|_(?=\w)|&(?=\w)', ' ', v)
            out.append(v)
    return out

CLDR = {}
def load_cldr(langs):
    """Names of regions, languages and time zones in each language (CLDR, through Foundation):
    the messages are poor in proper nouns, which is what a partner's file is full of."""
    exe = '/tmp/cldr_names'
    src = os.path.join(os.path.dirname(__file__), 'cldr_names.swift')
    if not os.path.exists(exe):
        subprocess.run(['swiftc', '-O', src, '-o', exe], check=True)
    ids = {l: l.replace('sr_Latn', 'sr-Latn').replace('_', '-') for l in langs}
    out = subprocess.run([exe] + list(ids.values()), capture_output=True, text=True, check=True).stdout
    back = {v: k for k, v in ids.items()}
    for line in out.splitlines():
        lang, _, text = line.partition('\t')
        CLDR[back.get(lang, lang)] = text.split(' | ')

def encodable(ch, codecs):
    for c in codecs:
        try:
            ch.encode(c)
            return True
        except UnicodeEncodeError:
            pass
    return False

def to_1258(text):
    """Vietnamese as windows-1258 writes it: precomposed where the page has the letter, else base + tone mark."""
    out = []
    for ch in unicodedata.normalize('NFC', text):
        try:
            ch.encode('cp1258'); out.append(ch); continue
        except UnicodeEncodeError:
            pass
        d = unicodedata.normalize('NFD', ch)
        tones = ''.join(c for c in d if c in TONES)
        base = unicodedata.normalize('NFC', ''.join(c for c in d if c not in TONES))
        out.append(base + tones)
    return ''.join(out)

def is_letter(ch):
    return unicodedata.category(ch)[0] in 'LM'

def words(text):
    w = []
    for ch in text.lower():
        if is_letter(ch):
            w.append(ch)
        elif w:
            yield ''.join(w); w = []
    if w:
        yield ''.join(w)

def q(cost):
    return max(0, min(255, int(round(cost * 8))))  # eighths of a bit

def language_model(lang, codecs):
    msgs = messages(LOCALE_DIR.get(lang, lang))
    # Proper nouns weigh about a fifth of the messages' words.
    names = CLDR.get(lang, [])
    if names:
        words_in = lambda texts: sum(len(t.split()) for t in texts)
        msgs += names * max(1, words_in(msgs) // (5 * max(1, words_in(names))))
    if lang == 'vi':
        msgs = [to_1258(m) for m in msgs]
    latin = lang not in ('ru', 'uk', 'be', 'bg', 'sr', 'mk', 'el', 'he', 'ar', 'fa')
    train, held = [], []
    for i, m in enumerate(msgs):
        ws = [w for w in words(m) if latin or any(ord(c) > 0x7F for c in w)]
        (held if i % 10 == 0 else train).extend(ws)
    letters = collections.Counter(c for w in train for c in w)
    total = sum(letters.values())
    alphabet = [chr(c) for c in range(ord('a'), ord('z') + 1)]
    for ch, n in letters.most_common():
        if ord(ch) > 0x7F and n / total >= 2e-4 and encodable(ch, codecs) and len(alphabet) < 72:
            alphabet.append(ch)
    index = {ch: i + 1 for i, ch in enumerate(alphabet)}   # 0 = word boundary
    foreign = len(alphabet) + 1
    n = len(alphabet) + 2
    counts = [[0] * n for _ in range(n)]
    for w in train:
        prev = 0
        for ch in w:
            cur = index.get(ch, foreign)
            counts[prev][cur] += 1
            prev = cur
        counts[prev][0] += 1
    # P(b | a) with a Dirichlet prior on how often b comes at all (a letter the corpus seldom
    # shows has little to say about what follows it), mixed with P(b) itself: the corpus is
    # program messages, names and places put letters in pairs it never shows. A letter the
    # language does not use costs at least 12 bits wherever it comes.
    unigram = [sum(counts[a][b] for a in range(n)) + 0.5 for b in range(n)]
    whole = sum(unigram)
    prior, mix = 20, 0.2
    costs = []
    for a in range(n):
        row = sum(counts[a])
        line = []
        for b in range(n):
            p = (1 - mix) * (counts[a][b] + prior * unigram[b] / whole) / (row + prior) + mix * unigram[b] / whole
            cost = -math.log2(p)
            if b == foreign:
                cost = max(cost, 12)
            line.append(q(cost))
        costs.append(line)
    # Expected cost per non-ASCII letter, on held-out words, scored as the detector does:
    # every letter pair of the words that hold a non-ASCII letter.
    spent, letters_seen = 0, 0
    for w in held:
        if not any(ord(c) > 0x7F for c in w):
            continue
        seq = [0] + [index.get(ch, foreign) for ch in w] + [0]
        spent += sum(costs[a][b] for a, b in zip(seq, seq[1:]))
        letters_seen += sum(ord(c) > 0x7F for c in w)
    expected = spent / max(1, letters_seen)   # in eighths of a bit
    return alphabet, costs, expected, len(train), letters_seen

# The characters each national standard puts first (its level 1: the common ones) and the rest,
# as (codec, lead bytes, trail bytes) ranges: names and places use common characters that the
# program messages may never show.
STANDARD = {
    'ja': ('euc_jp', [(range(0xA1, 0xA6), range(0xA1, 0xFF)), (range(0xB0, 0xD0), range(0xA1, 0xFF))], [(range(0xD0, 0xF5), range(0xA1, 0xFF))]),
    'zh_CN': ('gb2312', [(range(0xA1, 0xAA), range(0xA1, 0xFF)), (range(0xB0, 0xD8), range(0xA1, 0xFF))], [(range(0xD8, 0xF8), range(0xA1, 0xFF))]),
    'zh_TW': ('big5', [(range(0xA1, 0xA4), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF))), (range(0xA4, 0xC7), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)))],
              [(range(0xC9, 0xFA), list(range(0x40, 0x7F)) + list(range(0xA1, 0xFF)))]),
    'ko': ('euc_kr', [(range(0xA1, 0xAD), range(0xA1, 0xFF)), (range(0xB0, 0xC9), range(0xA1, 0xFF))], [(range(0xCA, 0xFE), range(0xA1, 0xFF))]),
}
LEVEL1, LEVEL2 = 14, 18   # bits for a character of the standard the messages never show

def standard_chars(lang_dir, ranges):
    codec = STANDARD[lang_dir][0]
    out = []
    for leads, trails in ranges:
        for a in leads:
            for b in trails:
                try:
                    ch = bytes([a, b]).decode(codec)
                except UnicodeDecodeError:
                    continue
                if len(ch) == 1:
                    out.append(ch)
    return out

def cjk_model(lang_dir, top=3000):
    msgs = messages(lang_dir)
    chars = collections.Counter(c for m in msgs for c in m if ord(c) > 0x7F and not c.isspace())
    total = sum(chars.values())
    ranked = chars.most_common(top)
    costs = {ch: q(-math.log2(n / total)) for ch, n in ranked}
    for ch in standard_chars(lang_dir, STANDARD[lang_dir][1]):
        costs[ch] = min(costs.get(ch, 255), q(LEVEL1))
    for ch in standard_chars(lang_dir, STANDARD[lang_dir][2]):
        costs.setdefault(ch, q(LEVEL2))
    floor = q(22)
    # Expected cost per character: the text's own characters, unseen ones at the floor.
    expected = sum(n * costs.get(ch, floor) for ch, n in chars.items()) / total
    return sorted(costs.items(), key=lambda kv: kv[1]), floor, expected, total

def swift_string(s):
    return s.replace('\\', '\\\\').replace('"', '\\"')

def main():
    # Code pages.
    lines = ['// Generated by scripts/encodings/generate_models.py from Python\'s codecs. Do not edit.', '',
             'extension CodePage {',
             '    /// The Unicode scalars of bytes 0x80...0xFF; 0 where the page leaves the byte undefined.',
             '    static let tables: [String: [UInt32]] = [']
    for name, codec, _ in PAGES:
        vals = []
        for b in range(0x80, 0x100):
            try:
                vals.append(ord(bytes([b]).decode(codec)))
            except UnicodeDecodeError:
                vals.append(0)
        for b in range(0x80):
            assert bytes([b]).decode(codec, 'replace') == chr(b) or codec in ('cp437', 'cp850', 'cp866'), (codec, b)
        rows = ',\n'.join('            ' + ', '.join('0x%04X' % v for v in vals[i:i + 16]) for i in range(0, 128, 16))
        lines.append('        "%s": [\n%s,\n        ],' % (name, rows))
    lines += ['    ]', '}', '']
    open(os.path.join(OUT, 'CodePages.swift'), 'w').write('\n'.join(lines))

    # Language models.
    langs = sorted({l for _, _, ls in PAGES for l in ls.split()})
    load_cldr(langs)
    codecs_of = collections.defaultdict(list)
    for _, codec, ls in PAGES:
        for l in ls.split():
            codecs_of[l].append(codec)
    out = ['// Generated by scripts/encodings/generate_models.py: letter-pair costs learned from the translated',
           '// messages of a Debian machine (/usr/share/locale). Do not edit.', '',
           'extension LanguageModel {',
           '    /// Languages each code page serves.',
           '    static let pageLanguages: [String: [String]] = [']
    for name, _, ls in PAGES:
        out.append('        "%s": [%s],' % (name, ', '.join('"%s"' % l for l in ls.split())))
    out += ['    ]', '',
            '    /// Per language: its letters (lower case; index 0 is a word boundary, the last a letter it does not use), the cost of each',
            '    /// letter after another in eighths of a bit (hex, row = the letter before), and the cost a text of the language spends',
            '    /// per non-ASCII letter (eighths of a bit).',
            '    static let letterModels: [String: (letters: String, costs: String, expected: Double)] = [']
    report = []
    for l in langs:
        alphabet, costs, expected, nwords, held = language_model(l, codecs_of[l])
        hexcosts = ''.join('%02x' % c for row in costs for c in row)
        out.append('        "%s": ("%s", "%s", %.1f),' % (l, swift_string(''.join(alphabet)), hexcosts, expected))
        report.append('%s: %d letters, %d training words, %d held-out non-ASCII letters, expected %.2f bits' % (l, len(alphabet), nwords, held, expected / 8))
    out += ['    ]', '',
            '    /// Per CJK language: its most frequent characters, in order, with the cost of each (eighths of a bit, hex), the cost of any',
            '    /// other character, and the cost a text of the language spends per character.',
            '    static let characterModels: [String: (characters: String, costs: String, floor: Int, expected: Double)] = [']
    for l, d in CJK:
        costs, floor, expected, total = cjk_model(d)
        out.append('        "%s": ("%s", "%s", %d, %.1f),' % (l, swift_string(''.join(c for c, _ in costs)), ''.join('%02x' % c for _, c in costs), floor, expected))
        report.append('%s: %d characters seen, floor %.2f bits, expected %.2f bits' % (l, total, floor / 8, expected / 8))
    out += ['    ]', '}', '']
    open(os.path.join(OUT, 'LanguageModels.swift'), 'w').write('\n'.join(out))
    print('\n'.join(report))

if __name__ == "__main__":
    main()
