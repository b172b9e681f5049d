import Glibc
import Synchronization

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
