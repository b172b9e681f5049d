import func Glibc.exp2

/// Decides a file's encoding from its bytes: a BOM; the zero bytes of UTF-16 and UTF-32; strict
/// UTF-8; else each single-byte code page and multi-byte CJK encoding reads the file's
/// non-ASCII lines and is scored by models of the languages it serves (as chardet and uchardet
/// do); the reading that looks most like a language wins, by a margin measured on the bytes the
/// best two read differently.
enum EncodingDetector {
    /// Preference when two encodings read the same text (more common first).
    static let preference: [TextEncoding] = [
        .windows1252, .windows1250, .windows1251, .windows1253, .windows1254, .windows1255, .windows1256, .windows1257, .windows1258,
        .iso8859_1, .iso8859_15, .iso8859_2, .iso8859_5, .iso8859_7, .iso8859_9, .iso8859_13, .koi8R, .koi8U, .macintosh,
        .ibm850, .ibm437, .ibm866, .shiftJIS, .eucJP, .gbk, .big5, .eucKR,
    ]
    static let multiByteLanguages: [TextEncoding: String] = [
        .shiftJIS: "ja", .eucJP: "ja", .gbk: "zh-Hans", .big5: "zh-Hant", .eucKR: "ko",
    ]
    /// Below this confidence, a choice that changes the text is not made alone.
    static let sure = 0.95

    static func bom(_ head: [UInt8]) -> (encoding: TextEncoding, length: Int)? {
        if head.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { return (.utf32LE, 4) }
        if head.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { return (.utf32BE, 4) }
        if head.starts(with: [0xEF, 0xBB, 0xBF]) { return (.utf8, 3) }
        if head.starts(with: [0xFF, 0xFE]) { return (.utf16LE, 2) }
        if head.starts(with: [0xFE, 0xFF]) { return (.utf16BE, 2) }
        return nil
    }

    /// What the start of a file settles alone: a BOM, UTF-16/32 by its zero bytes, or UTF-8
    /// when the start is valid UTF-8 (a sequence cut by the sample's end is fine). Nil when the
    /// start is not UTF-8: the decision needs the evidence of the whole file.
    static func fromStart(_ head: [UInt8], complete: Bool) -> EncodingDecision? {
        if let (encoding, length) = bom(head) {
            return EncodingDecision(
                encoding, bomLength: length, method: "bom", note: "the file starts with the byte order mark of \(encoding.rawValue)")
        }
        if let unicode = zeroBytes(head) { return unicode }
        let valid = head.withUnsafeBytes { UTF8Check.validPrefixLength($0) }
        guard head.count - valid < 4 && UTF8Check.isTruncatedSequence(head[valid...]) else { return nil }
        if head.contains(where: { $0 >= 0x80 }) {
            return EncodingDecision(
                .utf8, method: "valid utf-8",
                note: "every non-ASCII byte in the first \(head.count) bytes is part of a valid UTF-8 sequence")
        }
        return EncodingDecision(
            .utf8, method: "ascii",
            note: complete
                ? "the file is ASCII: it reads the same in every encoding Intake knows"
                : "the first \(head.count) bytes are ASCII; a later byte that is not UTF-8 makes Intake decide again from the whole file")
    }

