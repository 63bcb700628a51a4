/// The body of `POST /warm`: references to bring into the cache. The body is this object, or just a JSON list of references
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
