import Foundation
import LarderAPI
import LarderTestSupport
import Testing
import Upstream

@Suite("Write tokens rotated while `larder serve` runs")
struct TokenRotationTests {
    static let first = "rotation-first-0123456789abcdef"
    static let second = "rotation-second-0123456789abcdef"
    static let third = "rotation-third-00123456789abcdef"

    /// Whether `token` may upload now.
    static func canWrite(_ server: LarderServeProcess, _ token: String) async throws -> Bool {
        let answer = try await send(.post, server.url + "/blobs", token: token, body: Array("rotation \(token)".utf8))
        guard answer.status == 201 || answer.status == 401 else {
            throw FixtureError("unexpected answer to an upload: \(answer)")
        }
        return answer.status == 201
    }

    @Test("a rewritten, replaced or Secret-swapped token file takes effect without a restart")
    func rotation() async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("larder-rotation-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: directory) }
        // The layout of a Kubernetes Secret volume: tokens -> ..data/tokens, ..data -> ..v1 (swapped on update).
        try FileManager.default.createDirectory(atPath: directory + "/..v1", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: directory + "/..v2", withIntermediateDirectories: true)
        try "\(Self.first)\n".write(toFile: directory + "/..v1/tokens", atomically: true, encoding: .utf8)
        try "\(Self.third) blobs\n".write(toFile: directory + "/..v2/tokens", atomically: true, encoding: .utf8)
        try FileManager.default.createSymbolicLink(atPath: directory + "/..data", withDestinationPath: "..v1")
        try FileManager.default.createSymbolicLink(atPath: directory + "/tokens", withDestinationPath: "..data/tokens")
        let server = try await LarderServeProcess.start(extraArguments: ["--token-file", directory + "/tokens"])
        defer { server.stop() }
        #expect(server.log.contains("writes=token-file"), "\(server.log)")
        #expect(try await Self.canWrite(server, Self.first))
        #expect(try await !Self.canWrite(server, Self.second))

        // Rewritten in place (same inode): the modification time tells.
        let handle = try #require(FileHandle(forWritingAtPath: directory + "/..v1/tokens"))
        try handle.truncate(atOffset: 0)
        try handle.write(contentsOf: Data("\(Self.second)\n".utf8))
        try handle.close()
        #expect(await eventually { (try? await Self.canWrite(server, Self.second)) == true })
        #expect(try await !Self.canWrite(server, Self.first), "the removed token must be refused")

        // The Secret update: a new ..data link renamed over the old one.
        try FileManager.default.createSymbolicLink(atPath: directory + "/..data_tmp", withDestinationPath: "..v2")
        #expect(rename(directory + "/..data_tmp", directory + "/..data") == 0)
        #expect(await eventually { (try? await Self.canWrite(server, Self.third)) == true })
        #expect(try await !Self.canWrite(server, Self.second))
        #expect(server.log.contains("token file reloaded"), "\(server.log)")
    }

    @Test("a token file with a bad line stops `larder serve` at startup with a sentence naming the line")
    func badFileAtStartup() async throws {
        let path = try TestTokens.writeFile("# ok\n\(Self.first) superuser\n")
        defer { try? FileManager.default.removeItem(atPath: path) }
        let result = try await ProcessRunner.run(BuiltExecutable.larder, ["serve", "--listen", "127.0.0.1:0", "--data",
                                                                     FileManager.default.temporaryDirectory.appendingPathComponent("larder-bad-\(UUID().uuidString)").path,
                                                                     "--token-file", path], timeout: .seconds(30))
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("line 2: unknown scope \"superuser\""), "\(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one sentence: \(result.stderr)")
    }
}
