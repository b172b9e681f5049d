/// The text encodings Intake reads (contract §11). Output is always UTF-8.
public enum TextEncoding: String, Sendable, Equatable, CaseIterable {
    case utf8 = "utf-8"
    case utf16LE = "utf-16le"
    case utf16BE = "utf-16be"
    case utf32LE = "utf-32le"
    case utf32BE = "utf-32be"
    case windows1250 = "windows-1250"
    case windows1251 = "windows-1251"
    case windows1252 = "windows-1252"
    case windows1253 = "windows-1253"
    case windows1254 = "windows-1254"
    case windows1255 = "windows-1255"
    case windows1256 = "windows-1256"
    case windows1257 = "windows-1257"
    case windows1258 = "windows-1258"
    case iso8859_1 = "iso-8859-1"
    case iso8859_2 = "iso-8859-2"
    case iso8859_5 = "iso-8859-5"
    case iso8859_7 = "iso-8859-7"
    case iso8859_9 = "iso-8859-9"
    case iso8859_13 = "iso-8859-13"
    case iso8859_15 = "iso-8859-15"
    case koi8R = "koi8-r"
    case koi8U = "koi8-u"
    case macintosh = "macintosh"
    case ibm437 = "ibm437"
    case ibm850 = "ibm850"
    case ibm866 = "ibm866"
    case shiftJIS = "shift_jis"
    case eucJP = "euc-jp"
    case gb18030 = "gb18030"
    case gbk = "gbk"
    case big5 = "big5"
    case eucKR = "euc-kr"

    /// One byte per character, through a 256-entry table (`CodePage`).
    var codePage: CodePage? { CodePage.named[rawValue] }

    /// Two or more bytes per character, decoded by glibc's iconv under this name. The names are
    /// the supersets Windows writes under the usual labels (as the WHATWG Encoding Standard reads them).
    var iconvName: String? {
        switch self {
        case .shiftJIS: "CP932"
        case .eucJP: "EUC-JP"
        case .gb18030: "GB18030"
        case .gbk: "GB18030"
        case .big5: "BIG5-HKSCS"
        case .eucKR: "CP949"
        default: nil
        }
    }

    /// A line end is one byte (LF or CR) that is never part of another character, so the file
    /// can be cut after any line end and each piece decoded alone (`ChunkedPass`). True of the
    /// multi-byte encodings too: none is stateful, and their second (to fourth) bytes are 0x30
    /// or above (CP932 0x40–0xFC, EUC-JP and CP949 0x41 and up, GB18030 0x30–0x39 and 0x40–0xFE,
    /// Big5-HKSCS 0x40–0xFE). Not of UTF-16 and UTF-32.
    var cutsAtLineEnds: Bool { self == .utf8 || codePage != nil || iconvName != nil }

    /// How many bytes the character that starts with `lead` (followed by `next`) takes in a
    /// multi-byte encoding (`iconvName`); 1 for ASCII and for a byte that starts nothing.
    func characterLength(lead: UInt8, next: UInt8) -> Int {
        switch self {
        case .shiftJIS: (0x81...0x9F).contains(lead) || (0xE0...0xFC).contains(lead) ? 2 : 1
        case .eucJP: lead == 0x8F ? 3 : lead == 0x8E || (0xA1...0xFE).contains(lead) ? 2 : 1
        case .gbk, .gb18030: (0x81...0xFE).contains(lead) ? ((0x30...0x39).contains(next) ? 4 : 2) : 1
        case .big5, .eucKR: (0x81...0xFE).contains(lead) ? 2 : 1
        default: 1
        }
    }

    /// The encoding a person names (`settings.encoding`, a resolution): its name here or a usual
    /// alias (`cp1251`, `latin1`, `sjis`, `mac`), any case.
    public static func named(_ label: String) -> TextEncoding? {
        var key = label.lowercased().filter { !$0.isWhitespace }
        if let e = TextEncoding(rawValue: key) { return e }
        key = String(key.map { $0 == "_" ? "-" : $0 })
        if let e = TextEncoding(rawValue: key) { return e }
        if let e = aliases[key] { return e }
        // cp1251, win-1251, windows1251, 1251
        let digits = key.drop { !$0.isNumber }
        if let n = Int(digits), (1250...1258).contains(n), digits.count == 4 { return TextEncoding(rawValue: "windows-\(n)") }
        if key.hasPrefix("iso") || key.hasPrefix("latin") {
            let part = key.split(separator: "-").last.map(String.init) ?? ""
            if key.hasPrefix("iso"), let n = Int(part) { return TextEncoding(rawValue: "iso-8859-\(n)") }
        }
        return nil
    }

    private static let aliases: [String: TextEncoding] = [
        "utf8": .utf8, "utf-16": .utf16LE, "utf16": .utf16LE, "utf16le": .utf16LE, "utf16be": .utf16BE, "ucs-2": .utf16LE,
        "utf32": .utf32LE, "utf-32": .utf32LE, "utf32le": .utf32LE, "utf32be": .utf32BE,
        "latin1": .iso8859_1, "latin-1": .iso8859_1, "l1": .iso8859_1, "iso8859-1": .iso8859_1, "latin2": .iso8859_2, "latin-2": .iso8859_2,
        "latin5": .iso8859_9, "latin7": .iso8859_13, "latin9": .iso8859_15, "latin-9": .iso8859_15, "cyrillic": .iso8859_5,
        "greek": .iso8859_7,
        "koi8r": .koi8R, "koi8": .koi8R, "koi8u": .koi8U, "mac": .macintosh, "macroman": .macintosh, "mac-roman": .macintosh,
        "x-mac-roman": .macintosh, "cp437": .ibm437, "437": .ibm437, "cp850": .ibm850, "850": .ibm850, "cp866": .ibm866, "866": .ibm866,
        "sjis": .shiftJIS, "shift-jis": .shiftJIS, "shiftjis": .shiftJIS, "cp932": .shiftJIS, "windows-31j": .shiftJIS,
        "ms-kanji": .shiftJIS,
        "eucjp": .eucJP, "gb2312": .gbk, "cp936": .gbk, "euc-cn": .gbk, "big5-hkscs": .big5, "cp950": .big5, "euckr": .eucKR,
        "cp949": .eucKR,
        "uhc": .eucKR, "ks-c-5601-1987": .eucKR,
    ]
}
