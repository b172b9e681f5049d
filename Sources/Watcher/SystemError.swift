import Glibc

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

/// Runs a system call, retrying on EINTR, and turns -1 into a `SystemError` naming the call.
@discardableResult
func syscall<T: BinaryInteger>(_ call: String, _ path: String, _ body: () -> T) throws(SystemError) -> T {
    while true {
        let result = body()
        if result != -1 { return result }
        let e = Glibc.errno
        if e == EINTR { continue }
        throw SystemError(call: call, path: path, errno: e)
    }
}
