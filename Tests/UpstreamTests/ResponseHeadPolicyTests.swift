import Testing
@testable import Upstream

/// A completed response head with `status` and `fields`, as libcurl would hand it over line by line.
private func head(_ status: Int, _ fields: [(String, String)] = []) -> ResponseHeaderParser {
    var parser = ResponseHeaderParser()
    _ = parser.consume("HTTP/1.1 \(status) Reason\r\n")
    for (name, value) in fields {
        _ = parser.consume("\(name): \(value)\r\n")
    }
    let completed = parser.consume("\r\n")
    #expect(completed)
    return parser
}

/// The context of a GET to `url` on attempt `attempt` of 4, without redirects, not yet resuming.
private func context(
    method: UpstreamMethod = .get,
    attempt: Int = 1,
    hopCount: Int = 0,
    entity: PublishedEntity? = nil,
    delivered: Int64 = 0
) -> ExchangeContext {
    ExchangeContext(method: method, url: "http://origin.example/f.bin", attempt: attempt, maxAttempts: 4,
                    hopCount: hopCount, entity: entity, delivered: delivered)
}

/// The entity a GET published from `head`.
private func published(_ head: ResponseHeaderParser) -> PublishedEntity {
    PublishedEntity(head: head, method: .get, url: "http://origin.example/f.bin")
}

/// The published entity of `decision`, recording an issue when it is something else.
private func publishedEntity(_ decision: HeadDecision) -> PublishedEntity? {
    guard case .publish(let entity) = decision else {
        Issue.record("expected .publish, got \(decision)")
        return nil
    }
    return entity
}

/// The message of a `resumeFailed` decision, recording an issue when it is something else.
private func resumeFailure(_ decision: HeadDecision) -> String? {
    guard case .fail(.resumeFailed(let message)) = decision else {
        Issue.record("expected .fail(.resumeFailed), got \(decision)")
        return nil
    }
    return message
}

@Suite("Response head decisions (no libcurl, no server)")
struct ResponseHeadPolicyTests {
    @Test("A redirect is followed only when it carries a Location", arguments: [301, 302, 303, 307, 308])
    func redirects(status: Int) {
        let decision = ResponseHeadPolicy.decide(head(status, [("Location", "/next")]), in: context())
        guard case .followRedirect = decision else {
            Issue.record("expected .followRedirect, got \(decision)")
            return
        }
        #expect(decision.disposition == .discard)
        // Without a Location the redirect response is the final answer.
        #expect(publishedEntity(ResponseHeadPolicy.decide(head(status), in: context()))?.head.status == status)
    }

    @Test("Retryable statuses are retried while attempts remain, with Retry-After", arguments: [429, 502, 503, 504])
    func retryable(status: Int) {
        let decision = ResponseHeadPolicy.decide(head(status, [("Retry-After", "7")]), in: context(attempt: 3))
        guard case .retry(let retried, let retryAfter) = decision else {
            Issue.record("expected .retry, got \(decision)")
            return
        }
        #expect(retried == status && retryAfter == .seconds(7))
        #expect(decision.disposition == .discard)
        // On the last attempt the status is published as the answer.
        #expect(publishedEntity(ResponseHeadPolicy.decide(head(status), in: context(attempt: 4)))?.head.status == status)
    }

    @Test("Retry-After only in non-negative delta-seconds form", arguments: [
        ("12", Duration?.some(.seconds(12))), ("0", .some(.zero)), ("-1", nil), ("soon", nil),
        ("Wed, 21 Oct 2015 07:28:00 GMT", nil),
    ] as [(String, Duration?)])
    func retryAfter(value: String, expected: Duration?) {
        #expect(ResponseHeadPolicy.retryAfter(head(503, [("Retry-After", value)])) == expected)
    }

