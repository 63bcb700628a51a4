import CCurl
import Foundation

/// One exchange = one `curl_easy_perform` for one URL: option setup, callbacks and header decisions.
extension TransferRunner {
    /// Resets the handle and sets every option for a request to `url`.
    func configureExchange(
        _ easy: CurlEasy,
        url: String,
        method: UpstreamMethod,
        sendBody: Bool,
        stripCredentials: Bool
    ) throws(UpstreamError) {
        parser = ResponseHeaderParser()
        disposition = .pending
        skipRemaining = 0
        exchangeFailure = nil
        retryStatus = nil
        isRedirect = false
        currentURL = url
        stalled = false
        lastActivity = .now
        lastProgressBytes = 0

        try easy.reset()
        try easy.set(CURLOPT_URL, url)
        try easy.set(CURLOPT_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_REDIR_PROTOCOLS_STR, "http,https")
        try easy.set(CURLOPT_FOLLOWLOCATION, 0)
        try easy.set(CURLOPT_NOSIGNAL, 1)
        // A proxy's CONNECT response must not be mistaken for the upstream's head.
        try easy.set(CURLOPT_SUPPRESS_CONNECT_HEADERS, 1)
        try easy.set(CURLOPT_TCP_KEEPALIVE, 1)
        // Only a hint: libcurl 7.88 refuses it with CURLE_BAD_FUNCTION_ARGUMENT on a handle reset after a failed
        // name resolution, and a refused hint must not fail the request (that turned DNS failures into
        // "curl_easy_setopt(98) failed" and skipped the retries).
        _ = try? easy.set(CURLOPT_BUFFERSIZE, 128 * 1024)
        try easy.set(CURLOPT_USERAGENT, configuration.userAgent)
        try easy.set(CURLOPT_CONNECTTIMEOUT_MS, max(1, Int((configuration.connectTimeout.larderSeconds * 1000).rounded(.up))))
        let stallSeconds = Int(configuration.stallTimeout.larderSeconds.rounded(.up))
        if stallSeconds > 0 {
            try easy.set(CURLOPT_LOW_SPEED_LIMIT, 1)
            try easy.set(CURLOPT_LOW_SPEED_TIME, stallSeconds)
        }

        let context = Unmanaged.passUnretained(self).toOpaque()
        try easy.set(CURLOPT_HEADERFUNCTION, writeCallback: { data, size, count, context in
            guard let data, let context else { return 0 }
            return Unmanaged<TransferRunner>.fromOpaque(context).takeUnretainedValue().receiveHeader(data, size * count)
        })
        try easy.set(CURLOPT_HEADERDATA, pointer: context)
        try easy.set(CURLOPT_WRITEFUNCTION, writeCallback: { data, size, count, context in
            guard let data, let context else { return 0 }
            return Unmanaged<TransferRunner>.fromOpaque(context).takeUnretainedValue().receiveBody(data, size * count)
        })
        try easy.set(CURLOPT_WRITEDATA, pointer: context)
        try easy.set(CURLOPT_READFUNCTION, readCallback: { buffer, size, count, context in
            guard let buffer, let context else { return Int(CURL_READFUNC_ABORT) }
            return Unmanaged<TransferRunner>.fromOpaque(context).takeUnretainedValue().readUpload(buffer, size * count)
        })
        try easy.set(CURLOPT_READDATA, pointer: context)
        try easy.set(CURLOPT_NOPROGRESS, 0)
        try easy.set(CURLOPT_XFERINFOFUNCTION, xferinfoCallback: { context, _, received, _, sent in
            guard let context else { return 1 }
            return Unmanaged<TransferRunner>.fromOpaque(context).takeUnretainedValue().progress(
                received: Int64(received), sent: Int64(sent))
        })
        try easy.set(CURLOPT_XFERINFODATA, pointer: context)

        let body = sendBody ? upload : nil
        body?.rewind()
        switch method {
        case .get:
            try easy.set(CURLOPT_HTTPGET, 1)
        case .head:
            try easy.set(CURLOPT_NOBODY, 1)
        case .put:
            try easy.set(CURLOPT_UPLOAD, 1)
            try easy.set(CURLOPT_INFILESIZE_LARGE, offset: body?.length ?? 0)
        case .post:
            try easy.set(CURLOPT_POST, 1)
            try easy.set(CURLOPT_POSTFIELDSIZE_LARGE, offset: body?.length ?? 0)
        case .delete:
            try easy.set(CURLOPT_CUSTOMREQUEST, "DELETE")
        }
        try easy.setHeaderLines(headerLines(for: method, stripCredentials: stripCredentials))
    }

