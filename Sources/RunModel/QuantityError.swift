/// A Kubernetes resource quantity that could not be parsed.
///
/// `description` names the input, the problem and the accepted forms, e.g.
/// `invalid memory quantity "4GB": unknown suffix "GB"; accepted: …`.
public struct QuantityError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Which kind of quantity was being parsed.
    public enum Kind: String, Sendable {
        /// A CPU amount in cores.
        case cpu = "CPU"
        /// A memory amount in bytes.
        case memory = "memory"
    }

    /// The kind of quantity that was expected.
    public let kind: Kind
    /// The text that was rejected.
    public let input: String
    /// What is wrong with the text.
    public let reason: String

    /// Creates an error for `input` of the given kind.
    public init(kind: Kind, input: String, reason: String) {
        self.kind = kind
        self.input = input
        self.reason = reason
    }

    /// The forms accepted for this kind of quantity.
    public var accepted: String {
        switch kind {
        case .cpu:
            return "a non-negative number of cores such as \"2\", \"1.5\" or \"500m\" (millicores)"
        case .memory:
            return "a non-negative byte count such as \"1073741824\", \"1e9\", "
                + "or a number with a suffix Ki, Mi, Gi, Ti, Pi, Ei (powers of 1024) "
                + "or k, M, G, T, P, E (powers of 1000), e.g. \"4Gi\", \"512Mi\", \"1.5Gi\", \"4G\""
        }
    }

    /// A one-line message naming the input, the problem and the accepted forms.
    public var description: String {
        "invalid \(kind.rawValue) quantity \(RunModelError.quoted(input)): \(reason); accepted: \(accepted)"
    }
}
