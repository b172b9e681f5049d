/// Header comparison: names are compared by their letters and digits only, ignoring case,
/// spacing and punctuation (`Post Code` = `postcode`, `Balance ($)` = `balance`), and
/// misspellings are scored by edit distance.
public enum Similarity {
    /// Lowercased letters and digits (Unicode-aware), everything else dropped.
    public static func normalize(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars where scalar.properties.isAlphabetic || scalar.properties.numericType != nil {
            out.unicodeScalars.append(contentsOf: scalar.properties.lowercaseMapping.unicodeScalars)
        }
        return out
    }

    /// Optimal string alignment distance (Levenshtein plus adjacent transpositions), on any
    /// comparable elements.
    public static func editDistance<T: Equatable>(_ a: [T], _ b: [T]) -> Int {
        if a.isEmpty { return b.count }
        if b.isEmpty { return a.count }
        var previous2 = [Int](repeating: 0, count: b.count + 1)
        var previous = Array(0...b.count)
        var current = [Int](repeating: 0, count: b.count + 1)
        for i in 1...a.count {
            current[0] = i
            for j in 1...b.count {
                let cost = a[i - 1] == b[j - 1] ? 0 : 1
                var best = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
                if i > 1, j > 1, a[i - 1] == b[j - 2], a[i - 2] == b[j - 1] { best = min(best, previous2[j - 2] + 1) }
                current[j] = best
            }
            (previous2, previous, current) = (previous, current, previous2)
        }
        return previous[b.count]
    }

    /// 1 for equal normalized names, falling with each edit: 1 - distance / longer length.
    public static func score(_ a: String, _ b: String) -> Double {
        let x = Array(a.unicodeScalars), y = Array(b.unicodeScalars)
        let longest = max(x.count, y.count)
        guard longest > 0 else { return 0 }
        return 1 - Double(editDistance(x, y)) / Double(longest)
    }

    /// The candidate closest to `key` by edit distance (case ignored), when close enough to be
    /// a likely typo of it.
    public static func closest(_ key: String, in candidates: Set<String>) -> String? {
        let lower = Array(key.lowercased().utf8)
        let limit = max(1, key.count / 4)
        var best: (name: String, distance: Int)?
        for candidate in candidates.sorted() {
            let d = editDistance(lower, Array(candidate.lowercased().utf8))
            if d <= limit, d < (best?.distance ?? Int.max) { best = (candidate, d) }
        }
        return best?.name
    }
}