    @Test("A POST past a redirect is not retried on a retryable status; a PUT is")
    func postAfterRedirect() {
        let post = ResponseHeadPolicy.decide(head(503), in: context(method: .post, hopCount: 1))
        #expect(publishedEntity(post)?.head.status == 503)
        if case .retry = ResponseHeadPolicy.decide(head(503), in: context(method: .post, hopCount: 0)) {} else {
            Issue.record("a POST's first exchange is retried")
        }
        if case .retry = ResponseHeadPolicy.decide(head(503), in: context(method: .put, hopCount: 2)) {} else {
            Issue.record("an idempotent request is retried after redirects")
        }
    }

    @Test("A 200 publishes its Content-Length and validators; a weak ETag is not kept")
    func publishes200() throws {
        let decision = ResponseHeadPolicy.decide(
            head(200, [("Content-Length", "1000"), ("ETag", "W/\"weak\""), ("Last-Modified", "Mon")]), in: context())
        let entity = try #require(publishedEntity(decision))
        #expect(decision.disposition == .deliver)
        #expect(entity.head.contentLength == 1000 && entity.bodyLength == 1000 && entity.entityLength == 1000)
        #expect(entity.head.effectiveURL == "http://origin.example/f.bin")
        #expect(entity.isResumable && entity.rangeStart == 0 && entity.rangeEnd == nil)
        #expect(entity.etag == nil && entity.ifRangeValidator == "Mon")
    }

    @Test("Content-length bookkeeping: 206 ranges, HEAD, missing or negative lengths")
    func contentLengths() {
        let partial = published(head(206, [("Content-Range", "bytes 10-19/100"), ("Content-Length", "10")]))
        #expect(partial.head.contentLength == 100 && partial.entityLength == 100 && partial.bodyLength == 10)
        #expect(partial.rangeStart == 10 && partial.rangeEnd == 19 && partial.isResumable)
        let unknownTotal = published(head(206, [("Content-Range", "bytes 0-9/*")]))
        #expect(unknownTotal.head.contentLength == nil && unknownTotal.bodyLength == 10)
        let unusableRange = published(head(206, [("Content-Range", "bytes */100"), ("Content-Length", "5")]))
        #expect(!unusableRange.isResumable && unusableRange.head.contentLength == nil && unusableRange.bodyLength == 5)
        let headOnly = PublishedEntity(head: head(200, [("Content-Length", "42")]), method: .head, url: "http://h/")
        #expect(headOnly.head.contentLength == 42 && headOnly.bodyLength == nil && !headOnly.isResumable)
        #expect(published(head(200, [("Content-Length", "-3")])).bodyLength == nil)
        #expect(published(head(200, [("Content-Length", "x")])).head.contentLength == nil)
        #expect(!published(head(404, [("Content-Length", "9")])).isResumable)
        #expect(!PublishedEntity(head: head(200), method: .post, url: "http://h/").isResumable)
    }

    @Test("A 206 resuming at the next missing byte with the same length continues the entity")
    func resume206() {
        let entity = published(head(200, [("Content-Length", "1000"), ("ETag", "\"e\"")]))
        let decision = ResponseHeadPolicy.decide(
            head(206, [("Content-Range", "bytes 400-999/1000")]), in: context(attempt: 2, entity: entity, delivered: 400))
        guard case .resume(let skipping) = decision else {
            Issue.record("expected .resume, got \(decision)")
            return
        }
        #expect(skipping == 0 && decision.disposition == .deliver)
    }

    @Test("A 206 is checked against the range asked (offset within a caller's range) and the entity length")
    func resume206Checks() {
        let ranged = published(head(206, [("Content-Range", "bytes 100-199/1000")]))
        let resuming = context(attempt: 2, entity: ranged, delivered: 30)
        if case .resume = ResponseHeadPolicy.decide(head(206, [("Content-Range", "bytes 130-199/1000")]), in: resuming) {} else {
            Issue.record("a range continuing at rangeStart + delivered is accepted")
        }
        let wrongStart = resumeFailure(ResponseHeadPolicy.decide(head(206, [("Content-Range", "bytes 30-199/1000")]), in: resuming))
        #expect(wrongStart == "expected a range starting at 130, got bytes 30-199/1000")
        let missing = resumeFailure(ResponseHeadPolicy.decide(head(206), in: resuming))
        #expect(missing == "expected a range starting at 130, got none")
        let resized = resumeFailure(ResponseHeadPolicy.decide(head(206, [("Content-Range", "bytes 130-199/2000")]), in: resuming))
        #expect(resized == "entity length changed from 1000 to 2000")
        if case .resume = ResponseHeadPolicy.decide(head(206, [("Content-Range", "bytes 130-199/*")]), in: resuming) {} else {
            Issue.record("an unknown total does not contradict the known length")
        }
    }

