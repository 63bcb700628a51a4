import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// What identifies a file's content cheaply, seen through symbolic links: device, inode, size and modification
/// time. A Kubernetes ConfigMap or Secret volume updates a file by swapping a `..data` symlink to a new
/// directory, so the inode changes even when the size and time do not.
package struct FileStamp: Sendable, Equatable {
    let device: UInt64
    let inode: UInt64
    let size: Int64
    let modifiedNanoseconds: Int64

    /// The stamp of `path` (following symlinks), or nil when it cannot be read.
    package static func of(_ path: String) -> FileStamp? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        return FileStamp(device: UInt64(info.st_dev), inode: UInt64(info.st_ino), size: Int64(info.st_size),
                         modifiedNanoseconds: Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec))
    }
}
