import Engine
import Glibc

/// Runs hook programs as child processes (contract §9): `schemas/<command>`, spawned with
/// `posix_spawn(3)` in a process group of its own (so a hung hook's children die with it), its
/// stdin and stdout as pipes for newline-delimited JSON, its stderr kept (the last 2 KiB) for the
/// failure message. One process per hook per import.
public struct ProcessHookRunner: HookRunner {
    /// The `schemas/` folder that hook paths are relative to.
    public let directory: String

    public init(directory: String) {
        self.directory = directory
        // A hook that exits early must make our write fail with EPIPE, not kill the daemon.
        signal(SIGPIPE, SIG_IGN)
    }

    public func start(_ command: String, timeoutSeconds: Double) throws -> any HookProcess {
        let path = "\(directory)/\(command)"
        var st = stat()
        guard stat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { throw HookError("is not a file: \(path) does not exist") }
        guard access(path, X_OK) == 0 else { throw HookError("is not executable: chmod +x \(path)") }
        return try SpawnedHook(path: path, timeout: timeoutSeconds)
    }
}

/// One hook child process and the three pipes to it.
final class SpawnedHook: HookProcess {
    private let pid: pid_t
    private var input: Int32
    private var output: Int32
    private var errors: Int32
    private let timeout: Double
    private var pending: [UInt8] = []
    private var tail: [UInt8] = []
    private var reaped = false
    private var status: Int32 = 0

