import Foundation
import Glibc
import Testing
import Watcher

/// Real servers and real clients on 127.0.0.1 for RealSenderTests: OpenSSH's `sshd` (SFTP by
/// `internal-sftp`) and `vsftpd`, each on a free port with its configuration, keys and logs in a
/// temporary folder, and the stock clients (`sftp`, `scp`, `curl`, `lftp`) as child processes.
/// Every process is killed with its descendants when its owner goes away, even after a failed
/// `#require`.
enum Loopback {
    /// A program a test runs and the Debian package it comes in.
    struct Program: CustomStringConvertible {
        let name: String
        let package: String
        var path: String? {
            for dir in ["/usr/sbin", "/usr/bin", "/sbin", "/bin"]
                + (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map(String.init)
            where access("\(dir)/\(name)", X_OK) == 0 { return "\(dir)/\(name)" }
            return nil
        }
        var description: String { "\(name) (Debian package \(package))" }
    }

    static let sshd = Program(name: "sshd", package: "openssh-server")
    static let sftp = Program(name: "sftp", package: "openssh-client")
    static let scp = Program(name: "scp", package: "openssh-client")
    static let sshKeygen = Program(name: "ssh-keygen", package: "openssh-client")
    static let vsftpd = Program(name: "vsftpd", package: "vsftpd")
    static let curl = Program(name: "curl", package: "curl")
    static let lftp = Program(name: "lftp", package: "lftp")

    /// `INTAKE_REQUIRE_SERVERS=1` (CI sets it): a missing program fails the test instead of skipping it.
    static let required = ProcessInfo.processInfo.environment["INTAKE_REQUIRE_SERVERS"] == "1"

    struct Failure: Error, CustomStringConvertible { var description: String }

    /// Skips the running test (naming the packages to install) when a program is missing or the
    /// test is not root, or fails it when INTAKE_REQUIRE_SERVERS=1.
    static func need(_ programs: [Program], root: Bool = false) throws {
        var missing = programs.filter { $0.path == nil }.map(\.description)
        if root && getuid() != 0 { missing.append("root (sshd logs in as the user running it; the test logs in as root)") }
        guard !missing.isEmpty else { return }
        let reason =
            "missing: \(missing.joined(separator: ", ")); `apt-get install -y \(Set(programs.filter { $0.path == nil }.map(\.package)).sorted().joined(separator: " "))` (.ci/run does it)"
        if required { throw Failure(description: "INTAKE_REQUIRE_SERVERS=1 but \(reason)") }
        try Test.cancel(Comment(rawValue: reason))
    }

