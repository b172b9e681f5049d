/// How one column of the file was matched, with the evidence (`report.json`, `metadata.json`).
public struct ColumnMatch: Sendable, Equatable {
    public var index: Int
    public var header: String
    public var field: String?
    public var score: Double
    /// `key`, `label`, `alternateMatches`, `fuzzy`, `values`, `memory`, `resolution`.
    public var matchedBy: String?
    public var alternatives: [FieldScore]
}

public struct FieldScore: Sendable, Equatable {
    public var field: String
    public var score: Double
    public var matchedBy: String
}

public struct MappingDecision: Sendable {
    public var columns: [ColumnMatch]
    /// Field key → column index (the first one, for a `manyToOne` field).
    public var fieldColumns: [String: Int]
    /// `manyToOne` fields: field key → every column matched to it, in file order.
    public var manyColumns: [String: [Int]] = [:]
    public var unmappedColumns: [Int]
    public var missingRequiredFields: [String]
    /// Fields two or more columns claim equally: field key → the columns.
    public var conflicts: [(field: String, columns: [Int])]

    public var needsReview: Bool { !missingRequiredFields.isEmpty || !conflicts.isEmpty }
}

/// Matches the file's columns to the schema's fields: by key, label and alternate matches
/// (ignoring case, spacing and punctuation), then by misspelling (edit distance), then by the
/// values of columns whose header says nothing. With `fuzzyMatchHeaders: false` only a header that
/// is exactly a field's key, label or alternate match (case and inner spacing as written; only
/// surrounding spaces are dropped) maps, as Dromo's setting says: "Dromo will only suggest columns
/// whose headers exactly match a field's `label`, `key`, or `alternateMatches`".
public enum ColumnMapper {
    public static let fuzzyThreshold = 0.75
    public static let valuesThreshold = 0.8

    /// `forced`: column index → field key (or nil to leave the column out), decided before
    /// (a resolution, or remembered mappings), with how.
    public static func map(
        headers: [String], samples: [[String]], fields: [Field], fuzzy: Bool,
        forced: [Int: (field: String?, matchedBy: String)] = [:]
    ) -> MappingDecision {
        let mappable = fields.filter { !$0.hidden }
        guard fuzzy else { return exactly(headers: headers, fields: mappable, forced: forced) }
        var scores: [[FieldScore]] = headers.map { header in
            let h = Similarity.normalize(header)
            guard !h.isEmpty else { return [] }
            let words = Set(wordsOf(header))
            return mappable.compactMap { headerScore(h, words: words, field: $0, fuzzy: fuzzy) }
                .sorted { $0.score > $1.score }
        }
        // Columns whose header names no field: try their values.
        for c in headers.indices where (scores[c].first?.score ?? 0) < fuzzyThreshold && forced[c] == nil {
            let values = c < samples.count ? samples[c] : []
            var byValues: [FieldScore] = []
            for field in mappable {
                if let share = ValueSignature.share(of: values, fitting: field), share >= valuesThreshold {
                    byValues.append(FieldScore(field: field.key, score: (share * 0.9 * 100).rounded() / 100, matchedBy: "values"))
                }
            }
            scores[c] = (scores[c] + byValues).sorted { $0.score > $1.score }
        }
        return decide(headers: headers, fields: mappable, scores: scores, forced: forced)
    }

    /// `fuzzyMatchHeaders: false`: a header maps only to a field it names exactly.
    static func exactly(headers: [String], fields: [Field], forced: [Int: (field: String?, matchedBy: String)]) -> MappingDecision {
        let scores: [[FieldScore]] = headers.map { header in
            let h = header.trimmingSpaces
            guard !h.isEmpty else { return [] }
            return fields.compactMap { field in
                if field.key.trimmingSpaces == h { return FieldScore(field: field.key, score: 1, matchedBy: "key") }
                if field.label.trimmingSpaces == h { return FieldScore(field: field.key, score: 1, matchedBy: "label") }
                if field.alternateMatches.contains(where: { $0.trimmingSpaces == h }) {
                    return FieldScore(field: field.key, score: 1, matchedBy: "alternateMatches")
                }
                return nil
            }
        }
        return decide(headers: headers, fields: fields, scores: scores, forced: forced)
    }

