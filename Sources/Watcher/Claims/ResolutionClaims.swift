import Engine
import Glibc

/// The claims of resolutions (contract §6), in `.intake/resolving/`, made like imports' claims
/// (`ClaimFolders`): the rename into place decides between daemons, and against `intake
/// resolve`; then `review/<id>/resolution.json` is renamed into it. Then the review folder itself
/// is renamed into it as `old/`, the import is run again from `old/source/` into `build/`, and
/// `build/` is published. After a crash the folder says how far it got:
///
/// - no resolution.json, no `old/`: cut before the file was moved in; move it in (`repair`);
/// - no `old/`, `review/<id>/` there: the folder was not taken yet; take it and go on;
/// - `old/` there, nothing published for the id: build again;
/// - `old/` there and the id published: only the bookkeeping is left.
public struct ResolutionClaims: Sendable {
    public let layout: RootLayout
    public let folders: ClaimFolders

    public init(layout: RootLayout) {
        self.layout = layout
        self.folders = ClaimFolders(layout: layout, directory: layout.resolving)
    }

    public func folder(_ id: String) -> String { folders.folder(id) }
    public func old(_ id: String) -> String { "\(folder(id))/old" }
    public func build(_ id: String) -> String { "\(folder(id))/build" }
    public func resolutionFile(_ id: String) -> String { "\(folder(id))/resolution.json" }
    public func dropped(_ id: String) -> String { "\(layout.review)/\(id)/\(ReviewWatches.fileName)" }

    /// Claims the resolution of import `id`: `review/<id>/resolution.json` is moved in, or, when
    /// `bytes` are given (`intake resolve`), they are written in. False when someone else is
    /// resolving this import, or the file went away.
    public func claim(_ id: String, owner: String, bytes: [UInt8]? = nil) throws -> Bool {
        guard InboxRules.isBareName(id) else { return false }
        let claim: JSONValue = ["id": .string(id), "owner": .string(owner), "claimed": .string(Timestamp.now()), "file": "resolution.json"]
        guard try folders.make(id, owner: owner, claim: claim, files: bytes.map { [("resolution.json", $0)] } ?? []) else { return false }
        if bytes == nil {
            let e = System.errno("rename", dropped(id)) { rename(dropped(id), resolutionFile(id)) }
            if e != 0 {
                remove(id, owner: owner)
                if e == ENOENT { return false }
                throw SystemError(call: "rename", path: dropped(id), errno: e)
            }
        }
        return true
    }

    /// Finishes a claim a crash cut between its making and the move of resolution.json into it:
    /// the file is moved in now. False when it is gone (the claim is removed: there is nothing
    /// to apply, and the review folder must not be taken without it).
    public func repair(_ id: String, owner: String) throws -> Bool {
        guard !Paths.exists(resolutionFile(id)), !Paths.exists(old(id)) else { return true }
        let e = System.errno("rename", dropped(id)) { rename(dropped(id), resolutionFile(id)) }
        if e == ENOENT {
            remove(id, owner: owner)
            return false
        }
        if e != 0 { throw SystemError(call: "rename", path: dropped(id), errno: e) }
        return true
    }

    /// Where the resolved import's webhooks go, kept with the claim before the import is run
    /// again (as `ImportClaims.keep`).
    public func keep(_ webhooks: WebhookTargets?, for id: String) throws {
        guard var claim = folders.read(id)?.objectValue else { return }
        let json = webhooks?.json ?? .null
        guard claim["webhooks"] ?? .null != json else { return }
        claim["webhooks"] = json
        try folders.write(id, .object(claim), tag: claim["owner"]?.stringValue ?? "resolve")
    }

    /// The webhooks kept with the claim.
    public func webhooks(_ id: String) -> WebhookTargets? {
        folders.read(id)?["webhooks"].flatMap(WebhookTargets.init(json:))
    }

    public func ids() -> [String] { folders.ids() }

    public func remove(_ id: String, owner: String) { folders.remove(id, owner: owner) }
}
