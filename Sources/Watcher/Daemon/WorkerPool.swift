import Dispatch
import Foundation
import Synchronization

/// A fixed set of worker threads behind a bounded queue. Imports block on disk reads and
/// writes, so they run on their own threads (never on Swift's cooperative pool). The event loop
/// is the only producer: it asks `room` before it claims, so the queue never grows past
/// `capacity` and what is not claimed stays in the inbox for any daemon to take.
final class WorkerPool: Sendable {
    private struct State {
        var queue: [WorkItem] = []
        var head = 0
        var running = 0
        var stopping = false
        var results: [WorkResult] = []
    }

    let capacity: Int
    let workers: Int
    private let state = Mutex(State())
    private let available = DispatchSemaphore(value: 0)
    private let exited = DispatchGroup()

    init(workers: Int, capacity: Int, wake: @escaping @Sendable () -> Void, handler: @escaping @Sendable (WorkItem) -> WorkResult.Outcome) {
        self.workers = max(1, workers)
        self.capacity = max(1, capacity)
        for i in 0..<self.workers {
            exited.enter()
            let thread = Thread { [self] in
                while let item = self.next() {
                    let outcome = handler(item)
                    self.state.withLock { s in
                        s.running -= 1
                        s.results.append(WorkResult(item: item, outcome: outcome))
                    }
                    wake()
                }
                self.exited.leave()
            }
            thread.name = "intake-worker-\(i)"
            thread.stackSize = 8 << 20
            thread.start()
        }
    }

    private func next() -> WorkItem? {
        while true {
            available.wait()
            let item: WorkItem?? = state.withLock { s in
                if s.stopping { return .some(nil) }
                guard s.head < s.queue.count else { return nil }
                let item = s.queue[s.head]
                s.head += 1
                if s.head > 1024 && s.head * 2 > s.queue.count {
                    s.queue.removeFirst(s.head)
                    s.head = 0
                }
                s.running += 1
                return .some(item)
            }
            if let item { return item }
        }
    }

    /// Queued, not yet running.
    var depth: Int { state.withLock { $0.queue.count - $0.head } }
    var running: Int { state.withLock { $0.running } }
    var room: Int { state.withLock { capacity - ($0.queue.count - $0.head) } }
    var isIdle: Bool { state.withLock { $0.running == 0 && $0.queue.count == $0.head } }

    func submit(_ item: WorkItem) {
        state.withLock { $0.queue.append(item) }
        available.signal()
    }

    /// Results since the last call.
    func takeResults() -> [WorkResult] {
        state.withLock { s in
            defer { s.results.removeAll() }
            return s.results
        }
    }

    /// Stops: drops what is queued (returned, so the caller knows), lets the running imports
    /// finish, and waits for every worker to exit.
    @discardableResult
    func shutdown() -> [WorkItem] {
        let dropped = state.withLock { s in
            s.stopping = true
            defer { s.queue.removeAll(); s.head = 0 }
            return Array(s.queue[s.head...])
        }
        for _ in 0..<workers { available.signal() }
        exited.wait()
        return dropped
    }
}
