/// A read position in one cell's UTF-8 bytes, with the few moves the value parsers need.
/// Reading past the end yields 0, which no parser accepts, so callers need no bounds checks.
struct ByteCursor {
    let bytes: UnsafeRawBufferPointer
    var index: Int

    init(_ bytes: UnsafeRawBufferPointer, at index: Int = 0) {
        self.bytes = bytes
        self.index = index
    }

    @inline(__always) var atEnd: Bool { index >= bytes.count }

    @inline(__always) var current: UInt8 { index < bytes.count ? bytes[index] : 0 }

    @inline(__always) func peek(_ offset: Int) -> UInt8 {
        let i = index + offset
        return i < bytes.count ? bytes[i] : 0
    }

    @inline(__always) mutating func consume(_ byte: UInt8) -> Bool {
        guard current == byte else { return false }
        index += 1
        return true
    }

    /// Skips spaces and tabs; returns how many.
    @discardableResult
    mutating func skipSpaces() -> Int {
        let start = index
        while current == 0x20 || current == 0x09 { index += 1 }
        return index - start
    }

    /// Reads a run of ASCII digits. `count` is the run's length; `value` is exact for runs of
    /// up to 18 digits (longer runs are only ever rejected by the callers).
    @inline(__always)
    mutating func digits() -> (value: Int, count: Int) {
        var value = 0
        let start = index
        while true {
            let d = current &- 0x30
            guard d < 10 else { break }
            if index - start < 18 { value = value * 10 + Int(d) }
            index += 1
        }
        return (value, index - start)
    }

    /// Reads a run of ASCII letters and returns its range (empty when there is none).
    mutating func letters() -> Range<Int> {
        let start = index
        while ByteCursor.isLetter(current) { index += 1 }
        return start..<index
    }

    @inline(__always) static func isDigit(_ b: UInt8) -> Bool { b &- 0x30 < 10 }
    @inline(__always) static func isLetter(_ b: UInt8) -> Bool { (b | 0x20) &- 0x61 < 26 }
    @inline(__always) static func lower(_ b: UInt8) -> UInt8 { isLetter(b) ? b | 0x20 : b }

    /// Case-insensitive comparison of `range` with a lowercase ASCII word.
    func matches(_ range: Range<Int>, _ lowercaseWord: StaticString) -> Bool {
        guard range.count == lowercaseWord.utf8CodeUnitCount else { return false }
        let word = lowercaseWord.utf8Start
        var i = 0
        for j in range {
            if ByteCursor.lower(bytes[j]) != word[i] { return false }
            i += 1
        }
        return true
    }

    /// Reads an optional English ordinal suffix after a day number: `1st`, `2nd`, `3rd`, `9th`.
    mutating func skipOrdinalSuffix() {
        let a = ByteCursor.lower(current), b = ByteCursor.lower(peek(1))
        let pair = (a, b)
        let isSuffix = pair == (0x73, 0x74) || pair == (0x6E, 0x64) || pair == (0x72, 0x64) || pair == (0x74, 0x68)
        if isSuffix && !ByteCursor.isLetter(peek(2)) { index += 2 }
    }
}
