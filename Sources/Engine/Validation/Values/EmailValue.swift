/// A practical check of an email address, on bytes: `local@domain.tld`.
///
/// - local part: 1–64 bytes of atext (letters, digits, ``!#$%&'*+-/=?^_`{|}~``) and dots, no
///   leading, trailing or doubled dot; no quoted local parts;
/// - domain: two or more dot-separated labels of letters, digits and hyphens, 1–63 bytes each,
///   no leading or trailing hyphen; the last label (the TLD) is at least two letters, or an
///   IDNA `xn--` label; no IP literals;
/// - non-ASCII bytes count as letters in both parts (internationalized addresses);
/// - at most 254 bytes in all.
public enum EmailValue {
    public static func isValid(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let n = bytes.count
        guard n >= 6 && n <= 254 else { return false }  // a@b.cd
        var at = -1
        for i in 0..<n where bytes[i] == UInt8(ascii: "@") {
            guard at < 0 else { return false }
            at = i
        }
        guard at >= 1 && at <= 64 else { return false }
        return isValidLocalPart(UnsafeRawBufferPointer(rebasing: bytes[0..<at]))
            && isValidDomain(UnsafeRawBufferPointer(rebasing: bytes[(at + 1)...]))
    }

    private static func isValidLocalPart(_ local: UnsafeRawBufferPointer) -> Bool {
        var previousDot = true  // a leading dot is a doubled one
        for b in local {
            if b == UInt8(ascii: ".") {
                if previousDot { return false }
                previousDot = true
            } else {
                guard isAtext(b) else { return false }
                previousDot = false
            }
        }
        return !previousDot
    }

    @inline(__always)
    private static func isAtext(_ b: UInt8) -> Bool {
        if b >= 0x80 || ByteCursor.isLetter(b) || ByteCursor.isDigit(b) { return true }
        switch b {
        case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
            UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
            UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
            UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
            return true
        default:
            return false
        }
    }

    private static func isValidDomain(_ domain: UnsafeRawBufferPointer) -> Bool {
        var labels = 0
        var labelStart = 0
        var i = 0
        let n = domain.count
        while i <= n {
            if i == n || domain[i] == UInt8(ascii: ".") {
                let label = UnsafeRawBufferPointer(rebasing: domain[labelStart..<i])
                guard isValidLabel(label) else { return false }
                labels += 1
                if i == n { return labels >= 2 && isValidTopLevel(label) }
                labelStart = i + 1
            }
            i += 1
        }
        return false
    }

    private static func isValidLabel(_ label: UnsafeRawBufferPointer) -> Bool {
        guard let first = label.first, let last = label.last, label.count <= 63,
            first != UInt8(ascii: "-"), last != UInt8(ascii: "-")
        else { return false }
        for b in label where !(b >= 0x80 || ByteCursor.isLetter(b) || ByteCursor.isDigit(b) || b == UInt8(ascii: "-")) {
            return false
        }
        return true
    }

    private static func isValidTopLevel(_ label: UnsafeRawBufferPointer) -> Bool {
        guard label.count >= 2 else { return false }
        if label.count > 4 && ByteCursor.lower(label[0]) == UInt8(ascii: "x") && ByteCursor.lower(label[1]) == UInt8(ascii: "n")
            && label[2] == UInt8(ascii: "-") && label[3] == UInt8(ascii: "-")
        {
            return true  // IDNA A-label, e.g. xn--p1ai; its other bytes were checked as a label
        }
        return label.allSatisfy { $0 >= 0x80 || ByteCursor.isLetter($0) }
    }
}
