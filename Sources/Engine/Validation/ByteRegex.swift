/// A regular expression with JavaScript (ECMAScript) syntax that answers `RegExp.prototype.test`
/// over UTF-8 bytes, for the `regex_match` and `regex_exclude` validators of user schemas.
///
/// Patterns come from untrusted schemas and run on every cell, so matching takes time linear
/// in the input whatever the pattern: the pattern compiles to a Thompson NFA, the NFA to a DFA
/// ahead of time (up to a size budget, beyond which the NFA is simulated), and a match is one
/// table lookup per ASCII byte. There is no backtracking, so `(a*)*b` is as fast as `ab`.
/// Lookaround and back-references go to `Backtracker`: linear with lookaround alone (each
/// program counter and position tried once), bounded by a step limit with back-references,
/// past which `evaluate` says "undecided" instead of guessing.
///
/// Characters are Unicode scalars decoded from UTF-8: `.` and `[é-ü]` match whole characters.
/// Invalid UTF-8 decodes as U+FFFD, one per invalid byte. What is not implemented (`\p{Script=…}`,
/// the `v` flag) is a syntax error that names the construct.
///
/// Case-insensitive matching follows ECMAScript's `Canonicalize`: without `u`, the single
/// code unit upper case (so `ſ` is not `s`); with `u`, simple case folding, derived from the
/// standard library's case mappings plus the few foldings they do not imply. Both were checked
/// against node for every cased code point below U+20000.
///
/// Differences from JavaScript: without the `u` flag JavaScript sees a character outside the
/// Basic Multilingual Plane (an emoji) as two UTF-16 units; here it is one character, so
/// `/^.$/` matches "😀" (a literal such as `😀+` keeps JavaScript's meaning). The `y` flag
/// does not anchor the search (a fresh JavaScript `RegExp` with `y` only matches at 0).
public struct ByteRegex: Sendable {
    public struct SyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
        public let message: String
        public var description: String { message }

        init(_ message: String) { self.message = message }
    }

    private enum Matcher: Sendable {
        case automaton(Automaton)
        case backtracker(Backtracker)
    }

    private let matcher: Matcher

    /// How far a search with back-references goes before its answer is "undecided".
    public static var maxBacktrackingSteps: Int { Backtracker.maxSteps }

    /// flags: JavaScript flag letters, any of "i", "m", "s", "u", "g", "y" ("g"/"y" are
    /// accepted and have no effect on test(); so is "d"). Throws when the pattern is not valid
    /// JavaScript, uses an unsupported construct, or compiles to more than 20,000 instructions.
    public init(_ pattern: String, flags: String = "") throws(SyntaxError) {
        let parsedFlags = try Flags(flags)
        var parser = Parser(pattern, flags: parsedFlags)
        let node = try parser.parse()
        let word = ScalarSet.word(ignoreCase: parsedFlags.ignoreCase, unicode: parsedFlags.unicode)
        if node.needsBacktracking {
            matcher = .backtracker(try Backtracker(node, groups: parser.captureCount, flags: parsedFlags, word: word))
        } else {
            matcher = .automaton(try Automaton(try Program(node), word: word))
        }
    }

    /// Whether the pattern matches anywhere in `bytes` (UTF-8), as JavaScript's `test()`; nil
    /// when a pattern with back-references could not be decided within its step limit.
    public func evaluate(_ bytes: UnsafeRawBufferPointer) -> Bool? {
        switch matcher {
        case .automaton(let automaton): Self.run(automaton, bytes)
        case .backtracker(let backtracker): backtracker.matches(bytes)
        }
    }

    /// `evaluate`, with "undecided" as no match (for tests and callers that cannot say more).
    public func matches(_ bytes: UnsafeRawBufferPointer) -> Bool { evaluate(bytes) ?? false }

    private static func run(_ automaton: Automaton, _ bytes: UnsafeRawBufferPointer) -> Bool {
        let endColumn = automaton.endColumn
        return automaton.table.withUnsafeBufferPointer { table in
            var row = automaton.startRow
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                let start = index
                let next: Int32
                if byte < 0x80 {
                    next = table[row &+ Int(byte)]
                    index &+= 1
                } else {
                    let (value, length) = Self.decode(bytes, at: index)
                    index &+= length
                    next = table[row &+ 128 &+ automaton.classes.classOf(value)]
                }
                if next > 0 {
                    row = Int(next)
                } else if next == 0 {
                    return false
                } else if next == Automaton.match {
                    return true
                } else {
                    return automaton.simulate(fromRow: row, bytes, at: start)
                }
            }
            let end = table[row + endColumn]
            if end == Automaton.unknown { return automaton.simulate(fromRow: row, bytes, at: count) }
            return end == Automaton.match
        }
    }

    /// Whether the pattern matches anywhere in `string`, as JavaScript's `test()`.
    public func matches(_ string: String) -> Bool {
        var string = string
        return string.withUTF8 { matches(UnsafeRawBufferPointer($0)) }
    }

    public func evaluate(_ string: String) -> Bool? {
        var string = string
        return string.withUTF8 { evaluate(UnsafeRawBufferPointer($0)) }
    }

    /// The Unicode scalar at `index` and its length in bytes; U+FFFD and 1 for a byte that does
    /// not begin a well-formed sequence.
    @inline(__always)
    static func decode(_ bytes: UnsafeRawBufferPointer, at index: Int) -> (value: UInt32, length: Int) {
        let invalid: (UInt32, Int) = (0xFFFD, 1)
        let lead = UInt32(bytes[index])
        let available = bytes.count - index
        @inline(__always) func continuation(_ offset: Int) -> UInt32? {
            let byte = bytes[index + offset]
            return byte & 0xC0 == 0x80 ? UInt32(byte & 0x3F) : nil
        }
        switch lead {
        case 0..<0x80:
            return (lead, 1)
        case 0xC2..<0xE0:
            guard available >= 2, let second = continuation(1) else { return invalid }
            return ((lead & 0x1F) << 6 | second, 2)
        case 0xE0..<0xF0:
            guard available >= 3, let second = continuation(1), let third = continuation(2) else { return invalid }
            let value = (lead & 0x0F) << 12 | second << 6 | third
            guard value >= 0x800, !(0xD800...0xDFFF).contains(value) else { return invalid }
            return (value, 3)
        case 0xF0..<0xF5:
            guard available >= 4, let second = continuation(1), let third = continuation(2),
                let fourth = continuation(3)
            else { return invalid }
            let value = (lead & 0x07) << 18 | second << 12 | third << 6 | fourth
            guard (0x10000...0x10FFFF).contains(value) else { return invalid }
            return (value, 4)
        default:
            return invalid
        }
    }
}
