/// Errors of the comparison tool; each renders as one sentence.
public enum RunCompareError: Error, Sendable, CustomStringConvertible, Equatable {
    /// A run document (or exported file) could not be read.
    case invalidDocument(String)
    /// A run reference on the command line is not `FLOW/RUN` or a readable file.
    case invalidReference(String)
    /// The server answered with an error or could not be reached.
    case server(String)
    /// A feature that needs something not available yet.
    case unsupported(String)
    /// A `--fail-if` rule could not be parsed.
    case invalidRule(String)

    /// The message.
    public var description: String {
        switch self {
        case .invalidDocument(let text): return "invalid run document: \(text)"
        case .invalidReference(let text): return text
        case .server(let text): return text
        case .unsupported(let text): return text
        case .invalidRule(let text): return "invalid --fail-if rule: \(text)"
        }
    }
}