    /// Columns and fields paired from each column's scores, best first.
    static func decide(
        headers: [String], fields mappable: [Field], scores: [[FieldScore]], forced: [Int: (field: String?, matchedBy: String)]
    ) -> MappingDecision {

        var fieldColumns: [String: Int] = [:]
        var columnField: [Int: FieldScore] = [:]
        var conflicts: [(field: String, columns: [Int])] = []
        let many = Set(mappable.filter(\.manyToOne).map(\.key))
        var manyColumns: [String: [Int]] = [:]
        // Decisions made before win.
        for (c, decision) in forced.sorted(by: { $0.key < $1.key }) where c < headers.count {
            if let key = decision.field, many.contains(key) {
                fieldColumns[key] = fieldColumns[key] ?? c
                manyColumns[key, default: []].append(c)
                columnField[c] = FieldScore(field: key, score: 1, matchedBy: decision.matchedBy)
            } else if let key = decision.field, fieldColumns[key] == nil {
                fieldColumns[key] = c
                columnField[c] = FieldScore(field: key, score: 1, matchedBy: decision.matchedBy)
            }
        }
        // Then the best remaining pairs, highest score first; equal claims on one field are a conflict.
        var pairs: [(column: Int, score: FieldScore)] = []
        for c in headers.indices where forced[c] == nil {
            for s in scores[c] { pairs.append((c, s)) }
        }
        pairs.sort { $0.score.score != $1.score.score ? $0.score.score > $1.score.score : $0.column < $1.column }
        var contested = Set<String>()
        for (i, pair) in pairs.enumerated() {
            let key = pair.score.field
            // A manyToOne field takes every column that matches it best.
            if many.contains(key) {
                guard columnField[pair.column] == nil, scores[pair.column].first?.field == key || fieldColumns[key] == nil else { continue }
                if fieldColumns[key] == nil { fieldColumns[key] = pair.column }
                manyColumns[key, default: []].append(pair.column)
                columnField[pair.column] = pair.score
                continue
            }
            guard columnField[pair.column] == nil, fieldColumns[key] == nil, !contested.contains(key) else { continue }
            // Another free column claims this field just as strongly, and has nothing better to take?
            let rivals = pairs[(i + 1)...].filter {
                $0.score.field == key && $0.column != pair.column && columnField[$0.column] == nil
                    && pair.score.score - $0.score.score < 0.02
                    && (scores[$0.column].first?.field == key)
            }.map(\.column)
            if !rivals.isEmpty && scores[pair.column].first?.field == key {
                contested.insert(key)
                conflicts.append((key, [pair.column] + rivals))
                continue
            }
            fieldColumns[key] = pair.column
            columnField[pair.column] = pair.score
        }

        var columns: [ColumnMatch] = []
        var unmapped: [Int] = []
        for (c, header) in headers.enumerated() {
            let chosen = columnField[c]
            if chosen == nil { unmapped.append(c) }
            let alternatives = scores[c].filter { $0.field != chosen?.field && $0.score >= 0.5 }.prefix(3)
            columns.append(
                ColumnMatch(
                    index: c, header: header, field: chosen?.field, score: chosen.map { round2($0.score) } ?? 0,
                    matchedBy: chosen?.matchedBy,
                    alternatives: alternatives.map { FieldScore(field: $0.field, score: round2($0.score), matchedBy: $0.matchedBy) }))
        }
        let missing = mappable.filter { f in f.mustBeMapped && fieldColumns[f.key] == nil && !conflicts.contains { $0.field == f.key } }
            .map(\.key)
        for key in manyColumns.keys {
            manyColumns[key]?.sort()
            fieldColumns[key] = manyColumns[key]?.first
        }
        return MappingDecision(
            columns: columns, fieldColumns: fieldColumns, manyColumns: manyColumns, unmappedColumns: unmapped,
            missingRequiredFields: missing, conflicts: conflicts)
    }

    static func round2(_ x: Double) -> Double { (x * 100).rounded() / 100 }

    static func headerScore(_ h: String, words: Set<String>, field: Field, fuzzy: Bool) -> FieldScore? {
        if Similarity.normalize(field.label) == h && Similarity.normalize(field.key) != Similarity.normalize(field.label) {
            // The header is the label (the name people see) rather than the key.
            return FieldScore(field: field.key, score: 1, matchedBy: "label")
        }
        if Similarity.normalize(field.key) == h { return FieldScore(field: field.key, score: 1, matchedBy: "key") }
        if Similarity.normalize(field.label) == h { return FieldScore(field: field.key, score: 1, matchedBy: "label") }
        if field.alternateMatches.contains(where: { Similarity.normalize($0) == h }) {
            return FieldScore(field: field.key, score: 1, matchedBy: "alternateMatches")
        }
        guard fuzzy else { return nil }
        var best = 0.0
        for name in [field.key, field.label] + field.alternateMatches {
            let n = Similarity.normalize(name)
            guard !n.isEmpty else { continue }
            best = max(best, Similarity.score(h, n))
            // Every word of the name in the header ("Customer Email" for "email").
            let nameWords = Set(wordsOf(name))
            if !nameWords.isEmpty, nameWords.isSubset(of: words), words.count <= nameWords.count + 2 {
                best = max(best, 0.8 - 0.05 * Double(words.count - nameWords.count))
            }
        }
        return best >= fuzzyThreshold ? FieldScore(field: field.key, score: min(best, 0.99), matchedBy: "fuzzy") : nil
    }

    /// Lowercased words of a header: split on anything not a letter or digit, and on camelCase.
    static func wordsOf(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var previousLower = false
        for scalar in text.unicodeScalars {
            let p = scalar.properties
            if p.isAlphabetic || p.numericType != nil {
                if p.isUppercase && previousLower && !current.isEmpty { words.append(current); current = "" }
                current.unicodeScalars.append(contentsOf: p.lowercaseMapping.unicodeScalars)
                previousLower = p.isLowercase
            } else {
                if !current.isEmpty { words.append(current); current = "" }
                previousLower = false
            }
        }
        if !current.isEmpty { words.append(current) }
        return words
    }
}
