import Synchronization

/// JavaScript's Unicode property escapes (`\p{Lu}`, `\P{Letter}`, `\p{gc=Nd}`, `\p{Alphabetic}`;
/// the `u` flag): a property is a set of code points, so it compiles into the same byte automaton
/// as any class and matching stays linear in the text. Built from the Swift standard library's
/// Unicode tables once per process and property.
extension ByteRegex.Parser {
    /// `\p{…}` or `\P{…}`, `pos` at the `p`/`P`.
    mutating func parsePropertyEscape() throws(SyntaxError) -> ScalarSet {
        guard let letter = peek else { throw SyntaxError("\\ at end of pattern") }
        guard unicode else {
            // Without `u`, JavaScript reads `\p{L}` as the letters `p{L}`: almost surely not meant.
            throw SyntaxError(
                "\\\(letter){…} needs the unicode flag (regexOptions.unicode: true); without it JavaScript matches the letters \(letter){…}"
            )
        }
        pos += 1
        guard eat("{") else { throw SyntaxError("invalid property name") }
        var name = ""
        while let scalar = peek, scalar != "}" {
            name.unicodeScalars.append(scalar)
            pos += 1
        }
        guard eat("}"), !name.isEmpty else { throw SyntaxError("invalid property name") }
        guard let set = ByteRegex.UnicodeProperty.set(named: name) else {
            throw SyntaxError(
                name.contains("=") && !(name.hasPrefix("gc=") || name.hasPrefix("General_Category="))
                    ? "Unicode property \\\(letter){\(name)} is not supported (general categories and binary properties such as Alphabetic are)"
                    : "invalid property name \\\(letter){\(name)}")
        }
        return letter == "P" ? set.inverted() : set
    }
}

extension ByteRegex {
    enum UnicodeProperty {
        private static let cache = Mutex<[String: ScalarSet]>([:])

        /// The general categories by their short and long names, as ECMAScript accepts them.
        static let categories: [String: [Unicode.GeneralCategory]] = {
            let pairs: [(String, String, Unicode.GeneralCategory)] = [
                ("Lu", "Uppercase_Letter", .uppercaseLetter), ("Ll", "Lowercase_Letter", .lowercaseLetter),
                ("Lt", "Titlecase_Letter", .titlecaseLetter), ("Lm", "Modifier_Letter", .modifierLetter),
                ("Lo", "Other_Letter", .otherLetter), ("Mn", "Nonspacing_Mark", .nonspacingMark),
                ("Mc", "Spacing_Mark", .spacingMark), ("Me", "Enclosing_Mark", .enclosingMark),
                ("Nd", "Decimal_Number", .decimalNumber), ("Nl", "Letter_Number", .letterNumber),
                ("No", "Other_Number", .otherNumber), ("Pc", "Connector_Punctuation", .connectorPunctuation),
                ("Pd", "Dash_Punctuation", .dashPunctuation), ("Ps", "Open_Punctuation", .openPunctuation),
                ("Pe", "Close_Punctuation", .closePunctuation), ("Pi", "Initial_Punctuation", .initialPunctuation),
                ("Pf", "Final_Punctuation", .finalPunctuation), ("Po", "Other_Punctuation", .otherPunctuation),
                ("Sm", "Math_Symbol", .mathSymbol), ("Sc", "Currency_Symbol", .currencySymbol),
                ("Sk", "Modifier_Symbol", .modifierSymbol), ("So", "Other_Symbol", .otherSymbol),
                ("Zs", "Space_Separator", .spaceSeparator), ("Zl", "Line_Separator", .lineSeparator),
                ("Zp", "Paragraph_Separator", .paragraphSeparator), ("Cc", "Control", .control), ("Cf", "Format", .format),
                ("Cs", "Surrogate", .surrogate), ("Co", "Private_Use", .privateUse), ("Cn", "Unassigned", .unassigned),
            ]
            var out: [String: [Unicode.GeneralCategory]] = [:]
            for (short, long, category) in pairs {
                out[short] = [category]
                out[long] = [category]
            }
            for (short, long) in [
                ("L", "Letter"), ("M", "Mark"), ("N", "Number"), ("P", "Punctuation"), ("S", "Symbol"), ("Z", "Separator"),
                ("C", "Other"),
            ] {
                let group = pairs.filter { $0.0.hasPrefix(short) }.map(\.2)
                out[short] = group
                out[long] = group
            }
            out["LC"] = [.uppercaseLetter, .lowercaseLetter, .titlecaseLetter]
            out["Cased_Letter"] = out["LC"]
            return out
        }()

        /// Binary properties (ECMAScript names and aliases) the standard library can answer.
        static let binary: [String: @Sendable (Unicode.Scalar.Properties) -> Bool] = [
            "Alphabetic": { $0.isAlphabetic }, "Alpha": { $0.isAlphabetic },
            "Uppercase": { $0.isUppercase }, "Upper": { $0.isUppercase },
            "Lowercase": { $0.isLowercase }, "Lower": { $0.isLowercase },
            "White_Space": { $0.isWhitespace }, "space": { $0.isWhitespace },
            "Emoji": { $0.isEmoji }, "Math": { $0.isMath }, "Hex_Digit": { $0.isHexDigit }, "ASCII_Hex_Digit": { $0.isASCIIHexDigit },
            "Ideographic": { $0.isIdeographic }, "Ideo": { $0.isIdeographic }, "Dash": { $0.isDash },
        ]

        static func set(named name: String) -> ScalarSet? {
            if let known = cache.withLock({ $0[name] }) { return known }
            var value = name
            for prefix in ["gc=", "General_Category="] where name.hasPrefix(prefix) { value = String(name.dropFirst(prefix.count)) }
            let test: (Unicode.Scalar) -> Bool
            if name == "Any" {
                return ScalarSet.all
            } else if name == "ASCII" {
                return ScalarSet([0...0x7F])
            } else if let categories = categories[value] {
                // Surrogates and unassigned code points: decided by number (no Unicode.Scalar for a surrogate).
                test = { categories.contains($0.properties.generalCategory) }
            } else if value == name, let property = binary[name] {
                test = { property($0.properties) }
            } else {
                return nil
            }
            var ranges: [ClosedRange<UInt32>] = []
            var start: UInt32?
            var code: UInt32 = 0
            while code <= ScalarSet.maxCodePoint {
                let inside = Unicode.Scalar(code).map(test) ?? (categories[value]?.contains(.surrogate) ?? false)
                if inside, start == nil { start = code }
                if !inside, let s = start {
                    ranges.append(s...(code - 1))
                    start = nil
                }
                code += 1
            }
            if let s = start { ranges.append(s...ScalarSet.maxCodePoint) }
            let set = ScalarSet(ranges)
            cache.withLock { $0[name] = set }
            return set
        }
    }
}
