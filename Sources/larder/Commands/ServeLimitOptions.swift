import ArgumentParser
import LarderServer

/// `larder serve`'s resource bounds: concurrent connections and fills, client and upstream timeouts, the shutdown deadline.
struct ServeLimitOptions: ParsableArguments {
    @Option(name: .customLong("max-fills"), help: "Most upstream fills at once; past it a new miss gets 503 with Retry-After (joining a running fill is always possible).")
    var maxFills: Int = 64

    @Option(name: .customLong("max-connections"), help: "Most client connections open at once; a request on one past it gets 503 with Retry-After and the connection is closed.")
    var maxConnections: Int = 4096

    @Option(name: .customLong("client-timeout"), help: "Seconds a client may send nothing of a request, or read nothing of a response, before its connection is closed (0: never).")
    var clientTimeout: Double = 60

    @Option(name: .customLong("upstream-stall-timeout"), help: "Seconds an upstream transfer may move no byte before it is aborted (and resumed while attempts remain).")
    var upstreamStallTimeout: Double = 30

    @Option(name: .customLong("shutdown-timeout"), help: "Seconds requests in progress may go on after SIGTERM before they are aborted and the store is closed.")
    var shutdownTimeout: Double = 10

    func validate() throws {
        guard maxFills >= 1 else { throw ValidationError("--max-fills must be at least 1") }
        guard maxConnections >= 1 else { throw ValidationError("--max-connections must be at least 1") }
        for (name, value) in [("--client-timeout", clientTimeout), ("--upstream-stall-timeout", upstreamStallTimeout),
                              ("--shutdown-timeout", shutdownTimeout)] {
            guard value.isFinite, value >= 0, value <= 86_400 else {
                throw ValidationError("\(name) must be a number of seconds between 0 and 86400")
            }
        }
    }

    /// Sets the bounds on `configuration`.
    func apply(to configuration: inout ServerConfiguration) {
        configuration.core.maxFills = maxFills
        configuration.maxConnections = maxConnections
        configuration.clientTimeout = clientTimeout > 0 ? .milliseconds(Int64(clientTimeout * 1000)) : nil
        configuration.core.upstream.stallTimeout = .milliseconds(Int64(upstreamStallTimeout * 1000))
        configuration.shutdownTimeout = .milliseconds(Int64(shutdownTimeout * 1000))
    }
}
