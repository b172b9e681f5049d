import Engine
import Testing

struct ByteSourceTests {
    /// `prefix(limit)` once zeroed `limit` bytes up front: 256 MiB for every JSON data file
    /// (found by HostileFileTests, docs/RELIABILITY.md). A limit of 1 TiB would not even allocate.
    @Test func aPrefixCostsWhatIsReadNotItsLimit() throws {
        #expect(try MemorySource("[{\"a\": 1}]").prefix(1 << 40) == Array("[{\"a\": 1}]".utf8))
        let big = [UInt8](repeating: 0x61, count: 300_000)
        #expect(try MemorySource(big).prefix(1 << 40) == big)
        #expect(try MemorySource(big).prefix(1000) == Array(big.prefix(1000)))
        #expect(try MemorySource([]).prefix(1 << 40) == [])
    }
}
