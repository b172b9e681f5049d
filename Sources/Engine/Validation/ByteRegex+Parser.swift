extension ByteRegex {
    /// A parsed pattern. Capture groups matter only to back-references; `greedy` and the order
    /// of alternatives only to what a group captures inside an (atomic) lookaround.
    indirect enum Node {
        case empty
        case chars(ScalarSet)
        case concat([Node])
        case alternation([Node])
        /// `max == nil` is unbounded.
        case repetition(Node, min: Int, max: Int?, greedy: Bool)
        case assertion(Assertion)
        /// A capturing group, numbered from 1 in the order of its `(`.
        case group(Int, Node)
        /// `\1` or `\k<name>`: the text group N captured (empty when it captured nothing).
        case backreference(Int)
        /// `(?=…)`, `(?!…)`, `(?<=…)`, `(?<!…)`.
        case look(Look, Node)

        /// Whether matching needs the backtracker: lookaround or a back-reference.
        var needsBacktracking: Bool {
            switch self {
            case .empty, .chars, .assertion: false
            case .backreference, .look: true
            case .concat(let nodes), .alternation(let nodes): nodes.contains { $0.needsBacktracking }
            case .repetition(let body, _, _, _), .group(_, let body): body.needsBacktracking
            }
        }

        /// Whether the pattern refers back to what a group captured.
        var hasBackreference: Bool {
            switch self {
            case .empty, .chars, .assertion: false
            case .backreference: true
            case .concat(let nodes), .alternation(let nodes): nodes.contains { $0.hasBackreference }
            case .repetition(let body, _, _, _), .group(_, let body), .look(_, let body): body.hasBackreference
            }
        }

        /// The capture groups inside, which a repetition clears at each iteration (as JavaScript does).
        var groups: [Int] {
            switch self {
            case .empty, .chars, .assertion, .backreference: []
            case .concat(let nodes), .alternation(let nodes): nodes.flatMap { $0.groups }
            case .repetition(let body, _, _, _), .look(_, let body): body.groups
            case .group(let index, let body): [index] + body.groups
            }
        }
    }

    struct Look: Sendable, Equatable {
        var behind: Bool
        var negative: Bool
    }

    enum Assertion: UInt8, Sendable {
        case textStart, textEnd, lineStart, lineEnd, wordBoundary, notWordBoundary
    }

    struct Flags: Sendable {
        var ignoreCase = false, multiline = false, dotAll = false, unicode = false

        init(_ letters: String) throws(SyntaxError) {
            var seen = Set<Character>()
            for letter in letters {
                guard seen.insert(letter).inserted else { throw SyntaxError("duplicate flag '\(letter)'") }
                switch letter {
                case "i": ignoreCase = true
                case "m": multiline = true
                case "s": dotAll = true
                case "u": unicode = true
                case "g", "y", "d": break
                case "v": throw SyntaxError("flag 'v' (unicode sets) is not supported")
                default: throw SyntaxError("invalid flag '\(letter)'")
                }
            }
        }
    }

    /// A recursive-descent parser for ECMAScript pattern syntax, including the Annex B
    /// leniencies of patterns without the `u` flag (a lone `]`, `{` or `}` is a literal, `\8`
    /// is `8`, `\07` is octal, `[\d-z]` is a union). Nesting depth is bounded.
    struct Parser {
        static let maxDepth = 100

        let pattern: [Unicode.Scalar]
        let flags: Flags
        var pos = 0
        var depth = 0
        let captureCount: Int
        let hasNamedGroups: Bool
        /// The number of each named group, known before parsing so `\k<y>` may come before `(?<y>…)`.
        let groupNumbers: [String: Int]
        var groupNames = Set<String>()
        var groupsOpened = 0

        init(_ pattern: String, flags: Flags) {
            self.pattern = Array(pattern.unicodeScalars)
            self.flags = flags
            (captureCount, groupNumbers) = Self.countGroups(self.pattern)
            hasNamedGroups = !groupNumbers.isEmpty
        }

        mutating func parse() throws(SyntaxError) -> Node {
            let node = try parseDisjunction()
            if pos < pattern.count { throw SyntaxError("unbalanced parenthesis") }  // a stray ")"
            return node
        }

        var unicode: Bool { flags.unicode }
        var peek: Unicode.Scalar? { pos < pattern.count ? pattern[pos] : nil }
        func peek(_ offset: Int) -> Unicode.Scalar? { pos + offset < pattern.count ? pattern[pos + offset] : nil }

        mutating func eat(_ scalar: Unicode.Scalar) -> Bool {
            guard peek == scalar else { return false }
            pos += 1
            return true
        }

        mutating func parseDisjunction() throws(SyntaxError) -> Node {
            var alternatives = [try parseAlternative()]
            while eat("|") { alternatives.append(try parseAlternative()) }
            return alternatives.count == 1 ? alternatives[0] : .alternation(alternatives)
        }

        mutating func parseAlternative() throws(SyntaxError) -> Node {
            var terms: [Node] = []
            while let scalar = peek, scalar != "|", scalar != ")" {
                terms.append(try parseTerm())
            }
            return terms.isEmpty ? .empty : terms.count == 1 ? terms[0] : .concat(terms)
        }

        mutating func parseTerm() throws(SyntaxError) -> Node {
            if let assertion = try parseAssertion() {
                if isQuantifierAhead() { throw SyntaxError("nothing to repeat") }
                return .assertion(assertion)
            }
            let start = pos
            let atom = try parseAtom()
            if case .look(let look, _) = atom, look.behind || unicode, isQuantifierAhead() {
                throw SyntaxError("invalid quantifier")  // Annex B allows only a lookahead without `u` to repeat
            }
            guard let (min, max) = try parseQuantifier() else { return atom }
            let greedy = !eat("?")
            if let max, min > max { throw SyntaxError("numbers out of order in {} quantifier") }
            if !unicode, max != 0, pattern[start] != "[", pattern[start] != "(", case .chars(let set) = atom,
                set.ranges.count == 1, let value = set.ranges.first?.lowerBound, value > 0xFFFF,
                set.ranges[0].upperBound == value
            {
                // Without `u`, JavaScript repeats only the low surrogate of a literal outside
                // the BMP: in well-formed text, `😀*` and `😀{1,3}` match one 😀, `😀{2}` nothing.
                // (`😀{0}`, a lone high surrogate there, is the empty string here.)
                return min <= 1 ? atom : .chars(ScalarSet())
            }
            return .repetition(atom, min: min, max: max, greedy: greedy)
        }

        mutating func parseAssertion() throws(SyntaxError) -> Assertion? {
            switch peek {
            case "^":
                pos += 1
                return flags.multiline ? .lineStart : .textStart
            case "$":
                pos += 1
                return flags.multiline ? .lineEnd : .textEnd
            case "\\" where peek(1) == "b":
                pos += 2
                return .wordBoundary
            case "\\" where peek(1) == "B":
                pos += 2
                return .notWordBoundary
            default:
                return nil
            }
        }

        /// `* + ? {n} {n,} {n,m}`; nil when the text is not a quantifier (a lone `{` without `u`).
        mutating func parseQuantifier() throws(SyntaxError) -> (Int, Int?)? {
            switch peek {
            case "*": pos += 1; return (0, nil)
            case "+": pos += 1; return (1, nil)
            case "?": pos += 1; return (0, 1)
            case "{":
                if let bounds = parseBraces() { return bounds }
                if unicode { throw SyntaxError("incomplete quantifier") }
                return nil
            default:
                return nil
            }
        }

        mutating func isQuantifierAhead() -> Bool {
            switch peek {
            case "*", "+", "?": return true
            case "{":
                let start = pos
                defer { pos = start }
                return parseBraces() != nil
            default: return false
            }
        }

        /// `{n}`, `{n,}` or `{n,m}` at `pos`, consumed only when well formed.
        mutating func parseBraces() -> (Int, Int?)? {
            let start = pos
            pos += 1
            if let min = parseNumber() {
                if eat("}") { return (min, min) }
                if eat(",") {
                    if eat("}") { return (min, nil) }
                    if let max = parseNumber(), eat("}") { return (min, max) }
                }
            }
            pos = start
            return nil
        }

        /// Decimal digits, saturating (JavaScript accepts `{99999999999999999999}`).
        mutating func parseNumber() -> Int? {
            var value: Int?
            while let scalar = peek, ("0"..."9").contains(scalar) {
                value = Swift.min((value ?? 0) * 10 + Int(scalar.value - 0x30), 1 << 40)
                pos += 1
            }
            return value
        }

        mutating func parseAtom() throws(SyntaxError) -> Node {
            guard let scalar = peek else { preconditionFailure("parseAtom at the end of the pattern") }
            switch scalar {
            case ".":
                pos += 1
                return .chars(flags.dotAll ? .all : .notLineTerminators)
            case "(":
                pos += 1
                return try parseGroup()
            case "[":
                pos += 1
                return .chars(try parseClass())
            case "\\":
                return try parseAtomEscape()
            case "*", "+", "?":
                throw SyntaxError("nothing to repeat")
            case "{":
                if isQuantifierAhead() { throw SyntaxError("nothing to repeat") }
                if unicode { throw SyntaxError("lone quantifier brackets") }
            case "}", "]":
                if unicode { throw SyntaxError("lone quantifier brackets") }
            default:
                break
            }
            pos += 1
            return literal(scalar.value)
        }

        func literal(_ value: UInt32) -> Node {
            let set = ScalarSet([value...value])
            return .chars(flags.ignoreCase ? set.caseClosed(unicode: unicode) : set)
        }

        mutating func parseGroup() throws(SyntaxError) -> Node {
            depth += 1
            defer { depth -= 1 }
            if depth > Self.maxDepth { throw SyntaxError("pattern nested too deeply") }
            var look: Look?
            var capture: Int?
            if eat("?") {
                switch peek {
                case ":": pos += 1
                case "=": pos += 1; look = Look(behind: false, negative: false)
                case "!": pos += 1; look = Look(behind: false, negative: true)
                case "<" where peek(1) == "=": pos += 2; look = Look(behind: true, negative: false)
                case "<" where peek(1) == "!": pos += 2; look = Look(behind: true, negative: true)
                case "<":
                    pos += 1
                    let name = try parseGroupName()
                    guard groupNames.insert(name).inserted else { throw SyntaxError("duplicate capture group name") }
                    groupsOpened += 1
                    capture = groupsOpened
                default: throw SyntaxError("invalid group")
                }
            } else {
                groupsOpened += 1
                capture = groupsOpened
            }
            let node = try parseDisjunction()
            guard eat(")") else { throw SyntaxError("unbalanced parenthesis") }
            if let look { return .look(look, node) }
            if let capture { return .group(capture, node) }
            return node
        }

        /// The name of `(?<name>` or `\k<name>` after the `<`, through the `>`.
        mutating func parseGroupName() throws(SyntaxError) -> String {
            var name = String.UnicodeScalarView()
            while let scalar = peek, scalar != ">" {
                let valid =
                    scalar == "$" || scalar == "_"
                    || (name.isEmpty
                        ? scalar.properties.isIDStart
                        : scalar.properties.isIDContinue
                            || scalar == "\u{200C}" || scalar == "\u{200D}")
                guard valid else { throw SyntaxError("invalid capture group name") }
                name.append(scalar)
                pos += 1
            }
            guard eat(">"), !name.isEmpty else { throw SyntaxError("invalid capture group name") }
            return String(name)
        }

        /// Counts capturing groups ahead of parsing, as JavaScript does to tell a backreference
        /// (`\2` with two groups) from a legacy octal escape, and numbers the named ones.
        static func countGroups(_ pattern: [Unicode.Scalar]) -> (count: Int, named: [String: Int]) {
            var count = 0, named: [String: Int] = [:], inClass = false, index = 0
            while index < pattern.count {
                switch pattern[index] {
                case "\\": index += 1
                case "[": inClass = true
                case "]": inClass = false
                case "(" where !inClass:
                    let next = index + 1 < pattern.count ? pattern[index + 1] : " "
                    let after = index + 2 < pattern.count ? pattern[index + 2] : " "
                    if next != "?" {
                        count += 1
                    } else if after == "<", index + 3 < pattern.count, pattern[index + 3] != "=", pattern[index + 3] != "!" {
                        count += 1
                        let name = pattern[(index + 3)...].prefix { $0 != ">" }
                        var text = String.UnicodeScalarView()
                        text.append(contentsOf: name)
                        if named[String(text)] == nil { named[String(text)] = count }
                    }
                default: break
                }
                index += 1
            }
            return (count, named)
        }
    }
}
