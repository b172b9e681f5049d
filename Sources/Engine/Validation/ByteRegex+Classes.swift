extension ByteRegex {
    /// The alphabet of the automaton: code points grouped into classes that no set of the
    /// program tells apart (for `^[a-z]+$`: `a`–`z` and everything else). The automaton steps
    /// on classes, so its table is as wide as the pattern needs, not 0x110000 columns.
    struct CharacterClasses: Sendable {
        /// How a character looks to `\b`, `^` and `$`.
        enum Kind {
            static let boundary: UInt8 = 0  // before the first or after the last character
            static let word: UInt8 = 1
            static let lineTerminator: UInt8 = 2
            static let other: UInt8 = 3
        }

        /// Bounds the work of splitting classes (sets times the intervals they cover).
        static let maxPartitionWork = 20_000_000
        /// Bounds the width of the automaton's table.
        static let maxCount = 1 << 16

        private(set) var count = 0
        /// Sorted starts of intervals of code points, each wholly inside one class.
        private(set) var starts: [UInt32] = []
        private(set) var classOfInterval: [Int32] = []
        /// One code point of each class, to test a class against a set.
        private(set) var representative: [UInt32] = []
        private(set) var kind: [UInt8] = []

        init(sets: [ScalarSet], word: ScalarSet?, lineTerminators: ScalarSet?) throws(SyntaxError) {
            let all = sets + [word, lineTerminators].compactMap { $0 }
            var boundaries: Set<UInt32> = [0, 0x80]
            for set in all {
                for range in set.ranges {
                    boundaries.insert(range.lowerBound)
                    if range.upperBound < ScalarSet.maxCodePoint { boundaries.insert(range.upperBound + 1) }
                }
            }
            starts = boundaries.sorted()
            // Partition refinement: each set splits every class it partly covers.
            var classes = [Int32](repeating: 0, count: starts.count)
            var classCount: Int32 = 1
            var work = 0
            for set in all {
                var split: [Int32: Int32] = [:]
                for range in set.ranges {
                    let first = interval(of: range.lowerBound)
                    let end = range.upperBound == ScalarSet.maxCodePoint ? starts.count : interval(of: range.upperBound + 1)
                    for index in first..<end {
                        let old = classes[index]
                        if let new = split[old] {
                            classes[index] = new
                        } else {
                            split[old] = classCount
                            classes[index] = classCount
                            classCount += 1
                        }
                    }
                    work += end - first
                }
                if work > Self.maxPartitionWork { throw SyntaxError("pattern too large") }
            }
            // Number the classes that survived, in code point order.
            var renumbered: [Int32: Int32] = [:]
            classOfInterval = classes.indices.map { index in
                if let number = renumbered[classes[index]] { return number }
                let number = Int32(representative.count)
                renumbered[classes[index]] = number
                representative.append(starts[index])
                return number
            }
            count = representative.count
            if count > Self.maxCount { throw SyntaxError("pattern too large") }
            kind = representative.map { value in
                if word?.contains(value) == true { return Kind.word }
                if lineTerminators?.contains(value) == true { return Kind.lineTerminator }
                return Kind.other
            }
        }

        private func interval(of value: UInt32) -> Int {
            var low = 0, high = starts.count
            while low < high {
                let mid = (low + high) / 2
                if starts[mid] <= value { low = mid + 1 } else { high = mid }
            }
            return low - 1
        }

        func classOf(_ value: UInt32) -> Int {
            starts.withUnsafeBufferPointer { starts in
                var low = 0, high = starts.count
                while low < high {
                    let mid = (low &+ high) >> 1
                    if starts[mid] <= value { low = mid &+ 1 } else { high = mid }
                }
                return Int(classOfInterval[low - 1])
            }
        }
    }
}
