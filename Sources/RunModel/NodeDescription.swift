/// The Kubernetes node (or host) a task ran on.
public struct NodeDescription: Hashable, Sendable, Codable {
    /// The node name (from `--node`, `$NODE_NAME` or the hostname).
    public var name: String
    /// Online CPUs on the node, if known.
    public var cpuCount: Int?
    /// Total memory of the node in bytes (`MemTotal`), if known.
    public var memoryBytes: Int64?

    /// Creates a node description.
    public init(name: String, cpuCount: Int? = nil, memoryBytes: Int64? = nil) {
        self.name = name
        self.cpuCount = cpuCount
        self.memoryBytes = memoryBytes
    }

    private enum CodingKeys: String, CodingKey {
        case name, cpuCount, memoryBytes
    }
}
