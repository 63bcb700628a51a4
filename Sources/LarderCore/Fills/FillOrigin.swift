/// Where a fill's bytes came from.
public enum FillOrigin: Sendable, Equatable {
    /// The object's upstream (the internet, a registry, S3).
    case upstream
    /// Another node of the peer tier, the object's owner (`host:port`).
    case peer(String)
}
