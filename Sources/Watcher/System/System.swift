import Glibc
import Synchronization

/// A failed system call: which call, on what, and errno. `isTransient` says whether the
/// machine may get better by itself (full disk, too many open files) so the import should wait
/// and be retried rather than fail (STYLE.md, "Errors: three kinds").
public struct SystemError: Error, Sendable, CustomStringConvertible {
    public let call: String
    public let path: String
    public let errno: Int32

    public var isTransient: Bool {
        [ENOSPC, EDQUOT, EMFILE, ENFILE, ENOMEM, EAGAIN, EIO, EBUSY].contains(errno)
    }

    public var description: String {
        "\(call)(\(path)): \(String(cString: strerror(errno)))"
    }
}

/// The one way the daemon makes a system call that can fail (STYLE.md, "Wrapping the system";
/// swift-system's `valueOrErrno`, NIO's `syscall(blocking:where:_:)`).
public enum System {
    /// Runs `body` (a call returning -1 and setting errno on failure), retrying on EINTR, and
    /// turns -1 into a `SystemError` naming the call and its path. EBADF and EFAULT are bugs of
    /// the caller, never a state of the machine: they stop the process.
    @discardableResult
    public static func call<T: BinaryInteger>(_ call: String, _ path: String, _ body: () -> T) throws(SystemError) -> T {
        #if INTAKE_FAULT_INJECTION
        if FaultInjection.isArmed, let e = FaultInjection.fault(call, path) { throw SystemError(call: call, path: path, errno: e) }
        #endif
        while true {
            let result = body()
            if result != -1 { return result }
            let e = Glibc.errno
            if e == EINTR { continue }
            precondition(e != EBADF && e != EFAULT, "\(call)(\(path)): \(String(cString: strerror(e))) — a bug in Intake")
            throw SystemError(call: call, path: path, errno: e)
        }
    }

    /// A call whose failure is an answer, not a problem (an `unlink` of what may be gone, a
    /// `rename` that may lose a race): the errno, or 0 when it succeeded.
    @discardableResult
    public static func errno<T: BinaryInteger>(_ call: String, _ path: String, _ body: () -> T) -> Int32 {
        do {
            try System.call(call, path, body)
            return 0
        } catch {
            return error.errno
        }
    }
}
