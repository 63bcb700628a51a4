import Hummingbird
import NIOCore

/// A request context that knows the event loop of the request's connection.
///
/// Blob bodies use the loop to pace themselves: a write from outside the loop is queued to it, and the response
/// writer learns that the socket is full only once the loop has run that write. Waiting, before each read, for the
/// loop to have run the previous slice's write (`BlobStreamer`) bounds the bytes queued per reader to about three
/// slices, where without it a busy loop let megabytes pile up per reader (docs/memory.md).
public protocol ConnectionAwareContext: RequestContext {
    /// The event loop of the connection this request arrived on; nil where there is no connection (tests).
    var eventLoop: (any EventLoop)? { get }
}

/// The request context of `larder serve`'s router.
public struct LarderRequestContext: ConnectionAwareContext {
    /// Hummingbird's per-request storage (logger, parameters, …).
    public var coreContext: CoreRequestContextStorage
    /// The connection's event loop.
    public let eventLoop: (any EventLoop)?

    /// Creates the context for a request on `source.channel`.
    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.eventLoop = source.channel.eventLoop
    }
}
