import Foundation
import LarderAPI
import LarderCore
import Testing

/// The grammar of names, references and digests, challenges, image references and credential files.
@Suite struct OCIParsingTests {
    @Test(arguments: ["library/python", "a", "org/team/image", "a.b_c__d---e/f0", "x/y/z/w"])
    func validNames(_ name: String) throws {
        #expect(try OCIName(name).value == name)
    }

    @Test(arguments: ["Library/python", "", "a//b", "/a", "a/", "a/../b", "..", "a..b", "a___b", "-a", "a-", "a_/b", "a b", "a:b",
                      String(repeating: "a", count: 256)])
    func invalidNames(_ name: String) {
        do {
            _ = try OCIName(name)
            Issue.record("accepted \(name)")
        } catch {
            #expect(error.code == "NAME_INVALID")
        }
    }

    @Test func nameErrorCode() {
        do {
            _ = try OCIName("Upper/case")
            Issue.record("accepted an uppercase name")
        } catch {
            #expect(error.code == "NAME_INVALID")
            #expect(error.kind == .invalidRequest)
        }
    }

    @Test func tagsAndDigests() throws {
        #expect(try OCIReference("3.12-slim") == .tag("3.12-slim"))
        #expect(try OCIReference("_x.Y-1") == .tag("_x.Y-1"))
        #expect(OCIReference.isValidTag(String(repeating: "a", count: 128)))
        #expect(!OCIReference.isValidTag(String(repeating: "a", count: 129)))
        #expect(!OCIReference.isValidTag("-lead"))
        #expect(!OCIReference.isValidTag(".lead"))
        let hex = String(repeating: "ab", count: 32)
        guard case .digest(let digest) = try OCIReference("sha256:" + hex) else {
            Issue.record("a digest parsed as a tag")
            return
        }
        #expect(digest.hex == hex)
        for bad in ["sha256:" + hex.uppercased(), "sha256:abc", "md5:" + hex, "sha512:" + hex + hex, "SHA256:" + hex, ":" + hex, "sha256:"] {
            do {
                _ = try OCIDigest.parse(bad)
                Issue.record("accepted \(bad)")
            } catch {
                #expect(error.code == "DIGEST_INVALID", "\(bad)")
            }
        }
    }

    @Test func requestPaths() throws {
        let hex = String(repeating: "0", count: 64)
        #expect(try OCIRequestPath("/v2/") == .base)
        #expect(try OCIRequestPath("/v2") == .base)
        #expect(try OCIRequestPath("/v2/org/team/image/manifests/latest") == .manifest(try OCIName("org/team/image"), .tag("latest")))
        guard case .blob(let name, let digest) = try OCIRequestPath("/v2/a/manifests/blobs/sha256:\(hex)") else {
            Issue.record("not a blob path")
            return
        }
        #expect(name.value == "a/manifests")
        #expect(digest.hex == hex)
        for (path, code) in [("/v2/a/tags/list", "NAME_UNKNOWN"), ("/v2/A/manifests/x", "NAME_INVALID"), ("/v2/a/blobs/latest", "DIGEST_INVALID"),
                             ("/v2/a//b/manifests/x", "NAME_INVALID"), ("/v2/a/../b/manifests/x", "NAME_INVALID")] {
            do {
                _ = try OCIRequestPath(path)
                Issue.record("accepted \(path)")
            } catch {
                #expect(error.code == code, "\(path)")
            }
        }
    }

    @Test func challenges() throws {
        let bearer = try #require(RegistryChallenge(header: #"Bearer realm="https://auth.docker.io/token",service="registry.docker.io",scope="repository:library/ubuntu:pull""#))
        #expect(bearer.scheme == "bearer")
        #expect(bearer.parameters == ["realm": "https://auth.docker.io/token", "service": "registry.docker.io", "scope": "repository:library/ubuntu:pull"])
        let basic = try #require(RegistryChallenge(header: #"Basic realm="larder \"test\"""#))
        #expect(basic.scheme == "basic")
        #expect(basic.parameters["realm"] == #"larder "test""#)
        #expect(RegistryChallenge(header: "  ") == nil)
    }

