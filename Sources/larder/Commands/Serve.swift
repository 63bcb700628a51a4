import ArgumentParser
import Foundation
import LarderClient
import LarderCore
import LarderServer
import LarderStore
import Logging
import Upstream

/// `larder serve`: runs the cache server.
struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the cache server (one per node).")

    @Option(name: .long, help: "Address to listen on, HOST:PORT.")
    var listen: String = "127.0.0.1:7480"

    @Option(name: .long, help: "Data directory (default: $LARDER_DATA or ./larder-data).")
    var data: String?

    @Option(name: .customLong("max-size"), help: "Most bytes of content to keep, e.g. 50GiB; least recently used unpinned blobs are evicted beyond it.")
    var maxSize: String = "50GiB"

    @Option(name: .customLong("allow-upstream"), parsing: .singleValue,
            help: "Host /fetch may pull from (repeatable or comma-separated; *.example.com for subdomains, * for any). Default: none, fetching disabled.")
    var allowUpstream: [String] = []

    @Option(name: .customLong("chunk-size"), help: "Size of the chunks blobs are stored in.")
    var chunkSize: String = "1MiB"

    @Option(name: .customLong("keep-runs"), help: "Keep at most this many runs per flow in the run store (default: all).")
    var keepRuns: Int?

    @Option(name: .customLong("max-streams"), help: "Most blob downloads sent at once; past it a read gets 503 with Retry-After (each holds about 1.5 MiB at most).")
    var maxStreams: Int = 256

    @OptionGroup var hf: HFServeOptions

    @OptionGroup var runTier: RunTierOptions
    @OptionGroup var access: AuthServeOptions
    @OptionGroup var limits: ServeLimitOptions
    @OptionGroup var registry: RegistryOptions
    @OptionGroup var deploy: DeployOptions
    @OptionGroup var peers: PeerOptions

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func validate() throws {
        guard parseListen() != nil else {
            throw ValidationError("--listen \(listen) is not HOST:PORT (e.g. 127.0.0.1:7480 or 0.0.0.0:7480)")
        }
        guard ByteCount.parse(maxSize).map({ $0 > 0 }) == true else {
            throw ValidationError("--max-size \(maxSize) is not a size; use e.g. 50GiB")
        }
        guard let chunk = ByteCount.parse(chunkSize), chunk >= 4096, chunk <= 64 << 20 else {
            throw ValidationError("--chunk-size must be between 4KiB and 64MiB")
        }
        for host in allowUpstream.flatMap({ $0.split(separator: ",", omittingEmptySubsequences: false) }) {
            try Self.validateAllowedHost(String(host))
        }
        guard maxStreams >= 1 else {
            throw ValidationError("--max-streams must be at least 1")
        }
        guard Logger.Level(rawValue: logLevel) != nil else {
            throw ValidationError("--log-level \(logLevel) is not one of trace, debug, info, notice, warning, error, critical")
        }
    }

    /// Checks one `--allow-upstream` entry: a host name or address, `*.domain` or `*` — not a URL.
    static func validateAllowedHost(_ entry: String) throws {
        let host = entry.trimmingCharacters(in: .whitespaces)
        guard !host.isEmpty else {
            throw ValidationError("--allow-upstream has an empty host; give host names such as huggingface.co or *.example.com")
        }
        if host.contains("://") || host.contains("/") || host.contains("?") || host.contains("@") || host.contains(where: \.isWhitespace) {
            throw ValidationError("--allow-upstream \(entry) is not a host name; give only the host, e.g. --allow-upstream \(Self.hostPart(of: host))")
        }
    }

    /// The host of a URL-like entry, for the suggestion in an error message.
    static func hostPart(of entry: String) -> String {
        var rest = Substring(entry)
        if let scheme = rest.range(of: "://") { rest = rest[scheme.upperBound...] }
        if let at = rest.firstIndex(of: "@") { rest = rest[rest.index(after: at)...] }
        let host = rest.prefix { $0 != "/" && $0 != "?" && $0 != ":" && !$0.isWhitespace }
        return host.isEmpty ? "example.com" : String(host)
    }

    func parseListen() -> (String, Int)? {
        guard let colon = listen.lastIndex(of: ":"), let port = Int(listen[listen.index(after: colon)...]),
              (0...65535).contains(port) else { return nil }
        var host = String(listen[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        return host.isEmpty ? nil : (host, port)
    }

    /// Creates the data directory if needed; a plain sentence when a file is in the way or it cannot be created.
    static func prepareDataDirectory(_ directory: String) throws {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw ClientError("it is a file, not a directory") }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw ClientError("it cannot be created (\(describe(error)))")
        }
    }

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let directory = data ?? ProcessInfo.processInfo.environment["LARDER_DATA"] ?? "./larder-data"
        guard let (host, port) = parseListen(), let max = ByteCount.parse(maxSize), let chunk = ByteCount.parse(chunkSize) else {
            throw ValidationError("invalid options")
        }
        var configuration = ServerConfiguration(dataDirectory: directory, maxSize: max)
        configuration.host = host
        configuration.port = port
        configuration.core.store.chunkSize = Int(chunk)
        configuration.core.keepRuns = keepRuns
        configuration.maxStreams = maxStreams
        configuration.core.allowlist = UpstreamAllowlist(allowUpstream.flatMap { $0.split(separator: ",").map(String.init) })
        configuration.core.hf = try hf.configuration()
        configuration.core.runTier = runTier.configuration()
        access.apply(to: &configuration.core)
        limits.apply(to: &configuration)
        configuration.core.registries = try registry.configuration()
        deploy.apply(to: &configuration.core)
        peers.apply(to: &configuration.core, listenPort: port)
        var logger = Logger(label: "larder")
        logger.logLevel = level
        configuration.core.logger = logger
        ProcessMemory.configure()
        let services: LarderServices
        do {
            try Self.prepareDataDirectory(directory)
            configuration.tls = try access.tls(logger: logger)
            services = try LarderServices(configuration: configuration)
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("larder: \(error.description)\n".utf8))
            throw ExitCode.failure
        } catch let error as TokenStore.LoadError {
            FileHandle.standardError.write(Data("larder: \(error.description)\n".utf8))
            throw ExitCode.failure
        } catch let error as TLSCertificateReloader.LoadError {
            FileHandle.standardError.write(Data("larder: \(error.description)\n".utf8))
            throw ExitCode.failure
        } catch {
            FileHandle.standardError.write(Data("larder: cannot use \(directory) as the data directory: \(describe(error)); give a writable directory with --data\n".utf8))
            throw ExitCode.failure
        }
        let startupLogger = logger
        let allowed = configuration.core.allowlist.entries.joined(separator: ",")
        let writes = access.summary
        let tlsMode = configuration.tls == nil ? "off" : "on"
        let peerTier = services.fills.peers
        try await runServer(configuration, services: services) { port in
            peerTier?.serverBound(host: host, port: port)
            startupLogger.notice("larder serving", metadata: [
                "address": "\(host):\(port)", "data": "\(directory)",
                "allow-upstream": "\(allowed)", "writes": "\(writes)", "tls": "\(tlsMode)",
            ])
        }
        services.store.close()
    }
}
