import Testing
@testable import Engine

/// The main pass cuts delimited text into chunks for the workers. Cut into many small chunks on
/// two threads, a file must give the same files, byte for byte, as read in one piece on one
/// thread: wherever a cut falls (inside a quoted line end, between CR and LF, before notes).
@Suite struct ChunkedPassTests {
    static let schema = try! #require(
        SchemaLoader.load(
            bytes: Array(
                #"""
                {"fields": [
                  {"label": "id", "key": "id", "type": "number", "validators": [{"validate": "required"}, {"validate": "unique"}]},
                  {"label": "name", "key": "name"},
                  {"label": "email", "key": "email", "type": "email", "validators": [{"validate": "unique"}]},
                  {"label": "note", "key": "note"}
                ], "settings": {"invalidDataBehavior": "REMOVE_INVALID_ROWS"}}
                """#.utf8)
        ).schema)

    /// The outcome and every file the import wrote.
    static func run(_ bytes: [UInt8], chunkSize: Int, workers: Int, resolution: String? = nil) throws -> (ImportOutcome, [String: [UInt8]])
    {
        var request = ImportRequest(id: "chunks", schema: schema, filename: "big.csv", workers: workers)
        request.chunkSize = chunkSize
        request.resolution = resolution.map { Resolution.parse(Array($0.utf8)) }
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(request, source: MemorySource(bytes), workspace: workspace)
        return (outcome, workspace.files)
    }

    /// ~20,000 rows (about 1.5 MB): every seventh note holds a quoted line end, some ids and
    /// emails repeat far apart, some emails are invalid.
    static func rows(lineEnd: String = "\n", noteLineEnd: String = "\n", extra: (Int) -> String? = { _ in nil }) -> String {
        var text = "id,name,email,note" + lineEnd
        for i in 0..<20_000 {
            if let line = extra(i) { text += line + lineEnd }
            let id = i % 997 == 5 ? 3 : i
            let email = i % 1_013 == 7 ? "dup@example.com" : i % 89 == 0 ? "not-an-email" : "user\(i)@example.com"
            let note = i % 7 == 0 ? "\"said \"\"hi\"\",\(noteLineEnd)then left \(i)\"" : i % 5 == 0 ? "plain \(i)" : ""
            text += "\(id),Näme \(i),\(email),\(note)" + lineEnd
        }
        return text
    }

    static let cases: [(name: String, bytes: [UInt8])] = [
        ("LF, quoted line ends", Array(rows().utf8)),
        ("CRLF, quoted CRLF", Array(rows(lineEnd: "\r\n", noteLineEnd: "\r\n").utf8)),
        ("CR only", Array(rows(lineEnd: "\r", noteLineEnd: "\r").utf8)),
        ("UTF-8 BOM", [0xEF, 0xBB, 0xBF] + Array(rows().utf8)),
        ("Windows-1252", Array(rows().utf8).flatMap { $0 == 0xC3 ? [] : $0 == 0xA4 ? [0xE4] : [$0] }),
        (
            "notes and blank lines between rows",
            Array(rows(extra: { $0 % 2_500 == 40 ? "Note: the figures below are provisional" : $0 % 3_001 == 9 ? "" : nil }).utf8)
        ),
        ("a second table", Array(rows(extra: { $0 == 15_000 ? "\nRegion,Total,Count,Comment" : nil }).utf8)),
        // ASCII, then one Windows-1252 name past the first chunk: the pass starts again in the
        // encoding the whole file says. (A file whose other rows are UTF-8 mixes encodings and
        // goes to review: EncodingDetectionTests.)
        (
            "not UTF-8 after the first chunk",
            Array(rows().replacingOccurrences(of: "Näme", with: "Name").utf8) + Array("1,Ren".utf8) + [0xE9, 0x65, 0x0A]
        ),
        ("a row too wide after the first chunk", Array(rows(extra: { $0 == 12_000 ? String(repeating: "x,", count: 20_000) : nil }).utf8)),
        // Multi-byte encodings are cut in chunks too: no line end is part of a character.
        ("Shift_JIS", shiftJIS(rows().replacingOccurrences(of: "Näme", with: "田中"))),
        // A quoted field longer than a chunk (at least 64 KB are read), without a line end: cut
        // between characters, never inside one (田 is 0x93 0x63: its second byte looks like a
        // character of its own to a cut that knows only UTF-8).
        (
            "Shift_JIS, a field longer than a chunk",
            shiftJIS(
                rows(extra: { i in
                    i == 12_000 ? "99999,田中,long@example.com,\"" + String(repeating: "田", count: 100_000) + "\"" : nil
                }).replacingOccurrences(of: "Näme", with: "田中"))
        ),
    ]

    /// `text` in Shift_JIS, whose only non-ASCII characters are 田 and 中.
    static func shiftJIS(_ text: String) -> [UInt8] {
        text.unicodeScalars.flatMap { s -> [UInt8] in
            if s == "田" { return [0x93, 0x63] }
            if s == "中" { return [0x92, 0x86] }
            precondition(s.isASCII, "only 田 and 中")
            return [UInt8(s.value)]
        }
    }

    @Test(arguments: cases.map(\.name))
    func smallChunksOnTwoThreadsReadLikeOnePiece(_ name: String) throws {
        let bytes = try #require(ChunkedPassTests.cases.first { $0.name == name }).bytes
        // The second table's rows look like the first's: that goes to review (TABLE_END), on
        // one thread and in chunks alike; with the cut accepted, both read the first table alone.
        let second = name == "a second table"
        if second {
            let (review, _) = try ChunkedPassTests.run(bytes, chunkSize: 4_096, workers: 2)
            #expect(review.reasons == ["TABLE_END"])
        }
        let accept = second ? #"{"readToEnd": false}"# : nil
        let (whole, wholeFiles) = try ChunkedPassTests.run(bytes, chunkSize: 64 << 20, workers: 1, resolution: accept)
        let (cut, cutFiles) = try ChunkedPassTests.run(bytes, chunkSize: 4_096, workers: 2, resolution: accept)
        #expect(cut.status == whole.status)
        #expect(cut.failure?.message == whole.failure?.message)
        #expect(cutFiles.keys.sorted() == wholeFiles.keys.sorted())
        for (file, content) in wholeFiles {
            #expect(cutFiles[file] == content, "\(file) differs")
        }
        if name.hasPrefix("a row too wide") {
            // Header, 12,000 rows, 1,715 quoted line ends among them: the wide row starts on line 13717.
            #expect(whole.failure?.code == "UNREADABLE_FILE")
            #expect(whole.failure?.message.contains("line 13717 has more than 16384 columns") == true, "\(whole.failure?.message ?? "")")
        } else {
            #expect(whole.status == .successful)
            #expect((wholeFiles["results.json"]?.count ?? 0) > 500_000)
        }
        if name.hasPrefix("Shift_JIS") {
            let results = String(decoding: cutFiles["results.json"] ?? [], as: UTF8.self)
            #expect(results.contains("\"name\":\"田中 19999\""))
            #expect(!results.contains("\u{FFFD}"))
            if name.hasSuffix("longer than a chunk") {
                #expect(results.contains("\"note\":\"" + String(repeating: "田", count: 100_000) + "\""))
            }
        }
    }
}
