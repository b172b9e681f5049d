import Engine
import Glibc

/// A claimed import: `.intake/work/<id>/claim.json` says what was taken out of the inbox and by
/// whom, so the claim can be finished, given back or redone by whoever finds it after a crash.
public struct Claim: Sendable, Equatable {
    public struct Taken: Sendable, Equatable {
        /// The name inside the claim folder: `sidecar`, `data` or `marker` (a done file).
        public var slot: String
        public var from: InboxPath
    }

    public var id: String
    /// The daemon that owns the claim (its lock in `.intake/owners/`).
    public var owner: String
    public var createdDate: String
    public var taken: [Taken]
    public var schemaFolder: String?
    public var failure: ImportFailure?
    public var originalFilename: String
    /// Where the import's webhooks go, decided with the schema it is run with (nil: none).
    public var webhooks: WebhookTargets?

    public init(id: String, owner: String, createdDate: String, plan: ClaimPlan) {
        self.id = id
        self.owner = owner
        self.createdDate = createdDate
        self.taken = plan.take.map { Taken(slot: $0.isSidecar ? "sidecar" : $0.isMarker ? "marker" : "data", from: $0) }
        self.schemaFolder = plan.schemaFolder
        self.failure = plan.failure
        self.originalFilename = plan.originalFilename
    }

    public var json: JSONValue {
        [
            "id": .string(id), "owner": .string(owner), "created_date": .string(createdDate),
            "taken": .array(taken.map { ["slot": .string($0.slot), "from": .string($0.from.relative)] }),
            "schema_folder": .string(schemaFolder), "failure": failure?.json ?? .null,
            "original_filename": .string(originalFilename), "webhooks": webhooks?.json ?? .null,
        ]
    }

    public init?(json: JSONValue) {
        guard let id = json["id"]?.stringValue, let owner = json["owner"]?.stringValue, let taken = json["taken"]?.arrayValue,
            let name = json["original_filename"]?.stringValue
        else { return nil }
        self.id = id
        self.owner = owner
        self.createdDate = json["created_date"]?.stringValue ?? Timestamp.now()
        var list: [Taken] = []
        for t in taken {
            guard let slot = t["slot"]?.stringValue, ["sidecar", "data", "marker"].contains(slot),
                let from = t["from"]?.stringValue.flatMap(InboxPath.init(relative:))
            else { return nil }
            list.append(Taken(slot: slot, from: from))
        }
        guard !list.isEmpty else { return nil }
        self.taken = list
        self.schemaFolder = json["schema_folder"]?.stringValue
        self.failure = json["failure"].flatMap { f in f["code"]?.stringValue.map { ImportFailure($0, f["message"]?.stringValue ?? "") } }
        self.originalFilename = name
        self.webhooks = json["webhooks"].flatMap(WebhookTargets.init(json:))
    }

    public var sidecar: Taken? { taken.first { $0.slot == "sidecar" } }
    public var data: Taken? { taken.first { $0.slot == "data" } }
}
