/// Starts hook programs (contract §9). The Engine speaks the protocol (newline-delimited JSON,
/// one answer per request, in order); how a program is found and run is the caller's: the
/// daemon and the command line pass a runner that spawns processes under `schemas/`.
public protocol HookRunner: Sendable {
    /// Starts the program `command` (a path relative to `schemas/`, checked by the schema
    /// loader). Every `exchange` and the final `finish` must complete within `timeoutSeconds`.
    func start(_ command: String, timeoutSeconds: Double) throws -> any HookProcess
}

/// One running hook program.
public protocol HookProcess: AnyObject {
    /// Sends `line` (without its newline) and returns the next line the program prints.
    func exchange(_ line: [UInt8]) throws -> [UInt8]
    /// Closes the program's input and waits for it to exit; an exit status other than 0, or
    /// output after its last answer, is an error.
    func finish() throws
    /// Ends the program at once (it failed, or the import stopped).
    func cancel()
    /// The last lines the program wrote to its standard error, for the failure message.
    var stderrTail: String { get }
}

/// What went wrong with a hook program: it could not start, exited, timed out, or answered
/// out of turn. The Engine adds which hook and the stderr tail.
public struct HookError: Error, Sendable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}
