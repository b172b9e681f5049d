import Dispatch
import Synchronization

/// Finds the rows whose unique-checked values occur more than once, in memory that does not
/// grow with the file: during the pass each value's hash is appended, with its row and line, to
/// one of 64 partition files (by the hash's top bits); when the pass ends each partition's
/// values are counted in a table of its own and the repeated ones read off. Only the duplicates
/// are kept.
///
/// Values are compared by 64-bit hash (FNV-1a of the trimmed text, case-folded for
/// `unique_case_insensitive`): two different values with the same hash would be reported as
/// duplicates, about one chance in 300,000 for ten million values.
final class DuplicateFinder {
    struct Entry {
        var slot: UInt8
        var hash: UInt64
        var row: UInt32
        var line: UInt32
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

    /// The record at `offset` of a partition's bytes: slot (1 byte), hash (8), row (4), line (4),
    /// little-endian, as `add` writes it.
    @inline(__always)
    static func entry(at offset: Int, in bytes: UnsafeRawBufferPointer) -> Entry {
        Entry(
            slot: bytes[offset], hash: bytes.loadUnaligned(fromByteOffset: offset + 1, as: UInt64.self).littleEndian,
            row: bytes.loadUnaligned(fromByteOffset: offset + 9, as: UInt32.self).littleEndian,
            line: bytes.loadUnaligned(fromByteOffset: offset + 13, as: UInt32.self).littleEndian)
    }
    private let workspace: any Workspace
    /// Each partition's records not yet in its file (a `ByteWriter`: two records a row are
    /// appended, and an Array's checks on each were 2% of a pass).
    private var buffers: [ByteWriter]
    private var files: [BufferedOutput?]
    private(set) var entries = 0
    /// Bytes held in the partition buffers; past `memoryLimit` they all go to their files, so a
    /// small import writes no partition file at all.
    private var buffered = 0
    private let memoryLimit: Int

    init(workspace: any Workspace, memoryLimit: Int = 8 << 20) {
        self.workspace = workspace
        self.memoryLimit = memoryLimit
        self.buffers = (0..<DuplicateFinder.partitions).map { _ in ByteWriter(capacity: 4096) }
        self.files = Array(repeating: nil, count: DuplicateFinder.partitions)
    }

    static func name(_ p: Int) -> String { "unique-\(p).part" }

    @inline(__always)
    func add(slot: Int, hash: UInt64, row: Int, line: Int) throws {
        let p = Int(hash >> 58)
        // The 17-byte record (slot, hash, row, line) made on the stack and appended once (two
        // appends cost 0.3% of a 100k-row import's instructions).
        var record: (UInt64, UInt64, UInt64) = (0, 0, 0)
        withUnsafeMutableBytes(of: &record) { bytes in
            bytes[0] = UInt8(slot)
            bytes.storeBytes(of: hash.littleEndian, toByteOffset: 1, as: UInt64.self)
            bytes.storeBytes(of: UInt32(truncatingIfNeeded: row).littleEndian, toByteOffset: 9, as: UInt32.self)
            bytes.storeBytes(of: UInt32(truncatingIfNeeded: line).littleEndian, toByteOffset: 13, as: UInt32.self)
            buffers[p].append(bytes: UnsafeRawBufferPointer(rebasing: bytes[0..<DuplicateFinder.entrySize]))
        }
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
        guard buffers[p].count > 0 else { return }
        if files[p] == nil { files[p] = BufferedOutput(try workspace.createScratch(DuplicateFinder.name(p)), capacity: 64 << 10) }
        try files[p]!.append(buffers[p].bytes(0..<buffers[p].count))
        buffers[p].truncate(to: 0)
    }

    func discard() {
        for p in 0..<DuplicateFinder.partitions {
            if let file = files[p] {
                try? file.close()
                workspace.removeScratch(DuplicateFinder.name(p))
            }
            files[p] = nil
            buffers[p] = ByteWriter()
        }
    }

