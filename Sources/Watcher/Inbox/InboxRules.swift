import Glibc

/// The inbox's naming rules (§2a, §2c).
public enum InboxRules {
    /// Names that uploads in progress have (contract §2c): browsers (`.crdownload`, `.part`,
    /// `.download`), WinSCP (`.filepart`), MFT tools (`.tmp`, `.partial`), editors (`.swp`, `~`).
    /// Hidden names cover the servers' and rsync's own temporary names (proftpd HiddenStores
    /// `.in.NAME.`, pure-ftpd `.pureftpd-upload.*`, rsync `.NAME.XXXXXX`, lftp `.in.*`).
    static let partialSuffixes = [".tmp", ".part", ".partial", ".filepart", ".crdownload", ".download", ".swp", "~"]
    /// Lock files an office program leaves beside a workbook it has open (`~$Book.xlsx`).
    static let partialPrefixes = [".", "~$"]
    /// Done files (contract §2c): written by a sender after the data, they mark it complete.
    public static let markerSuffixes = [".done", ".ready", ".DONE", ".READY"]

    /// Uploads in progress by common clients, and hidden files: never looked at.
    public static func isIgnored(_ name: String) -> Bool {
        if name.isEmpty || partialPrefixes.contains(where: { name.hasPrefix($0) }) { return true }
        let lower = name.lowercased()
        return partialSuffixes.contains { lower.hasSuffix($0) }
    }

    /// For a done file `NAME.done` or `NAME.ready` (or in capitals), NAME; nil for anything else.
    public static func markedName(_ name: String) -> String? {
        for suffix in markerSuffixes where name.hasSuffix(suffix) && name.utf8.count > suffix.utf8.count {
            return String(name.utf8.dropLast(suffix.utf8.count))!
        }
        return nil
    }

    public static func isSidecarName(_ name: String) -> Bool {
        name.lowercased().hasSuffix(".import.json") && name.count > ".import.json".count
    }

    /// A name that stays inside its folder: no `/`, not `.` or `..`, no leading dot, no NUL.
    public static func isBareName(_ name: String) -> Bool {
        !name.isEmpty && !name.contains("/") && !name.hasPrefix(".") && !name.contains("\0")
    }
}
