/// The body of `POST /warm`: references to bring into the cache. The body is this object, or just a JSON list of references
/// (strings or ``Reference`` objects). With `fromRun` (`{"fromRun": "FLOW/RUN", "step": "S", "pin": true}`) the server
/// adds everything that run's tasks fetched, as their records list it.
public struct WarmRequest: Sendable, Codable {
    /// What to warm.
    public var refs: [Reference]
    /// Pin everything warmed (it is then never evicted).
    public var pin: Bool
    /// References warmed at once (default 4).
    public var concurrency: Int?
    /// `FLOW/RUN`: also warm everything that run's tasks fetched (from the `fetches` of their records).
    public var fromRun: String?
    /// With ``fromRun``: only the tasks of this step.
    public var step: String?

    /// One reference: `hf://repo[@rev]` (optionally filtered by globs), `https://…[#sha256=<hex>]`, or an image
    /// `oci://REGISTRY/NAME:TAG` / `oci://REGISTRY/NAME@sha256:…` (optionally for chosen platforms).
    public struct Reference: Sendable, Codable, Equatable {
        /// The reference text.
        public var ref: String
        /// Only files matching one of these globs (`fnmatch` rules as `snapshot_download`'s `allow_patterns`).
        public var include: [String]?
        /// Skip files matching one of these globs.
        public var exclude: [String]?
        /// For `oci://` references: the platforms (`linux/amd64`, …) whose manifests and layers to pull from an image
        /// index; nil or empty means the server's own platform.
        public var platforms: [String]?

        /// Creates a reference.
        public init(ref: String, include: [String]? = nil, exclude: [String]? = nil, platforms: [String]? = nil) {
            self.ref = ref
            self.include = include
            self.exclude = exclude
            self.platforms = platforms
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
                      exclude: try container.decodeIfPresent([String].self, forKey: .exclude),
                      platforms: try container.decodeIfPresent([String].self, forKey: .platforms))
        }
    }

    /// Creates a request.
    public init(refs: [Reference], pin: Bool = false, concurrency: Int? = nil, fromRun: String? = nil, step: String? = nil) {
        self.refs = refs
        self.pin = pin
        self.concurrency = concurrency
        self.fromRun = fromRun
        self.step = step
    }

    /// Decodes the value (see the type's documentation for the accepted forms).
    public init(from decoder: any Decoder) throws {
        if let list = try? decoder.singleValueContainer().decode([Reference].self) {
            self.init(refs: list)
            return
        }
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let fromRun = try container.decodeIfPresent(String.self, forKey: .fromRun)
        // With fromRun the list may be left out: the run's fetches are the references.
        let refs = fromRun == nil ? try container.decode([Reference].self, forKey: .refs)
            : try container.decodeIfPresent([Reference].self, forKey: .refs) ?? []
        self.init(refs: refs,
                  pin: try container.decodeIfPresent(Bool.self, forKey: .pin) ?? false,
                  concurrency: try container.decodeIfPresent(Int.self, forKey: .concurrency),
                  fromRun: fromRun, step: try container.decodeIfPresent(String.self, forKey: .step))
    }
}
