import Foundation
import LarderTestSupport
import Testing

/// Upstream registries that demand credentials: htpasswd basic auth and the bearer-token flow, with Larder's own
/// credentials from `--registry-auth` (containerd does not send pull credentials to a mirror).
@Suite(.serialized) struct OCIAuthTests {
    static let user = "puller"
    static let password = "pull-secret-1"

    /// A docker config file with credentials for `host`.
    static func authFile(host: String, user: String = user, password: String = password) throws -> String {
        let path = OCITools.temporary("docker-config") + ".json"
        let auth = Data("\(user):\(password)".utf8).base64EncodedString()
        try #"{"auths":{"\#(host)":{"auth":"\#(auth)"}}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    /// Pulls `team/app:v1` through `server` with skopeo into a fresh layout; returns its blob digests.
    static func pull(_ server: LarderTestServer) async throws -> Set<String> {
        let out = OCITools.temporary("pull")
        defer { try? FileManager.default.removeItem(atPath: out) }
        try await OCITools.skopeo(["copy", "--src-tls-verify=false", "docker://127.0.0.1:\(server.port)/team/app:v1", "oci:\(out):v1"])
        return try OCITools.blobs(in: out)
    }

    @Test func basicAuthUpstream() async throws {
        let (registry, image) = try await OCIPullTests.upstreamWithImage(auth: .basic(user: Self.user, password: Self.password),
                                                                         creds: "\(Self.user):\(Self.password)")
        defer { registry.remove() }
        let platform = try #require(image.platforms["linux/amd64"])
        let anonymous = try await OCILarder.start([registry.host: registry.url], defaultRegistry: registry.host)
        try await anonymous.use {
            let answer = try await OCILarder.containerd(anonymous, "/v2/team/app/manifests/v1", ns: registry.host)
            #expect(answer.status == 401, "\(answer.text)")
            #expect(answer.errorCode == "UNAUTHORIZED")
            let blob = try await OCILarder.containerd(anonymous, "/v2/team/app/blobs/\(platform.layers[0])", ns: registry.host)
            #expect(blob.status == 401, "\(blob.text)")
            #expect(blob.errorCode == "UNAUTHORIZED")
        }
        let wrongFile = try Self.authFile(host: registry.host, password: "wrong")
        defer { try? FileManager.default.removeItem(atPath: wrongFile) }
        let wrong = try await OCILarder.start([registry.host: registry.url], defaultRegistry: registry.host, authFile: wrongFile)
        try await wrong.use {
            let answer = try await OCILarder.containerd(wrong, "/v2/team/app/manifests/v1", ns: registry.host)
            #expect(answer.status == 401)
            #expect(answer.errorCode == "UNAUTHORIZED")
        }
        let file = try Self.authFile(host: registry.host)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let server = try await OCILarder.start([registry.host: registry.url], defaultRegistry: registry.host, authFile: file)
        try await server.use {
            let pulled = try await Self.pull(server)
            #expect(pulled == Set(platform.layers + [platform.config, platform.manifest]))
        }
    }

    @Test func tokenAuthUpstream() async throws {
        let directory = OCITools.temporary("token")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let certificate = directory + "/issuer.pem"
        let tokens = try await FixtureProcess.launchPython(
            [OCITools.fixtures, "token", directory + "/port", certificate, "--user", Self.user, "--password", Self.password],
            port: .file(directory + "/port"), interpreter: OCITools.python)
        defer { tokens.stop() }
        let (registry, image) = try await OCIPullTests.upstreamWithImage(
            auth: .token(realm: tokens.url + "/token", certificate: certificate), creds: "\(Self.user):\(Self.password)")
        defer { registry.remove() }
        let platform = try #require(image.platforms["linux/amd64"])
        let pullTokens = { tokens.child.stdout.split(separator: "\n").filter { $0 == "token repository:team/app:pull" }.count }

        let anonymous = try await OCILarder.start([registry.host: registry.url], defaultRegistry: registry.host)
        try await anonymous.use {
            let answer = try await OCILarder.containerd(anonymous, "/v2/team/app/manifests/v1", ns: registry.host)
            #expect(answer.status == 401, "\(answer.text)")
            #expect(answer.errorCode == "UNAUTHORIZED")
        }
        #expect(pullTokens() == 0)

        let file = try Self.authFile(host: registry.host)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let server = try await OCILarder.start([registry.host: registry.url], defaultRegistry: registry.host, authFile: file)
        try await server.use {
            let pulled = try await Self.pull(server)
            #expect(pulled == Set(platform.layers + [platform.config, platform.manifest]))
            // One token for the repository's pull scope served the manifest and every blob.
            #expect(pullTokens() == 1, "\(tokens.child.stdout)")
        }
    }
}
