@testable import Engine
import Foundation
import Testing

/// Contract §11 and DETECTION §0: a file in any encoding a partner sends is read as written.
/// The fixtures (Tests/Fixtures/encodings/, from scripts/encodings/make_fixtures.py) are small
/// CSV files in each encoding and language; `manifest.tsv` says what each is written in.
struct EncodingDetectionTests {
    static let folder = FixtureTests.root.appendingPathComponent("encodings")

    struct Case: Sendable, CustomTestStringConvertible {
        var file: String
        var encoding: TextEncoding
        var testDescription: String { file }
    }

    static let cases: [Case] = {
        let manifest = (try? String(contentsOf: folder.appendingPathComponent("manifest.tsv"), encoding: .utf8)) ?? ""
        return manifest.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            let parts = line.split(separator: "\t")
            guard parts.count >= 2, let encoding = TextEncoding(rawValue: String(parts[1])) else { return nil }
            return Case(file: String(parts[0]), encoding: encoding)
        }
    }()

    /// Files whose bytes two encodings read as plausible text that the models cannot tell apart:
    /// unsure, so the import goes to review (DETECTION §0, "What still goes to review").
    static let knownMisses: Set<String> = ["ja-kanji-euc-jp-short.csv"]

    static func bytes(_ c: Case) throws -> [UInt8] {
        try [UInt8](Data(contentsOf: folder.appendingPathComponent(c.file)))
    }

    /// The whole file as text in `encoding`.
    static func text(_ bytes: [UInt8], _ encoding: TextEncoding, bom: Int = 0) throws -> String {
        String(decoding: try #require(try SourceDecisions.decode(bytes, encoding: encoding, bomLength: bom, complete: true)), as: UTF8.self)
    }

    /// The first data row of a fixture, behind `count` ASCII rows: a file whose only non-ASCII
    /// name is far down.
    static func sparse(_ c: Case, rows count: Int) throws -> [UInt8] {
        let bytes = try bytes(c)
        let lines = bytes.split(separator: 0x0A)
        var out = Array("Name;City;Amount\r\n".utf8)
        for i in 0..<count { out += Array("John Smith;Springfield;\(i).50\r\n".utf8) }
        out += lines[1].map { $0 == UInt8(ascii: ",") ? UInt8(ascii: ";") : $0 } + [0x0A]
        return out
    }

    @Test(arguments: EncodingDetectionTests.cases)
    func everyFixtureReadsAsWritten(_ c: Case) throws {
        let bytes = try Self.bytes(c)
        let d = try SourceDecisions.read(MemorySource(bytes))
        let want = try Self.text(bytes, c.encoding)
        let got = try Self.text(bytes, d.encoding, bom: d.bomLength)
        withKnownIssue {
            #expect(got == want, "\(c.file): read as \(d.encoding.rawValue)")
        } when: {
            Self.knownMisses.contains(c.file)
        }
        // A reading that is wrong is never a confident one: the import would go to review.
        if got != want { #expect(d.encodingDecision?.unsure == true, "\(c.file): read as \(d.encoding.rawValue) with confidence") }
        // A short header of a fixture, as a person would see it.
        if !Self.knownMisses.contains(c.file) {
            let header = want.components(separatedBy: "\r\n").first ?? ""
            #expect(d.sample.strings(row: 0).joined(separator: header.contains(";") ? ";" : header.contains("\t") ? "\t" : ",") == header)
        }
    }

    @Test(arguments: EncodingDetectionTests.cases.filter { $0.file.hasSuffix("-short.csv") && !$0.encoding.rawValue.hasPrefix("utf-") })
    func theOnlyNonASCIINameOnRow2400IsReadAsWritten(_ c: Case) throws {
        let bytes = try Self.sparse(c, rows: 2_400)
        let d = try SourceDecisions.read(MemorySource(bytes))
        let (got, want) = (try Self.text(bytes, d.encoding), try Self.text(bytes, c.encoding))
        withKnownIssue {
            #expect(got == want, "\(c.file): read as \(d.encoding.rawValue)")
        } when: {
            c.file == "ja-kanji-euc-jp-short.csv"
        }
        if got != want { #expect(d.encodingDecision?.unsure == true, "\(c.file): read as \(d.encoding.rawValue) with confidence") }
        #expect(d.encodingDecision?.wholeFile == true)
    }

    struct Late: Sendable { var encoding: TextEncoding; var file: String; var name: String }

    @Test(
        arguments: [
            Late(encoding: .windows1251, file: "ru-windows-1251-short.csv", name: "Иван Петров"),
            // Written in ISO-8859-2, whose bytes for ř í á windows-1250 reads the same: reported as the more usual.
            Late(encoding: .windows1250, file: "cs-iso-8859-2-short.csv", name: "Jiří Novák"),
            Late(encoding: .windows1253, file: "el-windows-1253-short.csv", name: "Γιώργος Παπαδόπουλος"),
            Late(encoding: .shiftJIS, file: "ja-shift_jis-short.csv", name: "佐藤太郎"),
        ],
        [1, 2])
    func aNameBeyondTheSampleIsImportedAsWritten(_ late: Late, workers: Int) throws {
        let (encoding, file, name) = (late.encoding, late.file, late.name)
        // 12,000 ASCII rows (past the 256 KB the first decisions read), then one name.
        let bytes = try Self.sparse(Case(file: file, encoding: encoding), rows: 12_000)
        let schema = Schema(fields: [Field(key: "name"), Field(key: "city"), Field(key: "amount", type: FieldType(.number))])
        let workspace = MemoryWorkspace()
        var request = ImportRequest(id: "x", schema: schema, filename: "late.csv", workers: workers)
        request.chunkSize = 64 << 10
        let outcome = try Importer.run(request, source: MemorySource(bytes), workspace: workspace)
        #expect(outcome.status == .successful)
        let results = try #require(workspace.text("results.json"))
        #expect(results.contains("\"name\":\"\(name)\""))
        #expect(results.components(separatedBy: "\"city\"").count == 12_002)
        let metadata = try #require(workspace.text("metadata.json"))
        #expect(metadata.contains("\"encoding\": \"\(encoding.rawValue)\""))
    }

    @Test func cyrillicHeaderIsImportedAsWrittenNotAsWindows1252() throws {
        let bytes = try Self.bytes(Case(file: "ru-windows-1251-long.csv", encoding: .windows1251))
        let schema = Schema(fields: [
            Field(key: "name", label: "Имя"), Field(key: "city", label: "Город"),
            Field(key: "amount", label: "Сумма", type: FieldType(.number)),
        ])
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(
            ImportRequest(id: "x", schema: schema, filename: "ru.csv", workers: 2), source: MemorySource(bytes), workspace: workspace)
        #expect(outcome.status == .successful)
        let metadata = try #require(workspace.text("metadata.json"))
        #expect(metadata.contains("\"rawHeaders\": [\"Имя\", \"Город\", \"Сумма\"]"))
        #expect(metadata.contains("\"encoding\": \"windows-1251\""))
        #expect(metadata.contains("\"encodingConfidence\": 1"))
        #expect(try #require(workspace.text("results.json")).contains("\"city\":\"Санкт-Петербург\""))
    }

    @Test(arguments: ["ru-utf-16le-short.csv", "ja-utf-16be-short.csv", "de-utf-16le-short.csv", "ko-utf-32le-short.csv"])
    func unicodeWithoutAByteOrderMarkIsReadByItsZeroBytes(_ file: String) throws {
        let c = try #require(Self.cases.first { $0.file == file })
        let bytes = try Self.bytes(c)
        let d = try SourceDecisions.read(MemorySource(bytes))
        #expect(d.encoding == c.encoding)
        #expect(d.encodingDecision?.method == "zero bytes")
        #expect(d.sample.count == 6)
    }

    @Test func aMultiByteFileLargerThanABlockReadsAcrossItsBoundaries() throws {
        // Shift_JIS rows whose characters the 1 MiB blocks of the decoder cut in two.
        let c = Case(file: "ja-shift_jis-long.csv", encoding: .shiftJIS)
        let bytes = try Self.bytes(c)
        let lines = bytes.split(separator: 0x0A, omittingEmptySubsequences: true)
        var big = Array(lines[0]) + [0x0A]
        var rows = 0
        while big.count < (5 << 19) { for line in lines.dropFirst() { big += line + [0x0A]; rows += 1 } }
        big.append(contentsOf: [0x8D, 0xB2, 0x93, 0xA1, 0x0A])  // 佐藤 alone on the last line
        let d = try SourceDecisions.read(MemorySource(big))
        #expect(d.encoding == .shiftJIS)
        var seen = 0, last = ""
        try d.forEachBatch(MemorySource(big)) { batch in
            for r in 0..<batch.count {
                seen += 1
                last = batch.strings(row: r).joined(separator: ",")
                #expect(!last.contains("\u{FFFD}"), "row \(seen): \(last)")
            }
        }
        #expect(seen == rows + 2)
        #expect(last == "佐藤")
    }

    @Test func settingsEncodingNamesTheEncoding() throws {
        let report = SchemaLoader.load(bytes: Array(#"{"fields": [{"key": "name"}], "settings": {"encoding": "KOI8R"}}"#.utf8))
        #expect(report.schema?.settings.encoding == .koi8R)
        let bad = SchemaLoader.load(bytes: Array(#"{"fields": [{"key": "name"}], "settings": {"encoding": "klingon"}}"#.utf8))
        #expect(bad.problems.contains { "\($0)".contains("settings.encoding") })
        #expect(TextEncoding.named("cp1251") == .windows1251)
        #expect(TextEncoding.named("Latin-1") == .iso8859_1)
        #expect(TextEncoding.named("ISO_8859-15") == .iso8859_15)
        #expect(TextEncoding.named("Shift_JIS") == .shiftJIS)
        // Named, the file is read that way even where detection would choose otherwise.
        let bytes = try Self.bytes(Case(file: "ru-windows-1251-short.csv", encoding: .windows1251))
        let d = try SourceDecisions.read(MemorySource(bytes), encoding: .koi8R)
        #expect(d.encoding == .koi8R)
        #expect(d.encodingDecision?.method == "named")
    }

    /// Two pages that read one byte as different letters (ñ and ń at 0xF1): the letters around
    /// it decide, in the language each reading of the file resembles, even where that language's
    /// model prices the rest of the words higher (Spanish surnames cost less as Hungarian).
    @Test(arguments: [
        ("Nombre;Ciudad\nPedro Mu\u{00F1}oz;Madrid\n", TextEncoding.iso8859_1),
        ("Nombre;Ciudad\nAntonio N\u{00FA}\u{00F1}ez;Logro\u{00F1}o\nLuc\u{00ED}a Pe\u{00F1}a;La Coru\u{00F1}a\n", .iso8859_1),
        ("Nazwisko;Miasto\nJan Kowalski;Gda\u{0144}sk\nAnna Nowak;Pozna\u{0144}\n", .windows1250),
        ("N\u{00E9}v;V\u{00E1}ros\nKov\u{00E1}cs J\u{00E1}nos;Gy\u{0151}r\nNagy \u{00C9}va;P\u{00E9}cs\n", .windows1250),
    ])
    func theLetterThatDiffersDecidesNotTheWordsAroundIt(_ text: String, _ encoding: TextEncoding) throws {
        let bytes = try #require(Self.encode(text, encoding))
        let d = try SourceDecisions.read(MemorySource(bytes))
        #expect(try Self.text(bytes, d.encoding) == text, "read as \(d.encoding.rawValue)")
        #expect(d.encodingDecision?.unsure == false, "\(d.encodingDecision?.note ?? "")")
    }

    /// A customers file whose only non-ASCII cells are Russian names, among e-mail addresses,
    /// plans and country codes: the English words read alike in every encoding and cost what
    /// the cheapest reading pays, so the Russian model's price for `example` does not hand the
    /// file to GBK (whose readings of Cyrillic letter pairs are rare ideographs).
    @Test func russianNamesAmongEnglishColumnsAreReadAsWindows1251NotGBK() throws {
        let first = ["Иван", "Мария", "Алексей", "Ольга", "Дмитрий"], last = ["Смирнов", "Кузнецов", "Попов", "Соколов"]
        var text = "id,first_name,last_name,email,plan,country\n"
        for i in 0..<200 { text += "\(i),\(first[i % 5]),\(last[i % 4]),user\(i)@example.com,pro,US\n" }
        let bytes = try #require(Self.encode(text, .windows1251))
        let d = try SourceDecisions.read(MemorySource(bytes))
        #expect(d.encoding == .windows1251)
        #expect(d.encodingDecision?.unsure == false)
        #expect(d.sample.strings(row: 1).prefix(3) == ["0", "Иван", "Смирнов"])
    }

    @Test(arguments: ["es-iso-8859-1-short.csv", "es-iso-8859-1-long.csv"])
    func spanishNamesWithEñeAreReadConfidently(_ file: String) throws {
        let c = try #require(Self.cases.first { $0.file == file })
        let d = try SourceDecisions.read(MemorySource(try Self.bytes(c)))
        #expect(d.encodingDecision?.unsure == false)
        #expect(d.sample.strings(row: 4).first == "Begoña Muñoz")
    }

    /// Kanji alone in EUC-JP: every byte pair is a common character in GBK too, and the
    /// character models (learned from program messages, which hold no personal names) price both
    /// readings alike. Not a guess: review, with both readings among the candidates. Kana, or
    /// a longer file, decide it (the other EUC-JP fixtures).
    @Test func kanjiOnlyNamesInEUCJPAreUnsureBetweenEUCJPAndGBK() throws {
        let c = try #require(Self.cases.first { $0.file == "ja-kanji-euc-jp-short.csv" })
        let e = try #require(try SourceDecisions.read(MemorySource(try Self.bytes(c))).encodingDecision)
        #expect(e.unsure)
        #expect(Set(e.candidates.prefix(2).map(\.encoding)) == [.eucJP, .gbk])
    }

    /// `text` in a single-byte page (every character must be in it).
    static func encode(_ text: String, _ encoding: TextEncoding) -> [UInt8]? {
        guard let page = encoding.codePage else { return nil }
        var out: [UInt8] = []
        for s in text.unicodeScalars {
            if s.value < 0x80 { out.append(UInt8(s.value)); continue }
            guard let i = page.scalars.firstIndex(of: s.value) else { return nil }
            out.append(UInt8(0x80 + i))
        }
        return out
    }

    /// The page's runner-up is far where the pages differ (ë against Lithuanian ė, 4.6 bits), but
    /// GBK reads the two bytes as one ideograph, 3.8 bits behind over the line: there are no
    /// differing bytes to compare a multi-byte reading on, so its whole cost bounds the margin.
    @Test func aCloseMultiByteReadingKeepsAPageUnsure() throws {
        let bytes = Array("Name,Email,Phone\nZo".utf8) + [0xEB, 0x80] + Array(",zoe@example.com,+44 555-555-5555\n".utf8)
        let e = try #require(try SourceDecisions.read(MemorySource(bytes)).encodingDecision)
        #expect(e.encoding == .windows1252)
        #expect(e.unsure)
        #expect(e.note.contains("gbk, which reads the bytes as other characters"))
    }

    @Test func twoReadingsTheBytesDoNotSettleAreUnsure() throws {
        // Two bytes after "Zo": ë and € in Windows-1252, one ideograph in GBK.
        let d = try SourceDecisions.read(MemorySource(Array("name\nZo".utf8) + [0xEB, 0x80, 0x0A]))
        let e = try #require(d.encodingDecision)
        #expect(e.unsure)
        #expect(e.candidates.count > 2)
        #expect(e.confidence < EncodingDetector.sure)
    }

    @Test func readingsThatGiveTheSameTextAreOneChoice() throws {
        // Ł ó ż are at the same bytes in windows-1250 and iso-8859-2: no doubt to report.
        let bytes: [UInt8] = Array("name\n".utf8) + [0xA3, 0xF3, 0x64, 0xBF, 0x0A]  // Łódż
        let d = try SourceDecisions.read(MemorySource(bytes))
        let e = try #require(d.encodingDecision)
        #expect(try Self.text(bytes, d.encoding).contains("Łódż"))
        #expect(e.candidates.contains { $0.encoding == .iso8859_2 && $0.sameTextAs == .windows1250 })
    }

    @Test func anUnsureEncodingGoesToReviewWithEachReadingAndAResolutionChoosesOne() throws {
        let bytes = Array("name,city\nZo".utf8) + [0xEB, 0x80] + Array(",Paris\n".utf8)
        let schema = Schema(fields: [Field(key: "name"), Field(key: "city")])
        let workspace = MemoryWorkspace()
        let outcome = try Importer.run(
            ImportRequest(id: "x", schema: schema, filename: "zoe.csv"), source: MemorySource(bytes), workspace: workspace)
        #expect(outcome.status == .needsReview)
        #expect(outcome.reasons == ["ENCODING"])
        let report = try JSONParser.parse(Array(try #require(workspace.text("report.json")).utf8))
        let candidates = try #require(report["encoding"]?["candidates"]?.arrayValue)
        #expect(candidates.count >= 2)
        #expect(
            candidates.contains {
                $0["encoding"]?.stringValue == "windows-1252" && $0["lines"]?.arrayValue?.first?.stringValue == "Zoë€,Paris"
            })
        #expect(report["messages"]?.arrayValue?.first?.stringValue?.contains("resolution.json (\"encoding\"") == true)
        #expect(workspace.text("review.html")?.contains("encoding-choices") == true)

        var request = ImportRequest(id: "x", schema: schema, filename: "zoe.csv")
        request.resolution = Resolution.parse(Array(#"{"encoding": "cp1252"}"#.utf8))
        let again = MemoryWorkspace()
        let resolved = try Importer.run(request, source: MemorySource(bytes), workspace: again)
        #expect(resolved.status == .successful)
        #expect(again.text("results.json")?.contains("\"name\":\"Zoë€\"") == true)
        #expect(again.text("metadata.json")?.contains("\"encoding\": \"windows-1252\"") == true)
        let bad = Resolution.parse(Array(#"{"encoding": "ebcdic-klingon"}"#.utf8))
        #expect(bad.problems.count == 1)
    }

    @Test func aFileThatMixesUTF8WithAnotherEncodingIsUnsure() throws {
        // Rows pasted from two exports: Müller and Köln in UTF-8, José in Windows-1252.
        let bytes = Array("name,city\nM\u{00FC}ller,K\u{00F6}ln\nJos".utf8) + [0xE9] + Array(",Madrid\nZo\u{00EB},Paris\n".utf8)
        let e = try #require(try SourceDecisions.read(MemorySource(bytes)).encodingDecision)
        #expect(e.unsure)
        #expect(e.note.contains("mixes UTF-8 with another encoding"))
    }

    @Test func aClassicMacFileWithCRLineEndsIsJudgedByItsLateName() throws {
        // Mac OS 9 ended lines with CR alone: the evidence is cut into lines at CR too.
        var bytes = Array("Name;City;Amount\r".utf8)
        for i in 0..<2_400 { bytes += Array("John Smith;Springfield;\(i).50\r".utf8) }
        bytes += Array("Fran".utf8) + [0x8D] + Array("ois Lef".utf8) + [0x8F] + Array("vre;Orl".utf8) + [0x8E] + Array("ans;12.50\r".utf8)
        let d = try SourceDecisions.read(MemorySource(bytes), wholeFile: true)
        #expect(d.encoding == .macintosh)
        #expect(try Self.text(bytes, d.encoding).hasSuffix("François Lefèvre;Orléans;12.50\r"))
    }
}
