extension ByteRegex.Parser {
    typealias Node = ByteRegex.Node
    typealias ScalarSet = ByteRegex.ScalarSet
    typealias SyntaxError = ByteRegex.SyntaxError

    /// What a `[…]` element stands for: one code point (a possible range end) or a set.
    enum ClassAtom {
        case char(UInt32)
        case set(ScalarSet)
    }

    /// `\…` outside a character class, `pos` at the backslash.
    mutating func parseAtomEscape() throws(SyntaxError) -> Node {
        pos += 1
        guard let scalar = peek else { throw SyntaxError("\\ at end of pattern") }
        switch scalar {
        case "1"..."9":
            let start = pos
            let number = parseNumber() ?? 0
            if number <= captureCount { return .backreference(number) }
            if unicode { throw SyntaxError("invalid escape") }
            pos = start
            return literal(legacyOctal())
        case "k" where unicode || hasNamedGroups:
            pos += 1
            guard eat("<"), let name = try? parseGroupName() else { throw SyntaxError("invalid named reference") }
            guard let number = groupNumbers[name] else { throw SyntaxError("invalid named capture referenced") }
            return .backreference(number)
        case "d", "D", "s", "S", "w", "W":
            pos += 1
            return .chars(classEscapeSet(scalar))
        case "p" where unicode || peek(1) == "{", "P" where unicode || peek(1) == "{":
            let set = try parsePropertyEscape()
            return .chars(flags.ignoreCase ? set.caseClosed(unicode: unicode) : set)
        case "0" where unicode && peek(1).map(Self.isDigit) == true:
            throw SyntaxError("invalid decimal escape")
        default:
            // nil: `\c` not followed by a letter, which is a backslash and then a `c`.
            return literal(try parseCharacterEscape(inClass: false) ?? 0x5C)
        }
    }

    /// `[…]`, `pos` after the `[`.
    mutating func parseClass() throws(SyntaxError) -> ScalarSet {
        let negated = eat("^")
        var ranges: [ClosedRange<UInt32>] = []
        while true {
            guard let scalar = peek else { throw SyntaxError("unterminated character class") }
            if scalar == "]" {
                pos += 1
                break
            }
            let first = try parseClassAtom()
            guard peek == "-", let after = peek(1), after != "]" else {
                add(first, to: &ranges)
                continue
            }
            pos += 1
            let second = try parseClassAtom()
            switch (first, second) {
            case (.char(let low), .char(let high)):
                guard low <= high else { throw SyntaxError("range out of order in character class") }
                ranges.append(low...high)
            default:
                if unicode { throw SyntaxError("invalid character class") }
                add(first, to: &ranges)  // Annex B: [\d-z] is \d, "-" and "z"
                ranges.append(0x2D...0x2D)
                add(second, to: &ranges)
            }
        }
        var set = ScalarSet(ranges)
        if flags.ignoreCase { set = set.caseClosed(unicode: unicode) }
        return negated ? set.inverted() : set
    }

    func add(_ atom: ClassAtom, to ranges: inout [ClosedRange<UInt32>]) {
        switch atom {
        case .char(let value): ranges.append(value...value)
        case .set(let set): ranges += set.ranges
        }
    }

    mutating func parseClassAtom() throws(SyntaxError) -> ClassAtom {
        guard let scalar = peek else { throw SyntaxError("unterminated character class") }
        pos += 1
        guard scalar == "\\" else { return .char(scalar.value) }
        guard let escaped = peek else { throw SyntaxError("\\ at end of pattern") }
        switch escaped {
        case "d", "D", "s", "S", "w", "W":
            pos += 1
            return .set(classEscapeSet(escaped))
        case "p" where unicode || peek(1) == "{", "P" where unicode || peek(1) == "{":
            return .set(try parsePropertyEscape())
        case "1"..."9":
            if unicode { throw SyntaxError("invalid class escape") }
            return .char(legacyOctal())
        case "0" where unicode && peek(1).map(Self.isDigit) == true:
            throw SyntaxError("invalid class escape")
        case "k" where hasNamedGroups:
            throw SyntaxError("invalid escape")
        default:
            return .char(try parseCharacterEscape(inClass: true) ?? 0x5C)
        }
    }