    @Test func imageReferences() throws {
        let tagged = try OCIImageReference(parsing: "oci://docker.io/library/python:3.12-slim")
        #expect(tagged.registry == "docker.io")
        #expect(tagged.name.value == "library/python")
        #expect(tagged.reference == .tag("3.12-slim"))
        let ported = try OCIImageReference(parsing: "oci://127.0.0.1:5000/team/app:v1")
        #expect(ported.registry == "127.0.0.1:5000")
        #expect(ported.description == "oci://127.0.0.1:5000/team/app:v1")
        let hex = String(repeating: "1", count: 64)
        #expect(try OCIImageReference(parsing: "oci://ghcr.io/a/b@sha256:\(hex)").reference.isDigest)
        for bad in ["docker.io/library/python:3", "oci://docker.io/python", "oci://docker.io", "oci://Docker io/a:b", "oci://docker.io/A:b"] {
            #expect(throws: LarderFailure.self, "\(bad)") { try OCIImageReference(parsing: bad) }
        }
    }

    @Test func registryEntries() throws {
        let entry = try RegistryConfiguration.parseEntry("Docker.io=https://registry-1.docker.io/")
        #expect(entry.host == "docker.io")
        #expect(entry.url == "https://registry-1.docker.io")
        for bad in ["docker.io", "docker.io=ftp://x", "=https://x", "a b=https://x", "docker.io=https://x?y=1"] {
            #expect(throws: LarderFailure.self, "\(bad)") { try RegistryConfiguration.parseEntry(bad) }
        }
        var configuration = RegistryConfiguration()
        configuration.registries = ["docker.io": "https://registry-1.docker.io"]
        #expect(configuration.registry(ns: "docker.io")?.base == "https://registry-1.docker.io")
        #expect(configuration.registry(ns: nil) == nil)
        configuration.defaultRegistry = "docker.io"
        #expect(configuration.registry(ns: nil)?.host == "docker.io")
        #expect(configuration.registry(ns: "quay.io") == nil)
    }

    @Test func credentialFileIsReadAndReread() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("larder-docker-config-\(UUID().uuidString).json").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let auth = Data("alice:s3cret:x".utf8).base64EncodedString()
        try #"{"auths":{"https://index.docker.io/v1/":{"auth":"\#(auth)"},"127.0.0.1:5000":{"username":"bob","password":"pw"}}}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let credentials = RegistryCredentials(file: path)
        #expect(credentials.login(for: ["docker.io"]) == .init(username: "alice", password: "s3cret:x"))
        #expect(credentials.login(for: ["quay.io", "127.0.0.1:5000"]) == .init(username: "bob", password: "pw"))
        #expect(credentials.login(for: ["quay.io"]) == nil)
        // A rotated file (another size) is read again.
        try #"{"auths":{"quay.io":{"username":"carol","password":"longer-password"}}}"#.write(toFile: path, atomically: true, encoding: .utf8)
        #expect(credentials.login(for: ["quay.io"]) == .init(username: "carol", password: "longer-password"))
        #expect(credentials.login(for: ["docker.io"]) == nil)
    }

    @Test func errorCodesOfOtherFailures() {
        #expect(OCIErrorCode.of(LarderFailure(.rangeOutsideContent, "range_not_satisfiable", "x")) == .rangeInvalid)
        #expect(OCIErrorCode.of(LarderFailure(.upstreamTimedOut, "upstream_timeout", "x")) == .unknown)
        #expect(OCIErrorCode.of(.oci(.notFound, .blobUnknown, "x")) == .blobUnknown)
        let body = OCIErrorBody(errors: [.init(code: "BLOB_UNKNOWN", message: "m", detail: nil)]).encoded()
        #expect(OCIErrorBody.parse(body)?.errors.first?.code == "BLOB_UNKNOWN")
    }
}
