import Foundation
import LarderStore
import LarderTestSupport
import Testing

/// Issue 17 item 1: an output path that is a directory is refused, never deleted.
@Suite("Output paths: an existing directory is never replaced")
struct OutputPathTests {
    @Test("get -o DIR and -o \"\" on a data directory: refused, the directory and its files survive")
    func getIntoDirectoryWithData() async throws {
        let data = temporaryPath("larder-data")
        let target = temporaryPath("target")
        defer {
            try? FileManager.default.removeItem(atPath: data)
            try? FileManager.default.removeItem(atPath: target)
        }
        let put = try await CLI.run(["put", "-", "--data", data], stdin: Data("blob".utf8))
        #expect(put.status == 0, "\(put.stderr)")
        let digest = put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        try makeDirectoryWithContent(target)

        let get = try await CLI.run(["get", digest, "-o", target, "--data", data])
        #expect(get.status == 1)
        #expect(get.stderr.contains("\(target) is a directory"), "\(get.stderr)")
        #expect(directoryIsIntact(target))
        #expect(!FileManager.default.fileExists(atPath: target + ".larder-partial"))

        let empty = try await CLI.run(["get", digest, "-o", "", "--data", data])
        #expect(empty.status == 1)
        #expect(empty.stderr.contains("output path is empty"), "\(empty.stderr)")
        #expect(empty.stdout.isEmpty)
    }

    @Test("get -o DIR and fetch -o DIR through a server: refused, the directory survives")
    func getAndFetchIntoDirectoryThroughServer() async throws {
        let upstream = try await UpstreamFixture.start(bigSize: 100_000)
        defer { upstream.stop() }
        let server = try await LarderServeProcess.start(extraArguments: ["--allow-upstream", "127.0.0.1"])
        defer { server.stop() }
        let target = temporaryPath("target")
        defer { try? FileManager.default.removeItem(atPath: target) }
        try makeDirectoryWithContent(target)
        let put = try await CLI.run(["put", "-", "--server", server.url], stdin: Data("blob".utf8))
        #expect(put.status == 0, "\(put.stderr)")
        let digest = put.stdout.trimmingCharacters(in: .whitespacesAndNewlines)

        let get = try await CLI.run(["get", digest, "-o", target, "--server", server.url])
        #expect(get.status == 1)
        #expect(get.stderr.contains("\(target) is a directory"), "\(get.stderr)")
        #expect(directoryIsIntact(target))

        let fetch = try await CLI.run(["fetch", upstream.url(unique("/files/big.bin")), "-o", target, "--server", server.url])
        #expect(fetch.status == 1)
        #expect(fetch.stderr.contains("\(target) is a directory"), "\(fetch.stderr)")
        #expect(directoryIsIntact(target))
    }

    @Test("export refuses when a repository file's path is an existing directory, before writing anything")
    func exportOverDirectory() async throws {
        let server = try await LarderServeProcess.start()
        defer { server.stop() }
        let source = temporaryPath("model")
        let destination = temporaryPath("export")
        defer {
            try? FileManager.default.removeItem(atPath: source)
            try? FileManager.default.removeItem(atPath: destination)
        }
        try FileManager.default.createDirectory(atPath: source, withIntermediateDirectories: true)
        try Data("{}".utf8).write(to: URL(fileURLWithPath: source + "/config.json"))
        try Data("weights".utf8).write(to: URL(fileURLWithPath: source + "/model.bin"))
        let imported = try await CLI.run(["import", "--as", "hf://org/model", source, "--server", server.url])
        #expect(imported.status == 0, "\(imported.stderr)")

        try makeDirectoryWithContent(destination + "/model.bin")
        let export = try await CLI.run(["export", "hf://org/model", destination, "--server", server.url])
        #expect(export.status == 1)
        #expect(export.stderr.contains("model.bin is a directory"), "\(export.stderr)")
        #expect(directoryIsIntact(destination + "/model.bin"))
        #expect(!FileManager.default.fileExists(atPath: destination + "/config.json"), "nothing is written when one path is refused")

        try FileManager.default.removeItem(atPath: destination + "/model.bin")
        let again = try await CLI.run(["export", "hf://org/model", destination, "--server", server.url])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try String(contentsOfFile: destination + "/model.bin", encoding: .utf8) == "weights")
    }
}
