import CCurl
import Foundation

/// The libcurl callbacks of an exchange; they run inside `curl_easy_perform` on the transfer thread and
/// keep the exchange's state in ``TransferRunner/exchange``.
extension TransferRunner {
    /// Points the header, body, upload and progress callbacks of `easy` at this runner.
    ///
    /// The runner is passed unretained: it outlives every `curl_easy_perform` it starts.
    func installCallbacks(_ easy: CurlEasy) throws(UpstreamError) {
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
    }

    /// `CURLOPT_XFERINFOFUNCTION`: aborts on cancellation, and when nothing moved for `stallTimeout`.
    ///
    /// libcurl's own low-speed check averages over a window of about five seconds, so after a burst
    /// it notices silence late; this notices it after `stallTimeout` (plus at most a second).
    func progress(received: Int64, sent: Int64) -> Int32 {
        if channel.isCancelled { return 1 }
        let stalled = exchange.noteProgress(bytes: received + sent, at: .now, stallTimeout: configuration.stallTimeout)
        return stalled ? 1 : 0
    }

    /// `CURLOPT_HEADERFUNCTION`: collects header lines and decides the body's fate at the blank line.
    func receiveHeader(_ data: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        if channel.isCancelled { return 0 }
        exchange.lastActivity = .now
        let line = String(decoding: UnsafeRawBufferPointer(start: data, count: count), as: UTF8.self)
        if exchange.parser.consume(line) {
            headersCompleted()
            if exchange.failure != nil { return 0 }
        }
        return count
    }

    /// Takes the decision on the completed response head; publishes the head of a new entity.
    private func headersCompleted() {
        let decision = ResponseHeadPolicy.decide(exchange.parser, in: exchangeContext)
        exchange.record(decision)
        if case .publish(let published) = decision {
            entity = published
            channel.publishHead(published.head)
        }
    }

    /// `CURLOPT_WRITEFUNCTION`: copies body bytes into blocks, waiting when the queue is full.
    func receiveBody(_ data: UnsafeMutablePointer<CChar>, _ count: Int) -> Int {
        switch exchange.disposition {
        case .pending:
            return 0
        case .discard:
            return channel.isCancelled ? 0 : count
        case .deliver:
            var bytes = UnsafeRawBufferPointer(start: data, count: count)
            let skipped = exchange.skip(upTo: bytes.count)
            if skipped > 0 {
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
            exchange.lastActivity = .now
            return count
        }
    }

    /// `CURLOPT_READFUNCTION`: streams the upload body.
    func readUpload(_ buffer: UnsafeMutablePointer<CChar>, _ capacity: Int) -> Int {
        if channel.isCancelled { return Int(CURL_READFUNC_ABORT) }
        guard let upload else { return 0 }
        guard let count = upload.read(into: buffer, capacity: capacity) else {
            exchange.failure = .transport(code: Int(CURLE_READ_ERROR.rawValue), message: "cannot read \(upload.name)")
            return Int(CURL_READFUNC_ABORT)
        }
        return count
    }
}
