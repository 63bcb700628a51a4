/// A platform an image index lists manifests for: `os/architecture[/variant]`, e.g. `linux/arm64/v8`.
public struct OCIPlatform: Sendable, Hashable, CustomStringConvertible {
    /// The operating system, e.g. `linux`.
    public var os: String
    /// The architecture in Go's terms, e.g. `amd64`, `arm64`.
    public var architecture: String
    /// The variant, e.g. `v8`; nil matches any.
    public var variant: String?

    /// Parses `os/arch[/variant]`; throws a sentence naming the expected form.
    public init(parsing text: String) throws(LarderFailure) {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map { $0.lowercased() }
        guard (2...3).contains(parts.count), parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy { $0.isLetter || $0.isNumber || $0 == "_" } }) else {
            throw .invalidRequest("invalid_platform", "platform \"\(text.prefix(60))\" is not OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm64/v8")
        }
        self.os = parts[0]
        self.architecture = parts[1]
        self.variant = parts.count == 3 ? parts[2] : nil
    }

    /// The platform of this machine (`linux/amd64`, `linux/arm64`, …): what a node's containerd pulls.
    public static var current: OCIPlatform {
        #if arch(x86_64)
        let architecture = "amd64"
        #elseif arch(arm64)
        let architecture = "arm64"
        #else
        let architecture = "unknown"
        #endif
        // `os/arch` always parses.
        return (try? OCIPlatform(parsing: "linux/\(architecture)")) ?? OCIPlatform(os: "linux", architecture: architecture)
    }

    private init(os: String, architecture: String) {
        self.os = os
        self.architecture = architecture
    }

    /// Whether an index entry's platform object matches.
    func matches(_ platform: [String: Any]) -> Bool {
        guard (platform["os"] as? String)?.lowercased() == os, (platform["architecture"] as? String)?.lowercased() == architecture else { return false }
        guard let variant else { return true }
        return (platform["variant"] as? String)?.lowercased() == variant
    }

    public var description: String { variant.map { "\(os)/\(architecture)/\($0)" } ?? "\(os)/\(architecture)" }
}
