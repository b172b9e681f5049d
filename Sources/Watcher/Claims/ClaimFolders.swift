import Engine
import Glibc

/// The one claim-folder protocol (DESIGN.md, "Claiming"), used for imports (`.intake/work/`)
/// and resolutions (`.intake/resolving/`):
///
/// - **make**: `<dir>/.<id>.<owner>.tmp/` is made whole (claim.json and any other file, each
///   synced) and renamed to `<dir>/<id>/`; the folder is synced. The rename is the commit point:
///   a kill before it leaves a temporary the sweep removes, and of two daemons making the same id
///   only one rename succeeds (EEXIST, ENOTEMPTY).
/// - **adopt**: a claim whose owner is dead (its lock free) is taken over by one live daemon:
///   the dead owner's lock held, a hard link decides (`OwnerLock.takeOver`), claim.json is
///   rewritten naming the new owner and keeps everything else it said.
/// - **remove**: renamed to a temporary first, so a kill in the middle leaves the whole claim
///   (its work is finished again) or a temporary the sweep removes.
public struct ClaimFolders: Sendable {
    public let layout: RootLayout
    public let directory: String

    public init(layout: RootLayout, directory: String) {
        self.layout = layout
        self.directory = directory
    }

    public func folder(_ id: String) -> String { "\(directory)/\(id)" }
    public func claimFile(_ id: String) -> String { "\(folder(id))/claim.json" }

    /// Makes the claim folder `id`. False when a claim with that id exists already.
    public func make(_ id: String, owner: String, claim: JSONValue, files: [(name: String, bytes: [UInt8])] = []) throws -> Bool {
        try Paths.makeDirectories(directory)
        let tmp = "\(directory)/\(TempName(id: id, owner: owner).name)"
        Paths.removeTree(tmp)
        do {
            try System.call("mkdir", tmp) { mkdir(tmp, 0o755) }
            for (name, bytes) in [("claim.json", JSONWriter.document(claim))] + files.map({ ($0.name, $0.bytes) }) {
                let file = try SyncedFile(path: "\(tmp)/\(name)")
                try file.write(bytes)
                try file.close()
            }
        } catch {
            Paths.removeTree(tmp)
            throw error
        }
        let e = System.errno("rename", tmp) { rename(tmp, folder(id)) }
        if e != 0 {
            Paths.removeTree(tmp)
            if e == EEXIST || e == ENOTEMPTY { return false }
            throw SystemError(call: "rename", path: tmp, errno: e)
        }
        do { try Paths.syncDirectory(directory) } catch {
            // Nothing was taken yet: without this the empty claim would stay for as long as
            // this daemon lives (found by FaultTests: a failed fsync or open here).
            remove(id, owner: owner)
            throw error
        }
        return true
    }

    /// claim.json as written.
    public func read(_ id: String) -> JSONValue? {
        guard let bytes = try? Paths.readFile(claimFile(id)), let json = try? JSONParser.parse(bytes), json.objectValue != nil else {
            return nil
        }
        return json
    }

    /// Rewrites claim.json (synced, atomically).
    public func write(_ id: String, _ claim: JSONValue, tag: String) throws {
        try RootLayout.writeAtomically(claimFile(id), JSONWriter.document(claim), sync: true, tag: tag)
    }

    public func owner(_ id: String) -> String? { read(id)?["owner"]?.stringValue }

    /// Claim folders (not temporaries), by id.
    public func ids() -> [String] {
        Paths.list(directory).filter { !$0.hasPrefix(".") && Paths.exists(claimFile($0)) }
    }

    public func remove(_ id: String, owner: String) {
        let trash = "\(directory)/\(TempName(id: id, owner: owner).name)"
        Paths.removeTree(trash)
        if System.errno("rename", folder(id), { rename(folder(id), trash) }) == 0 {
            Paths.removeTree(trash)
        } else {
            Paths.removeTree(folder(id))
        }
    }

    /// Takes over the claims of dead owners; returns their ids. `skip` holds ids the caller has.
    func adoptOrphans(owner: String, skip: Set<String>, log: EventLog) -> [String] {
        var byOwner: [String: [String]] = [:]
        for id in ids() where !skip.contains(id) {
            guard let o = self.owner(id), o != owner else { continue }
            byOwner[o, default: []].append(id)
        }
        var adopted: [String] = []
        for (dead, list) in byOwner.sorted(by: { $0.key < $1.key }) {
            guard let lock = OwnerLock.lockIfDead(dead, layout: layout) else { continue }
            for id in list {
                // Read again under the lock: another daemon may have adopted it meanwhile.
                guard var claim = read(id)?.objectValue, claim["owner"]?.stringValue == dead else { continue }
                guard OwnerLock.takeOver(folder(id), from: dead, by: owner, layout: layout) else { continue }
                claim["owner"] = .string(owner)
                do {
                    try write(id, .object(claim), tag: owner)
                    adopted.append(id)
                    log.info(
                        "recovered",
                        [
                            "id": id, "file": claim["original_filename"]?.stringValue ?? claim["file"]?.stringValue,
                            "from_owner": dead,
                        ])
                } catch {
                    log.warn("recovery_failed", ["id": id, "error": "\(error)"])
                }
            }
            // The dead owner's lock file stays until none of its claims is left (Recovery.sweep).
            _ = consume lock
        }
        return adopted
    }

    /// Removes the temporaries of owners that are not alive (claims being made or removed).
    func sweep(isAlive: (String) -> Bool) {
        for name in Paths.list(directory) {
            guard let temp = TempName(parsing: name), !isAlive(temp.owner) else { continue }
            Paths.removeTree("\(directory)/\(name)")
        }
    }
}
