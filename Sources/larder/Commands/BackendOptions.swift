import ArgumentParser
import Foundation
import LarderAPI
import LarderClient
import LarderStore
import Logging

/// Where a command sends its work: a server or a data directory.
struct BackendOptions: ParsableArguments {
    @Option(name: .long, help: "URL of a running larder server (default: $LARDER_SERVER or http://127.0.0.1:7480).")
    var server: String?

    @Option(name: .long, help: "Work on this data directory directly instead of through a server.")
    var data: String?

    @Option(name: .customLong("max-size"), help: "Size limit when working on --data directly (e.g. 50GiB).")
    var maxSize: String = "50GiB"

    @Flag(name: .long, help: "Print JSON for scripts.")
    var json = false

    @OptionGroup var token: ClientTokenOption

    func validate() throws {
        if server != nil && data != nil {
            throw ValidationError("pass either --server or --data, not both")
        }
        if ByteCount.parse(maxSize) == nil {
            throw ValidationError("--max-size \(maxSize) is not a size; use e.g. 50GiB, 512MiB or a byte count")
        }
    }

    /// Runs `body` with the chosen backend, closing a local store afterwards. With `existing`, a `--data` directory
    /// must already hold a store (commands that only read or change stored blobs never create one).
    func withBackend<Result>(existing: Bool = false, _ body: (any LarderBackend) async throws -> Result) async throws -> Result {
        if let data {
            if existing { try Self.requireStore(data) }
            var logger = Logger(label: "larder")
            logger.logLevel = .warning
            let local = try LocalBackend(directory: data, maxSize: ByteCount.parse(maxSize) ?? 0, logger: logger)
            defer { local.close() }
            return try await body(local)
        }
        let url = server ?? ProcessInfo.processInfo.environment["LARDER_SERVER"] ?? "http://127.0.0.1:7480"
        return try await body(ServerBackend(baseURL: url, token: try token.resolve()))
    }
}

extension BackendOptions {
    /// Throws unless `directory` holds a Larder store (its LMDB environment).
    static func requireStore(_ directory: String) throws {
        guard !directory.isEmpty else { throw ClientError("--data is empty; give the data directory") }
        guard FileManager.default.fileExists(atPath: directory + "/lmdb/data.mdb") else {
            throw ClientError("no Larder data directory at \(directory); check --data (`larder put` or `larder serve` creates one)")
        }
    }
}

/// Parses a digest argument, with or without the `sha256:` prefix.
func parseDigest(_ text: String) throws -> BlobDigest {
    guard let digest = BlobDigest(parsing: text, allowBare: true) else {
        throw ValidationError("\"\(text)\" is not a digest; expected sha256:<64 lowercase hex digits>")
    }
    return digest
}

/// Prints `value` as pretty JSON on standard output.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Turns errors into one plain sentence on standard error and exit status 1; usage errors and exit codes pass
/// through to the argument parser.
func reportingErrors<Result>(_ body: () async throws -> Result) async throws -> Result {
    do {
        return try await body()
    } catch let error as ClientError {
        FileHandle.standardError.write(Data("larder: \(error.message)\n".utf8))
        throw ExitCode.failure
    } catch let error as StoreError {
        FileHandle.standardError.write(Data("larder: \(error.description)\n".utf8))
        throw ExitCode.failure
    } catch let error as ExitCode {
        throw error
    } catch let error as ValidationError {
        throw error
    } catch let error as CleanExit {
        throw error
    } catch {
        FileHandle.standardError.write(Data("larder: \(describe(error))\n".utf8))
        throw ExitCode.failure
    }
}
