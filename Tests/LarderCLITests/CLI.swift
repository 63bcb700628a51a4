import Foundation
import LarderTestSupport

/// Runs the built `larder` executable to completion.
enum CLI {
    /// The `larder` binary next to the test bundle.
    static var executable: String { BuiltExecutable.larder }

    /// Runs `larder ARGS…` (or `executable`), feeding `stdin` when given, without the caller's `LARDER_SERVER` and
    /// `LARDER_DATA`. A command still running after `timeout` is killed and the call throws, so a command that
    /// hangs fails its test instead of blocking the suite.
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:],
                    executable: String = CLI.executable, timeout: Duration = .seconds(120)) async throws -> ProcessOutcome {
        try await ProcessRunner.run(executable, arguments, stdin: stdin, environment: environment,
                                    unsetting: ["LARDER_SERVER", "LARDER_DATA"], timeout: timeout)
    }
}

/// A fresh temporary directory path (not created).
func temporaryPath(_ name: String) -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("\(name)-\(UUID().uuidString)").path
}

/// A loopback TCP port that accepts connections (the kernel completes them) but never answers: a hanging server.
final class SilentListener: @unchecked Sendable {
    // Safe to share: `descriptor` and `port` are set in `init` and only read afterwards; `stop()` is called once.
    let descriptor: Int32
    let port: Int
    var url: String { "http://127.0.0.1:\(port)" }

    init() throws {
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard descriptor >= 0 else { throw FixtureError("socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ready = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, length) == 0 && listen(descriptor, 64) == 0 && getsockname(descriptor, $0, &length) == 0
            }
        }
        guard ready else {
            close(descriptor)
            throw FixtureError("cannot listen on a loopback port")
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    /// Closes the listening socket.
    func stop() {
        close(descriptor)
    }
}

/// Creates `path` as a directory holding one file, for checks that nothing removes it.
func makeDirectoryWithContent(_ path: String) throws {
    try FileManager.default.createDirectory(atPath: path + "/sub", withIntermediateDirectories: true)
    try Data("keep me\n".utf8).write(to: URL(fileURLWithPath: path + "/a.txt"))
}

/// Whether the directory made by ``makeDirectoryWithContent(_:)`` is still intact.
func directoryIsIntact(_ path: String) -> Bool {
    var isDirectory: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) && isDirectory.boolValue
        && (try? String(contentsOfFile: path + "/a.txt", encoding: .utf8)) == "keep me\n"
        && FileManager.default.fileExists(atPath: path + "/sub")
}
