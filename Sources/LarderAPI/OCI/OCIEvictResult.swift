/// The answer of `DELETE /admin/oci/tags?ref=…` (`larder evict`).
public struct OCIEvictResult: Codable, Sendable, Hashable {
    /// The tag reference, normalized (`oci://REGISTRY/NAME:TAG`).
    public var reference: String
    /// Whether a cached mapping was dropped (false: none was cached).
    public var evicted: Bool

    /// Creates a result.
    public init(reference: String, evicted: Bool) {
        self.reference = reference
        self.evicted = evicted
    }
}