    /// Request header lines: the caller's fields, plus `Range`/`If-Range` when resuming.
    private func headerLines(for method: UpstreamMethod, stripCredentials: Bool) -> [String] {
        var lines: [String] = []
        var hasExpect = false
        for field in request.headers {
            let name = field.name.lowercased()
            if stripCredentials && (name == "authorization" || name == "cookie" || name == "proxy-authorization") {
                continue
            }
            if entity != nil && (name == "range" || name == "if-range") {
                continue
            }
            hasExpect = hasExpect || name == "expect"
            // "Name:" would make libcurl drop the field; "Name;" sends it with an empty value.
            lines.append(field.value.isEmpty ? "\(field.name);" : "\(field.name): \(field.value)")
        }
        if let entity {
            let offset = entity.rangeStart + delivered
            if offset > 0 || entity.rangeEnd != nil {
                lines.append("Range: bytes=\(offset)-\(entity.rangeEnd.map(String.init) ?? "")")
                if let validator = entity.ifRangeValidator {
                    lines.append("If-Range: \(validator)")
                }
            }
        }
        if (method == .put || method == .post) && !hasExpect {
            // No "Expect: 100-continue" round trip unless the caller asks for it.
            lines.append("Expect:")
        }
        return lines
    }

    // MARK: Callbacks (run inside curl_easy_perform on the transfer thread)

    /// `CURLOPT_XFERINFOFUNCTION`: aborts on cancellation, and when nothing moved for `stallTimeout`.
    ///
    /// libcurl's own low-speed check averages over a window of about five seconds, so after a burst
    /// it notices silence late; this notices it after `stallTimeout` (plus at most a second).
    func progress(received: Int64, sent: Int64) -> Int32 {
        if channel.isCancelled { return 1 }
        let now = ContinuousClock.now
        if received + sent != lastProgressBytes {
            lastProgressBytes = received + sent
            lastActivity = now
        } else if configuration.stallTimeout > .zero && now - lastActivity >= configuration.stallTimeout {
            stalled = true
            return 1
        }
        return 0
    }

    /// `CURLOPT_HEADERFUNCTION`: collects header lines and decides the body's fate at the blank line.
    func receiveHeader(_ data: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        if channel.isCancelled { return 0 }
        lastActivity = .now
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
        if parser.consume(line) {
            headersCompleted()
            if exchangeFailure != nil { return 0 }
        }
        return count
    }

    /// `CURLOPT_WRITEFUNCTION`: copies body bytes into blocks, waiting when the queue is full.
    func receiveBody(_ data: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        switch disposition {
        case .pending:
            return 0
        case .discard:
            return channel.isCancelled ? 0 : count
        case .deliver:
            var bytes = UnsafeRawBufferPointer(start: data, count: count)
            if skipRemaining > 0 {
                let skipped = Int(min(Int64(bytes.count), skipRemaining))
                skipRemaining -= Int64(skipped)
                bytes = UnsafeRawBufferPointer(rebasing: bytes[skipped...])
            }
            let blockSize = configuration.blockSize
            while !bytes.isEmpty {
                let taken = min(blockSize - block.count, bytes.count)
                block.append(contentsOf: bytes[..<taken])
                delivered += Int64(taken)
                bytes = UnsafeRawBufferPointer(rebasing: bytes[taken...])
                if block.count == blockSize {
                    guard channel.push(block) else { return 0 }
                    block = []
                    block.reserveCapacity(blockSize)
                }
            }
            // Time spent waiting for the consumer is not a stall of the upstream.
            lastActivity = .now
            return count
        }
    }

    /// `CURLOPT_READFUNCTION`: streams the upload body.
    func readUpload(_ buffer: UnsafeMutablePointer<CChar>, _ capacity: Int) -> Int {
        if channel.isCancelled { return Int(CURL_READFUNC_ABORT) }
        guard let upload else { return 0 }
        guard let count = upload.read(into: buffer, capacity: capacity) else {
            exchangeFailure = .transport(code: Int(CURLE_READ_ERROR.rawValue), message: "cannot read \(upload.name)")
            return Int(CURL_READFUNC_ABORT)
        }
        return count
    }