    /// Every duplicate, partition by partition (rows in no particular order). `width`
    /// partitions are read and sorted at once, on as many threads. A partition larger than the
    /// memory limit (a value met on most rows sends all its entries to one) is not loaded: it is
    /// read twice as a stream instead (`streamDuplicates`).
    func finish(width: Int = 1, _ body: (Duplicate) -> Void) throws {
        var small: [Int] = []
        for q in 0..<DuplicateFinder.partitions {
            try files[q]?.close()
            if (files[q]?.position ?? 0) + buffers[q].count > memoryLimit {
                try streamDuplicates(q, body)
            } else {
                small.append(q)
            }
        }
        // `width` partitions at a time, each read and counted by a thread of its own; a group's
        // duplicates are handed over before the next group is read, so memory holds `width`
        // partitions and their duplicates, not every partition's.
        // Each thread opens and removes its own partition's file: a result folder's are plain
        // files, a memory workspace's are behind a lock.
        let workspace = Unchecked(self.workspace)
        var p = 0
        while p < small.count {
            let group = small[p..<min(p + max(1, width), small.count)].map { q in (q, tail: buffers[q].taken(), stored: files[q] != nil) }
            p += group.count
            for (q, _, _) in group { files[q] = nil }
            let found = Mutex<[[Duplicate]]>(Array(repeating: [], count: group.count))
            let failure = Mutex<(any Error)?>(nil)
            DispatchQueue.concurrentPerform(iterations: group.count) { k in
                let (q, tail, stored) = group[k]
                do {
                    var bytes = tail
                    if stored {
                        bytes = try workspace.value.openScratch(DuplicateFinder.name(q)).readAll() + tail
                        workspace.value.removeScratch(DuplicateFinder.name(q))
                    }
                    let list = DuplicateFinder.duplicates(in: bytes)
                    found.withLock { $0[k] = list }
                } catch {
                    failure.withLock { $0 = $0 ?? error }
                }
            }
            if let error = failure.withLock({ $0 }) { throw error }
            for list in found.withLock({ $0 }) { list.forEach(body) }
        }
    }

    /// The duplicates among one partition's entries (in row order, as `add` wrote them): a first
    /// pass counts each value in a table, the second hands over each entry whose value came more
    /// than once. (A sort by value did the same in 290 instructions a row of the benchmark file
    /// against 195, on the import's critical path: nothing else can finish before it.)
    /// The entries are first split, in row order, by the hash bits under the partition's into
    /// parts of at most ~4,096, each counted in a table of its own: the tables stay small (one
    /// for a whole 8 MB partition was 25 MB, on each of `width` threads) and in the core's cache.
    private static func duplicates(in bytes: [UInt8]) -> [Duplicate] {
        let n = bytes.count / entrySize
        var bits = 0
        while bits < 8 && n >> bits > 4096 { bits += 1 }
        let parts = 1 << bits
        return bytes.withUnsafeBytes { raw in
            @inline(__always) func part(_ k: Int) -> Int {
                Int(truncatingIfNeeded: entry(at: k * entrySize, in: raw).hash >> UInt64(58 - bits)) & (parts - 1)
            }
            // Each part's entries, in row order: a counting pass, then their indexes placed.
            var starts = [Int](repeating: 0, count: parts + 1)
            for k in 0..<n { starts[part(k) + 1] += 1 }
            for p in 0..<parts { starts[p + 1] += starts[p] }
            var next = starts
            var order = [UInt32](repeating: 0, count: n)
            for k in 0..<n {
                let p = part(k)
                order[next[p]] = UInt32(truncatingIfNeeded: k)
                next[p] += 1
            }
            var out: [Duplicate] = []
            for p in 0..<parts where starts[p + 1] > starts[p] {
                let range = starts[p]..<starts[p + 1]
                let values = ValueTable(capacity: range.count)
                for i in range {
                    let e = entry(at: Int(order[i]) * entrySize, in: raw)
                    values.count(slot: e.slot, hash: e.hash, row: Int(e.row), line: Int(e.line))
                }
                guard values.repeated > 0 else { continue }
                for i in range {
                    let e = entry(at: Int(order[i]) * entrySize, in: raw)
                    guard let v = values.find(slot: e.slot, hash: e.hash) else { continue }
                    let row = Int(e.row)
                    out.append(
                        Duplicate(
                            row: row, line: Int(e.line), slot: Int(e.slot), otherLine: row == v.firstRow ? v.secondLine : v.firstLine))
                }
            }
            return out
        }
    }
}

extension DuplicateFinder {
    static let sortedName = "dups-sorted.part"

