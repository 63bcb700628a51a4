import Foundation
import LarderAPI
import LarderStore
import Logging

extension HFMirror {
    /// Starts warming `request.refs` in the background and returns the job (poll ``WarmJob/status``).
    public func startWarm(_ request: WarmRequest) -> WarmJob {
        let job = WarmJob(id: UUID().uuidString.lowercased(), refs: request.refs.map(\.ref))
        warmJobs.add(job)
        let concurrency = max(1, min(request.concurrency ?? 4, 64))
        Task.detached { [self] in
            await withTaskGroup(of: Void.self) { group in
                var next = 0
                for _ in 0..<min(concurrency, request.refs.count) {
                    let index = next
                    next += 1
                    group.addTask { await self.warm(request.refs[index], index: index, pin: request.pin, job: job) }
                }
                while await group.next() != nil, next < request.refs.count {
                    let index = next
                    next += 1
                    group.addTask { await self.warm(request.refs[index], index: index, pin: request.pin, job: job) }
                }
            }
            job.finish()
            let status = job.status
            self.logger.info("warm job finished", metadata: [
                "id": "\(job.id)", "state": "\(status.state)", "refs": "\(status.refs.count)",
                "bytes": "\(status.refs.reduce(0) { $0 + $1.bytesDone })",
            ])
        }
        return job
    }

    private func warm(_ reference: WarmRequest.Reference, index: Int, pin: Bool, job: WarmJob) async {
        let started = ContinuousClock.now
        job.update(ref: index) { $0.state = "resolving" }
        do {
            if reference.ref.hasPrefix("hf://") {
                try await warmRepository(reference, index: index, pin: pin, job: job, started: started)
            } else if reference.ref.hasPrefix("oci://") {
                try await warmImage(reference, index: index, pin: pin, job: job)
            } else {
                try await warmURL(reference.ref, index: index, pin: pin, job: job, started: started)
            }
            job.update(ref: index) {
                $0.state = "completed"
                $0.seconds = (ContinuousClock.now - started).seconds
            }
        } catch {
            let message = (error as? LarderFailure)?.message ?? (error as? HFInputError)?.description ?? "\(error)"
            logger.warning("warm failed", metadata: ["ref": "\(reference.ref)", "error": "\(message)"])
            job.update(ref: index) {
                $0.state = "failed"
                $0.error = message
                $0.seconds = (ContinuousClock.now - started).seconds
            }
        }
    }

    private func warmRepository(_ reference: WarmRequest.Reference, index: Int, pin: Bool, job: WarmJob,
                                started: ContinuousClock.Instant) async throws {
        let parsed = try HFReference(parsing: reference.ref)
        let manifest = try await resolve(parsed.repo, revision: parsed.revision, authorization: nil).manifest
        let wanted = Set(HFGlob.filter(manifest.files.map(\.path), include: reference.include ?? [], exclude: reference.exclude ?? []))
        let files = manifest.files.filter { wanted.contains($0.path) }
        guard !files.isEmpty else {
            throw LarderFailure.notFound("no_files", "no file of \(parsed.repo)@\(manifest.commit) matches the include/exclude patterns")
        }
        job.update(ref: index) {
            $0.state = "running"
            $0.commit = manifest.commit
            $0.files = files.count
            $0.bytes = files.reduce(0) { $0 + $1.size }
        }
        let concurrency = max(1, configuration.warmFileConcurrency)
        try await withThrowingTaskGroup(of: Void.self) { group in
            var next = 0
            func add() {
                let entry = files[next]
                next += 1
                group.addTask { try await self.warmFile(entry, of: manifest, index: index, pin: pin, job: job) }
            }
            for _ in 0..<min(concurrency, files.count) { add() }
            while try await group.next() != nil {
                if next < files.count { add() }
            }
        }
    }

    private func warmFile(_ entry: HFFileEntry, of manifest: HFManifest, index: Int, pin: Bool, job: WarmJob) async throws {
        switch try await open(entry, of: manifest, authorization: nil, pin: pin) {
        case .stored(let handle):
            let digest = handle.record.digest
            let pinned = handle.record.pinned
            handle.release()
            if pin && !pinned { _ = try await store.setPinned(digest, true) }
            if try store.ref(HFCatalog.fileRefName(manifest.repo, commit: manifest.commit, path: entry.path)) == nil {
                try await catalog.recordFile(manifest.repo, commit: manifest.commit, entry: entry, digest: digest)
            }
            job.update(ref: index) {
                $0.hits += 1
                $0.filesDone += 1
                $0.bytesDone += entry.size
            }
        case .filling(let fill, let head, _):
            store.releaseLease(id: head.blobID)
            let record = try await follow(fill, index: index, job: job)
            if pin && !record.pinned { _ = try await store.setPinned(record.digest, true) }
            job.update(ref: index) {
                $0.fetched += 1
                $0.filesDone += 1
            }
        }
    }

