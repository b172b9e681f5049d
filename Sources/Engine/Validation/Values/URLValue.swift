/// `url` cells: `scheme://host[:port][/path][?query][#fragment]`, normalized as a browser
/// would: scheme and host lowercase, extra slashes after `://` dropped (`https:///dromo.io`),
/// the scheme's default port dropped, `.` and `..` path segments resolved, an empty path
/// written `/`. A cell without a scheme (`www.example.com/a`) is read as `https://`. The host
/// is a domain (see `DomainValue`), an IPv4 address, `localhost` or a bracketed IPv6 address.
/// Spaces and control characters are not accepted.
struct URLRule: Sendable {
    /// Lowercase schemes without `:`; empty means any.
    let protocols: [String]
    /// Lowercase domains; a host matches one when it is that domain or under it.
    let domains: [String]

    /// The label left of a host's public suffix (the last label, or the last two when they are a
    /// common two-level suffix such as `co.uk`): `google` for `www.google.co.uk`.
    static func siteName(_ host: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        let labels = host.split(separator: 0x2E, omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return host }
        let lastTwo = String(decoding: Array(labels[labels.count - 2]) + [0x2E] + Array(labels[labels.count - 1]), as: UTF8.self)
        if labels.count >= 3 && DomainValue.twoLevelSuffixes.contains(lastTwo) { return labels[labels.count - 3] }
        return labels[labels.count - 2]
    }

    func normalize(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) -> String? {
        for c in b where c <= 0x20 || c == 0x7F || c == 0x5C { return "Not a valid URL" }
        var i = 0
        // Scheme.
        var schemeEnd = -1
        while i < b.count {
            let c = b[i]
            if c == 0x3A { schemeEnd = i; break }
            guard ByteCursor.isLetter(c) || (i > 0 && (ByteCursor.isDigit(c) || c == 0x2B || c == 0x2D || c == 0x2E)) else { break }
            i += 1
        }
        let hasScheme = schemeEnd > 0 && schemeEnd + 2 < b.count && b[schemeEnd + 1] == 0x2F && b[schemeEnd + 2] == 0x2F
        let schemeStart = out.count
        if hasScheme {
            for k in 0..<schemeEnd { out.append(ByteCursor.lower(b[k])) }
            i = schemeEnd + 1
            while i < b.count && b[i] == 0x2F { i += 1 }
        } else {
            if schemeEnd > 0 && !(schemeEnd + 1 < b.count && ByteCursor.isDigit(b[schemeEnd + 1])) { return "Not a valid URL" }
            out.append(contentsOf: "https".utf8)
            i = 0
        }
        let scheme = out[schemeStart...]
        if !protocols.isEmpty && !protocols.contains(where: { $0.utf8.elementsEqual(scheme) }) {
            return "The URL's protocol is not one of \(protocols.joined(separator: ", "))"
        }
        out.append(contentsOf: [0x3A, 0x2F, 0x2F])
        // Authority: [userinfo@]host[:port].
        var authorityEnd = i
        while authorityEnd < b.count, b[authorityEnd] != 0x2F, b[authorityEnd] != 0x3F, b[authorityEnd] != 0x23 { authorityEnd += 1 }
        var hostStart = i
        for k in i..<authorityEnd where b[k] == 0x40 { hostStart = k + 1 }
        if hostStart > i { out.append(contentsOf: b[i..<hostStart]) }
        var hostEnd = authorityEnd
        var port: (start: Int, end: Int)?
        if hostStart < authorityEnd && b[hostStart] == 0x5B {
            guard let close = b[hostStart..<authorityEnd].firstIndex(of: 0x5D) else { return "Not a valid URL" }
            hostEnd = close + 1
            if hostEnd < authorityEnd {
                guard b[hostEnd] == 0x3A else { return "Not a valid URL" }
                port = (hostEnd + 1, authorityEnd)
            }
            for k in hostStart..<hostEnd { out.append(ByteCursor.lower(b[k])) }
        } else {
            if let colon = b[hostStart..<authorityEnd].firstIndex(of: 0x3A) {
                hostEnd = colon
                port = (colon + 1, authorityEnd)
            }
            let host = UnsafeRawBufferPointer(rebasing: b[hostStart..<hostEnd])
            let hostOut = out.count
            if URLRule.isIPv4(host) || (host.count == 9 && ByteCursor(host).matches(0..<9, "localhost")) {
                for c in host { out.append(ByteCursor.lower(c)) }
            } else if DomainValue.normalize(host, into: &out) == nil {
                return "Not a valid URL"
            }
            if !domains.isEmpty {
                let h = out[hostOut...]
                let ok = domains.contains { d in
                    // A name without a dot (`google`, as Dromo's docs write them) is the site's
                    // name under any public suffix: google.com, www.google.de, google.co.uk.
                    if !d.utf8.contains(0x2E) { return URLRule.siteName(h).elementsEqual(d.utf8) }
                    return h.elementsEqual(d.utf8)
                        || (h.count > d.utf8.count + 1 && h.suffix(d.utf8.count + 1).elementsEqual([0x2E] + Array(d.utf8)))
                }
                if !ok { return "The URL's domain is not one of \(domains.joined(separator: ", "))" }
            }
        }
        if let port, port.end > port.start {
            guard port.end - port.start <= 5 else { return "Not a valid URL (port)" }
            var value = 0
            for k in port.start..<port.end {
                guard ByteCursor.isDigit(b[k]) else { return "Not a valid URL (port)" }
                value = value * 10 + Int(b[k] - 0x30)
            }
            guard value <= 65535 else { return "Not a valid URL (port)" }
            let isDefault =
                (value == 80 && (scheme.elementsEqual("http".utf8) || scheme.elementsEqual("ws".utf8)))
                || (value == 443 && (scheme.elementsEqual("https".utf8) || scheme.elementsEqual("wss".utf8)))
                || (value == 21 && scheme.elementsEqual("ftp".utf8))
            if !isDefault {
                out.append(0x3A)
                out.append(contentsOf: String(value).utf8)
            }
        }
        return appendRest(b, from: authorityEnd, into: &out)
    }

