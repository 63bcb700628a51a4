import Crypto
import Foundation
import LarderAPI
import Upstream

/// The few S3 operations the run tier needs, over the upstream client (libcurl), signed with Signature Version 4
/// by libcurl itself. Every failure is an ``S3Failure`` that names S3's own error code.
public struct S3Client: Sendable {
    /// Where objects live and how to reach them.
    public let configuration: RunArchiveConfiguration
    /// Where credentials come from.
    public let credentials: S3CredentialSource
    let upstream: UpstreamClient
    /// Largest listing page or small object read into memory.
    static let maxSmallBody = 64 << 20

    /// Creates a client.
    public init(configuration: RunArchiveConfiguration, credentials: S3CredentialSource, upstream: UpstreamClient) {
        self.configuration = configuration
        self.credentials = credentials
        self.upstream = upstream
    }

    /// A request body.
    public enum Body: Sendable {
        /// Bytes in memory (records, XML documents).
        case bytes([UInt8])
        /// Bytes read at offsets (a blob streamed from the store).
        case reader(any UploadReader)
    }

    /// The signed request for `key` (the key as stored, unencoded).
    func request(_ method: UpstreamMethod, key: String, query: String? = nil, body: Body? = nil,
                 payloadSHA256: String? = nil, headers extra: [(name: String, value: String)] = []) throws -> UpstreamRequest {
        let signing = try credentials.signing(region: configuration.region)
        var headers: [(name: String, value: String)] = [("x-amz-content-sha256", payloadSHA256 ?? "UNSIGNED-PAYLOAD")]
        if let token = signing.sessionToken { headers.append(("x-amz-security-token", token)) }
        headers += extra
        var request = UpstreamRequest(url: configuration.url(encodedKey: Self.encodeKey(key), query: query), method: method,
                                      headers: headers, redirectPolicy: { _ in false })
        request.awsSigning = signing
        switch body {
        case .bytes(let bytes): request.uploadData = bytes
        case .reader(let reader): request.uploadReader = reader
        case nil: break
        }
        return request
    }

    /// Sends `request` and reads a small body; throws unless the status is 2xx (or in `accept`).
    func exchange(_ request: UpstreamRequest, accept: Set<Int> = []) async throws -> (status: Int, head: UpstreamResponseHead, body: [UInt8]) {
        let response: UpstreamResponse
        do {
            response = try await upstream.send(request)
        } catch let error as UpstreamError {
            throw S3Failure("s3_unreachable", "S3 at \(configuration.url(encodedKey: "")) could not be reached: \(error)")
        }
        let body = try await response.collect(upTo: Self.maxSmallBody)
        let status = response.head.status
        guard (200..<300).contains(status) || accept.contains(status) else {
            throw Self.failure(status: status, body: body, operation: "\(request.method.rawValue) \(request.url)")
        }
        return (status, response.head, body)
    }

    /// Stores `body` under `key`; `sha256` (hex) lets S3 check the bytes it received.
    public func put(_ key: String, body: Body, sha256: String?, contentType: String = "application/octet-stream") async throws {
        let length: Int
        switch body {
        case .bytes(let bytes): length = bytes.count
        case .reader(let reader): length = Int(reader.length)
        }
        _ = try await exchange(request(.put, key: key, body: body, payloadSHA256: sha256,
                                       headers: [("Content-Type", contentType), ("Content-Length", String(length))]))
    }

    /// Stores `bytes` under `key`, with their SHA-256 for S3 to check.
    public func put(_ key: String, bytes: [UInt8], contentType: String) async throws {
        let hex = SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
        try await put(key, body: .bytes(bytes), sha256: hex, contentType: contentType)
    }

    /// Whether `key` exists.
    public func exists(_ key: String) async throws -> Bool {
        try await exchange(request(.head, key: key), accept: [404]).status != 404
    }

    /// The bytes of `key`, or nil when there is no such object.
    public func get(_ key: String) async throws -> [UInt8]? {
        let answer = try await exchange(request(.get, key: key), accept: [404])
        return answer.status == 404 ? nil : answer.body
    }

    /// Removes `key` (absent keys are fine).
    public func delete(_ key: String) async throws {
        _ = try await exchange(request(.delete, key: key), accept: [404])
    }

    /// The URL and signed headers for reading `key` (for a fill that streams it into the store).
    public func readRequest(_ key: String) throws -> UpstreamRequest {
        try request(.get, key: key)
    }

    /// Every object under `prefix` (all pages); with `delimiter`, the common prefixes one level down as well.
    public func list(prefix: String, delimiter: String? = nil) async throws -> S3Listing {
        var listing = S3Listing()
        var token: String?
        repeat {
            // Query parameters in sorted order, values encoded as SigV4 canonicalises them.
            var parameters: [(String, String)] = []
            if let token { parameters.append(("continuation-token", token)) }
            if let delimiter { parameters.append(("delimiter", delimiter)) }
            parameters.append(("list-type", "2"))
            parameters.append(("prefix", prefix))
            let query = parameters.map { "\($0.0)=\(PercentEscaping.segment($0.1))" }.joined(separator: "&")
            let answer = try await exchange(request(.get, key: "", query: query))
            let page = try S3ListingParser.parse(answer.body)
            listing.objects += page.listing.objects
            listing.commonPrefixes += page.listing.commonPrefixes
            token = page.nextToken
        } while token != nil
        return listing
    }

    /// Each `/`-separated part of `key` encoded as SigV4 expects (RFC 3986 unreserved characters kept).
    static func encodeKey(_ key: String) -> String {
        key.split(separator: "/", omittingEmptySubsequences: false).map { PercentEscaping.segment(String($0)) }.joined(separator: "/")
    }

    /// A failure naming S3's error code and message from an error body.
    static func failure(status: Int, body: [UInt8], operation: String) -> S3Failure {
        let error = S3ListingParser.error(body)
        var detail = error.map { "\($0.code): \($0.message)" } ?? String(decoding: body.prefix(200), as: UTF8.self)
        if detail.isEmpty {
            // HEAD answers carry no error document.
            detail = status == 403 ? "access denied; check the credentials and the bucket policy" : "no reason given"
        }
        return S3Failure("s3_error", "S3 answered \(status) to \(operation): \(detail)", status: status)
    }
}