    init(path: String, timeout: Double) throws {
        var inPipe: [Int32] = [-1, -1], outPipe: [Int32] = [-1, -1], errPipe: [Int32] = [-1, -1]
        guard SpawnedHook.pipeCloseOnExec(&inPipe) == 0 else {
            throw HookError("could not be started: pipe2: \(String(cString: strerror(errno)))")
        }
        guard SpawnedHook.pipeCloseOnExec(&outPipe) == 0 else {
            close(inPipe[0]); close(inPipe[1])
            throw HookError("could not be started: pipe2: \(String(cString: strerror(errno)))")
        }
        guard SpawnedHook.pipeCloseOnExec(&errPipe) == 0 else {
            for fd in inPipe + outPipe { close(fd) }
            throw HookError("could not be started: pipe2: \(String(cString: strerror(errno)))")
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        posix_spawn_file_actions_adddup2(&actions, inPipe[0], 0)
        posix_spawn_file_actions_adddup2(&actions, outPipe[1], 1)
        posix_spawn_file_actions_adddup2(&actions, errPipe[1], 2)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))
        posix_spawnattr_setpgroup(&attributes, 0)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        sigaddset(&defaults, SIGPIPE)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var mask = sigset_t()
        sigemptyset(&mask)
        posix_spawnattr_setsigmask(&attributes, &mask)
        let argv: [UnsafeMutablePointer<CChar>?] = [strdup(path), nil]
        var child = pid_t()
        // ETXTBSY: the program was just written and another process forked while its file was
        // open for writing (the descriptor lives until that child execs). It passes in moments.
        var rc = posix_spawn(&child, path, &actions, &attributes, argv, environ)
        var tries = 0
        while rc == ETXTBSY && tries < 50 {
            usleep(10_000)
            tries += 1
            rc = posix_spawn(&child, path, &actions, &attributes, argv, environ)
        }
        free(argv[0])
        posix_spawn_file_actions_destroy(&actions)
        posix_spawnattr_destroy(&attributes)
        close(inPipe[0]); close(outPipe[1]); close(errPipe[1])
        guard rc == 0 else {
            close(inPipe[1]); close(outPipe[0]); close(errPipe[0])
            throw HookError("could not be started: \(String(cString: strerror(rc)))")
        }
        pid = child
        input = inPipe[1]
        output = outPipe[0]
        errors = errPipe[0]
        self.timeout = timeout
        for fd in [input, output, errors] { _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) }
    }

    /// `pipe(2)` with both ends close-on-exec (`pipe2` is not in Swift's Glibc module).
    static func pipeCloseOnExec(_ fds: inout [Int32]) -> Int32 {
        guard pipe(&fds) == 0 else { return -1 }
        for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
        return 0
    }

    deinit { cancel() }

    var stderrTail: String {
        let text = String(decoding: tail, as: UTF8.self).trimmingCharacters(in: [" ", "\n", "\r", "\t"])
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).suffix(5)
        return lines.joined(separator: " / ")
    }

    private static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    private var seconds: String { timeout == timeout.rounded() ? "\(Int(timeout)) s" : "\(timeout) s" }

    /// Waits until one of the pipes is ready (or the deadline passes) and moves what stdout and
    /// stderr hold into `pending` and `tail`. Returns false at the deadline.
    private func pump(writing: Bool, deadline: Double) -> Bool {
        var fds: [pollfd] = []
        if output >= 0 { fds.append(pollfd(fd: output, events: Int16(POLLIN), revents: 0)) }
        if errors >= 0 { fds.append(pollfd(fd: errors, events: Int16(POLLIN), revents: 0)) }
        if writing && input >= 0 { fds.append(pollfd(fd: input, events: Int16(POLLOUT), revents: 0)) }
        let left = deadline - SpawnedHook.now()
        if left <= 0 { return false }
        if fds.isEmpty { return true }
        let n = poll(&fds, nfds_t(fds.count), Int32(min(left * 1000 + 1, 60_000)))
        if n == 0 { return SpawnedHook.now() < deadline }
        var buffer = [UInt8](repeating: 0, count: 65536)
        for p in fds where p.revents != 0 && p.fd != input {
            let got = buffer.withUnsafeMutableBytes { read(p.fd, $0.baseAddress, $0.count) }
            if got > 0 {
                if p.fd == output {
                    pending.append(contentsOf: buffer[0..<got])
                } else {
                    tail.append(contentsOf: buffer[0..<got])
                    if tail.count > 2048 { tail.removeFirst(tail.count - 2048) }
                }
            } else if got == 0 || (errno != EAGAIN && errno != EINTR) {
                if p.fd == output { close(output); output = -1 } else { close(errors); errors = -1 }
            }
        }
        return true
    }

    func exchange(_ line: [UInt8]) throws -> [UInt8] {
        let deadline = SpawnedHook.now() + timeout
        var bytes = line
        bytes.append(0x0A)
        var sent = 0
        while sent < bytes.count {
            guard input >= 0 else { throw HookError("closed its input early") }
            let n = bytes[sent...].withUnsafeBytes { write(input, $0.baseAddress, $0.count) }
            if n > 0 { sent += n; continue }
            if errno == EPIPE { throw exitedEarly("before reading its request") }
            if errno != EAGAIN && errno != EINTR { throw HookError("could not be written to: \(String(cString: strerror(errno)))") }
            guard pump(writing: true, deadline: deadline) else { throw timedOut("read its request") }
        }
        while true {
            if let newline = pending.firstIndex(of: 0x0A) {
                var answer = Array(pending[..<newline])
                pending.removeSubrange(...newline)
                if answer.last == 0x0D { answer.removeLast() }
                return answer
            }
            if output < 0 { throw exitedEarly("before answering") }
            guard pump(writing: false, deadline: deadline) else { throw timedOut("answer") }
        }
    }

    private func timedOut(_ what: String) -> HookError {
        cancel()
        return HookError("did not \(what) within hookTimeoutSeconds (\(seconds)) and was stopped")
    }

    private func exitedEarly(_ when: String) -> HookError {
        let deadline = SpawnedHook.now() + min(timeout, 5)
        while errors >= 0 && pump(writing: false, deadline: deadline) {}
        reap(deadline: deadline)
        return HookError("exited \(describeStatus()) \(when)")
    }

    private func describeStatus() -> String {
        guard reaped else { return "" }
        if status & 0x7F == 0 { return "with status \((status >> 8) & 0xFF)" }
        return "on signal \(status & 0x7F)"
    }

    private func reap(deadline: Double) {
        while !reaped {
            var s: Int32 = 0
            let r = waitpid(pid, &s, WNOHANG)
            if r == pid { reaped = true; status = s; return }
            if r == -1 && errno != EINTR { reaped = true; return }
            if SpawnedHook.now() >= deadline { return }
            usleep(2000)
        }
    }

    func finish() throws {
        if input >= 0 { close(input); input = -1 }
        let deadline = SpawnedHook.now() + timeout
        while output >= 0 || errors >= 0 {
            guard pump(writing: false, deadline: deadline) else { throw timedOut("exit after its last answer") }
        }
        reap(deadline: deadline)
        guard reaped else { throw timedOut("exit after its last answer") }
        if status != 0 { throw HookError("exited \(describeStatus())") }
        let extra = pending.filter { $0 != 0x0A && $0 != 0x0D && $0 != 0x20 }
        if !extra.isEmpty {
            throw HookError("printed more lines than it was asked for: \(String(decoding: pending.prefix(120), as: UTF8.self))")
        }
    }

    func cancel() {
        if !reaped {
            kill(-pid, SIGKILL)
            kill(pid, SIGKILL)
            var s: Int32 = 0
            while waitpid(pid, &s, 0) == -1 && errno == EINTR {}
            reaped = true
            status = s
        }
        for fd in [input, output, errors] where fd >= 0 { close(fd) }
        input = -1; output = -1; errors = -1
    }
}
