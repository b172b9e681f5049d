import Engine
import Synchronization

/// Counters for `.intake/metrics.prom` (Prometheus text format, for node_exporter's textfile
/// collector): imports by status, rows, queue depth, running imports, durations, retries.
public final class Metrics: Sendable {
    /// Upper bounds of the duration histogram, in seconds.
    static let buckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300]

    struct State {
        var imports: [String: Int] = [:]
        var rows = 0
        var retries = 0
        var lost = 0
        var queueDepth = 0
        var running = 0
        var awaiting = 0
        var inboxFiles = 0
        var durationCounts = [Int](repeating: 0, count: Metrics.buckets.count)
        var durationSum = 0.0
        var durationCount = 0
        var startTime = 0.0
    }

    private let state = Mutex(State())

    public init(startTime: Double = 0) { state.withLock { $0.startTime = startTime } }

    public func finished(_ status: ImportStatus, rows: Int, seconds: Double) {
        state.withLock { s in
            s.imports[status.rawValue, default: 0] += 1
            s.rows += rows
            for (i, b) in Metrics.buckets.enumerated() where seconds <= b { s.durationCounts[i] += 1 }
            s.durationSum += seconds
            s.durationCount += 1
        }
    }

    public func retried() { state.withLock { $0.retries += 1 } }
    public func lostClaim() { state.withLock { $0.lost += 1 } }

    public func gauges(queueDepth: Int, running: Int, awaiting: Int, inboxFiles: Int) {
        state.withLock { s in
            s.queueDepth = queueDepth
            s.running = running
            s.awaiting = awaiting
            s.inboxFiles = inboxFiles
        }
    }

    public func imports(_ status: ImportStatus) -> Int { state.withLock { $0.imports[status.rawValue] ?? 0 } }

    /// The exposition text.
    public func render() -> String {
        let s = state.withLock { $0 }
        var out = ""
        func metric(_ name: String, _ type: String, _ help: String, _ lines: [String]) {
            out += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for l in lines { out += l + "\n" }
        }
        metric(
            "intake_imports_total", "counter", "Imports finished by this daemon, by status.",
            ["SUCCESSFUL", "NEEDS_REVIEW", "FAILED"].map { "intake_imports_total{status=\"\($0)\"} \(s.imports[$0] ?? 0)" })
        metric("intake_rows_total", "counter", "Data rows read by finished imports.", ["intake_rows_total \(s.rows)"])
        metric(
            "intake_retries_total", "counter", "Imports put back to be retried after a problem of the machine (full disk, I/O error).",
            ["intake_retries_total \(s.retries)"])
        metric("intake_claims_lost_total", "counter", "Files another daemon claimed first.", ["intake_claims_lost_total \(s.lost)"])
        metric("intake_queue_depth", "gauge", "Imports waiting for a worker.", ["intake_queue_depth \(s.queueDepth)"])
        metric("intake_running_imports", "gauge", "Imports running now.", ["intake_running_imports \(s.running)"])
        metric("intake_awaiting_upload", "gauge", "Sidecars waiting for their data file.", ["intake_awaiting_upload \(s.awaiting)"])
        metric(
            "intake_inbox_files", "gauge", "Files in the inbox being followed (settling or waiting).",
            ["intake_inbox_files \(s.inboxFiles)"])
        var hist: [String] = []
        for (i, b) in Metrics.buckets.enumerated() {
            hist.append("intake_import_duration_seconds_bucket{le=\"\(JSONValue.format(b))\"} \(s.durationCounts[i])")
        }
        hist.append("intake_import_duration_seconds_bucket{le=\"+Inf\"} \(s.durationCount)")
        hist.append("intake_import_duration_seconds_sum \(s.durationSum)")
        hist.append("intake_import_duration_seconds_count \(s.durationCount)")
        metric("intake_import_duration_seconds", "histogram", "Time from claim to published result folder.", hist)
        metric(
            "intake_start_time_seconds", "gauge", "When this daemon started (Unix time).", ["intake_start_time_seconds \(Int(s.startTime))"]
        )
        return out
    }

    public func write(to layout: RootLayout, tag: String) throws {
        try RootLayout.writeAtomically(layout.metrics, Array(render().utf8), sync: false, tag: tag)
    }
}
