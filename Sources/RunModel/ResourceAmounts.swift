/// A CPU and memory amount pair, used for Kubernetes requests and limits.
public struct ResourceAmounts: Hashable, Sendable, Codable {
    /// CPU in cores (1.5 = 1500m); nil when not set or unlimited.
    public var cpu: Double?
    /// Memory in bytes; nil when not set or unlimited.
    public var memoryBytes: Int64?

    /// Creates an amount pair; either part may be absent.
    public init(cpu: Double? = nil, memoryBytes: Int64? = nil) {
        self.cpu = cpu
        self.memoryBytes = memoryBytes
    }

    /// Parses Kubernetes quantity strings, e.g. `ResourceAmounts(cpu: "500m", memory: "4Gi")`.
    /// - Throws: ``QuantityError`` when either string is not a valid quantity.
    public init(cpu: String?, memory: String?) throws {
        self.cpu = try cpu.map(Quantity.cpu)
        self.memoryBytes = try memory.map(Quantity.memory)
    }

    private enum CodingKeys: String, CodingKey {
        case cpu, memoryBytes
    }
}
