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
