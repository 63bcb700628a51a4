import Foundation
import LarderAPI
import RunModel
import Synchronization

/// Reads task records from a run archive, keeping those already read in memory by key and ETag (records are
/// written whole and replaced whole, so an unchanged ETag means an unchanged record).
public final class RunArchiveReader: Sendable {
    /// The client the records are read with.
    public let s3: S3Client
    private let cache = Mutex<[String: (etag: String, record: TaskRecord)]>([:])
    /// The last listing of each prefix and when it was made, for reads that may be a little stale (an artifact
    /// looked up right after its run was listed: `runcmp` asks for every task's artifacts after the run).
    private let listings = Mutex<[String: (at: ContinuousClock.Instant, objects: [S3Listing.Object])]>([:])
    /// Records kept in memory at most (a whole cache reset beyond it: simple and bounded).
    static let maxCached = 50_000
    /// Record reads in flight at once.
    static let width = 16

    /// Creates a reader over `s3`.
    public init(s3: S3Client) {
        self.s3 = s3
    }

    /// Every record under `prefix` (a flow or a run).
    /// With `maxAge`, a listing of `prefix` made that recently is reused instead of listing again.
    public func records(under prefix: String, maxAge: Duration = .zero) async throws -> [TaskRecord] {
        let now = ContinuousClock.now
        let listed: [S3Listing.Object]
        if maxAge > .zero, let recent = listings.withLock({ $0[prefix] }), now - recent.at <= maxAge {
            listed = recent.objects
        } else {
            listed = try await s3.list(prefix: prefix).objects
            listings.withLock { listings in
                if listings.count > 1_000 { listings.removeAll() }
                listings[prefix] = (now, listed)
            }
        }
        let objects = listed.filter {
            RunArchiveKeys.recordNames($0.key, location: s3.configuration.location) != nil
        }
        var found: [TaskRecord] = []
        var missing: [S3Listing.Object] = []
        cache.withLock { cache in
            for object in objects {
                if let hit = cache[object.key], hit.etag == object.etag { found.append(hit.record) } else { missing.append(object) }
            }
        }
        var start = 0
        while start < missing.count {
            let slice = missing[start..<min(start + Self.width, missing.count)]
            let fetched = try await withThrowingTaskGroup(of: (S3Listing.Object, TaskRecord?).self) { group in
                for object in slice {
                    group.addTask {
                        guard let bytes = try await self.s3.get(object.key) else { return (object, nil) }
                        return (object, try? TaskRecord.decode(Data(bytes)))
                    }
                }
                var result: [(S3Listing.Object, TaskRecord?)] = []
                for try await item in group { result.append(item) }
                return result
            }
            cache.withLock { cache in
                if cache.count > Self.maxCached { cache.removeAll() }
                for case let (object, record?) in fetched {
                    cache[object.key] = (object.etag, record)
                    found.append(record)
                }
            }
            start += Self.width
        }
        return found
    }

    /// The run ids below `flow` (one delimited listing).
    public func runIDs(flow: String) async throws -> [String] {
        let prefix = RunArchiveKeys.flowPrefix(s3.configuration.location, flow: flow)
        return try await s3.list(prefix: prefix, delimiter: "/").commonPrefixes.compactMap { full in
            let name = full.dropFirst(prefix.count).split(separator: "/").first.map(String.init)
            return name
        }
    }

    /// The flows in the tier (one delimited listing).
    public func flowNames() async throws -> [String] {
        let prefix = RunArchiveKeys.runsPrefix(s3.configuration.location)
        return try await s3.list(prefix: prefix, delimiter: "/").commonPrefixes.compactMap { full in
            full.dropFirst(prefix.count).split(separator: "/").first.map(String.init)
        }
    }
}
