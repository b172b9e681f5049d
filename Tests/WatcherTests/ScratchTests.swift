import Engine
import Glibc
import Testing
@testable import Watcher

/// Scratch files of a result folder on a real file system.
struct ScratchTests {
    /// A scratch file read once gives back what was read as it goes: every byte comes out as
    /// written, and the disk blocks behind what was read are freed before the file is removed.
    @Test func aScratchFileReadOnceIsGivenBackAsItIsRead() throws {
        let folder = TestRoot.makeTemporaryFolder()
        defer { Paths.removeTree(folder) }
        let result = try ResultFolder(path: "\(folder)/result")
        let out = try result.createScratch("big.part")
        var written: [UInt8] = []
        for i in 0..<(40 << 10) {
            var line = Array("row \(i) of a scratch file that is long enough to fill blocks\n".utf8)
            line += [UInt8](repeating: UInt8(i % 26) + 0x61, count: 448 - line.count)
            written += line
        }
        try out.write(written)
        try out.close()
        let path = "\(folder)/result.scratch/big.part"
        func blocks() -> Int { var st = stat(); stat(path, &st); return Int(st.st_blocks) }
        let before = blocks()
        let reader = try result.openScratchOnce("big.part")
        var read: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = try buffer.withUnsafeMutableBytes { try reader.read(into: $0) }
            if n == 0 { break }
            read += buffer[0..<n]
        }
        #expect(read == written)
        // 17.5 MB read: the first 16 MB are holes now (the file keeps its size).
        #expect(blocks() < before / 2, "blocks before \(before), after \(blocks())")
        var st = stat()
        stat(path, &st)
        #expect(Int(st.st_size) == written.count)
    }
}
