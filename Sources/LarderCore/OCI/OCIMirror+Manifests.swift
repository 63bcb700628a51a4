import Foundation
import LarderAPI
import LarderStore
import Upstream

extension OCIMirror {
    /// A manifest ready to serve: held open in the store.
    public struct ManifestAnswer: Sendable {
        /// The stored manifest (release it when done).
        public let handle: BlobHandle
        /// Its exact media type.
        public let mediaType: String
        /// How it was answered: `hit`, `miss`, `revalidated` or `stale` (an expired tag served while the upstream
        /// is unreachable).
        public let cache: CacheAnswer

        /// Whether the answer is an expired tag mapping the upstream could not confirm.
        public var stale: Bool { cache == .stale }
        /// The manifest's digest.
        public var digest: BlobDigest { handle.record.digest }
    }

    /// Resolves `reference` of `target`: by digest from the store or the upstream (verified); by tag from the tag
    /// cache while younger than the TTL, else revalidated with a HEAD upstream, else fetched.
    public func manifest(_ target: RegistryTarget, _ reference: OCIReference) async throws(LarderFailure) -> ManifestAnswer {
        do {
            switch reference {
            case .digest(let digest):
                if let handle = try store.open(digest) {
                    return answer(handle, target: target, cache: .hit)
                }
                return answer(try await lookUp(target, reference), target: target, cache: .miss)
            case .tag(let tag):
                let refName = Self.tagRef(host: target.host, name: target.name.value, tag: tag)
                if let ref = try store.ref(refName), let handle = try store.open(ref.digest) {
                    if let cache = try await revalidate(target, tag: tag, ref: ref, refName: refName) {
                        return answer(handle, target: target, cache: cache)
                    }
                    handle.release()
                }
                return answer(try await lookUp(target, reference), target: target, cache: .miss)
            }
        } catch let failure as LarderFailure {
            throw failure
        } catch {
            throw Self.storeFailure(error)
        }
    }

    private func answer(_ handle: BlobHandle, target: RegistryTarget, cache: CacheAnswer) -> ManifestAnswer {
        metrics.request(target.host, kind: "manifest", result: cache.rawValue)
        let mediaType = handle.record.mediaType ?? Self.manifestMediaTypes[1]
        return ManifestAnswer(handle: handle, mediaType: mediaType, cache: cache)
    }

    /// Whether the cached tag may be served, and how: `hit` within the TTL, `revalidated` when the upstream's HEAD
    /// names the same digest, `stale` when the upstream cannot be reached; nil when it must be fetched again.
    private func revalidate(_ target: RegistryTarget, tag: String, ref: RefRecord, refName: String) async throws -> CacheAnswer? {
        let age = Date().timeIntervalSince1970 - ref.updated
        if age >= 0 && age < configuration.tagTTL.seconds { return .hit }
        if let until = downUntil.withLock({ $0[target.host] }), until > .now { return .stale }
        do {
            let url = target.url("manifests", tag)
            let response = try await registryClient.send(target, url: url, method: .head, headers: [("Accept", Self.manifestMediaTypes.joined(separator: ", "))])
            response.cancel()
            guard (200..<300).contains(response.head.status) else {
                throw RegistryFailures.status(response.head.status, body: [], retryAfter: response.head.header("Retry-After"),
                                              notFoundCode: .manifestUnknown, what: "manifest \(target.displayName):\(tag)")
            }
            downUntil.withLock { $0[target.host] = nil }
            guard let current = response.head.header("Docker-Content-Digest").flatMap({ BlobDigest(parsing: $0.trimmingCharacters(in: .whitespaces)) }),
                  current == ref.digest else { return nil }
            try await store.setRef(refName, RefRecord(digest: current, attributes: ref.attributes))
            return .revalidated
        } catch let failure as LarderFailure where RegistryFailures.isUnreachable(failure) {
            downUntil.withLock { $0[target.host] = .now + Self.upstreamRetryInterval }
            logger.warning("registry unavailable; serving a stale tag", metadata: [
                "registry": "\(target.host)", "name": "\(target.name)", "tag": "\(tag)", "digest": "\(ref.digest)",
                "age_s": "\(Int(age))", "error": "\(failure.message)",
            ])
            return .stale
        }
    }