    /// UTF-16 and UTF-32 without a BOM: ASCII characters (delimiters, digits, line ends) have
    /// zero bytes on one side of each unit, and text in other encodings has no zero bytes.
    static func zeroBytes(_ head: [UInt8]) -> EncodingDecision? {
        let n = min(head.count, 64 << 10)
        guard n >= 8, head[0..<n].contains(0) else { return nil }
        var zeros = [0, 0, 0, 0]
        for i in 0..<(n & ~3) where head[i] == 0 { zeros[i & 3] += 1 }
        let units4 = n / 4
        func share(_ k: Int, _ units: Int) -> Double { Double(k) / Double(max(units, 1)) }
        if share(zeros[2], units4) > 0.9 && share(zeros[3], units4) > 0.9 && share(zeros[0], units4) < 0.05 {
            return EncodingDecision(
                .utf32LE, method: "zero bytes", note: "bytes 3 and 4 of each four are zero: UTF-32 little-endian without a byte order mark")
        }
        if share(zeros[0], units4) > 0.9 && share(zeros[1], units4) > 0.9 && share(zeros[3], units4) < 0.05 {
            return EncodingDecision(
                .utf32BE, method: "zero bytes", note: "bytes 1 and 2 of each four are zero: UTF-32 big-endian without a byte order mark")
        }
        let units = n / 2
        let even = zeros[0] + zeros[2], odd = zeros[1] + zeros[3]
        for (encoding, high, low) in [(TextEncoding.utf16LE, odd, even), (.utf16BE, even, odd)]
        where share(high, units) >= 0.05 && share(low, units) <= 0.02 {
            guard validUTF16(head[0..<(n & ~1)], little: encoding == .utf16LE) else { continue }
            let percent = Int((share(high, units) * 100).rounded())
            return EncodingDecision(
                encoding, method: "zero bytes", confidence: share(high, units) >= 0.2 ? 1 : 0.97,
                note:
                    "\(percent)% of the first \(units) two-byte units have a zero \(encoding == .utf16LE ? "second" : "first") byte and none the other: \(encoding.rawValue) without a byte order mark"
            )
        }
        return nil
    }

    static func validUTF16(_ bytes: ArraySlice<UInt8>, little: Bool) -> Bool {
        var i = bytes.startIndex
        var expectLow = false
        while i + 1 < bytes.endIndex {
            let unit = little ? UInt16(bytes[i]) | UInt16(bytes[i + 1]) << 8 : UInt16(bytes[i]) << 8 | UInt16(bytes[i + 1])
            let isHigh = unit >= 0xD800 && unit < 0xDC00, isLow = unit >= 0xDC00 && unit < 0xE000
            if expectLow != isLow { return false }
            expectLow = isHigh
            i += 2
        }
        return true
    }

