import Glibc

/// A multi-byte encoding decoded to UTF-8 by glibc's iconv(3), block by block: a character cut
/// by a block's end is kept for the next block; an invalid byte reads as U+FFFD.
final class Iconv {
    private let handle: iconv_t
    let name: String

    /// Nil when the machine's C library cannot convert from `name` (glibc's gconv modules missing).
    init?(from name: String) {
        let h = iconv_open("UTF-8", name)
        guard let h, h != iconv_t(bitPattern: -1) else { return nil }
        self.handle = h
        self.name = name
    }

    deinit { iconv_close(handle) }

    /// Decodes `bytes`, appending to `out`. Returns how many bytes at the end start a character
    /// that continues past them (to be given again, in front of the next bytes); with `final`,
    /// such a tail reads as U+FFFD and 0 is returned.
    func append(_ bytes: UnsafeRawBufferPointer, final: Bool, to out: inout [UInt8]) -> Int {
        guard bytes.count > 0 else { return 0 }
        var input: UnsafeMutablePointer<CChar>? = UnsafeMutablePointer<CChar>(
            mutating: bytes.baseAddress!.assumingMemoryBound(to: CChar.self))
        var inLeft = bytes.count
        var buffer = [UInt8](repeating: 0, count: bytes.count * 2 + 16)
        while inLeft > 0 {
            var written = 0
            var stop: Int32 = 0
            buffer.withUnsafeMutableBytes { raw in
                var output: UnsafeMutablePointer<CChar>? = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
                var outLeft = raw.count
                let r = iconv(handle, &input, &inLeft, &output, &outLeft)
                written = raw.count - outLeft
                stop = r == -1 ? errno : 0
            }
            out.append(contentsOf: buffer[0..<written])
            switch stop {
            case 0: break
            case E2BIG: continue
            case EINVAL:
                // A character cut by the end of the bytes.
                if !final { return inLeft }
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                return 0
            default:
                // EILSEQ: a byte that starts no character here.
                out.append(contentsOf: [0xEF, 0xBF, 0xBD])
                input = input.map { $0 + 1 }
                inLeft -= 1
            }
        }
        // A stateful encoding may hold a character back until told the input ended.
        if final {
            var written = 0
            buffer.withUnsafeMutableBytes { raw in
                var output: UnsafeMutablePointer<CChar>? = raw.baseAddress!.assumingMemoryBound(to: CChar.self)
                var outLeft = raw.count
                _ = iconv(handle, nil, nil, &output, &outLeft)
                written = raw.count - outLeft
            }
            out.append(contentsOf: buffer[0..<written])
        }
        return 0
    }
}