    /// A port that was free a moment ago (bind to port 0, read it, close).
    static func freePort() -> UInt16 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        precondition(fd >= 0, "socket: \(errno)")
        defer { close(fd) }
        var addr = loopback(0)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, len) == 0 && getsockname(fd, $0, &len) == 0 }
        }
        precondition(ok, "bind/getsockname: \(errno)")
        return UInt16(bigEndian: addr.sin_port)
    }

    static func loopback(_ port: UInt16) -> sockaddr_in {
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        return addr
    }

    /// The first bytes a server on `port` says after a connect (`SSH-2.0-…`, `220 …`), or nil.
    static func greeting(_ port: UInt16, timeout: Int32 = 1000) -> String? {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var addr = loopback(port)
        let connected = withUnsafePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) == 0 }
        }
        guard connected else { return nil }
        var fds = [pollfd(fd: fd, events: Int16(POLLIN), revents: 0)]
        guard poll(&fds, 1, timeout) > 0 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 256)
        let n = buffer.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
        return n > 0 ? String(decoding: buffer[..<n], as: UTF8.self) : nil
    }

    /// A fresh folder under /tmp, mode 0700.
    static func temporaryFolder(_ prefix: String) -> String {
        var template = Array("/tmp/\(prefix)-XXXXXX".utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp: \(errno)")
        return String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    static func write(_ path: String, _ text: String, mode: mode_t = 0o644) throws {
        guard FileManager.default.createFile(atPath: path, contents: Data(text.utf8), attributes: [.posixPermissions: Int(mode)]) else {
            throw Failure(description: "cannot write \(path)")
        }
    }

    static func text(_ path: String) -> String { (try? Paths.readFile(path)).map { String(decoding: $0, as: UTF8.self) } ?? "" }

    /// Starts a server on a free port, trying again on another port when the first was taken
    /// in the meantime (`start` returns the child; ready when `greeting` starts with `banner`).
    static func listen(_ what: String, banner: String, log: String, _ start: (UInt16) throws -> Child) throws -> (UInt16, Child) {
        var tried: [String] = []
        for _ in 0..<5 {
            let port = freePort()
            let child = try start(port)
            let end = Date().addingTimeInterval(15)
            while Date() < end && child.running {
                if greeting(port)?.hasPrefix(banner) == true { return (port, child) }
                usleep(20_000)
            }
            child.kill()
            tried.append("port \(port): \(text(log).suffix(600))")
        }
        throw Failure(description: "\(what) did not start: \(tried.joined(separator: "\n"))")
    }
}

/// A child process started with posix_spawn in its own process group, stdout and stderr into a
/// log file, stdin from /dev/null or from a socket the test writes (`feed`). `kill()` ends it
/// and every descendant (sshd's and vsftpd's per-connection processes leave the group).
final class Child {
    let pid: pid_t
    let argv: [String]
    let log: String
    private var input: Int32 = -1
    private(set) var status: Int32?
    private(set) var ended: Date?

    init(_ argv: [String], log: String, input: Bool = false) throws {
        self.argv = argv
        self.log = log
        var ends: [Int32] = [-1, -1]
        if input {
            guard socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0, &ends) == 0 else {
                throw Loopback.Failure(description: "socketpair: \(errno)")
            }
        }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        if input {
            posix_spawn_file_actions_adddup2(&actions, ends[1], 0)
        } else {
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        }
        posix_spawn_file_actions_addopen(&actions, 1, log, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        // Own process group; no signal blocked or ignored because the test runner's thread was.
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for sig in [SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM] { sigaddset(&defaults, sig) }
        posix_spawnattr_setsigmask(&attr, &none)
        posix_spawnattr_setsigdefault(&attr, &defaults)
        posix_spawnattr_setpgroup(&attr, 0)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))
        var cargs: [UnsafeMutablePointer<CChar>?] = argv.map { strdup($0) } + [nil]
        defer { for p in cargs { free(p) } }
        var child: pid_t = 0
        let rc = posix_spawn(&child, argv[0], &actions, &attr, &cargs, environ)
        if input { close(ends[1]) }
        guard rc == 0 else {
            if input { close(ends[0]) }
            throw Loopback.Failure(description: "posix_spawn \(argv[0]): \(String(cString: strerror(rc)))")
        }
        pid = child
        self.input = ends[0]
    }

    /// Runs a command to its end (bounded) and throws unless it exits 0.
    static func run(_ argv: [String], log: String) throws {
        let child = try Child(argv, log: log)
        guard child.wait(30), child.succeeded else {
            child.kill()
            throw Loopback.Failure(description: "\(argv.joined(separator: " ")) failed: \(Loopback.text(log).suffix(600))")
        }
    }

    deinit { kill() }

    /// Writes bytes to the child's stdin (a socket: a dead reader is an error, not SIGPIPE).
    func feed(_ bytes: some Collection<UInt8>) throws {
        let bytes = Array(bytes)
        var offset = 0
        while offset < bytes.count {
            let n = bytes.withUnsafeBytes { send(input, $0.baseAddress! + offset, bytes.count - offset, Int32(MSG_NOSIGNAL)) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { throw Loopback.Failure(description: "\(argv[0]) stopped reading its input: errno \(errno)") }
            offset += n
        }
    }

    /// Closes the child's stdin: end of file for it.
    func closeInput() {
        if input >= 0 { close(input); input = -1 }
    }

    /// Whether the child still runs (reaps it when it has ended).
    var running: Bool {
        guard status == nil else { return false }
        var raw: Int32 = 0
        let r = waitpid(pid, &raw, WNOHANG)
        if r == pid || (r < 0 && errno == ECHILD) {
            status = r == pid ? raw : -1
            ended = Date()
            return false
        }
        return true
    }

    /// Waits up to `seconds` for the child to end; true when it has.
    @discardableResult
    func wait(_ seconds: Double) -> Bool {
        let end = Date().addingTimeInterval(seconds)
        while running && Date() < end { usleep(10_000) }
        return !running
    }

    var succeeded: Bool { status.map { $0 & 0x7f == 0 && ($0 >> 8) & 0xff == 0 } ?? false }

    /// How it ended, for messages: "exit 0", "signal 9", "running".
    var outcome: String {
        guard let status else { return "running" }
        return status & 0x7f == 0 ? "exit \((status >> 8) & 0xff)" : "signal \(status & 0x7f)"
    }

    var output: String { Loopback.text(log) }

    /// SIGKILL to the child and all its descendants; reaps the child.
    func kill() {
        closeInput()
        guard running else { return }
        Glibc.kill(pid, SIGSTOP)  // no new children while the tree is read
        for _ in 0..<3 {
            let tree = Child.descendants(of: pid)
            if tree.isEmpty { break }
            for p in tree { Glibc.kill(p, SIGKILL) }
        }
        Glibc.kill(-pid, SIGKILL)
        Glibc.kill(pid, SIGKILL)
        var raw: Int32 = 0
        while waitpid(pid, &raw, 0) < 0 && errno == EINTR {}
        status = raw
        ended = Date()
    }

    /// Every process below `root`, from /proc/<pid>/stat's parent field.
    static func descendants(of root: pid_t) -> [pid_t] {
        var children: [pid_t: [pid_t]] = [:]
        for name in Paths.list("/proc") {
            guard let p = pid_t(name), let stat = try? Paths.readFile("/proc/\(name)/stat", limit: 1 << 20) else { continue }
            // "pid (comm) state ppid …": comm may hold spaces and parentheses; the last ')' ends it.
            guard let close = stat.lastIndex(of: UInt8(ascii: ")")) else { continue }
            let fields = String(decoding: stat[(close + 1)...], as: UTF8.self).split(separator: " ")
            if fields.count > 1, let parent = pid_t(fields[1]) { children[parent, default: []].append(p) }
        }
        var out: [pid_t] = []
        var queue = children[root] ?? []
        while let p = queue.popLast() {
            out.append(p)
            queue += children[p] ?? []
        }
        return out
    }
}

