/// An upstream answer that ends a fill before any byte is stored.
public enum UpstreamFailure: Error {
    /// The upstream answered this status, with the start of its body.
    case status(Int, String)
}