    /// The decision on the evidence of the whole file. `notUTF8`: a byte was found that is not
    /// UTF-8 (the file is read again after a late surprise), so UTF-8 is no candidate.
    static func decide(_ evidence: EncodingEvidence, notUTF8: Bool = false) -> EncodingDecision {
        let whole = evidence.wholeFile ? "the whole file" : "the first \(evidence.scanned) bytes"
        if evidence.nonASCII == 0 || (evidence.validUTF8 && !notUTF8) {
            var d = EncodingDecision(
                .utf8, method: evidence.nonASCII == 0 ? "ascii" : "valid utf-8",
                note: evidence.nonASCII == 0 ? "the file is ASCII" : "every non-ASCII byte in \(whole) is part of a valid UTF-8 sequence")
            d.nonASCIIBytes = evidence.nonASCII; d.lines = evidence.lines; d.scannedBytes = evidence.scanned;
            d.wholeFile = evidence.wholeFile
            return d
        }
        var candidates = score(evidence)
        let present = Set(evidence.text.filter { $0 >= 0x80 })
        // Pages that read every byte of the file the same are one choice: the most usual of them,
        // at the best cost any of them reached (they differ only in the languages they serve).
        let rank = Dictionary(uniqueKeysWithValues: preference.enumerated().map { ($1, $0) })
        for i in candidates.indices {
            guard let page = candidates[i].encoding.codePage else { continue }
            let group = candidates.indices.filter { j in candidates[j].encoding.codePage.map { reads(page, like: $0, present) } == true }
            let cheapest = group.map { candidates[$0].total }.min() ?? candidates[i].total
            if candidates[i].total > cheapest { candidates[i].total = cheapest }
        }
        candidates.sort { $0.total != $1.total ? $0.total < $1.total : rank[$0.encoding, default: 99] < rank[$1.encoding, default: 99] }
        for i in candidates.indices {
            guard let page = candidates[i].encoding.codePage else { continue }
            if let same = candidates[..<i].first(where: {
                $0.sameTextAs == nil && $0.encoding.codePage.map { reads(page, like: $0, present) } == true
            }) {
                candidates[i].sameTextAs = same.encoding
            }
        }
        var best = candidates[0]
        var decision = EncodingDecision(best.encoding, method: "language models", note: "")
        decision.nonASCIIBytes = evidence.nonASCII; decision.lines = evidence.lines
        decision.scannedBytes = evidence.scanned; decision.wholeFile = evidence.wholeFile
        if let r = candidates.dropFirst().firstIndex(where: { $0.sameTextAs == nil }) {
            var runner = candidates[r]
            var margin = runner.total - best.total
            var differing = present
            if let a = best.encoding.codePage, let b = runner.encoding.codePage {
                // Decide by the bytes that differ, read both ways, each reading in the language its
                // reading of the whole file resembles. The letters right around those bytes decide:
                // the letter itself is what the two pages disagree on. All of them in one language
                // (that one, or another of the page's for a few bits once), so that a reading cannot
                // borrow a language per letter (Portuguese for `á`, Swedish for `ä`). The words that
                // hold them can only confirm: their other letters are read alike by both pages, and
                // where they cost more in one language than in another they measure how well each
                // language's model knows those words (Hungarian prices Spanish surnames lower than
                // Spanish does), not which page wrote them.
                differing = present.filter { a.scalars[Int($0 - 0x80)] != b.scalars[Int($0 - 0x80)] }
                let languages = [best.encoding: best.language ?? "", runner.encoding: runner.language ?? ""]
                func marginOn(_ e: EncodingEvidence, oneLanguage: Bool) -> Double? {
                    let pair = score(e, only: [best.encoding, runner.encoding], languages: languages, oneLanguage: oneLanguage)
                    guard let x = pair.first(where: { $0.encoding == best.encoding }),
                        let y = pair.first(where: { $0.encoding == runner.encoding })
                    else { return nil }
                    return y.total - x.total
                }
                if let around = marginOn(evidence.letters(around: differing), oneLanguage: true) {
                    let words = marginOn(evidence.tokens(holding: differing), oneLanguage: false) ?? 0
                    margin = (words < 0) == (around < 0) ? max(abs(words), abs(around)) : abs(around)
                    if around < 0 {
                        candidates.swapAt(0, r)
                        (best, runner) = (runner, best)
                        decision.encoding = best.encoding
                    }
                }
            }
            decision.differingBytes = differing.sorted()
            for line in evidence.text.split(separator: 0x0A) where line.contains(where: { differing.contains($0) }) {
                decision.samples.append(Array(line.prefix(160)))
                if decision.samples.count == 5 { break }
            }
            // A reading of the other kind (multi-byte against a page, or a page against a
            // multi-byte best) cuts the bytes into other characters: there are no bytes that
            // differ to compare on, and its whole cost is the measure.
            decision.note = "next best: \(runner.encoding.rawValue), \(format(margin)) bits less likely where they differ"
            let multiByte = best.encoding.codePage == nil
            if let rival = candidates.first(where: { ($0.encoding.codePage == nil) != multiByte && $0.sameTextAs == nil }),
                rival.encoding != runner.encoding, rival.total - best.total < margin
            {
                margin = max(0, rival.total - best.total)
                decision.note +=
                    "; \(rival.encoding.rawValue), which reads the bytes as other characters, \(format(margin)) bits less likely"
            }
            decision.confidence = 1 / (1 + exp2(-min(margin, 60)))
        } else {
            decision.note = "every other candidate reads these bytes the same"
        }
        // Half the lines or more valid UTF-8 and the rest not: the file mixes UTF-8 with another
        // encoding (rows pasted from two exports), and no single reading is right.
        if evidence.utf8Lines > 0 && evidence.utf8Lines * 2 >= evidence.lines {
            decision.confidence = min(decision.confidence, 0.5)
            decision.note +=
                "; \(evidence.utf8Lines) of the \(evidence.lines) lines with non-ASCII bytes are valid UTF-8 and the others are not: the file mixes UTF-8 with another encoding"
        }
        // A reading that looks like no language is no certainty either.
        if best.excess > 25 {
            decision.confidence = min(decision.confidence, 0.5)
            decision.note += "; no candidate reads like a language Intake knows"
        }
        decision.unsure = decision.confidence < sure
        if best.encoding == .gbk && hasFourByteSequences(evidence.text) {
            best.encoding = .gb18030
            candidates[0].encoding = .gb18030
            decision.encoding = .gb18030
        }
        decision.candidates = candidates
        let language = best.language.map { " (\($0))" } ?? ""
        decision.note =
            "\(evidence.nonASCII) non-ASCII bytes in \(evidence.lines) lines of \(whole) read best as \(decision.encoding.rawValue)\(language); "
            + decision.note
        return decision
    }

