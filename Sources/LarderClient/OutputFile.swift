import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where downloaded bytes go: a file (written to a temporary name and renamed when complete, so a failed download
/// never leaves a partial file under the final name) or standard output.
///
/// An existing directory is never replaced: opening one as the output fails before anything is fetched, and the
/// final rename refuses a directory that appeared meanwhile.
public final class OutputFile: @unchecked Sendable {
    // Safe to share: used by one task at a time (the CLI command that owns it); the handle is only touched by
    // `write` and `commit`, which callers never run concurrently.
    private let handle: FileHandle
    private let finalPath: String?
    private let temporaryPath: String?

    /// Opens `path` for writing, or standard output when `path` is nil or `-`.
    /// - Throws: ``ClientError`` when `path` is empty, is an existing directory, or cannot be created.
    public init(path: String?) throws {
        guard let path, path != "-" else {
            self.handle = FileHandle.standardOutput
            self.finalPath = nil
            self.temporaryPath = nil
            return
        }
        try Self.checkWritable(path)
        let temporary = path + ".larder-partial"
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw ClientError("cannot create \(path): check that its directory exists and is writable")
        }
        guard let handle = FileHandle(forWritingAtPath: temporary) else {
            throw ClientError("cannot open \(temporary) for writing")
        }
        self.handle = handle
        self.finalPath = path
        self.temporaryPath = temporary
    }

    /// Checks that `path` can name an output file: not empty and not an existing directory.
    /// - Throws: ``ClientError`` saying what to give instead.
    public static func checkWritable(_ path: String) throws {
        guard !path.isEmpty else {
            throw ClientError("the output path is empty; give a file name, or - for standard output")
        }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ClientError("\(path) is a directory; give a file name to write to (it is left as it is)")
        }
    }

    /// Appends `bytes`.
    public func write(_ bytes: some DataProtocol) throws {
        try handle.write(contentsOf: bytes)
    }

    /// Finishes the file: renames the temporary file to its final name, atomically replacing a file there.
    /// - Throws: ``ClientError`` when the final name is a directory (which is left untouched) or cannot be replaced.
    public func commit() throws {
        guard let finalPath, let temporaryPath else { return }
        try handle.close()
        // rename(2) replaces a file atomically and fails on a directory (EISDIR/ENOTEMPTY) instead of removing it.
        guard rename(temporaryPath, finalPath) == 0 else {
            let code = errno
            try? FileManager.default.removeItem(atPath: temporaryPath)
            if code == EISDIR || code == ENOTEMPTY || code == EEXIST {
                throw ClientError("\(finalPath) is a directory; give a file name to write to (it is left as it is)")
            }
            throw ClientError("cannot write \(finalPath): \(String(cString: strerror(code)))")
        }
    }

    /// Removes the partial file after a failure.
    public func discard() {
        guard let temporaryPath else { return }
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }
}
