import Engine
import Foundation
import Glibc
import Watcher

let resolveHelp = """
    intake resolve ID --resolution FILE [--root DIR]

    Applies a person's decisions (FILE, the resolution.json that review.html saves) to the
    import ID waiting in ROOT/review/ID/: imports the file again from its source/ with them and
    moves the folder to outbox/, back to review/ (with a new report that names any entry it
    could not apply) or to failed/, as the daemon does when resolution.json is put in the
    folder. Prints the new import.json.
    Exit: 0 SUCCESSFUL, 3 NEEDS_REVIEW, 4 FAILED, 1 no such import in review/ (or it is being
    resolved already), 2 bad arguments.
      --root DIR   the Intake root (default: the current directory)
    """

func runResolve(_ args: ArraySlice<String>) throws -> Int32 {
    let a = try Arguments(args, valued: ["resolution", "root"], flags: [])
    if a.flags.contains("help") { print(resolveHelp); return Exit.ok }
    guard a.positional.count == 1 else { throw UsageError(message: "resolve takes one import ID") }
    guard let file = a.values["resolution"] else { throw UsageError(message: "resolve needs --resolution FILE") }
    let id = a.positional[0]
    let root = a.values["root"] ?? "."
    guard Paths.isDirectory(root) else { throw UsageError(message: "--root \(root) is not a folder") }
    guard InboxRules.isBareName(id) else { throw UsageError(message: "'\(id)' is not an import id") }
    let bytes: [UInt8]
    do { bytes = try Paths.readFile(file) } catch { throw UsageError(message: "cannot read \(file): \(error)") }
    let layout = RootLayout(root: root)
    guard Paths.isDirectory(layout.result(id, .needsReview)) else {
        if let folder = layout.published(id) {
            printError("intake: import \(id) is not waiting for review: it is in \(folder)")
        } else {
            printError("intake: no import \(id) in \(layout.review)/")
        }
        return Exit.problem
    }
    try layout.create()
    let owner = try OwnerLock(layout: layout)
    let log = EventLog(fd: 2, minimum: .warn)
    let webhooks = WebhookQueue(layout: layout, policy: WebhookPolicy.fromEnvironment(), log: log)
    guard let record = try Resolver.resolve(id, bytes: bytes, layout: layout, owner: owner, log: log, webhooks: webhooks) else {
        printError("intake: import \(id) is being resolved already (by a running intake watch?)")
        return Exit.problem
    }
    webhooks.deliverDue(tag: owner.id)
    FileHandleOut.stdout(JSONWriter.document(record.json))
    switch record.status {
    case .successful: return Exit.ok
    case .needsReview: return Exit.needsReview
    default: return Exit.failed
    }
}
