import Foundation

/// `POST /warm`: references to bring into the cache. The body is this object, or just a JSON list of references
/// (strings or ``Reference`` objects).
public struct WarmRequest: Sendable, Codable {
    /// What to warm.
    public var refs: [Reference]
    /// Pin everything warmed (it is then never evicted).
    public var pin: Bool
    /// References warmed at once (default 4).
    public var concurrency: Int?

    /// One reference: `hf://repo[@rev]` (optionally filtered by globs), or `https://…[#sha256=<hex>]`.
    public struct Reference: Sendable, Codable, Equatable {
        /// The reference text.
        public var ref: String
        /// Only files matching one of these globs (`fnmatch` rules as `snapshot_download`'s `allow_patterns`).
        public var include: [String]?
        /// Skip files matching one of these globs.
        public var exclude: [String]?

        /// Creates a reference.
        public init(ref: String, include: [String]? = nil, exclude: [String]? = nil) {
            self.ref = ref
            self.include = include
            self.exclude = exclude
        }

        /// Decodes the value (see the type's documentation for the accepted forms).
        public init(from decoder: any Decoder) throws {
            if let text = try? decoder.singleValueContainer().decode(String.self) {
                self.init(ref: text)
                return
            }
            let container = try decoder.container(keyedBy: CodingKeys.self)
            self.init(ref: try container.decode(String.self, forKey: .ref),
                      include: try container.decodeIfPresent([String].self, forKey: .include),
                      exclude: try container.decodeIfPresent([String].self, forKey: .exclude))
        }
    }

    /// Creates a request.
    public init(refs: [Reference], pin: Bool = false, concurrency: Int? = nil) {
        self.refs = refs
        self.pin = pin
        self.concurrency = concurrency
    }

    /// Decodes the value (see the type's documentation for the accepted forms).
    public init(from decoder: any Decoder) throws {
        if let list = try? decoder.singleValueContainer().decode([Reference].self) {
            self.init(refs: list)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.init(refs: try container.decode([Reference].self, forKey: .refs),
                  pin: try container.decodeIfPresent(Bool.self, forKey: .pin) ?? false,
                  concurrency: try container.decodeIfPresent(Int.self, forKey: .concurrency))
    }
}

/// Where a warm job stands (`GET /warm/<id>`).
public struct WarmStatus: Sendable, Codable, Equatable {
    /// The job id.
    public var id: String
    /// `running`, `completed` (every reference warmed) or `failed` (at least one failed).
    public var state: String
    /// When the job was created and finished (seconds since 1970).
    public var created: Double
    /// When the job finished.
    public var finished: Double?
    /// One entry per reference, in request order.
    public var refs: [WarmRefStatus]

    /// Whether the job has finished.
    public var isFinished: Bool { state != "running" }
}

/// Progress of one reference of a warm job.
public struct WarmRefStatus: Sendable, Codable, Equatable {
    /// The reference as given.
    public var ref: String
    /// `queued`, `resolving`, `running`, `completed` or `failed`.
    public var state: String
    /// The commit an `hf://` reference resolved to.
    public var commit: String?
    /// Files to warm (1 for a URL).
    public var files: Int
    /// Files done.
    public var filesDone: Int
    /// Bytes to warm, when known.
    public var bytes: Int64
    /// Bytes stored so far.
    public var bytesDone: Int64
    /// Files that were already cached.
    public var hits: Int
    /// Files fetched from the upstream.
    public var fetched: Int
    /// Seconds spent on this reference.
    public var seconds: Double
    /// Why it failed.
    public var error: String?

    /// A queued reference.
    public init(ref: String) {
        self.ref = ref
        self.state = "queued"
        self.files = 0
        self.filesDone = 0
        self.bytes = 0
        self.bytesDone = 0
        self.hits = 0
        self.fetched = 0
        self.seconds = 0
    }

    /// `hit` when every file was cached, `fetched` when every file was fetched, else `3 hit, 2 fetched`.
    public var cacheSummary: String {
        if state == "failed" { return "failed" }
        if fetched == 0 { return "hit" }
        if hits == 0 { return "fetched" }
        return "\(hits) hit, \(fetched) fetched"
    }
}

/// Glob matching as Python's `fnmatch.fnmatchcase` (`*` also matches `/`), with `dir/` meaning `dir/*`, as the
/// Hub client filters `allow_patterns`.
public enum HFGlob {
    /// Whether `path` matches `pattern`.
    public static func matches(_ path: String, _ pattern: String) -> Bool {
        var pattern = pattern.replacingOccurrences(of: "\\", with: "/")
        if pattern.hasSuffix("/") { pattern += "*" }
        return match(Array(path.unicodeScalars), 0, Array(pattern.unicodeScalars), 0)
    }

    /// The files of `paths` that match an include (all when `include` is empty) and no exclude.
    public static func filter(_ paths: [String], include: [String], exclude: [String]) -> [String] {
        paths.filter { path in
            (include.isEmpty || include.contains { matches(path, $0) }) && !exclude.contains { matches(path, $0) }
        }
    }

    private static func match(_ text: [Unicode.Scalar], _ t: Int, _ pattern: [Unicode.Scalar], _ p: Int) -> Bool {
        var t = t
        var p = p
        var starP = -1
        var starT = 0
        while t < text.count {
            if p < pattern.count {
                switch pattern[p] {
                case "*":
                    starP = p
                    starT = t
                    p += 1
                    continue
                case "?":
                    t += 1
                    p += 1
                    continue
                case "[":
                    if let (matched, next) = matchClass(text[t], pattern, p) {
                        if matched {
                            t += 1
                            p = next
                            continue
                        }
                    } else if text[t] == "[" {
                        t += 1
                        p += 1
                        continue
                    }
                default:
                    if pattern[p] == text[t] {
                        t += 1
                        p += 1
                        continue
                    }
                }
            }
            guard starP >= 0 else { return false }
            starT += 1
            t = starT
            p = starP + 1
        }
        while p < pattern.count && pattern[p] == "*" { p += 1 }
        return p == pattern.count
    }

    /// Matches `char` against the class starting at `pattern[start]` (`[`); nil when the class is not closed.
    private static func matchClass(_ char: Unicode.Scalar, _ pattern: [Unicode.Scalar], _ start: Int) -> (Bool, Int)? {
        var index = start + 1
        var negate = false
        if index < pattern.count && pattern[index] == "!" {
            negate = true
            index += 1
        }
        var matched = false
        var first = true
        while index < pattern.count && (first || pattern[index] != "]") {
            first = false
            let low = pattern[index]
            if index + 2 < pattern.count && pattern[index + 1] == "-" && pattern[index + 2] != "]" {
                if low.value <= char.value && char.value <= pattern[index + 2].value { matched = true }
                index += 3
            } else {
                if low == char { matched = true }
                index += 1
            }
        }
        guard index < pattern.count else { return nil }
        return (matched != negate, index + 1)
    }
}
