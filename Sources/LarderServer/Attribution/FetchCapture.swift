import Foundation
import Hummingbird
import LarderAPI
import LarderCore
import RunModel
import Synchronization

/// The task a request was made for, while its route runs: set by ``TaskPrefixResponder`` for requests below
/// `/t/<token>/`, read by ``BlobResponse`` when it builds a body.
struct AttributedRequest: Sendable {
    /// The task's log.
    let log: TaskFetchLog
    /// Names what was served.
    let namer: ServedObjectNamer
    /// When the request arrived (wall clock, for the record).
    let arrived: Date
    /// When the request arrived (monotonic, for durations).
    let arrivedAt: ContinuousClock.Instant

    /// The request being handled now, if it was made through a task prefix.
    @TaskLocal static var current: AttributedRequest?
}

/// Follows one response body made for a task and adds it to the task's log when the body ends (complete, failed or
/// abandoned): bytes sent, time to the first and the last byte, and the bytes its fill brought from upstream.
final class FetchCapture: Sendable {
    private struct Progress {
        var bytes: Int64 = 0
        var firstByte: ContinuousClock.Instant?
        var finished = false
    }

    private let request: AttributedRequest
    private let ref: String
    private let path: String?
    private let digest: BlobDigest?
    private let outcome: FetchOutcome
    private let fill: Fill?
    private let progress = Mutex(Progress())

    /// A capture for the current task's request, or nil when the request was not made for a task, the answer is not a
    /// cache answer (`cache` nil: run artifacts) or what was served cannot be named.
    static func make(request: Request, cache: CacheAnswer?, source: BlobStreamer.Source, digest: BlobDigest?) -> FetchCapture? {
        guard let attributed = AttributedRequest.current, let outcome = cache?.fetchOutcome else { return nil }
        var known = digest
        var fill: Fill?
        switch source {
        case .stored(let handle): known = known ?? handle.record.digest
        case .filling(let filling, _): fill = filling
        }
        guard let name = attributed.namer.name(request, digest: known) else { return nil }
        return FetchCapture(request: attributed, ref: name.ref, path: name.path, digest: known, outcome: outcome, fill: fill)
    }

    private init(request: AttributedRequest, ref: String, path: String?, digest: BlobDigest?, outcome: FetchOutcome, fill: Fill?) {
        self.request = request
        self.ref = ref
        self.path = path
        self.digest = digest
        self.outcome = outcome
        self.fill = fill
    }

    /// Notes `count` body bytes written.
    func sent(_ count: Int) {
        let now = ContinuousClock.now
        progress.withLock { progress in
            if progress.firstByte == nil { progress.firstByte = now }
            progress.bytes += Int64(count)
        }
    }

    /// Adds the fetch to the task's log; later calls do nothing.
    func finish() {
        let now = ContinuousClock.now
        guard let done = progress.withLock({ progress -> Progress? in
            guard !progress.finished else { return nil }
            progress.finished = true
            return progress
        }) else { return }
        var upstreamBytes: Int64 = 0
        var digest = self.digest
        if outcome == .miss, let snapshot = fill?.snapshot {
            // The request that started the fill caused all of it, whatever range it asked for.
            if case .completed(let record) = snapshot.outcome {
                upstreamBytes = record.size
                digest = digest ?? record.digest
            } else {
                upstreamBytes = snapshot.committedBytes
            }
        }
        request.log.record(FetchedObject(
            ref: ref, path: path, digest: digest?.description, bytes: done.bytes, upstreamBytes: upstreamBytes, outcome: outcome,
            start: request.arrived, firstByteSeconds: ((done.firstByte ?? now) - request.arrivedAt).seconds,
            seconds: (now - request.arrivedAt).seconds))
    }
}
