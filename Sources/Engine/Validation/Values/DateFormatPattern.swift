/// An `outputFormat` of a `date`, `datetime` or `time` field, compiled once per schema.
///
/// Dromo documents these as Luxon format strings (https://developer.dromo.io/fields/datetime-formatting,
/// tokens at https://moment.github.io/luxon/#/formatting?id=table-of-tokens), plus its own
/// `"[ISO]"`. So: runs of one letter are tokens (`yyyy-MM-dd`, `HH:mm:ss`, `h:mm a`,
/// `MMM d, yyyy`, `X`), text in single quotes is literal (`yyyy-MM-dd'T'HH:mm`), and every
/// other character is copied. Names are English (`en-US`, Dromo's default locale).
///
/// Unlike Luxon, which prints an unknown token as it is (`YYYY` stays `YYYY`), an unknown
/// token is an error here, so a schema written with Moment/Day.js tokens fails when it is
/// checked, not in every output row.
public struct DateFormatPattern: Sendable, Hashable {
    /// Why a pattern was refused; `message` names the token and is shown to the schema author
    /// after the JSON path of the `outputFormat`.
    public struct FormatError: Error, Sendable, Hashable {
        public struct Code: Sendable, Hashable, CustomStringConvertible {
            public let rawValue: String
            public var description: String { rawValue }
            public static let empty = Code(rawValue: "empty")
            public static let unknownToken = Code(rawValue: "unknown_token")
            public static let unsupportedToken = Code(rawValue: "unsupported_token")
        }

        public var code: Code
        public var message: String
    }

    /// The pattern as the schema wrote it (or a description for the built-in defaults).
    public let pattern: String
    let elements: [Element]
    /// The literal text of the pattern, which `.literal` elements index.
    let literals: [UInt8]
    /// The pattern prints something from the date / the time (a time field whose format prints
    /// the year is probably a mistake worth a warning).
    public let usesDate: Bool
    public let usesTime: Bool

    enum Element: Sendable, Hashable {
        case literal(Range<Int>)
        case token(Token)
        case iso(ISOStyle)
    }

    enum ISOStyle: Sendable, Hashable {
        /// `yyyy-MM-dd`.
        case date
        /// `yyyy-MM-ddTHH:mm[:ss[.SSS]]` and the offset (`Z`, `+02:00`) when there is one.
        case dateTime(seconds: Bool)
        /// `HH:mm[:ss]`.
        case time(seconds: Bool)
        /// Dromo's `"[ISO]"`: whichever of the above fits what is given.
        case matching
    }

    /// Default for `date` fields: `2024-02-09`.
    public static let isoDate = DateFormatPattern(iso: .date, pattern: "yyyy-MM-dd")
    /// Default for `datetime` fields: `2024-02-09T13:45:30`, with `.250` when the seconds have
    /// a fraction and `Z` / `+02:00` when the cell gave an offset.
    public static let isoDateTime = DateFormatPattern(iso: .dateTime(seconds: true), pattern: "[ISO] datetime")
    /// Default for `time` fields: `13:45:30`.
    public static let isoTime = DateFormatPattern(iso: .time(seconds: true), pattern: "[ISO] time")
    /// Dromo's `[ISO]` for a `datetime` field without `withSeconds`: `2024-02-09T13:45`.
    public static let isoDateTimeMinutes = DateFormatPattern(iso: .dateTime(seconds: false), pattern: "[ISO] datetime, minutes")
    /// Dromo's `[ISO]` for a `time` field without `withSeconds`: `13:45`.
    public static let isoTimeMinutes = DateFormatPattern(iso: .time(seconds: false), pattern: "[ISO] time, minutes")

    /// A date alone is written `yyyy-MM-dd` (the default, and Dromo's `[ISO]`): a cell already
    /// written so (`DateValue.isISODate`) is copied as it is.
    var writesDatesAsISO: Bool { elements == [.iso(.date)] || elements == [.iso(.matching)] }

    private init(iso: ISOStyle, pattern: String) {
        self.pattern = pattern
        self.elements = [.iso(iso)]
        self.literals = []
        switch iso {
        case .date: (usesDate, usesTime) = (true, false)
        case .time: (usesDate, usesTime) = (false, true)
        case .dateTime, .matching: (usesDate, usesTime) = (true, true)
        }
    }

