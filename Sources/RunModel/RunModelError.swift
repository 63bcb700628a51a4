/// Errors raised while validating or decoding run and task metadata.
///
/// Every case renders a complete, human-readable sentence through `description`,
/// so callers can print the error as-is.
public enum RunModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A flow, run, step or task name (named by `field`) was rejected; `reason` says why.
    case invalidName(field: String, value: String, reason: String)
    /// An attempt number was negative.
    case invalidAttempt(Int)
    /// A pathspec did not have the `Flow/run/step/task` shape.
    case invalidPathspec(String)
    /// A record carried a schema this build cannot read.
    case unsupportedSchema(found: String, supported: String)
    /// A record was not valid JSON or lacked required fields; `reason` describes the first problem.
    case invalidRecord(reason: String)

    /// A one-line explanation suitable for showing to a user.
    public var description: String {
        switch self {
        case .invalidName(let field, let value, let reason):
            return "invalid \(field) name \(Self.quoted(value)): \(reason)"
        case .invalidAttempt(let attempt):
            return "invalid attempt \(attempt): attempts are numbered from 0"
        case .invalidPathspec(let text):
            return "invalid pathspec \(Self.quoted(text)): expected Flow/run/step/task, e.g. SixMinVideos/1680000000/tiny/4"
        case .unsupportedSchema(let found, let supported):
            return "unsupported task record schema \(Self.quoted(found)): this build reads \(supported)"
        case .invalidRecord(let reason):
            return "invalid task record: \(reason)"
        }
    }

    /// Quotes `text` for messages, escaping control characters so they stay visible.
    static func quoted(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            if scalar.properties.generalCategory == .control || scalar == "\"" || scalar == "\\" {
                result += scalar.escaped(asASCII: true)
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }
}
