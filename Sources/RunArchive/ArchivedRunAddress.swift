/// A run in an archive, as written on a command line: `s3://BUCKET[/PREFIX]/FLOW/RUN`.
public struct ArchivedRunAddress: Sendable, Hashable, CustomStringConvertible {
    /// Where the archive is (`--runs-s3` of the servers that wrote it).
    public var location: S3Location
    /// The flow.
    public var flow: String
    /// The run id.
    public var run: String

    /// Parses `s3://BUCKET[/PREFIX]/FLOW/RUN`; nil when it is not of that form.
    public init?(parsing text: String) {
        guard text.hasPrefix("s3://") else { return nil }
        var parts = text.dropFirst(5).split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        guard parts.count >= 3, let run = parts.popLast(), let flow = parts.popLast(),
              let location = S3Location(parsing: "s3://" + parts.joined(separator: "/")) else { return nil }
        self.location = location
        self.flow = flow
        self.run = run
    }

    /// What the argument must look like, for messages.
    public static let form = "s3://BUCKET[/PREFIX]/FLOW/RUN (the --runs-s3 location of the servers, then the run)"

    public var description: String { "\(location)/\(flow)/\(run)" }
}
