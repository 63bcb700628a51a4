import Foundation

extension TaskRecord {
    private enum CodingKeys: String, CodingKey {
        case schema, input, node, start, end, durationSeconds, exit, requests, limits, usage
        case throttling, cpuPressureSomeAvg10, nodeCPUBusyFraction, artifacts, command, fetches
    }

    /// Decodes a `larder.task/v1` record; see the schema on ``TaskRecord``.
    /// - Throws: ``RunModelError/unsupportedSchema(found:supported:)`` before reading any other field
    ///   when `schema` names another major version.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        guard let schema = try container.decodeIfPresent(String.self, forKey: .schema) else {
            throw RunModelError.invalidRecord(reason: "missing \"schema\" (expected \"\(Self.schema)\")")
        }
        try Self.checkSchema(schema)
        identity = try TaskIdentity(from: decoder)
        input = try container.decodeIfPresent([String: String].self, forKey: .input) ?? [:]
        node = try container.decode(NodeDescription.self, forKey: .node)
        start = try Self.decodeTimestamp(container, .start)
        end = try Self.decodeTimestamp(container, .end)
        durationSeconds = try container.decode(Double.self, forKey: .durationSeconds)
        exit = try container.decode(ExitOutcome.self, forKey: .exit)
        requests = try container.decodeIfPresent(ResourceAmounts.self, forKey: .requests) ?? ResourceAmounts()
        limits = try container.decodeIfPresent(ResourceAmounts.self, forKey: .limits) ?? ResourceAmounts()
        usage = try container.decode(ResourceUsage.self, forKey: .usage)
        throttling = try container.decodeIfPresent(CPUThrottling.self, forKey: .throttling)
        cpuPressureSomeAvg10 = try container.decodeIfPresent(Double.self, forKey: .cpuPressureSomeAvg10)
        nodeCPUBusyFraction = try container.decodeIfPresent(Double.self, forKey: .nodeCPUBusyFraction)
        artifacts = try container.decodeIfPresent([ArtifactReference].self, forKey: .artifacts) ?? []
        command = try container.decodeIfPresent([String].self, forKey: .command) ?? []
        fetches = try container.decodeIfPresent(TaskFetches.self, forKey: .fetches)
    }

    /// Encodes the record with `"schema": "larder.task/v1"` and RFC 3339 timestamps.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(Self.schema, forKey: .schema)
        try identity.encode(to: encoder)
        try container.encode(input, forKey: .input)
        try container.encode(node, forKey: .node)
        try container.encode(RFC3339Timestamp.string(from: start), forKey: .start)
        try container.encode(RFC3339Timestamp.string(from: end), forKey: .end)
        try container.encode(durationSeconds, forKey: .durationSeconds)
        try container.encode(exit, forKey: .exit)
        try container.encode(requests, forKey: .requests)
        try container.encode(limits, forKey: .limits)
        try container.encode(usage, forKey: .usage)
        try container.encodeIfPresent(throttling, forKey: .throttling)
        try container.encodeIfPresent(cpuPressureSomeAvg10, forKey: .cpuPressureSomeAvg10)
        try container.encodeIfPresent(nodeCPUBusyFraction, forKey: .nodeCPUBusyFraction)
        try container.encode(artifacts, forKey: .artifacts)
        try container.encode(command, forKey: .command)
        try container.encodeIfPresent(fetches, forKey: .fetches)
    }

    private static func decodeTimestamp(
        _ container: KeyedDecodingContainer<CodingKeys>, _ key: CodingKeys
    ) throws -> Date {
        let text = try container.decode(String.self, forKey: key)
        guard let date = RFC3339Timestamp.date(from: text) else {
            throw RunModelError.invalidRecord(
                reason: "\"\(key.stringValue)\" is \(RunModelError.quoted(text)), not an RFC 3339 timestamp")
        }
        return date
    }
}
