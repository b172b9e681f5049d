/// One ISO 3166-1 country (see `CountryTable`, generated).
struct Country: Sendable {
    let alpha2: String
    let alpha3: String
    let callingCode: Int
    let names: [String]
}

/// `country` cells: an English name (ISO's or a common one: `Germany`, `South Korea`, `UK`) or
/// a 2- or 3-letter code (`DE`, `DEU`), any case. The output is the 2- or 3-letter code.
enum CountryValue {
    static let index: NameIndex = {
        var names: [(String, Int)] = []
        for (i, c) in CountryTable.all.enumerated() {
            names.append((c.alpha2, i))
            names.append((c.alpha3, i))
            for n in c.names { names.append((n, i)) }
        }
        return NameIndex(names)
    }()

    static func find(_ bytes: UnsafeRawBufferPointer) -> Country? {
        index.find(bytes).map { CountryTable.all[$0] }
    }

    static func byAlpha2(_ code: String) -> Country? {
        CountryTable.all.first { $0.alpha2 == code.uppercased() }
    }
}

/// `us-state-territory` cells: a name (`New York`) or a USPS code (`NY`, `US-NY`), any case.
/// The 50 states, the District of Columbia and the inhabited territories (AS, GU, MP, PR, VI)
/// and the minor outlying islands (UM). The output is the 2-letter code.
enum USStateValue {
    static let states: [(code: String, name: String)] = [
        ("AL", "Alabama"), ("AK", "Alaska"), ("AZ", "Arizona"), ("AR", "Arkansas"), ("CA", "California"),
        ("CO", "Colorado"), ("CT", "Connecticut"), ("DE", "Delaware"), ("FL", "Florida"), ("GA", "Georgia"),
        ("HI", "Hawaii"), ("ID", "Idaho"), ("IL", "Illinois"), ("IN", "Indiana"), ("IA", "Iowa"), ("KS", "Kansas"),
        ("KY", "Kentucky"), ("LA", "Louisiana"), ("ME", "Maine"), ("MD", "Maryland"), ("MA", "Massachusetts"),
        ("MI", "Michigan"), ("MN", "Minnesota"), ("MS", "Mississippi"), ("MO", "Missouri"), ("MT", "Montana"),
        ("NE", "Nebraska"), ("NV", "Nevada"), ("NH", "New Hampshire"), ("NJ", "New Jersey"), ("NM", "New Mexico"),
        ("NY", "New York"), ("NC", "North Carolina"), ("ND", "North Dakota"), ("OH", "Ohio"), ("OK", "Oklahoma"),
        ("OR", "Oregon"), ("PA", "Pennsylvania"), ("RI", "Rhode Island"), ("SC", "South Carolina"),
        ("SD", "South Dakota"), ("TN", "Tennessee"), ("TX", "Texas"), ("UT", "Utah"), ("VT", "Vermont"),
        ("VA", "Virginia"), ("WA", "Washington"), ("WV", "West Virginia"), ("WI", "Wisconsin"), ("WY", "Wyoming"),
        ("DC", "District of Columbia"), ("AS", "American Samoa"), ("GU", "Guam"), ("MP", "Northern Mariana Islands"),
        ("PR", "Puerto Rico"), ("VI", "U.S. Virgin Islands"), ("UM", "United States Minor Outlying Islands"),
    ]

    static let index: NameIndex = {
        var names: [(String, Int)] = []
        for (i, s) in states.enumerated() {
            names.append((s.code, i))
            names.append(("US-" + s.code, i))
            names.append((s.name, i))
        }
        names.append(("Washington DC", 50))
        names.append(("Washington D.C.", 50))
        names.append(("US Virgin Islands", 55))
        names.append(("Virgin Islands", 55))
        return NameIndex(names)
    }()

    static func find(_ bytes: UnsafeRawBufferPointer) -> String? {
        index.find(bytes).map { states[$0].code }
    }
}
