import Glibc

/// Where a dropped file sits: `inbox/NAME`, or `inbox/FOLDER/NAME` in a schema folder (§2b).
public struct InboxPath: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The schema folder, or nil for the inbox itself.
    public let folder: String?
    public let name: String
    /// A sidecar (§2a) is a `*.import.json` in the inbox itself; in a schema folder every file
    /// is data. Worked out once: the pairing machine asks on every tick.
    public let isSidecar: Bool
    /// A done file (`NAME.done`, `NAME.ready`): it says that NAME is complete, and is not data.
    public let isMarker: Bool

    public init(_ name: String, folder: String? = nil) {
        self.folder = folder
        self.name = name
        self.isSidecar = folder == nil && InboxRules.isSidecarName(name)
        self.isMarker = !isSidecar && InboxRules.markedName(name) != nil
    }

    /// The file this done file marks complete.
    public var marked: InboxPath? { InboxRules.markedName(name).map { InboxPath($0, folder: folder) } }

    /// The done files that would mark this file complete.
    public var markers: [InboxPath] { InboxRules.markerSuffixes.map { InboxPath(name + $0, folder: folder) } }

    /// The path relative to `inbox/`.
    public var relative: String { folder.map { "\($0)/\(name)" } ?? name }
    public var description: String { relative }

    /// The inbox's own files first, then by folder and name (no strings built).
    public static func < (a: InboxPath, b: InboxPath) -> Bool {
        switch (a.folder, b.folder) {
        case (nil, nil): return a.name < b.name
        case (nil, _): return true
        case (_, nil): return false
        case (let x?, let y?): return x != y ? x < y : a.name < b.name
        }
    }

    /// Parses `NAME` or `FOLDER/NAME` as stored in a claim.
    public init?(relative: String) {
        let parts = relative.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.allSatisfy(InboxRules.isBareName) else { return nil }
        switch parts.count {
        case 1: self.init(parts[0])
        case 2: self.init(parts[1], folder: parts[0])
        default: return nil
        }
    }
}
