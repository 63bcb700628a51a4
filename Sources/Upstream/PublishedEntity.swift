/// The response whose head was published, with what is needed to resume its body.
///
/// Built from the final response head by ``init(head:method:url:)``, which does the content-length
/// bookkeeping: how many body bytes the response promises and how long the whole entity is.
struct PublishedEntity {
    /// The published head.
    var head: UpstreamResponseHead
    /// Whether a dropped body may be resumed (GET answered 200 or 206).
    var isResumable: Bool
    /// Offset in the entity of the first body byte (the range start of a 206, else 0).
    var rangeStart: Int64
    /// Inclusive range end of a 206.
    var rangeEnd: Int64?
    /// Number of body bytes the response promised, if known.
    var bodyLength: Int64?
    /// Full entity length, if known.
    var entityLength: Int64?
    /// Strong `ETag`, if any.
    var etag: String?
    /// `Last-Modified`, if any.
    var lastModified: String?

    /// Value for `If-Range`: the strong ETag, else Last-Modified.
    var ifRangeValidator: String? { etag ?? lastModified }

    /// Creates an entity from its parts.
    init(
        head: UpstreamResponseHead,
        isResumable: Bool,
        rangeStart: Int64,
        rangeEnd: Int64?,
        bodyLength: Int64?,
        entityLength: Int64?,
        etag: String?,
        lastModified: String?
    ) {
        self.head = head
        self.isResumable = isResumable
        self.rangeStart = rangeStart
        self.rangeEnd = rangeEnd
        self.bodyLength = bodyLength
        self.entityLength = entityLength
        self.etag = etag
        self.lastModified = lastModified
    }

    /// The entity announced by the completed response head `head`, received for a request with
    /// `method` from `url`.
    ///
    /// A negative or unparsable `Content-Length` counts as absent; a `206` takes its lengths from
    /// `Content-Range` (a `206` without a usable one is published but not resumable); a `HEAD`
    /// response promises no body bytes; a weak ETag is not kept (it cannot validate `If-Range`).
    init(head: ResponseHeaderParser, method: UpstreamMethod, url: String) {
        let status = head.status
        let contentLength = head.value("Content-Length").flatMap { Int64($0) }.flatMap { $0 >= 0 ? $0 : nil }
        let range = status == 206 ? head.value("Content-Range").flatMap(ContentRange.init) : nil
        let entityLength = status == 206 ? range?.total : contentLength
        self.init(
            head: UpstreamResponseHead(
                status: status,
                headers: head.fields,
                effectiveURL: url,
                contentLength: entityLength
            ),
            isResumable: method == .get && (status == 200 || (status == 206 && range != nil)),
            rangeStart: range?.first ?? 0,
            rangeEnd: range?.last,
            bodyLength: method == .head ? nil : (range?.count ?? contentLength),
            entityLength: entityLength,
            etag: head.value("ETag").flatMap { $0.hasPrefix("W/") ? nil : $0 },
            lastModified: head.value("Last-Modified")
        )
    }
}
