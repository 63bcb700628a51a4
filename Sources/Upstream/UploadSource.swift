#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Request body of a PUT/POST, read piecewise by libcurl's read callback.
///
/// A file is read with `pread` at a tracked offset, so it is never held in memory as a whole
/// and can be rewound for a retry. Not `Sendable`: used only on its transfer thread.
final class UploadSource {
    private enum Storage {
        case bytes([UInt8])
        case file(descriptor: Int32, path: String)
        /// A pipe or other stream (e.g. standard input): read once, front to back; its length is unknown.
        case stream(descriptor: Int32, path: String)
        /// A body read at offsets by its owner.
        case reader(any UploadReader)
    }

    private let storage: Storage
    /// Total body length in bytes; -1 for a stream (sent with chunked transfer encoding).
    let length: Int64
    private var offset: Int64 = 0
    /// Set when a stream that already gave bytes is rewound for a retry: it cannot be sent again.
    private var exhaustedStream = false

    /// The body of `request`, or `nil` when it has none.
    init?(request: UpstreamRequest) throws(UpstreamError) {
        if let path = request.uploadFile {
            let descriptor = open(path, O_RDONLY | O_CLOEXEC)
            guard descriptor >= 0 else {
                throw .transport(code: 26, message: "cannot open upload file \(path): \(String(cString: strerror(errno)))")
            }
            var info = stat()
            guard fstat(descriptor, &info) == 0 else {
                close(descriptor)
                throw .transport(code: 26, message: "cannot inspect upload file \(path): \(String(cString: strerror(errno)))")
            }
            switch info.st_mode & S_IFMT {
            case S_IFREG:
                storage = .file(descriptor: descriptor, path: path)
                length = Int64(info.st_size)
            case S_IFIFO, S_IFSOCK, S_IFCHR:
                storage = .stream(descriptor: descriptor, path: path)
                length = -1
            default:
                close(descriptor)
                throw .transport(code: 26, message: "upload file \(path) is not a regular file")
            }
        } else if let data = request.uploadData {
            storage = .bytes(data)
            length = Int64(data.count)
        } else if let reader = request.uploadReader {
            storage = .reader(reader)
            length = reader.length
        } else {
            return nil
        }
    }

    deinit {
        switch storage {
        case .file(let descriptor, _), .stream(let descriptor, _): close(descriptor)
        case .bytes, .reader: break
        }
    }

    /// Starts reading from the beginning again (before each attempt). A stream cannot be re-read: once it gave
    /// bytes, a later attempt fails with a read error instead of sending a truncated body.
    func rewind() {
        if case .stream = storage, offset > 0 { exhaustedStream = true }
        offset = 0
    }

    /// Copies up to `capacity` bytes into `buffer`; returns the count (0 at the end) or `nil` on a read error.
    func read(into buffer: UnsafeMutableRawPointer, capacity: Int) -> Int? {
        if case .stream(let descriptor, _) = storage {
            guard !exhaustedStream else { return nil }
            while true {
                let count = readDescriptor(descriptor, buffer, capacity)
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { return nil }
                offset += Int64(count)
                return count
            }
        }
        let wanted = Int(min(Int64(capacity), length - offset))
        guard wanted > 0 else { return 0 }
        switch storage {
        case .bytes(let bytes):
            let start = Int(offset)
            bytes.withUnsafeBytes { source in
                guard let base = source.baseAddress else { return }
                buffer.copyMemory(from: base + start, byteCount: wanted)
            }
            offset += Int64(wanted)
            return wanted
        case .stream:
            return nil
        case .reader(let reader):
            guard let count = reader.read(at: offset, into: UnsafeMutableRawBufferPointer(start: buffer, count: wanted)),
                  count > 0, count <= wanted else { return nil }
            offset += Int64(count)
            return count
        case .file(let descriptor, _):
            while true {
                let count = pread(descriptor, buffer, wanted, off_t(offset))
                if count < 0 && errno == EINTR { continue }
                guard count >= 0 else { return nil }
                // A file that shrank while being sent cannot honour the announced length.
                guard count > 0 else { return nil }
                offset += Int64(count)
                return count
            }
        }
    }

    /// Description for error messages.
    var name: String {
        switch storage {
        case .bytes, .reader: "request body"
        case .file(_, let path), .stream(_, let path): path
        }
    }
}

/// read(2), named apart from ``UploadSource/read(into:capacity:)``.
private func readDescriptor(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.read(descriptor, buffer, count)
    #elseif canImport(Musl)
    Musl.read(descriptor, buffer, count)
    #else
    Darwin.read(descriptor, buffer, count)
    #endif
}
