import ArgumentParser
import Foundation
import LarderClient
import LarderCore
import LarderServer
import Logging

/// `larder serve`'s access options: who may write, and which gated Hugging Face repositories everyone may read.
struct AuthServeOptions: ParsableArguments {
    @Option(name: .customLong("token-file"),
            help: "File of write tokens, one per line with optional scopes (admin, blobs, warm, runs, runs:FLOW), # comments; re-read when it changes. Without it, writes are open to whoever reaches the port.")
    var tokenFile: String?

    @Flag(name: .customLong("read-only"), help: "Refuse every write (uploads, deletes, pins, run records, warm jobs, /admin) with 403 read_only.")
    var readOnly = false

    @Option(name: .customLong("hf-public-repo"), parsing: .singleValue,
            help: "A gated or private Hugging Face repository ([TYPE/]NAMESPACE/NAME, repeatable) that callers without their own token may read from the cache.")
    var hfPublicRepos: [String] = []

    @Option(name: .customLong("tls-cert"), help: "Serve HTTPS with this PEM certificate chain (with --tls-key); re-read when it changes.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "The PEM private key of --tls-cert; re-read when it changes.")
    var tlsKey: String?

    @Option(name: .customLong("hf-access-ttl"),
            help: "Seconds a caller's access to a gated or private Hugging Face repository, checked upstream with their own token, is remembered.")
    var hfAccessTTL: Int = 60

    func validate() throws {
        if let tokenFile, !FileManager.default.isReadableFile(atPath: tokenFile) {
            throw ValidationError("--token-file \(tokenFile) cannot be read; give a readable file of tokens")
        }
        if (tlsCert == nil) != (tlsKey == nil) {
            throw ValidationError("give both --tls-cert and --tls-key, or neither")
        }
        guard hfAccessTTL >= 0 else { throw ValidationError("--hf-access-ttl must be 0 or more seconds") }
        for repo in hfPublicRepos where HFPublicRepos.parse(repo) == nil {
            throw ValidationError("--hf-public-repo \(repo) is not a repository id such as meta-llama/Llama-3.1-8B or datasets/org/name")
        }
    }

    /// Sets the write access and the operator's public repositories in `configuration`.
    func apply(to configuration: inout LarderConfiguration) {
        configuration.writeAccess.tokenFile = tokenFile
        configuration.writeAccess.readOnly = readOnly
        configuration.hf.publicRepos = HFPublicRepos(hfPublicRepos.compactMap(HFPublicRepos.parse))
        configuration.hf.accessTTL = .seconds(hfAccessTTL)
    }

    /// The TLS certificate and key, loaded (nil without --tls-cert); throws a sentence naming the unusable file.
    func tls(logger: Logger) throws -> TLSCertificateReloader? {
        guard let tlsCert, let tlsKey else { return nil }
        return try TLSCertificateReloader(certificate: tlsCert, key: tlsKey, logger: logger)
    }

    /// How writes are guarded, for the startup log line.
    var summary: String {
        readOnly ? "read-only" : tokenFile.map { "token-file \($0)" } ?? "open"
    }
}

/// The client commands' `--token-file`: where the write token comes from (see ``ClientToken``).
struct ClientTokenOption: ParsableArguments {
    @Option(name: .customLong("token-file"), help: "File holding the token sent with writes (default: $LARDER_TOKEN, else the file $LARDER_TOKEN_FILE).")
    var tokenFile: String?

    /// The token to send, or nil; a plain sentence when the file cannot be used.
    func resolve() throws -> String? {
        try ClientToken.resolve(tokenFile: tokenFile)
    }
}
