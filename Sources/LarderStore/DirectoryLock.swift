import Foundation

/// An exclusive `flock` on `<data dir>/larder.lock`, held while a store is open, so that a second process
/// (a CLI with `--data` next to a running server) is told to use the server instead.
final class DirectoryLock: Sendable {
    private let descriptor: Int32

    init(directory: String) throws {
        let path = directory + "/larder.lock"
        let fd = Foundation.open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw StoreError.locked("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            Foundation.close(fd)
            throw StoreError.locked("the data directory \(directory) is in use by another larder process (a running `larder serve`?); pass --server URL to go through it")
        }
        self.descriptor = fd
    }

    deinit {
        flock(descriptor, LOCK_UN)
        Foundation.close(descriptor)
    }
}
