import Foundation

/// Checks on a file the CLI is asked to read, so that failures are one plain sentence.
enum InputFile {
    /// Throws a ``ClientError`` unless `path` is an existing, readable regular file (or a device/pipe).
    static func checkReadable(_ path: String) throws {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw ClientError("\(path) does not exist")
        }
        guard !isDirectory.boolValue else {
            throw ClientError("\(path) is a directory; give a file (to store a model directory use `larder import --as hf://namespace/name DIR`)")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ClientError("cannot read \(path): check its permissions")
        }
    }
}
