import Engine

/// `intake inspect` for a person: the decisions, one per line, then the columns and a preview.
enum InspectText {
    /// How the encoding was decided, when the bytes had to be weighed: "(language models, confidence 0.97)".
    static func encodingNote(_ e: JSONValue?) -> String {
        guard let e, let method = e["method"]?.stringValue, method != "ascii", method != "valid utf-8" else { return "" }
        let confidence =
            e["confidence"].map { v -> String in
                if case .number(let n) = v { return n }; return "?"
            } ?? "?"
        let unsure = e["unsure"]?.boolValue == true ? "; unsure: an import goes to review (ENCODING)" : ""
        return " (\(method), confidence \(confidence)\(unsure))"
    }

    static func render(_ d: JSONValue) -> String {
        func text(_ v: JSONValue?) -> String {
            switch v {
            case .string(let s)?: return s == "\t" ? "tab" : s
            case .number(let n)?: return n
            case nil, .null?: return "none"
            case let other?: return other.compactText
            }
        }
        var out = """
            format:     \(text(d["format"]))
            encoding:   \(text(d["encoding"]))\(encodingNote(d["evidence"]?["encoding"]))
            delimiter:  \(text(d["delimiter"]))
            quote:      \(text(d["quote"]))
            escape:     \(text(d["escape"]))
            sheet:      \(text(d["sheet"]))
            header row: \(text(d["headerRow"])) (0-based record number; none = not determined)
            data rows:  \(text(d["rows"])) (counted in the \(text(d["rowsCounted"])))

            """
        // A header on several lines: which records, and why (the names are the columns' below).
        if let lines = d["evidence"]?["header"]?["rows"]?.arrayValue, lines.count > 1 {
            out += "header on records \(lines.map { text($0) }.joined(separator: ", ")), joined per column\n"
        }
        let notes = d["evidence"]?["notes"]?.arrayValue ?? []
        if !notes.isEmpty {
            out += "why:\n"
            for n in notes { out += "  - \(text(n))\n" }
        }
        if let sheets = d["sheets"]?.arrayValue, !sheets.isEmpty {
            out += "sheets:\n"
            for s in sheets {
                let mark = s["chosen"]?.boolValue == true ? "*" : " "
                out +=
                    " \(mark) \(text(s["name"]))  [\(text(s["kind"])), \(text(s["visibility"]))]  \(text(s["rows"])) rows × \(text(s["columns"])) columns\n"
            }
        }
        out += "columns:\n"
        for c in d["columns"]?.arrayValue ?? [] {
            out += "  #\(text(c["index"]))  \(text(c["header"]))  [\(text(c["type"]))]\n"
        }
        out += "preview:\n"
        for row in (d["preview"]?.arrayValue ?? []).prefix(10) {
            out += "  " + (row.arrayValue ?? []).map { text($0) }.joined(separator: " | ") + "\n"
        }
        return out
    }
}
