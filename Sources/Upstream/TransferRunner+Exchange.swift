import CCurl
import Foundation

/// One exchange = one `curl_easy_perform` for one URL: the handle's options.
extension TransferRunner {
    /// Resets the handle and sets every option for the exchange described by ``exchange``.
    func configureExchange(_ easy: CurlEasy) throws(UpstreamError) {
        let target = exchange.target
        let url = target.url
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

        try installCallbacks(easy)
        try setMethodAndBody(easy, target: target)
        if let signing = request.awsSigning, exchange.hopCount == 0 {
            try easy.set(CURLOPT_AWS_SIGV4, signing.curlProvider)
            try easy.set(CURLOPT_USERPWD, "\(signing.accessKeyID):\(signing.secretAccessKey)")
        }
        var lines = target.headerLines(fields: request.headers, resuming: entity, delivered: delivered)
        if request.awsSigning != nil {
            // libcurl 7.88 signs the "Expect:" that suppresses 100-continue but does not send it, so the server's
            // signature would not match; a signed upload lets libcurl decide (its own Expect is not signed).
            lines.removeAll { $0 == "Expect:" }
        }
        try easy.setHeaderLines(lines)
    }

    /// Sets the method, the upload body (rewound) and its size for `target`.
    private func setMethodAndBody(_ easy: CurlEasy, target: ExchangeTarget) throws(UpstreamError) {
        let body = target.sendsBody ? upload : nil
        body?.rewind()
        switch target.method {
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
    }
}