    @Test("A 200 to a resumed request re-downloads and skips the delivered prefix")
    func resumeWith200() {
        let entity = published(head(200, [("Content-Length", "1000"), ("ETag", "\"e\"")]))
        let decision = ResponseHeadPolicy.decide(
            head(200, [("Content-Length", "1000"), ("ETag", "\"e\"")]), in: context(attempt: 2, entity: entity, delivered: 600))
        guard case .resume(let skipping) = decision else {
            Issue.record("expected .resume, got \(decision)")
            return
        }
        #expect(skipping == 600 && decision.disposition == .deliver)
    }

    @Test("A 200 to a resumed request is refused when the entity changed or the first answer was a 206")
    func resumeWith200Refused() {
        let tagged = published(head(200, [("Content-Length", "1000"), ("ETag", "\"e\""), ("Last-Modified", "Mon")]))
        let resuming = context(attempt: 2, entity: tagged, delivered: 600)
        #expect(resumeFailure(ResponseHeadPolicy.decide(head(200, [("Content-Length", "999")]), in: resuming))
            == "entity changed while resuming: length 1000 → 999")
        #expect(resumeFailure(ResponseHeadPolicy.decide(head(200, [("ETag", "\"f\"")]), in: resuming))
            == "entity changed while resuming: ETag \"e\" → \"f\"")
        // With a strong ETag that still matches, Last-Modified is not compared.
        if case .resume = ResponseHeadPolicy.decide(head(200, [("ETag", "\"e\""), ("Last-Modified", "Tue")]), in: resuming) {} else {
            Issue.record("a matching ETag wins over Last-Modified")
        }
        let dated = published(head(200, [("Last-Modified", "Mon")]))
        #expect(resumeFailure(ResponseHeadPolicy.decide(head(200, [("Last-Modified", "Tue")]),
                                                        in: context(attempt: 2, entity: dated, delivered: 1)))
            == "entity changed while resuming: Last-Modified Mon → Tue")
        let ranged = published(head(206, [("Content-Range", "bytes 0-99/1000")]))
        #expect(resumeFailure(ResponseHeadPolicy.decide(head(200), in: context(attempt: 2, entity: ranged, delivered: 50)))
            == "upstream answered 200 when resuming at byte 50")
    }

    @Test("While resuming: retryable statuses retry until the last attempt, other statuses fail")
    func resumeStatuses() {
        let entity = published(head(200, [("Content-Length", "1000")]))
        if case .retry(503, .none) = ResponseHeadPolicy.decide(head(503), in: context(attempt: 3, entity: entity, delivered: 10)) {} else {
            Issue.record("a 503 while resuming is retried while attempts remain")
        }
        #expect(resumeFailure(ResponseHeadPolicy.decide(head(503), in: context(attempt: 4, entity: entity, delivered: 10)))
            == "upstream answered 503 while resuming at byte 10")
        #expect(resumeFailure(ResponseHeadPolicy.decide(head(416), in: context(attempt: 2, entity: entity, delivered: 10)))
            == "upstream answered 416 when resuming at byte 10")
        if case .followRedirect = ResponseHeadPolicy.decide(head(302, [("Location", "/m")]),
                                                            in: context(attempt: 2, entity: entity, delivered: 10)) {} else {
            Issue.record("a redirect while resuming is followed")
        }
    }
}
