extension ByteRegex {
    /// The matcher for patterns the automaton cannot run: lookaround (`(?=…)`, `(?!…)`,
    /// `(?<=…)`, `(?<!…)`) and back-references (`\1`, `\k<name>`). A backtracking machine as
    /// JavaScript's, with an explicit stack (a hostile pattern cannot exhaust the thread's).
    ///
    /// Without back-references it is linear in the input: where a search goes from a program
    /// counter and a position depends on nothing else, so each pair is tried at most once (a
    /// bitmap, as RE2's BitState), and a lookaround's answer at a position is worked out once.
    /// A lookaround body is run from many positions; a pair on the path of an earlier run that
    /// matched is a match again (the path is the log of the pairs the successful thread came
    /// through), every other pair tried is a failure.
    /// With back-references the pairs are not enough (what a group captured decides), the
    /// problem is NP-hard in general and the search is bounded by `maxSteps`: past it the
    /// answer is "undecided", which a validator reports on the cell rather than guessing.
    ///
    /// Lookbehind bodies run right to left over the text, as in JavaScript, so `(?<=\d{3})`
    /// and back-references inside a lookbehind mean what they mean there.
    final class Backtracker: Sendable {
        enum Op: UInt8, Sendable {
            /// Consume one character of `sets[x]`.
            case chars
            /// Try `x`, then `y`.
            case split
            case jump
            /// `x` is an `Assertion`.
            case assert
            /// Capture slot `x` takes the position.
            case save
            /// Slots `x..<y` are cleared (a repetition's groups, at each iteration).
            case clear
            /// The text group `x` captured, compared at the position.
            case backreference
            /// Lookaround `x` (an index into `looks`) must hold.
            case look
            /// Register `x` takes the position; `progress` fails when it did not move since
            /// (an iteration that matched nothing ends the repetition, as in JavaScript).
            case mark, progress
            case match
        }

        struct Instruction: Sendable {
            var op: Op
            var x: Int32 = 0
            var y: Int32 = 0
        }

        /// A compiled body: the main pattern (index 0) or a lookaround's, read forwards or backwards.
        struct Routine: Sendable {
            var instructions: [Instruction] = []
            var backward = false
        }

        struct LookInfo: Sendable {
            var routine: Int
            var negative: Bool
        }

        static let maxSteps = 1_000_000
        /// The largest visited bitmap a search allocates (bits: instructions × positions).
        static let maxMemoBits = 1 << 28

        let routines: [Routine]
        let looks: [LookInfo]
        let sets: [ScalarSet]
        let slots: Int
        let registers: Int
        /// No back-references: every (routine, counter, position) is tried once.
        let memoized: Bool
        let anchored: Bool
        let word: ScalarSet
        let folding: CaseFolding?

        init(_ node: Node, groups: Int, flags: Flags, word: ScalarSet) throws(SyntaxError) {
            guard Program.size(of: node) < Program.maxInstructions else { throw SyntaxError("pattern too large") }
            var builder = Builder(memoized: !node.hasBackreference)
            try builder.compile(node, backward: false)
            routines = builder.routines
            looks = builder.looks
            sets = builder.sets
            slots = 2 * (groups + 1)
            registers = builder.registers
            memoized = builder.memoized
            if case .assert = routines[0].instructions[0].op, routines[0].instructions[0].x == Int32(Assertion.textStart.rawValue) {
                anchored = true
            } else {
                anchored = false
            }
            self.word = word
            folding = flags.ignoreCase ? (flags.unicode ? CaseFolding.unicode : CaseFolding.legacy) : nil
        }

        /// Whether the pattern matches anywhere in `bytes`; nil when the search was cut at `maxSteps`.
        func matches(_ bytes: UnsafeRawBufferPointer) -> Bool? {
            var run = Run(self, bytes)
            var start = 0
            while true {
                switch run.routine(0, at: start) {
                case .matched: return true
                case .exhausted: return nil
                case .failed: break
                }
                if anchored || start >= bytes.count { return false }
                start += ByteRegex.decode(bytes, at: start).length
            }
        }

        /// Compiles nodes into routines.
        struct Builder {
            let memoized: Bool
            var routines: [Routine] = []
            var looks: [LookInfo] = []
            var sets: [ScalarSet] = []
            var setIndex: [ScalarSet: Int32] = [:]
            var registers = 0
            var total = 0

            init(memoized: Bool) { self.memoized = memoized }

            /// Adds a routine for `node`, ending in `match`; returns its index.
            @discardableResult
            mutating func compile(_ node: Node, backward: Bool) throws(SyntaxError) -> Int {
                let index = routines.count
                routines.append(Routine(backward: backward))
                var code: [Instruction] = []
                try emit(node, into: &code, backward: backward)
                code.append(Instruction(op: .match))
                routines[index].instructions = code
                return index
            }