/// OpenSSH's sshd on 127.0.0.1 with SFTP by `internal-sftp`, the setup of issue 14: root logs in
/// with a key made for the test; uploads name absolute paths.
final class SSHServer {
    let dir: String
    let port: UInt16
    private let server: Child
    var key: String { "\(dir)/client_key" }

    init() throws {
        dir = Loopback.temporaryFolder("intake-sshd")
        for name in ["host_key", "client_key"] {
            try Child.run(
                [Loopback.sshKeygen.path!, "-q", "-t", "ed25519", "-N", "", "-C", "intake-test", "-f", "\(dir)/\(name)"],
                log: "\(dir)/keygen.log")
        }
        try Loopback.write("\(dir)/authorized_keys", Loopback.text("\(dir)/client_key.pub"), mode: 0o600)
        // sshd refuses to start without its privilege separation folder; /run is a tmpfs that a
        // container's restart empties, and only the service's start script makes it again.
        if !Paths.exists("/run/sshd") { mkdir("/run/sshd", 0o755) }
        let dir = dir
        (port, server) = try Loopback.listen("sshd", banner: "SSH-2.0-", log: "\(dir)/sshd.log") { port in
            try Loopback.write(
                "\(dir)/sshd_config",
                """
                Port \(port)
                ListenAddress 127.0.0.1
                HostKey \(dir)/host_key
                PidFile none
                AuthorizedKeysFile \(dir)/authorized_keys
                StrictModes no
                PermitRootLogin yes
                PubkeyAuthentication yes
                PasswordAuthentication no
                KbdInteractiveAuthentication no
                UsePAM no
                UseDNS no
                LogLevel VERBOSE
                Subsystem sftp internal-sftp

                """)
            return try Child([Loopback.sshd.path!, "-D", "-e", "-f", "\(dir)/sshd_config"], log: "\(dir)/sshd.log")
        }
    }

    deinit {
        server.kill()
        Paths.removeTree(dir)
    }

    var log: String { Loopback.text("\(dir)/sshd.log") }

    /// Options every OpenSSH client gets: no user config, no known_hosts, no prompts.
    private var clientOptions: [String] {
        [
            "-F", "/dev/null", "-i", key, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=no",
            "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
        ]
    }

    /// The stock `sftp` putting `local` at the absolute path `remote`, at most `kbits` Kbit/s (`-l`).
    func sftpPut(_ local: String, to remote: String, kbits: Int, log: String) throws -> Child {
        let batch = "\(dir)/batch-\(UUID().uuidString)"
        try Loopback.write(batch, "put \(local) \(remote)\n")
        return try Child(
            [Loopback.sftp.path!, "-b", batch, "-l", String(kbits), "-P", String(port)] + clientOptions + ["root@127.0.0.1"], log: log)
    }

