import ArgumentParser
import Foundation
import LarderAPI
import LarderClient
import LarderCore
import LarderStore

/// `larder evict oci://REGISTRY/NAME:TAG…`: forget cached tag mappings, so the next pull asks the upstream.
struct Evict: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Drop cached OCI tag mappings (oci://REGISTRY/NAME:TAG); the next pull revalidates with the upstream registry.")

    @Argument(help: "Tags to forget, e.g. oci://docker.io/library/python:3.12-slim.")
    var references: [String]

    @OptionGroup var backend: BackendOptions

    func validate() throws {
        for reference in references {
            do throws(LarderFailure) {
                _ = try OCIImageReference(parsing: reference)
            } catch {
                throw ValidationError(error.message)
            }
        }
    }

    func run() async throws {
        let parsed = try references.map { text in
            do throws(LarderFailure) { return try OCIImageReference(parsing: text) } catch { throw ValidationError(error.message) }
        }
        try await reportingErrors {
            var results: [OCIEvictResult] = []
            if let data = backend.data {
                try BackendOptions.requireStore(data)
                let store = try BlobStore(StoreConfiguration(directory: data, maxSize: ByteCount.parse(backend.maxSize) ?? 0))
                defer { store.close() }
                for reference in parsed { results.append(try await OCIEvictClient.evict(reference, store: store)) }
            } else {
                let url = backend.server ?? ProcessInfo.processInfo.environment["LARDER_SERVER"] ?? "http://127.0.0.1:7480"
                for reference in parsed { results.append(try await OCIEvictClient.evict(reference, server: url)) }
            }
            if backend.json { try printJSON(results) } else {
                for result in results {
                    print(result.evicted ? "evicted \(result.reference)" : "\(result.reference) was not cached")
                }
            }
        }
    }
}
