import Foundation
import LarderCore
import LarderServer
import LarderTestSupport

/// Starting a Larder test server that mirrors registries, and driving it as containerd and skopeo do.
enum OCILarder {
    /// A server mirroring `registries` (host → URL), `defaultRegistry` for requests without `ns`.
    static func start(_ registries: [String: String], defaultRegistry: String? = nil, tagTTL: Duration = .seconds(300),
                      authFile: String? = nil, stallTimeout: Duration? = nil) async throws -> LarderTestServer {
        try await LarderTestServer.start { configuration in
            configuration.core.registries.registries = registries
            configuration.core.registries.defaultRegistry = defaultRegistry
            configuration.core.registries.tagTTL = tagTTL
            configuration.core.registries.authFile = authFile
            if let stallTimeout { configuration.core.upstream.stallTimeout = stallTimeout }
        }
    }

    /// The Accept header containerd sends when resolving a manifest.
    static let accept = [
        "application/vnd.docker.distribution.manifest.v2+json", "application/vnd.docker.distribution.manifest.list.v2+json",
        "application/vnd.oci.image.manifest.v1+json", "application/vnd.oci.image.index.v1+json", "*/*",
    ].joined(separator: ", ")

    /// A request as containerd sends it to a mirror: `?ns=<registry>` on the path, its Accept header.
    static func containerd(_ server: LarderTestServer, _ path: String, ns: String, method: String = "GET",
                           headers: [String] = []) async throws -> OCIExchange {
        try await curl(method, server.url(path) + "?ns=" + ns, headers: ["Accept: \(accept)"] + headers)
    }

    /// One request with a real curl, the path sent as written (`--path-as-is`): status, headers, body.
    static func curl(_ method: String, _ url: String, headers: [String] = []) async throws -> OCIExchange {
        let directory = OCITools.temporary("curl")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var arguments = ["curl", "-s", "--path-as-is", "-o", directory + "/body", "-D", directory + "/head", "--max-time", "60"]
        if method == "HEAD" { arguments.append("-I") } else { arguments += ["-X", method] }
        for header in headers { arguments += ["-H", header] }
        arguments.append(url)
        let outcome = try await ProcessRunner.tool(arguments, timeout: .seconds(90))
        guard outcome.status == 0 else { throw FixtureError("curl \(method) \(url) failed (\(outcome.status)): \(outcome.stderr)") }
        let head = (try? String(contentsOfFile: directory + "/head", encoding: .utf8)) ?? ""
        let lines = head.components(separatedBy: "\r\n")
        let status = lines.first.flatMap { $0.split(separator: " ").dropFirst().first }.flatMap { Int($0) } ?? 0
        let fields = lines.dropFirst().compactMap { line -> (name: String, value: String)? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return (String(line[..<colon]), line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let body = method == "HEAD" ? [] : Array((FileManager.default.contents(atPath: directory + "/body") ?? Data()))
        return OCIExchange(status: status, headers: fields, body: body)
    }
}
