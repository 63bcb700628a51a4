import Foundation
import LarderAPI
import LarderStore
import Logging
import Upstream

/// Requests to the upstream Hub: repository information at a revision (with file metadata) and file URLs.
package struct HFUpstream: Sendable {
    package let base: String
    package let client: UpstreamClient
    package let token: HFToken
    package let logger: Logger

    /// Largest repository information document accepted (a repository with very many files).
    package static let maxInfoBytes = 64 << 20

    /// Why the upstream could not answer.
    package enum Failure: Error, Sendable {
        /// The upstream answered with an error status: passed on to the client (it knows best, e.g. `GatedRepo`).
        case status(Int, errorCode: String?, message: String)
        /// The upstream could not be reached or failed (connect error, timeout, 5xx): a stale answer may serve.
        case unavailable(LarderFailure)
        /// The upstream answered something unusable.
        case invalid(String)
    }

    /// The URL of `path` at `commit` in `repo` on the upstream.
    package func fileURL(_ repo: HFRepoID, commit: String, path: String) -> String {
        "\(base)/\(repo.urlPath)/resolve/\(commit)/" + path.split(separator: "/", omittingEmptySubsequences: false)
            .map { Self.encode(String($0)) }.joined(separator: "/")
    }

    /// Repository information of `repo` at `revision`, with every file's size, blob id and LFS details.
    package func manifest(_ repo: HFRepoID, revision: String, authorization: String?) async throws(Failure) -> HFManifest {
        let url = "\(base)/api/\(repo.type.plural)/\(repo.name)/revision/\(Self.encode(revision))?blobs=true"
        var request = UpstreamRequest(url: url, headers: token.authorization(clientAuthorization: authorization))
        request.headers.append(("Accept", "application/json"))
        let body: [UInt8]
        let started = ContinuousClock.now
        do {
            let response = try await client.send(request)
            if !(200..<300).contains(response.head.status) {
                let text = (try? await response.collect(upTo: 4096)) ?? []
                throw Self.failure(status: response.head.status, head: response.head, body: text, url: url)
            }
            body = try await response.collect(upTo: Self.maxInfoBytes)
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .unavailable(Self.unavailable(error, url: url))
        }
        let manifest = try Self.parse(body, repo: repo, origin: base)
        logger.info("hf revision resolved upstream", metadata: [
            "repo": "\(repo)", "revision": "\(revision)", "commit": "\(manifest.commit)", "files": "\(manifest.files.count)",
            "ms": "\(Int((ContinuousClock.now - started).seconds * 1000))",
        ])
        return manifest
    }

    /// Builds a manifest from the Hub's `revision?blobs=true` document.
    package static func parse(_ body: [UInt8], repo: HFRepoID, origin: String) throws(Failure) -> HFManifest {
        guard case .object(var info)? = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else {
            throw .invalid("the upstream's repository information is not a JSON object")
        }
        guard let sha = info["sha"]?.stringValue, HFRevision.isCommit(sha) else {
            throw .invalid("the upstream's repository information has no 40-hex \"sha\"")
        }
        guard case .array(let siblings)? = info["siblings"] else {
            throw .invalid("the upstream's repository information has no \"siblings\" list")
        }
        var files: [HFFileEntry] = []
        files.reserveCapacity(siblings.count)
        for sibling in siblings {
            guard let path = sibling["rfilename"]?.stringValue, case .number(let size)? = sibling["size"],
                  let blobID = sibling["blobId"]?.stringValue else {
                throw .invalid("the upstream did not report sizes and blob ids of the files (blobs=true)")
            }
            var lfs: HFLFSInfo?
            if case .object(let details)? = sibling["lfs"] {
                guard let sha256 = details["sha256"]?.stringValue, case .number(let pointerSize)? = details["pointerSize"] else {
                    throw .invalid("the upstream's LFS details of \(path) are incomplete")
                }
                lfs = HFLFSInfo(sha256: sha256, size: Int64(size), pointerSize: Int(pointerSize))
            }
            files.append(HFFileEntry(path: path, size: Int64(size), blobID: blobID, lfs: lfs, digest: nil))
        }
        info["siblings"] = nil
        let manifest = HFManifest(repo: repo, commit: sha, files: files, lastModified: info["lastModified"]?.stringValue,
                                  origin: origin, info: info)
        do {
            try manifest.validate()
        } catch {
            throw .invalid("the upstream's file list is unusable: \(error)")
        }
        return manifest
    }

    package static func failure(status: Int, head: UpstreamResponseHead, body: [UInt8], url: String) -> Failure {
        // The Hub puts its message in X-Error-Message or {"error": …}; another Larder in {"message": …}.
        var message = head.header("X-Error-Message") ?? ""
        if message.isEmpty, case .object(let object)? = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) {
            message = object["message"]?.stringValue ?? object["error"]?.stringValue ?? ""
        }
        if status >= 500 || status == 429 || status == 408 {
            let detail = message.isEmpty ? String(decoding: body.prefix(200), as: UTF8.self) : message
            return .unavailable(LarderFailure(.upstreamFailed, "upstream_status", "upstream answered \(status) for \(url): \(detail)"))
        }
        if message.isEmpty { message = "upstream answered \(status)" }
        return .status(status, errorCode: head.header("X-Error-Code"), message: message)
    }

    /// The client error for a transfer that produced no answer.
    package static func unavailable(_ error: any Error, url: String) -> LarderFailure {
        if case UpstreamError.timedOut(let detail) = error {
            return LarderFailure(.upstreamTimedOut, "upstream_timeout", "the upstream Hub timed out (\(url)): \(detail)")
        }
        return LarderFailure(.upstreamFailed, "upstream_unavailable", "the upstream Hub could not be reached (\(url)): \(error)")
    }

    /// Percent-encodes a path segment (everything but unreserved characters), as the Hub client quotes revisions.
    package static func encode(_ text: String) -> String { PercentEscaping.segment(text) }
}