    static func format(_ bits: Double) -> String {
        bits.isInfinite ? "infinitely" : String(Double(Int((bits * 10).rounded())) / 10)
    }

    /// Whether two code pages read every byte in `present` as the same character.
    static func reads(_ a: CodePage, like b: CodePage, _ present: Set<UInt8>) -> Bool {
        present.allSatisfy { a.scalars[Int($0 - 0x80)] == b.scalars[Int($0 - 0x80)] }
    }

    /// Every candidate (or those in `only`), best first.
    /// `languages`: the language to read each encoding's text as (else the best of those it serves).
    /// `oneLanguage`: every token in one language (the given one, or another for `switchCost` once),
    /// instead of each token in the cheapest of the page's languages for `switchCost` more.
    static func score(
        _ evidence: EncodingEvidence, only: [TextEncoding]? = nil, languages: [TextEncoding: String] = [:], oneLanguage: Bool = false
    ) -> [EncodingCandidate] {
        let n = Double(max(evidence.nonASCII, 1))
        var out: [EncodingCandidate] = []
        // What the tokens without a non-ASCII byte cost in the cheapest page reading: every
        // reading reads them alike, so a multi-byte reading pays the same for them.
        var cheapestASCII: Int?
        var asciiPaid: [TextEncoding: Int] = [:]
        for encoding in only ?? preference {
            if let page = encoding.codePage {
                var invalid = 0
                for b in evidence.text where b >= 0x80 && page.scalars[Int(b - 0x80)] == 0 { invalid += 1 }
                // Each language reads every token; the file's language is the one that reads it
                // cheapest, and a token may read as another of the page's languages for a few
                // bits more (a customer list holds names from several countries).
                let served = (LanguageModel.pageLanguages[encoding.rawValue] ?? []).compactMap { LetterModel.all[$0] }
                // Every reading's token costs, one row per language, in one flat array.
                var flat: [Int32] = []
                var totals: [Int] = []
                var other = 0, width = 0
                for model in served {
                    let (tokens, rest) = PageReading(page: page, model: model).cost(evidence.text)
                    other = rest
                    width = tokens.count
                    flat.append(contentsOf: tokens)
                    totals.append(tokens.reduce(0) { $0 + Int($1 < 0 ? -1 - $1 : $1) })
                }
                guard !served.isEmpty else { continue }
                let fixed = languages[encoding].flatMap { l in served.firstIndex { $0.language == l } }
                var main = fixed ?? totals.indices.min { totals[$0] < totals[$1] }!
                var cost = other, high = other, asciiOnly = 0
                if oneLanguage, let fixed {
                    // One language for every token: the given one, or another of the page's for a few bits.
                    main = totals.indices.min { totals[$0] + ($0 == fixed ? 0 : switchCost) < totals[$1] + ($1 == fixed ? 0 : switchCost) }!
                    if main != fixed { cost += switchCost }
                }
                flat.withUnsafeBufferPointer { f in
                    for t in 0..<width {
                        let own = f[main * width + t]
                        var c = Int(own < 0 ? -1 - own : own)
                        // Another of the page's languages, for a few bits more.
                        do {
                            for k in 0..<served.count where k != main && !oneLanguage {
                                let x = f[k * width + t]
                                let v = Int(x < 0 ? -1 - x : x) + switchCost
                                if v < c { c = v }
                            }
                        }
                        cost += c
                        if own < 0 { high += c } else { asciiOnly += c }
                    }
                }
                let model = served[main]
                cheapestASCII = min(cheapestASCII ?? asciiOnly, asciiOnly)
                asciiPaid[encoding] = asciiOnly
                out.append(
                    EncodingCandidate(
                        encoding: encoding, language: model.language, bitsPerByte: Double(cost) / 8 / n,
                        excess: (Double(high) - model.expected * n) / 8 / n, total: Double(cost) / 8, invalid: invalid))
            } else if let language = multiByteLanguages[encoding], let model = CharacterModel.all[language], let name = encoding.iconvName,
                let converter = Iconv(from: name)
            {
                var utf8: [UInt8] = []
                _ = evidence.text.withUnsafeBytes { converter.append($0, final: true, to: &utf8) }
                // The ASCII letters cost what a letter of English costs, as the code pages'
                // readings pay for them through their models.
                let ascii =
                    asciiLettersInTokens(evidence.text) * asciiLetterCost + (cheapestASCII ?? asciiLetters(evidence.text) * asciiLetterCost)
                var cost = 0
                var characters = 0, invalid = 0
                // A character of these scripts right next to an ASCII letter is what a wrong
                // reading of accented Latin words makes ("Zo" + one ideograph + "ler").
                var previous: UInt32 = 0x20
                var previousHigh = false
                for s in String(decoding: utf8, as: UTF8.self).unicodeScalars {
                    let letter = (s.value | 0x20) >= 0x61 && (s.value | 0x20) <= 0x7A
                    if s.value < 0x80 {
                        if letter && previousHigh { cost += PageReading.messCost }
                        previous = s.value
                        previousHigh = false
                        continue
                    }
                    if (previous | 0x20) >= 0x61 && (previous | 0x20) <= 0x7A { cost += PageReading.messCost }
                    previous = s.value
                    previousHigh = true
                    characters += 1
                    if s.value == 0xFFFD { invalid += 1; cost += PageReading.undefinedCost; continue }
                    cost += model.costs[s.value].map(Int.init) ?? model.floor
                }
                // What a file is before its bytes are read: a multi-byte reading starts 4 bits behind.
                cost += multiBytePrior
                let excess = (Double(cost) - model.expected * Double(characters)) / 8
                out.append(
                    EncodingCandidate(
                        encoding: encoding, language: language, bitsPerByte: Double(cost + ascii) / 8 / n, excess: excess / n,
                        total: Double(cost + ascii) / 8, invalid: invalid))
            }
        }
        // The tokens without a non-ASCII byte read alike in every encoding: each reading pays the
        // cheapest price for them, so that how a language prices English words (`example`, `com`:
        // dear in Russian, cheap in French) never decides the encoding. They still choose the
        // language within a page (above).
        if let cheapestASCII {
            for i in out.indices {
                guard let paid = asciiPaid[out[i].encoding] else { continue }
                out[i].total += Double(cheapestASCII - paid) / 8
                out[i].bitsPerByte += Double(cheapestASCII - paid) / 8 / n
            }
        }
        let rank = Dictionary(uniqueKeysWithValues: preference.enumerated().map { ($1, $0) })
        return out.sorted { $0.total != $1.total ? $0.total < $1.total : rank[$0.encoding, default: 99] < rank[$1.encoding, default: 99] }
    }

