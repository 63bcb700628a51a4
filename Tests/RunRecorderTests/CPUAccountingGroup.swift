import Foundation
import Glibc

/// A CPU-accounting cgroup created for one test: the kernel's exact figure for all the CPU a command and every
/// process it starts (reaped, orphaned or still running) used, independent of the recorder under test.
///
/// The command joins it itself (``join``, the first thing its shell does), so everything it starts is inside.
/// Uses cgroup v1 `cpuacct` when mounted (`cpuacct.usage`, ns) and cgroup v2 otherwise (`cpu.stat` `usage_usec`).
/// Needs a writable cgroup file system (root); fails, never skips, without one.
struct CPUAccountingGroup {
    let directory: String
    private let version: Int

    static func create() throws -> CPUAccountingGroup {
        let name = "larder-recorder-test-\(getpid())-\(UUID().uuidString.prefix(8))"
        let candidates = [("/sys/fs/cgroup/cpuacct", 1), ("/sys/fs/cgroup/cpu,cpuacct", 1), ("/sys/fs/cgroup/unified", 2), ("/sys/fs/cgroup", 2)]
        var problems: [String] = []
        for (root, version) in candidates {
            let probe = version == 1 ? root + "/cpuacct.usage" : root + "/cgroup.controllers"
            guard FileManager.default.fileExists(atPath: probe) else { continue }
            let directory = root + "/" + name
            if mkdir(directory, 0o755) == 0 {
                return CPUAccountingGroup(directory: directory, version: version)
            }
            problems.append("\(directory): \(String(cString: strerror(errno)))")
        }
        throw RecorderTestError("""
            these tests compare the recorder with a CPU-accounting cgroup they create, and none could be created \
            (\(problems.isEmpty ? "no cgroup v1 cpuacct or v2 hierarchy under /sys/fs/cgroup" : problems.joined(separator: "; "))); \
            run them as root on a machine with a writable /sys/fs/cgroup
            """)
    }

    /// A shell command that moves the shell running it into the group.
    var join: String { "echo $$ > \(directory)/cgroup.procs" }

    /// `/bin/sh -c` running `script` inside the group.
    func shell(_ script: String) -> [String] {
        ["/bin/sh", "-c", "\(join) && { \(script)\n}"]
    }

    /// All CPU used in the group so far, in seconds.
    func cpuSeconds() throws -> Double {
        if version == 1 {
            let text = try String(contentsOfFile: directory + "/cpuacct.usage", encoding: .utf8)
            guard let nanoseconds = Double(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
                throw RecorderTestError("cannot read \(directory)/cpuacct.usage: \(text)")
            }
            return nanoseconds / 1e9
        }
        let text = try String(contentsOfFile: directory + "/cpu.stat", encoding: .utf8)
        for line in text.split(separator: "\n") where line.hasPrefix("usage_usec ") {
            if let microseconds = Double(line.dropFirst("usage_usec ".count)) { return microseconds / 1e6 }
        }
        throw RecorderTestError("no usage_usec in \(directory)/cpu.stat: \(text)")
    }

    /// Waits (up to 10 s) until every process in the group has exited, then removes it.
    func remove() {
        let deadline = Date().addingTimeInterval(10)
        while Date() < deadline {
            let procs = (try? String(contentsOfFile: directory + "/cgroup.procs", encoding: .utf8)) ?? ""
            if procs.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty { break }
            usleep(20_000)
        }
        rmdir(directory)
    }
}

/// A test set-up that failed, with a message saying what to do.
struct RecorderTestError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
