import Engine
import Glibc
import Testing

@testable import Watcher

/// Published files are written past the page cache in aligned chunks where the file system
/// allows it (two buffers, one written in the background), through the cache where it does
/// not; either way every byte lands as written.
struct SyncedFileTests {
    /// 9.5 MiB in pieces of every size (a byte, a chunk and more, odd sizes across the chunk
    /// boundaries), closed, read back.
    static func writeAndReadBack(in folder: String, direct: Bool = true) throws -> (written: [UInt8], read: [UInt8]) {
        let path = "\(folder)/results.json"
        var generator = SystemRandomNumberGenerator()
        var written: [UInt8] = []
        written.reserveCapacity(10 << 20)
        let file = try SyncedFile(path: path, direct: direct)
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
        #expect(read == written, "first difference at byte \(read.indices.first { $0 < written.count && read[$0] != written[$0] } ?? -1)")
    }

    /// Where direct writes are refused (FUSE, network file systems; tmpfs before Linux 6.6):
    /// the same bytes, through the cache.
    @Test func aLargeFileWrittenThroughTheCacheIsWrittenWhole() throws {
        let folder = TestRoot.makeTemporaryFolder()
        defer { Paths.removeTree(folder) }
        let (written, read) = try Self.writeAndReadBack(in: folder, direct: false)
        #expect(read.count == written.count)
        #expect(read == written, "first difference at byte \(read.indices.first { $0 < written.count && read[$0] != written[$0] } ?? -1)")
    }
}
