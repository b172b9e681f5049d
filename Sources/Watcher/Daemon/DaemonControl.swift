import Engine
import Foundation
import Dispatch
import Glibc
import Synchronization

/// Stops a running daemon from another thread, and wakes its loop (a self-pipe it polls; the
/// Glibc module has no eventfd).
public final class DaemonControl: Sendable {
    let wakeFD: Int32
    private let writeFD: Int32
    private let stopFlag = Atomic<Bool>(false)

    public init() {
        var fds: [Int32] = [-1, -1]
        // Two descriptors at start: a process that cannot have them cannot run a daemon.
        let failed = System.errno("pipe", "wake") { pipe(&fds) }
        precondition(failed == 0, "pipe: \(String(cString: strerror(failed)))")
        for fd in fds {
            let flags = System.errno("fcntl", "wake") { fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
            precondition(flags == 0 && System.errno("fcntl", "wake", { fcntl(fd, F_SETFD, FD_CLOEXEC) }) == 0, "fcntl on the wake pipe")
        }
        wakeFD = fds[0]
        writeFD = fds[1]
    }

    deinit {
        close(wakeFD)
        close(writeFD)
    }

    /// Stop claiming, let running imports finish, return from `Daemon.run`.
    public func stop() {
        stopFlag.store(true, ordering: .sequentiallyConsistent)
        wake()
    }

    var stopRequested: Bool { stopFlag.load(ordering: .sequentiallyConsistent) }

    /// A full pipe already means "wake up": EAGAIN is fine.
    func wake() {
        var one: UInt8 = 1
        System.errno("write", "wake") { write(writeFD, &one, 1) }
    }

    func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        // Until EAGAIN: the pipe is empty.
        while (try? System.call("read", "wake", { buffer.withUnsafeMutableBytes { read(wakeFD, $0.baseAddress, $0.count) } })) ?? 0 > 0 {}
    }
}