    static let asciiLetterCost = 36, multiBytePrior = 32
    /// A token read as another language of its page than the file's (eighths of a bit).
    static let switchCost = 32

    /// The ASCII letters of the tokens (runs between ASCII spaces, digits and punctuation) that hold a byte above 0x7F.
    static func asciiLettersInTokens(_ text: [UInt8]) -> Int {
        var count = 0, token = 0
        var high = false
        for b in text {
            if b >= 0x80 { high = true; continue }
            if (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A { token += 1; continue }
            if high { count += token }
            token = 0; high = false
        }
        return high ? count + token : count
    }

    /// The ASCII letters in `text`.
    static func asciiLetters(_ text: [UInt8]) -> Int {
        var count = 0
        for b in text where (b | 0x20) >= 0x61 && (b | 0x20) <= 0x7A { count += 1 }
        return count
    }

    /// GB18030's four-byte sequences (a byte above 0x80, a digit, a byte above 0x80, a digit): GBK has none.
    static func hasFourByteSequences(_ text: [UInt8]) -> Bool {
        var i = 0
        while i + 3 < text.count {
            if text[i] >= 0x81 && text[i + 1] >= 0x30 && text[i + 1] <= 0x39 && text[i + 2] >= 0x81 && text[i + 3] >= 0x30
                && text[i + 3] <= 0x39
            {
                return true
            }
            i += 1
        }
        return false
    }

    /// Collects the evidence from `source` and decides.
    static func detect(_ source: any ByteSource, notUTF8: Bool = false) throws -> EncodingDecision {
        decide(try EncodingEvidence.collect(source.open()), notUTF8: notUTF8)
    }
}
