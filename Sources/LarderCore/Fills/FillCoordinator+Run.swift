import Foundation
import LarderAPI
import LarderStore
import Logging
import Upstream

extension FillCoordinator {
    /// Where a fill reads from: an owner node, or the object's upstream.
    enum Source {
        case peer(PeerAddress)
        case upstream
    }

    /// A source that refused or broke off (not the store): the next source may carry on.
    struct SourceFailure: Error {
        var reason: String
        var underlying: any Error
        /// Already counted against the peer (by ``PeerTier/open(_:path:headers:offset:)``).
        var recorded = false
    }

    /// What a fill has written so far, carried from one source to the next.
    struct Progress {
        var writer: BlobWriter?
        var received: Int64 = 0
        var length: Int64?
        var peersUsed: [PeerAddress] = []
    }

    /// Runs one fill: the owners in order, then the upstream. A source that fails before or during the body hands
    /// over to the next one, which continues at the next missing byte (a `Range`, or the whole body with the part
    /// already written skipped), so clients already streaming see no break. Nothing is published unverified.
    func run(_ fill: Fill, _ request: Request, owners: [PeerAddress]) async {
        let started = ContinuousClock.now
        var progress = Progress()
        do {
            let record = try await transferFromSources(owners.map(Source.peer) + [.upstream], fill, request, &progress)
            fill.update { $0.outcome = .completed(record) }
            let elapsed = ContinuousClock.now - started
            metrics.fillDuration.record(elapsed)
            logger.info("fill completed", metadata: [
                "url": "\(request.url)", "digest": "\(record.digest)", "bytes": "\(record.size)",
                "seconds": "\(elapsed.seconds)", "peers": "\(progress.peersUsed.map(\.description).joined(separator: ","))",
            ])
        } catch {
            progress.writer?.abort()
            var failure = Self.clientError(for: error, url: request.url)
            if case UpstreamFailure.status(let status, let body) = error, let statusFailure = request.statusFailure {
                failure = statusFailure(status, body)
            }
            let badContent: Bool
            switch error {
            case StoreError.digestMismatch, StoreError.sizeMismatch: badContent = true
            default: badContent = false
            }
            if badContent, !progress.peersUsed.isEmpty, let peers {
                // A peer's bytes failed verification: blame it, and fill again without it at once, so the client
                // that asks again (its stream broke off before the last chunk) gets verified bytes from elsewhere.
                for peer in progress.peersUsed {
                    peers.failed(peer, PeerFailure(reason: "digest", message: "\(peer) sent content that failed verification: \(failure.message)"))
                }
                replace(fill, request)
            } else if case StoreError.digestMismatch = error, let expected = request.expected {
                // Before the outcome is published: a client whose stream breaks and asks again gets this answer.
                let key = Self.mismatchKey(url: request.url, expected: expected)
                mismatches.withLock { $0[key] = (failure, .now) }
            }
            metrics.fillsFailed.increment()
            logger.warning("fill failed", metadata: [
                "url": "\(request.url)", "bytes": "\(progress.received)", "error": "\(failure.message)",
            ])
            fill.update { $0.outcome = .failed(failure) }
        }
    }

    /// Starts a new fill for `request` in place of `old` (which is about to fail), unless another took its place.
    private func replace(_ old: Fill, _ request: Request) {
        let new = Fill(key: request.key)
        let replaced = running.withLock { running -> Bool in
            guard running[request.key] === old else { return false }
            running[request.key] = new
            return true
        }
        if replaced { start(new, request, owners: owners(for: request)) }
    }

    private func transferFromSources(_ sources: [Source], _ fill: Fill, _ request: Request,
                                     _ progress: inout Progress) async throws -> BlobRecord {
        for source in sources {
            do {
                return try await transfer(from: source, fill, request, &progress)
            } catch let failure as SourceFailure {
                guard case .peer(let peer) = source else { throw failure.underlying }
                if !failure.recorded {
                    peers?.failed(peer, PeerFailure(reason: failure.reason, message: "\(peer): \(failure.underlying)"))
                }
            }
        }
        throw UpstreamFailure.status(502, "no source left")  // not reached: the upstream is always the last source
    }

