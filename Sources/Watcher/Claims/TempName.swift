/// The name of something being made or removed under `.intake/`: `.<id>.<owner>.tmp`, beside
/// where it will be (a claim folder being made, a file written atomically, a claim being
/// removed). The owner in the name says whose it is, so a sweep removes only a dead owner's.
public struct TempName: Sendable, Equatable {
    public var id: String
    public var owner: String

    public init(id: String, owner: String) {
        self.id = id
        self.owner = owner
    }

    /// Parses a directory entry; nil when it is not a temporary name.
    public init?(parsing name: String) {
        guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
        let inner = name.dropFirst().dropLast(4)
        guard let dot = inner.lastIndex(of: "."), dot != inner.startIndex else { return nil }
        id = String(inner[..<dot])
        owner = String(inner[inner.index(after: dot)...])
        guard !owner.isEmpty else { return nil }
    }

    public var name: String { ".\(id).\(owner).tmp" }

    /// The temporary for `path` (a file or folder) written by `owner`.
    public static func beside(_ path: String, owner: String) -> String {
        let name = path.split(separator: "/").last.map(String.init) ?? path
        return "\(Paths.parent(path))/\(TempName(id: name, owner: owner).name)"
    }
}
