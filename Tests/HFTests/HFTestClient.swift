import Foundation
import LarderAPI
import LarderServer
import LarderTestSupport
import Logging
import Upstream

extension LarderTestServer {
    /// Starts a server for the Hub tests (2 GiB store) whose Hub upstream is `upstream` (a closed loopback port by
    /// default: nothing leaves the machine).
    static func startHF(upstream: String? = nil, _ configure: (inout ServerConfiguration) -> Void = { _ in }) async throws -> LarderTestServer {
        try await start(maxSize: 2 << 30) { configuration in
            if let upstream { configuration.core.hf.upstream = upstream }
            configure(&configuration)
        }
    }

    /// Stores `files` as blobs and imports them as `repo` at `revision` (branch main).
    @discardableResult
    func importFiles(_ files: [String: [UInt8]], repo: HFRepoID, revision: String? = nil,
                     branches: [String]? = nil) async throws -> HFImportResult {
        var entries: [HFImportRequest.File] = []
        for (path, content) in files.sorted(by: { $0.key < $1.key }) {
            let record = try await store.put(content)
            entries.append(.init(path: path, digest: record.digest, size: Int64(content.count)))
        }
        return try await services.hf.importRevision(HFImportRequest(repo: repo, revision: revision, branches: branches, files: entries, pin: true))
    }
}
