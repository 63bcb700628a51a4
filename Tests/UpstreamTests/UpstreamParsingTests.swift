import Testing
@testable import Upstream

@Suite("Header parsing and backoff")
struct ParsingTests {
    @Test("Interim 1xx blocks are skipped; folded lines joined; later lines (trailers) ignored")
    func headerBlocks() {
        var parser = ResponseHeaderParser()
        let lines = [
            "HTTP/1.1 100 Continue\r\n", "\r\n",
            "HTTP/1.1 200 OK\r\n", "Content-Length: 12\r\n", "X-Folded: first\r\n", "\t second\r\n",
            "ETag:   \"abc\"  \r\n", "\r\n",
            "X-Trailer: late\r\n",
        ]
        let completions = lines.map { parser.consume($0) }
        #expect(completions == [false, false, false, false, false, false, false, true, false])
        #expect(parser.status == 200)
        #expect(parser.value("content-length") == "12")
        #expect(parser.value("x-folded") == "first second")
        #expect(parser.value("ETAG") == "\"abc\"")
        #expect(parser.value("X-Trailer") == nil)
    }

    @Test("HTTP/2 status lines parse")
    func http2() {
        var parser = ResponseHeaderParser()
        let completions = ["HTTP/2 404 \r\n", "\r\n"].map { parser.consume($0) }
        #expect(completions == [false, true])
        #expect(parser.status == 404)
    }

    @Test("Content-Range values", arguments: [
        ("bytes 0-9/100", ContentRange(first: 0, last: 9, total: 100)),
        (" bytes 10-19/* ", ContentRange(first: 10, last: 19, total: nil)),
        ("bytes */100", nil),
        ("bytes 5-4/100", nil),
        ("bytes 0-100/100", nil),
        ("items 0-1/2", nil),
    ] as [(String, ContentRange?)])
    func contentRange(text: String, expected: ContentRange?) {
        #expect(ContentRange(text) == expected)
    }

    @Test("Content-Range fields")
    func contentRangeFields() throws {
        let range = try #require(ContentRange("bytes 100-199/1000"))
        #expect(range.first == 100 && range.last == 199 && range.total == 1000 && range.count == 100)
        #expect(try #require(ContentRange("bytes 0-0/*")).total == nil)
    }

    @Test("Backoff doubles from initialBackoff and is capped at 5 s")
    func backoff() {
        let configuration = UpstreamConfiguration()
        let delays = (1...7).map { configuration.backoff(beforeRetry: $0) }
        #expect(delays == [.milliseconds(200), .milliseconds(400), .milliseconds(800), .milliseconds(1600),
                           .milliseconds(3200), .seconds(5), .seconds(5)])
    }

    @Test("Defaults match the documented values")
    func defaults() {
        let configuration = UpstreamConfiguration()
        #expect(configuration.connectTimeout == .seconds(10))
        #expect(configuration.stallTimeout == .seconds(30))
        #expect(configuration.maxAttempts == 4)
        #expect(configuration.maxRedirects == 10)
        #expect(configuration.blockSize == 1 << 20)
        #expect(configuration.maxBufferedBlocks == 4)
        #expect(configuration.userAgent == "larder/0.1")
    }

    @Test("Origins and redaction")
    func urlRules() {
        #expect(URLRules.sameOrigin("http://a.example/x", "http://A.example:80/y"))
        #expect(!URLRules.sameOrigin("http://a.example/x", "https://a.example/x"))
        #expect(!URLRules.sameOrigin("http://127.0.0.1:1/x", "http://127.0.0.1:2/x"))
        #expect(URLRules.redacted("https://u:p@cdn.example/f.bin?X-Amz-Signature=s") == "https://cdn.example/f.bin?…")
    }
}
