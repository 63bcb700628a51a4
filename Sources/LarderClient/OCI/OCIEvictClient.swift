import Foundation
import LarderAPI
import LarderCore
import LarderStore
import Upstream

/// `larder evict oci://REGISTRY/NAME:TAG`: drops one cached tag mapping, on a server or in a data directory, so the
/// next pull asks the upstream registry.
public enum OCIEvictClient {
    /// Evicts `reference` through the server at `baseURL` (`DELETE /admin/oci/tags?ref=…`).
    public static func evict(_ reference: OCIImageReference, server baseURL: String) async throws -> OCIEvictResult {
        let connection = ServerConnection(baseURL: baseURL)
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        let escaped = reference.description.addingPercentEncoding(withAllowedCharacters: allowed) ?? reference.description
        return try await connection.json(UpstreamRequest(url: connection.url("/admin/oci/tags?ref=" + escaped), method: .delete))
    }

    /// Evicts `reference` in the store of `store` directly (`--data`).
    public static func evict(_ reference: OCIImageReference, store: BlobStore) async throws -> OCIEvictResult {
        guard case .tag(let tag) = reference.reference else {
            throw ClientError("\(reference) names a digest; only tags are cached with a TTL, so evict oci://REGISTRY/NAME:TAG", permanent: true)
        }
        let removed = try await store.removeRef(OCIMirror.tagRef(host: reference.registry, name: reference.name.value, tag: tag))
        return OCIEvictResult(reference: reference.description, evicted: removed)
    }
}
