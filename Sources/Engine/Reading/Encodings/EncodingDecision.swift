/// One encoding the detector weighed, with what reading the file's non-ASCII lines in it costs.
public struct EncodingCandidate: Sendable, Equatable {
    public var encoding: TextEncoding
    /// The language whose text the reading resembles most.
    public var language: String?
    /// Bits per non-ASCII byte the reading costs under the language's model: letters in orders
    /// the language never writes, symbols inside words and bytes that are no character cost more.
    public var bitsPerByte: Double
    /// The same beyond what the language's own text spends: about 0 for the right encoding.
    public var excess: Double
    /// The cost over all the bytes, in bits (what candidates are ranked and margins measured by).
    var total: Double
    /// Bytes that are no character in this encoding.
    public var invalid: Int
    /// Reads every non-ASCII byte of the file exactly as this better candidate does.
    public var sameTextAs: TextEncoding?
}

/// The encoding a file is read in, and what the decision rests on (contract §11, DETECTION §0).
public struct EncodingDecision: Sendable, Equatable {
    public var encoding: TextEncoding
    public var bomLength: Int
    /// `bom`, `zero bytes` (UTF-16/32 without a BOM), `valid utf-8`, `ascii`, `language models`, `named`.
    public var method: String
    /// How sure: 1 for a BOM or valid UTF-8; else from the margin, in bits, over the best
    /// candidate that reads the text differently: 1 / (1 + 2^-bits), as if the models' costs
    /// were the true odds (and at most 0.5 when even the best reading looks like no language).
    public var confidence: Double
    public var candidates: [EncodingCandidate] = []
    public var nonASCIIBytes = 0
    public var lines = 0
    public var scannedBytes = 0
    public var wholeFile = true
    /// The best two candidates read the text differently and the bytes do not settle which is right.
    public var unsure = false
    /// Byte values the best two candidates read differently.
    public var differingBytes: [UInt8] = []
    /// Up to five lines of the file that hold them, as bytes (to show a person each reading).
    var samples: [[UInt8]] = []
    public var note: String

    init(_ encoding: TextEncoding, bomLength: Int = 0, method: String, confidence: Double = 1, note: String) {
        self.encoding = encoding
        self.bomLength = bomLength
        self.method = method
        self.confidence = confidence
        self.note = note
    }

    /// The best candidate and up to three others that read the file differently, each with how
    /// it reads the lines where they differ: what a person chooses from (report.json `encoding`).
    var choices: [(candidate: EncodingCandidate, lines: [String])] {
        var out: [(EncodingCandidate, [String])] = []
        for c in candidates where c.sameTextAs == nil && c.invalid == 0 {
            let lines = samples.map { line in
                ((try? SourceDecisions.decode(line, encoding: c.encoding, bomLength: 0, complete: true)) ?? nil).map {
                    String(decoding: $0, as: UTF8.self)
                } ?? ""
            }
            out.append((c, lines))
            if out.count == 4 { break }
        }
        return out
    }

    /// A person named the encoding (settings.encoding, a resolution). A BOM of that encoding is skipped.
    static func named(_ encoding: TextEncoding, head: [UInt8], by whom: String) -> EncodingDecision {
        let bom = EncodingDetector.bom(head)
        return EncodingDecision(
            encoding, bomLength: bom?.encoding == encoding ? bom!.length : 0, method: "named",
            note: "named in \(whom)")
    }
}
