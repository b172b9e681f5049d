/// One file inside a zip archive, as its central directory describes it.
struct ZipEntry: Sendable {
    var name: String
    var method: UInt16
    var flags: UInt16
    var crc: UInt32
    var compressedSize: Int
    var size: Int
    var localHeaderOffset: Int
}

/// A zip archive read from its central directory (APPNOTE 4.3.12–16, with zip64). Entry names
/// are only ever looked up, never turned into paths; names that would climb out of a folder
/// (`../`, `/etc`, `C:`) make the whole archive unreadable (contract §12).
struct ZipArchive: Sendable {
    let source: any ByteSource
    let size: Int
    let entries: [ZipEntry]
    /// Lowercased name → index: OOXML part names are case-insensitive.
    private let index: [String: Int]

    static let maxEntries = 100_000
    static let maxDirectoryBytes = 64 << 20

    init(_ source: any ByteSource) throws {
        self.source = source
        let size = try source.size ?? ZipArchive.measure(source)
        self.size = size
        // The end of central directory record: within the last 64 KiB + 22 bytes.
        let tailLength = min(size, 65_557)
        let tail = try ZipArchive.read(source, at: size - tailLength, count: tailLength)
        guard let eocd = ZipArchive.lastIndex(of: [0x50, 0x4B, 0x05, 0x06], in: tail, minimumTail: 22) else {
            throw ReadError(
                "the workbook is cut short or is not a zip archive (its central directory is missing); it was probably not copied completely"
            )
        }
        var count = Int(tail.le16(eocd + 10))
        var directorySize = Int(tail.le32(eocd + 12))
        var directoryOffset = Int(tail.le32(eocd + 16))
        // zip64: the locator sits just before the record.
        if count == 0xFFFF || directorySize == 0xFFFF_FFFF || directoryOffset == 0xFFFF_FFFF, eocd >= 20,
            tail.le32(eocd - 20) == 0x0706_4B50
        {
            let recordOffset = Int(truncatingIfNeeded: tail.le64(eocd - 12))
            let record = try ZipArchive.read(source, at: recordOffset, count: 56)
            guard record.le32(0) == 0x0606_4B50 else { throw ReadError("the workbook's zip64 directory is damaged") }
            count = Int(truncatingIfNeeded: record.le64(32))
            directorySize = Int(truncatingIfNeeded: record.le64(40))
            directoryOffset = Int(truncatingIfNeeded: record.le64(48))
        }
        guard count <= ZipArchive.maxEntries, directorySize <= ZipArchive.maxDirectoryBytes else {
            throw ReadError("the workbook's zip holds \(count) entries in a \(directorySize)-byte directory, more than Intake reads")
        }
        guard directoryOffset >= 0, directorySize >= 0, directoryOffset + directorySize <= size else {
            throw ReadError(
                "the workbook is cut short (its zip directory points past the end of the file); it was probably not copied completely")
        }
        let directory = try ZipArchive.read(source, at: directoryOffset, count: directorySize)
        var entries: [ZipEntry] = []
        var index: [String: Int] = [:]
        var p = 0
        for _ in 0..<count {
            guard p + 46 <= directory.count, directory.le32(p) == 0x0201_4B50 else {
                throw ReadError("the workbook's zip directory is damaged")
            }
            let nameLength = Int(directory.le16(p + 28)), extraLength = Int(directory.le16(p + 30)),
                commentLength = Int(directory.le16(p + 32))
            guard p + 46 + nameLength + extraLength + commentLength <= directory.count else {
                throw ReadError("the workbook's zip directory is damaged")
            }
            let rawName = String(decoding: directory[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
            try ZipArchive.checkName(rawName)
            // Some Windows tools write `xl\workbook.xml`; APPNOTE 4.4.17 wants `/`, and a part name is the same part either way.
            let name = rawName.contains("\\") ? String(rawName.map { $0 == "\\" ? "/" : $0 }) : rawName
            var entry = ZipEntry(
                name: name, method: directory.le16(p + 10), flags: directory.le16(p + 8), crc: directory.le32(p + 16),
                compressedSize: Int(directory.le32(p + 20)), size: Int(directory.le32(p + 24)),
                localHeaderOffset: Int(directory.le32(p + 42)))
            // zip64 extra field: the 64-bit values of the fields that are 0xFFFFFFFF, in order.
            var e = p + 46 + nameLength
            let extraEnd = e + extraLength
            while e + 4 <= extraEnd {
                let id = directory.le16(e), length = Int(directory.le16(e + 2))
                if id == 0x0001 {
                    var q = e + 4
                    func next() -> Int? {
                        guard q + 8 <= e + 4 + length, q + 8 <= extraEnd else { return nil }
                        defer { q += 8 }
                        return Int(truncatingIfNeeded: directory.le64(q))
                    }
                    if entry.size == 0xFFFF_FFFF { entry.size = next() ?? entry.size }
                    if entry.compressedSize == 0xFFFF_FFFF { entry.compressedSize = next() ?? entry.compressedSize }
                    if entry.localHeaderOffset == 0xFFFF_FFFF { entry.localHeaderOffset = next() ?? entry.localHeaderOffset }
                }
                e += 4 + length
            }
            index[name.lowercased()] = entries.count
            entries.append(entry)
            p += 46 + nameLength + extraLength + commentLength
        }
        self.entries = entries
        self.index = index
    }

    func entry(_ name: String) -> ZipEntry? {
        index[name.lowercased()].map { entries[$0] }
    }

    /// Refuses the archive when an entry's directory says it inflates past what `InflateBudget`
    /// allows, whether or not Intake would read that entry (a bomb may sit after a sheet's data
    /// or in a part nothing refers to). An entry that inflates past its declared size is stopped
    /// as it is read.
    func checkDeclaredSizes() throws {
        for entry in entries {
            guard entry.size >= 0, entry.compressedSize >= 0 else {
                throw ReadError("the workbook's zip directory is damaged (the part \(entry.name) has no valid size)")
            }
            if entry.size > InflateBudget.limit(compressed: entry.compressedSize) {
                throw InflateBudget.refusal(entry.name, inflated: entry.size, compressed: entry.compressedSize, declared: true)
            }
        }
    }

    /// A reader of the entry's inflated bytes, checked against the limits as it goes.
    func open(_ entry: ZipEntry, budget: InflateBudget) throws -> ZipEntryReader {
        if entry.flags & 1 != 0 {
            throw ImportFailure(
                "UNREADABLE_FILE",
                "The workbook is password-protected (its parts are encrypted), so Intake cannot read it. Remove the password (File › Info › Protect Workbook in Excel), save, and drop the file again."
            )
        }
        guard entry.method == 0 || entry.method == 8 else {
            throw ReadError(
                "the workbook part \(entry.name) is compressed with zip method \(entry.method), which Intake does not read (only stored and deflate)"
            )
        }
        guard entry.localHeaderOffset >= 0, entry.compressedSize >= 0, entry.localHeaderOffset + 30 <= size else {
            throw ReadError("the workbook is cut short (the part \(entry.name) is missing); it was probably not copied completely")
        }
        let header = try ZipArchive.read(source, at: entry.localHeaderOffset, count: 30)
        guard header.le32(0) == 0x0403_4B50 else { throw ReadError("the workbook's zip is damaged (no local header for \(entry.name))") }
        let dataOffset = entry.localHeaderOffset + 30 + Int(header.le16(26)) + Int(header.le16(28))
        guard dataOffset + entry.compressedSize <= size else {
            throw ReadError(
                "the workbook is cut short (the part \(entry.name) ends past the end of the file); it was probably not copied completely")
        }
        return try ZipEntryReader(entry: entry, input: source.open(at: dataOffset), budget: budget)
    }

    /// The whole inflated entry, for the small parts (workbook, relationships, styles).
    func contents(_ entry: ZipEntry, budget: InflateBudget, limit: Int = 64 << 20) throws -> [UInt8] {
        let reader = try open(entry, budget: budget)
        var out: [UInt8] = []
        try reader.forEachChunk(size: 64 << 10) { piece in
            out.append(contentsOf: piece)
            if out.count > limit {
                throw ReadError("the workbook part \(entry.name) is larger than \(limit >> 20) MiB, more than Intake reads for it")
            }
        }
        return out
    }

    /// A name that could climb out of a folder if anyone made it a path.
    static func checkName(_ name: String) throws {
        let parts = name.split(omittingEmptySubsequences: false) { $0 == "/" || $0 == "\\" }
        let drive = name.utf8.count >= 2 && name.utf8.dropFirst().first == UInt8(ascii: ":")
        if name.hasPrefix("/") || name.hasPrefix("\\") || drive || parts.contains("..") || name.utf8.contains(0) {
            throw ReadError(
                "the workbook's zip holds an entry named \"\(name)\", which points outside the archive (a path-traversal trick); Intake refuses such files"
            )
        }
    }

    static func measure(_ source: any ByteSource) throws -> Int {
        var total = 0
        try source.open().forEachChunk { total += $0.count }
        return total
    }

    static func read(_ source: any ByteSource, at offset: Int, count: Int) throws -> [UInt8] {
        let reader = try source.open(at: offset)
        var out = [UInt8](repeating: 0, count: count)
        var filled = 0
        try out.withUnsafeMutableBytes { buffer in
            while filled < count {
                let n = try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
                if n == 0 { break }
                filled += n
            }
        }
        guard filled == count else { throw ReadError("the workbook is cut short; it was probably not copied completely") }
        return out
    }

    static func lastIndex(of signature: [UInt8], in bytes: [UInt8], minimumTail: Int) -> Int? {
        var i = bytes.count - minimumTail
        while i >= 0 {
            if bytes[i] == signature[0] && bytes[i + 1] == signature[1] && bytes[i + 2] == signature[2] && bytes[i + 3] == signature[3] {
                return i
            }
            i -= 1
        }
        return nil
    }
}

extension Array where Element == UInt8 {
    @inline(__always) func le16(_ i: Int) -> UInt16 { UInt16(self[i]) | UInt16(self[i + 1]) << 8 }
    @inline(__always) func le32(_ i: Int) -> UInt32 { UInt32(le16(i)) | UInt32(le16(i + 2)) << 16 }
    @inline(__always) func le64(_ i: Int) -> UInt64 { UInt64(le32(i)) | UInt64(le32(i + 4)) << 32 }
}
