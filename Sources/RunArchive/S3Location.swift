/// Where the run tier keeps its objects: `s3://BUCKET/PREFIX`.
public struct S3Location: Sendable, Hashable, CustomStringConvertible {
    /// The bucket.
    public var bucket: String
    /// The key prefix, without leading or trailing slashes; may be empty.
    public var prefix: String

    /// Parses `s3://BUCKET[/PREFIX]`; nil when it is not of that form or the bucket name is not a valid one.
    public init?(parsing text: String) {
        guard text.hasPrefix("s3://") else { return nil }
        let rest = text.dropFirst(5)
        let bucket = rest.prefix { $0 != "/" }
        guard (3...63).contains(bucket.count),
              bucket.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }),
              bucket.first != "-", bucket.first != "." else { return nil }
        self.bucket = String(bucket)
        self.prefix = rest.dropFirst(bucket.count).split(separator: "/").joined(separator: "/")
    }

    /// `prefix/components…` joined by `/` (no leading slash).
    public func key(_ components: [String]) -> String {
        (prefix.isEmpty ? components : [prefix] + components).joined(separator: "/")
    }

    public var description: String { prefix.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(prefix)" }
}
