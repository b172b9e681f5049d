/// How a language's text looks in letters: the cost (eighths of a bit, -8·log2 p) of each
/// letter after another, learned from natural text (`LanguageModels.swift`, generated). A
/// decoding of a file in the right code page costs about what the language's own text costs;
/// a wrong page gives letters in orders the language never writes, or symbols inside words.
struct LetterModel: Sendable {
    let language: String
    /// Lower-case letters; a letter's index is its position + 1 (0 is a word boundary).
    let letters: [UInt32]
    let index: [UInt32: UInt8]
    /// The index of any letter the language does not use.
    let foreign: UInt8
    let size: Int
    let costs: [UInt8]
    /// What the language's own text spends per non-ASCII letter (eighths of a bit).
    let expected: Double

    init(language: String, letters: String, costs hex: String, expected: Double) {
        self.language = language
        self.letters = letters.unicodeScalars.map(\.value)
        var index: [UInt32: UInt8] = [:]
        for (i, s) in self.letters.enumerated() { index[s] = UInt8(i + 1) }
        self.index = index
        self.foreign = UInt8(self.letters.count + 1)
        self.size = self.letters.count + 2
        self.costs = LetterModel.bytes(hex)
        self.expected = expected
        precondition(costs.count == size * size, "letter model \(language): \(costs.count) costs for \(size) letters")
    }

    static func bytes(_ hex: String) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(hex.utf8.count / 2)
        var high: UInt8?
        for c in hex.utf8 {
            let v = c <= 0x39 ? c - 0x30 : c - 0x61 + 10
            if let h = high { out.append(h << 4 | v); high = nil } else { high = v }
        }
        return out
    }

    static let all: [String: LetterModel] = {
        var models: [String: LetterModel] = [:]
        for (language, m) in LanguageModel.letterModels {
            models[language] = LetterModel(language: language, letters: m.letters, costs: m.costs, expected: m.expected)
        }
        return models
    }()
}

/// The same for Chinese, Japanese and Korean: the cost of each character alone (their scripts
/// have thousands of characters; which ones a text uses is what tells them apart).
struct CharacterModel: Sendable {
    let language: String
    let costs: [UInt32: UInt8]
    let floor: Int
    let expected: Double

    static let all: [String: CharacterModel] = {
        var models: [String: CharacterModel] = [:]
        for (language, m) in LanguageModel.characterModels {
            let values = LetterModel.bytes(m.costs)
            var costs: [UInt32: UInt8] = [:]
            for (i, s) in m.characters.unicodeScalars.enumerated() where i < values.count { costs[s.value] = values[i] }
            models[language] = CharacterModel(language: language, costs: costs, floor: m.floor, expected: m.expected)
        }
        return models
    }()
}

/// Namespace of the generated model data.
enum LanguageModel {}

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

/// A code page read through one language's model: for each byte above 0x7F its class and its
/// letter's index in the model.
struct PageReading {
    let page: CodePage
    let model: LetterModel
    var classes = [HighByteClass](repeating: .undefined, count: 128)
    var indices = [UInt8](repeating: 0, count: 128)

    init(page: CodePage, model: LetterModel) {
        self.page = page
        self.model = model
        for i in 0..<128 {
            let v = page.scalars[i]
            let c = HighByteClass.of(v)
            classes[i] = c
            if c == .lower || c == .upper || c == .letter, let s = Unicode.Scalar(v) {
                let lower = s.properties.lowercaseMapping.unicodeScalars.first?.value ?? v
                indices[i] = model.index[lower] ?? model.foreign
            }
        }
    }

    // Costs in eighths of a bit.
    static let symbolCost = 80, rareSymbolCost = 112, edgeCost = 64, spaceCost = 32, controlCost = 192, undefinedCost = 256
    static let messCost = 80, caseCost = 48

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
        let n = model.size
        text.withUnsafeBufferPointer { bytes in
            model.costs.withUnsafeBufferPointer { costs in
                var token = 0               // the cost of the token so far
                var tokenBytes = 0
                var tokenHigh = false       // it holds a non-ASCII byte
                var prev = 0                // the model's index of the letter before (0: no letter)
                var lastCase: UInt8 = 0     // 1 small, 2 capital, 0 none
                var capitals = 0
                var prevKind: UInt8 = 0     // 0 other, 1 letter, 2 symbol, 3 edge, 4 apostrophe
                var edgeAfterLetter = false
                for b in bytes {
                    var cur = 0
                    var letterCase: UInt8 = 0
                    var kind: UInt8 = 0
                    if b < 0x80 {
                        let lower = b | 0x20
                        guard lower >= 0x61 && lower <= 0x7A else {
                            // The token ends.
                            if prevKind == 1 { token += Int(costs[prev * n]) }
                            if tokenBytes > 0 { tokens.append(Int32(tokenHigh ? -1 - token : token)) }
                            token = 0; tokenBytes = 0; tokenHigh = false; prev = 0; lastCase = 0; capitals = 0; prevKind = 0; edgeAfterLetter = false
                            continue
                        }
                        cur = Int(lower - 0x61) + 1
                        letterCase = b & 0x20 == 0 ? 2 : 1
                        kind = 1
                        tokenBytes += 1
                    } else {
                        tokenHigh = true
                        tokenBytes += 1
                        let i = Int(b &- 0x80)
                        switch classes[i] {
                        case .lower: cur = Int(indices[i]); letterCase = 1; kind = 1
                        case .upper: cur = Int(indices[i]); letterCase = 2; kind = 1
                        case .letter: cur = Int(indices[i]); kind = 1
                        case .space: total += PageReading.spaceCost
                        case .edge: total += PageReading.edgeCost; kind = 3
                        case .apostrophe: total += PageReading.edgeCost; kind = 4
                        case .symbol: total += PageReading.symbolCost; kind = 2
                        case .rareSymbol: total += PageReading.rareSymbolCost; kind = 2
                        case .control: total += PageReading.controlCost
                        case .undefined: total += PageReading.undefinedCost
                        }
                    }
                    if kind == 1 {
                        // After a symbol, or after a quote or dash that came after a letter, a letter
                        // makes a symbol inside a word; an apostrophe before it must follow a letter.
                        if prevKind == 2 || (prevKind == 3 && edgeAfterLetter) || (prevKind == 4 && !edgeAfterLetter) { total += PageReading.messCost }
                        if prevKind == 1 {
                            if lastCase == 1 && letterCase == 2 { total += PageReading.caseCost }
                            if letterCase == 1 && capitals >= 2 { total += PageReading.caseCost }
                        }
                        token += Int(costs[prev * n + cur])
                        if letterCase == 2 { capitals = prevKind == 1 ? capitals + 1 : 1 } else if letterCase == 1 { capitals = 0 }
                        if letterCase != 0 { lastCase = letterCase }
                        prev = cur
                    } else {
                        if kind == 2 && prevKind == 1 { total += PageReading.messCost }
                        if prevKind == 1 { token += Int(costs[prev * n]) }
                        edgeAfterLetter = (kind == 3 || kind == 4) && prevKind == 1
                        prev = 0; lastCase = 0; capitals = 0
                    }
                    prevKind = kind
                }
                if prevKind == 1 { token += Int(costs[prev * n]) }
                if tokenBytes > 0 { tokens.append(Int32(tokenHigh ? -1 - token : token)) }
            }
        }
        return (tokens, total)
    }
}
