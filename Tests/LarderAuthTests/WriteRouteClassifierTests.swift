import Foundation
import HTTPTypes
import Hummingbird
import LarderCore
import LarderServer
import LarderTestSupport
import Testing

/// Every mutation route the server registers, with the action it must be classified as and a request that
/// exercises it (`WriteAuthorizationTests` sends each one).
enum MutationRoutes {
    /// Route patterns (`METHOD /path/{param}`, as Hummingbird describes them) and what they are.
    static let expected: [String: WriteAction] = [
        "POST /blobs": .blobs,
        "PUT /blobs/{digest}": .blobs,
        "DELETE /blobs/{digest}": .blobs,
        "PUT /blobs/{digest}/pin": .blobs,
        "DELETE /blobs/{digest}/pin": .blobs,
        "DELETE /runs/{flow}/{run}": .runs(flow: "Nightly"),
        "PUT /runs/{flow}/{run}/{step}/{task}/record": .runs(flow: "Nightly"),
        "PUT /runs/{flow}/{run}/{step}/{task}/artifacts/{name}": .runs(flow: "Nightly"),
        "POST /runs/{flow}/{run}/{step}/{task}/fetches": .runs(flow: "Nightly"),
        "DELETE /runs/{flow}/{run}/{step}/{task}/fetches/{token}": .runs(flow: "Nightly"),
        "POST /warm": .warm,
        "POST /admin/gc": .admin,
        "POST /admin/verify": .admin,
        // The Hub mirror's POST routes: `_import` writes, `paths-info` is a read (see the classifier tests).
        "POST /hf/**": .blobs,
        // The OCI mirror's (pull-only) answers to pushes, and its tag eviction, once it is registered.
        "PUT /v2": .blobs, "POST /v2": .blobs, "PATCH /v2": .blobs, "DELETE /v2": .blobs,
        "PUT /v2/**": .blobs, "POST /v2/**": .blobs, "PATCH /v2/**": .blobs, "DELETE /v2/**": .blobs,
        "DELETE /admin/oci/tags": .admin,
    ]

    /// A concrete path for a route pattern.
    static func concretePath(_ pattern: String) -> String {
        pattern.split(separator: "/", omittingEmptySubsequences: false).map { segment -> String in
            switch segment {
            case "{digest}": "sha256:" + String(repeating: "ab", count: 32)
            case "{flow}": "Nightly"
            case "**" where pattern.contains(" /hf/") || pattern.hasPrefix("/hf/"): "_import"
            case "**": "library/busybox/manifests/latest"
            default: segment.hasPrefix("{") ? "x" + segment.dropFirst().dropLast() : String(segment)
            }
        }.joined(separator: "/")
    }
}

@Suite("Write authorisation: which routes are writes")
struct WriteRouteClassifierTests {
    let classifier = WriteRouteClassifier(hfPrefix: "/hf")

    @Test("every mutation route of the real router is classified as the table expects, and has an HTTP test case")
    func routerCoverage() async throws {
        let server = try await LarderTestServer.start()
        try await server.use {
            let router = buildRouter(server.services, maxStreams: 4)
            let cases = Set(MutationCase.all.map(\.route))
            var registered = 0
            for route in router.routes where route.method != .get && route.method != .head {
                let pattern = "\(route.path)"
                let name = "\(route.method) \(pattern)"
                registered += 1
                let access = classifier.classify(method: route.method, path: MutationRoutes.concretePath(pattern))
                guard case .write(let action) = access else {
                    Issue.record("\(name) is registered as a mutation but classified as a read")
                    continue
                }
                if case .unclassified = action {
                    Issue.record("\(name) has no write classification: add it to WriteRouteClassifier")
                }
                #expect(MutationRoutes.expected[name] == action, "\(name): classified as \(action); add it to MutationRoutes.expected")
                #expect(cases.contains(name), "\(name) has no MutationCase: add one to WriteAuthorizationTests")
            }
            // The routes of this branch at least (the OCI mirror's add to them).
            #expect(registered >= 12)
            // Reads below /admin are still admin actions.
            for route in router.routes where route.method == .get || route.method == .head {
                let path = MutationRoutes.concretePath("\(route.path)")
                let expected: WriteRouteClassifier.Access = path.hasPrefix("/admin") ? .write(.admin) : .read
                #expect(classifier.classify(method: route.method, path: path) == expected, "\(route.method) \(route.path)")
            }
        }
    }

    @Test("requests no route names are unclassified writes, refused to every token", arguments: [
        ("PATCH", "/blobs/sha256:00"), ("POST", "/blobs/sha256:00"), ("PUT", "/runs/F/r"), ("DELETE", "/runs/F"),
        ("POST", "/warm/123"), ("PUT", "/hf/_import"), ("POST", "/hf/fixture/model/resolve/main/x"), ("OPTIONS", "/blobs"),
        ("DELETE", "/"), ("PUT", "/v3/some/manifests/latest"),
    ])
    func unclassified(method: String, path: String) throws {
        let parsed = try #require(HTTPRequest.Method(method))
        guard case .write(.unclassified) = classifier.classify(method: parsed, path: path) else {
            Issue.record("\(method) \(path) was classified as \(classifier.classify(method: parsed, path: path))")
            return
        }
    }

    @Test("the flow of a run write is percent-decoded as the run routes decode it; undecodable is unclassified")
    func runFlows() {
        #expect(classifier.classify(method: .put, path: "/runs/My%20Flow/1/s/t/record") == .write(.runs(flow: "My Flow")))
        #expect(classifier.classify(method: .delete, path: "//runs//Nightly/1") == .write(.runs(flow: "Nightly")))
        guard case .write(.unclassified) = classifier.classify(method: .delete, path: "/runs/%ZZ/1") else {
            Issue.record("undecodable flow was classified")
            return
        }
    }

    @Test("Hub reads stay reads: GET and HEAD below /hf, and POST paths-info")
    func hubReads() {
        #expect(classifier.classify(method: .get, path: "/hf/fixture/model/resolve/main/config.json") == .read)
        #expect(classifier.classify(method: .post, path: "/hf/api/models/fixture/model/paths-info/main") == .read)
        #expect(classifier.classify(method: .post, path: "/hf/_import") == .write(.blobs))
        #expect(classifier.classify(method: .get, path: "/admin/anything") == .write(.admin))
        #expect(classifier.classify(method: .get, path: "/v2/library/busybox/manifests/latest") == .read)
        #expect(classifier.classify(method: .put, path: "/v2/library/busybox/manifests/latest") == .write(.blobs))
    }
}
