/// Excel's stored values as the text Intake reads, the same text a CSV cell would hold: whole
/// numbers as integers (`1234`), other numbers in their shortest round-trip form, dates as ISO
/// `yyyy-MM-dd`, date-times `yyyy-MM-ddTHH:mm:ss`, times `HH:mm:ss` (milliseconds only when
/// there are some), durations `H:mm:ss` in elapsed hours. A date whose format hides a time of
/// day that is there, or a time whose format hides a day that is there, is written as a
/// date-time, so nothing is lost.
enum ExcelValue {
    /// Appends a stored number (`<v>`) as Intake writes numbers.
    static func appendNumber(_ raw: UnsafeRawBufferPointer, to out: inout [UInt8]) {
        if isCanonical(raw) { out.append(contentsOf: raw); return }
        guard let d = Double(String(decoding: raw, as: UTF8.self)), d.isFinite else { out.append(contentsOf: raw); return }
        appendDouble(d, to: &out)
    }

    static func appendDouble(_ d: Double, to out: inout [UInt8]) {
        if d == d.rounded(.towardZero) && abs(d) < 1e15 {
            out.append(contentsOf: String(Int64(d)).utf8)
            return
        }
        let text = d.description
        guard let e = text.firstIndex(where: { $0 == "e" || $0 == "E" }), let exponent = Int(text[text.index(after: e)...]),
            abs(exponent) <= 30
        else {
            out.append(contentsOf: text.utf8)
            return
        }
        // 1.5e-05 → 0.000015, 1.2345e+16 → 12345000000000000.
        var mantissa = Substring(text[..<e])
        let negative = mantissa.hasPrefix("-")
        if negative { mantissa = mantissa.dropFirst() }
        let parts = mantissa.split(separator: ".", omittingEmptySubsequences: false)
        let digits = Array(parts[0] + (parts.count > 1 ? parts[1] : ""))
        let point = parts[0].count + exponent
        var result = negative ? "-" : ""
        if point <= 0 {
            result += "0." + String(repeating: "0", count: -point) + String(digits)
        } else if point >= digits.count {
            result += String(digits) + String(repeating: "0", count: point - digits.count)
        } else {
            result += String(digits[..<point]) + "." + String(digits[point...])
        }
        while result.hasSuffix("0") && result.contains(".") { result.removeLast() }
        if result.hasSuffix(".") { result.removeLast() }
        out.append(contentsOf: result.utf8)
    }

    /// `-?digits(.digits)?` with no leading zero, no trailing fraction zero and at most 15
    /// significant digits: already the shortest text of its double.
    @inline(__always) static func isCanonical(_ raw: UnsafeRawBufferPointer) -> Bool {
        var i = 0
        let n = raw.count
        if i < n && raw[i] == UInt8(ascii: "-") { i += 1 }
        let intStart = i
        while i < n, raw[i] >= 0x30, raw[i] <= 0x39 { i += 1 }
        let intDigits = i - intStart
        guard intDigits > 0, intDigits == 1 || raw[intStart] != 0x30 else { return false }
        if i == n { return intDigits <= 15 && !(intDigits == 1 && raw[intStart] == 0x30 && intStart == 1) }
        guard raw[i] == UInt8(ascii: ".") else { return false }
        i += 1
        let fracStart = i
        while i < n, raw[i] >= 0x30, raw[i] <= 0x39 { i += 1 }
        guard i == n, i > fracStart, raw[n - 1] != 0x30 else { return false }
        var significant = intDigits + (n - fracStart)
        if raw[intStart] == 0x30 {
            significant -= 1
            var k = fracStart
            while k < n, raw[k] == 0x30 { significant -= 1; k += 1 }
        }
        return significant <= 15
    }

