import Dispatch
import Engine
import Foundation
import Glibc

/// Copies files into a result folder's `source/` on a thread of its own.
final class SourceCopy: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    // Written by the thread before `done` is signalled, read after the wait.
    private var failure: (any Error)?
    private var finished = false

    init(_ files: [SourceFile], into folder: ResultFolder) {
        guard !files.isEmpty else { finished = true; return }
        let path = folder.path
        let thread = Thread { [self] in
            // Lowest priority: the copy takes the cores only when the import leaves them idle
            // (on Linux the nice value is per thread; 0 is the calling one).
            setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            for file in files {
                do { try ResultFolder.copySource(from: file.path, into: path, name: file.name) } catch is FileSource.Refused {
                    // A refused file is never read, not even to copy it.
                } catch {
                    failure = error
                    break
                }
            }
            done.signal()
        }
        thread.start()
    }

    /// Waits for the copy; throws what made it fail.
    func finish() throws {
        if !finished {
            done.wait()
            finished = true
        }
        if let failure { throw failure }
    }
}
