import Foundation

/// Where downloaded bytes go: a file (written to a temporary name and renamed when complete, so a failed download
/// never leaves a partial file under the final name) or standard output.
public final class OutputFile: @unchecked Sendable {
    // Safe to share: used by one task at a time (the CLI command that owns it); the handle is only touched by
    // `write` and `commit`, which callers never run concurrently.
    private let handle: FileHandle
    private let finalPath: String?
    private let temporaryPath: String?

    /// Opens `path` for writing, or standard output when `path` is nil or `-`.
    public init(path: String?) throws {
        guard let path, path != "-" else {
            self.handle = FileHandle.standardOutput
            self.finalPath = nil
            self.temporaryPath = nil
            return
        }
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

    /// Appends `bytes`.
    public func write(_ bytes: some DataProtocol) throws {
        try handle.write(contentsOf: bytes)
    }

    /// Finishes the file: renames the temporary file to its final name.
    public func commit() throws {
        guard let finalPath, let temporaryPath else { return }
        try handle.close()
        if FileManager.default.fileExists(atPath: finalPath) {
            try FileManager.default.removeItem(atPath: finalPath)
        }
        try FileManager.default.moveItem(atPath: temporaryPath, toPath: finalPath)
    }

    /// Removes the partial file after a failure.
    public func discard() {
        guard let temporaryPath else { return }
        try? handle.close()
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }
}