    private func transfer(from source: Source, _ fill: Fill, _ request: Request, _ progress: inout Progress) async throws -> BlobRecord {
        let response = try await open(source, request, offset: progress.received)
        let total = Self.entityLength(response.head)
        var skip: Int64 = 0
        if progress.received > 0 {
            if response.head.status == 206 {
                guard Self.rangeStart(response.head) == progress.received else {
                    response.cancel()
                    throw SourceFailure(reason: "range", underlying: UpstreamFailure.status(206, "range does not start at \(progress.received)"))
                }
            } else {
                skip = progress.received
            }
            if let known = progress.length, let total, known != total {
                response.cancel()
                throw SourceFailure(reason: "length", underlying: StoreError.sizeMismatch(expected: known, actual: total))
            }
        }
        let writer = try await writerFor(fill, request, source: source, head: response.head, total: total, &progress)
        if case .peer(let peer) = source, !progress.peersUsed.contains(peer) { progress.peersUsed.append(peer) }
        var iterator = response.makeAsyncIterator()
        while true {
            let block: [UInt8]?
            do {
                block = try await iterator.next()
            } catch {
                if case .upstream = source { throw error }
                throw SourceFailure(reason: "broken", underlying: error)
            }
            guard var bytes = block else { break }
            if skip > 0 {
                let drop = Int(min(Int64(bytes.count), skip))
                bytes.removeFirst(drop)
                skip -= Int64(drop)
                if bytes.isEmpty { continue }
            }
            bytes.withUnsafeBytes { writer.buffer($0) }
            progress.received += Int64(bytes.count)
            switch source {
            case .upstream: metrics.bytesFetched.increment(by: Int64(bytes.count))
            case .peer(let peer): peers?.metrics.received(bytes.count, from: peer)
            }
            try await writer.drain()
        }
        if case .peer = source, let length = progress.length, progress.received < length {
            throw SourceFailure(reason: "broken", underlying: StoreError.sizeMismatch(expected: length, actual: progress.received))
        }
        var refs: [String: [String: String]] = [:]
        if let refName = request.refName {
            var attributes: [String: String] = ["url": request.url]
            if let mediaType = fill.snapshot.head?.mediaType { attributes["content-type"] = mediaType }
            refs[refName] = attributes
        }
        return try await writer.finish(expectedSize: progress.length, refs: refs)
    }

    /// The writer of this fill: made, and the fill's head published, by the first source that answers.
    private func writerFor(_ fill: Fill, _ request: Request, source: Source, head: UpstreamResponseHead, total: Int64?,
                           _ progress: inout Progress) async throws -> BlobWriter {
        if let writer = progress.writer { return writer }
        let mediaType = head.header("Content-Type")
        let writer = try await store.makeWriter(expected: request.expected, expectedSize: total, mediaType: mediaType,
                                                source: request.url, pinned: request.pin)
        progress.writer = writer
        progress.length = total
        writer.observeCommits { committed in
            fill.update { $0.committedBytes = committed }
        }
        var origin = FillOrigin.upstream
        if case .peer(let peer) = source {
            origin = .peer(peer.description)
            peers?.metrics.peerFills.increment()
        }
        fill.update {
            $0.head = Fill.Head(blobID: writer.id, contentLength: total, mediaType: mediaType, expected: request.expected, origin: origin)
        }
        return writer
    }

    private func open(_ source: Source, _ request: Request, offset: Int64) async throws -> UpstreamResponse {
        if case .peer(let peer) = source {
            guard let peers, let path = request.peerPath else {
                throw SourceFailure(reason: "refused", underlying: UpstreamFailure.status(0, "no peer path"))
            }
            do {
                return try await peers.open(peer, path: path, headers: request.peerHeaders, offset: offset)
            } catch {
                throw SourceFailure(reason: error.reason, underlying: error, recorded: true)
            }
        }
        var upstreamRequest = UpstreamRequest(url: request.url)
        upstreamRequest.headers = request.headers
        if offset > 0 { upstreamRequest.headers.append(("Range", "bytes=\(offset)-")) }
        let allowlist = self.allowlist
        upstreamRequest.redirectPolicy = { target in allowlist.allows(target) }
        if let signing = request.awsSigning {
            upstreamRequest.awsSigning = signing
            upstreamRequest.redirectPolicy = { _ in false }
        }
        let response = try await upstream.send(upstreamRequest)
        guard (200..<300).contains(response.head.status) else {
            let body = (try? await response.collect(upTo: 512)) ?? []
            response.cancel()
            throw UpstreamFailure.status(response.head.status, String(decoding: body, as: UTF8.self))
        }
        return response
    }

    /// The whole entity's length: `Content-Range`'s total for a 206, `Content-Length` otherwise.
    static func entityLength(_ head: UpstreamResponseHead) -> Int64? {
        guard head.status == 206 else { return head.contentLength }
        guard let range = head.header("Content-Range"), let slash = range.lastIndex(of: "/") else { return nil }
        return Int64(range[range.index(after: slash)...].trimmingCharacters(in: .whitespaces))
    }

    /// The first byte of a 206's `Content-Range` (`bytes FIRST-LAST/TOTAL`).
    static func rangeStart(_ head: UpstreamResponseHead) -> Int64? {
        guard let range = head.header("Content-Range") else { return nil }
        let spec = range.trimmingCharacters(in: .whitespaces)
        guard spec.lowercased().hasPrefix("bytes "), let dash = spec.firstIndex(of: "-") else { return nil }
        return Int64(spec[spec.index(spec.startIndex, offsetBy: 6)..<dash].trimmingCharacters(in: .whitespaces))
    }
}
