/// Where and how one exchange of an attempt is sent: the original request, or a redirect it led to.
struct ExchangeTarget: Equatable {
    /// URL requested.
    var url: String
    /// Method sent (a redirect may turn it into a GET).
    var method: UpstreamMethod
    /// Whether the request body is sent (not after a redirect that turned the request into a GET).
    var sendsBody: Bool
    /// Whether `Authorization`, `Cookie` and `Proxy-Authorization` are left out (after a cross-origin redirect).
    var stripsCredentials: Bool

    /// The first exchange of an attempt: `request` as given.
    init(request: UpstreamRequest) {
        self.init(url: request.url, method: request.method, sendsBody: true, stripsCredentials: false)
    }

    /// Creates a target from its parts.
    init(url: String, method: UpstreamMethod, sendsBody: Bool, stripsCredentials: Bool) {
        self.url = url
        self.method = method
        self.sendsBody = sendsBody
        self.stripsCredentials = stripsCredentials
    }

    /// The exchange that follows a `status` redirect from this one to `location` (libcurl's absolute
    /// resolution of `Location`, `nil` when unusable).
    ///
    /// - Parameters:
    ///   - hop: the number of this redirect within the attempt, from 1.
    ///   - maxRedirects: most redirects followed per attempt.
    ///   - policy: the request's ``UpstreamRequest/redirectPolicy``; `nil` allows any http/https target.
    /// - Throws: ``UpstreamError/invalidURL(_:)`` without a usable target, ``UpstreamError/tooManyRedirects(_:)``
    ///   past `maxRedirects`, ``UpstreamError/redirectNotAllowed(_:)`` for a target that is not http/https or
    ///   that `policy` rejects.
    func redirected(
        to location: String?,
        status: Int,
        hop: Int,
        maxRedirects: Int,
        policy: ((String) -> Bool)?
    ) throws(UpstreamError) -> ExchangeTarget {
        guard let location else {
            throw .invalidURL("unusable Location in redirect from \(URLRules.redacted(url))")
        }
        guard hop <= maxRedirects else { throw .tooManyRedirects(location) }
        guard URLRules.isHTTP(location) else { throw .redirectNotAllowed(location) }
        if let policy, !policy(location) { throw .redirectNotAllowed(location) }
        var next = self
        switch status {
        case 303 where method != .head, 301 where method == .post, 302 where method == .post:
            next.method = .get
            next.sendsBody = false
        default:
            break
        }
        if !URLRules.sameOrigin(url, location) {
            next.stripsCredentials = true
        }
        next.url = location
        return next
    }

    /// Request header lines: the caller's `fields`, plus `Range`/`If-Range` when resuming `entity`
    /// after `delivered` of its bytes.
    ///
    /// While resuming, the caller's own `Range`/`If-Range` are replaced: the range asked continues the
    /// published one (`rangeStart + delivered` up to its end, if it had one) and `If-Range` carries the
    /// entity's validator so that a changed entity comes back whole (a `200`) rather than spliced.
    func headerLines(fields: [(name: String, value: String)], resuming entity: PublishedEntity?, delivered: Int64) -> [String] {
        var lines: [String] = []
        var hasExpect = false
        for field in fields {
            let name = field.name.lowercased()
            if stripsCredentials && (name == "authorization" || name == "cookie" || name == "proxy-authorization") {
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
}
