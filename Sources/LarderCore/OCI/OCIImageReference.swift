/// An image reference as `larder evict` and `larder warm` take it: `oci://REGISTRY/NAME:TAG` or
/// `oci://REGISTRY/NAME@sha256:…` (e.g. `oci://docker.io/library/python:3.12-slim`).
public struct OCIImageReference: Sendable, Hashable, CustomStringConvertible {
    /// The registry host, lowercased (as in `ns`).
    public var registry: String
    /// The repository.
    public var name: OCIName
    /// The tag or digest.
    public var reference: OCIReference

    /// Parses `oci://REGISTRY/NAME:TAG` or `oci://REGISTRY/NAME@DIGEST`; throws a sentence saying what to write.
    public init(parsing text: String) throws(LarderFailure) {
        let example = "write oci://REGISTRY/NAME:TAG or oci://REGISTRY/NAME@sha256:<64 hex digits>, e.g. oci://docker.io/library/python:3.12"
        guard text.hasPrefix("oci://") else {
            throw .invalidRequest("invalid_reference", "\"\(text.prefix(200))\" is not an image reference; \(example)")
        }
        let rest = text.dropFirst(6)
        guard let slash = rest.firstIndex(of: "/") else {
            throw .invalidRequest("invalid_reference", "\"\(text.prefix(200))\" has no repository name; \(example)")
        }
        let registry = rest[..<slash].lowercased()
        guard RegistryConfiguration.isValidHost(registry) else {
            throw .invalidRequest("invalid_reference", "\"\(registry.prefix(100))\" is not a registry host; \(example)")
        }
        let path = rest[rest.index(after: slash)...]
        let namePart: Substring
        let referencePart: Substring
        if let at = path.firstIndex(of: "@") {
            namePart = path[..<at]
            referencePart = path[path.index(after: at)...]
        } else if let colon = path.lastIndex(of: ":") {
            namePart = path[..<colon]
            referencePart = path[path.index(after: colon)...]
        } else {
            throw .invalidRequest("invalid_reference", "\"\(text.prefix(200))\" names no tag or digest; \(example)")
        }
        do throws(LarderFailure) {
            self.name = try OCIName(namePart)
            self.reference = try OCIReference(referencePart)
        } catch {
            throw .invalidRequest("invalid_reference", "\"\(text.prefix(200))\": \(error.message)")
        }
        self.registry = registry
    }

    public var description: String {
        switch reference {
        case .tag(let tag): "oci://\(registry)/\(name):\(tag)"
        case .digest(let digest): "oci://\(registry)/\(name)@\(digest)"
        }
    }
}
