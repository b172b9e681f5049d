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
        return classes.withUnsafeBufferPointer { classes in
            // The local part, to the first `@` (a second one is not a domain byte).
            var i = 0
            var previousDot = true  // a leading dot is a doubled one
            while i < n {
                let b = bytes[i]
                if b == UInt8(ascii: "@") { break }
                if b == UInt8(ascii: ".") {
                    if previousDot { return false }
                    previousDot = true
                } else {
                    guard classes[Int(b)] & atext != 0 else { return false }
                    previousDot = false
                }
                i += 1
            }
            guard i >= 1 && i <= 64 && i < n && !previousDot else { return false }
            // The domain: labels of letters, digits and hyphens, the last one a top-level domain.
            var labels = 0
            var labelStart = i + 1
            var j = labelStart
            while true {
                if j == n || bytes[j] == UInt8(ascii: ".") {
                    let length = j - labelStart
                    guard length >= 1, length <= 63, bytes[labelStart] != UInt8(ascii: "-"), bytes[j - 1] != UInt8(ascii: "-")
                    else { return false }
                    labels += 1
                    if j == n {
                        return labels >= 2 && isValidTopLevel(UnsafeRawBufferPointer(rebasing: bytes[labelStart..<j]), classes)
                    }
                    labelStart = j + 1
                } else if classes[Int(bytes[j])] & labelByte == 0 {
                    return false
                }
                j += 1
            }
        }
    }

    /// What each byte may be: local-part text (atext), a domain label byte, a top-level domain
    /// byte. Non-ASCII bytes count as letters everywhere (internationalized addresses).
    private static let atext: UInt8 = 1, labelByte: UInt8 = 2, topLevelByte: UInt8 = 4
    private static let classes: [UInt8] = (0..<256).map { b in
        let byte = UInt8(b)
        let letter = byte >= 0x80 || ByteCursor.isLetter(byte)
        let digit = ByteCursor.isDigit(byte)
        var c: UInt8 = 0
        if letter || digit || "!#$%&'*+-/=?^_`{|}~".utf8.contains(byte) { c |= atext }
        if letter || digit || byte == UInt8(ascii: "-") { c |= labelByte }
        if letter { c |= topLevelByte }
        return c
    }

    private static func isValidTopLevel(_ label: UnsafeRawBufferPointer, _ classes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard label.count >= 2 else { return false }
        if label.count > 4 && ByteCursor.lower(label[0]) == UInt8(ascii: "x") && ByteCursor.lower(label[1]) == UInt8(ascii: "n")
            && label[2] == UInt8(ascii: "-") && label[3] == UInt8(ascii: "-")
        {
            return true  // IDNA A-label, e.g. xn--p1ai; its other bytes were checked as a label
        }
        return label.allSatisfy { classes[Int($0)] & topLevelByte != 0 }
    }
}
