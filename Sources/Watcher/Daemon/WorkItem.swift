import Dispatch
import Foundation
import Synchronization

/// Work for a worker: claim a plan and import it, or carry on with a claim already made
/// (adopted after a crash, or put back after a problem of the machine).
public enum WorkItem: Sendable, Equatable {
    case claim(ClaimPlan)
    case resume(String)
    /// Do a claim again that changed while it was read (§2c): once its file has held still.
    case redo(String)
    /// Claim `review/<id>/resolution.json` and apply it.
    case resolve(String)
    /// Carry on with a resolution already claimed (adopted, or put back after a problem of the machine).
    case resumeResolution(String)
}

/// What came of a work item, for the event loop.
public struct WorkResult: Sendable {
    public enum Outcome: Sendable, Equatable {
        case imported(id: String, status: ImportStatusName)
        /// Another daemon was faster, or the file went away: nothing to do.
        case lost
        /// The claim could not be made (a problem of the machine): the files are still in the inbox.
        case notClaimed
        /// The claim is made but the import must be retried later (full disk, I/O error).
        case retry(id: String)
        /// The claimed file changed while it was read, or is still open for writing: nothing was
        /// published; the import is done again once the file holds still (§2c).
        case changed(id: String)
    }

    public var item: WorkItem
    public var outcome: Outcome
}

public typealias ImportStatusName = String
