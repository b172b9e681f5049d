/// Finds the rows whose unique-checked values occur more than once, in memory that does not
/// grow with the file: during the pass each value's hash is appended, with its row and line, to
/// one of 64 partition files (by the hash's top bits); when the pass ends each partition is
/// sorted on its own and the duplicate groups read off. Only the duplicates are kept.
///
/// Values are compared by 64-bit hash (FNV-1a of the trimmed text, case-folded for
/// `unique_case_insensitive`): two different values with the same hash would be reported as
/// duplicates, about one chance in 300,000 for ten million values.
final class DuplicateFinder {
    struct Entry: Comparable {
        var slot: UInt8
        var hash: UInt64
        var row: UInt32
        var line: UInt32
        static func < (a: Entry, b: Entry) -> Bool {
            (a.slot, a.hash, a.row) < (b.slot, b.hash, b.row)
        }
    }

    /// A duplicate found: the row, which unique slot, and the line of the occurrence its
    /// message names (the first one's for later rows; the second one's for the first).
    struct Duplicate {
        var row: Int
        /// The row's own line.
        var line: Int
        var slot: Int
        var otherLine: Int
    }

    static let partitions = 64
    static let entrySize = 17
    private let workspace: any Workspace
    private var buffers: [[UInt8]]
    private var files: [BufferedOutput?]
    private(set) var entries = 0
    /// Bytes held in the partition buffers; past `memoryLimit` they all go to their files, so a
    /// small import writes no partition file at all.
    private var buffered = 0
    private let memoryLimit: Int

    init(workspace: any Workspace, memoryLimit: Int = 8 << 20) {
        self.workspace = workspace
        self.memoryLimit = memoryLimit
        self.buffers = Array(repeating: [], count: DuplicateFinder.partitions)
        self.files = Array(repeating: nil, count: DuplicateFinder.partitions)
    }

    static func name(_ p: Int) -> String { "unique-\(p).part" }

    @inline(__always)
    func add(slot: Int, hash: UInt64, row: Int, line: Int) throws {
        let p = Int(hash >> 58)
        buffers[p].append(UInt8(slot))
        for k in 0..<8 { buffers[p].append(UInt8(truncatingIfNeeded: hash >> (8 * k))) }
        for k in 0..<4 { buffers[p].append(UInt8(truncatingIfNeeded: row >> (8 * k))) }
        for k in 0..<4 { buffers[p].append(UInt8(truncatingIfNeeded: line >> (8 * k))) }
        entries += 1
        buffered += DuplicateFinder.entrySize
        if buffered >= memoryLimit {
            for q in 0..<DuplicateFinder.partitions where buffers[q].count * DuplicateFinder.partitions >= memoryLimit / 8 {
                buffered -= buffers[q].count
                try flush(q)
            }
        }
    }

    private func flush(_ p: Int) throws {
        guard !buffers[p].isEmpty else { return }
        if files[p] == nil { files[p] = BufferedOutput(try workspace.createScratch(DuplicateFinder.name(p)), capacity: 64 << 10) }
        try files[p]!.append(buffers[p])
        buffers[p].removeAll(keepingCapacity: true)
    }

    func discard() {
        for p in 0..<DuplicateFinder.partitions {
            if let file = files[p] {
                try? file.close()
                workspace.removeScratch(DuplicateFinder.name(p))
            }
            files[p] = nil
            buffers[p] = []
        }
    }

    /// Every duplicate, partition by partition (rows in no particular order).
    func finish(_ body: (Duplicate) -> Void) throws {
        for p in 0..<DuplicateFinder.partitions {
            var bytes = buffers[p]
            buffers[p] = []
            if let file = files[p] {
                try file.close()
                let reader = try workspace.openScratch(DuplicateFinder.name(p))
                var stored: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 1 << 20)
                while true {
                    let n = try chunk.withUnsafeMutableBytes { try reader.read(into: $0) }
                    if n == 0 { break }
                    stored.append(contentsOf: chunk[0..<n])
                }
                workspace.removeScratch(DuplicateFinder.name(p))
                bytes = stored + bytes
            }
            guard !bytes.isEmpty else { continue }
            var list: [Entry] = []
            list.reserveCapacity(bytes.count / DuplicateFinder.entrySize)
            bytes.withUnsafeBytes { b in
                var i = 0
                while i + DuplicateFinder.entrySize <= b.count {
                    list.append(Entry(slot: b[i], hash: b.loadUnaligned(fromByteOffset: i + 1, as: UInt64.self).littleEndian,
                                      row: b.loadUnaligned(fromByteOffset: i + 9, as: UInt32.self).littleEndian,
                                      line: b.loadUnaligned(fromByteOffset: i + 13, as: UInt32.self).littleEndian))
                    i += DuplicateFinder.entrySize
                }
            }
            list.sort()
            var start = 0
            while start < list.count {
                var end = start + 1
                while end < list.count && list[end].slot == list[start].slot && list[end].hash == list[start].hash { end += 1 }
                if end - start > 1 {
                    let first = list[start]
                    body(Duplicate(row: Int(first.row), line: Int(first.line), slot: Int(first.slot), otherLine: Int(list[start + 1].line)))
                    for k in (start + 1)..<end {
                        body(Duplicate(row: Int(list[k].row), line: Int(list[k].line), slot: Int(list[k].slot), otherLine: Int(first.line)))
                    }
                }
                start = end
            }
        }
    }
}
