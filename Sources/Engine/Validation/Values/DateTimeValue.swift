/// Reads a date-and-time cell, on bytes: any `DateValue` form, then `T` or spaces (or `, `),
/// then any `TimeValue` form, then optionally a UTC offset: `Z`, `UTC`, `GMT`, `+02:00`,
/// `+0200`, `+02`, `-5` (before it, a space is allowed: `Fri, 09 Feb 2024 13:45:30 +0000`).
/// A bare date is midnight with no offset.
///
/// `2024-02-29T13:45:30.250+01:00`, `2024-02-29 13:45`, `2/9/2024 1:45 PM`,
/// `Feb 9, 2024, 1:45 pm`, `20240229T134530Z` is not accepted (compact times are not read).
public enum DateTimeValue {
    /// The date and time in `bytes` (UTF-8, trimmed), or nil when they are not one.
    public static func parse(_ bytes: UnsafeRawBufferPointer, order: DateOrder) -> ParsedDateTime? {
        guard let fields = DateValue.Fields(bytes), let date = fields.date(order) else { return nil }
        if fields.end == bytes.count {
            return ParsedDateTime(date: date, time: .midnight, utcOffsetSeconds: nil)
        }
        guard let (time, offset) = parseTimePart(bytes, from: fields.end) else { return nil }
        return ParsedDateTime(date: date, time: time, utcOffsetSeconds: offset)
    }

    /// The time (and offset) after a date that ends at `start`: the separator, the time, the
    /// optional offset, and nothing else.
    static func parseTimePart(_ bytes: UnsafeRawBufferPointer, from start: Int) -> (CivilTime, Int?)? {
        var c = ByteCursor(bytes, at: start)
        if c.current | 0x20 == UInt8(ascii: "t") {
            c.index += 1
        } else {
            let comma = c.consume(UInt8(ascii: ","))
            guard c.skipSpaces() > 0 || comma else { return nil }
        }
        guard let time = TimeValue.scan(&c) else { return nil }
        if c.atEnd { return (time, nil) }
        c.skipSpaces()
        guard let offset = scanOffset(&c), c.atEnd else { return nil }
        return (time, offset)
    }

    /// `Z`, `UTC`, `GMT` (each optionally followed by a signed offset), `±HH`, `±H`, `±HH:MM`,
    /// `±HHMM`, in seconds east of UTC; at most ±18 hours.
    static func scanOffset(_ c: inout ByteCursor) -> Int? {
        if c.current | 0x20 == UInt8(ascii: "z") && !ByteCursor.isLetter(c.peek(1)) {
            c.index += 1
            return 0
        }
        if ByteCursor.isLetter(c.current) {
            let word = c.letters()
            guard c.matches(word, "utc") || c.matches(word, "gmt") else { return nil }
            if c.current != UInt8(ascii: "+") && c.current != UInt8(ascii: "-") { return 0 }
        }
        let sign: Int
        switch c.current {
        case UInt8(ascii: "+"): sign = 1
        case UInt8(ascii: "-"): sign = -1
        default: return nil
        }
        c.index += 1
        let lead = c.digits()
        var hours = 0, minutes = 0
        switch lead.count {
        case 1, 2:
            hours = lead.value
            if c.consume(UInt8(ascii: ":")) {
                let m = c.digits()
                guard m.count == 2 else { return nil }
                minutes = m.value
            }
        case 4:
            hours = lead.value / 100
            minutes = lead.value % 100
        default:
            return nil
        }
        guard hours <= 18 && minutes < 60 else { return nil }
        return sign * (hours * 3600 + minutes * 60)
    }
}
