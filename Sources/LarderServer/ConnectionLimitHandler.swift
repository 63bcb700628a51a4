import HTTPTypes
import LarderAPI
import LarderCore
import NIOCore
import NIOHTTPTypes
import Synchronization

/// The number of open client connections, shared by every connection's ``ConnectionLimitHandler``.
final class ConnectionLimit: Sendable {
    /// The most connections served at once.
    let limit: Int
    private let open = Atomic<Int>(0)

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// Counts a new connection; false when it is one too many (it is counted all the same, until ``leave()``).
    func enter() -> Bool {
        open.wrappingAdd(1, ordering: .relaxed).newValue <= limit
    }

    /// Stops counting a connection.
    func leave() {
        open.wrappingSubtract(1, ordering: .relaxed)
    }
}

/// Answers every request on a connection beyond `--max-connections` with 503 `too_many_connections` (JSON body,
/// `Retry-After`, `Connection: close`) and closes it, so a flood of connections cannot exhaust descriptors or memory.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundOut = HTTPResponsePart

    private let limit: ConnectionLimit
    private var admitted: Bool?

    init(limit: ConnectionLimit) {
        self.limit = limit
    }

    func handlerAdded(context: ChannelHandlerContext) {
        admitted = limit.enter()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        if admitted != nil { limit.leave() }
        admitted = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard admitted == false else {
            context.fireChannelRead(data)
            return
        }
        guard case .head = unwrapInboundIn(data) else { return }
        let failure = LarderFailure(.unavailable, "too_many_connections",
                                    "the server has \(limit.limit) connections open (--max-connections); try again in a second")
        let body = ErrorBody(error: failure.code, message: failure.message).encoded()
        var head = HTTPResponse(status: LarderError.status(of: failure.kind))
        head.headerFields[.contentType] = "application/json"
        head.headerFields[.contentLength] = String(body.count)
        head.headerFields[.retryAfter] = "1"
        head.headerFields[.connection] = "close"
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(ByteBuffer(bytes: body))), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil))).assumeIsolated().whenComplete { _ in context.close(promise: nil) }
    }
}