    /// Writes the duplicates in row order to the scratch file `sortedName`, in memory that does
    /// not grow with the file: up to `memoryLimit` they are sorted in memory; past it they go
    /// to 64 scratch buckets by row range, each sorted on its own. `rows`: the number of rows
    /// written (for the ranges). Returns how many.
    func finishInRowOrder(rows: Int, width: Int = 1) throws -> Int {
        let buckets = DuplicateFinder.partitions
        let span = max(1, (rows + buckets - 1) / buckets)
        var outputs: [BufferedOutput?] = Array(repeating: nil, count: buckets)
        var held: [Duplicate] = []
        let holdable = memoryLimit / MemoryLayout<Duplicate>.stride
        var record: [UInt8] = []
        func put(_ d: Duplicate) {
            record.removeAll(keepingCapacity: true)
            Spill.put(UInt32(d.row), &record)
            Spill.put(UInt32(d.line), &record)
            Spill.put(UInt32(d.slot), &record)
            Spill.put(UInt32(d.otherLine), &record)
        }
        func spill(_ d: Duplicate) throws {
            let b = min(buckets - 1, d.row / span)
            if outputs[b] == nil {
                outputs[b] = BufferedOutput(capacity: 64 << 10) { [workspace] in try workspace.createScratch("dups-\(b).part") }
            }
            put(d)
            try outputs[b]!.append(record)
        }
        var count = 0
        var spilled = false
        var failure: Error?
        try finish(width: width) { d in
            count += 1
            do {
                if !spilled && held.count < holdable { held.append(d); return }
                if !spilled {
                    spilled = true
                    for h in held { try spill(h) }
                    held = []
                }
                try spill(d)
            } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
        guard count > 0 else { return 0 }
        let sorted = BufferedOutput(try workspace.createScratch(DuplicateFinder.sortedName))
        func write(_ list: inout [Duplicate]) throws {
            list.sort { ($0.row, $0.slot) < ($1.row, $1.slot) }
            for d in list {
                put(d)
                try sorted.append(record)
            }
        }
        try write(&held)
        for b in 0..<buckets {
            guard let out = outputs[b] else { continue }
            try out.close()
            var list: [Duplicate] = []
            if out.position > 0 {
                let reader = SpillReader(try workspace.openScratch("dups-\(b).part"))
                while let e = try reader.nextQuad() { list.append(Duplicate(row: e.row, line: e.line, slot: e.slot, otherLine: e.other)) }
                workspace.removeScratch("dups-\(b).part")
            }
            try write(&list)
        }
        try sorted.close()
        return count
    }
}

extension DuplicateFinder {
    /// The duplicates of partition `q`, read as a stream twice: a first pass counts its values in
    /// a table (one entry per distinct value: a value on a million rows takes one), the second
    /// hands over each entry whose value came more than once, in row order. Memory: the table.
    private func streamDuplicates(_ q: Int, _ body: (Duplicate) -> Void) throws {
        let tail = buffers[q].taken()
        let stored = files[q] != nil
        /// The partition's records: its file, then what was still buffered.
        func each(_ visit: (UInt8, UInt64, Int, Int) -> Void) throws {
            let parts: [any ByteReader] = (stored ? [try workspace.openScratch(DuplicateFinder.name(q))] : []) + [MemoryReader(tail)]
            for part in parts {
                let reader = SpillReader(part)
                while let e = try reader.nextUnique() { visit(e.slot, e.hash, Int(e.row), Int(e.line)) }
            }
        }
        let values = ValueTable()
        try each { slot, hash, row, line in values.count(slot: slot, hash: hash, row: row, line: line) }
        try each { slot, hash, row, line in
            guard let v = values.find(slot: slot, hash: hash) else { return }
            body(Duplicate(row: row, line: line, slot: Int(slot), otherLine: row == v.firstRow ? v.secondLine : v.firstLine))
        }
        if stored {
            workspace.removeScratch(DuplicateFinder.name(q))
            files[q] = nil
        }
    }