            private mutating func append(_ instruction: Instruction, to code: inout [Instruction]) throws(SyntaxError) -> Int {
                total += 1
                if total > Program.maxInstructions { throw SyntaxError("pattern too large") }
                code.append(instruction)
                return code.count - 1
            }

            private mutating func emit(_ node: Node, into code: inout [Instruction], backward: Bool) throws(SyntaxError) {
                switch node {
                case .empty:
                    break
                case .chars(let set):
                    _ = try append(Instruction(op: .chars, x: set.interned(in: &sets, index: &setIndex)), to: &code)
                case .assertion(let assertion):
                    _ = try append(Instruction(op: .assert, x: Int32(assertion.rawValue)), to: &code)
                case .backreference(let group):
                    _ = try append(Instruction(op: .backreference, x: Int32(group)), to: &code)
                case .concat(let nodes):
                    for node in backward ? nodes.reversed() : nodes { try emit(node, into: &code, backward: backward) }
                case .alternation(let nodes):
                    var exits: [Int] = []
                    for node in nodes.dropLast() {
                        let split = try append(Instruction(op: .split, x: Int32(code.count + 1)), to: &code)
                        try emit(node, into: &code, backward: backward)
                        exits.append(try append(Instruction(op: .jump), to: &code))
                        code[split].y = Int32(code.count)
                    }
                    try emit(nodes[nodes.count - 1], into: &code, backward: backward)
                    for exit in exits { code[exit].x = Int32(code.count) }
                case .group(let number, let body):
                    guard !memoized else { return try emit(body, into: &code, backward: backward) }
                    // Slots hold [start, end) whichever way the text is read.
                    let (first, second) = backward ? (2 * number + 1, 2 * number) : (2 * number, 2 * number + 1)
                    _ = try append(Instruction(op: .save, x: Int32(first)), to: &code)
                    try emit(body, into: &code, backward: backward)
                    _ = try append(Instruction(op: .save, x: Int32(second)), to: &code)
                case .look(let look, let body):
                    let routine = try compile(body, backward: look.behind)
                    looks.append(LookInfo(routine: routine, negative: look.negative))
                    _ = try append(Instruction(op: .look, x: Int32(looks.count - 1)), to: &code)
                case .repetition(let body, let low, let high, let greedy):
                    if Program.size(of: body) == 0 { return }
                    for _ in 0..<low { try iteration(body, into: &code, backward: backward, optional: false) }
                    if let high {
                        var splits: [Int] = []
                        for _ in low..<high {
                            splits.append(try append(Instruction(op: .split), to: &code))
                            try iteration(body, into: &code, backward: backward, optional: true)
                        }
                        for split in splits { code[split] = branch(from: split, into: split + 1, past: code.count, greedy: greedy) }
                    } else {
                        let loop = try append(Instruction(op: .split), to: &code)
                        try iteration(body, into: &code, backward: backward, optional: true)
                        _ = try append(Instruction(op: .jump, x: Int32(loop)), to: &code)
                        code[loop] = branch(from: loop, into: loop + 1, past: code.count, greedy: greedy)
                    }
                }
            }

            private func branch(from: Int, into body: Int, past end: Int, greedy: Bool) -> Instruction {
                greedy ? Instruction(op: .split, x: Int32(body), y: Int32(end)) : Instruction(op: .split, x: Int32(end), y: Int32(body))
            }

            /// One pass of a repetition's body: its groups cleared first; an optional pass that
            /// matched nothing fails, as in JavaScript (what could follow it, the skip already tries).
            private mutating func iteration(
                _ body: Node, into code: inout [Instruction], backward: Bool, optional: Bool
            )
                throws(SyntaxError)
            {
                // Also when memoized: without it, `(?:a?)*` would loop until a step limit.
                let check = optional
                let register = Int32(registers)
                if check {
                    registers += 1
                    _ = try append(Instruction(op: .mark, x: register), to: &code)
                }
                if !memoized, let first = body.groups.min(), let last = body.groups.max() {
                    _ = try append(Instruction(op: .clear, x: Int32(2 * first), y: Int32(2 * last + 2)), to: &code)
                }
                try emit(body, into: &code, backward: backward)
                if check { _ = try append(Instruction(op: .progress, x: register), to: &code) }
            }
        }
    }
}

extension ByteRegex.Backtracker {
    enum Outcome { case matched, failed, exhausted }

