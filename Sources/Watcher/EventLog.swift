import Glibc
import Synchronization

/// The daemon's log: one `key=value` line per event on stderr (contract §13), in the order
/// `ts= level= event= id= file= status= rows= ms=` and then any other keys. Values with spaces,
/// quotes or `=` are quoted (logfmt), so `grep`, `awk` and log shippers read them alike.
public final class EventLog: Sendable {
    public enum Level: String, Sendable, Comparable {
        case debug, info, warn, error
        var rank: Int { [.debug: 0, .info: 1, .warn: 2, .error: 3][self]! }
        public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }
    }

    private let sink: @Sendable (String) -> Void
    private let minimum: Level
    private let lock = Mutex(())

    /// Writes to a descriptor (2 = stderr).
    public convenience init(fd: Int32 = 2, minimum: Level = .info) {
        self.init(minimum: minimum) { line in
            let bytes = Array(line.utf8)
            var offset = 0
            while offset < bytes.count {
                let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + offset, bytes.count - offset) }
                if n <= 0 { if errno == EINTR { continue }; return }
                offset += n
            }
        }
    }

    /// Hands each line (with its newline) to `sink`: for tests.
    public init(minimum: Level = .info, sink: @escaping @Sendable (String) -> Void) {
        self.sink = sink
        self.minimum = minimum
    }

    static let order = ["id", "file", "status", "rows", "ms"]

    public func log(_ level: Level, _ event: String, _ fields: KeyValuePairs<String, String?> = [:]) {
        guard level >= minimum else { return }
        var line = "ts=\(Clock.now()) level=\(level.rawValue) event=\(event)"
        let given = fields.compactMap { k, v in v.map { (k, $0) } }
        for key in EventLog.order { if let v = given.first(where: { $0.0 == key }) { line += " \(key)=\(EventLog.quote(v.1))" } }
        for (k, v) in given where !EventLog.order.contains(k) { line += " \(k)=\(EventLog.quote(v))" }
        line += "\n"
        lock.withLock { _ in sink(line) }
    }

    public func info(_ event: String, _ fields: KeyValuePairs<String, String?> = [:]) { log(.info, event, fields) }
    public func warn(_ event: String, _ fields: KeyValuePairs<String, String?> = [:]) { log(.warn, event, fields) }
    public func error(_ event: String, _ fields: KeyValuePairs<String, String?> = [:]) { log(.error, event, fields) }
    public func debug(_ event: String, _ fields: KeyValuePairs<String, String?> = [:]) { log(.debug, event, fields) }

    /// A value as logfmt writes it: bare when it can be, else in quotes with `"` and `\` escaped
    /// and line breaks as `\n`.
    public static func quote(_ value: String) -> String {
        let plain =
            !value.isEmpty
            && value.unicodeScalars.allSatisfy { $0.value > 0x20 && $0 != "\"" && $0 != "=" && $0 != "\\" && $0.value != 0x7F }
        if plain { return value }
        var out = "\""
        for ch in value.unicodeScalars {
            switch ch {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(ch)
            }
        }
        return out + "\""
    }
}
