import Foundation
import LarderAPI
import LarderCore
import LarderStore
import Logging
import Upstream

/// Works on a data directory directly (no server running on it).
public struct LocalBackend: LarderBackend {
    let services: LarderServices

    /// Opens the store in `directory`; fails with a clear message when a server holds it.
    public init(directory: String, maxSize: Int64, logger: Logger) throws {
        var configuration = LarderConfiguration(dataDirectory: directory, maxSize: maxSize)
        configuration.logger = logger
        // The user asked for this URL on their own machine: no allowlist to protect.
        configuration.allowlist = UpstreamAllowlist(["*"])
        do {
            self.services = try LarderServices(configuration: configuration)
        } catch let error as StoreError {
            throw ClientError(error.description)
        } catch {
            throw ClientError("cannot open the data directory \(directory): \(describe(error))")
        }
    }

    var store: BlobStore { services.store }

    /// Flushes and closes the store.
    public func close() {
        store.close()
    }

    public func put(path: String?, progress: ProgressReporter?) async throws -> BlobRecord {
        let handle: FileHandle
        if let path {
            try InputFile.checkReadable(path)
            guard let file = FileHandle(forReadingAtPath: path) else { throw ClientError("cannot read \(path)") }
            handle = file
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? nil
            progress?.setTotal(size)
        } else {
            handle = FileHandle.standardInput
        }
        let writer = try await store.makeWriter(source: path.map { "file:" + $0 } ?? "stdin")
        do {
            let record = try await writer.write(FileBlocks(handle: handle)) { progress?.advance($0) }
            progress?.finish()
            return record
        } catch let error as StoreError {
            throw ClientError(error.description)
        } catch {
            throw ClientError("cannot read \(path ?? "standard input"): \(describe(error))")
        }
    }

    public func get(_ digest: BlobDigest, to output: OutputFile, progress: ProgressReporter?) async throws {
        guard let handle = try store.open(digest) else { throw ClientError("blob \(digest) is not in the store") }
        defer { handle.release() }
        progress?.setTotal(handle.record.size)
        do {
            for index in 0..<handle.record.chunkCount {
                let data = try handle.withChunk(index) { Data($0) }
                guard let data else { throw ClientError("chunk \(index) of \(digest) is missing; run `larder verify`") }
                try output.write(data)
                progress?.advance(data.count)
            }
            try output.commit()
        } catch {
            output.discard()
            throw error
        }
        progress?.finish()
    }

    public func fetch(url: String, sha256: BlobDigest?, to output: OutputFile, progress: ProgressReporter?) async throws -> String {
        let refName = "url:" + url
        var cache = "hit"
        var digest = sha256
        if digest == nil, let ref = try store.ref(refName) { digest = ref.digest }
        if digest.flatMap({ try? store.record($0) }) == nil {
            cache = "miss"
            let (fill, _) = services.fills.fill(.init(url: url, expected: sha256, refName: refName))
            while true {
                let snapshot = fill.snapshot
                if case .completed(let record) = snapshot.outcome {
                    digest = record.digest
                    break
                }
                if case .failed(let error) = snapshot.outcome { throw ClientError(error.message) }
                await fill.waitForChange(after: snapshot.version)
            }
        }
        guard let digest else { throw ClientError("\(url) could not be fetched") }
        try await get(digest, to: output, progress: progress)
        return cache
    }

    public func list() async throws -> [BlobListing] {
        try store.listings()
    }

    public func setPinned(_ digest: BlobDigest, _ pinned: Bool) async throws {
        guard try await store.setPinned(digest, pinned) else { throw ClientError("blob \(digest) is not in the store") }
    }

    public func delete(_ digest: BlobDigest) async throws {
        guard try await store.delete(digest) else { throw ClientError("blob \(digest) is not in the store") }
    }

    public func gc() async throws -> GCReport {
        try await store.gc()
    }

    public func verify() async throws -> VerifyReport {
        try await store.verify()
    }

    public func statistics() async throws -> StoreStatistics {
        store.statistics
    }
}
