/// Where an import's bytes come from. The Engine never opens paths itself: the caller hands it
/// a source that can be opened more than once (detection reads a sample, the main pass reads
/// everything, and a late encoding surprise restarts the pass).
public protocol ByteSource: Sendable {
    /// The size in bytes when known (for limits and progress).
    var size: Int? { get }
    func open() throws -> any ByteReader
    /// A reader that starts `offset` bytes in (a zip's entries are found from its end). The
    /// default opens and skips; sources that can seek do better.
    func open(at offset: Int) throws -> any ByteReader
}

extension ByteSource {
    public func open(at offset: Int) throws -> any ByteReader {
        let reader = try open()
        var skip = offset
        var scratch = [UInt8](repeating: 0, count: min(max(skip, 1), 1 << 20))
        while skip > 0 {
            let n = try scratch.withUnsafeMutableBytes {
                try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[0..<min(skip, $0.count)]))
            }
            if n == 0 { break }
            skip -= n
        }
        return reader
    }
}

/// A sequential reader. `read` fills some of `buffer` and returns how much; 0 means the end.
public protocol ByteReader: AnyObject {
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int
}

/// Bytes already in memory: tests, `initial_data`, small payloads.
public struct MemorySource: ByteSource {
    public let bytes: [UInt8]
    public init(_ bytes: [UInt8]) { self.bytes = bytes }
    public init(_ text: String) { self.bytes = Array(text.utf8) }
    public var size: Int? { bytes.count }
    public func open() throws -> any ByteReader { MemoryReader(bytes) }
    public func open(at offset: Int) throws -> any ByteReader { MemoryReader(bytes, position: offset) }
}

final class MemoryReader: ByteReader {
    private let bytes: [UInt8]
    private var position = 0
    init(_ bytes: [UInt8], position: Int = 0) {
        self.bytes = bytes
        self.position = min(max(position, 0), bytes.count)
    }
    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let n = min(buffer.count, bytes.count - position)
        guard n > 0 else { return 0 }
        bytes.withUnsafeBytes { src in
            buffer.baseAddress!.copyMemory(from: src.baseAddress! + position, byteCount: n)
        }
        position += n
        return n
    }
}

extension ByteSource {
    /// Up to `limit` bytes from the start. The buffer grows with what is read (from the source's
    /// size when it knows it), never to `limit` up front: JSON documents may be 256 MiB, most
    /// are a few KB (a 600 KB file used to cost 256 MiB of zeroed memory).
    public func prefix(_ limit: Int) throws -> [UInt8] {
        let reader = try open()
        var out = [UInt8](repeating: 0, count: Swift.min(limit, Swift.max(1, size.map { $0 + 1 } ?? 1 << 16)))
        var filled = 0
        while filled < limit {
            if filled == out.count { out.append(contentsOf: repeatElement(0, count: Swift.min(limit, out.count * 2) - out.count)) }
            let n = try out.withUnsafeMutableBytes { try reader.read(into: UnsafeMutableRawBufferPointer(rebasing: $0[filled...])) }
            if n == 0 { break }
            filled += n
        }
        out.removeSubrange(filled...)
        return out
    }
}

extension ByteReader {
    /// Reads to the end, handing each piece read to `body` (one buffer, reused).
    public func forEachChunk(size: Int = 1 << 20, _ body: (ArraySlice<UInt8>) throws -> Void) throws {
        var chunk = [UInt8](repeating: 0, count: size)
        while true {
            let n = try chunk.withUnsafeMutableBytes { try read(into: $0) }
            if n == 0 { return }
            try body(chunk[0..<n])
        }
    }

    /// Everything left, read whole: for small parts and scratch files.
    public func readAll() throws -> [UInt8] {
        var out: [UInt8] = []
        try forEachChunk { out.append(contentsOf: $0) }
        return out
    }
}