    /// The stock `scp` (SFTP protocol, OpenSSH 9) copying `local` to `remote` at most `kbits` Kbit/s.
    func scp(_ local: String, to remote: String, kbits: Int, log: String) throws -> Child {
        try Child(
            [Loopback.scp.path!, "-l", String(kbits), "-P", String(port)] + clientOptions + [local, "root@127.0.0.1:\(remote)"], log: log)
    }

    /// `curl -T -` (libssh2) uploading what the test feeds to its stdin to the absolute path `remote`.
    func curlUpload(to remote: String, log: String) throws -> Child {
        try Child(
            [
                Loopback.curl.path!, "-sS", "-T", "-", "--insecure", "--key", key, "--pubkey", "\(key).pub",
                "sftp://root@127.0.0.1:\(port)\(remote)",
            ], log: log, input: true)
    }
}

/// vsftpd on 127.0.0.1, standalone (`listen=YES`, `background=NO`), anonymous uploads into
/// `root` (the inbox): an upload to `customers/x.csv` lands in `root/customers/x.csv`.
final class FTPServer {
    let dir: String
    let port: UInt16
    private let server: Child

    /// `root` and every folder above it must be searchable by the `ftp` user, and each upload
    /// folder in it writable (the test's inbox/customers gets mode 0777).
    init(root: String) throws {
        dir = Loopback.temporaryFolder("intake-vsftpd")
        // The empty folder vsftpd chroots its unprivileged process into; the default
        // (/var/run/vsftpd/empty) exists only once the package's start script has run.
        try Paths.makeDirectories("\(dir)/empty")
        chmod("\(dir)/empty", 0o555)
        let dir = dir
        (port, server) = try Loopback.listen("vsftpd", banner: "220", log: "\(dir)/vsftpd.log") { port in
            // vsftpd checks the file is owned by the user running it; write it fresh each try.
            try Loopback.write(
                "\(dir)/vsftpd.conf",
                """
                listen=YES
                listen_ipv6=NO
                listen_address=127.0.0.1
                listen_port=\(port)
                background=NO
                anonymous_enable=YES
                no_anon_password=YES
                local_enable=NO
                write_enable=YES
                anon_upload_enable=YES
                anon_mkdir_write_enable=NO
                anon_umask=022
                anon_root=\(root)
                allow_writeable_chroot=YES
                secure_chroot_dir=\(dir)/empty
                pasv_enable=YES
                pasv_address=127.0.0.1
                seccomp_sandbox=NO
                isolate=NO
                isolate_network=NO
                xferlog_enable=YES
                xferlog_std_format=NO
                log_ftp_protocol=YES
                vsftpd_log_file=\(dir)/vsftpd.log
                dual_log_enable=NO
                syslog_enable=NO

                """)
            return try Child([Loopback.vsftpd.path!, "\(dir)/vsftpd.conf"], log: "\(dir)/vsftpd.log")
        }
    }

    deinit {
        server.kill()
        Paths.removeTree(dir)
    }

    var log: String { Loopback.text("\(dir)/vsftpd.log") }

    var url: String { "ftp://127.0.0.1:\(port)" }

    /// `curl -T` uploading `local` (or, with nil, what the test feeds to stdin) to `remote`
    /// (relative to the FTP root), at most `rate` bytes/s when given (`--limit-rate`).
    func curlUpload(_ local: String?, to remote: String, rate: Int? = nil, log: String) throws -> Child {
        try Child(
            [Loopback.curl.path!, "-sS", "-T", local ?? "-"] + (rate.map { ["--limit-rate", String($0)] } ?? [])
                + ["\(url)/\(remote)"], log: log, input: local == nil)
    }

    /// `lftp` putting `local` at `remote`, at most `rate` bytes/s (`net:limit-rate`).
    func lftpPut(_ local: String, to remote: String, rate: Int, log: String) throws -> Child {
        try Child(
            [
                Loopback.lftp.path!, "-c",
                "set cmd:fail-exit yes; set net:limit-rate \(rate); set net:max-retries 1; open -u anonymous,intake -p \(port) 127.0.0.1; put \(local) -o \(remote)",
            ],
            log: log)
    }
}
