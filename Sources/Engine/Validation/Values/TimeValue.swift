/// Reads a time-of-day cell, on bytes: `13:45`, `13:45:30`, `13:45:30.250` (or `,250`, up to
/// nanoseconds), `1:45 PM`, `1:45pm`, `1:45 p.m.`, `1 PM`, `12:00 AM` (midnight).
///
/// Rejected: `24:00` and past it, minute or second 60 and past it, one-digit minutes, a bare
/// hour without AM/PM (`13`), hour 0 or past 12 with AM/PM, and a UTC offset (a time field has
/// nowhere to keep it; `DateTimeValue` reads offsets).
public enum TimeValue {
    /// The time in `bytes` (UTF-8, trimmed), or nil when it is not one.
    public static func parse(_ bytes: UnsafeRawBufferPointer) -> CivilTime? {
        var c = ByteCursor(bytes)
        guard let time = scan(&c), c.atEnd else { return nil }
        return time
    }

    /// The time of a date-time without a UTC offset (`2024-02-09T13:45:30`, `2/9/2024 1:45 PM`),
    /// for a `time` field, as a `date` field takes a date-time's date: a workbook cell holding a
    /// day and a time under a time format reaches the field as its date-time (contract §11).
    /// A date-time with an offset (`2022-03-27T17:20+02:00`) gives its time in UTC (`15:20`), as a
    /// `datetime` field writes it (contract §14). Nil for a bare date.
    public static func parse(ofDateTime bytes: UnsafeRawBufferPointer, order: DateOrder) -> CivilTime? {
        guard let fields = DateValue.Fields(bytes), fields.end < bytes.count, let date = fields.date(order),
            let (time, offset) = DateTimeValue.parseTimePart(bytes, from: fields.end)
        else { return nil }
        guard let offset, offset != 0 else { return time }
        return DateFormatPattern.shiftedToUTC(date, time, offset: offset).1
    }

    /// Reads a time at the cursor and leaves the cursor after it (after AM/PM if present, never
    /// on trailing spaces).
    static func scan(_ c: inout ByteCursor) -> CivilTime? {
        let hour = c.digits()
        guard hour.count >= 1 && hour.count <= 2 else { return nil }
        var time = CivilTime(hour: hour.value, minute: 0)
        var hasMinutes = false
        if c.current == UInt8(ascii: ":") && ByteCursor.isDigit(c.peek(1)) {
            c.index += 1
            let minute = c.digits()
            guard minute.count == 2 && minute.value < 60 else { return nil }
            time.minute = minute.value
            hasMinutes = true
            if c.current == UInt8(ascii: ":") && ByteCursor.isDigit(c.peek(1)) {
                c.index += 1
                let second = c.digits()
                guard second.count == 2 && second.value < 60 else { return nil }
                time.second = second.value
                if (c.current == UInt8(ascii: ".") || c.current == UInt8(ascii: ",")) && ByteCursor.isDigit(c.peek(1)) {
                    c.index += 1
                    time.nanosecond = fraction(&c)
                }
            }
        }
        let beforeMeridiem = c.index
        c.skipSpaces()
        if let pm = meridiem(&c) {
            guard time.hour >= 1 && time.hour <= 12 else { return nil }
            time.hour = time.hour % 12 + (pm ? 12 : 0)
            return time
        }
        c.index = beforeMeridiem
        guard hasMinutes && time.hour < 24 else { return nil }
        return time
    }

    /// Fraction digits after the point as nanoseconds; digits past the ninth are dropped.
    private static func fraction(_ c: inout ByteCursor) -> Int {
        var nanos = 0
        var scale = 100_000_000
        while ByteCursor.isDigit(c.current) {
            nanos += Int(c.current - 0x30) * scale
            scale /= 10
            c.index += 1
        }
        return nanos
    }

    /// `AM`, `PM`, `am`, `a.m.`, `A`, `p`: true for PM; nil (cursor unmoved) for anything else.
    private static func meridiem(_ c: inout ByteCursor) -> Bool? {
        let letter = ByteCursor.lower(c.current)
        guard letter == UInt8(ascii: "a") || letter == UInt8(ascii: "p") else { return nil }
        var k = c.index + 1
        @inline(__always) func at(_ i: Int) -> UInt8 { i < c.bytes.count ? c.bytes[i] : 0 }
        if at(k) == UInt8(ascii: ".") { k += 1 }
        if ByteCursor.lower(at(k)) == UInt8(ascii: "m") {
            k += 1
            if at(k) == UInt8(ascii: ".") { k += 1 }
        }
        guard !ByteCursor.isLetter(at(k)) else { return nil }
        c.index = k
        return letter == UInt8(ascii: "p")
    }
}
