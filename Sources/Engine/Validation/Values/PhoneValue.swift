/// `phone-number` cells: a number written with a country code (`+33 1 23 45 67 89`,
/// `0033 1 23 45 67 89`, `011 44 20 7946 0958`) or in the national form of the field's country
/// (`(212) 867-5309`, `01 23 45 67 89` for FR). Spaces, `-`, `.`, `/` and parentheses are
/// ignored; letters and extensions are not accepted. The number must have a known calling code
/// and a plausible length for it: North American numbers exactly 10 digits with area code and
/// exchange starting 2–9; other countries by the ranges in `lengths`, else 4 to 14 digits.
///
/// Not libphonenumber: numbers are not checked against each country's numbering plan, and
/// formatted output groups only North American numbers.
struct PhoneRule: Sendable {
    enum Format: String, Sendable { case international, national, both }
    let country: Country
    let format: Format
    let formatted: Bool

    /// National significant number lengths, and whether a national number starts with the trunk
    /// prefix `0` (dropped in the international form), by calling code.
    static let plans: [Int: (min: Int, max: Int, trunkZero: Bool)] = [
        7: (10, 10, false), 20: (8, 10, true), 27: (9, 9, true), 30: (10, 10, false), 31: (9, 9, true), 32: (8, 9, true),
        33: (9, 9, true), 34: (9, 9, false), 36: (8, 9, false), 39: (6, 11, false), 40: (9, 9, true), 41: (9, 9, true),
        43: (4, 13, true), 44: (9, 10, true), 45: (8, 8, false), 46: (7, 9, true), 47: (8, 8, false), 48: (9, 9, false),
        49: (6, 13, true), 51: (8, 9, false), 52: (10, 10, false), 53: (6, 8, true), 54: (10, 11, true), 55: (10, 11, true),
        56: (9, 9, false), 57: (8, 10, false), 58: (10, 10, true), 60: (8, 10, true), 61: (9, 9, true), 62: (8, 12, true),
        63: (8, 10, true), 64: (8, 10, true), 65: (8, 8, false), 66: (8, 9, true), 81: (9, 10, true), 82: (8, 10, true),
        84: (9, 10, true), 86: (9, 11, true), 90: (10, 10, true), 91: (10, 10, true), 92: (9, 10, true), 93: (9, 9, true),
        94: (9, 9, true), 95: (7, 10, true), 98: (10, 10, true), 351: (9, 9, false), 352: (6, 11, false),
        353: (7, 9, true), 354: (7, 9, false), 358: (5, 12, true), 359: (8, 9, true), 370: (8, 8, true), 371: (8, 8, false),
        372: (7, 8, false), 380: (9, 9, true), 385: (8, 9, true), 386: (8, 8, true), 420: (9, 9, false), 421: (9, 9, true),
        852: (8, 8, false), 886: (8, 9, true), 971: (8, 9, true), 972: (8, 9, true), 966: (9, 9, true),
    ]
    static let callingCodes: Set<Int> = Set(CountryTable.all.map(\.callingCode))

    /// Writes the number as the field wants it; returns the problem, or nil.
    func normalize(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) -> String? {
        // Digits only, remembering a leading +.
        var buffer: (UInt64, UInt64, UInt64) = (0, 0, 0)
        return withUnsafeMutableBytes(of: &buffer) { d in
            var n = 0
            var plus = false
            for (i, c) in b.enumerated() {
                switch c {
                case 0x30...0x39:
                    guard n < 17 else { return "Not a valid phone number (too many digits)" }
                    d[n] = c - 0x30
                    n += 1
                case 0x2B where n == 0 && !plus && i == 0: plus = true
                case 0x20, 0x09, 0x2D, 0x2E, 0x2F, 0x28, 0x29: continue
                default: return "Not a valid phone number"
                }
            }
            var start = 0
            var international = plus
            if !plus {
                if n > 2 && d[0] == 0 && d[1] == 0 {
                    international = true; start = 2
                } else if country.callingCode == 1 && n > 3 && d[0] == 0 && d[1] == 1 && d[2] == 1 {
                    international = true; start = 3
                }
            }
            var code = country.callingCode
            if international {
                code = 0
                var k = start
                while k < n && k < start + 3 {
                    code = code * 10 + Int(d[k])
                    k += 1
                    if PhoneRule.callingCodes.contains(code) { break }
                }
                guard PhoneRule.callingCodes.contains(code) else { return "Not a valid phone number (unknown country code)" }
                start = k
                // "+44 (0)20 …": the trunk prefix written after the country code.
                if let plan = PhoneRule.plans[code], plan.trunkZero, start < n, d[start] == 0 { start += 1 }
            } else if code == 1 {
                if n == 11 && d[0] == 1 { start = 1 }
            } else if let plan = PhoneRule.plans[code], plan.trunkZero, n > 0, d[0] == 0 {
                start = 1
            }
            let length = n - start
            if code == 1 {
                guard length == 10, d[start] >= 2, d[start + 3] >= 2 else { return "Not a valid phone number" }
            } else {
                let plan = PhoneRule.plans[code] ?? (4, 14, false)
                guard length >= plan.min, length <= plan.max, length + (code >= 100 ? 3 : code >= 10 ? 2 : 1) <= 15 else {
                    return "Not a valid phone number"
                }
            }
            let own = code == country.callingCode
            if format == .national && !own { return "Not a phone number of \(country.alpha2)" }
            // Dromo: `both` accepts both forms, and "All values are displayed and output in
            // international format"; only `national` writes the national form.
            if format == .national {
                if code == 1 && formatted {
                    out.append(0x28); appendDigits(d, start, 3, &out); out.append(contentsOf: [0x29, 0x20])
                    appendDigits(d, start + 3, 3, &out); out.append(0x2D); appendDigits(d, start + 6, 4, &out)
                } else {
                    if PhoneRule.plans[code]?.trunkZero == true { out.append(0x30) }
                    appendDigits(d, start, length, &out)
                }
            } else {
                out.append(0x2B)
                if code >= 100 { out.append(UInt8(code / 100) + 0x30) }
                if code >= 10 { out.append(UInt8(code / 10 % 10) + 0x30) }
                out.append(UInt8(code % 10) + 0x30)
                if formatted { out.append(0x20) }
                if code == 1 && formatted {
                    // Dromo's international form: "+1 212 867 5309".
                    appendDigits(d, start, 3, &out); out.append(0x20); appendDigits(d, start + 3, 3, &out)
                    out.append(0x20); appendDigits(d, start + 6, 4, &out)
                } else {
                    appendDigits(d, start, length, &out)
                }
            }
            return nil
        }
    }

    private func appendDigits(_ d: UnsafeMutableRawBufferPointer, _ from: Int, _ count: Int, _ out: inout [UInt8]) {
        for k in from..<(from + count) { out.append(d[k] + 0x30) }
    }
}
