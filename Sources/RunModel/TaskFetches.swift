import Foundation

/// What a task fetched through its node's Larder and how long it waited: the optional `fetches` section of a
/// `larder.task/v1` record (readers that do not know it ignore it).
///
/// ```
/// "fetches": {
///   "objects": 3, "bytes": 3100000000, "upstreamBytes": 3100000000,
///   "seconds": 41.2,                 // wall time with at least one fetch in flight (overlaps counted once)
///   "byOutcome": {"miss": {"objects": 2, "bytes": 3000000000, "seconds": 40.0}, "hit": {…}},
///   "items": [{"ref": "hf://openai/whisper-large-v3@main", "path": "model.safetensors", "digest": "sha256:…",
///              "bytes": 3000000000, "upstreamBytes": 3000000000, "outcome": "miss",
///              "start": "2026-12-03T10:00:00.000000Z", "firstByteSeconds": 0.2, "seconds": 39.8}],
///   "itemsOmitted": 0                // entries past the bound, counted in the totals but not listed
/// }
/// ```
public struct TaskFetches: Hashable, Sendable, Codable {
    /// The most entries a record lists; the totals count every fetch.
    public static let itemLimit = 1000

    /// Objects fetched (requests with a body).
    public var objects: Int
    /// Bytes sent to the task.
    public var bytes: Int64
    /// Bytes that came from upstream because of the task's requests.
    public var upstreamBytes: Int64
    /// Wall-clock seconds during which at least one of the task's fetches was in flight.
    public var seconds: Double
    /// Totals per cache outcome (only outcomes that occurred).
    public var byOutcome: [FetchOutcome: FetchTally]
    /// The fetches, oldest first, at most ``itemLimit``.
    public var items: [FetchedObject]
    /// Fetches counted in the totals but not listed in ``items``.
    public var itemsOmitted: Int

    /// Creates a section from its parts.
    public init(objects: Int, bytes: Int64, upstreamBytes: Int64, seconds: Double,
                byOutcome: [FetchOutcome: FetchTally], items: [FetchedObject], itemsOmitted: Int = 0) {
        self.objects = objects
        self.bytes = bytes
        self.upstreamBytes = upstreamBytes
        self.seconds = seconds
        self.byOutcome = byOutcome
        self.items = items
        self.itemsOmitted = itemsOmitted
    }

    /// Summarises a complete list of fetches: totals, per-outcome tallies, the union of their time intervals,
    /// and the first ``itemLimit`` entries by start time.
    public init(summarising fetches: [FetchedObject], limit: Int = TaskFetches.itemLimit) {
        let ordered = fetches.sorted { $0.start < $1.start }
        var byOutcome: [FetchOutcome: FetchTally] = [:]
        for fetch in ordered {
            byOutcome[fetch.outcome, default: FetchTally()].add(fetch)
        }
        self.init(objects: ordered.count,
                  bytes: ordered.reduce(0) { $0 + $1.bytes },
                  upstreamBytes: ordered.reduce(0) { $0 + $1.upstreamBytes },
                  seconds: Self.busySeconds(ordered),
                  byOutcome: byOutcome,
                  items: Array(ordered.prefix(max(0, limit))),
                  itemsOmitted: max(0, ordered.count - max(0, limit)))
    }

    /// Seconds covered by the union of the fetches' `[start, start + seconds]` intervals (`fetches` sorted by start).
    static func busySeconds(_ fetches: [FetchedObject]) -> Double {
        var total = 0.0
        var current: (start: Date, end: Date)?
        for fetch in fetches {
            let end = fetch.start.addingTimeInterval(max(0, fetch.seconds))
            if let open = current, fetch.start <= open.end {
                current = (open.start, max(open.end, end))
            } else {
                if let open = current { total += open.end.timeIntervalSince(open.start) }
                current = (fetch.start, end)
            }
        }
        if let open = current { total += open.end.timeIntervalSince(open.start) }
        return total
    }

    private enum CodingKeys: String, CodingKey {
        case objects, bytes, upstreamBytes, seconds, byOutcome, items, itemsOmitted
    }

    /// Decodes the section; unknown outcome names are rejected with the field named.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        objects = try container.decode(Int.self, forKey: .objects)
        bytes = try container.decode(Int64.self, forKey: .bytes)
        upstreamBytes = try container.decodeIfPresent(Int64.self, forKey: .upstreamBytes) ?? 0
        seconds = try container.decode(Double.self, forKey: .seconds)
        let tallies = try container.decodeIfPresent([String: FetchTally].self, forKey: .byOutcome) ?? [:]
        var byOutcome: [FetchOutcome: FetchTally] = [:]
        for (name, tally) in tallies {
            guard let outcome = FetchOutcome(rawValue: name) else {
                throw RunModelError.invalidRecord(
                    reason: "fetches.byOutcome has \(RunModelError.quoted(name)); expected one of "
                        + FetchOutcome.allCases.map(\.rawValue).joined(separator: ", "))
            }
            byOutcome[outcome] = tally
        }
        self.byOutcome = byOutcome
        items = try container.decodeIfPresent([FetchedObject].self, forKey: .items) ?? []
        itemsOmitted = try container.decodeIfPresent(Int.self, forKey: .itemsOmitted) ?? 0
    }

    /// Encodes the section (`byOutcome` keyed by outcome name).
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(objects, forKey: .objects)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(upstreamBytes, forKey: .upstreamBytes)
        try container.encode(seconds, forKey: .seconds)
        let tallies = Dictionary(uniqueKeysWithValues: byOutcome.map { ($0.key.rawValue, $0.value) })
        try container.encode(tallies, forKey: .byOutcome)
        try container.encode(items, forKey: .items)
        try container.encode(itemsOmitted, forKey: .itemsOmitted)
    }
}

/// Totals for the fetches with one cache outcome.
public struct FetchTally: Hashable, Sendable, Codable {
    /// Objects fetched.
    public var objects: Int
    /// Bytes sent to the task.
    public var bytes: Int64
    /// Sum of the fetches' durations (overlapping fetches each count).
    public var seconds: Double

    /// Creates a tally.
    public init(objects: Int = 0, bytes: Int64 = 0, seconds: Double = 0) {
        self.objects = objects
        self.bytes = bytes
        self.seconds = seconds
    }

    /// Adds one fetch.
    public mutating func add(_ fetch: FetchedObject) {
        objects += 1
        bytes += fetch.bytes
        seconds += fetch.seconds
    }
}