    func classEscapeSet(_ letter: Unicode.Scalar) -> ScalarSet {
        let word = ScalarSet.word(ignoreCase: flags.ignoreCase, unicode: unicode)
        switch letter {
        case "d": return .digits
        case "D": return ScalarSet.digits.inverted()
        case "s": return .space
        case "S": return ScalarSet.space.inverted()
        case "w": return word
        default: return word.inverted()
        }
    }

    /// A CharacterEscape or IdentityEscape, `pos` after the backslash. Returns nil, with `pos`
    /// back at the backslash's successor, for a `\c` that has no control letter (Annex B).
    mutating func parseCharacterEscape(inClass: Bool) throws(SyntaxError) -> UInt32? {
        guard let scalar = peek else { throw SyntaxError("\\ at end of pattern") }
        pos += 1
        switch scalar {
        case "f": return 0x0C
        case "n": return 0x0A
        case "r": return 0x0D
        case "t": return 0x09
        case "v": return 0x0B
        case "b" where inClass: return 0x08
        case "-" where inClass: return 0x2D
        case "0" where !(peek.map(Self.isDigit) ?? false): return 0
        case "0":
            pos -= 1
            return legacyOctal()
        case "c":
            if let letter = peek,
                ("a"..."z").contains(letter) || ("A"..."Z").contains(letter)
                    || (inClass && !unicode && (Self.isDigit(letter) || letter == "_"))
            {
                pos += 1
                return letter.value % 32
            }
            if unicode { throw SyntaxError("invalid escape") }
            pos -= 1
            return nil
        case "x":
            if let high = hexValue(peek), let low = hexValue(peek(1)) {
                pos += 2
                return high << 4 | low
            }
            if unicode { throw SyntaxError("invalid escape") }
            return scalar.value
        case "u":
            if let value = try parseUnicodeEscape() { return value }
            if unicode { throw SyntaxError("invalid Unicode escape") }
            return scalar.value
        default:
            if unicode && !"^$\\.*+?()[]{}|/".unicodeScalars.contains(scalar) {
                throw SyntaxError("invalid escape")
            }
            return scalar.value
        }
    }

    /// After `\u`: `HHHH` (a surrogate pair `\uD83D\uDE00` is one code point) or, with the
    /// `u` flag, `{H…}`. Nil when no escape follows.
    mutating func parseUnicodeEscape() throws(SyntaxError) -> UInt32? {
        if unicode && peek == "{" {
            pos += 1
            var value: UInt32 = 0, digits = 0
            while let digit = hexValue(peek) {
                value = Swift.min(value << 4 | digit, 0x110000)
                digits += 1
                pos += 1
            }
            guard digits > 0, eat("}"), value <= ScalarSet.maxCodePoint else {
                throw SyntaxError("invalid Unicode escape")
            }
            return value
        }
        guard let value = fourHexDigits(at: pos) else { return nil }
        pos += 4
        if (0xD800...0xDBFF).contains(value), peek == "\\", peek(1) == "u",
            let low = fourHexDigits(at: pos + 2), (0xDC00...0xDFFF).contains(low)
        {
            pos += 6
            return 0x10000 + (value - 0xD800) << 10 + (low - 0xDC00)
        }
        return value
    }

    func fourHexDigits(at index: Int) -> UInt32? {
        var value: UInt32 = 0
        for offset in 0..<4 {
            guard let digit = hexValue(index + offset < pattern.count ? pattern[index + offset] : nil) else { return nil }
            value = value << 4 | digit
        }
        return value
    }

    func hexValue(_ scalar: Unicode.Scalar?) -> UInt32? {
        guard let scalar else { return nil }
        switch scalar {
        case "0"..."9": return scalar.value - 0x30
        case "a"..."f": return scalar.value - 0x61 + 10
        case "A"..."F": return scalar.value - 0x41 + 10
        default: return nil
        }
    }

    /// Annex B without `u`: `\8` and `\9` are the digits; otherwise up to three octal digits
    /// worth at most 0o377. `pos` at the first digit.
    mutating func legacyOctal() -> UInt32 {
        let first = pattern[pos]
        pos += 1
        guard ("0"..."7").contains(first) else { return first.value }
        var value = first.value - 0x30
        let maxDigits = value <= 3 ? 2 : 1
        for _ in 0..<maxDigits {
            guard let next = peek, ("0"..."7").contains(next) else { break }
            value = value * 8 + next.value - 0x30
            pos += 1
        }
        return value
    }

    static func isDigit(_ scalar: Unicode.Scalar) -> Bool { ("0"..."9").contains(scalar) }
}
