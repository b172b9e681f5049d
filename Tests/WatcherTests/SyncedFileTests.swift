import Engine
import Glibc
import Testing

@testable import Watcher

/// Published files are written past the page cache in aligned chunks where the file system
/// allows it, through the cache where it does not; either way every byte lands as written.
struct SyncedFileTests {
    /// 9.5 MiB in pieces of every size (a byte, a chunk and more, odd sizes across the chunk
    /// boundaries), closed, read back.
    static func writeAndReadBack(in folder: String) throws -> (written: [UInt8], read: [UInt8]) {
        let path = "\(folder)/results.json"
        var generator = SystemRandomNumberGenerator()
        var written: [UInt8] = []
        written.reserveCapacity(10 << 20)
        let file = try SyncedFile(path: path)
        var sizes = [1, 4095, 4097, SyncedFile.chunk - 2, 3, SyncedFile.chunk + 5, 17]
        while written.count < (19 << 19) {
            let size = sizes.isEmpty ? Int.random(in: 1...300_000, using: &generator) : sizes.removeFirst()
            let piece = (0..<size).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ written.count) }
            try file.write(piece)
            written += piece
        }
        try file.close()
        let read = try Paths.readFile(path, limit: 1 << 30)
        return (written, read)
    }

    @Test func aLargeFileOnADiskIsWrittenWhole() throws {
        let folder = TestRoot.makeTemporaryFolder()
        defer { Paths.removeTree(folder) }
        let (written, read) = try Self.writeAndReadBack(in: folder)
        #expect(read.count == written.count)
        #expect(read == written)
    }

    /// tmpfs refuses O_DIRECT: the same bytes, through the cache.
    @Test func aLargeFileWhereDirectWritesAreRefusedIsWrittenWhole() throws {
        guard Paths.isDirectory("/dev/shm") else {
            print("skipped: no /dev/shm (tmpfs) to try a file system that refuses O_DIRECT")
            return
        }
        var template = Array("/dev/shm/intake-synced-XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            Issue.record("mkdtemp in /dev/shm failed")
            return
        }
        let folder = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        defer { Paths.removeTree(folder) }
        let (written, read) = try Self.writeAndReadBack(in: folder)
        #expect(read == written)
    }
}
