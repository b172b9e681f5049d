import Engine
import Foundation
import Watcher

let statusHelp = """
    intake status [ID] [--root DIR] [--json]

    Shows imports from ROOT/.intake/records/: with ID, that import's record (import.json);
    without, a count by status, the latest imports, and the sidecars in inbox/ still waiting
    for their data file (AWAITING_UPLOAD). Exit: 0, 1 when ID is unknown, 2 bad arguments.
      --root DIR   the Intake root (default: the current directory)
      --json       print JSON: the record, or {"counts", "imports", "awaiting_upload"}
    """

func runStatus(_ args: ArraySlice<String>) throws -> Int32 {
    let a = try Arguments(args, valued: ["root"], flags: ["json"])
    if a.flags.contains("help") { print(statusHelp); return Exit.ok }
    guard a.positional.count <= 1 else { throw UsageError(message: "status takes at most one ID") }
    let layout = RootLayout(root: a.values["root"] ?? ".")
    let store = RecordStore(layout: layout)
    let json = a.flags.contains("json")
    if let id = a.positional.first {
        guard let record = store.read(id) else {
            printError("intake: no import with id \(id) under \(layout.root)")
            return Exit.problem
        }
        if json {
            FileHandleOut.stdout(JSONWriter.document(record.json))
        } else {
            FileHandleOut.stdout(describe(record, layout: layout))
        }
        return Exit.ok
    }
    let records = store.all()
    var counts = JSONObject()
    for status in ["AWAITING_UPLOAD", "PENDING", "RUNNING", "SUCCESSFUL", "NEEDS_REVIEW", "FAILED"] { counts[status] = .number(0) }
    for r in records { counts[r.status.rawValue] = .number((counts[r.status.rawValue]?.intValue ?? 0) + 1) }
    let waiting = awaitingUploads(layout)
    counts["AWAITING_UPLOAD"] = .number(waiting.count)
    if json {
        let doc: JSONValue = [
            "counts": .object(counts),
            "imports": .array(records.map(\.json)),
            "awaiting_upload": .array(waiting.map { ["sidecar": .string($0.sidecar), "original_filename": .string($0.file)] }),
        ]
        FileHandleOut.stdout(JSONWriter.document(doc))
        return Exit.ok
    }
    var out = counts.entries.map { "\($0.key)=\($0.value.intValue ?? 0)" }.joined(separator: " ") + "\n"
    let shown = records.suffix(20)
    if !shown.isEmpty {
        out += "\nlatest imports (\(shown.count) of \(records.count)):\n"
        for r in shown {
            let rows = r.resultMetadata["num_rows"]?.intValue.map { "\($0) rows" } ?? ""
            let code = r.importErrors?.first?.code ?? ""
            out +=
                "  \(r.id)  \(r.status.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0))  \(r.createdDate)  \(r.originalFilename)  \([rows, code].filter { !$0.isEmpty }.joined(separator: " "))\n"
        }
    }
    if !waiting.isEmpty {
        out += "\nawaiting upload:\n"
        for w in waiting { out += "  inbox/\(w.sidecar) waits for \(w.file)\n" }
    }
    FileHandleOut.stdout(out)
    return Exit.ok
}

private func describe(_ r: ImportRecord, layout: RootLayout) -> String {
    var out = "id:       \(r.id)\nstatus:   \(r.status.rawValue)\nfile:     \(r.originalFilename)\n"
    out += "schema:   \(r.schemaID ?? "(inline)")\ncreated:  \(r.createdDate)\nmodified: \(r.modifiedDate)\n"
    if let rows = r.resultMetadata["num_rows"]?.intValue {
        out +=
            "rows:     \(rows) (valid \(r.resultMetadata["num_valid_rows"]?.intValue ?? 0), invalid \(r.resultMetadata["num_invalid_rows"]?.intValue ?? 0), removed \(r.resultMetadata["num_removed_rows"]?.intValue ?? 0))\n"
    }
    if let left = r.resultMetadata["num_left_out_rows"]?.intValue {
        // Every record of the file is a row or left out, with its reason (contract §5).
        out += "left out: \(left) records that are not rows (header, titles, blank lines, notes, another table): leftOut in metadata.json\n"
    }
    if [.successful, .needsReview, .failed].contains(r.status) { out += "folder:   \(layout.result(r.id, r.status))\n" }
    if let url = r.reviewURL { out += "review:   \(url)\n" }
    for e in r.importErrors ?? [] { out += "error:    \(e.code): \(e.message)\n" }
    return out
}

/// Sidecars in inbox/ whose data file is not there (yet): the AWAITING_UPLOAD imports. They
/// have no id until they are claimed.
private func awaitingUploads(_ layout: RootLayout) -> [(sidecar: String, file: String)] {
    InboxScanner(inbox: layout.inbox).files(in: nil).compactMap { path, sig in
        guard path.isSidecar, sig.isImportable, let bytes = try? Paths.readFile(layout.inboxPath(path), limit: 1 << 20),
            case .success(let s) = Sidecar.parse(bytes, name: path.name), let file = s.dataFile
        else { return nil }
        let data = FileSignature.of(layout.inboxPath(InboxPath(file)))
        return data == nil || data!.age < 0.2 ? (path.name, file) : nil
    }
}