    // MARK: Decisions at the end of a header block

    private func headersCompleted() {
        let status = parser.status
        if Self.redirectStatuses.contains(status) && parser.value("Location") != nil {
            isRedirect = true
            disposition = .discard
            return
        }
        if let entity {
            decideResumption(status: status, entity: entity)
            return
        }
        // Retrying repeats the whole request: not for a POST that already went through a redirect.
        let repeatable = request.method.isIdempotent || hopCount == 0
        if Self.retryableStatuses.contains(status) && attempt < configuration.maxAttempts && repeatable {
            retryStatus = (status, retryAfter())
            disposition = .discard
            return
        }
        let published = makeEntity(status: status)
        entity = published
        channel.publishHead(published.head)
        disposition = .deliver
    }

    private func makeEntity(status: Int) -> PublishedEntity {
        let contentLength = parser.value("Content-Length").flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil }
        let range = status == 206 ? parser.value("Content-Range").flatMap(ContentRange.init) : nil
        let etag = parser.value("ETag").flatMap { $0.hasPrefix("W/") ? nil : $0 }
        let isHead = request.method == .head
        let resumable = request.method == .get && (status == 200 || (status == 206 && range != nil))
        let head = UpstreamResponseHead(
            status: status,
            headers: parser.fields,
            effectiveURL: currentURL,
            contentLength: status == 206 ? range?.total : contentLength
        )
        return PublishedEntity(
            head: head,
            isResumable: resumable,
            rangeStart: range?.first ?? 0,
            rangeEnd: range?.last,
            bodyLength: isHead ? nil : (range?.count ?? contentLength),
            entityLength: status == 206 ? range?.total : contentLength,
            etag: etag,
            lastModified: parser.value("Last-Modified")
        )
    }

    /// Checks that a response to a resumption request continues the published entity.
    private func decideResumption(status: Int, entity: PublishedEntity) {
        if Self.retryableStatuses.contains(status) {
            if attempt < configuration.maxAttempts {
                retryStatus = (status, retryAfter())
                disposition = .discard
            } else {
                exchangeFailure = .resumeFailed("upstream answered \(status) while resuming at byte \(delivered)")
            }
            return
        }
        let offset = entity.rangeStart + delivered
        switch status {
        case 206:
            guard let range = parser.value("Content-Range").flatMap(ContentRange.init), range.first == offset else {
                exchangeFailure = .resumeFailed(
                    "expected a range starting at \(offset), got \(parser.value("Content-Range") ?? "none")")
                return
            }
            if let known = entity.entityLength, let total = range.total, known != total {
                exchangeFailure = .resumeFailed("entity length changed from \(known) to \(total)")
                return
            }
            skipRemaining = 0
            disposition = .deliver
        case 200 where entity.head.status == 200:
            // No range support (or validator mismatch): re-download and drop what was delivered,
            // provided it is recognisably the same entity.
            if let changed = entityChange(from: entity) {
                exchangeFailure = .resumeFailed("entity changed while resuming: \(changed)")
                return
            }
            skipRemaining = delivered
            disposition = .deliver
        default:
            exchangeFailure = .resumeFailed("upstream answered \(status) when resuming at byte \(offset)")
        }
    }

    /// Describes how the current 200 response differs from the published entity, if it does.
    private func entityChange(from entity: PublishedEntity) -> String? {
        let length = parser.value("Content-Length").flatMap { Int64($0) }
        if let known = entity.entityLength, let length, known != length {
            return "length \(known) → \(length)"
        }
        if let etag = entity.etag, let now = parser.value("ETag"), etag != now {
            return "ETag \(etag) → \(now)"
        }
        if entity.etag == nil, let modified = entity.lastModified, let now = parser.value("Last-Modified"), modified != now {
            return "Last-Modified \(modified) → \(now)"
        }
        return nil
    }

    /// `Retry-After` in delta-seconds form, if present.
    private func retryAfter() -> Duration? {
        guard let value = parser.value("Retry-After"), let seconds = Int(value), seconds >= 0 else { return nil }
        return .seconds(seconds)
    }
}
