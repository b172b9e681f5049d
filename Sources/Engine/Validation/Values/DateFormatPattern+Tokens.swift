extension DateFormatPattern {
    /// One Luxon token (https://moment.github.io/luxon/#/formatting?id=table-of-tokens).
    /// Luxon's macro tokens (`D`, `DD`, `t`, `f`, …) are expanded when the pattern is compiled
    /// into the tokens that spell their `en-US` rendering.
    enum Token: Sendable, Hashable {
        case millisecond(width: Int)  // S, SSS, u
        case second(width: Int)  // s, ss
        case minute(width: Int)  // m, mm
        case hour12(width: Int)  // h, hh
        case hour24(width: Int)  // H, HH
        case offset(OffsetStyle)  // Z, ZZ, ZZZ
        case meridiem  // a
        case day(width: Int)  // d, dd
        case weekdayNumber  // c, E
        case weekdayName(length: Int)  // ccc, cccc, ccccc, EEE, EEEE, EEEEE
        case month(width: Int)  // L, LL, M, MM
        case monthName(length: Int)  // LLL, LLLL, LLLLL, MMM, MMMM, MMMMM
        case year(width: Int)  // y, yyyy, yyyyyy
        case twoDigitYear  // yy
        case era(length: Int)  // G, GG, GGGGG
        case weekYear(twoDigits: Bool)  // kk, kkkk
        case weekNumber(width: Int)  // W, WW
        case ordinal(width: Int)  // o, ooo
        case quarter(width: Int)  // q, qq
        case unixSeconds  // X
        case unixMilliseconds  // x

        enum OffsetStyle: Sendable, Hashable {
            case narrow  // +5, +5:30
            case short  // +05:00
            case techie  // +0500
        }

        static let full = 99  // a name length meaning "the whole name"

        /// What `count` repetitions of `letter` mean in a Luxon format string.
        enum Meaning {
            case token(Token)
            /// A macro token (`D`, `DD`, `t`, `f`, …): the pattern of its `en-US` rendering.
            case macro(String)
            /// A Luxon token Intake cannot print, and why.
            case unsupported(String)
        }

        /// The meaning of `count` repetitions of `letter`, nil when Luxon has no such token.
        static func meaning(letter: UInt8, count n: Int) -> Meaning? {
            guard let token = Token(letter: letter, count: n) else { return macroOrUnsupported(letter: letter, count: n) }
            return .token(token)
        }

        private static func macroOrUnsupported(letter: UInt8, count n: Int) -> Meaning? {
            switch (Character(Unicode.Scalar(letter)), n) {
            case ("Z", 4...5), ("z", 1):
                return .unsupported("it prints a time zone name, and Intake keeps only UTC offsets (use ZZ for +05:00)")
            case ("D", 1): return .macro("M/d/y")
            case ("D", 2): return .macro("MMM d, y")
            case ("D", 3): return .macro("MMMM d, y")
            case ("D", 4): return .macro("EEEE, MMMM d, y")
            case ("t", 1): return .macro("h:mm a")
            case ("t", 2): return .macro("h:mm:ss a")
            case ("T", 1): return .macro("HH:mm")
            case ("T", 2): return .macro("HH:mm:ss")
            case ("f", 1): return .macro("M/d/y, h:mm a")
            case ("f", 2): return .macro("MMM d, y, h:mm a")
            case ("F", 1): return .macro("M/d/y, h:mm:ss a")
            case ("F", 2): return .macro("MMM d, y, h:mm:ss a")
            case ("t", 3...4), ("T", 3...4), ("f", 3...4), ("F", 3...4):
                return .unsupported("it prints a time zone name, and Intake keeps only UTC offsets")
            default: return nil
            }
        }

        private init?(letter: UInt8, count n: Int) {
            switch (Character(Unicode.Scalar(letter)), n) {
            case ("S", 1): self = .millisecond(width: 0)
            case ("S", 3), ("u", 1): self = .millisecond(width: 3)
            case ("s", 1...2): self = .second(width: n)
            case ("m", 1...2): self = .minute(width: n)
            case ("h", 1...2): self = .hour12(width: n)
            case ("H", 1...2): self = .hour24(width: n)
            case ("Z", 1): self = .offset(.narrow)
            case ("Z", 2): self = .offset(.short)
            case ("Z", 3): self = .offset(.techie)
            case ("a", 1): self = .meridiem
            case ("d", 1...2): self = .day(width: n)
            case ("c", 1), ("E", 1): self = .weekdayNumber
            case ("c", 3), ("E", 3): self = .weekdayName(length: 3)
            case ("c", 4), ("E", 4): self = .weekdayName(length: Token.full)
            case ("c", 5), ("E", 5): self = .weekdayName(length: 1)
            case ("L", 1...2), ("M", 1...2): self = .month(width: n)
            case ("L", 3), ("M", 3): self = .monthName(length: 3)
            case ("L", 4), ("M", 4): self = .monthName(length: Token.full)
            case ("L", 5), ("M", 5): self = .monthName(length: 1)
            case ("y", 1): self = .year(width: 0)
            case ("y", 2): self = .twoDigitYear
            case ("y", 4): self = .year(width: 4)
            case ("y", 6): self = .year(width: 6)
            case ("G", 1): self = .era(length: 2)
            case ("G", 2): self = .era(length: Token.full)
            case ("G", 5): self = .era(length: 1)
            case ("k", 2): self = .weekYear(twoDigits: true)
            case ("k", 4): self = .weekYear(twoDigits: false)
            case ("W", 1...2): self = .weekNumber(width: n)
            case ("o", 1): self = .ordinal(width: 0)
            case ("o", 3): self = .ordinal(width: 3)
            case ("q", 1...2): self = .quarter(width: n)
            case ("X", 1): self = .unixSeconds
            case ("x", 1): self = .unixMilliseconds
            default: return nil
            }
        }

        var usesDate: Bool {
            switch self {
            case .day, .weekdayNumber, .weekdayName, .month, .monthName, .year, .twoDigitYear, .era,
                .weekYear, .weekNumber, .ordinal, .quarter, .unixSeconds, .unixMilliseconds:
                return true
            default:
                return false
            }
        }

        var usesTime: Bool {
            switch self {
            case .millisecond, .second, .minute, .hour12, .hour24, .meridiem, .unixSeconds, .unixMilliseconds:
                return true
            default:
                return false
            }
        }

        /// The error message for a letter run that is no Luxon token, with the Luxon spelling
        /// when the author evidently wrote Moment / Day.js tokens.
        static func unknownMessage(_ run: String, in pattern: String) -> String {
            let hints = [
                "YYYY": "yyyy", "YY": "yy", "Y": "y", "A": "a", "dddd": "EEEE", "ddd": "EEE",
                "DDDDD": "o", "SS": "SSS", "Do": "d", "N": "G", "ZZZZ": "ZZ",
            ]
            var message = "unknown token '\(run)' in \"\(pattern)\""
            if let hint = hints[run] { message += " (did you mean '\(hint)'?)" }
            message += "; formats use Luxon tokens such as yyyy-MM-dd, HH:mm:ss, h:mm a, with literal text in single quotes"
            return message
        }

        /// Appends this token's text. Date tokens print nothing without a date; offset tokens
        /// print nothing without an offset.
        func append(date: CivilDate?, time: CivilTime, offset: Int?, to out: inout some ByteSink) {
            switch self {
            case .millisecond(let w): Token.appendNumber(time.nanosecond / 1_000_000, width: w, to: &out)
            case .second(let w): Token.appendNumber(time.second, width: w, to: &out)
            case .minute(let w): Token.appendNumber(time.minute, width: w, to: &out)
            case .hour12(let w): Token.appendNumber(time.hour % 12 == 0 ? 12 : time.hour % 12, width: w, to: &out)
            case .hour24(let w): Token.appendNumber(time.hour, width: w, to: &out)
            case .meridiem:
                out.append(time.hour < 12 ? UInt8(ascii: "A") : UInt8(ascii: "P"))
                out.append(UInt8(ascii: "M"))
            case .offset(let style):
                if let offset { Token.appendOffset(offset, style: style, to: &out) }
            case .unixSeconds, .unixMilliseconds:
                guard let date else { return }
                let seconds =
                    date.daysSinceEpoch * 86_400 + time.hour * 3600 + time.minute * 60 + time.second
                    - (offset ?? 0)
                if case .unixSeconds = self {
                    Token.appendNumber(seconds, width: 0, to: &out)
                } else {
                    Token.appendNumber(seconds * 1000 + time.nanosecond / 1_000_000, width: 0, to: &out)
                }
            default:
                guard let date else { return }
                appendDatePart(date, to: &out)
            }
        }

        private func appendDatePart(_ date: CivilDate, to out: inout some ByteSink) {
            switch self {
            case .day(let w): Token.appendNumber(date.day, width: w, to: &out)
            case .weekdayNumber: Token.appendNumber(date.isoWeekday, width: 0, to: &out)
            case .weekdayName(let length): EnglishCalendarNames.appendWeekday(date.isoWeekday, length: length, to: &out)
            case .month(let w): Token.appendNumber(date.month, width: w, to: &out)
            case .monthName(let length): EnglishCalendarNames.appendMonth(date.month, length: length, to: &out)
            case .year(let w): Token.appendNumber(date.year, width: w, to: &out)
            case .twoDigitYear: Token.appendNumber(date.year % 100, width: 2, to: &out)
            case .era(let length):
                let name = date.year > 0 ? "Anno Domini" : "Before Christ"
                switch length {
                case 1: out.append(name.utf8.first!)
                case 2: out.append(contentsOf: (date.year > 0 ? "AD" : "BC").utf8)
                default: out.append(contentsOf: name.utf8)
                }
            case .weekYear(let twoDigits):
                let year = date.isoWeek.year
                Token.appendNumber(twoDigits ? year % 100 : year, width: twoDigits ? 2 : 4, to: &out)
            case .weekNumber(let w): Token.appendNumber(date.isoWeek.week, width: w, to: &out)
            case .ordinal(let w): Token.appendNumber(date.ordinal, width: w, to: &out)
            case .quarter(let w): Token.appendNumber((date.month + 2) / 3, width: w, to: &out)
            default: break
            }
        }

        /// Appends `value` in decimal, zero-padded to `width` digits.
        static func appendNumber(_ value: Int, width: Int, to out: inout some ByteSink) {
            if value < 0 {
                out.append(UInt8(ascii: "-"))
                appendNumber(-value, width: width, to: &out)
                return
            }
            var digits = 1
            var divisor = 1
            while divisor <= value / 10 { divisor *= 10; digits += 1 }
            var padding = width - digits
            while padding > 0 { out.append(0x30); padding -= 1 }
            while divisor > 0 {
                out.append(UInt8(truncatingIfNeeded: 0x30 + value / divisor % 10))
                divisor /= 10
            }
        }

        /// `+5` / `+5:30` (narrow), `+05:00` (short), `+0500` (techie); zero is `+0`, `+00:00`,
        /// `+0000`, as Luxon's `toFormat` prints a fixed UTC offset.
        static func appendOffset(_ seconds: Int, style: OffsetStyle, to out: inout some ByteSink) {
            out.append(seconds < 0 ? UInt8(ascii: "-") : UInt8(ascii: "+"))
            let minutesTotal = abs(seconds) / 60
            let hours = minutesTotal / 60, minutes = minutesTotal % 60
            switch style {
            case .narrow:
                appendNumber(hours, width: 0, to: &out)
                if minutes > 0 {
                    out.append(UInt8(ascii: ":"))
                    appendNumber(minutes, width: 0, to: &out)
                }
            case .short:
                appendNumber(hours, width: 2, to: &out)
                out.append(UInt8(ascii: ":"))
                appendNumber(minutes, width: 2, to: &out)
            case .techie:
                appendNumber(hours, width: 2, to: &out)
                appendNumber(minutes, width: 2, to: &out)
            }
        }
    }
}
