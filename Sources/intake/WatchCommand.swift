import Engine
import Foundation
import Glibc
import Watcher

let watchHelp = """
    intake watch [--root DIR] [--once] [--poll SECONDS] [--settle MS] [--rescan SECONDS]
                 [--upload-window SECONDS] [--workers N]

    Watches ROOT/inbox/ and imports every file dropped there (with a *.import.json sidecar)
    or in inbox/<schema_id>/, into outbox/, review/ or failed/. Runs until SIGTERM or SIGINT,
    then stops claiming, lets running imports finish and exits 0. Logs one key=value line per
    event on stderr; writes ROOT/.intake/metrics.prom every few seconds.
      --root DIR               the Intake root (default: the current directory)
      --once                   handle what is in the inbox now, then exit (for cron)
      --poll SECONDS           scan every SECONDS instead of inotify (NFS, SMB, FUSE)
      --settle MS              a file no one has open for writing is complete when
                               unchanged this long (default 200; with --poll 60000: writers
                               on other hosts are not seen, and NFS caches sizes up to 60 s)
      --rescan SECONDS         full scan of the inbox this often (default 30)
      --upload-window SECONDS  how long a sidecar waits for its file and a file for its
                               sidecar (default 1800)
      --workers N              imports run at once (default: the number of cores)
    """

func runWatch(_ args: ArraySlice<String>) throws -> Int32 {
    let a = try Arguments(args, valued: ["root", "poll", "settle", "rescan", "upload-window", "workers"], flags: ["once"])
    if a.flags.contains("help") { print(watchHelp); return Exit.ok }
    guard a.positional.isEmpty else { throw UsageError(message: "watch takes no arguments (got '\(a.positional[0])')") }
    func number(_ name: String, min: Double) throws -> Double? {
        guard let text = a.values[name] else { return nil }
        guard let v = Double(text), v.isFinite, v >= min else {
            throw UsageError(message: "--\(name) needs a number of at least \(JSONValue.format(min)), not '\(text)'")
        }
        return v
    }
    var options = WatchOptions(root: a.values["root"] ?? ".")
    options.once = a.flags.contains("once")
    options.poll = try number("poll", min: 0.05)
    if options.poll != nil { options.settle = WatchOptions.pollSettle }
    if let ms = try number("settle", min: 0) { options.settle = ms / 1000 }
    if let s = try number("rescan", min: 0.05) { options.rescan = s }
    if let s = try number("upload-window", min: 0) { options.uploadWindow = s }
    if let text = a.values["workers"] {
        guard let n = Int(text), n >= 1, n <= 1024 else {
            throw UsageError(message: "--workers needs a whole number from 1 to 1024, not '\(text)'")
        }
        options.workers = n
    }
    options.webhookPolicy = WebhookPolicy.fromEnvironment()
    guard Paths.isDirectory(options.root) else { throw UsageError(message: "--root \(options.root) is not a folder") }
    try Daemon.run(options, log: EventLog(fd: 2))
    return Exit.ok
}