    /// The path with dot segments resolved (RFC 3986 5.2.4), then query and fragment as they are.
    private func appendRest(_ b: UnsafeRawBufferPointer, from: Int, into out: inout [UInt8]) -> String? {
        var pathEnd = from
        while pathEnd < b.count, b[pathEnd] != 0x3F, b[pathEnd] != 0x23 { pathEnd += 1 }
        let pathStart = out.count
        out.append(0x2F)
        var k = from
        if k < pathEnd && b[k] == 0x2F { k += 1 }
        while k <= pathEnd && from < pathEnd {
            var e = k
            while e < pathEnd && b[e] != 0x2F { e += 1 }
            let segment = b[k..<e]
            let last = e >= pathEnd
            if segment.elementsEqual([0x2E]) {
                // "." adds nothing.
            } else if segment.elementsEqual([0x2E, 0x2E]) {
                // ".." removes the last segment written.
                if out.count > pathStart + 1 {
                    out.removeLast()
                    while out.count > pathStart + 1 && out[out.count - 1] != 0x2F { out.removeLast() }
                }
            } else {
                out.append(contentsOf: segment)
                if !last { out.append(0x2F) }
            }
            if last { break }
            k = e + 1
        }
        out.append(contentsOf: b[pathEnd...])
        return nil
    }

    static func isIPv4(_ b: UnsafeRawBufferPointer) -> Bool {
        var parts = 0, value = 0, digits = 0
        for i in 0...b.count {
            if i == b.count || b[i] == 0x2E {
                guard digits > 0, value <= 255 else { return false }
                parts += 1
                value = 0
                digits = 0
                continue
            }
            guard ByteCursor.isDigit(b[i]), digits < 3 else { return false }
            value = value * 10 + Int(b[i] - 0x30)
            digits += 1
        }
        return parts == 4
    }
}
