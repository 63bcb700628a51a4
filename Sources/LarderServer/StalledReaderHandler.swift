import NIOCore

/// Closes a connection whose client stopped reading: once the socket stays unwritable (the response bytes the
/// server queued exceed the channel's high watermark because the client reads nothing) for `timeout`, the channel
/// is closed. The response being written then fails, which ends its body stream and releases its blob lease and
/// `--max-streams` slot, so a client that stops reading holds neither memory nor a slot hostage.
///
/// A slow but steady reader is never closed: every time the socket drains below the low watermark the channel
/// becomes writable again and the timer is cancelled.
final class StalledReaderHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let timeout: TimeAmount
    private var timer: Scheduled<Void>?

    /// Closes the connection after `timeout` without the client reading.
    init(timeout: TimeAmount) {
        self.timeout = timeout
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable {
            cancelTimer()
        } else if timer == nil {
            let loopBound = NIOLoopBound(context, eventLoop: context.eventLoop)
            timer = context.eventLoop.assumeIsolated().scheduleTask(in: timeout) {
                loopBound.value.close(promise: nil)
            }
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

    private func cancelTimer() {
        timer?.cancel()
        timer = nil
    }
}
