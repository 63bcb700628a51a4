import Foundation
import LarderAPI
import LarderStore
import Logging
import Synchronization

/// Keeps the references listed in a file fetched and pinned on this node (`larder serve --warm-file PATH`).
///
/// The file has the syntax of `larder warm --file`: one reference per line (`hf://repo[@rev]`,
/// `https://…[#sha256=<hex>]`), blank lines and `#` comments skipped. It is polled: a change of inode, size or
/// modification time (seen through symlinks, so a ConfigMap's `..data` swap counts) reloads it and starts a warm
/// job with `pin`; what leaves the list is unpinned (unless a listed reference still needs the same blob). A
/// failed job is retried after `retryInterval`. Which blobs each reference pinned is kept in `stateFile`, so a
/// reference removed while the server was down is unpinned at the next start.
///
/// Pins are the store's one flag per blob: a blob pinned by hand (`larder pin`) that a removed reference also
/// named is unpinned too.
public final class WarmListKeeper: Sendable {
    private struct State {
        var stamp: FileStamp?
        var refs: [String] = []
        var loaded: Double?
        var reloads = 0
        var job: WarmJob?
        var accountedJob: String?
        var pins: [String: [BlobDigest]] = [:]
        var error: String?
    }

    /// The list file.
    public let path: String
    let mirror: HFMirror
    let stateFile: String
    let pollInterval: Duration
    let retryInterval: Duration
    let logger: Logger
    private let state: Mutex<State>

    /// A keeper of the list in `path`, warming through `mirror`; `stateFile` records what it pinned.
    public init(path: String, mirror: HFMirror, stateFile: String, pollInterval: Duration = .seconds(5),
                retryInterval: Duration = .seconds(60), logger: Logger) {
        self.path = path
        self.mirror = mirror
        self.stateFile = stateFile
        self.pollInterval = pollInterval
        self.retryInterval = retryInterval
        self.logger = logger
        var initial = State()
        initial.pins = Self.loadPins(stateFile)
        self.state = Mutex(initial)
    }

    /// Polls the file until the task is cancelled.
    public func run() async {
        while !Task.isCancelled {
            await tick()
            try? await Task.sleep(for: pollInterval)
        }
    }

    /// One poll: reload on change, account for a finished job, retry a failed one.
    package func tick() async {
        guard let stamp = FileStamp.of(path) else {
            // Missing or unreadable: keep what is pinned (a volume being remounted must not unpin everything).
            state.withLock { $0.error = "cannot read \(path): \(String(cString: strerror(errno)))" }
            return
        }
        let (changed, job) = state.withLock { ($0.stamp != stamp, $0.job) }
        if changed {
            await reload(stamp)
        } else if let job, job.status.isFinished {
            await account(job)
            let status = job.status
            if status.state == "failed", let finished = status.finished,
               Date().timeIntervalSince1970 - finished >= retryInterval.seconds {
                start(state.withLock { $0.refs }, reason: "retry")
            }
        }
    }

    private func reload(_ stamp: FileStamp) async {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            state.withLock { $0.error = "cannot read \(path) as UTF-8 text" }
            return
        }
        let refs = Self.references(in: text)
        let unpin = state.withLock { state -> [BlobDigest] in
            if state.loaded != nil { state.reloads += 1 }
            state.stamp = stamp
            state.refs = refs
            state.loaded = Date().timeIntervalSince1970
            state.error = nil
            let listed = Set(refs)
            let removed = state.pins.keys.filter { !listed.contains($0) }
            let kept = Set(state.pins.filter { listed.contains($0.key) }.values.joined())
            let candidates = Set(removed.flatMap { state.pins[$0] ?? [] })
            for ref in removed { state.pins[ref] = nil }
            return Array(candidates.subtracting(kept))
        }
        await unpinBlobs(unpin)
        savePins()
        logger.info("warm list loaded", metadata: ["path": "\(path)", "refs": "\(refs.count)", "unpinned": "\(unpin.count)"])
        start(refs, reason: "changed")
    }

    private func start(_ refs: [String], reason: String) {
        guard !refs.isEmpty else {
            state.withLock { $0.job = nil }
            return
        }
        let job = mirror.startWarm(WarmRequest(refs: refs.map { WarmRequest.Reference(ref: $0) }, pin: true))
        state.withLock { $0.job = job }
        logger.info("warm list job started", metadata: ["id": "\(job.id)", "reason": "\(reason)", "refs": "\(refs.count)"])
    }

    /// Records the blobs a finished job pinned per reference; unpins those of references no longer listed.
    private func account(_ job: WarmJob) async {
        guard state.withLock({ $0.accountedJob != job.id }) else { return }
        var found: [String: [BlobDigest]] = [:]
        for ref in job.status.refs where ref.state == "completed" {
            found[ref.ref] = digests(of: ref)
        }
        let unpin = state.withLock { state -> [BlobDigest] in
            state.accountedJob = job.id
            let listed = Set(state.refs)
            for (ref, digests) in found where listed.contains(ref) { state.pins[ref] = digests }
            let kept = Set(state.pins.values.joined())
            return Array(Set(found.filter { !listed.contains($0.key) }.values.joined()).subtracting(kept))
        }
        await unpinBlobs(unpin)
        savePins()
    }

    /// The blobs a completed reference stands for: a URL's one blob, every file of a Hub repository's commit.
    private func digests(of ref: WarmRefStatus) -> [BlobDigest] {
        let store = mirror.store
        if ref.ref.hasPrefix("hf://") {
            guard let parsed = try? HFReference(parsing: ref.ref), let commit = ref.commit,
                  let manifest = try? mirror.catalog.manifest(parsed.repo, commit: commit) else { return [] }
            return manifest.files.compactMap { entry in
                try? mirror.catalog.contentDigest(parsed.repo, commit: commit, entry: entry)
            }
        }
        let parts = ref.ref.split(separator: "#", maxSplits: 1)
        if parts.count == 2, parts[1].hasPrefix("sha256="),
           let digest = BlobDigest(parsing: parts[1].dropFirst(7), allowBare: true) {
            return [digest]
        }
        return (try? store.ref("url:" + String(parts[0]))?.digest).flatMap { [$0] } ?? []
    }

    private func unpinBlobs(_ digests: [BlobDigest]) async {
        for digest in digests {
            do {
                _ = try await mirror.store.setPinned(digest, false)
            } catch {
                logger.warning("could not unpin a blob the warm list no longer names", metadata: ["digest": "\(digest)", "error": "\(error)"])
            }
        }
    }

    /// References in a list file's text: one per line; blank lines and `#` comments skipped; duplicates once.
    package static func references(in text: String) -> [String] {
        var seen = Set<String>()
        return text.split(whereSeparator: \.isNewline).compactMap { line in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            guard !trimmed.isEmpty, !trimmed.hasPrefix("#"), seen.insert(trimmed).inserted else { return nil }
            return trimmed
        }
    }
}

