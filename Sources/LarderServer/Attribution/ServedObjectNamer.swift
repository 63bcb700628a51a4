import Foundation
import Hummingbird
import LarderAPI
import LarderCore

/// Names what a request was served as a warm reference (``RunModel/FetchedObject/ref``), from the request alone:
/// `hf://repo@revision` plus the file's path for a Hub file, `https://…#sha256=<hex>` for `/fetch`,
/// `oci://REGISTRY/NAME@sha256:…` for an image manifest, `sha256:<hex>` for an image layer or anything else read by
/// digest.
struct ServedObjectNamer: Sendable {
    /// The Hub mirror's path prefix (`/hf`).
    let hfPrefix: String
    /// The registry an OCI request without `?ns=` goes to.
    let defaultRegistry: String?

    /// The reference and (for Hub files) path; nil when the request names nothing `larder warm` could fetch again and
    /// no digest is known.
    func name(_ request: Request, digest: BlobDigest?) -> (ref: String, path: String?)? {
        let path = request.uri.path
        if path.hasPrefix(hfPrefix + "/"),
           case .resolve(let repo, let revision, let file)? = try? HFRequestTarget.parse(path.dropFirst(hfPrefix.count)),
           let reference = try? HFReference(repo: repo, revision: revision) {
            return (reference.description, file)
        }
        if path == "/fetch", let url = request.uri.queryParameters["url"].map(String.init) {
            // The digest the client pinned, not the one the cache happened to know: a miss and a later hit of the same
            // request name the same reference.
            let sha256 = request.uri.queryParameters["sha256"].map(String.init).flatMap { BlobDigest(parsing: $0, allowBare: true) }
            return (url + (sha256.map { "#sha256=\($0.hex)" } ?? ""), nil)
        }
        if path.hasPrefix("/v2/"), let ociPath = try? OCIRequestPath(path) {
            let ns = request.uri.queryParameters["ns"].map(String.init).flatMap { $0.isEmpty ? nil : $0 } ?? defaultRegistry
            switch ociPath {
            case .blob(_, let blobDigest):
                // By digest only: `larder warm` takes an `oci://` reference for a manifest (whose warm brings the
                // layers), and a layer's digest is not one.
                return (blobDigest.description, nil)
            case .manifest(let name, _):
                if let ns, let digest { return ("oci://\(ns.lowercased())/\(name)@\(digest)", nil) }
            case .base:
                break
            }
        }
        return digest.map { ($0.description, nil) }
    }
}
