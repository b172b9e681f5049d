import Foundation

#if DEBUG
FileHandle.standardError.write(Data("WARNING: IntakeBench built in debug; figures are meaningless. Use swift build -c release.\n".utf8))
#endif

let filter = CommandLine.arguments.dropFirst().first ?? ""
if filter.isEmpty || "daemon".contains(filter) {
    do { try DaemonBench.run() } catch {
        FileHandle.standardError.write(Data("daemon benchmark failed: \(error)\n".utf8))
        exit(1)
    }
}
