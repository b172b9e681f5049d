/// `us-zip-code` cells: `12345`, `12345-6789`, `123456789`. Zeros a spreadsheet dropped are put
/// back: 3–4 digits are left-padded to 5 (`342` → `00342`), 6–8 digits to 9, and a short first
/// part before a dash to 5. `5-digit` (the default) writes the first five digits (ZIP+4
/// truncated); `9-digit` needs the +4 part. `outputDash` writes `12345-6789` for 9 digits.
struct ZipRule: Sendable {
    let nineDigit: Bool
    let dash: Bool

    func normalize(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) -> String? {
        var first = 0, second = 0, firstLength = 0, secondLength = 0
        var dashes = 0
        for c in b {
            if c == 0x2D || c == 0x20 {
                guard dashes == 0, firstLength > 0 else { return "Not a valid US ZIP code" }
                dashes += 1
            } else if ByteCursor.isDigit(c) {
                if dashes == 0 {
                    guard firstLength < 9 else { return "Not a valid US ZIP code" }
                    first = first * 10 + Int(c - 0x30); firstLength += 1
                } else {
                    guard secondLength < 4 else { return "Not a valid US ZIP code" }
                    second = second * 10 + Int(c - 0x30); secondLength += 1
                }
            } else {
                return "Not a valid US ZIP code"
            }
        }
        var zip5: Int, plus4: Int?
        if dashes == 1 {
            guard firstLength >= 3 && firstLength <= 5 && secondLength == 4 else { return "Not a valid US ZIP code" }
            zip5 = first; plus4 = second
        } else if firstLength >= 3 && firstLength <= 5 {
            zip5 = first; plus4 = nil
        } else if firstLength >= 6 && firstLength <= 9 {
            zip5 = first / 10_000; plus4 = first % 10_000
        } else {
            return "Not a valid US ZIP code"
        }
        if nineDigit && plus4 == nil { return "Not a 9-digit ZIP code (ZIP+4)" }
        ZipRule.appendPadded(zip5, 5, &out)
        if nineDigit, let plus4 {
            if dash { out.append(0x2D) }
            ZipRule.appendPadded(plus4, 4, &out)
        }
        return nil
    }

    static func appendPadded(_ value: Int, _ width: Int, _ out: inout [UInt8]) {
        var divisor = 1
        for _ in 1..<width { divisor *= 10 }
        var v = value
        while divisor > 0 {
            out.append(UInt8(v / divisor) + 0x30)
            v %= divisor
            divisor /= 10
        }
    }
}

/// `ssn` cells: nine digits, bare or as `123-45-6789` (spaces also separate). 7–8 bare digits
/// are left-padded (a spreadsheet dropped the zeros). Only the shape is checked, as Dromo does
/// ("This (obviously) does not validate the actual SSN"): `900-12-3456` and `666-…` are accepted.
/// The output is nine digits, or `123-45-6789` with `outputDash`.
struct SSNRule: Sendable {
    let dash: Bool

    func normalize(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) -> String? {
        var value = 0, digits = 0, separators = 0
        for c in b {
            if ByteCursor.isDigit(c) {
                guard digits < 9 else { return "Not a valid SSN" }
                value = value * 10 + Int(c - 0x30); digits += 1
            } else if c == 0x2D || c == 0x20 {
                guard digits == 3 || digits == 5 else { return "Not a valid SSN" }
                separators += 1
            } else {
                return "Not a valid SSN"
            }
        }
        guard digits == 9 || (separators == 0 && digits >= 7) else { return "Not a valid SSN" }
        let area = value / 1_000_000, group = value / 10_000 % 100, serial = value % 10_000
        ZipRule.appendPadded(area, 3, &out)
        if dash { out.append(0x2D) }
        ZipRule.appendPadded(group, 2, &out)
        if dash { out.append(0x2D) }
        ZipRule.appendPadded(serial, 4, &out)
        return nil
    }
}

/// `uuid` cells: 32 hex digits as `8-4-4-4-12`, or bare, or in braces, any case. The version
/// digit must be 1–8 with the RFC 9562 variant (`8`, `9`, `a`, `b`), or the UUID is the nil or
/// max UUID; with `version` it must be that version. The output is lowercase `8-4-4-4-12`.
struct UUIDRule: Sendable {
    let version: Int?

    func normalize(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) -> String? {
        var lo = 0, hi = b.count
        if hi >= 2 && b[0] == 0x7B && b[hi - 1] == 0x7D { lo = 1; hi -= 1 }
        let dashed = hi - lo == 36
        guard dashed || hi - lo == 32 else { return "Not a valid UUID" }
        let start = out.count
        var n = 0
        for i in lo..<hi {
            let c = ByteCursor.lower(b[i])
            if dashed && (i - lo == 8 || i - lo == 13 || i - lo == 18 || i - lo == 23) {
                guard c == 0x2D else { return "Not a valid UUID" }
                continue
            }
            guard ByteCursor.isDigit(c) || (c >= 0x61 && c <= 0x66) else { return "Not a valid UUID" }
            if n == 8 || n == 12 || n == 16 || n == 20 { out.append(0x2D) }
            out.append(c)
            n += 1
        }
        let v = out[start + 14], variant = out[start + 19]
        let all = out[start...]
        let special = all.allSatisfy { $0 == 0x30 || $0 == 0x2D } || all.allSatisfy { $0 == 0x66 || $0 == 0x2D }
        if !special {
            guard v >= 0x31 && v <= 0x38, [0x38, 0x39, 0x61, 0x62].contains(variant) else { return "Not a valid UUID" }
        }
        if let version, special || Int(v - 0x30) != version { return "Not a version \(version) UUID" }
        return nil
    }
}
