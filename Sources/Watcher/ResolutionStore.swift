import Engine
import Glibc

/// Resolutions being applied (contract §6), claimed like imports (DESIGN.md, "Claiming"):
/// `.intake/resolving/<id>/` is made whole (claim.json synced) under a temporary name and
/// renamed into place — the rename decides between daemons, and against `intake resolve` —
/// then `review/<id>/resolution.json` is renamed into it. Then the review folder itself is
/// renamed into it as `old/`, the import is run again from `old/source/` into `build/`, and
/// `build/` is published. After a crash the folder says how far it got:
///
/// - no `old/`, `review/<id>/` there: the folder was not taken yet; take it and go on;
/// - `old/` there, nothing published for the id: build again;
/// - `old/` there and the id published: only the bookkeeping is left.
public struct ResolutionStore: Sendable {
    public let layout: RootLayout

    public init(layout: RootLayout) { self.layout = layout }

    public func folder(_ id: String) -> String { "\(layout.resolving)/\(id)" }
    public func old(_ id: String) -> String { "\(folder(id))/old" }
    public func build(_ id: String) -> String { "\(folder(id))/build" }
    public func resolutionFile(_ id: String) -> String { "\(folder(id))/resolution.json" }
    public func dropped(_ id: String) -> String { "\(layout.review)/\(id)/resolution.json" }

    /// Claims the resolution of import `id`: `review/<id>/resolution.json` is moved in, or, when
    /// `bytes` are given (`intake resolve`), they are written in. False when someone else is
    /// resolving this import, or the file went away.
    public func claim(_ id: String, owner: String, bytes: [UInt8]? = nil) throws -> Bool {
        guard InboxRules.isBareName(id) else { return false }
        try Paths.makeDirectories(layout.resolving)
        let tmp = "\(layout.resolving)/.\(id).\(owner).tmp"
        Paths.removeTree(tmp)
        try syscall("mkdir", tmp) { mkdir(tmp, 0o755) }
        do {
            let claim: JSONValue = ["id": .string(id), "owner": .string(owner), "claimed": .string(Clock.now())]
            let file = try SyncedFile(path: "\(tmp)/claim.json")
            try file.write(JSONWriter.document(claim))
            try file.close()
            if let bytes {
                let r = try SyncedFile(path: "\(tmp)/resolution.json")
                try r.write(bytes)
                try r.close()
            }
            if rename(tmp, folder(id)) != 0 {
                let e = errno
                Paths.removeTree(tmp)
                if e == EEXIST || e == ENOTEMPTY { return false }
                throw SystemError(call: "rename", path: tmp, errno: e)
            }
        } catch {
            Paths.removeTree(tmp)
            throw error
        }
        try Paths.syncDirectory(layout.resolving)
        if bytes == nil && rename(dropped(id), resolutionFile(id)) != 0 {
            let e = errno
            remove(id, owner: owner)
            if e == ENOENT { return false }
            throw SystemError(call: "rename", path: dropped(id), errno: e)
        }
        return true
    }

    public func owner(_ id: String) -> String? {
        guard let bytes = try? Paths.readFile("\(folder(id))/claim.json"), let json = try? JSONParser.parse(bytes) else { return nil }
        return json["owner"]?.stringValue
    }

    public func ids() -> [String] {
        Paths.list(layout.resolving).filter { !$0.hasPrefix(".") && Paths.exists("\(layout.resolving)/\($0)/claim.json") }
    }

    /// Removes a finished claim: renamed away first, so a kill in the middle leaves the whole
    /// claim (its bookkeeping is finished again) or a temporary the sweep removes.
    public func remove(_ id: String, owner: String) {
        let trash = "\(layout.resolving)/.\(id).\(owner).tmp"
        Paths.removeTree(trash)
        if rename(folder(id), trash) == 0 { Paths.removeTree(trash) } else { Paths.removeTree(folder(id)) }
    }

    /// Takes over the resolutions of dead owners (as `Recovery.adoptOrphans` does for imports).
    func adoptOrphans(owner: String, skip: Set<String>, log: EventLog) -> [String] {
        var byOwner: [String: [String]] = [:]
        for id in ids() where !skip.contains(id) {
            guard let o = self.owner(id), o != owner else { continue }
            byOwner[o, default: []].append(id)
        }
        var adopted: [String] = []
        for (dead, list) in byOwner.sorted(by: { $0.key < $1.key }) {
            guard let lock = OwnerLock.lockIfDead(dead, layout: layout) else { continue }
            for id in list where self.owner(id) == dead {
                guard OwnerLock.takeOver(folder(id), from: dead, by: owner, layout: layout) else { continue }
                let claim: JSONValue = ["id": .string(id), "owner": .string(owner), "claimed": .string(Clock.now())]
                do {
                    try RootLayout.writeAtomically("\(folder(id))/claim.json", JSONWriter.document(claim), sync: true, tag: owner)
                    adopted.append(id)
                    log.info("recovered", ["id": id, "file": "resolution.json", "from_owner": dead])
                } catch {
                    log.warn("recovery_failed", ["id": id, "error": "\(error)"])
                }
            }
            // The lock file stays for the work/ sweep; only the descriptor is let go.
            _ = consume lock
        }
        return adopted
    }

    /// Temporaries of dead owners (claims being made or removed).
    func sweep(live: (String) -> Bool) {
        for name in Paths.list(layout.resolving) where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            let parts = name.split(separator: ".")
            if parts.count >= 3, !live(String(parts[parts.count - 2])) { Paths.removeTree("\(layout.resolving)/\(name)") }
        }
    }
}
