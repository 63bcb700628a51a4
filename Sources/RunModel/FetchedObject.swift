import Foundation

/// One object a task fetched through its node's Larder (a Hugging Face file, a `/fetch` URL, an image blob).
public struct FetchedObject: Hashable, Sendable, Codable {
    /// What the object is, as a warm reference: `hf://repo@revision` (with ``path`` naming the file),
    /// `https://…#sha256=<hex>` for a URL, `oci://REGISTRY/NAME@sha256:…` for an image blob or manifest,
    /// or `sha256:<hex>` for a blob read by digest. `larder warm --from-run` fetches exactly these.
    public var ref: String
    /// For `hf://` references: the file within the repository.
    public var path: String?
    /// The content digest (`sha256:<hex>`), when known.
    public var digest: String?
    /// Bytes sent to the task.
    public var bytes: Int64
    /// Bytes this request caused to come from upstream (0 for a hit or a coalesced read).
    public var upstreamBytes: Int64
    /// How the cache answered.
    public var outcome: FetchOutcome
    /// When the request arrived.
    public var start: Date
    /// Seconds from the request's arrival to its first body byte.
    public var firstByteSeconds: Double
    /// Seconds from the request's arrival to its last body byte.
    public var seconds: Double

    /// Creates an entry.
    public init(ref: String, path: String? = nil, digest: String? = nil, bytes: Int64, upstreamBytes: Int64,
                outcome: FetchOutcome, start: Date, firstByteSeconds: Double, seconds: Double) {
        self.ref = ref
        self.path = path
        self.digest = digest
        self.bytes = bytes
        self.upstreamBytes = upstreamBytes
        self.outcome = outcome
        self.start = start
        self.firstByteSeconds = firstByteSeconds
        self.seconds = seconds
    }

    private enum CodingKeys: String, CodingKey {
        case ref, path, digest, bytes, upstreamBytes, outcome, start, firstByteSeconds, seconds
    }

    /// Decodes an entry; `start` is an RFC 3339 timestamp.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        ref = try container.decode(String.self, forKey: .ref)
        path = try container.decodeIfPresent(String.self, forKey: .path)
        digest = try container.decodeIfPresent(String.self, forKey: .digest)
        bytes = try container.decode(Int64.self, forKey: .bytes)
        upstreamBytes = try container.decodeIfPresent(Int64.self, forKey: .upstreamBytes) ?? 0
        outcome = try container.decode(FetchOutcome.self, forKey: .outcome)
        let text = try container.decode(String.self, forKey: .start)
        guard let date = RFC3339Timestamp.date(from: text) else {
            throw RunModelError.invalidRecord(
                reason: "fetches.items.start is \(RunModelError.quoted(text)), not an RFC 3339 timestamp")
        }
        start = date
        firstByteSeconds = try container.decode(Double.self, forKey: .firstByteSeconds)
        seconds = try container.decode(Double.self, forKey: .seconds)
    }

    /// Encodes the entry with an RFC 3339 `start`.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(ref, forKey: .ref)
        try container.encodeIfPresent(path, forKey: .path)
        try container.encodeIfPresent(digest, forKey: .digest)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(upstreamBytes, forKey: .upstreamBytes)
        try container.encode(outcome, forKey: .outcome)
        try container.encode(RFC3339Timestamp.string(from: start), forKey: .start)
        try container.encode(firstByteSeconds, forKey: .firstByteSeconds)
        try container.encode(seconds, forKey: .seconds)
    }
}
