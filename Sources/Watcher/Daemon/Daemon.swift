import Engine
import Foundation
import Dispatch
import Glibc
import Synchronization

/// The daemon (DESIGN.md, "The daemon"; docs/ARCHITECTURE.md): `EventLoop` on the caller's
/// thread, deciding by `DaemonMachine`, importing on a `WorkerPool`.
public enum Daemon {
    /// Runs until stopped (SIGTERM, SIGINT, `control.stop()`), or with `once` until everything
    /// that was in the inbox is handled. Throws only when it cannot start.
    public static func run(_ options: WatchOptions, log: EventLog, control: DaemonControl = DaemonControl()) throws {
        let loop = try EventLoop(options: options, log: log, control: control)
        loop.run()
    }
}
