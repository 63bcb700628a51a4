import Foundation
import LarderAPI
import LarderCore
import LarderStore
import Logging
import Upstream

/// ``HFBackend`` on a data directory that no server is using (the store is opened exclusively).
public final class HFLocalBackend: HFBackend {
    let services: LarderServices

    /// Opens the store in `directory`; `hf` says where pull-through fetches go.
    public init(directory: String, maxSize: Int64, hf: HFConfiguration, logger: Logger) throws {
        var configuration = LarderConfiguration(dataDirectory: directory, maxSize: maxSize)
        configuration.logger = logger
        configuration.hf = hf
        // The user runs this on their own machine: no allowlist to protect.
        configuration.allowlist = UpstreamAllowlist(["*"])
        do {
            self.services = try LarderServices(configuration: configuration)
        } catch let error as StoreError {
            throw ClientError(error.description)
        }
    }

    var mirror: HFMirror { services.hf }

    /// Flushes and closes the store.
    public func close() {
        services.store.close()
    }

    /// See ``HFBackend/storeFile(path:size:)``.
    public func storeFile(path: String, size: Int64) async throws -> BlobDigest {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw ClientError("cannot read \(path)") }
        defer { try? handle.close() }
        let writer = try await services.store.makeWriter(expectedSize: size, source: "file:" + path)
        do {
            return try await writer.write(FileBlocks(handle: handle), expectedSize: size).digest
        } catch let error as StoreError {
            throw ClientError("\(path): \(error.description)")
        }
    }

    /// See ``HFBackend/importRevision(_:)``.
    public func importRevision(_ request: HFImportRequest) async throws -> HFImportResult {
        do {
            return try await mirror.importRevision(request)
        } catch {
            throw ClientError(error.message)
        }
    }

    /// See ``HFBackend/manifest(_:)``.
    public func manifest(_ reference: HFReference) async throws -> HFManifest {
        do {
            return try await mirror.resolve(reference.repo, revision: reference.revision, authorization: nil).manifest
        } catch {
            throw ClientError(error.message)
        }
    }

    /// See ``HFBackend/download(_:of:to:consume:)``.
    public func download(_ entry: HFFileEntry, of manifest: HFManifest, to output: OutputFile,
                         consume: @Sendable ([UInt8]) -> Void) async throws {
        let handle: BlobHandle
        do {
            handle = try await mirror.storedFile(entry, of: manifest)
        } catch {
            throw ClientError("\(entry.path): \(error.message)")
        }
        defer { handle.release() }
        for index in 0..<handle.record.chunkCount {
            let bytes = try handle.withChunk(index) { Array($0) }
            guard let bytes else { throw ClientError("chunk \(index) of \(entry.path) is missing; run `larder verify`") }
            try output.write(bytes)
            consume(bytes)
        }
    }

    /// See ``HFBackend/startWarm(_:)``.
    public func startWarm(_ request: WarmRequest) async throws -> String {
        mirror.startWarm(try await RunWarmReferences.expand(request, catalog: services.runs)).id
    }

    /// See ``HFBackend/warmStatus(_:)``.
    public func warmStatus(_ id: String) async throws -> WarmStatus {
        guard let job = mirror.warmJobs.job(id) else { throw ClientError("no warm job \(id)") }
        return job.status
    }
}
