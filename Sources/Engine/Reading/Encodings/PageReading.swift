/// What a byte above 0x7F is in a code page, for scoring.
enum HighByteClass: UInt8 {
    case lower, upper, letter, space
    /// Sits next to words: quotes, dashes, the degree sign.
    case edge
    /// An apostrophe: inside and at the end of words, not at their start.
    case apostrophe
    case symbol, rareSymbol, control, undefined

    static func of(_ v: UInt32) -> HighByteClass {
        guard v != 0, let s = Unicode.Scalar(v) else { return .undefined }
        switch v {
        case 0x2019, 0x02BC: return .apostrophe
        case 0xAB, 0xBB, 0x2018, 0x201C, 0x201D, 0x201E, 0x2039, 0x203A, 0x2013, 0x2014, 0x2026, 0xB0, 0xB7, 0xB2, 0xB3, 0xBF, 0xA1:
            return .edge
        case 0x20AC, 0xA3, 0xA5, 0xA2, 0xA7, 0xA9, 0xAE, 0x2122, 0xB1, 0xD7, 0xF7, 0xBD, 0xBC, 0xBE, 0x2116, 0xA4, 0x2022, 0xB9, 0xAD:
            return .symbol
        default: break
        }
        switch s.properties.generalCategory {
        case .lowercaseLetter: return .lower
        case .uppercaseLetter, .titlecaseLetter: return .upper
        case .otherLetter, .modifierLetter, .nonspacingMark, .spacingMark, .enclosingMark: return .letter
        case .spaceSeparator: return .space
        case .control: return .control
        default: return .rareSymbol
        }
    }
}

/// A code page read through one language's model: for each byte what it is (a letter of the
/// model, a symbol, the end of a token) and what it costs alone, packed in one table so the
/// reading is a lookup per byte.
struct PageReading {
    let model: LetterModel
    /// Per byte: bits 0-7 the model's letter index, 8-10 the kind (`Kind`), 11-12 the case
    /// (1 small, 2 capital), 13 above 0x7F, 16-31 the cost it adds alone (symbols, controls).
    var table = [UInt32](repeating: 0, count: 256)

    enum Kind: UInt32 { case end = 0, letter, symbol, edge, apostrophe, other }

    init(page: CodePage, model: LetterModel) {
        self.model = model
        for b in 0..<256 {
            var index: UInt32 = 0, kind = Kind.end, letterCase: UInt32 = 0, cost = 0
            if b < 0x80 {
                let lower = b | 0x20
                if lower >= 0x61 && lower <= 0x7A {
                    index = UInt32(lower - 0x61 + 1); kind = .letter; letterCase = b & 0x20 == 0 ? 2 : 1
                }
            } else {
                let v = page.scalars[b - 0x80]
                let c = HighByteClass.of(v)
                switch c {
                case .lower, .upper, .letter:
                    let lower = Unicode.Scalar(v).flatMap { $0.properties.lowercaseMapping.unicodeScalars.first?.value } ?? v
                    index = UInt32(model.index[lower] ?? model.foreign)
                    kind = .letter
                    letterCase = c == .lower ? 1 : c == .upper ? 2 : 0
                case .space: kind = .other; cost = PageReading.spaceCost
                case .edge: kind = .edge; cost = PageReading.edgeCost
                case .apostrophe: kind = .apostrophe; cost = PageReading.edgeCost
                case .symbol: kind = .symbol; cost = PageReading.symbolCost
                case .rareSymbol: kind = .symbol; cost = PageReading.rareSymbolCost
                case .control: kind = .other; cost = PageReading.controlCost
                case .undefined: kind = .other; cost = PageReading.undefinedCost
                }
            }
            table[b] = index | kind.rawValue << 8 | letterCase << 11 | (b >= 0x80 ? 1 << 13 : 0) | UInt32(cost) << 16
        }
    }

    // Costs in eighths of a bit.
    static let symbolCost = 80, rareSymbolCost = 112, edgeCost = 64, spaceCost = 32, controlCost = 192, undefinedCost = 256
    static let messCost = 80, caseCost = 80

    /// What `text` (lines of the file) costs read this way: the letter pairs of every token
    /// (run between ASCII spaces, digits and punctuation), so the language must explain the
    /// ASCII words too; symbols; and what no text of the language does (a symbol inside a word,
    /// a capital after a small letter, controls and undefined bytes). Returns the cost of each
    /// token's letters in order (negative for a token that holds a non-ASCII byte: -1 - cost;
    /// every page cuts a text into the same tokens: `EncodingDetector.tokens`), and the rest,
    /// which no language changes.
    func cost(_ text: [UInt8]) -> (tokens: [Int32], other: Int) {
        var total = 0
        var tokens: [Int32] = []
        tokens.reserveCapacity(text.count / 6)
        let n = model.size
        text.withUnsafeBufferPointer { bytes in
            model.costs.withUnsafeBufferPointer { costs in
                table.withUnsafeBufferPointer { table in
                    var token = 0  // the cost of the token so far
                    var tokenBytes = 0
                    var tokenHigh = false  // it holds a non-ASCII byte
                    var prev = 0  // the model's index of the letter before (0: no letter)
                    var lastCase: UInt32 = 0  // 1 small, 2 capital, 0 none
                    var capitals = 0
                    var prevKind = Kind.end.rawValue
                    var edgeAfterLetter = false
                    let letter = Kind.letter.rawValue, symbol = Kind.symbol.rawValue, edge = Kind.edge.rawValue,
                        apostrophe = Kind.apostrophe.rawValue
                    for b in bytes {
                        let e = table[Int(b)]
                        let kind = e >> 8 & 7
                        if kind == Kind.end.rawValue {
                            if prevKind == letter { token += Int(costs[prev * n]) }
                            if tokenBytes > 0 { tokens.append(Int32(tokenHigh ? -1 - token : token)) }
                            token = 0; tokenBytes = 0; tokenHigh = false; prev = 0; lastCase = 0; capitals = 0
                            prevKind = kind; edgeAfterLetter = false
                            continue
                        }
                        tokenBytes += 1
                        if e & 1 << 13 != 0 { tokenHigh = true }
                        total += Int(e >> 16)
                        if kind == letter {
                            let cur = Int(e & 0xFF), letterCase = e >> 11 & 3
                            // After a symbol, or after a quote or dash that came after a letter, a letter
                            // makes a symbol inside a word; an apostrophe before it must follow a letter.
                            if prevKind == symbol || (prevKind == edge && edgeAfterLetter) || (prevKind == apostrophe && !edgeAfterLetter) {
                                total += PageReading.messCost
                            }
                            if prevKind == letter {
                                if lastCase == 1 && letterCase == 2 { total += PageReading.caseCost }
                                if letterCase == 1 && capitals >= 2 { total += PageReading.caseCost }
                            }
                            token += Int(costs[prev * n + cur])
                            if letterCase == 2 { capitals = prevKind == letter ? capitals + 1 : 1 } else if letterCase == 1 { capitals = 0 }
                            if letterCase != 0 { lastCase = letterCase }
                            prev = cur
                        } else {
                            if kind == symbol && prevKind == letter { total += PageReading.messCost }
                            if prevKind == letter { token += Int(costs[prev * n]) }
                            edgeAfterLetter = (kind == edge || kind == apostrophe) && prevKind == letter
                            prev = 0; lastCase = 0; capitals = 0
                        }
                        prevKind = kind
                    }
                    if prevKind == letter { token += Int(costs[prev * n]) }
                    if tokenBytes > 0 { tokens.append(Int32(tokenHigh ? -1 - token : token)) }
                }
            }
        }
        return (tokens, total)
    }
}