    /// Pre-pulls an `oci://` image through the OCI mirror.
    private func warmImage(_ reference: WarmRequest.Reference, index: Int, pin: Bool, job: WarmJob) async throws {
        guard let oci else {
            throw LarderFailure(.unsupportedOperation, "oci_unavailable", "oci:// references need the OCI mirror (larder serve --registry HOST=URL)")
        }
        let image = try OCIImageReference(parsing: reference.ref)
        let platforms = try (reference.platforms ?? []).map { text throws(LarderFailure) in try OCIPlatform(parsing: text) }
        job.update(ref: index) { $0.state = "resolving" }
        try await oci.warm(image, platforms: platforms, pin: pin) { change in job.update(ref: index, change) }
    }

    /// Follows a fill to its end, adding the bytes it commits to the reference's progress.
    private func follow(_ fill: Fill, index: Int, job: WarmJob) async throws -> BlobRecord {
        var reported: Int64 = 0
        while true {
            let snapshot = fill.snapshot
            let total: Int64
            if case .completed(let record) = snapshot.outcome { total = record.size } else { total = snapshot.committedBytes }
            if total > reported {
                let delta = total - reported
                job.update(ref: index) { $0.bytesDone += delta }
                reported = total
            }
            switch snapshot.outcome {
            case .completed(let record): return record
            case .failed(let error): throw error
            case .running: await fill.waitForChange(after: snapshot.version)
            }
        }
    }

    private func warmURL(_ text: String, index: Int, pin: Bool, job: WarmJob, started: ContinuousClock.Instant) async throws {
        var url = text
        var expected: BlobDigest?
        if let hash = text.firstIndex(of: "#") {
            url = String(text[..<hash])
            let fragment = text[text.index(after: hash)...]
            guard fragment.hasPrefix("sha256="), let digest = BlobDigest(parsing: fragment.dropFirst(7), allowBare: true) else {
                throw LarderFailure.invalidRequest("invalid_reference", "\(text.prefix(200)): the fragment must be #sha256=<64 hex digits>")
            }
            expected = digest
        }
        guard let parsed = URL(string: url), let scheme = parsed.scheme?.lowercased(), scheme == "http" || scheme == "https",
              parsed.host?.isEmpty == false else {
            throw LarderFailure.invalidRequest("invalid_reference", "\(text.prefix(200)) is neither hf://<repo>[@rev] nor an http(s) URL")
        }
        let refName = "url:" + url
        let known = try expected ?? store.ref(refName)?.digest
        job.update(ref: index) {
            $0.state = "running"
            $0.files = 1
        }
        if let known, let record = try store.record(known) {
            if pin && !record.pinned { _ = try await store.setPinned(known, true) }
            job.update(ref: index) {
                $0.bytes = record.size
                $0.bytesDone = record.size
                $0.hits = 1
                $0.filesDone = 1
            }
            return
        }
        guard urlFills.allowlist.allows(parsed) else {
            throw LarderFailure(.notPermitted, "upstream_not_allowed",
                              "host \(parsed.host ?? "") is not allowed as an upstream (start the server with --allow-upstream \(parsed.host ?? "HOST"))")
        }
        var request = FillCoordinator.Request(url: url, expected: expected, refName: refName)
        request.pin = pin
        request.peerPath = PeerPaths.fetch(url: url, expected: expected)  // warm lists on every node: one upstream fetch
        let (fill, _) = urlFills.fill(request)
        let head = try await fill.waitForHead()
        job.update(ref: index) { $0.bytes = head.contentLength ?? 0 }
        let record = try await follow(fill, index: index, job: job)
        if pin && !record.pinned { _ = try await store.setPinned(record.digest, true) }
        job.update(ref: index) {
            $0.bytes = record.size
            $0.fetched = 1
            $0.filesDone = 1
        }
    }
}
