import Foundation
import LarderTestSupport
import Upstream

/// One HTTP exchange as the tests see it.
struct OCIExchange: Sendable {
    var status: Int
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.last { $0.name.lowercased() == name.lowercased() }?.value
    }

    var text: String { String(decoding: body, as: UTF8.self) }

    /// The first OCI error code of the body, if it is an OCI error body.
    var errorCode: String? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let errors = object["errors"] as? [[String: Any]] else { return nil }
        return errors.first?["code"] as? String
    }
}

/// Plain HTTP requests from the tests (libcurl through the Upstream module, one attempt, no redirects followed).
enum OCIHTTP {
    static let client: UpstreamClient = {
        var configuration = UpstreamConfiguration()
        configuration.maxAttempts = 1
        configuration.connectTimeout = .seconds(5)
        configuration.stallTimeout = .seconds(60)
        return UpstreamClient(configuration: configuration)
    }()

    static func request(_ url: String, method: UpstreamMethod = .get, headers: [(name: String, value: String)] = []) async throws -> OCIExchange {
        let response = try await client.send(UpstreamRequest(url: url, method: method, headers: headers, redirectPolicy: { _ in false }))
        let body = method == .head ? [] : try await response.collect(upTo: 64 << 20)
        return OCIExchange(status: response.head.status, headers: response.head.headers, body: body)
    }
}

/// skopeo and the image-layout helper.
enum OCITools {
    static let fixtures = FixtureProcess.script("oci_fixtures.py", besides: #filePath)
    /// The system Python: the token server needs Debian's python3-jwt and python3-cryptography.
    static let python = "/usr/bin/python3"

    /// What `oci_fixtures.py image` reports.
    struct Image: Decodable, Sendable {
        struct Platform: Decodable, Sendable {
            var manifest: String
            var config: String
            var layers: [String]
        }
        var tag: String
        var digest: String
        var platforms: [String: Platform]
    }

    /// Writes an image with `layers` random layers of `size` bytes per platform into the OCI layout `directory`.
    static func makeImage(in directory: String, tag: String, layers: Int = 3, size: Int = 200_000, platforms: [String] = ["linux/amd64"],
                          seed: Int = 1) async throws -> Image {
        let outcome = try await ProcessRunner.run(python, [fixtures, "image", directory, tag, "--layers", String(layers), "--size", String(size),
                                                           "--platforms", platforms.joined(separator: ","), "--seed", String(seed)], timeout: .seconds(120))
        guard outcome.status == 0 else { throw FixtureError("image helper failed: \(outcome.stderr)") }
        return try JSONDecoder().decode(Image.self, from: Data(outcome.stdout.utf8))
    }

    /// A skopeo policy accepting anything (the test images are unsigned).
    static let policy: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("larder-skopeo-policy.json").path
        try? #"{"default":[{"type":"insecureAcceptAnything"}]}"#.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }()

    /// Runs `skopeo --policy … <arguments>`; throws with its stderr when it fails.
    @discardableResult
    static func skopeo(_ arguments: [String], timeout: Duration = .seconds(180)) async throws -> ProcessOutcome {
        let outcome = try await ProcessRunner.tool(["skopeo", "--policy", policy] + arguments, timeout: timeout)
        guard outcome.status == 0 else { throw FixtureError("skopeo \(arguments.joined(separator: " ")) failed: \(outcome.stderr.suffix(3000))") }
        return outcome
    }

    /// Pushes `tag` of the layout `layout` to `registry` as `name:tag`.
    static func push(layout: String, tag: String, to registry: String, name: String, creds: String? = nil, all: Bool = false) async throws {
        var arguments = ["copy", "--dest-tls-verify=false", "oci:\(layout):\(tag)", "docker://\(registry)/\(name):\(tag)"]
        if all { arguments.insert("--all", at: 1) }
        if let creds { arguments.insert(contentsOf: ["--dest-creds", creds], at: 1) }
        try await skopeo(arguments)
    }

    /// The blob digests (`sha256:…`) in an OCI layout directory.
    static func blobs(in layout: String) throws -> Set<String> {
        let names = try FileManager.default.contentsOfDirectory(atPath: layout + "/blobs/sha256")
        return Set(names.map { "sha256:" + $0 })
    }

    /// A fresh temporary directory path (not created).
    static func temporary(_ label: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("larder-\(label)-\(UUID().uuidString)").path
    }
}