    /// One search over one text.
    struct Run {
        enum Frame {
            /// `path`: the length of the routine's path log when the branch was left.
            case branch(pc: Int32, position: Int, path: Int)
            case restoreSlot(Int32, Int)
            case restoreRegister(Int32, Int)
        }

        let machine: ByteRegex.Backtracker
        let bytes: UnsafeRawBufferPointer
        var slots: [Int]
        var registers: [Int]
        var stack: [Frame] = []
        var steps = 0
        /// Per routine, a bit per (counter, position) already tried, and one per pair known to
        /// lead to a match; empty when not memoized.
        var visited: [[UInt64]]
        var successes: [[UInt64]]
        /// Per lookaround, its answer at each position: 0 unknown, 1 holds, 2 does not.
        var lookAnswers: [[UInt8]]

        init(_ machine: ByteRegex.Backtracker, _ bytes: UnsafeRawBufferPointer) {
            self.machine = machine
            self.bytes = bytes
            slots = Array(repeating: -1, count: machine.slots)
            registers = Array(repeating: -1, count: machine.registers)
            let positions = bytes.count + 1
            let bits = machine.routines.reduce(0) { $0 + $1.instructions.count } * positions
            if machine.memoized && bits <= ByteRegex.Backtracker.maxMemoBits {
                visited = machine.routines.map { Array(repeating: 0, count: ($0.instructions.count * positions + 63) / 64) }
                successes = visited
                lookAnswers = machine.looks.map { _ in Array(repeating: 0, count: positions) }
            } else {
                visited = []
                successes = []
                lookAnswers = []
            }
        }

        var memo: Bool { !visited.isEmpty }

        /// Runs routine `index` from `start`. On a match, the captures it made stay (their
        /// restore frames are kept so an outer backtrack still undoes them); on failure, none do.
        mutating func routine(_ index: Int, at start: Int) -> Outcome {
            let base = stack.count
            stack.append(.branch(pc: 0, position: start, path: 0))
            let routine = machine.routines[index]
            let stride = bytes.count + 1
            var path: [Int] = []
            while stack.count > base {
                let pc: Int32, position: Int
                switch stack.removeLast() {
                case .restoreSlot(let slot, let value): slots[Int(slot)] = value; continue
                case .restoreRegister(let register, let value): registers[Int(register)] = value; continue
                case .branch(let p, let q, let length):
                    (pc, position) = (p, q)
                    path.removeSubrange(length..<path.count)
                }
                switch thread(routine, index, pc: pc, at: position, stride: stride, path: &path) {
                case .failed:
                    continue
                case .matched:
                    if memo { for bit in path { successes[index][bit >> 6] |= UInt64(1) << UInt64(bit & 63) } }
                    // Keep the undo records, drop the alternatives: a lookaround is atomic.
                    var kept = base
                    for i in base..<stack.count {
                        if case .branch = stack[i] { continue }
                        stack[kept] = stack[i]
                        kept += 1
                    }
                    stack.removeSubrange(kept..<stack.count)
                    return .matched
                case .exhausted:
                    unwind(to: base)
                    return .exhausted
                }
            }
            return .failed
        }

        /// Pops frames down to `base`, undoing captures.
        mutating func unwind(to base: Int) {
            while stack.count > base {
                switch stack.removeLast() {
                case .restoreSlot(let slot, let value): slots[Int(slot)] = value
                case .restoreRegister(let register, let value): registers[Int(register)] = value
                case .branch: break
                }
            }
        }

        /// Follows one path until it matches or fails; alternatives go on the stack.
        private mutating func thread(
            _ routine: Routine, _ index: Int, pc start: Int32, at from: Int, stride: Int, path: inout [Int]
        ) -> Outcome {
            var pc = Int(start)
            var position = from
            let code = routine.instructions
            while true {
                if memo {
                    let bit = pc * stride + position
                    let (word, mask) = (bit >> 6, UInt64(1) << UInt64(bit & 63))
                    if visited[index][word] & mask != 0 { return successes[index][word] & mask != 0 ? .matched : .failed }
                    visited[index][word] |= mask
                    path.append(bit)
                } else {
                    steps += 1
                    if steps > ByteRegex.Backtracker.maxSteps { return .exhausted }
                }
                let instruction = code[pc]
                switch instruction.op {
                case .chars:
                    guard let (value, length) = scalar(at: position, backward: routine.backward),
                        machine.sets[Int(instruction.x)].contains(value)
                    else { return .failed }
                    position += routine.backward ? -length : length
                    pc += 1
                case .split:
                    stack.append(.branch(pc: instruction.y, position: position, path: path.count))
                    pc = Int(instruction.x)
                case .jump:
                    pc = Int(instruction.x)
                case .assert:
                    guard holds(ByteRegex.Assertion(rawValue: UInt8(instruction.x))!, at: position) else { return .failed }
                    pc += 1
                case .save:
                    stack.append(.restoreSlot(instruction.x, slots[Int(instruction.x)]))
                    slots[Int(instruction.x)] = position
                    pc += 1
                case .clear:
                    for slot in instruction.x..<instruction.y where slots[Int(slot)] != -1 {
                        stack.append(.restoreSlot(slot, slots[Int(slot)]))
                        slots[Int(slot)] = -1
                    }
                    pc += 1
                case .backreference:
                    guard let next = backreference(Int(instruction.x), at: position, backward: routine.backward) else { return .failed }
                    position = next
                    pc += 1
                case .look:
                    switch look(Int(instruction.x), at: position) {
                    case .matched: pc += 1
                    case .failed: return .failed
                    case .exhausted: return .exhausted
                    }
                case .mark:
                    stack.append(.restoreRegister(instruction.x, registers[Int(instruction.x)]))
                    registers[Int(instruction.x)] = position
                    pc += 1
                case .progress:
                    if registers[Int(instruction.x)] == position { return .failed }
                    pc += 1
                case .match:
                    return .matched
                }
            }
        }

