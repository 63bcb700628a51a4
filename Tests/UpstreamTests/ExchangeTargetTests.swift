import Testing
@testable import Upstream

@Suite("Redirect targets, request header lines and exchange state (no libcurl, no server)")
struct ExchangeTargetTests {
    private let post = ExchangeTarget(url: "http://a.example/up", method: .post, sendsBody: true, stripsCredentials: false)

    @Test("303 turns anything but HEAD into a body-less GET; 301/302 only a POST; 307/308 keep the method")
    func methodRewrites() throws {
        func follow(_ target: ExchangeTarget, _ status: Int) throws -> ExchangeTarget {
            try target.redirected(to: "http://a.example/next", status: status, hop: 1, maxRedirects: 5, policy: nil)
        }
        for status in [301, 302, 303] {
            let next = try follow(post, status)
            #expect(next.method == .get && !next.sendsBody && next.url == "http://a.example/next")
        }
        for status in [307, 308] {
            #expect(try follow(post, status) == ExchangeTarget(url: "http://a.example/next", method: .post,
                                                               sendsBody: true, stripsCredentials: false))
        }
        let put = ExchangeTarget(url: "http://a.example/up", method: .put, sendsBody: true, stripsCredentials: false)
        #expect(try follow(put, 301).method == .put)
        #expect(try follow(put, 303).method == .get)
        let head = ExchangeTarget(url: "http://a.example/x", method: .head, sendsBody: true, stripsCredentials: false)
        #expect(try follow(head, 303).method == .head)
    }

    @Test("Credentials are stripped past a cross-origin hop, and stay stripped")
    func crossOrigin() throws {
        let start = ExchangeTarget(request: UpstreamRequest(url: "http://a.example/x"))
        let sameOrigin = try start.redirected(to: "http://A.example:80/y", status: 302, hop: 1, maxRedirects: 5, policy: nil)
        #expect(!sameOrigin.stripsCredentials)
        let away = try sameOrigin.redirected(to: "https://cdn.example/y", status: 302, hop: 2, maxRedirects: 5, policy: nil)
        let back = try away.redirected(to: "http://a.example/z", status: 302, hop: 3, maxRedirects: 5, policy: nil)
        #expect(away.stripsCredentials && back.stripsCredentials)
    }

    @Test("Redirects are followed only to allowed http(s) targets, at most maxRedirects times")
    func refusals() {
        let start = ExchangeTarget(request: UpstreamRequest(url: "http://a.example/x"))
        #expect(throws: UpstreamError.self) {
            try start.redirected(to: nil, status: 302, hop: 1, maxRedirects: 5, policy: nil)
        }
        func refusal(_ location: String, hop: Int = 1, policy: ((String) -> Bool)? = nil) -> UpstreamError? {
            do {
                _ = try start.redirected(to: location, status: 302, hop: hop, maxRedirects: 3, policy: policy)
                return nil
            } catch {
                return error
            }
        }
        guard case .tooManyRedirects("http://a.example/4") = refusal("http://a.example/4", hop: 4) else {
            Issue.record("the fourth hop past maxRedirects 3 is refused")
            return
        }
        #expect(refusal("http://a.example/3", hop: 3) == nil)
        guard case .redirectNotAllowed("ftp://a.example/f") = refusal("ftp://a.example/f") else {
            Issue.record("a non-http target is refused")
            return
        }
        let onlyCDN: (String) -> Bool = { $0.hasPrefix("https://cdn.example/") }
        guard case .redirectNotAllowed("https://evil.example/f") = refusal("https://evil.example/f", policy: onlyCDN) else {
            Issue.record("a target the policy rejects is refused")
            return
        }
        #expect(refusal("https://cdn.example/f", policy: onlyCDN) == nil)
    }

    @Test("Resuming replaces the caller's Range/If-Range with the next range and the entity's validator")
    func resumeHeaderLines() {
        let target = ExchangeTarget(url: "http://a.example/x", method: .get, sendsBody: true, stripsCredentials: true)
        let fields = [("Range", "bytes=0-"), ("Authorization", "Bearer t"), ("X-Empty", ""), ("If-Range", "\"old\"")]
            .map { (name: $0.0, value: $0.1) }
        #expect(target.headerLines(fields: fields, resuming: nil, delivered: 0)
            == ["Range: bytes=0-", "X-Empty;", "If-Range: \"old\""])
        var entity = PublishedEntity(head: headOf(200, ["ETag: \"e\"", "Last-Modified: Mon"]), method: .get, url: "http://a/")
        #expect(target.headerLines(fields: fields, resuming: entity, delivered: 500)
            == ["X-Empty;", "Range: bytes=500-", "If-Range: \"e\""])
        // Nothing delivered yet of an open-ended entity: no Range at all (and the caller's is still dropped).
        #expect(target.headerLines(fields: fields, resuming: entity, delivered: 0) == ["X-Empty;"])
        entity = PublishedEntity(head: headOf(206, ["Content-Range: bytes 10-19/100", "Last-Modified: Mon"]),
                                 method: .get, url: "http://a/")
        #expect(target.headerLines(fields: [], resuming: entity, delivered: 0) == ["Range: bytes=10-19", "If-Range: Mon"])
        #expect(target.headerLines(fields: [], resuming: entity, delivered: 4) == ["Range: bytes=14-19", "If-Range: Mon"])
    }

    @Test("PUT and POST send an empty Expect unless the caller set one")
    func expectLine() {
        #expect(post.headerLines(fields: [], resuming: nil, delivered: 0) == ["Expect:"])
        #expect(post.headerLines(fields: [(name: "Expect", value: "100-continue")], resuming: nil, delivered: 0)
            == ["Expect: 100-continue"])
    }

    @Test("Exchange state: decisions set the body's fate, the skip is consumed, a silent transfer stalls")
    func exchangeState() {
        let start = ContinuousClock.now
        var state = ExchangeState(target: post, hopCount: 0, now: start)
        #expect(state.disposition == .pending && !state.isRedirect && state.retryStatus == nil)
        state.record(.resume(skipping: 10))
        #expect(state.disposition == .deliver)
        let skips = [state.skip(upTo: 4), state.skip(upTo: 100), state.skip(upTo: 100)]
        #expect(skips == [4, 6, 0])
        state.record(.fail(.resumeFailed("x")))
        #expect(state.disposition == .pending && state.failure != nil)

        let stallTimeout = Duration.seconds(30)
        let progress = [(0, 29), (5, 31), (5, 60)].map { bytes, seconds in
            state.noteProgress(bytes: Int64(bytes), at: start + .seconds(seconds), stallTimeout: stallTimeout)
        }
        #expect(progress == [false, false, false] && !state.stalled)
        let stalled = state.noteProgress(bytes: 5, at: start + .seconds(61), stallTimeout: stallTimeout)
        #expect(stalled && state.stalled)
        var unlimited = ExchangeState(target: post, hopCount: 0, now: start)
        let unlimitedStalled = unlimited.noteProgress(bytes: 0, at: start + .seconds(999), stallTimeout: .zero)
        #expect(!unlimitedStalled)
    }
}

/// A completed response head with `status` and raw `lines`.
private func headOf(_ status: Int, _ lines: [String]) -> ResponseHeaderParser {
    var parser = ResponseHeaderParser()
    _ = parser.consume("HTTP/1.1 \(status) Reason\r\n")
    for line in lines {
        _ = parser.consume(line + "\r\n")
    }
    _ = parser.consume("\r\n")
    return parser
}
