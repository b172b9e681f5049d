import Engine
import Glibc

/// `intake resolve`: applies a resolution to an import in review/ in the foreground, the way
/// the daemon does when resolution.json is put in the folder.
public enum Resolver {
    public struct Unfinished: Error, CustomStringConvertible {
        public var description: String
    }

    /// Claims and applies `bytes` as import `id`'s resolution. Nil when the import is being
    /// resolved already; throws when a problem of the machine stopped it (the claim stays, and
    /// a daemon on the root finishes it).
    public static func resolve(
        _ id: String, bytes: [UInt8], layout: RootLayout, owner: OwnerLock, log: EventLog,
        webhooks: WebhookQueue?
    ) throws -> ImportRecord? {
        let work = ImportWork(layout: layout, owner: owner.id, log: log, metrics: Metrics(), webhooks: webhooks)
        guard try ResolutionClaims(layout: layout).claim(id, owner: owner.id, bytes: bytes) else { return nil }
        switch work.finishResolution(id, started: Monotonic.now()) {
        case .imported, .lost:
            guard let folder = layout.published(id), let json = try? JSONParser.parse(try Paths.readFile("\(folder)/import.json")),
                let record = ImportRecord(json: json)
            else {
                throw Unfinished(description: "import \(id) left review/ but no result folder was found")
            }
            return record
        case .retry, .notClaimed, .changed:
            throw Unfinished(
                description:
                    "a problem of the machine stopped the resolution of \(id) (see the log above); it stays claimed in .intake/resolving/ and a running intake watch finishes it"
            )
        }
    }
}
