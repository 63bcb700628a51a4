import Foundation
import LarderAPI
import LarderStore

extension OCIMirror {
    /// Pre-pulls an image: the manifest or index, the manifests of `platforms` (an index's others are skipped),
    /// their configs and layers; with `pin`, everything is pinned. `update` receives progress in the warm job's
    /// terms (files = blobs, including manifests).
    public func warm(_ reference: OCIImageReference, platforms: [OCIPlatform], pin: Bool,
                     update: @Sendable ((inout WarmRefStatus) -> Void) -> Void) async throws(LarderFailure) {
        let target = try self.target(ns: reference.registry, name: reference.name)
        let top = try await manifest(target, reference.reference)
        let topDigest = top.digest
        update {
            $0.state = "running"
            $0.commit = topDigest.description
        }
        var manifests = [top]
        let document = try Self.document(top.handle)
        if let entries = document["manifests"] as? [[String: Any]] {
            top.handle.release()
            manifests = []
            let wanted = platforms.isEmpty ? [OCIPlatform.current] : platforms
            let chosen = entries.filter { entry in
                guard let platform = entry["platform"] as? [String: Any] else { return false }
                return wanted.contains { $0.matches(platform) }
            }
            guard !chosen.isEmpty else {
                throw .oci(.notFound, .manifestUnknown, "\(reference) has no manifest for \(wanted.map(\.description).joined(separator: ", "))")
            }
            try await pinIfAsked(topDigest, pin: pin)
            for entry in chosen {
                guard let text = entry["digest"] as? String else { continue }
                manifests.append(try await manifest(target, .digest(try OCIDigest.parse(text))))
            }
        }
        var blobs: [BlobDigest] = []
        for manifest in manifests {
            let body = try Self.document(manifest.handle)
            let digest = manifest.digest
            manifest.handle.release()
            try await pinIfAsked(digest, pin: pin)
            let descriptors = [body["config"] as? [String: Any]].compactMap { $0 } + ((body["layers"] as? [[String: Any]]) ?? [])
            for descriptor in descriptors {
                guard let text = descriptor["digest"] as? String else { continue }
                let blob = try OCIDigest.parse(text)
                if !blobs.contains(blob) { blobs.append(blob) }
                let size = (descriptor["size"] as? NSNumber)?.int64Value ?? 0
                update { $0.bytes += size }
            }
        }
        update { $0.files = blobs.count }
        for blob in blobs {
            try await warmBlob(target, blob, pin: pin, update: update)
        }
    }

    /// Brings one blob into the store (pinned when asked), counting it as a hit or a fetch.
    private func warmBlob(_ target: RegistryTarget, _ digest: BlobDigest, pin: Bool,
                          update: @Sendable ((inout WarmRefStatus) -> Void) -> Void) async throws(LarderFailure) {
        switch try await blob(target, digest, headOnly: false) {
        case .stored(let handle):
            let size = handle.record.size
            handle.release()
            try await pinIfAsked(digest, pin: pin)
            update {
                $0.hits += 1
                $0.filesDone += 1
                $0.bytesDone += size
            }
        case .filling(let fill, let head, _):
            store.releaseLease(id: head.blobID)
            let record = try await fill.waitForCompletion()
            try await pinIfAsked(digest, pin: pin)
            update {
                $0.fetched += 1
                $0.filesDone += 1
                $0.bytesDone += record.size
            }
        case .upstream:
            break
        }
    }

    private func pinIfAsked(_ digest: BlobDigest, pin: Bool) async throws(LarderFailure) {
        guard pin else { return }
        do {
            _ = try await store.setPinned(digest, true)
        } catch {
            throw Self.storeFailure(error)
        }
    }

    /// A stored manifest's JSON object.
    static func document(_ handle: BlobHandle) throws(LarderFailure) -> [String: Any] {
        var bytes: [UInt8] = []
        do {
            for index in 0..<handle.record.chunkCount {
                guard let chunk = try handle.withChunk(index, { Array($0) }) else {
                    throw LarderFailure(.internalFailure, "store_error", "manifest \(handle.record.digest) is missing chunk \(index)")
                }
                bytes += chunk
            }
        } catch let failure as LarderFailure {
            throw failure
        } catch {
            throw storeFailure(error)
        }
        guard let object = try? JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any] else {
            throw .oci(.upstreamFailed, .manifestInvalid, "manifest \(handle.record.digest) is not a JSON object")
        }
        return object
    }
}
