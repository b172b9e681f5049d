import Engine
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Glibc
import Synchronization

/// A thread that sends due webhook deliveries: woken when one is queued, or when the next one
/// falls due. Stops when asked (a POST under way finishes first, at most `timeout` seconds).
final class WebhookSender: Sendable {
    let queue: WebhookQueue
    let tag: String
    private let wake = DispatchSemaphore(value: 0)
    private let stopped = Atomic<Bool>(false)
    private let exited = DispatchSemaphore(value: 0)

    init(queue: WebhookQueue, tag: String) {
        self.queue = queue
        self.tag = tag
    }

    func start() {
        let thread = Thread { [self] in
            while !stopped.load(ordering: .sequentiallyConsistent) {
                queue.deliverDue(tag: tag) { self.stopped.load(ordering: .sequentiallyConsistent) }
                let now = Date().timeIntervalSince1970
                // Look again at least every 30 s: another process (intake import) may queue too.
                let wait = min(30, max(0.05, (queue.nextDue() ?? now + 30) - now))
                _ = wake.wait(timeout: .now() + wait)
            }
            exited.signal()
        }
        thread.name = "intake-webhooks"
        thread.start()
    }

    func poke() { wake.signal() }

    func stop() {
        stopped.store(true, ordering: .sequentiallyConsistent)
        wake.signal()
        _ = exited.wait(timeout: .now() + queue.policy.timeout + 5)
    }
}
