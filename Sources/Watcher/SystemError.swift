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

#if INTAKE_FAULT_INJECTION
/// A test hook, compiled into debug builds only (docs/RELIABILITY.md, "Faults"): makes the
/// calls that `System.call` wraps fail as a full disk would, from the `after`-th call on
/// (counting only calls named in `calls` on a path under `prefix`), so a test can fail each
/// write, fsync and rename of an import in turn. Disarmed it costs one relaxed atomic load.
public enum FaultInjection {
    struct Plan {
        var prefix: String
        var calls: Set<String>
        var after: Int
        var errno: Int32
        var seen = 0
        var fired = 0
    }

    private static let armed = Atomic<Int>(0)
    private static let plans = Mutex<[Int: Plan]>([:])

    static var isArmed: Bool { armed.load(ordering: .relaxed) > 0 }

    /// Fails every call in `calls` under `prefix` from the `after`-th (0-based) on with `errno`.
    /// Returns a token for `disarm`.
    public static func arm(prefix: String, calls: Set<String>, after: Int, errno: Int32 = ENOSPC) -> Int {
        let token = plans.withLock { p in
            let t = (p.keys.max() ?? 0) + 1
            p[t] = Plan(prefix: prefix, calls: calls, after: after, errno: errno)
            return t
        }
        armed.add(1, ordering: .sequentiallyConsistent)
        return token
    }

    /// Ends a plan; returns how many calls it failed.
    @discardableResult
    public static func disarm(_ token: Int) -> Int {
        guard let plan = plans.withLock({ $0.removeValue(forKey: token) }) else { return 0 }
        armed.subtract(1, ordering: .sequentiallyConsistent)
        return plan.fired
    }

    static func fault(_ call: String, _ path: String) -> Int32? {
        plans.withLock { plans in
            for (token, var plan) in plans where plan.calls.contains(call) && path.hasPrefix(plan.prefix) {
                plan.seen += 1
                let fire = plan.seen > plan.after
                if fire { plan.fired += 1 }
                plans[token] = plan
                if fire { return plan.errno }
            }
            return nil
        }
    }
}
#endif
