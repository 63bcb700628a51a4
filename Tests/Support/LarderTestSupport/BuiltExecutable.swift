import Foundation

/// Executables of this package that tests run as child processes (the test target depends on them, so they are
/// built next to the test bundle), and paths inside the repository.
public enum BuiltExecutable {
    /// The repository root (four levels above this file).
    public static let repositoryRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// The path of executable product `name` built next to the tests (falls back to `.build/debug/<name>`).
    public static func path(_ name: String) -> String {
        let candidates = [
            Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent(name).path,
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(name).path,
            repositoryRoot.appendingPathComponent(".build/debug/\(name)").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[2]
    }

    /// The `larder` executable.
    public static let larder = path("larder")
}
