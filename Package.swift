// swift-tools-version: 6.2
import PackageDescription

/// One strict list of settings shared by every Swift target of the package.
let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
    .treatAllWarnings(as: .error),
]

/// The release executable is linked by lld with the functions the agent runs at start and at idle
/// placed first, then those of a print job, and the private functions that no symbol names grouped
/// ahead of them (`packaging/link-order/`, docs/packaging.md "Code layout"): the kernel maps a code
/// page together with its neighbours, so scattered hot code keeps most of the executable resident.
/// Relative relocations are packed (DT_RELR) instead of taking 24 bytes each.
let linkOrder = String(#filePath.dropLast("Package.swift".count)) + "packaging/link-order/"
let releaseLinkerSettings: [LinkerSetting] = [
    .unsafeFlags(
        [
            "-use-ld=lld",
            "-Xlinker", "--symbol-ordering-file=\(linkOrder)lanyard.order",
            "-Xlinker", "--no-warn-symbol-ordering",
            "-Xlinker", "-T", "-Xlinker", "\(linkOrder)private-functions.ld",
            "-Xlinker", "-z", "-Xlinker", "pack-relative-relocs",
        ],
        .when(platforms: [.linux], configuration: .release)
    )
]

let package = Package(
    name: "Lanyard",
    products: [
        .executable(name: "lanyard", targets: ["lanyard"]),
        // The libraries, for the benchmark package in Benchmarks/ (ordo-one/benchmark).
        .library(
            name: "LanyardLibraries", targets: ["Attendees", "BadgePipeline", "Badges", "LanyardSupport", "Printers", "Raster", "Store"]),
    ],
    // Exact versions: Package.resolved is not committed (these machines' package copies carry
    // their own commit ids), so the manifest alone decides what a fresh clone builds with.
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
        .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
        .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
        .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
        .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
        .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
        .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
        .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
        .package(url: "https://github.com/apple/swift-certificates", exact: "1.21.1"),
        .package(url: "https://github.com/apple/swift-asn1", exact: "1.7.4"),
        .package(url: "https://github.com/vapor/postgres-nio", exact: "1.33.2"),
    ],
    targets: [
        // C libraries: each is a module map and a shim header, nothing else.
        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CPango", pkgConfig: "pangocairo", providers: [.apt(["libpango1.0-dev"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode", providers: [.apt(["libqrencode-dev"])]),
        .systemLibrary(name: "CZint", providers: [.apt(["libzint-dev"])]),
        .systemLibrary(name: "CLibUSB", pkgConfig: "libusb-1.0", providers: [.apt(["libusb-1.0-0-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        // zxing-cpp (Debian's libzxing-dev) has a C++ API only: this small C++ target gives Swift one
        // plain C function over it and lets no exception out.
        .target(name: "CZXingBridge", linkerSettings: [.linkedLibrary("ZXing")]),

        .target(
            name: "Raster", dependencies: ["CZlib", "CDeflate", "LanyardSupport"], swiftSettings: strictSettings,
            plugins: ["ErrorCodes"]),
        .target(
            name: "Symbols", dependencies: ["Raster", "CQRencode", "CZint", "CZXingBridge", "LanyardSupport"],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]),
        .target(name: "CivilDate", swiftSettings: strictSettings),
        .target(
            name: "LanyardSupport",
            dependencies: [
                "CivilDate",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]
        ),
        .target(
            name: "YAMLReading",
            dependencies: [.product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        // The attendee contract, event configuration and intake: what the store and the agent need
        // of an attendee without linking the renderer (cairo, Pango).
        .target(
            name: "Attendees",
            dependencies: [
                "CivilDate", "LanyardSupport", "YAMLReading",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]
        ),
        .target(
            name: "Badges",
            dependencies: [
                "Attendees", "Raster", "Symbols", "CCairo", "CPango", "CivilDate", "LanyardSupport", "YAMLReading",
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]
        ),
        .target(
            name: "Printers",
            dependencies: [
                "Raster", "CLibUSB", "LanyardSupport", "YAMLReading",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Yams", package: "Yams"),
            ],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]
        ),
        .target(
            name: "Store",
            dependencies: [
                "Attendees", "CivilDate", "LanyardSupport", "Sync",
                .product(name: "GRDB", package: "GRDB.swift"),
            ],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]
        ),
        .target(
            name: "Sync",
            dependencies: [
                "CivilDate", "LanyardSupport", "TUF",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]
        ),
        // TUF specification 1.0 metadata: canonical JSON, keys and signatures, the role types and
        // their checks, and the client workflow over HTTP (issue 17).
        .target(
            name: "TUF",
            dependencies: [
                "CivilDate", "LanyardSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]
        ),
        .target(
            name: "LanyardHTTP",
            dependencies: [
                "LanyardSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]
        ),
        .target(
            name: "BadgePipeline",
            dependencies: [
                "Attendees", "Badges", "LanyardSupport", "Printers", "Raster", "Store",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]
        ),
        .target(
            name: "Registry",
            dependencies: [
                "LanyardHTTP", "LanyardSupport", "Sync", "TUF",
                .product(name: "GRDB", package: "GRDB.swift"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]
        ),
        .target(
            name: "Agent",
            dependencies: [
                "Attendees", "BadgePipeline", "Badges", "LanyardHTTP", "LanyardSupport", "Printers", "Raster", "Store", "Symbols", "Sync",
                "YAMLReading",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Crypto", package: "swift-crypto"),
                .product(name: "CryptoExtras", package: "swift-crypto"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "SwiftASN1", package: "swift-asn1"),
                .product(name: "X509", package: "swift-certificates"),
            ],
            swiftSettings: strictSettings, plugins: ["ErrorCodes"]
        ),
        .executableTarget(
            name: "lanyard",
            dependencies: [
                "Agent", "Attendees", "BadgePipeline", "Badges", "LanyardSupport", "Printers", "Registry", "Store", "Sync", "TUF",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings,
            linkerSettings: releaseLinkerSettings
        ),
        // The process-level benchmarks (agent under load, registry sync, attendee sync, the fleet at
        // scale): a separate executable, not shipped in the package (docs/benchmarks.md). It starts
        // PostgreSQL as the tests do, with TestSupport's `PostgresServer`.
        .executableTarget(
            name: "lanyard-bench",
            dependencies: [
                "Agent", "Attendees", "BadgePipeline", "Badges", "LanyardSupport", "Printers", "Raster", "Registry", "Store", "Symbols",
                "Sync", "TestSupport", "TUF",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),

        // The error codes of each module are declared in its ErrorCodes.json; this tool writes
        // them as Swift enums before the module compiles (docs/errors.md lists them all).
        .executableTarget(name: "error-code-generator", path: "Sources/ErrorCodeGenerator", swiftSettings: strictSettings),
        .plugin(name: "ErrorCodes", capability: .buildTool(), dependencies: ["error-code-generator"]),

        // What the test targets share (the repository's location); built only for the tests.
        .target(name: "TestSupport", path: "Tests/TestSupport", swiftSettings: strictSettings),

        .testTarget(name: "RasterTests", dependencies: ["Raster"], swiftSettings: strictSettings),
        .testTarget(name: "SyncTests", dependencies: ["Sync", "TestSupport", "TUF"], swiftSettings: strictSettings),
        .testTarget(
            name: "TUFTests",
            dependencies: ["LanyardSupport", "Sync", "TestSupport", "TUF", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: strictSettings),
        .testTarget(name: "CivilDateTests", dependencies: ["CivilDate"], swiftSettings: strictSettings),
        .testTarget(name: "LanyardSupportTests", dependencies: ["LanyardSupport"], swiftSettings: strictSettings),
        .testTarget(
            name: "YAMLReadingTests",
            dependencies: ["YAMLReading", .product(name: "Yams", package: "Yams")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "LanyardHTTPTests",
            dependencies: [
                "LanyardHTTP", "LanyardSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RegistryTests",
            dependencies: [
                "LanyardSupport", "Registry", "Sync", "TUF", "TestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "PostgresNIO", package: "postgres-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "SymbolsTests", dependencies: ["Symbols", "Raster"], exclude: ["decode.py"], swiftSettings: strictSettings
        ),
        .testTarget(
            name: "BadgesTests",
            dependencies: ["Attendees", "Badges", "Raster", "Symbols", "TestSupport", "YAMLReading"],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PrintersTests", dependencies: ["LanyardSupport", "Printers", "Raster", "TestSupport", "YAMLReading"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "StoreTests", dependencies: ["Attendees", "LanyardSupport", "Store", "Sync"], exclude: ["Fixtures"],
            swiftSettings: strictSettings),
        .testTarget(
            name: "AgentTests",
            dependencies: [
                "Agent", "Attendees", "BadgePipeline", "Store", "Badges", "LanyardHTTP", "LanyardSupport", "Printers", "Raster", "Registry",
                "Symbols",
                "Sync",
                "TestSupport",
                "TUF",
                "YAMLReading",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdTesting", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "EndToEndTests",
            dependencies: [
                "Attendees", "Badges", "Printers", "Raster", "Registry", "Symbols", "Sync", "TestSupport",
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
    ],
    // zxing-cpp's headers are C++17.
    cxxLanguageStandard: .cxx17
)
