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

    func run() async throws {
        let expected = try sha256.map(parseDigest)
        try await reportingErrors {
            let file = try OutputFile(path: output)
            let cache = try await backend.withBackend { backend in
                try await backend.fetch(url: url, sha256: expected, to: file, progress: ProgressReporter.forTerminal("fetch"))
            }
            if output != nil { FileHandle.standardError.write(Data("\(cache): \(url) -> \(output ?? "")\n".utf8)) }
        }
    }
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

    @Argument(help: "The blob's digest (sha256:<hex>).") var digest: String
    @Option(name: .shortAndLong, help: "Write to this file instead of standard output.") var output: String?
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        let digest = try parseDigest(self.digest)
        try await reportingErrors {
            let file = try OutputFile(path: output)
            try await backend.withBackend { backend in
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
            let listings = try await backend.withBackend { try await $0.list() }
            if backend.json {
                try printJSON(listings)
                return
            }
            let formatter = ISO8601DateFormatter()
            print("DIGEST".padding(toLength: 20, withPad: " ", startingAt: 0) + "  " + "SIZE".padding(toLength: 10, withPad: " ", startingAt: 0)
                  + "  LAST ACCESS             PIN  REFS")
            for listing in listings.sorted(by: { $0.record.lastAccess > $1.record.lastAccess }) {
                let record = listing.record
                let digest = String(record.digest.description.prefix(20))
                let size = ByteCount.format(record.size).padding(toLength: 10, withPad: " ", startingAt: 0)
                let access = formatter.string(from: Date(timeIntervalSince1970: record.lastAccess))
                let pin = record.pinned ? "yes" : "no "
                print("\(digest)  \(size)  \(access)  \(pin)  \(listing.refs.joined(separator: " "))")
            }
        }
    }
}

/// `larder pin DIGEST…`.
struct Pin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Protect blobs from eviction.")
    @Argument(help: "Digests to pin.") var digests: [String]
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        let parsed = try digests.map(parseDigest)
        try await reportingErrors {
            try await backend.withBackend { backend in
                for digest in parsed { try await backend.setPinned(digest, true) }
            }
        }
    }
}

/// `larder unpin DIGEST…`.
struct Unpin: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Let blobs be evicted again.")
    @Argument(help: "Digests to unpin.") var digests: [String]
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        let parsed = try digests.map(parseDigest)
        try await reportingErrors {
            try await backend.withBackend { backend in
                for digest in parsed { try await backend.setPinned(digest, false) }
            }
        }
    }
}

/// `larder rm DIGEST…`.
struct Remove: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "rm", abstract: "Delete blobs.")
    @Argument(help: "Digests to delete.") var digests: [String]
    @OptionGroup var backend: BackendOptions

    func run() async throws {
        let parsed = try digests.map(parseDigest)
        try await reportingErrors {
            try await backend.withBackend { backend in
                for digest in parsed { try await backend.delete(digest) }
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
            let report = try await backend.withBackend { try await $0.gc() }
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
            try await backend.withBackend { try await $0.verify() }
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
            let stats = try await backend.withBackend { try await $0.statistics() }
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
