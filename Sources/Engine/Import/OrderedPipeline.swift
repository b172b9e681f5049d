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
    static func run<Input: Sendable, Output>(width: Int, next: () throws -> Input?, process: @escaping @Sendable (Input, _ worker: Int) -> Output,
                                             consume: (Output) throws -> Void) throws {
        guard width > 1 else {
            while let batch = try next() { try consume(process(batch, 0)) }
            return
        }
        let queue = Queue<Input, Output>()
        let threads = (0..<width).map { worker in
            Worker.start {
                while let slot = queue.take() {
                    slot.result = process(slot.input, worker)
                    slot.done.signal()
                }
            }
        }
        var inflight: [Slot<Input, Output>] = []
        defer {
            // On an error too: the workers finish what they hold before the pieces go away.
            for slot in inflight { slot.done.wait() }
            queue.close(width)
            for thread in threads { Worker.join(thread) }
        }
        var exhausted = false
        while true {
            while !exhausted && inflight.count < 2 * width {
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

    static func start(_ body: @escaping @Sendable () -> Void) -> pthread_t {
        var thread = pthread_t()
        let box = Unmanaged.passRetained(Body(body)).toOpaque()
        let created = pthread_create(&thread, nil, { raw in
            let body = Unmanaged<Body>.fromOpaque(raw!).takeRetainedValue()
            body.run()
            return nil
        }, box)
        precondition(created == 0, "pthread_create failed: \(created)")
        return thread
    }

    static func join(_ thread: pthread_t) {
        pthread_join(thread, nil)
    }
}
