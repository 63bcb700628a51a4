/// Extra headers of a ``LarderFailure``, in order, looked up by name without regard to case.
public struct FailureHeaders: Sendable, Sequence {
    private var fields: [(name: String, value: String)] = []

    /// Creates an empty set of headers.
    public init() {}

    /// The value of the first header named `name`; setting replaces every header of that name (nil removes them).
    public subscript(name: String) -> String? {
        get { fields.first { Self.same($0.name, name) }?.value }
        set {
            let index = fields.firstIndex { Self.same($0.name, name) } ?? fields.endIndex
            fields.removeAll { Self.same($0.name, name) }
            if let newValue { fields.insert((name, newValue), at: Swift.min(index, fields.endIndex)) }
        }
    }

    /// Adds a header, keeping any of the same name.
    public mutating func append(name: String, value: String) {
        fields.append((name, value))
    }

    public func makeIterator() -> IndexingIterator<[(name: String, value: String)]> {
        fields.makeIterator()
    }

    private static func same(_ a: String, _ b: String) -> Bool {
        a.lowercased() == b.lowercased()
    }
}
