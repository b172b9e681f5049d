/// `domain` cells: a host name like `example.com` or `www.example.co.uk`, nothing else (no
/// scheme, port, path or spaces). Labels of letters, digits and hyphens (1–63 bytes, no hyphen at
/// either end; non-ASCII bytes count as letters, for internationalized names), at least two
/// labels, the last one letters (or an `xn--` label), 253 bytes at most; a trailing dot is
/// dropped. The output is lowercase.
///
/// `allowSubdomains: false` accepts only a registrable name: two labels, or three when the last
/// two are a common two-level public suffix (`co.uk`, `com.au`, …; not the whole Public Suffix List).
enum DomainValue {
    static let twoLevelSuffixes: Set<String> = [
        "co.uk", "org.uk", "ac.uk", "gov.uk", "ltd.uk", "plc.uk", "me.uk", "net.uk", "com.au", "net.au", "org.au", "edu.au",
        "gov.au", "co.nz", "org.nz", "net.nz", "co.jp", "ne.jp", "or.jp", "ac.jp", "co.za", "org.za", "com.br", "net.br",
        "org.br", "com.cn", "net.cn", "org.cn", "com.mx", "org.mx", "co.in", "net.in", "org.in", "firm.in", "com.ar",
        "com.tr", "co.kr", "or.kr", "com.sg", "com.hk", "com.tw", "co.il", "com.my", "co.id", "com.ph", "com.vn",
        "com.pl", "com.ua", "co.th", "com.co", "com.pe", "com.eg", "com.sa", "com.ng", "co.ke",
    ]

    /// Appends the lowercase domain; returns the number of labels, or nil when not a domain.
    static func normalize(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) -> Int? {
        var end = b.count
        if end > 0 && b[end - 1] == 0x2E { end -= 1 }
        guard end > 0 && end <= 253 else { return nil }
        var labels = 0
        var labelStart = 0
        for i in 0...end {
            if i == end || b[i] == 0x2E {
                let n = i - labelStart
                guard n >= 1 && n <= 63, b[labelStart] != 0x2D, b[i - 1] != 0x2D else { return nil }
                labels += 1
                if i == end {
                    // The top-level label: letters, or an IDNA A-label.
                    let tld = UnsafeRawBufferPointer(rebasing: b[labelStart..<i])
                    let idna =
                        n > 4 && ByteCursor.lower(tld[0]) == 0x78 && ByteCursor.lower(tld[1]) == 0x6E && tld[2] == 0x2D && tld[3] == 0x2D
                    guard n >= 2, idna || tld.allSatisfy({ $0 >= 0x80 || ByteCursor.isLetter($0) }) else { return nil }
                } else {
                    out.append(0x2E)
                }
                labelStart = i + 1
                continue
            }
            let c = b[i]
            guard c >= 0x80 || ByteCursor.isLetter(c) || ByteCursor.isDigit(c) || c == 0x2D else { return nil }
            out.append(ByteCursor.lower(c))
        }
        return labels >= 2 ? labels : nil
    }

    static func isRegistrable(_ domain: ArraySlice<UInt8>, labels: Int) -> Bool {
        if labels == 2 { return true }
        guard labels == 3 else { return false }
        guard let firstDot = domain.firstIndex(of: 0x2E) else { return false }
        return twoLevelSuffixes.contains(String(decoding: domain[(firstDot + 1)...], as: UTF8.self))
    }
}
