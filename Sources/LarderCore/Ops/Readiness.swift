import Foundation
import LarderStore
#if canImport(Glibc)
import Glibc
#endif

/// Whether this Larder can do its job now: the store is open, its writer thread answers, and the data volume
/// has free space above the configured floor. `/readyz` answers from it, so Kubernetes stops routing to (and
/// operators see) a node cache that cannot store anything, instead of a constant 200.
public struct Readiness: Sendable {
    /// What was found; `problems` is empty when ready.
    public struct Report: Sendable {
        /// One sentence per failed check, saying what to do.
        public var problems: [String]
        /// Free bytes on the data volume for unprivileged writers, when it could be read.
        public var freeBytes: Int64?
        /// True when every check passed.
        public var isReady: Bool { problems.isEmpty }
    }

    let store: BlobStore
    let directory: String
    let minFreeBytes: Int64
    let writerTimeout: Duration
    let warmList: WarmListKeeper?

    /// Checks `store` in `directory`, needing `minFreeBytes` free and an answer from the writer within
    /// `writerTimeout`, and, when `warmList` is given, every reference of that list warm.
    public init(store: BlobStore, directory: String, minFreeBytes: Int64, writerTimeout: Duration = .seconds(2),
                warmList: WarmListKeeper? = nil) {
        self.store = store
        self.directory = directory
        self.minFreeBytes = minFreeBytes
        self.writerTimeout = writerTimeout
        self.warmList = warmList
    }

    /// Runs every check.
    public func check() async -> Report {
        var problems: [String] = []
        switch await store.probeWriter(within: writerTimeout) {
        case .alive: break
        case .closed: problems.append("the store is closed (the server is shutting down)")
        case .stalled: problems.append("the store's writer thread did not answer within \(writerTimeout); a commit is stuck (check the data volume)")
        case .failed(let reason): problems.append("the store refuses writes (\(reason))")
        }
        let free = Self.freeBytes(at: directory)
        if let free {
            if free < minFreeBytes {
                problems.append("free disk space on \(directory) is \(ByteCount.format(free)), below --min-free-disk \(ByteCount.format(minFreeBytes)); free space on the volume or lower --max-size")
            }
        } else {
            problems.append("cannot read the free space of \(directory) (statvfs failed: \(String(cString: strerror(errno))))")
        }
        if let waiting = warmList?.notWarmYet { problems.append(waiting) }
        return Report(problems: problems, freeBytes: free)
    }

    /// Bytes available to unprivileged writers on the file system holding `path` (`statvfs` f_bavail × f_frsize).
    public static func freeBytes(at path: String) -> Int64? {
        var info = statvfs()
        guard statvfs(path, &info) == 0 else { return nil }
        return Int64(info.f_bavail) &* Int64(info.f_frsize)
    }
}
