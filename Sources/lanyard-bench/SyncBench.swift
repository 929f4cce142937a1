import Agent
import ArgumentParser
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
import Logging
import Sync

struct SyncBenchOptions: ParsableArguments {
    @Flag(
        name: .customLong("sync"),
        help: """
            Measure the registry sync instead: verifying a published template bundle (metadata \
            signatures and every file's SHA-256) and its dry run (build with -c release).
            """)
    var enabled = false

    @Option(name: .customLong("sync-iterations"), help: "Timed verifications.")
    var iterations = 200

    @Option(name: .customLong("sync-agents"), help: "Agents of the publish-to-active measurement (0 skips it).")
    var agents = 5

    @Option(name: .customLong("sync-rounds"), help: "Publications timed across the fleet.")
    var rounds = 10
}

/// Times what a kiosk does with a newly published template bundle before it may run it: verify
/// the timestamp and targets metadata against the root (Ed25519 signatures, threshold, pin),
/// then read every file of the release from its cache and compare its SHA-256 and length with
/// the signed ones. Then, for scale, the dry run over the synthetic attendees.
struct SyncBench {
    let options: SyncBenchOptions

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appending(path: "lanyard-sync-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let repository = work.appending(path: "repository")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        let rootKeys = [SigningKey(), SigningKey(), SigningKey()], targets = SigningKey(), timestamp = SigningKey()
        var keys: [String: PublicKeyEntry] = [:]
        for key in rootKeys + [targets, timestamp] { keys[key.keyID] = key.publicEntry }
        let root = RootMetadata(
            version: 1, expires: RepositoryWriter.wholeSeconds(Date().addingTimeInterval(86_400)), keys: keys,
            roles: [
                .root: RoleKeys(keyIDs: rootKeys.map(\.keyID), threshold: 2),
                .targets: RoleKeys(keyIDs: [targets.keyID], threshold: 1),
                .timestamp: RoleKeys(keyIDs: [timestamp.keyID], threshold: 1),
            ])
        let writer = RepositoryWriter(directory: repository)
        try writer.initialize(root: root, rootKeys: Array(rootKeys.prefix(2)))
        let publisher = RegistryPublisher(repository: repository, targetsKeys: [targets], timestampKeys: [timestamp])
        let bundle = Installation.templates.appending(path: "standard")
        let published = try publisher.publishDirectory(bundle, as: "templates/standard", kind: .template, scope: .global, label: "bench")
        guard let release = published.target?.current else { throw BenchError(.internal, "nothing was published") }
        let rootData = try writer.read(RepositoryLayout.root(version: 1))
        let timestampData = try writer.read(RepositoryLayout.timestamp)
        let targetsData = try writer.read(RepositoryLayout.targets(version: published.targetsVersion))
        let cache = BlobCache(directory: work.appending(path: "cache"))
        let source = DirectoryRepositorySource(directory: repository)
        for file in release.files.values { try await cache.fetch(file, from: source) }

        print("Lanyard bench --sync: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(options.iterations) iterations")
        print("bundle: Templates/standard, \(release.files.count) files, \(release.totalLength) bytes; root 2 of 3, Ed25519\n")
        var times: [Double] = []
        for _ in 0..<(options.iterations + 10) {
            let start = ContinuousClock.now
            var trusted = try TrustedMetadata(trustedRoot: rootData)
            try trusted.updateTimestamp(timestampData, now: Date())
            try trusted.updateTargets(targetsData, now: Date())
            guard let verified = trusted.targets?.targets["templates/standard"]?.current else {
                throw BenchError(.internal, "the bundle vanished from its targets")
            }
            for (path, file) in verified.files {
                let data = try Data(contentsOf: cache.url(for: file))
                guard data.count == file.length, SHA256Digest.hex(data) == file.sha256 else {
                    throw BenchError(.internal, "\(path) does not match its signed hash")
                }
            }
            times.append(Self.milliseconds(ContinuousClock.now - start))
        }
        let timed = Array(times.dropFirst(10))
        print(
            "verify a template bundle (metadata + every file's SHA-256), ms: p50 \(BenchCommand.fmt(timed.percentile(50)))"
                + "  p95 \(BenchCommand.fmt(timed.percentile(95)))  max \(BenchCommand.fmt(timed.max() ?? 0))  (target p95 <= 20)")

        let event = try Installation.event(nil)
        let directory = work.appending(path: "release")
        try cache.materialize(release, into: directory)
        let templateSource = TemplateSource(
            name: "standard", directory: directory, label: "bench", digest: release.digest, origin: .registry)
        var dryRuns: [Double] = []
        for _ in 0..<5 {
            let start = ContinuousClock.now
            try TemplateDryRun.check(templateSource, event: event, dpi: 300, logger: Logger(label: "bench"))
            dryRuns.append(Self.milliseconds(ContinuousClock.now - start))
        }
        print(
            "dry run of that bundle, \(SyntheticAttendees.cases.count) synthetic attendees at 300 dpi, ms: "
                + "p50 \(BenchCommand.fmt(dryRuns.percentile(50)))  max \(BenchCommand.fmt(dryRuns.max() ?? 0))")

        guard options.agents > 0 else { return }
        print("\npublish to active: 1 registry server and \(options.agents) agents on this machine, \(options.rounds) publications...")
        let latencies = try SyncFleetBench(
            agents: options.agents, rounds: options.rounds, workspace: work,
            executable: try AgentBench.executable()
        ).run()
        print(
            "publish to active on every agent, ms (\(latencies.count) samples): p50 \(BenchCommand.fmt(latencies.percentile(50)))"
                + "  p95 \(BenchCommand.fmt(latencies.percentile(95)))  max \(BenchCommand.fmt(latencies.max() ?? 0))  (target p95 <= 10000)"
        )
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }
}
