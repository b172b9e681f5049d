extension ByteRegex {
    /// A set of code points as sorted, disjoint, non-adjacent closed ranges. Code points, not
    /// `Unicode.Scalar`s, because a pattern may name a lone surrogate (`\uD800`), which simply
    /// never matches UTF-8 input.
    struct ScalarSet: Hashable, Sendable {
        static let maxCodePoint: UInt32 = 0x10FFFF

        private(set) var ranges: [ClosedRange<UInt32>] = []

        init() {}

        /// Sorts and merges, so building a set of n ranges takes n log n, whatever their order.
        init(_ ranges: [ClosedRange<UInt32>]) {
            for range in ranges.sorted(by: { $0.lowerBound < $1.lowerBound }) {
                if let last = self.ranges.last, range.lowerBound <= last.upperBound &+ 1 {
                    self.ranges[self.ranges.count - 1] = last.lowerBound...max(last.upperBound, range.upperBound)
                } else {
                    self.ranges.append(range)
                }
            }
        }

        static let all = ScalarSet([0...maxCodePoint])

        var isEmpty: Bool { ranges.isEmpty }

        func contains(_ value: UInt32) -> Bool {
            var low = 0, high = ranges.count
            while low < high {
                let mid = (low + high) / 2
                if ranges[mid].upperBound < value { low = mid + 1 } else { high = mid }
            }
            return low < ranges.count && ranges[low].lowerBound <= value
        }

        func inverted() -> ScalarSet {
            var result = ScalarSet()
            var next: UInt32 = 0
            for range in ranges {
                if range.lowerBound > next { result.ranges.append(next...(range.lowerBound - 1)) }
                next = range.upperBound &+ 1
            }
            if !ranges.isEmpty && ranges[ranges.count - 1].upperBound == Self.maxCodePoint { return result }
            result.ranges.append(next...Self.maxCodePoint)
            return result
        }

        /// Adds every code point that is equal to a member under the pattern's case folding
        /// (ECMAScript `Canonicalize`), so comparing sets is then plain membership.
        func caseClosed(unicode: Bool) -> ScalarSet {
            let folding = unicode ? CaseFolding.unicode : CaseFolding.legacy
            var added: [UInt32] = []
            if ranges.count == 1 && ranges[0].count == 1 {
                added = folding.orbit(of: ranges[0].lowerBound)
            } else {
                for orbit in folding.orbits where orbit.contains(where: contains) { added += orbit }
            }
            return added.isEmpty ? self : ScalarSet(ranges + added.map { $0...$0 })
        }
    }
}

extension ByteRegex.ScalarSet {
    /// This set's number in a program's list of sets, added the first time (programs share a set
    /// used in several places).
    func interned(in sets: inout [Self], index: inout [Self: Int32]) -> Int32 {
        if let known = index[self] { return known }
        sets.append(self)
        index[self] = Int32(sets.count - 1)
        return Int32(sets.count - 1)
    }

    static let digits = Self([0x30...0x39])
    static let asciiWord = Self([0x30...0x39, 0x41...0x5A, 0x5F...0x5F, 0x61...0x7A])
    /// `\s`: ECMAScript WhiteSpace and LineTerminator.
    static let space = Self([
        0x09...0x0D, 0x20...0x20, 0xA0...0xA0, 0x1680...0x1680, 0x2000...0x200A,
        0x2028...0x2029, 0x202F...0x202F, 0x205F...0x205F, 0x3000...0x3000, 0xFEFF...0xFEFF,
    ])
    static let lineTerminators = Self([0x0A...0x0A, 0x0D...0x0D, 0x2028...0x2029])
    static let notLineTerminators = lineTerminators.inverted()

    /// `\w` and the word characters of `\b`: with both `i` and `u`, ECMAScript adds the
    /// characters that fold into ASCII word characters (U+017F ſ, U+212A Kelvin sign).
    static func word(ignoreCase: Bool, unicode: Bool) -> Self {
        ignoreCase && unicode ? asciiWord.caseClosed(unicode: true) : asciiWord
    }
}

extension ByteRegex {
    /// Classes of code points that are equal under ECMAScript's `Canonicalize`, built once from
    /// the standard library's Unicode case mappings.
    ///
    /// Without `u` (legacy): a UTF-16 code unit maps to its upper case when that is a single
    /// code unit and does not turn a non-ASCII letter into an ASCII one, so `ſ` and the Kelvin
    /// sign stay apart from `s` and `k`, and code points outside the BMP never fold.
    /// With `u`: simple case folding (CaseFolding.txt's C and S entries), computed as the lower
    /// case of the upper case when both are single code points, which folds `ſ` with `s` and
    /// `ς` with `σ` and keeps `ß` alone, plus the handful of exceptions listed below. Checked
    /// against node for every code point whose case mappings are single code points.
    struct CaseFolding: Sendable {
        let orbits: [[UInt32]]
        private let orbitIndex: [UInt32: Int]

        static let legacy = CaseFolding(canonicalize: legacyCanonical)
        static let unicode = CaseFolding(canonicalize: unicodeCanonical)

        func orbit(of value: UInt32) -> [UInt32] {
            orbitIndex[value].map { orbits[$0] } ?? []
        }

        private init(canonicalize: (Unicode.Scalar) -> Unicode.Scalar) {
            var members: [UInt32: [UInt32]] = [:]
            // Every cased letter of Unicode lies below U+20000.
            for value: UInt32 in 0..<0x20000 {
                guard let scalar = Unicode.Scalar(value), scalar.properties.changesWhenCaseMapped else { continue }
                let key = canonicalize(scalar)
                if key != scalar { members[key.value, default: [key.value]].append(value) }
            }
            var orbits: [[UInt32]] = []
            var orbitIndex: [UInt32: Int] = [:]
            for key in members.keys.sorted() {
                let orbit = Array(Set(members[key]!)).sorted()
                for member in orbit { orbitIndex[member] = orbits.count }
                orbits.append(orbit)
            }
            self.orbits = orbits
            self.orbitIndex = orbitIndex
        }

        private static func single(_ text: String) -> Unicode.Scalar? {
            var iterator = text.unicodeScalars.makeIterator()
            guard let first = iterator.next(), iterator.next() == nil else { return nil }
            return first
        }

        private static func legacyCanonical(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
            guard scalar.value <= 0xFFFF, let upper = single(scalar.properties.uppercaseMapping),
                upper.value <= 0xFFFF, !(scalar.value >= 128 && upper.value < 128)
            else { return scalar }
            return upper
        }

        /// CaseFolding.txt's simple foldings that the case mappings do not imply.
        private static let unicodeExceptions: [UInt32: UInt32] = [
            0x130: 0x130, 0x131: 0x131, 0x1FD3: 0x390, 0x1FE3: 0x3B0, 0xFB05: 0xFB06,
        ]

        private static func unicodeCanonical(_ scalar: Unicode.Scalar) -> Unicode.Scalar {
            if let exception = unicodeExceptions[scalar.value] { return Unicode.Scalar(exception)! }
            let upper = single(scalar.properties.uppercaseMapping) ?? scalar
            return single(upper.properties.lowercaseMapping) ?? upper
        }
    }
}