    /// Appends the serial number `serial` as a date, time, date-time or duration; false when
    /// it is no such thing (negative, or past the year 9999), so the caller writes the number.
    /// In the 1900 system serial 60 is Excel's phantom 29 February 1900, written as such so
    /// that a date field reports it invalid instead of guessing.
    static func appendDate(_ serial: Double, format: CellFormat, date1904: Bool, to out: inout [UInt8]) -> Bool {
        guard serial.isFinite, abs(serial) < 3_000_000 else { return false }
        let totalMs = Int64((serial * 86_400_000).rounded())
        if format == .duration {
            let ms = abs(totalMs)
            if totalMs < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: String(ms / 3_600_000).utf8)
            out.append(UInt8(ascii: ":"))
            appendTime(ms % 3_600_000, hours: false, to: &out)
            return true
        }
        guard totalMs >= 0 else { return false }
        let days = Int(totalMs / 86_400_000)
        let civil: (year: Int, month: Int, day: Int)
        if date1904 {
            civil = civilFromDays(days - 24_107)
        } else if days == 60 {
            civil = (1900, 2, 29)
        } else {
            civil = civilFromDays(days < 60 ? days - 25_568 : days - 25_569)
        }
        return appendDate(civil, msOfDay: totalMs % 86_400_000, hasDay: days > 0, format: format, to: &out)
    }

    /// Appends a day and a time of day as `format` shows them, keeping what it hides: a date
    /// format over a value with a time of day gives a date-time, and so does a time format over
    /// a value with a day (`hasDay`: past the epoch's day 0); a `date` field takes the date of a
    /// date-time and a `time` field its time. False past the year 9999.
    static func appendDate(
        _ civil: (year: Int, month: Int, day: Int), msOfDay: Int64, hasDay: Bool, format: CellFormat,
        to out: inout [UInt8]
    ) -> Bool {
        if format == .time && !hasDay {
            appendTime(msOfDay, hours: true, to: &out)
            return true
        }
        guard civil.year >= 0, civil.year <= 9999 else { return false }
        appendDigits(civil.year, 4, &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(civil.month, 2, &out)
        out.append(UInt8(ascii: "-"))
        appendDigits(civil.day, 2, &out)
        if format != .date || msOfDay != 0 {
            out.append(UInt8(ascii: "T"))
            appendTime(msOfDay, hours: true, to: &out)
        }
        return true
    }

    /// `HH:mm:ss` (or `mm:ss` without hours), `.SSS` when there are milliseconds.
    static func appendTime(_ ms: Int64, hours: Bool, to out: inout [UInt8]) {
        let seconds = Int(ms / 1000)
        if hours {
            appendDigits(seconds / 3600, 2, &out)
            out.append(UInt8(ascii: ":"))
        }
        appendDigits(seconds / 60 % 60, 2, &out)
        out.append(UInt8(ascii: ":"))
        appendDigits(seconds % 60, 2, &out)
        if ms % 1000 != 0 {
            out.append(UInt8(ascii: "."))
            appendDigits(Int(ms % 1000), 3, &out)
        }
    }

    @inline(__always) static func appendDigits(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var digits: [UInt8] = []
        var v = value
        repeat {
            digits.append(UInt8(48 + v % 10))
            v /= 10
        } while v > 0
        while digits.count < width { digits.append(48) }
        out.append(contentsOf: digits.reversed())
    }

    /// The proleptic Gregorian date `days` after 1970-01-01 (Howard Hinnant's algorithm).
    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    /// A cell stored as an ISO 8601 date (`t="d"`: strict files, some writers), written as a
    /// serial number with the same format would be (`2014-02-14T08:27:48.765Z` is
    /// `2014-02-14T08:27:48.765` under a date format too), and under no date format as a date, or
    /// a date-time when it has a time of day. The zone, when given, is dropped (Excel's dates have
    /// none). A time alone is a time of day, and so is a time on the epoch's day 0 (1899-12-30
    /// or -31, 1904-01-01 in the 1904 system) under a time format. Other text is kept as it is.
    static func appendISODate(_ raw: UnsafeRawBufferPointer, format: CellFormat, date1904: Bool, to out: inout [UInt8]) {
        guard let (civil, msOfDay) = parseISODate(raw) else { out.append(contentsOf: raw); return }
        guard let civil else { appendTime(msOfDay, hours: true, to: &out); return }
        let dayZero = date1904 ? civil == (1904, 1, 1) : civil.year == 1899 && civil.month == 12 && civil.day >= 30
        let shown: CellFormat = format == .number ? .date : format == .duration ? .dateTime : format
        if !appendDate(civil, msOfDay: msOfDay, hasDay: !dayZero, format: shown, to: &out) { out.append(contentsOf: raw) }
    }

    /// `yyyy-MM-dd`, `yyyy-MM-ddTHH:mm[:ss[.f…]]` or `HH:mm[:ss[.f…]]`, then `Z` or `±HH[:mm]`:
    /// the date (nil for a time alone) and the time of day in milliseconds, rounded (a time that
    /// rounds up to 24:00 is the next day's midnight).
    static func parseISODate(_ raw: UnsafeRawBufferPointer) -> (civil: (year: Int, month: Int, day: Int)?, msOfDay: Int64)? {
        var i = 0
        func number(_ width: Int) -> Int? {
            guard i + width <= raw.count else { return nil }
            var v = 0
            for k in i..<(i + width) {
                guard raw[k] >= 0x30, raw[k] <= 0x39 else { return nil }
                v = v * 10 + Int(raw[k] - 0x30)
            }
            i += width
            return v
        }
        func skip(_ b: Unicode.Scalar) -> Bool {
            guard i < raw.count, raw[i] == UInt8(ascii: b) else { return false }
            i += 1
            return true
        }
        var civil: (year: Int, month: Int, day: Int)?
        if raw.count >= 10, raw[4] == UInt8(ascii: "-") {
            guard let y = number(4), skip("-"), let m = number(2), skip("-"), let d = number(2),
                (1...12).contains(m), d >= 1, d <= daysIn(month: m, year: y)
            else { return nil }
            civil = (y, m, d)
            if i == raw.count { return (civil, 0) }
            guard skip("T") || skip(" ") else { return nil }
        }
        guard let h = number(2), h < 24, skip(":"), let minute = number(2), minute < 60 else { return nil }
        var ms = Int64(h * 3_600_000 + minute * 60_000)
        if skip(":") {
            guard let second = number(2), second < 60 else { return nil }
            ms += Int64(second * 1000)
            if skip(".") || skip(",") {
                // Tenths of a millisecond from the first four digits, rounded half up.
                var tenths = 0, digits = 0
                while i < raw.count, raw[i] >= 0x30, raw[i] <= 0x39 {
                    if digits < 4 { tenths = tenths * 10 + Int(raw[i] - 0x30); digits += 1 }
                    i += 1
                }
                while digits < 4 { tenths *= 10; digits += 1 }
                ms += Int64((tenths + 5) / 10)
            }
        }
        if !(skip("Z") || skip("z")), skip("+") || skip("-") {
            guard number(2) != nil else { return nil }
            if skip(":") { guard number(2) != nil else { return nil } } else { _ = number(2) }
        }
        guard i == raw.count else { return nil }
        if ms >= 86_400_000, let c = civil {
            ms -= 86_400_000
            civil = civilFromDays(daysFromCivil(c) + 1)
        }
        return (civil, min(ms, 86_399_999))
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: year % 4 == 0 && (year % 100 != 0 || year % 400 == 0) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The days from 1970-01-01 to a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ c: (year: Int, month: Int, day: Int)) -> Int {
        let y = c.month <= 2 ? c.year - 1 : c.year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (c.month > 2 ? c.month - 3 : c.month + 9) + 2) / 5 + c.day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
