/// Where bytes are appended: `[UInt8]`, or a `ByteWriter` on the hot path. The JSON and date
/// writers take `inout some ByteSink`, so one implementation serves both.
protocol ByteSink {
    mutating func append(_ byte: UInt8)
    mutating func append(bytes: UnsafeRawBufferPointer)
    mutating func append<S: Sequence>(contentsOf bytes: S) where S.Element == UInt8
}

extension ByteSink {
    /// Static text (`null`, `true`): appended without an array, so nothing is reference counted.
    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(bytes: UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }
}

extension Array: ByteSink where Element == UInt8 {
    @inline(__always)
    mutating func append(bytes: UnsafeRawBufferPointer) { append(contentsOf: bytes) }
}

/// A growable byte buffer for one writer on one thread, appended to without the checks an
/// Array makes on every append (is it shared? is there room?): a row processor writes a few
/// pieces per cell, ten million cells a file, and those checks were a tenth of its time.
/// `finish()` hands the bytes over, without a copy, as a read-only `ByteBlock`.
final class ByteWriter: ByteSink {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 256) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    @inline(__always)
    func append(_ byte: UInt8) {
        if count == capacity { grow(1) }
        base[count] = byte
        count += 1
    }

    @inline(__always)
    func append(bytes: UnsafeRawBufferPointer) {
        let n = bytes.count
        guard n > 0 else { return }
        if count + n > capacity { grow(n) }
        (base + count).initialize(from: bytes.baseAddress!.assumingMemoryBound(to: UInt8.self), count: n)
        count += n
    }

    @inline(__always)
    func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append(bytes: $0) }
    }

    func append<S: Sequence>(contentsOf bytes: S) where S.Element == UInt8 {
        for b in bytes { append(b) }
    }

    /// Drops what was written after `count` bytes.
    func truncate(to count: Int) {
        precondition(count <= self.count)
        self.count = count
    }

    /// The bytes written so far in `range` (valid until the next append).
    @inline(__always)
    func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(start: base + range.lowerBound, count: range.count)
    }

    /// The bytes written, as an array (a copy); the writer starts empty again, its memory freed.
    func taken() -> [UInt8] {
        let out = Array(bytes(0..<count))
        base.deallocate()
        capacity = 16
        count = 0
        base = .allocate(capacity: capacity)
        return out
    }

    /// The bytes written, read-only from now on (no copy); the writer starts empty again.
    func finish() -> ByteBlock {
        let block = ByteBlock(adopting: base, count: count)
        capacity = 16
        count = 0
        base = .allocate(capacity: capacity)
        return block
    }

    @inline(never)
    private func grow(_ n: Int) {
        let grown = UnsafeMutablePointer<UInt8>.allocate(capacity: max(capacity * 2, count + n))
        grown.initialize(from: base, count: count)
        base.deallocate()
        base = grown
        capacity = max(capacity * 2, count + n)
    }
}

/// Bytes written once (by a `ByteWriter`) and then only read, so copies can share them: a
/// processed batch's JSON, handed from the worker that wrote it to the thread that saves it.
struct ByteBlock: Sendable {
    private final class Storage: @unchecked Sendable {
        let base: UnsafeMutablePointer<UInt8>?
        let count: Int
        init(_ base: UnsafeMutablePointer<UInt8>?, count: Int) { self.base = base; self.count = count }
        deinit { base?.deallocate() }
    }

    private let storage: Storage

    /// Takes over `base` (allocated with `UnsafeMutablePointer.allocate`): freed with the last copy.
    fileprivate init(adopting base: UnsafeMutablePointer<UInt8>, count: Int) { storage = Storage(base, count: count) }

    init() { storage = Storage(nil, count: 0) }

    var count: Int { storage.count }

    func withUnsafeBytes<R>(_ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
        try body(UnsafeRawBufferPointer(start: storage.base, count: storage.count))
    }
}
