import LarderAPI
import Upstream

/// How upstream registry answers become the failures clients see (in OCI terms).
enum RegistryFailures {
    /// The failure for an upstream answer with a non-2xx `status`: 401/403/429 are passed on as
    /// `UNAUTHORIZED`/`DENIED`/`TOOMANYREQUESTS`, a 404 keeps the upstream's OCI code (else `notFoundCode`),
    /// other client errors keep their status, and server errors become 502 so containerd falls back.
    static func status(_ status: Int, body: [UInt8], retryAfter: String?, notFoundCode: OCIErrorCode,
                       what: String) -> LarderFailure {
        let upstream = OCIErrorBody.parse(body)?.errors.first
        let said = upstream.map { ": \($0.code) \($0.message.prefix(200))" } ?? ""
        switch status {
        case 401:
            return .oci(.upstreamStatus(401), .unauthorized,
                        "the upstream registry refused \(what) without valid credentials (401\(said)); add credentials for it to the --registry-auth file")
        case 403:
            return .oci(.upstreamStatus(403), .denied, "the upstream registry denied access to \(what) (403\(said))")
        case 404, 410:
            let code = upstream.flatMap { OCIErrorCode(rawValue: $0.code) } ?? notFoundCode
            return .oci(.notFound, code, "the upstream registry has no \(what) (\(status)\(said))")
        case 429:
            var failure = LarderFailure.oci(.upstreamStatus(429), .tooManyRequests, "the upstream registry is rate-limiting \(what) (429\(said))")
            if let retryAfter { failure.headers["Retry-After"] = retryAfter }
            return failure
        case 400..<500:
            let code = upstream.flatMap { OCIErrorCode(rawValue: $0.code) } ?? .unknown
            return .oci(.upstreamStatus(status), code, "the upstream registry answered \(status) for \(what)\(said)")
        default:
            return LarderFailure(.upstreamFailed, "upstream_status", "the upstream registry answered \(status) for \(what)\(said); nothing was cached")
        }
    }

    /// The failure for a transport error (connect failure, stall, redirect) reaching `url`.
    static func transport(_ error: any Error, url: String) -> LarderFailure {
        if let failure = error as? LarderFailure { return failure }
        return FillCoordinator.clientError(for: error, url: url)
    }

    /// Whether `failure` means the upstream could not be asked (so a cached tag may be served stale).
    static func isUnreachable(_ failure: LarderFailure) -> Bool {
        switch failure.kind {
        case .upstreamFailed, .upstreamTimedOut, .unavailable: true
        case .upstreamStatus(let status): status >= 500 || status == 429
        default: false
        }
    }
}
