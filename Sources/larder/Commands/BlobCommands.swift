import ArgumentParser
import Foundation
import LarderClient
import LarderStore

/// `larder fetch URL`: pull a URL through the cache.
struct Fetch: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Fetch a URL through the cache (the server must allow its host with --allow-upstream).")

    @Argument(help: "The upstream URL.") var url: String
    @Option(name: .long, help: "Expected SHA-256 of the content (hex); the download fails on a mismatch.") var sha256: String?
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?
    @OptionGroup var backend: BackendOptions

    func validate() throws {
        if backend.json && (output == nil || output == "-") {
            throw ValidationError("--json prints a summary on standard output; give -o FILE for the content")
        }
    }

    func run() async throws {
        let expected = try sha256.map(parseDigest)
        try await reportingErrors {
            let file = try OutputFile(path: output)
            let cache = try await backend.withBackend { backend in
                try await backend.fetch(url: url, sha256: expected, to: file, progress: ProgressReporter.forTerminal("fetch"))
            }
            if backend.json {
                try printJSON(FetchSummary(url: url, cache: cache, output: output ?? ""))
            } else if output != nil {
                FileHandle.standardError.write(Data("\(cache): \(url) -> \(output ?? "")\n".utf8))
            }
        }
    }
}

/// What `larder fetch --json` prints.
struct FetchSummary: Encodable {
    /// The URL fetched.
    var url: String
    /// `hit` or `miss` (as the server's X-Larder-Cache says).
    var cache: String
    /// The file written.
    var output: String
}

/// `larder put FILE`: store a file and print its digest.
struct Put: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Store a file (or - for standard input) and print its digest.")

    @Argument(help: "The file to store, or - for standard input.") var file: String
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        try await reportingErrors {
            let record = try await backend.withBackend { backend in
                try await backend.put(path: file == "-" ? nil : file, progress: ProgressReporter.forTerminal("put"))
            }
            if backend.json { try printJSON(record) } else { print(record.digest) }
        }
    }
}

/// `larder get DIGEST`: write a blob out.
struct Get: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a stored blob to a file or standard output.")

    @Argument(help: "The blob's digest (sha256:<hex>, or a unique prefix of at least 4 hex digits).") var digest: String
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        let argument = try DigestArgument(self.digest)
        try await reportingErrors {
            if let output, output != "-" { try OutputFile.checkWritable(output) }
            try await backend.withBackend(existing: true) { backend in
                let digest = try await argument.resolve(using: backend)
                let file = try OutputFile(path: output)
                try await backend.get(digest, to: file, progress: ProgressReporter.forTerminal("get"))
            }
        }
    }
}

/// `larder ls`: list blobs.
struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List stored blobs: digest, size, last access, pinned, refs.")

    @OptionGroup var backend: BackendOptions

    func run() async throws {
        try await reportingErrors {
            let listings = try await backend.withBackend(existing: true) { try await $0.list() }
            if backend.json {
                try printJSON(listings)
                return
            }
            let formatter = ISO8601DateFormatter()
            func row(_ digest: String, _ size: String, _ access: String, _ pin: String, _ refs: String) -> String {
                [digest.padding(toLength: 20, withPad: " ", startingAt: 0), size.padding(toLength: 10, withPad: " ", startingAt: 0),
                 access.padding(toLength: 20, withPad: " ", startingAt: 0), pin.padding(toLength: 3, withPad: " ", startingAt: 0), refs]
                    .joined(separator: "  ")
            }
            print(row("DIGEST", "SIZE", "LAST ACCESS", "PIN", "REFS"))
            for listing in listings.sorted(by: { $0.record.lastAccess > $1.record.lastAccess }) {
                let record = listing.record
                print(row(String(record.digest.description.prefix(20)), ByteCount.format(record.size),
                          formatter.string(from: Date(timeIntervalSince1970: record.lastAccess)), record.pinned ? "yes" : "no",
                          listing.refs.joined(separator: " ")))
            }
        }
    }
}

/// `larder pin DIGEST…`.
struct Pin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Protect blobs from eviction.")
    @Argument(help: "Digests (or unique prefixes) to pin.") var digests: [String]
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        let parsed = try digests.map(DigestArgument.init)
        try await reportingErrors {
            try await backend.withBackend(existing: true) { backend in
                for argument in parsed {
                    let digest = try await argument.resolve(using: backend)
                    try await backend.setPinned(digest, true)
                }
            }
        }
    }
}

/// `larder unpin DIGEST…`.
struct Unpin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Let blobs be evicted again.")
    @Argument(help: "Digests (or unique prefixes) to unpin.") var digests: [String]
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        let parsed = try digests.map(DigestArgument.init)
        try await reportingErrors {
            try await backend.withBackend(existing: true) { backend in
                for argument in parsed {
                    let digest = try await argument.resolve(using: backend)
                    try await backend.setPinned(digest, false)
                }
            }
        }
    }
}

/// `larder rm DIGEST…`.
struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete blobs.")
    @Argument(help: "Digests (or unique prefixes) to delete.") var digests: [String]
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        let parsed = try digests.map(DigestArgument.init)
        try await reportingErrors {
            try await backend.withBackend(existing: true) { backend in
                for argument in parsed {
                    let digest = try await argument.resolve(using: backend)
                    try await backend.delete(digest)
                }
            }
        }
    }
}

/// `larder gc`.
struct GC: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Remove dangling refs and evict down to the size limit.")
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        try await reportingErrors {
            let report = try await backend.withBackend(existing: true) { try await $0.gc() }
            if backend.json { try printJSON(report) } else {
                print("removed \(report.danglingRefsRemoved) dangling refs, evicted \(report.evicted) blobs; \(ByteCount.format(report.storedBytes)) stored")
            }
            if let warning = report.warning {
                FileHandle.standardError.write(Data("larder: warning: \(warning)\n".utf8))
            }
        }
    }
}

/// `larder verify`.
struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Re-hash every blob; remove and report corrupt ones (exit 1 if any).")
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        let report = try await reportingErrors {
            try await backend.withBackend(existing: true) { try await $0.verify() }
        }
        if backend.json { try printJSON(report) } else {
            print("verified \(report.verified) blobs (\(ByteCount.format(report.bytesRead)) read), \(report.corrupt.count) corrupt")
            for digest in report.corrupt { print("corrupt, removed: \(digest)") }
        }
        if !report.corrupt.isEmpty { throw ExitCode.failure }
    }
}

/// `larder stats`.
struct Stats: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Show store size, capacity and counters.")
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        try await reportingErrors {
            let stats = try await backend.withBackend(existing: true) { try await $0.statistics() }
            if backend.json { try printJSON(stats) } else {
                print("""
                    stored:    \(ByteCount.format(stats.storedBytes)) in \(stats.blobCount) blobs (\(ByteCount.format(stats.pinnedBytes)) pinned)
                    capacity:  \(ByteCount.format(stats.capacityBytes))
                    evictions: \(stats.evictions) (\(ByteCount.format(stats.evictedBytes)))
                    """)
            }
        }
    }
}
