// swift-tools-version:6.2
import PackageDescription

/// Settings shared by every Swift target, each upcoming feature named with its proposal.
let swiftSettings: [SwiftSetting] = [
    // SE-0335: `any` for existential types.
    .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
    name: "larder",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "larder", targets: ["larder"]),
        .library(name: "LarderStore", targets: ["LarderStore"]),
        .library(name: "LarderServer", targets: ["LarderServer"]),
        .executable(name: "runcmp", targets: ["runcmp"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto.git", "3.12.3"..<"5.0.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.1"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio-extras.git", from: "1.35.2"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        // TLS for `serve --tls-cert/--tls-key` (already resolved through Hummingbird's HummingbirdTLS).
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
    ],
    targets: [
        .systemLibrary(
            name: "CLMDB",
            pkgConfig: "lmdb",
            providers: [.apt(["liblmdb-dev"])]
        ),
        .systemLibrary(
            name: "CCurl",
            pkgConfig: "libcurl",
            providers: [.apt(["libcurl4-openssl-dev"])]
        ),
        .target(
            name: "LMDB",
            dependencies: ["CLMDB"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LarderAPI",
            dependencies: ["RunModel"],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LarderStore",
            dependencies: [
                "LarderAPI",
                "LMDB",
                "RunModel",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "Upstream",
            dependencies: [
                "CCurl",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Runs kept in S3 (the run tier's archive): the S3 client (SigV4 by libcurl), the object layout, the record reader.
        // Used by the server's run tier and by `runcmp diff s3://…`.
        .target(
            name: "RunArchive",
            dependencies: [
                "LarderAPI",
                "RunModel",
                "Upstream",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // The domain between the HTTP routes and the store: fills, the Hugging Face mirror, the failures clients are
        // told of. No HTTP server types.
        .target(
            name: "LarderCore",
            dependencies: [
                "LarderAPI",
                "LarderStore",
                "RunArchive",
                "RunModel",
                "Upstream",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LarderServer",
            dependencies: [
                "LarderAPI",
                "LarderCore",
                "LarderStore",
                "Upstream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOHTTPTypes", package: "swift-nio-extras"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                "RunModel",
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LarderClient",
            dependencies: [
                "LarderAPI",
                "LarderCore",
                "LarderStore",
                "Upstream",
                "RunModel",
                "RunRecorder",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RunModel",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "RunRecorder",
            dependencies: [
                "RunModel",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .executableTarget(
            name: "larder",
            dependencies: [
                "LarderAPI",
                "LarderCore",
                "LarderServer",
                "LarderClient",
                "LarderStore",
                "RunArchive",
                "RunModel",
                "RunRecorder",
                "Upstream",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        .target(name: "RunCompare", dependencies: ["LarderAPI", "RunModel"], swiftSettings: swiftSettings),
        // Deterministic synthetic runs: the example report (`runcmp example`), the benchmark data and test fixtures.
        .target(name: "RunFixtures", dependencies: ["LarderAPI", "RunModel"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "runcmp",
            dependencies: [
                "LarderAPI",
                "RunArchive",
                "RunCompare",
                "RunFixtures",
                "RunModel",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "RunCompareTests", dependencies: ["LarderAPI", "RunCompare", "RunFixtures", "RunModel", "LarderTestSupport", "larder"], exclude: ["Golden"], swiftSettings: swiftSettings),
        .testTarget(name: "LarderAPITests", dependencies: ["LarderAPI"], swiftSettings: swiftSettings),
        .testTarget(name: "LMDBTests", dependencies: ["LMDB"], swiftSettings: swiftSettings),
        .executableTarget(
            name: "larder-crash-writer",
            dependencies: ["LarderStore"],
            path: "Tests/Support/CrashWriter",
            swiftSettings: swiftSettings
        ),
        .target(
            name: "LarderTestSupport",
            dependencies: [
                "LarderCore", "LarderServer", "LarderStore", "Upstream",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Tests/Support/LarderTestSupport",
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(name: "LarderStoreTests", dependencies: ["LarderAPI", "LarderStore", "LMDB", "LarderTestSupport", "larder-crash-writer"], swiftSettings: swiftSettings),
        .testTarget(name: "RunRecorderTests", dependencies: ["RunModel", "RunRecorder", "LarderTestSupport"], exclude: ["Fixtures"], swiftSettings: swiftSettings),
        .testTarget(name: "UpstreamTests", dependencies: ["Upstream", "LarderTestSupport", .product(name: "Logging", package: "swift-log")], swiftSettings: swiftSettings),
        .testTarget(
            name: "LarderServerTests",
            dependencies: [
                "LarderAPI",
                "LarderCore",
                "LarderServer",
                "LarderStore",
                "LMDB",
                "LarderTestSupport",
                "Upstream",
                "RunModel",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "HFTests",
            dependencies: [
                "LarderAPI", "LarderCore", "LarderServer", "LarderTestSupport", "Upstream", "LarderStore", "RunModel", "larder",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        // The Metaflow integration end to end (tools/metaflow): needs tools/metaflow/venv.sh, run by tools/test.sh.
        .testTarget(name: "MetaflowTests", dependencies: ["LarderTestSupport", "larder", "runcmp"], swiftSettings: swiftSettings),
        // Write authorisation: token files, the route classifier, every mutation route over HTTP, the CLI's tokens.
        .testTarget(
            name: "LarderAuthTests",
            dependencies: [
                "LarderAPI", "LarderCore", "LarderServer", "LarderStore", "LarderTestSupport", "Upstream", "RunModel", "larder",
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: swiftSettings
        ),
        // Per-task fetch attribution (issue 15): /t/<token>/ routing, the task logs, `larder run`'s fetches, warm --from-run.
        .testTarget(
            name: "LarderAttributionTests",
            dependencies: [
                "LarderAPI", "LarderClient", "LarderCore", "LarderStore", "LarderTestSupport", "RunModel", "Upstream",
                "larder", "runcmp",
            ],
            swiftSettings: swiftSettings
        ),
        // The fault suite (issue 12): kill -9, misbehaving upstreams, a full store, load, slow readers, hostile input
        // and parser fuzzing against real `larder serve` processes; prints a table and writes .build/fault-suite.md.
        .testTarget(
            name: "LarderFaultTests",
            dependencies: [
                "larder", "LarderAPI", "LarderServer", "LarderStore", "LarderTestSupport", "RunModel", "Upstream",
                .product(name: "Logging", package: "swift-log"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        // The OCI registry mirror against a real docker-registry, skopeo and a token server fixture.
        .testTarget(
            name: "LarderOCITests",
            dependencies: [
                "LarderAPI", "LarderCore", "LarderServer", "LarderStore", "LarderTestSupport", "Upstream", "larder",
            ],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "LarderCLITests",
            dependencies: ["larder", "runcmp", "LarderAPI", "LarderStore", "LarderTestSupport", "RunModel"],
            swiftSettings: swiftSettings
        ),
        // The peer tier (issue 14): rendezvous owners, and clusters of `larder serve` processes on loopback.
        .testTarget(
            name: "LarderPeerTests",
            dependencies: ["larder", "LarderCore", "LarderTestSupport", "Upstream",
                           .product(name: "Crypto", package: "swift-crypto"), .product(name: "Logging", package: "swift-log")],
            exclude: ["Fixtures"],
            swiftSettings: swiftSettings
        ),
        .testTarget(
            name: "RunTierTests",
            dependencies: ["larder", "runcmp", "LarderAPI", "LarderCore", "LarderStore", "LarderTestSupport", "RunArchive", "RunFixtures", "RunModel",
                           .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: swiftSettings
        ),
    ]
)
