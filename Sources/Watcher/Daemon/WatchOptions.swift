import Engine
import Foundation
import Dispatch
import Glibc
import Synchronization

/// `intake watch`'s options (contract §13).
public struct WatchOptions: Sendable {
    public var root: String
    public var once = false
    /// Scan every this many seconds instead of inotify (network file systems).
    public var poll: Double?
    public var settle = 0.2
    /// The settle time `--poll` starts from (contract §2c): no lease and no event sees a writer
    /// on another host, and an NFS client may show a file's old size and mtime for up to 60 s
    /// (its attribute cache, acregmax), so a file must hold still for longer than that.
    public static let pollSettle = 60.0
    public var rescan = 30.0
    public var uploadWindow = 1800.0
    public var workers = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Imports queued for the workers at most; what is not claimed stays in the inbox.
    public var queueCapacity: Int?
    public var metricsInterval = 5.0
    /// Stop on SIGTERM/SIGINT (the command does; tests use `DaemonControl.stop`).
    public var handleSignals = true
    /// When failed webhook deliveries are tried again (contract §10).
    public var webhookPolicy = WebhookPolicy()

    public init(root: String) { self.root = root }
}