    /// Fetches `reference` from the upstream (one request per registry, name and reference at a time), verifies and
    /// stores it; returns it opened.
    private func lookUp(_ target: RegistryTarget, _ reference: OCIReference) async throws -> BlobHandle {
        let key = "\(target.displayName) \(reference)"
        let task = lookups.withLock { lookups -> Task<BlobDigest, any Error> in
            if let running = lookups[key] { return running }
            let task = Task<BlobDigest, any Error> { [self] in
                defer { _ = self.lookups.withLock { $0.removeValue(forKey: key) } }
                return try await self.fetchManifest(target, reference)
            }
            lookups[key] = task
            return task
        }
        let digest = try await task.value
        guard let handle = try store.open(digest) else {
            throw LarderFailure.oci(.notFound, .manifestUnknown, "manifest \(digest) of \(target.displayName) was evicted while it was being served; ask again")
        }
        return handle
    }

    /// GETs the manifest, checks its size and digest, stores it with its media type and, for a tag, the tag mapping.
    func fetchManifest(_ target: RegistryTarget, _ reference: OCIReference) async throws -> BlobDigest {
        let url = target.url("manifests", reference.description)
        let what = "manifest \(target.displayName)\(reference.isDigest ? "@" : ":")\(reference)"
        let response = try await registryClient.send(target, url: url, method: .get, headers: [("Accept", Self.manifestMediaTypes.joined(separator: ", "))])
        guard (200..<300).contains(response.head.status) else {
            let body = (try? await response.collect(upTo: 4096)) ?? []
            response.cancel()
            throw RegistryFailures.status(response.head.status, body: body, retryAfter: response.head.header("Retry-After"),
                                          notFoundCode: .manifestUnknown, what: what)
        }
        let limit = configuration.maxManifestBytes
        if let length = response.head.contentLength, length > Int64(limit) {
            response.cancel()
            throw LarderFailure.oci(.upstreamFailed, .manifestInvalid, "\(what) is \(length) bytes, more than the \(limit) a manifest may have")
        }
        let bytes: [UInt8]
        do {
            bytes = try await response.collect(upTo: limit)
        } catch {
            throw RegistryFailures.transport(error, url: url)
        }
        let digest = BlobDigest(hashing: bytes)
        let announced = response.head.header("Docker-Content-Digest").flatMap { BlobDigest(parsing: $0.trimmingCharacters(in: .whitespaces)) }
        if case .digest(let expected) = reference, expected != digest {
            throw LarderFailure(.upstreamFailed, "digest_mismatch", "the upstream sent \(what) with digest \(digest); nothing was cached")
        }
        if let announced, announced != digest {
            throw LarderFailure(.upstreamFailed, "digest_mismatch", "the upstream announced \(announced) for \(what) but sent content with digest \(digest); nothing was cached")
        }
        let mediaType = Self.mediaType(header: response.head.header("Content-Type"), body: bytes)
        metrics.upstreamBytes(target.host, Int64(bytes.count))
        _ = try await store.put(bytes, expected: digest, mediaType: mediaType, source: url)
        if case .tag(let tag) = reference {
            let refName = Self.tagRef(host: target.host, name: target.name.value, tag: tag)
            try await store.setRef(refName, RefRecord(digest: digest, attributes: ["content-type": mediaType, "upstream": url]))
        }
        logger.info("manifest cached", metadata: ["registry": "\(target.host)", "name": "\(target.name)", "reference": "\(reference)",
                                                  "digest": "\(digest)", "media_type": "\(mediaType)", "bytes": "\(bytes.count)"])
        return digest
    }

    /// The manifest's media type: the upstream's `Content-Type` without parameters, else the document's own
    /// `mediaType` field, else the OCI image manifest type.
    static func mediaType(header: String?, body: [UInt8]) -> String {
        if let header, let type = header.split(separator: ";").first?.trimmingCharacters(in: .whitespaces), !type.isEmpty,
           type != "application/octet-stream", type != "text/plain" {
            return type
        }
        if let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any], let type = object["mediaType"] as? String, !type.isEmpty {
            return type
        }
        return manifestMediaTypes[1]
    }
}

extension OCIReference {
    /// Whether this is a digest.
    public var isDigest: Bool {
        if case .digest = self { return true }
        return false
    }
}
