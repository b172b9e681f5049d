extension ByteRegex {
    /// A Thompson NFA: instructions that consume one character from a set, branch, or test an
    /// assertion; `match` ends a successful path.
    struct Program: Sendable {
        enum Op: UInt8, Sendable { case chars, split, jump, assert, match }

        /// `chars`: `x` indexes `sets`, next is `pc + 1`. `split`: go to `x` and `y`.
        /// `jump`: go to `x`. `assert`: `x` is an `Assertion`, next is `pc + 1`.
        struct Instruction: Sendable {
            var op: Op
            var x: Int32 = 0
            var y: Int32 = 0
        }

        /// Bounds the work per character of a simulation and the memory of `x{1000}`-style
        /// expansions; RE2 bounds its programs the same way.
        static let maxInstructions = 20_000

        var instructions: [Instruction] = []
        var sets: [ScalarSet] = []
        var assertions = Set<Assertion>()

        init(_ node: Node) throws(SyntaxError) {
            guard Self.size(of: node) < Self.maxInstructions else { throw SyntaxError("pattern too large") }
            var setIndex: [ScalarSet: Int32] = [:]
            emit(node, setIndex: &setIndex)
            instructions.append(Instruction(op: .match))
        }

        /// The number of instructions `node` compiles to, saturating far above the limit.
        static func size(of node: Node) -> Int {
            let cap = 1 << 40
            switch node {
            case .empty: return 0
            case .chars, .assertion, .backreference: return 1
            case .group(_, let body): return size(of: body)
            case .look(_, let body): return min(size(of: body) + 2, cap)
            case .concat(let nodes): return min(nodes.reduce(0) { $0 + size(of: $1) }, cap)
            case .alternation(let nodes): return min(nodes.reduce(2 * (nodes.count - 1)) { $0 + size(of: $1) }, cap)
            case .repetition(let body, let low, let high, _):
                let bodySize = size(of: body)
                if bodySize == 0 { return 0 }
                let copies = high.map { $0 - low } ?? 1
                let total = Double(low) * Double(bodySize) + Double(copies) * Double(bodySize + 1) + 1
                return total >= Double(cap) ? cap : Int(total)
            }
        }

        @discardableResult
        private mutating func append(_ op: Op, _ x: Int32 = 0, _ y: Int32 = 0) -> Int {
            instructions.append(Instruction(op: op, x: x, y: y))
            return instructions.count - 1
        }

        private var here: Int32 { Int32(instructions.count) }

        private mutating func emit(_ node: Node, setIndex: inout [ScalarSet: Int32]) {
            switch node {
            case .empty:
                break
            case .chars(let set):
                append(.chars, set.interned(in: &sets, index: &setIndex))
            case .assertion(let assertion):
                assertions.insert(assertion)
                append(.assert, Int32(assertion.rawValue))
            case .concat(let nodes):
                for node in nodes { emit(node, setIndex: &setIndex) }
            case .group(_, let body):
                emit(body, setIndex: &setIndex)
            case .backreference, .look:
                preconditionFailure("a pattern that needs backtracking is compiled by Backtracker")
            case .alternation(let nodes):
                var exits: [Int] = []
                for node in nodes.dropLast() {
                    let split = append(.split, here + 1)
                    emit(node, setIndex: &setIndex)
                    exits.append(append(.jump))
                    instructions[split].y = here
                }
                emit(nodes[nodes.count - 1], setIndex: &setIndex)
                for exit in exits { instructions[exit].x = here }
            case .repetition(let body, let low, let high, _):
                if Self.size(of: body) == 0 { return }
                for _ in 0..<max(low - 1, 0) { emit(body, setIndex: &setIndex) }
                if let high {
                    if low > 0 { emit(body, setIndex: &setIndex) }
                    var splits: [Int] = []
                    for _ in low..<high {
                        splits.append(append(.split, here + 1))
                        emit(body, setIndex: &setIndex)
                    }
                    for split in splits { instructions[split].y = here }
                } else if low > 0 {
                    // x{n,}: the last copy loops, as in x+.
                    let start = here
                    emit(body, setIndex: &setIndex)
                    append(.split, start, here + 1)
                } else {
                    let loop = append(.split, here + 1)
                    emit(body, setIndex: &setIndex)
                    append(.jump, Int32(loop))
                    instructions[loop].y = here
                }
            }
        }
    }
}
