import NIOCore

/// Closes a connection whose client stopped reading: when the socket is unwritable (the response bytes queued for
/// it exceed the channel's high watermark) and no queued write has reached the socket for `timeout`, the channel is
/// closed. The response being written then fails, which ends its body stream and releases its blob lease and
/// `--max-streams` slot, so a client that stops reading holds neither memory nor a slot hostage.
///
/// A slow but steady reader is not closed: each write that reaches the socket restarts the clock.
final class StalledReaderHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny
    typealias OutboundIn = NIOAny

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?
    /// When a write last reached the socket (or the handler was added).
    private var lastProgress = NIODeadline.now()

    /// Closes the connection once `timeout` passes without the client reading.
    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let written = promise ?? context.eventLoop.makePromise()
        written.futureResult.assumeIsolated().whenSuccess { [self] in lastProgress = .now() }
        context.write(data, promise: written)
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            cancelTimer()
        } else if timer == nil {
            schedule(context, at: NIODeadline.now() + timeout)
        }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancelTimer()
        context.fireChannelInactive()
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancelTimer()
    }

    /// Checks at `deadline` whether the client read anything meanwhile; closes the connection if not.
    private func schedule(_ context: ChannelHandlerContext, at deadline: NIODeadline) {
        let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
        timer = context.eventLoop.assumeIsolated().scheduleTask(deadline: deadline) { [self] in
            timer = nil
            let context = loopBound.value
            guard !context.channel.isWritable else { return }
            let due = lastProgress + timeout
            if due <= .now() {
                context.close(promise: nil)
            } else {
                schedule(context, at: due)
            }
        }
    }

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
