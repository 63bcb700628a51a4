import Glibc

/// A command started with `posix_spawnp`, with standard input and error inherited.
struct ChildProcess: Sendable {
    /// The child's process id.
    let pid: Int32

    /// How the child ended, decoded from a `wait4` status.
    struct Termination: Sendable {
        /// The exit status when it exited normally.
        var status: Int32?
        /// The signal that killed it.
        var signal: Int32?
        /// CPU (user + system) of the child and every descendant it waited for, in seconds.
        var cpuSeconds: Double
        /// Largest RSS of the child or any waited-for descendant, in bytes (`ru_maxrss`).
        var maxResidentBytes: Int64
    }

    /// Signals reset to their default action in the child, whatever this process does with them.
    private static let defaultedSignals: [Int32] = [SIGTERM, SIGINT, SIGPIPE, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2, SIGALRM]

    /// Starts `command` (searched on this process's `PATH`).
    /// - Parameters:
    ///   - environment: the child's environment; nil to inherit this process's.
    ///   - standardOutput: a descriptor to become the child's fd 1; nil to inherit fd 1.
    ///   - newProcessGroup: start the child as the leader of a new process group (its pid).
    /// - Throws: ``TaskRecorderError/spawnFailed(executable:errno:)``.
    static func spawn(
        command: [String], environment: [String: String]?, standardOutput: Int32?, newProcessGroup: Bool
    ) throws -> ChildProcess {
        guard let executable = command.first else { throw TaskRecorderError.emptyCommand }
        var fileActions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fileActions)
        defer { posix_spawn_file_actions_destroy(&fileActions) }
        if let standardOutput, standardOutput != STDOUT_FILENO {
            posix_spawn_file_actions_adddup2(&fileActions, standardOutput, STDOUT_FILENO)
        }

        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        var emptyMask = sigset_t()
        sigemptyset(&emptyMask)
        posix_spawnattr_setsigmask(&attributes, &emptyMask)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in defaultedSignals { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        if newProcessGroup {
            flags |= POSIX_SPAWN_SETPGROUP
            posix_spawnattr_setpgroup(&attributes, 0)
        }
        posix_spawnattr_setflags(&attributes, Int16(flags))

        let arguments = CStringArray(command)
        defer { arguments.free() }
        let environmentStrings = CStringArray(
            (environment ?? [:]).sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" })
        defer { environmentStrings.free() }
        guard arguments.allocated, environmentStrings.allocated, let path = arguments.pointers[0] else {
            throw TaskRecorderError.spawnFailed(executable: executable, errno: ENOMEM)
        }

        var pid: pid_t = 0
        let result = environmentStrings.pointers.withUnsafeBufferPointer { givenEnvironment in
            posix_spawnp(
                &pid, path, &fileActions, &attributes, arguments.pointers,
                environment == nil ? UnsafePointer(environ) : givenEnvironment.baseAddress)
        }
        guard result == 0 else { throw TaskRecorderError.spawnFailed(executable: executable, errno: result) }
        return ChildProcess(pid: pid)
    }

    /// Blocks until the child has exited, leaving it a zombie so that its `/proc` entry can
    /// still be read; call ``reap()`` afterwards.
    func waitForExit() {
        var info = siginfo_t()
        while waitid(P_PID, id_t(pid), &info, WEXITED | WNOWAIT) != 0, errno == EINTR {}
    }

    /// Collects the exited child's status and resource usage.
    func reap() -> Termination {
        var status: Int32 = 0
        var usage = rusage()
        var result: pid_t
        repeat { result = wait4(pid, &status, 0, &usage) } while result < 0 && errno == EINTR
        let cpu = Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) / 1e6
            + Double(usage.ru_stime.tv_sec) + Double(usage.ru_stime.tv_usec) / 1e6
        let maxRSS = Int64(usage.ru_maxrss) * 1024
        guard result == pid else {
            return Termination(status: nil, signal: nil, cpuSeconds: cpu, maxResidentBytes: maxRSS)
        }
        let low = status & 0x7f
        if low == 0 {
            return Termination(status: (status >> 8) & 0xff, signal: nil, cpuSeconds: cpu, maxResidentBytes: maxRSS)
        }
        return Termination(status: nil, signal: low, cpuSeconds: cpu, maxResidentBytes: maxRSS)
    }
}

/// A NULL-terminated array of C strings for `argv`/`envp`, freed explicitly.
private struct CStringArray {
    let pointers: [UnsafeMutablePointer<CChar>?]

    init(_ strings: [String]) {
        pointers = strings.map { strdup($0) } + [nil]
    }

    /// Whether every string was allocated.
    var allocated: Bool { !pointers.dropLast().contains(nil) }

    func free() {
        for pointer in pointers { Glibc.free(pointer) }
    }
}
