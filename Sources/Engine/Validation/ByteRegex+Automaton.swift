extension ByteRegex {
    /// A DFA built ahead of time from the program by subset construction, up to a budget, and
    /// a simulation of the NFA (a Pike VM without captures) for whatever the budget left out.
    /// Both are linear in the input.
    ///
    /// A state is a set of program counters still to be followed (its "kernel") and the kind
    /// of the character before it. Empty-width assertions are resolved when the next character
    /// is known, so `$`, `\b` and `^` with `m` need no lookahead: a transition on a class
    /// first follows the kernel's epsilon closure knowing both neighbours, then consumes.
    /// Reaching `match` ends the search (`test()` needs no more); it is a transition value.
    ///
    /// The table's rows are `128 + classes + 1` wide: ASCII bytes are columns of their own so
    /// the hot loop needs no class lookup for them, then one column per class for decoded
    /// non-ASCII characters, then the end of the input. Values are row offsets; `0` is the
    /// dead state, `match` and `unknown` are negative.
    final class Automaton: Sendable {
        static let match: Int32 = -1
        static let unknown: Int32 = -2
        static let maxStates = 4_096
        static let maxTableEntries = 1 << 20
        static let maxBuildWork = 20_000_000

        let program: Program
        let classes: CharacterClasses
        /// Whether every match must start at the first character, so a search never restarts.
        let anchored: Bool
        let stride: Int
        let table: [Int32]
        let startRow: Int
        private let kernels: [[Int32]]
        private let previous: [UInt8]
        private let needsStart: Bool
        private let needsLineStart: Bool

        var endColumn: Int { 128 + classes.count }

        /// `word` is the pattern's `\w` set, which `\b` uses.
        init(_ program: Program, word: ScalarSet) throws(SyntaxError) {
            self.program = program
            let assertions = program.assertions
            needsStart = assertions.contains(.textStart) || assertions.contains(.lineStart)
            needsLineStart = assertions.contains(.lineStart)
            let needsWord = assertions.contains(.wordBoundary) || assertions.contains(.notWordBoundary)
            let needsLines = assertions.contains(.lineStart) || assertions.contains(.lineEnd)
            let classes = try CharacterClasses(
                sets: program.sets,
                word: needsWord ? word : nil,
                lineTerminators: needsLines ? ScalarSet.lineTerminators : nil)
            let stride = 128 + classes.count + 1
            var stepper = Stepper(program: program, classes: classes)
            let anchored = Self.isAnchored(&stepper)
            let normalize = { [needsStart, needsLineStart] (kind: UInt8) in
                Self.normalize(kind, needsStart: needsStart, needsLineStart: needsLineStart)
            }

            // Subset construction, breadth first from the start state. State 0 is dead.
            var kernels: [[Int32]] = [[]]
            var previous: [UInt8] = [CharacterClasses.Kind.other]
            var table = [Int32](repeating: 0, count: stride)
            var index: [[Int32]: Int32] = [:]
            func state(_ kernel: [Int32], after kind: UInt8) -> Int32? {
                if kernel.isEmpty { return 0 }
                let key = kernel + [Int32(kind)]
                if let existing = index[key] { return existing }
                // The start state (state 1) is always built; the table of a single row is small.
                guard kernels.count < 2 || (kernels.count < Self.maxStates && table.count + stride <= Self.maxTableEntries)
                else { return nil }
                let id = Int32(kernels.count)
                index[key] = id
                kernels.append(kernel)
                previous.append(kind)
                table.append(contentsOf: repeatElement(Self.unknown, count: stride))
                return id
            }
            let start = state([0], after: normalize(CharacterClasses.Kind.boundary))!
            var next = 1
            var following: [Int32] = []
            while next < kernels.count && stepper.work < Self.maxBuildWork {
                let row = next * stride
                let (kernel, before) = (kernels[next], previous[next])
                next += 1
                for cls in 0..<classes.count {
                    if stepper.step(kernel, previous: before, class: cls, restart: !anchored, into: &following) {
                        table[row + 128 + cls] = Self.match
                    } else if let target = state(following.sorted(), after: normalize(classes.kind[cls])) {
                        table[row + 128 + cls] = target * Int32(stride)
                    }
                }
                let matchesAtEnd = stepper.closure(kernel, previous: before, next: CharacterClasses.Kind.boundary)
                table[row + stride - 1] = matchesAtEnd ? Self.match : 0
                for byte in 0..<128 { table[row + byte] = table[row + 128 + classes.classOf(UInt32(byte))] }
            }
            self.classes = classes
            self.stride = stride
            self.anchored = anchored
            self.startRow = Int(start) * stride
            self.table = table
            self.kernels = kernels
            self.previous = previous
        }

        static func normalize(_ kind: UInt8, needsStart: Bool, needsLineStart: Bool) -> UInt8 {
            switch kind {
            case CharacterClasses.Kind.boundary where !needsStart: CharacterClasses.Kind.other
            case CharacterClasses.Kind.lineTerminator where !needsLineStart: CharacterClasses.Kind.other
            default: kind
            }
        }

        /// True when, after any first character, the start of the program can neither consume
        /// nor match (every path begins with `^` without `m`).
        private static func isAnchored(_ stepper: inout Stepper) -> Bool {
            typealias Kind = CharacterClasses.Kind
            for before in [Kind.word, Kind.lineTerminator, Kind.other] {
                for after in [Kind.boundary, Kind.word, Kind.lineTerminator, Kind.other] {
                    if stepper.closure([0], previous: before, next: after) || !stepper.consumers.isEmpty { return false }
                }
            }
            return true
        }

        /// Runs the NFA from a state whose transition the budget left unbuilt, `offset` at the
        /// first character not yet consumed.
        func simulate(fromRow row: Int, _ bytes: UnsafeRawBufferPointer, at offset: Int) -> Bool {
            var stepper = Stepper(program: program, classes: classes)
            var kernel = kernels[row / stride]
            var before = previous[row / stride]
            var index = offset
            var following: [Int32] = []
            while index < bytes.count {
                let (value, length) = ByteRegex.decode(bytes, at: index)
                index += length
                let cls = classes.classOf(value)
                if stepper.step(kernel, previous: before, class: cls, restart: !anchored, into: &following) {
                    return true
                }
                if following.isEmpty { return false }
                swap(&kernel, &following)
                before = Self.normalize(classes.kind[cls], needsStart: needsStart, needsLineStart: needsLineStart)
            }
            return stepper.closure(kernel, previous: before, next: CharacterClasses.Kind.boundary)
        }
    }

    /// Epsilon closures and steps over the program, with reusable scratch space.
    struct Stepper {
        let instructions: [Program.Instruction]
        let sets: [ScalarSet]
        let classes: CharacterClasses
        private var marks: [UInt32]
        private var generation: UInt32 = 0
        private var stack: [Int32] = []
        /// The `chars` instructions reached by the last closure.
        private(set) var consumers: [Int32] = []
        /// Instructions visited so far, to bound the construction.
        private(set) var work = 0

        init(program: Program, classes: CharacterClasses) {
            instructions = program.instructions
            sets = program.sets
            self.classes = classes
            marks = [UInt32](repeating: 0, count: program.instructions.count)
        }

        private mutating func nextGeneration() {
            generation &+= 1
            if generation == 0 {
                for index in marks.indices { marks[index] = 0 }
                generation = 1
            }
        }

        /// Follows everything but `chars` from `kernel`; true when `match` is reached.
        mutating func closure(_ kernel: [Int32], previous: UInt8, next: UInt8) -> Bool {
            nextGeneration()
            consumers.removeAll(keepingCapacity: true)
            var matched = false
            stack.append(contentsOf: kernel.reversed())
            while let pc = stack.popLast() {
                if marks[Int(pc)] == generation { continue }
                marks[Int(pc)] = generation
                work += 1
                let instruction = instructions[Int(pc)]
                switch instruction.op {
                case .chars: consumers.append(pc)
                case .match: matched = true
                case .jump: stack.append(instruction.x)
                case .split:
                    stack.append(instruction.y)
                    stack.append(instruction.x)
                case .assert:
                    let assertion = Assertion(rawValue: UInt8(instruction.x))!
                    if Self.holds(assertion, previous: previous, next: next) { stack.append(pc + 1) }
                }
            }
            return matched
        }

        /// Consumes one character of class `cls` into `following` (the kernel after it, in no
        /// particular order); true when a match ends before it. With `restart`, a new attempt
        /// begins at every position.
        mutating func step(
            _ kernel: [Int32], previous: UInt8, class cls: Int, restart: Bool, into following: inout [Int32]
        ) -> Bool {
            following.removeAll(keepingCapacity: true)
            if closure(kernel, previous: previous, next: classes.kind[cls]) { return true }
            let value = classes.representative[cls]
            nextGeneration()
            for pc in consumers where sets[Int(instructions[Int(pc)].x)].contains(value) {
                if marks[Int(pc) + 1] != generation {
                    marks[Int(pc) + 1] = generation
                    following.append(pc + 1)
                }
            }
            if restart && marks[0] != generation { following.append(0) }
            return false
        }

        static func holds(_ assertion: Assertion, previous: UInt8, next: UInt8) -> Bool {
            typealias Kind = CharacterClasses.Kind
            switch assertion {
            case .textStart: return previous == Kind.boundary
            case .textEnd: return next == Kind.boundary
            case .lineStart: return previous == Kind.boundary || previous == Kind.lineTerminator
            case .lineEnd: return next == Kind.boundary || next == Kind.lineTerminator
            case .wordBoundary: return (previous == Kind.word) != (next == Kind.word)
            case .notWordBoundary: return (previous == Kind.word) == (next == Kind.word)
            }
        }
    }
}