    /// Distinct (slot, hash) values with their first row and line and the line of their second
    /// occurrence (-1 until there is one): open addressing, grown at half full, 24 bytes a slot
    /// (a hash of 0 marks an empty one: values never hash to 0, see `ProcessedBatch.uniqueHashes`).
    final class ValueTable {
        struct Value {
            var hash: UInt64 = 0
            var firstRow: UInt32 = 0
            var firstLine: UInt32 = 0
            var secondLine: Int32 = -1
            var slot: UInt8 = 0
        }
        /// The slots, in memory of the table's own (every entry of a partition is looked up
        /// twice: an Array's bounds and uniqueness checks were most of the work).
        private var table: UnsafeMutableBufferPointer<Value>
        private var used = 0
        /// Values met more than once so far.
        private(set) var repeated = 0

        /// Room for `capacity` values without growing.
        init(capacity: Int = 1 << 11) {
            var size = 1 << 12
            while size < capacity * 2 { size <<= 1 }
            table = .allocate(capacity: size)
            table.initialize(repeating: Value())
        }

        deinit { table.deallocate() }

        @inline(__always)
        private func index(slot: UInt8, hash: UInt64) -> Int {
            let mask = table.count - 1
            var i = Int(truncatingIfNeeded: ((hash ^ UInt64(slot)) &* 0x9E37_79B9_7F4A_7C15) >> 20) & mask
            while table[i].hash != 0 && (table[i].hash != hash || table[i].slot != slot) { i = (i + 1) & mask }
            return i
        }

        /// The value's first row and line, and its second line when it came more than once.
        func find(slot: UInt8, hash: UInt64) -> (firstRow: Int, firstLine: Int, secondLine: Int)? {
            let v = table[index(slot: slot, hash: hash)]
            guard v.hash != 0, v.secondLine >= 0 else { return nil }
            return (Int(v.firstRow), Int(v.firstLine), Int(v.secondLine))
        }

        /// Entries come in row order: the first one seen is the first occurrence.
        func count(slot: UInt8, hash: UInt64, row: Int, line: Int) {
            let i = index(slot: slot, hash: hash)
            if table[i].hash != 0 {
                if table[i].secondLine < 0 {
                    table[i].secondLine = Int32(truncatingIfNeeded: line)
                    repeated += 1
                }
                return
            }
            table[i] = Value(hash: hash, firstRow: UInt32(truncatingIfNeeded: row), firstLine: UInt32(truncatingIfNeeded: line), slot: slot)
            used += 1
            if used * 2 > table.count {
                let old = table
                table = .allocate(capacity: old.count * 2)
                table.initialize(repeating: Value())
                for v in old where v.hash != 0 { table[index(slot: v.slot, hash: v.hash)] = v }
                old.deallocate()
            }
        }
    }
}

/// The sorted duplicates read back a row at a time.
final class SortedDuplicates {
    private let reader: SpillReader
    private var pending: (row: Int, line: Int, slot: Int, other: Int)?

    init(_ reader: SpillReader) throws {
        self.reader = reader
        self.pending = try reader.nextQuad()
    }

    /// The row of the next group, or nil at the end.
    var nextRow: Int? { pending?.row }

    func next() throws -> (row: Int, line: Int, found: [(slot: Int, otherLine: Int)])? {
        guard let first = pending else { return nil }
        var found: [(slot: Int, otherLine: Int)] = []
        while let p = pending, p.row == first.row {
            found.append((p.slot, p.other))
            pending = try reader.nextQuad()
        }
        return (first.row, first.line, found)
    }
}
