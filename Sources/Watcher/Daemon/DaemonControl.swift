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
        let r = pipe(&fds)
        precondition(r == 0, "pipe: \(errno)")
        for fd in fds {
            _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
            _ = fcntl(fd, F_SETFD, FD_CLOEXEC)
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
        _ = write(writeFD, &one, 1)
    }

    func drain() {
        var buffer = [UInt8](repeating: 0, count: 256)
        while buffer.withUnsafeMutableBytes({ read(wakeFD, $0.baseAddress, $0.count) }) > 0 {}
    }
}
