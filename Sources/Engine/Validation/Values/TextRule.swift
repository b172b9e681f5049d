/// The types whose cells become a normalized string (phone numbers, URLs, codes): decided once
/// per field from its type options, then applied to each cell on bytes.
enum TextRule: Sendable {
    case phone(PhoneRule)
    case url(URLRule)
    case domain(allowSubdomains: Bool)
    case country(threeLetter: Bool)
    case usState
    case zip(ZipRule)
    case ssn(SSNRule)
    case uuid(UUIDRule)

    init?(_ type: FieldType) {
        let o = type.options
        func bool(_ key: String) -> Bool? { if case .bool(let b)? = o[key] { b } else { nil } }
        func strings(_ key: String) -> [String] { o[key]?.arrayValue?.compactMap(\.stringValue) ?? [] }
        switch type.kind {
        case .phoneNumber:
            let country = o["country"]?.stringValue.flatMap(CountryValue.byAlpha2) ?? CountryValue.byAlpha2("US")!
            let format = o["format"]?.stringValue.flatMap(PhoneRule.Format.init) ?? .international
            self = .phone(PhoneRule(country: country, format: format, formatted: bool("outputFormatted") ?? false))
        case .url:
            self = .url(
                URLRule(
                    protocols: strings("acceptedProtocols").map { URLRule.scheme($0) },
                    domains: strings("acceptedDomains").map { $0.lowercased() }))
        case .domain: self = .domain(allowSubdomains: bool("allowSubdomains") ?? true)
        case .country: self = .country(threeLetter: o["format"]?.stringValue == "3-letter")
        case .usStateTerritory: self = .usState
        case .usZipCode: self = .zip(ZipRule(nineDigit: o["format"]?.stringValue == "9-digit", dash: bool("outputDash") ?? false))
        case .ssn: self = .ssn(SSNRule(dash: bool("outputDash") ?? false))
        case .uuid: self = .uuid(UUIDRule(version: o["version"]?.intValue))
        default: return nil
        }
    }

    /// Writes the cell's output text to `out` (not JSON-escaped); returns the problem, or nil.
    func normalize(_ b: UnsafeRawBufferPointer, into out: inout [UInt8]) -> String? {
        switch self {
        case .phone(let rule): return rule.normalize(b, into: &out)
        case .url(let rule): return rule.normalize(b, into: &out)
        case .domain(let allowSubdomains):
            guard let labels = DomainValue.normalize(b, into: &out) else { return "Not a valid domain" }
            if !allowSubdomains && !DomainValue.isRegistrable(out[...], labels: labels) { return "Subdomains are not allowed" }
            return nil
        case .country(let threeLetter):
            guard let c = CountryValue.find(b) else { return "Not a known country" }
            out.append(contentsOf: (threeLetter ? c.alpha3 : c.alpha2).utf8)
            return nil
        case .usState:
            guard let code = USStateValue.find(b) else { return "Not a US state or territory" }
            out.append(contentsOf: code.utf8)
            return nil
        case .zip(let rule): return rule.normalize(b, into: &out)
        case .ssn(let rule): return rule.normalize(b, into: &out)
        case .uuid(let rule): return rule.normalize(b, into: &out)
        }
    }
}

extension URLRule {
    /// `"HTTPS:"` and `"https://"` as written in `acceptedProtocols` → `https`.
    static func scheme(_ s: String) -> String {
        var s = s.lowercased()
        while let last = s.last, last == "/" || last == ":" { s.removeLast() }
        return s
    }
}
