import Foundation
import LarderCore
import Logging
import Testing

@Suite("Token files: parsing, scopes, matching and reloading")
struct TokenFileTests {
    static let admin = "admin-token-0123456789abcdef"
    static let nightly = "nightly-token-0123456789abcdef"
    static let open = "all-scopes-token-0123456789abcdef"

    static let text = """
        # write tokens
        \(admin)   admin
        \(nightly) runs:Nightly, blobs   # CI
        \(open)

        """

    @Test("tokens with their scopes are read; comments and blank lines are skipped")
    func parses() throws {
        let file = TokenFile(parsing: Self.text)
        #expect(file.errors.isEmpty)
        #expect(file.entries.count == 3)
        #expect(file.entries.map(\.line) == [2, 3, 4])
        #expect(file.entry(for: Self.admin[...])?.scopes == [.admin])
        #expect(file.entry(for: Self.nightly[...])?.scopes == [.runs(flow: "Nightly"), .blobs])
        #expect(file.entry(for: Self.open[...])?.scopes == [])
    }

    @Test("an unknown or a near-miss token matches nothing")
    func unknownTokens() {
        let file = TokenFile(parsing: Self.text)
        #expect(file.entry(for: "admin-token-0123456789abcdeX") == nil)
        #expect(file.entry(for: Self.admin.dropLast()) == nil)
        #expect(file.entry(for: (Self.admin + "x")[...]) == nil)
        #expect(file.entry(for: "") == nil)
        #expect(file.entry(for: "#") == nil)
    }

    @Test("scopes allow exactly their actions; no scope allows every classified action")
    func scopes() throws {
        let file = TokenFile(parsing: Self.text)
        let admin = try #require(file.entry(for: Self.admin[...]))
        let nightly = try #require(file.entry(for: Self.nightly[...]))
        let open = try #require(file.entry(for: Self.open[...]))
        #expect(admin.allows(.admin))
        #expect(!admin.allows(.blobs) && !admin.allows(.warm) && !admin.allows(.runs(flow: "Nightly")))
        #expect(nightly.allows(.runs(flow: "Nightly")) && nightly.allows(.blobs))
        #expect(!nightly.allows(.runs(flow: "Other")) && !nightly.allows(.runs(flow: "nightly")) && !nightly.allows(.admin))
        for action in [WriteAction.admin, .blobs, .warm, .runs(flow: "Any")] { #expect(open.allows(action), "\(action)") }
        #expect(!open.allows(.unclassified(route: "PATCH /x")), "an unclassified route is allowed to no one")
        #expect(AccessScope(parsing: "runs")?.allows(.runs(flow: "X")) == true)
        #expect(AccessScope(parsing: "runs:*")?.allows(.runs(flow: "X")) == true)
    }

    @Test("bad lines are reported with their number and their tokens refused", arguments: [
        ("short-token admin", "shorter than"), ("\(TokenFileTests.admin) root", "unknown scope \"root\""), ("\(TokenFileTests.admin) runs:", "unknown scope"),
    ])
    func badLines(line: String, reason: String) {
        let file = TokenFile(parsing: "# header\n" + line + "\n\(Self.open)\n")
        #expect(file.errors.count == 1)
        #expect(file.errors.first?.line == 2)
        #expect(file.errors.first?.description.contains(reason) == true, "\(file.errors)")
        #expect(file.entries.count == 1)
        #expect(file.entry(for: line.split(separator: " ")[0]) == nil)
    }

    @Test("the principal names a token without revealing it")
    func principal() throws {
        let entry = try #require(TokenFile(parsing: Self.admin).entries.first)
        #expect(entry.principal.hasPrefix("token:"))
        #expect(entry.principal.count == "token:".count + 12)
        #expect(!entry.principal.contains("admin-token"))
    }

    @Test("bearer headers: scheme case-insensitive, spaces trimmed, other schemes ignored")
    func bearer() {
        #expect(WriteAuthorizer.bearer("Bearer abc") == "abc")
        #expect(WriteAuthorizer.bearer("bearer   abc  ") == "abc")
        #expect(WriteAuthorizer.bearer("Basic YWJjOmRlZg==") == nil)
        #expect(WriteAuthorizer.bearer("Bearer ") == nil)
        #expect(WriteAuthorizer.bearer(nil) == nil)
    }

    @Test("the store re-reads a changed file and keeps the last good tokens when it becomes unreadable")
    func reloads() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Self.admin.write(toFile: path, atomically: true, encoding: .utf8)
        let store = try TokenStore(path: path, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() }))
        #expect(store.current().entry(for: Self.admin[...]) != nil)
        // Same size and (possibly) the same second: the inode of an atomic replacement still differs.
        try Self.admin.replacingOccurrences(of: "admin", with: "other").write(toFile: path, atomically: true, encoding: .utf8)
        #expect(store.current().entry(for: Self.admin[...]) == nil)
        #expect(store.current().entry(for: Self.admin.replacingOccurrences(of: "admin", with: "other")[...]) != nil)
        try FileManager.default.removeItem(atPath: path)
        #expect(store.current().entries.count == 1, "a vanished file keeps the last tokens")
    }

    @Test("a token file that is missing, empty or has a bad line stops the server at startup")
    func startupErrors() throws {
        let logger = Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        #expect(throws: TokenStore.LoadError.self) { try TokenStore(path: path, logger: logger) }
        try "# only a comment\n".write(toFile: path, atomically: true, encoding: .utf8)
        let empty = #expect(throws: TokenStore.LoadError.self) { try TokenStore(path: path, logger: logger) }
        #expect(empty?.description.contains("holds no token") == true)
        try "\(Self.admin) superuser\n".write(toFile: path, atomically: true, encoding: .utf8)
        let bad = #expect(throws: TokenStore.LoadError.self) { try TokenStore(path: path, logger: logger) }
        #expect(bad?.description.contains("line 1") == true)
    }

    @Test("deciding a write against a 1,000-token file costs microseconds (one stat, one SHA-256, 1,000 comparisons)")
    func decisionCost() throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tokens-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let tokens = (0..<1000).map { "bulk-token-\($0)-0123456789abcdef" }
        try tokens.map { $0 + " runs:Nightly" }.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        let authorizer = WriteAuthorizer(tokens: try TokenStore(path: path, logger: Logger(label: "test", factory: { _ in SwiftLogNoOpLogHandler() })),
                                          readOnly: false)
        let calls = 10_000
        let started = ContinuousClock.now
        var allowed = 0
        for index in 0..<calls {
            if (try? authorizer.authorize(.runs(flow: "Nightly"), authorization: "Bearer " + tokens[index % tokens.count])) != nil { allowed += 1 }
        }
        let elapsed = ContinuousClock.now - started
        let perCall = elapsed / calls
        print("write authorisation: \(calls) decisions against \(tokens.count) tokens in \(elapsed), \(perCall) each")
        #expect(allowed == calls)
        // A loose bound for a loaded CI machine: even 1 ms per write would be noise next to the write itself.
        #expect(perCall < .milliseconds(1), "\(perCall) per decision")
    }
}
