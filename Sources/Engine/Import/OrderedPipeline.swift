import Dispatch
import Glibc
import Synchronization

/// Works on pieces of a file on several threads and hands the results back in file order: the
/// calling thread reads and writes, `width` threads of the pipeline's own process the pieces.
/// Memory holds at most `2 × width` pieces.
///
/// The threads are the pipeline's, not Dispatch's pool: a caller that runs on a pool thread
/// (a test runner, a server) and waits for pool work could otherwise wait for itself.
enum OrderedPipeline {
    private final class Slot<Input: Sendable, Output>: @unchecked Sendable {
        let input: Input
        // Written by one worker before `done` is signalled, read after the wait: the semaphore
        // orders the two.
        var result: Output?
        let done = DispatchSemaphore(value: 0)
        init(_ input: Input) { self.input = input }
    }

    /// Pieces waiting for a worker; nil once the pipeline closes.
    private final class Queue<Input: Sendable, Output>: Sendable {
        let waiting = Mutex<(slots: [Slot<Input, Output>], closed: Bool)>(([], false))
        let ready = DispatchSemaphore(value: 0)

        func put(_ slot: Slot<Input, Output>) {
            waiting.withLock { $0.slots.append(slot) }
            ready.signal()
        }

        func take() -> Slot<Input, Output>? {
            ready.wait()
            return waiting.withLock { $0.slots.isEmpty ? nil : $0.slots.removeFirst() }
        }

        func close(_ workers: Int) {
            waiting.withLock { $0.closed = true }
            for _ in 0..<workers { ready.signal() }
        }
    }

    /// `process` is told which worker runs it (0..<width), for state of a worker's own.
    static func run<Input: Sendable, Output>(
        width: Int, next: () throws -> Input?, process: @escaping @Sendable (Input, _ worker: Int) -> Output,
        consume: (Output) throws -> Void
    ) throws {
        let queue = Queue<Input, Output>()
        // Threads the machine will not give (too many already) are done without.
        let threads =
            width <= 1
            ? []
            : (0..<width).compactMap { worker in
                Worker.start {
                    while let slot = queue.take() {
                        slot.result = process(slot.input, worker)
                        slot.done.signal()
                    }
                }
            }
        guard !threads.isEmpty else {
            while let batch = try next() { try consume(process(batch, 0)) }
            return
        }
        var inflight: [Slot<Input, Output>] = []
        defer {
            // On an error too: the workers finish what they hold before the pieces go away.
            for slot in inflight { slot.done.wait() }
            queue.close(threads.count)
            for thread in threads { Worker.join(thread) }
        }
        var exhausted = false
        while true {
            while !exhausted && inflight.count < 2 * threads.count {
                guard let batch = try next() else { exhausted = true; break }
                let slot = Slot<Input, Output>(batch)
                queue.put(slot)
                inflight.append(slot)
            }
            guard !inflight.isEmpty else { return }
            let slot = inflight.removeFirst()
            slot.done.wait()
            try consume(slot.result!)
        }
    }
}

/// A plain thread for a closure.
enum Worker {
    private final class Body {
        let run: @Sendable () -> Void
        init(_ run: @escaping @Sendable () -> Void) { self.run = run }
    }

    /// The thread running `body`, or nil when the system has none to give (EAGAIN): the caller
    /// then does the work itself.
    static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t? {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Body(body))
        let created = pthread_create(
            &thread, nil,
            { raw in
                let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
                body.run()
                return nil
            }, box.toOpaque())
        guard created == 0 else {
            box.release()
            return nil
        }
        return thread
    }

    static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }
}

/// A value handed to another thread that the caller keeps its hands off meanwhile.
final class Unchecked<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// What went wrong on another thread.
final class Failure {
    var error: (any Error)?
}