        /// Whether lookaround `index` holds at `position` (`.matched`), keeping the captures of a
        /// positive one that held; a negative one never leaves captures.
        private mutating func look(_ index: Int, at position: Int) -> Outcome {
            let info = machine.looks[index]
            if memo, lookAnswers[index][position] != 0 { return lookAnswers[index][position] == 1 ? .matched : .failed }
            let base = stack.count
            var outcome = routine(info.routine, at: position)
            if outcome == .exhausted { return .exhausted }
            if info.negative {
                unwind(to: base)
                outcome = outcome == .matched ? .failed : .matched
            }
            if memo { lookAnswers[index][position] = outcome == .matched ? 1 : 2 }
            return outcome
        }

        /// The position after the text group `group` captured, read at `position`; nil when it
        /// is not there. A group that captured nothing matches the empty string.
        private func backreference(_ group: Int, at position: Int, backward: Bool) -> Int? {
            let (start, end) = (slots[2 * group], slots[2 * group + 1])
            guard start >= 0, end >= start else { return position }
            let length = end - start
            let from = backward ? position - length : position
            guard from >= 0, from + length <= bytes.count else {
                return machine.folding == nil ? nil : foldedBackreference(start, end, at: position, backward: backward)
            }
            var same = true
            for k in 0..<length where bytes[start + k] != bytes[from + k] {
                same = false
                break
            }
            if same { return backward ? from : from + length }
            return machine.folding == nil ? nil : foldedBackreference(start, end, at: position, backward: backward)
        }

        /// The same comparison character by character under the pattern's case folding.
        private func foldedBackreference(_ start: Int, _ end: Int, at position: Int, backward: Bool) -> Int? {
            guard let folding = machine.folding else { return nil }
            var captured: [UInt32] = []
            var i = start
            while i < end {
                let (value, length) = ByteRegex.decode(bytes, at: i)
                captured.append(value)
                i += length
            }
            var at = position
            for value in backward ? captured.reversed() : captured {
                guard let (other, length) = scalar(at: at, backward: backward) else { return nil }
                guard other == value || folding.orbit(of: value).contains(other) else { return nil }
                at += backward ? -length : length
            }
            return at
        }

        /// The character after `position` (before it, reading backwards) and its length.
        private func scalar(at position: Int, backward: Bool) -> (UInt32, Int)? {
            if backward {
                guard position > 0 else { return nil }
                var start = position - 1
                while start > 0, start > position - 4, bytes[start] & 0xC0 == 0x80 { start -= 1 }
                let (value, length) = ByteRegex.decode(bytes, at: start)
                return start + length == position ? (value, length) : (0xFFFD, 1)
            }
            guard position < bytes.count else { return nil }
            let (value, length) = ByteRegex.decode(bytes, at: position)
            return (value, length)
        }

        private func kind(_ neighbour: (UInt32, Int)?) -> UInt8 {
            typealias Kind = ByteRegex.CharacterClasses.Kind
            guard let (value, _) = neighbour else { return Kind.boundary }
            if machine.word.contains(value) { return Kind.word }
            if ByteRegex.ScalarSet.lineTerminators.contains(value) { return Kind.lineTerminator }
            return Kind.other
        }

        private func holds(_ assertion: ByteRegex.Assertion, at position: Int) -> Bool {
            ByteRegex.Stepper.holds(
                assertion, previous: kind(scalar(at: position, backward: true)), next: kind(scalar(at: position, backward: false)))
        }
    }
}
