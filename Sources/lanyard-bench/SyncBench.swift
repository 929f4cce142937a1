import Agent
import ArgumentParser
import BadgePipeline
import Badges
import Foundation
import LanyardSupport
import Logging
import Sync
import TUF

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

/// Times what a kiosk does with a newly published template bundle before it may run it: a TUF
/// refresh from its provisioned root (root, timestamp, snapshot and targets verified, stored, the
/// catalog built), then every file of the release read from its cache and compared with its
/// signed SHA-256 and length. Then, for scale, the dry run over the synthetic attendees.
struct SyncBench {
    let options: SyncBenchOptions

    func run() async throws {
        let work = FileManager.default.temporaryDirectory.appending(path: "lanyard-sync-bench-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: work) }
        let repository = work.appending(path: "repository")
        try FileManager.default.createDirectory(at: repository, withIntermediateDirectories: true)
        let rootKeys = try (0..<3).map { _ in try TUFSigningKey.generate(.ed25519) }
        let targets = try TUFSigningKey.generate(.ed25519), timestamp = try TUFSigningKey.generate(.ecdsaP256)
        let root = try Root(
            expires: Date().addingTimeInterval(86_400),
            roles: [
                "root": RoleAssignment(rootKeys.map(\.publicKey), threshold: 2), "targets": RoleAssignment([targets.publicKey]),
                "snapshot": RoleAssignment([timestamp.publicKey]), "timestamp": RoleAssignment([timestamp.publicKey]),
            ])
        try RegistryPublisher.writer(repository).initialize(root: root, signers: Array(rootKeys.prefix(2)) + [targets, timestamp])
        let publisher = RegistryPublisher(repository: repository, signers: [targets, timestamp])
        let bundle = Installation.templates.appending(path: "standard")
        let published = try publisher.publishDirectory(bundle, as: "templates/standard", kind: .template, scope: .global, label: "bench")
        guard let release = published.target?.current else { throw BenchError(.internal, "nothing was published") }
        let rootData = try Data(contentsOf: repository.appending(path: RepositoryLayout.root(version: 1)))
        let cache = BlobCache(directory: work.appending(path: "cache"))
        let source = DirectoryRepositorySource(directory: repository)
        for (path, file) in release.files {
            let name = TargetCatalog.targetName(unit: "templates/standard", release: release, path: path)
            try await cache.fetch(file, path: RepositoryLayout.target(name, sha256: file.sha256), from: source)
        }

        print("Lanyard bench --sync: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(options.iterations) iterations")
        print(
            "bundle: Templates/standard, \(release.files.count) files, \(release.totalLength) bytes; "
                + "TUF root 2 of 3 Ed25519, snapshot and timestamp ECDSA P-256\n")
        var times: [Double] = []
        for iteration in 0..<(options.iterations + 10) {
            let kiosk = work.appending(path: "kiosk-\(iteration)")
            let start = ContinuousClock.now
            var trusted = try TrustedRepository(directory: kiosk, provisionedRoot: rootData, source: source)
            try await trusted.refresh(now: Date())
            guard let verified = trusted.targets?["templates/standard"]?.current else {
                throw BenchError(.internal, "the bundle vanished from its targets")
            }
            for (path, file) in verified.files {
                let data = try Data(contentsOf: cache.url(for: file))
                guard data.count == file.length, SHA256Digest.hex(data) == file.sha256 else {
                    throw BenchError(.internal, "\(path) does not match its signed hash")
                }
            }
            times.append(Self.milliseconds(ContinuousClock.now - start))
            try? FileManager.default.removeItem(at: kiosk)
        }
        let timed = Array(times.dropFirst(10))
        print(
            "a first TUF refresh and the bundle verified (metadata + every file's SHA-256), ms: p50 \(BenchCommand.fmt(timed.percentile(50)))"
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