extension WarmListKeeper {
    /// Where the list stands, for `/stats`.
    public var status: WarmListStatus {
        state.withLock { state in
            let job = state.job?.status
            let phase: String
            if state.loaded == nil {
                phase = "waiting"
            } else if let job {
                // Finished but its pins not yet recorded: still warming, so "completed" always means pinned.
                phase = job.isFinished && state.accountedJob == job.id ? job.state : "warming"
            } else {
                phase = "completed"
            }
            return WarmListStatus(path: path, state: phase, loaded: state.loaded, reloads: state.reloads, refs: state.refs,
                                  pinnedBlobs: Set(state.pins.values.joined()).count, job: job, error: state.error)
        }
    }

    /// Prometheus text for `/metrics`: references per state, bytes, pinned blobs, reloads.
    public var metricsText: String {
        let status = self.status
        let refs = status.job?.refs ?? []
        var lines = [
            "# HELP larder_warm_list_refs References of the --warm-file list by warm state.",
            "# TYPE larder_warm_list_refs gauge",
        ]
        for phase in ["pending", "resolving", "running", "completed", "failed"] {
            lines.append("larder_warm_list_refs{state=\"\(phase)\"} \(refs.filter { $0.state == phase }.count)")
        }
        lines += [
            "# HELP larder_warm_list_bytes Bytes the --warm-file list's current job has to bring in (known so far).",
            "# TYPE larder_warm_list_bytes gauge",
            "larder_warm_list_bytes \(refs.reduce(0) { $0 + $1.bytes })",
            "# HELP larder_warm_list_bytes_done Bytes of the --warm-file list present so far.",
            "# TYPE larder_warm_list_bytes_done gauge",
            "larder_warm_list_bytes_done \(refs.reduce(0) { $0 + $1.bytesDone })",
            "# HELP larder_warm_list_pinned_blobs Blobs pinned because the --warm-file list names them.",
            "# TYPE larder_warm_list_pinned_blobs gauge",
            "larder_warm_list_pinned_blobs \(status.pinnedBlobs)",
            "# HELP larder_warm_list_reloads_total Times the --warm-file list was reloaded because it changed.",
            "# TYPE larder_warm_list_reloads_total counter",
            "larder_warm_list_reloads_total \(status.reloads)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }

    /// nil when every listed reference is warm; otherwise why not, for `/readyz` with `--warm-ready`.
    public var notWarmYet: String? {
        let status = self.status
        switch status.state {
        case "completed": return nil
        case "waiting": return "the warm list \(path) has not been read yet\(status.error.map { " (\($0))" } ?? "")"
        default:
            let done = status.job?.refs.filter { $0.state == "completed" }.count ?? 0
            return "the warm list is \(status.state): \(done) of \(status.refs.count) references warm"
        }
    }

    static func loadPins(_ file: String) -> [String: [BlobDigest]] {
        guard let data = FileManager.default.contents(atPath: file),
              let decoded = try? JSONDecoder().decode([String: [String]].self, from: data) else { return [:] }
        return decoded.mapValues { $0.compactMap { BlobDigest(parsing: Substring($0), allowBare: true) } }
    }

    func savePins() {
        let encoded = state.withLock { $0.pins.mapValues { $0.map { "\($0)" } } }
        guard let data = try? JSONEncoder().encode(encoded) else { return }
        do {
            try data.write(to: URL(fileURLWithPath: stateFile), options: .atomic)
        } catch {
            logger.warning("could not record the warm list's pins", metadata: ["file": "\(stateFile)", "error": "\(error)"])
        }
    }
}
