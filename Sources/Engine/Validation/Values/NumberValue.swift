/// Reads a number cell, on bytes, the way people write numbers in spreadsheets:
/// `12`, `-12`, `+12`, `1,234.50`, `.5`, `5.`, `1e3`, `$99`, `-$99`, `€5`, `5 €`, `£5`,
/// `USD 99`, `99 USD`, `99%`, `(12)` (accounting negative).
///
/// With the decimal mark `.` (the default), `,` is a thousands separator only in consistent
/// groups of three (`1,234,567`); with `,` (`DecimalMark.comma`, decided per column), `.` is the
/// thousands separator and `,` the decimal mark (`1.234,50`, `0,5`). Either way a space, a
/// no-break space (U+00A0) or a narrow no-break space (U+202F) may group thousands (`18 080`,
/// `1 234,50`), in groups of three; one number uses one kind of separator, and a first group
/// that starts with 0 is not a thousands group (`0,750` is not 750). Rejected: `1,23`,
/// `1234,567`, `18 08`, `12abc`, `--1`, `1.2.3`, `NaN`, `Infinity`, values beyond Double's
/// range, `$5%`, `(-12)`, empty.
public enum NumberValue {
    /// The number in `bytes` (UTF-8, trimmed), or nil when it is not one.
    public static func parse(_ bytes: UnsafeRawBufferPointer, mark: DecimalMark = .point) -> ParsedNumber? {
        guard let scan = Scan(bytes, mark: mark) else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scan.maximumTextLength) { buffer in
            let length = scan.write(bytes, to: buffer)
            let text = UnsafeBufferPointer(rebasing: buffer[0..<length])
            guard let value = scan.value(bytes, text: text) else { return nil }
            return ParsedNumber(json: String(decoding: text, as: UTF8.self), value: value, isPercent: scan.isPercent)
        }
    }

    /// Appends the canonical JSON text of the number in `bytes` to `out`; returns false and
    /// leaves `out` unchanged when `bytes` is not a number.
    @inline(__always)
    static func appendJSON(_ bytes: UnsafeRawBufferPointer, mark: DecimalMark = .point, to out: inout some ByteSink) -> Bool {
        appendJSONWithFacts(bytes, mark: mark, to: &out) != nil
    }

    /// `appendJSON`, also returning the value and the percent sign (nil: not a number, `out`
    /// unchanged). No allocation beyond `out`'s growth for numbers of up to 15 significant digits.
    /// `needsValue: false`: the value is 0 unless the number is a percent, where working it out
    /// is not needed to know the number is finite (most cells; a column without rounding, format
    /// or bounds never reads it).
    static func appendJSONWithFacts(
        _ bytes: UnsafeRawBufferPointer, mark: DecimalMark = .point, needsValue: Bool = true, to out: inout some ByteSink
    ) -> NumberFacts? {
        if !needsValue && mark == .point && isCanonical(bytes) {
            out.append(bytes: bytes)
            return NumberFacts(value: 0, isPercent: false)
        }
        guard let scan = Scan(bytes, mark: mark) else { return nil }
        return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: scan.maximumTextLength) { buffer in
            let length = scan.write(bytes, to: buffer)
            let text = UnsafeBufferPointer(rebasing: buffer[0..<length])
            let skip = !needsValue && !scan.isPercent && scan.isCertainlyFinite
            guard let value = skip ? 0 : scan.value(bytes, text: text) else { return nil }
            out.append(bytes: UnsafeRawBufferPointer(text))
            return NumberFacts(value: value, isPercent: scan.isPercent)
        }
    }

    /// A number already written as `write` would write it — `-`, digits without a leading zero,
    /// a fraction without a trailing zero, at most 15 digits, not so small that it needs an
    /// exponent (`12`, `-3.5`, `0.25`, `35951.24`): most number cells, copied as they are
    /// instead of scanned and written again.
    @inline(__always)
    static func isCanonical(_ b: UnsafeRawBufferPointer) -> Bool {
        let n = b.count
        guard n > 0, n <= 17 else { return false }
        var i = b[0] == UInt8(ascii: "-") ? 1 : 0
        let integerStart = i
        while i < n && b[i] &- 0x30 < 10 { i += 1 }
        let integerDigits = i - integerStart
        guard integerDigits > 0 else { return false }
        let zero = b[integerStart] == 0x30
        if zero && integerDigits > 1 { return false }
        guard i < n else { return !(zero && integerStart == 1) && integerDigits <= 15 }  // `-0` is written `0`
        guard b[i] == UInt8(ascii: "."), i + 1 < n, b[n - 1] != 0x30 else { return false }
        i += 1
        let fractionStart = i
        while i < n && b[i] &- 0x30 < 10 { i += 1 }
        guard i == n, integerDigits + (n - fractionStart) <= 15 else { return false }
        // `0.000000x` and smaller are written with an exponent.
        if zero {
            var zeros = 0
            while zeros < 6 && fractionStart + zeros < n && b[fractionStart + zeros] == 0x30 { zeros += 1 }
            if zeros == 6 { return false }
        }
        return true
    }

    /// The shape of a valid number cell: where its digits are and what surrounds them. Built
    /// in one pass that allocates nothing; the digits are read again when the text is written.
    struct Scan {
        var negative = false
        var isPercent = false
        /// Digits, `,` and `.` of the mantissa (no exponent).
        var bodyStart = 0
        var bodyEnd = 0
        /// How many digits stand before the decimal point.
        var integerDigits = 0
        var exponent = 0
        /// Digit indexes (separators not counted) of the first and last non-zero digits;
        /// `first == -1` when the number is zero.
        var first = -1
        var last = -1

        var significantDigits: Int { first < 0 ? 1 : last - first + 1 }
        /// Power of ten of the last significant digit.
        var lastPower: Int { integerDigits - 1 - last + exponent }
        var maximumTextLength: Int { significantDigits + 48 }

        init?(_ b: UnsafeRawBufferPointer, mark: DecimalMark = .point) {
            var lo = 0
            var hi = b.count
            var parens = false
            if hi >= 2 && b[0] == UInt8(ascii: "(") && b[hi - 1] == UInt8(ascii: ")") {
                parens = true
                lo = 1
                hi -= 1
            }
            var c = ByteCursor(UnsafeRawBufferPointer(rebasing: b[0..<hi]), at: lo)
            c.skipSpaces()

            // Prefix: sign, currency, sign — at most one of each kind.
            var signed = false
            var currency = false
            if c.current == UInt8(ascii: "-") || c.current == UInt8(ascii: "+") {
                negative = c.current == UInt8(ascii: "-")
                signed = true
                c.index += 1
                c.skipSpaces()
            }
            let prefixCurrency = NumberValue.currencyLength(c)
            if prefixCurrency > 0 {
                currency = true
                c.index += prefixCurrency
                c.skipSpaces()
                if !signed && (c.current == UInt8(ascii: "-") || c.current == UInt8(ascii: "+")) {
                    negative = c.current == UInt8(ascii: "-")
                    signed = true
                    c.index += 1
                    c.skipSpaces()
                }
            }
            if parens {
                guard !signed else { return nil }
                negative = true
            }

            // Mantissa: integer digits in groups of three when a thousands separator is used
            // (the mark's, or a space of one kind throughout), then a fraction.
            let groupMark = mark.thousandsByte
            let decimalMark = mark.byte
            bodyStart = c.index
            var digitIndex = 0
            var groupLength = 0
            var separator: UInt8 = 0  // the separator's last byte, once one is seen
            while true {
                let byte = c.current
                if ByteCursor.isDigit(byte) {
                    if byte != 0x30 {
                        if first < 0 { first = digitIndex }
                        last = digitIndex
                    }
                    digitIndex += 1
                    groupLength += 1
                    c.index += 1
                    continue
                }
                var width = 0
                if byte == groupMark {
                    width = 1
                } else if byte == 0x20 || byte == 0xC2 || byte == 0xE2 {
                    // A space groups thousands only between digits (`5 €`, `99 USD` end here).
                    width = NumberValue.spaceWidth(c)
                    guard width > 0, ByteCursor.isDigit(c.peek(width)), groupLength > 0 else { break }
                }
                guard width > 0 else { break }
                let kind = c.peek(width - 1)
                guard groupLength >= 1, separator == 0 ? groupLength <= 3 : groupLength == 3,
                    separator == 0 || separator == kind, ByteCursor.isDigit(c.peek(width))
                else { return nil }
                // `0,750` is not seven hundred and fifty: a first group never starts with 0.
                if separator == 0 && b[c.index - groupLength] == 0x30 { return nil }
                separator = kind
                groupLength = 0
                c.index += width
            }
            if separator != 0 { guard groupLength == 3 else { return nil } }
            integerDigits = digitIndex
            if c.current == decimalMark {
                c.index += 1
                while true {
                    let byte = c.current
                    guard ByteCursor.isDigit(byte) else { break }
                    if byte != 0x30 {
                        if first < 0 { first = digitIndex }
                        last = digitIndex
                    }
                    digitIndex += 1
                    c.index += 1
                }
            }
            guard digitIndex > 0 else { return nil }
            bodyEnd = c.index

            // Exponent: `e` or `E`, an optional sign, digits.
            if c.current | 0x20 == UInt8(ascii: "e") {
                var k = 1
                var exponentNegative = false
                if c.peek(1) == UInt8(ascii: "-") || c.peek(1) == UInt8(ascii: "+") {
                    exponentNegative = c.peek(1) == UInt8(ascii: "-")
                    k = 2
                }
                if ByteCursor.isDigit(c.peek(k)) {  // else maybe a currency code (`5EUR`)
                    c.index += k
                    let (value, count) = c.digits()
                    guard count <= 6 else { return nil }  // |exponent| < 1,000,000: far past Double's range
                    exponent = exponentNegative ? -value : value
                }
            }

            // Suffix: currency or percent sign.
            c.skipSpaces()
            if !currency {
                let suffixCurrency = NumberValue.currencyLength(c)
                if suffixCurrency > 0 {
                    currency = true
                    c.index += suffixCurrency
                    c.skipSpaces()
                }
            }
            if c.current == UInt8(ascii: "%") {
                guard !currency else { return nil }
                isPercent = true
                c.index += 1
                c.skipSpaces()
            }
            guard c.index == hi else { return nil }
            if first < 0 { negative = false }
        }

        /// Writes the canonical text; returns its length (at most `maximumTextLength`).
        func write(_ b: UnsafeRawBufferPointer, to out: UnsafeMutableBufferPointer<UInt8>) -> Int {
            guard first >= 0 else {
                out[0] = 0x30
                return 1
            }
            var n = 0
            @inline(__always) func put(_ byte: UInt8) { out[n] = byte; n += 1 }
            if negative { put(UInt8(ascii: "-")) }
            let count = significantDigits
            let power = lastPower
            let pointAfter = count + power  // significant digits before the decimal point
            let exponent10 = pointAfter - 1  // power of the first significant digit
            let scientific = exponent10 >= 21 || exponent10 <= -7

            if !scientific && pointAfter <= 0 {
                put(0x30)
                put(UInt8(ascii: "."))
                for _ in 0 ..< -pointAfter { put(0x30) }
            }
            // The significant digits, with the point where it falls.
            var digitIndex = 0
            var written = 0
            for i in bodyStart..<bodyEnd {
                let byte = b[i]
                guard ByteCursor.isDigit(byte) else { continue }
                defer { digitIndex += 1 }
                guard digitIndex >= first else { continue }
                guard digitIndex <= last else { break }
                if written > 0 {
                    if scientific ? written == 1 : written == pointAfter { put(UInt8(ascii: ".")) }
                }
                put(byte)
                written += 1
            }
            if scientific {
                put(UInt8(ascii: "e"))
                put(exponent10 >= 0 ? UInt8(ascii: "+") : UInt8(ascii: "-"))
                n += NumberValue.writeDecimal(abs(exponent10), to: UnsafeMutableBufferPointer(rebasing: out[n...]))
            } else if power > 0 {
                for _ in 0..<power { put(0x30) }
            }
            return n
        }

        /// The Double nearest the number: exact arithmetic when the digits fit (Clinger's fast
        /// path), else the standard library's correctly rounded parser on the written text.
        /// Nil when the value is beyond Double's range.
        /// The value is a finite Double without working it out (what `value`'s fast path reads).
        var isCertainlyFinite: Bool { first < 0 || (significantDigits <= 15 && lastPower >= -22 && lastPower <= 22) }

        func value(_ b: UnsafeRawBufferPointer, text: UnsafeBufferPointer<UInt8>) -> Double? {
            guard first >= 0 else { return 0 }
            let power = lastPower
            if significantDigits <= 15 && power >= -22 && power <= 22 {
                var mantissa: UInt64 = 0
                var digitIndex = 0
                for i in bodyStart..<bodyEnd {
                    let d = b[i] &- 0x30
                    guard d < 10 else { continue }
                    if digitIndex >= first && digitIndex <= last { mantissa = mantissa * 10 + UInt64(d) }
                    digitIndex += 1
                }
                var v = Double(mantissa)
                if power >= 0 { v *= NumberValue.powersOfTen[power] } else { v /= NumberValue.powersOfTen[-power] }
                return negative ? -v : v
            }
            guard let v = Double(String(decoding: text, as: UTF8.self)), v.isFinite else { return nil }
            return v
        }
    }

    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// Writes a non-negative integer in decimal; returns the number of bytes.
    static func writeDecimal(_ value: Int, to out: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var digits = 1
        var v = value
        while v >= 10 { v /= 10; digits += 1 }
        v = value
        for i in stride(from: digits - 1, through: 0, by: -1) {
            out[i] = UInt8(0x30 + v % 10)
            v /= 10
        }
        return digits
    }

    /// The length of the space at the cursor: 1 for a space, 2 for a no-break space (U+00A0),
    /// 3 for a narrow no-break space (U+202F), 0 for anything else.
    @inline(__always)
    static func spaceWidth(_ c: ByteCursor) -> Int {
        switch c.current {
        case 0x20: 1
        case 0xC2 where c.peek(1) == 0xA0: 2
        case 0xE2 where c.peek(1) == 0x80 && c.peek(2) == 0xAF: 3
        default: 0
        }
    }

    /// The currency symbol or ISO code (lowercased) in a cell that parsed as a number, or nil when
    /// it has none. A number holds at most one (`Scan` allows one prefix or suffix).
    static func currencyMark(_ b: UnsafeRawBufferPointer) -> [UInt8]? {
        var i = 0
        while i < b.count {
            if i == 0 || !ByteCursor.isLetter(b[i - 1]) {
                let length = currencyLength(ByteCursor(b, at: i))
                if length > 0 { return b[i..<i + length].map { ByteCursor.isLetter($0) ? $0 | 0x20 : $0 } }
            }
            i += 1
        }
        return nil
    }

    /// Length of the currency symbol or ISO code at the cursor, 0 when there is none.
    /// Symbols: `$ € £ ¥ ₹`; codes (any case, not followed by a letter): USD EUR GBP CAD AUD
    /// NZD JPY CHF CNY INR MXN BRL SEK NOK DKK PLN ZAR SGD HKD.
    static func currencyLength(_ c: ByteCursor) -> Int {
        switch c.current {
        case UInt8(ascii: "$"): return 1
        case 0xC2 where c.peek(1) == 0xA3 || c.peek(1) == 0xA5: return 2  // £ ¥
        case 0xE2 where c.peek(1) == 0x82 && (c.peek(2) == 0xAC || c.peek(2) == 0xB9): return 3  // € ₹
        default: break
        }
        guard ByteCursor.isLetter(c.current), ByteCursor.isLetter(c.peek(1)), ByteCursor.isLetter(c.peek(2)),
            !ByteCursor.isLetter(c.peek(3))
        else { return 0 }
        let code = (UInt32(c.current | 0x20) << 16) | (UInt32(c.peek(1) | 0x20) << 8) | UInt32(c.peek(2) | 0x20)
        return currencyCodes.contains(code) ? 3 : 0
    }

    private static let currencyCodes: Set<UInt32> = Set(
        [
            "usd", "eur", "gbp", "cad", "aud", "nzd", "jpy", "chf", "cny", "inr",
            "mxn", "brl", "sek", "nok", "dkk", "pln", "zar", "sgd", "hkd",
        ].map { code in
            code.utf8.reduce(UInt32(0)) { ($0 << 8) | UInt32($1) }
        })
}
