// swift-tools-version: 6.1
import PackageDescription

import struct Foundation.URL

/// A package found by path is named by its directory: the checkout's, whatever a clone calls it.
let lanyard = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().lastPathComponent

/// Lanyard's in-process benchmarks (ordo-one/benchmark): render + encode of a badge, attendee
/// search, and a snapshot applied to the attendee cache, each checked against the static
/// thresholds in Thresholds/ (`make bench`, docs/benchmarks.md). The process-level benchmarks
/// (an agent under load, registry sync) are the `lanyard-bench` executable of the main package.
let package = Package(
    name: "LanyardBenchmarks",
    dependencies: [
        .package(path: ".."),
        // Only the malloc interposer: the runtime interposer is not among this machine's packages.
        .package(url: "https://github.com/ordo-one/benchmark", exact: "1.38.1", traits: ["MallocInterposer"]),
    ],
    targets: [
        .executableTarget(
            name: "BadgePipelineBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "LanyardLibraries", package: lanyard),
            ],
            path: "Benchmarks/BadgePipelineBenchmarks",
            swiftSettings: [.swiftLanguageMode(.v6)],
            plugins: [.plugin(name: "BenchmarkPlugin", package: "benchmark")]
        )
    ]
)
