import Foundation
import LarderAPI
import Synchronization

/// One warm job: its status, updated while its task runs.
public final class WarmJob: Sendable {
    /// The job id.
    public let id: String
    private let state: Mutex<WarmStatus>

    package init(id: String, refs: [String]) {
        self.id = id
        self.state = Mutex(WarmStatus(id: id, state: "running", created: Date().timeIntervalSince1970, finished: nil,
                                      refs: refs.map(WarmRefStatus.init(ref:))))
    }

    /// The current status.
    public var status: WarmStatus { state.withLock { $0 } }

    /// Waits until the job has finished and returns its final status.
    public func waitUntilFinished(poll: Duration = .milliseconds(100)) async -> WarmStatus {
        while true {
            let current = status
            if current.isFinished { return current }
            try? await Task.sleep(for: poll)
        }
    }

    package func update(ref index: Int, _ change: (inout WarmRefStatus) -> Void) {
        state.withLock { status in
            guard status.refs.indices.contains(index) else { return }
            change(&status.refs[index])
        }
    }

    package func finish() {
        state.withLock { status in
            status.state = status.refs.allSatisfy { $0.state == "completed" } ? "completed" : "failed"
            status.finished = Date().timeIntervalSince1970
        }
    }
}

/// The warm jobs of a server: running ones and the last finished ones (older finished jobs are forgotten).
public final class WarmJobs: Sendable {
    private let jobs = Mutex<[String: WarmJob]>([:])
    /// Finished jobs kept for `GET /warm/<id>`.
    package static let keptFinished = 100

    package init() {}

    package func add(_ job: WarmJob) {
        jobs.withLock { jobs in
            let finished = jobs.values.filter { $0.status.isFinished }.sorted { $0.status.created < $1.status.created }
            for old in finished.dropLast(Self.keptFinished - 1) { jobs[old.id] = nil }
            jobs[job.id] = job
        }
    }

    /// The job with `id`, or nil.
    public func job(_ id: String) -> WarmJob? {
        jobs.withLock { $0[id] }
    }

    /// Every known job's status, newest first.
    public var all: [WarmStatus] {
        jobs.withLock { Array($0.values) }.map(\.status).sorted { $0.created > $1.created }
    }
}
