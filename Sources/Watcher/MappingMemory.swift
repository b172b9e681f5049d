import Engine
import Glibc

/// Mappings a person resolved, remembered per `importIdentifier` (settings.autoMapHeaders,
/// contract §6): `.intake/memory/<name>.json` holds `{"importIdentifier", "mappings": {header:
/// field key or null}}`, rewritten atomically. Writers of one root (workers, daemons, the
/// resolve command) take turns with flock(2) on `.intake/memory/.lock`.
public struct MappingMemory: Sendable {
    public let layout: RootLayout

    public init(layout: RootLayout) { self.layout = layout }

    /// The file of an identifier: its letters, digits, `-` and `_`, then a hash of the whole
    /// text (so `A/B` and `A_B` do not share a file, and no name leaves the folder).
    public func path(_ identifier: String) -> String {
        let safe = String(
            identifier.unicodeScalars.filter {
                $0.isASCII && ($0.properties.isAlphabetic || $0.properties.numericType != nil || $0 == "-" || $0 == "_")
            }
            .map(Character.init).prefix(64))
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in identifier.utf8 { hash = (hash ^ UInt64(b)) &* 0x100_0000_01b3 }
        return "\(layout.memory)/\(safe)-\(String(hash, radix: 16)).json"
    }

    public func load(_ identifier: String) -> RememberedMapping? {
        guard let bytes = try? Paths.readFile(path(identifier)), let json = try? JSONParser.parse(bytes),
            let mappings = json["mappings"]?.objectValue
        else { return nil }
        return RememberedMapping(
            mappings.entries.compactMap { e in
                switch e.value {
                case .null: (header: e.key, field: nil)
                case .string(let f): (header: e.key, field: f)
                default: nil
                }
            })
    }

    /// Adds `learned` to what is remembered for `identifier` (a header decided again replaces
    /// the earlier decision).
    public func remember(_ learned: RememberedMapping, for identifier: String, tag: String) throws {
        try Paths.makeDirectories(layout.memory)
        let lockPath = "\(layout.memory)/.lock"
        let fd = try syscall("open", lockPath) { open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o644) }
        defer { close(fd) }
        try syscall("flock", lockPath) { flock(fd, LOCK_EX) }
        var entries = load(identifier)?.entries ?? []
        for e in learned.entries {
            entries.removeAll { $0.header == e.header }
            entries.append(e)
        }
        let json: JSONValue = [
            "importIdentifier": .string(identifier),
            "mappings": .object(JSONObject(entries.map { (key: $0.header, value: JSONValue.string($0.field)) })),
        ]
        try RootLayout.writeAtomically(path(identifier), JSONWriter.document(json), sync: true, tag: tag)
    }
}
