import Foundation
import Logging

/// HTTP client for upstream servers, built on libcurl.
///
/// Each request runs on its own dedicated thread (never on the Swift cooperative pool), with
/// retries, manual redirect following and transparent resumption of dropped GET bodies.
public final class UpstreamClient: Sendable {
    /// Settings applied to every request.
    public let configuration: UpstreamConfiguration
    private let logger: Logger

    /// Creates a client.
    public init(configuration: UpstreamConfiguration = .init(), logger: Logger = Logger(label: "larder.upstream")) {
        self.configuration = configuration.sanitized
        self.logger = logger
    }

    /// Performs the request; returns once the final response head is known (after redirects and retries).
    ///
    /// Any status is returned as-is (retryable ones only once attempts run out); the body is read by
    /// iterating the returned ``UpstreamResponse``. Throws ``UpstreamError`` when no final response
    /// could be obtained, and ``UpstreamError/cancelled`` when the calling task is cancelled.
    public func send(_ request: UpstreamRequest) async throws -> UpstreamResponse {
        let configuration = self.configuration
        let logger = self.logger
        let channel = TransferChannel(capacity: configuration.maxBufferedBlocks)
        let thread = Thread {
            do {
                let runner = TransferRunner(request: request, configuration: configuration, channel: channel, logger: logger)
                runner.run()
            }
            channel.markTransferEnded()
        }
        thread.name = "larder-upstream"
        thread.start()
        let head = try await channel.waitForHead()
        return UpstreamResponse(head: head, channel: channel)
    }
}
