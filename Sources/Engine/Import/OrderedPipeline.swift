import Dispatch

/// Parses and validates batches on several threads and hands them back in file order: the
/// calling thread reads (tokenizes) and writes, up to `width` batches are processed at once on
/// Dispatch's global queue. Memory holds at most `2 × width` batches.
enum OrderedPipeline {
    private final class Slot: @unchecked Sendable {
        // Written by one worker before `done` is signalled, read after the wait: the semaphore
        // orders the two.
        var result: ProcessedBatch?
        let done = DispatchSemaphore(value: 0)
    }

    static func run<Input: Sendable>(width: Int, next: () throws -> Input?, process: @escaping @Sendable (Input) -> ProcessedBatch,
                    consume: (ProcessedBatch) throws -> Void) throws {
        guard width > 1 else {
            while let batch = try next() { try consume(process(batch)) }
            return
        }
        var inflight: [Slot] = []
        var exhausted = false
        defer {
            // On an error, let the workers finish before their batches go away.
            for slot in inflight { slot.done.wait() }
        }
        while true {
            while !exhausted && inflight.count < 2 * width {
                guard let batch = try next() else { exhausted = true; break }
                let slot = Slot()
                DispatchQueue.global().async {
                    slot.result = process(batch)
                    slot.done.signal()
                }
                inflight.append(slot)
            }
            guard !inflight.isEmpty else { return }
            let slot = inflight.removeFirst()
            slot.done.wait()
            try consume(slot.result!)
        }
    }
}
