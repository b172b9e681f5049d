import CZlib

/// What one workbook may inflate in all (contract §11: 4 GiB), shared by the entries read for
/// one pass over it.
final class InflateBudget {
    var remaining: Int
    init(total: Int = InflateBudget.total) { remaining = total }
    static let total = 4 << 30
    /// An entry may inflate to 500× its compressed size once it is past `floor` (contract §11).
    /// Deflate cannot pass about 1,032×, and a run of one byte (the usual bomb) comes close;
    /// real sheets stay far below: 121× for a sheet of long strings, about 210× for one text
    /// repeated in every row. A part under the floor may inflate at any ratio; the `total` is
    /// the guard against a bomb that keeps under the ratio.
    static let ratio = 500
    static let floor = 1 << 20

    /// The most an entry of `compressed` bytes may inflate to.
    static func limit(compressed: Int) -> Int {
        max(compressed.multipliedReportingOverflow(by: ratio).partialValue, floor)
    }

    /// The error for an entry that inflates (or declares it inflates) past `limit`.
    static func refusal(_ name: String, inflated: Int, compressed: Int, declared: Bool) -> ReadError {
        let times = compressed > 0 ? "\(inflated / compressed)×" : "endlessly"
        let size = declared ? "\(inflated) bytes" : "more than \(inflated) bytes"
        return ReadError(
            "the workbook part \(name) inflates \(times) (\(size) from \(compressed)), past the \(ratio)× Intake allows for a part over \(floor >> 20) MiB (a zip bomb?); Intake refuses the file"
        )
    }
}

/// The inflated bytes of one zip entry, streamed: a block of compressed input at a time through
/// zlib's raw inflate (`inflate(3)`), checked as they come against the entry's declared size,
/// the ratio and budget limits, and at the end its CRC-32. Stored entries pass through.
final class ZipEntryReader: ByteReader {
    private let entry: ZipEntry
    private let input: any ByteReader
    private let budget: InflateBudget
    private let stream: UnsafeMutablePointer<z_stream>
    private let inBuffer: UnsafeMutableRawBufferPointer
    private var compressedLeft: Int
    private var produced = 0
    private var crc: UInt = 0
    private var done = false
    private let allowed: Int

    init(entry: ZipEntry, input: any ByteReader, budget: InflateBudget) throws {
        self.entry = entry
        self.input = input
        self.budget = budget
        self.compressedLeft = entry.compressedSize
        self.allowed = InflateBudget.limit(compressed: entry.compressedSize)
        self.inBuffer = .allocate(byteCount: 64 << 10, alignment: 16)
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        if entry.method == 8 {
            let status = inflateInit2_(stream, -MAX_WBITS, zlibVersion(), Int32(MemoryLayout<z_stream>.size))
            guard status == Z_OK else {
                stream.deallocate()
                inBuffer.deallocate()
                throw ReadError("zlib could not start inflating (\(status))")
            }
        }
    }

    deinit {
        if entry.method == 8 { inflateEnd(stream) }
        stream.deallocate()
        inBuffer.deallocate()
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        guard !done, buffer.count > 0 else { return 0 }
        let n = entry.method == 8 ? try inflateSome(into: buffer) : try copySome(into: buffer)
        produced += n
        budget.remaining -= n
        if produced > entry.size && entry.size >= 0 {
            throw ReadError(
                "the workbook part \(entry.name) inflates past the \(entry.size) bytes its zip header declares; the file is damaged or forged"
            )
        }
        if produced > allowed {
            throw InflateBudget.refusal(entry.name, inflated: produced, compressed: entry.compressedSize, declared: false)
        }
        if budget.remaining < 0 {
            throw ReadError(
                "the workbook inflates to more than \(InflateBudget.total >> 30) GiB in all, the most Intake reads (a zip bomb?)")
        }
        if n > 0 { crc = crc32(crc, buffer.baseAddress!.assumingMemoryBound(to: Bytef.self), uInt(n)) }
        if done {
            if produced != entry.size {
                throw ReadError(
                    "the workbook part \(entry.name) holds \(produced) bytes but its zip header declares \(entry.size); the file is damaged"
                )
            }
            if UInt32(truncatingIfNeeded: crc) != entry.crc {
                throw ReadError("the workbook part \(entry.name) is damaged (its CRC-32 does not match)")
            }
        }
        return n
    }

    private func fill() throws -> Int {
        let want = min(inBuffer.count, compressedLeft)
        guard want > 0 else { return 0 }
        let n = try input.read(into: UnsafeMutableRawBufferPointer(rebasing: inBuffer[0..<want]))
        if n == 0 { throw ReadError("the workbook is cut short inside the part \(entry.name); it was probably not copied completely") }
        compressedLeft -= n
        return n
    }

    private func copySome(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        let want = min(buffer.count, compressedLeft)
        if want == 0 { done = true; return 0 }
        let n = try input.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<want]))
        if n == 0 { throw ReadError("the workbook is cut short inside the part \(entry.name); it was probably not copied completely") }
        compressedLeft -= n
        if compressedLeft == 0 { done = true }
        return n
    }

    private func inflateSome(into buffer: UnsafeMutableRawBufferPointer) throws -> Int {
        stream.pointee.next_out = buffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
        let capacity = Int(stream.pointee.avail_out)
        while Int(stream.pointee.avail_out) == capacity {
            if stream.pointee.avail_in == 0 {
                let n = try fill()
                if n == 0 {
                    throw ReadError("the workbook is cut short inside the part \(entry.name); it was probably not copied completely")
                }
                stream.pointee.next_in = inBuffer.baseAddress!.assumingMemoryBound(to: Bytef.self)
                stream.pointee.avail_in = uInt(n)
            }
            try step()
            if done { break }
        }
        return capacity - Int(stream.pointee.avail_out)
    }

    /// One call of inflate on the input already set (`next_in` points into `inBuffer`).
    private func step() throws {
        let status = inflate(stream, Z_NO_FLUSH)
        switch status {
        case Z_STREAM_END: done = true
        case Z_OK: break
        case Z_BUF_ERROR where stream.pointee.avail_in == 0: break
        default:
            let reason = stream.pointee.msg.map { String(cString: $0) } ?? "error \(status)"
            throw ReadError("the workbook part \(entry.name) is damaged (inflate: \(reason))")
        }
    }
}
