/// A request body read at offsets on demand (e.g. a blob streamed out of the store), so it is never held in
/// memory as a whole and can be re-read from the start for a retry.
public protocol UploadReader: Sendable {
    /// The body's length in bytes.
    var length: Int64 { get }
    /// Copies up to `target.count` bytes starting at `offset` into `target`; returns the count, or nil when the
    /// bytes cannot be read (the transfer then fails with a read error).
    func read(at offset: Int64, into target: UnsafeMutableRawBufferPointer) -> Int?
}