    /// Compiles a Luxon format string, or Dromo's `"[ISO]"`.
    public init(_ pattern: String) throws(FormatError) {
        self.pattern = pattern
        if pattern == "[ISO]" {
            self.elements = [.iso(.matching)]
            self.literals = []
            (usesDate, usesTime) = (true, true)
            return
        }
        guard !pattern.isEmpty else {
            throw FormatError(code: .empty, message: "empty format; leave outputFormat out for the default, or use \"[ISO]\"")
        }
        var elements: [Element] = []
        var literals: [UInt8] = []
        try DateFormatPattern.compile(pattern, into: &elements, literals: &literals)
        self.elements = elements
        self.literals = literals
        self.usesDate = elements.contains { if case .token(let t) = $0 { t.usesDate } else { false } }
        self.usesTime = elements.contains { if case .token(let t) = $0 { t.usesTime } else { false } }
    }

    /// Appends the elements of `pattern` (literal text goes to `literals`), expanding macros.
    private static func compile(_ pattern: String, into elements: inout [Element], literals: inout [UInt8]) throws(FormatError) {
        let bytes = Array(pattern.utf8)
        var literalStart = literals.count
        func endLiteral() {
            if literals.count > literalStart { elements.append(.literal(literalStart..<literals.count)) }
        }
        var quoted = false
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            if b == UInt8(ascii: "'") {
                quoted.toggle()
                i += 1
                continue
            }
            guard !quoted && ByteCursor.isLetter(b) else {
                literals.append(b)
                i += 1
                continue
            }
            var j = i + 1
            while j < bytes.count && bytes[j] == b { j += 1 }
            let run = String(decoding: bytes[i..<j], as: UTF8.self)
            endLiteral()
            switch Token.meaning(letter: b, count: j - i) {
            case .token(let token)?:
                elements.append(.token(token))
            case .macro(let expansion)?:
                try compile(expansion, into: &elements, literals: &literals)
            case .unsupported(let reason)?:
                throw FormatError(code: .unsupportedToken, message: "token '\(run)' in \"\(pattern)\" is not supported: \(reason)")
            case nil:
                throw FormatError(code: .unknownToken, message: Token.unknownMessage(run, in: pattern))
            }
            literalStart = literals.count
            i = j
        }
        endLiteral()
    }

    /// The formatted value. A missing time prints as midnight; a missing date prints nothing
    /// for date tokens (there is no clock to ask for today); a missing offset prints nothing
    /// for offset tokens and counts as UTC for `X` / `x`.
    public func format(date: CivilDate?, time: CivilTime?, utcOffsetSeconds: Int?) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(32)
        append(date: date, time: time, utcOffsetSeconds: utcOffsetSeconds, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `format`, appended to a byte buffer without an intermediate String.
    func append(date: CivilDate?, time: CivilTime?, utcOffsetSeconds: Int?, to out: inout some ByteSink) {
        for element in elements {
            switch element {
            case .literal(let range):
                out.append(contentsOf: literals[range])
            case .token(let token):
                token.append(date: date, time: time ?? .midnight, offset: utcOffsetSeconds, to: &out)
            case .iso(let style):
                DateFormatPattern.appendISO(style, date: date, time: time, offset: utcOffsetSeconds, to: &out)
            }
        }
    }

    static func appendISO(_ style: ISOStyle, date: CivilDate?, time: CivilTime?, offset: Int?, to out: inout some ByteSink) {
        // Written into a small stack buffer and appended once: this is the default format, met
        // on every date cell of most imports.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 96) { buffer in
            var w = FixedWriter(buffer: buffer)
            writeISO(style, date: date, time: time, offset: offset, to: &w)
            out.append(bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[0..<w.count])))
        }
    }

    private static func writeISO(_ style: ISOStyle, date: CivilDate?, time: CivilTime?, offset: Int?, to w: inout FixedWriter) {
        switch style {
        case .matching:
            switch (date, time) {
            case (.some(let date), .some(let time)):
                // Dromo's explicit "[ISO]" (Luxon's toISO) writes the offset the value has.
                writeISODate(date, to: &w)
                w.byte(UInt8(ascii: "T"))
                writeISOTime(time, seconds: true, fraction: true, to: &w)
                if let offset { writeOffset(offset, to: &w) }
            case (.some, .none): writeISO(.date, date: date, time: nil, offset: nil, to: &w)
            case (.none, _): writeISO(.time(seconds: true), date: nil, time: time, offset: nil, to: &w)
            }
        case .date:
            guard let date else { return }
            writeISODate(date, to: &w)
        case .time(let seconds):
            writeISOTime(time ?? .midnight, seconds: seconds, fraction: false, to: &w)
        case .dateTime(let seconds):
            // The default datetime output has no offset (Dromo: "output to the results in
            // ISO-8601 format, with no time zone offset"): a value with one is written as the
            // same instant in UTC, as Dromo does in a browser whose zone is UTC.
            guard var date else { return }
            var time = time ?? .midnight
            if let offset, offset != 0 { (date, time) = shiftedToUTC(date, time, offset: offset) }
            writeISODate(date, to: &w)
            w.byte(UInt8(ascii: "T"))
            writeISOTime(time, seconds: seconds, fraction: seconds, to: &w)
        }
    }

    /// The instant `date time` at `offset` seconds east of UTC, as a UTC date and time.
    static func shiftedToUTC(_ date: CivilDate, _ time: CivilTime, offset: Int) -> (CivilDate, CivilTime) {
        let seconds = date.daysSinceEpoch * 86_400 + time.hour * 3600 + time.minute * 60 + time.second - offset
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        let rest = seconds - days * 86_400
        let utcTime = CivilTime(hour: rest / 3600, minute: rest / 60 % 60, second: rest % 60, nanosecond: time.nanosecond)
        return (CivilDate(daysSinceEpoch: days), utcTime)
    }

    private static func writeOffset(_ offset: Int, to w: inout FixedWriter) {
        if offset == 0 {
            w.byte(UInt8(ascii: "Z"))
        } else {
            let minutes = abs(offset) / 60
            w.byte(offset < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            w.number(minutes / 60 % 100, width: 2)
            w.byte(UInt8(ascii: ":"))
            w.number(minutes % 60, width: 2)
        }
    }

    private static func writeISODate(_ date: CivilDate, to w: inout FixedWriter) {
        w.number(date.year, width: 4)
        w.byte(UInt8(ascii: "-"))
        w.number(date.month, width: 2)
        w.byte(UInt8(ascii: "-"))
        w.number(date.day, width: 2)
    }

    /// `HH:mm[:ss[.fff]]`; the fraction, when asked for and non-zero, has 3, 6 or 9 digits.
    private static func writeISOTime(_ time: CivilTime, seconds: Bool, fraction: Bool, to w: inout FixedWriter) {
        w.number(time.hour, width: 2)
        w.byte(UInt8(ascii: ":"))
        w.number(time.minute, width: 2)
        guard seconds else { return }
        w.byte(UInt8(ascii: ":"))
        w.number(time.second, width: 2)
        guard fraction && time.nanosecond != 0 else { return }
        w.byte(UInt8(ascii: "."))
        let ns = time.nanosecond
        if ns % 1_000_000 == 0 {
            w.number(ns / 1_000_000, width: 3)
        } else if ns % 1000 == 0 {
            w.number(ns / 1000, width: 6)
        } else {
            w.number(ns, width: 9)
        }
    }

    /// Writes into a buffer the caller sized (96 bytes hold any ISO text of these fields).
    private struct FixedWriter {
        let buffer: UnsafeMutableBufferPointer<UInt8>
        var count = 0

        @inline(__always) mutating func byte(_ b: UInt8) {
            buffer[count] = b
            count += 1
        }

        /// `value` in decimal, zero-padded to `width` digits.
        mutating func number(_ value: Int, width: Int) {
            var magnitude = value.magnitude
            if value < 0 { byte(UInt8(ascii: "-")) }
            var digits = 1
            var v = magnitude
            while v >= 10 { v /= 10; digits += 1 }
            let length = max(digits, width)
            var i = count + length - 1
            while i >= count {
                buffer[i] = UInt8(truncatingIfNeeded: 0x30 + magnitude % 10)
                magnitude /= 10
                i -= 1
            }
            count += length
        }
    }
}
