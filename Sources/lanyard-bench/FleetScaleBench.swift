import Agent
import ArgumentParser
import AsyncHTTPClient
import Badges
import Dispatch
import Foundation
import Glibc
import LanyardSupport
import NIOPosix
import Sync
import Synchronization
import TUF

struct FleetScaleBenchOptions: ParsableArguments {
    @Flag(
        name: .customLong("fleet-scale"),
        help: """
            Measure the registry against a fleet instead: simulated kiosks (tasks in this process) \
            on `lanyard registry serve`, for publish to release, check-in uploads and the database \
            after an event day (build with -c release).
            """)
    var enabled = false

    @Option(name: .customLong("scale-kiosks"), help: "Simulated kiosks.")
    var kiosks = 1_000

    @Option(name: .customLong("scale-store"), help: "sqlite (one server), postgres (two replicas) or both.")
    var store = "both"

    @Option(name: .customLong("scale-rounds"), help: "Publications timed once every kiosk waits on its long-poll.")
    var rounds = 5

    @Option(name: .customLong("scale-upload-seconds"), help: "Seconds of sustained check-in uploads.")
    var uploadSeconds = 60.0

    @Option(name: .customLong("scale-attendees"), help: "Attendees of the event day.")
    var attendees = 10_000

    @Option(name: .customLong("scale-edits"), help: "Attendee changes pushed during the event day.")
    var edits = 2_000

    @Option(name: .customLong("scale-reports"), help: "Signed reports each kiosk sends during the event day.")
    var reports = 5

    @Option(
        name: .customLong("scale-registrations"),
        help: "Raw registrations whose shape the attendees take (default: the shared fixture beside the repository).")
    var registrations: String?

    func validate() throws {
        guard ["sqlite", "postgres", "both"].contains(store) else { throw ValidationError("--scale-store takes sqlite, postgres or both") }
        guard kiosks >= 2, rounds >= 1, uploadSeconds > 0, attendees >= 1, edits >= 0, reports >= 1 else {
            throw ValidationError("--scale-kiosks takes at least 2; rounds, seconds, attendees and reports at least 1")
        }
    }

    var stores: [ScaleStore] { store == "both" ? ScaleStore.allCases : [ScaleStore(rawValue: store) ?? .sqlite] }
}

/// Issue 17's fleet benchmark: `--scale-kiosks` light kiosks (`LightKiosk`) against the
/// registry, on SQLite and on two PostgreSQL replicas. For each store, in order:
///
/// 1. An event day (`ScaleAttendees`, `ScaleDayUploads`): the attendee list pushed, then the
///    day's corrections beside every kiosk's check-ins, print results and signed reports; the
///    servers are stopped and the database measured, then started again on it.
/// 2. Publish to release: every kiosk on its long-poll (the servers' `waiting_notifications`),
///    a changed template published, and the time from the publication's end until 95 % and
///    100 % of the kiosks hold the new release's files, verified; `--scale-rounds` times.
/// 3. Check-in uploads: every kiosk sending batches back to back for `--scale-upload-seconds`
///    while its long-poll stays open (`CheckInStorm`), then one more publication at once, as a
///    publication after a quiet spell finds the fleet.
struct FleetScaleBench {
    let options: FleetScaleBenchOptions

    static let templateUnit = LightKiosk.unit

    func run() async throws {
        Self.raiseDescriptorLimit()
        let signalSources = SignalCleanup.install()
        defer { withExtendedLifetime(signalSources) {} }
        let executable = try AgentBench.executable()
        let attendees = try ScaleAttendees.generate(fixture: try registrationsFile(), count: options.attendees)
        Self.say(
            "Lanyard bench --fleet-scale: \(ProcessInfo.processInfo.activeProcessorCount) cores, \(options.kiosks) kiosks, "
                + "\(options.rounds) rounds, \(BenchCommand.fmt(options.uploadSeconds)) s of uploads, event \(attendees.event) "
                + "with \(attendees.ids.count) attendees\n")
        var results: [ScaleStoreResult] = []
        for store in options.stores {
            Self.say("== \(store.title) ==")
            results.append(try await runStore(store, executable: executable, attendees: attendees))
            Self.say("")
        }
        Self.say(ScaleReport.summary(results, options: options))
    }

    private func registrationsFile() throws -> URL {
        if let path = options.registrations { return URL(filePath: path) }
        let shared = Installation.home.deletingLastPathComponent().appending(path: "shared/fixtures/registrations.jsonl")
        if FileManager.default.fileExists(atPath: shared.path) { return shared }
        return Installation.home.appending(path: "Tests/BadgesTests/Fixtures/registrations.jsonl")
    }

    private func runStore(_ store: ScaleStore, executable: URL, attendees: ScaleAttendees) async throws -> ScaleStoreResult {
        let work = URL(filePath: "/tmp").appending(path: "lanyard-fleet-scale-\(UUID().uuidString.prefix(8).lowercased())")
        try makeDirectory(work)
        SignalCleanup.track(directory: work.path)
        defer {
            try? FileManager.default.removeItem(at: work)
            SignalCleanup.forget(directory: work.path)
        }
        let repository = try ScaleRepository(workspace: work)
        let agentToken = Self.token(), adminToken = Self.token()
        let agentTokenFile = work.appending(path: "agent.token"), adminTokenFile = work.appending(path: "admin.token")
        try Data(agentToken.utf8).write(to: agentTokenFile)
        try Data(adminToken.utf8).write(to: adminTokenFile)
        let registry = try ScaleRegistry(
            store: store, executable: executable, workspace: work, repository: repository.directory,
            timestampKey: repository.timestampKeyFile, agentTokenFile: agentTokenFile, adminTokenFile: adminTokenFile)
        defer { registry.stop() }
        try registry.start()
        let emptyDatabase = try registry.databaseSize().bytes

        var kiosks: [LightKiosk] = []
        let admin = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton)
        do {
            for index in 0..<options.kiosks {
                let directory = work.appending(path: "kiosks/\(index)")
                let kiosk = try LightKiosk(
                    index: index, serverURL: registry.urls[index % registry.urls.count], directory: directory,
                    provisionedRoot: repository.rootData, agentToken: agentToken)
                try repository.seed(cache: kiosk.cache)
                kiosks.append(kiosk)
            }
            var result = ScaleStoreResult(store: store, kiosks: options.kiosks)
            result.firstSync = try await firstSync(kiosks)
            Self.say("every kiosk's first sync (TUF refresh from its provisioned root, release round-0): \(fmt(result.firstSync)) s")
            result.day = try await eventDay(
                kiosks: kiosks, registry: registry, attendees: attendees, pusher: admin, adminToken: adminToken)
            result.day.emptyBytes = emptyDatabase
            try await fleet(kiosks: kiosks, registry: registry, repository: repository, attendees: attendees, into: &result)
            await Self.shutdown(kiosks, admin)
            return result
        } catch {
            await Self.shutdown(kiosks, admin)
            throw error
        }
    }

    private static func shutdown(_ kiosks: [LightKiosk], _ admin: HTTPClient) async {
        for kiosk in kiosks { await kiosk.shutdown() }
        try? await admin.shutdown()
    }

    /// Every kiosk's first refresh and release, a few at a time as a fleet comes up.
    private func firstSync(_ kiosks: [LightKiosk]) async throws -> Double {
        let start = ContinuousClock.now
        try await Self.concurrently(kiosks, width: 50) { kiosk in
            var attempt = 0
            while true {
                attempt += 1
                do {
                    try await kiosk.syncOnce()
                    return
                } catch {
                    guard attempt < 3 else { throw BenchError(.unavailable, "a kiosk's first sync failed: \(error)") }
                    try await Task.sleep(for: .milliseconds(200))
                }
            }
        }
        return (ContinuousClock.now - start).seconds
    }

    // MARK: The event day

    private func eventDay(
        kiosks: [LightKiosk], registry: ScaleRegistry, attendees: ScaleAttendees, pusher client: HTTPClient, adminToken: String
    ) async throws -> DayResult {
        var day = DayResult()
        let pushers = registry.urls.map { AttendeePusher(serverURL: $0, event: attendees.event, token: adminToken, client: client) }
        let start = ContinuousClock.now
        for (index, body) in attendees.listPushes().enumerated() { try await pushers[index % pushers.count].push(body) }
        day.listSeconds = (ContinuousClock.now - start).seconds
        let edits = try attendees.editPushes(count: options.edits)
        let uploads = ScaleDayUploads.make(attendees: attendees, kiosks: kiosks.map { String(format: "scale-kiosk-%04d", $0.index) })
        day.checkIns = uploads.checkInCount
        day.printResults = uploads.printResultCount
        day.reports = kiosks.count * options.reports
        let uploadStart = ContinuousClock.now
        let failures = try await withThrowingTaskGroup(of: Int.self) { group in
            group.addTask {
                for (index, body) in edits.enumerated() { try await pushers[index % pushers.count].push(body) }
                return 0
            }
            for kiosk in kiosks {
                let (checkIns, printResults) = (uploads.checkIns[kiosk.index], uploads.printResults[kiosk.index])
                let reports = options.reports
                group.addTask {
                    var failed = 0
                    for batch in checkIns { if (try? await kiosk.uplink.checkIns(batch)) == nil { failed += 1 } }
                    for batch in printResults { if (try? await kiosk.uplink.printResults(batch)) == nil { failed += 1 } }
                    for _ in 0..<reports { if (try? await kiosk.uploader.sendReport(await kiosk.report())) == nil { failed += 1 } }
                    return failed
                }
            }
            return try await group.reduce(0, +)
        }
        day.uploadSeconds = (ContinuousClock.now - uploadStart).seconds
        day.failedRequests = failures
        registry.stopServers()
        (day.bytes, day.parts) = try registry.databaseSize()
        Self.say(
            "event day: list of \(attendees.ids.count) pushed in \(fmt(day.listSeconds)) s; \(options.edits) changes, "
                + "\(day.checkIns) check-ins, \(day.printResults) print results and \(day.reports) reports in \(fmt(day.uploadSeconds)) s "
                + "(\(failures) requests failed); database \(ScaleReport.megabytes(day.bytes)) after the servers stopped")
        try registry.start()
        return day
    }

    // MARK: Publish and uploads

    private func fleet(
        kiosks: [LightKiosk], registry: ScaleRegistry, repository: ScaleRepository, attendees: ScaleAttendees,
        into result: inout ScaleStoreResult
    ) async throws {
        let tally = FleetTally()
        let loops = Task {
            await withDiscardingTaskGroup { group in
                for kiosk in kiosks { group.addTask { await kiosk.runSyncLoop(tally: tally) } }
            }
        }
        defer { loops.cancel() }
        for round in 1...options.rounds {
            try await waitUntilParked(kiosks.count, registry: registry)
            let measured = try await publishRound(
                label: "round-\(round)", repository: repository, registry: registry, tally: tally, kiosks: kiosks.count,
                timeout: .seconds(60))
            result.rounds.append(measured)
            Self.say(measured.line)
        }
        try await waitUntilParked(kiosks.count, registry: registry)

        let storm = CheckInStorm(attendees: attendees)
        let serverCPU = registry.cpuSeconds(), databaseCPU = registry.databaseCPUSeconds(), ownCPU = Self.ownCPUSeconds()
        let start = ContinuousClock.now
        let deadline = start + .seconds(options.uploadSeconds)
        await withDiscardingTaskGroup { group in
            for kiosk in kiosks {
                group.addTask {
                    await storm.run(kiosk: kiosk.uplink.agentID, uplink: kiosk.uplink, seed: UInt64(kiosk.index + 1), until: deadline)
                }
            }
        }
        var uploads = UploadResult(seconds: (ContinuousClock.now - start).seconds, summary: storm.summary)
        uploads.serverCPU = registry.cpuSeconds() - serverCPU
        uploads.databaseCPU = registry.databaseCPUSeconds() - databaseCPU
        uploads.ownCPU = Self.ownCPUSeconds() - ownCPU
        uploads.waitingAfter = registry.waitingNotifications() ?? -1
        result.uploads = uploads
        Self.say(uploads.line)

        let after = try await publishRound(
            label: "after-uploads", repository: repository, registry: registry, tally: tally, kiosks: kiosks.count,
            timeout: .seconds(120))
        result.afterUploads = after
        Self.say(after.line)
        loops.cancel()
        await loops.value
        result.failures = tally.failures
    }

    private func waitUntilParked(_ count: Int, registry: ScaleRegistry) async throws {
        let deadline = ContinuousClock.now + .seconds(120)
        while registry.waitingNotifications() != count {
            guard ContinuousClock.now < deadline else {
                throw BenchError(
                    .unavailable, "\(registry.waitingNotifications() ?? 0) of \(count) kiosks waited on their long-poll after 120 s")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
    }

    private func publishRound(
        label: String, repository: ScaleRepository, registry: ScaleRegistry, tally: FleetTally, kiosks: Int, timeout: Duration
    ) async throws -> PublishRound {
        let serverCPU = registry.cpuSeconds(), databaseCPU = registry.databaseCPUSeconds(), ownCPU = Self.ownCPUSeconds()
        let parked = registry.waitingNotifications() ?? 0
        try repository.publish(label: label)
        let published = ContinuousClock.now
        let deadline = published + timeout
        while tally.count(holding: label) < kiosks, ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(5))
        }
        let steps = tally.steps(holding: label)
        var round = PublishRound(label: label, kiosks: kiosks, parked: parked)
        round.held = steps.map { ($0.held - published).seconds }.sorted()
        round.woken = steps.map { ($0.woken - published).seconds }.sorted()
        round.stepSeconds = steps.map { ($0.held - $0.woken).seconds }.sorted()
        round.serverCPU = registry.cpuSeconds() - serverCPU
        round.databaseCPU = registry.databaseCPUSeconds() - databaseCPU
        round.ownCPU = Self.ownCPUSeconds() - ownCPU
        return round
    }

    // MARK: Support

    /// Runs `body` for every item, at most `width` at once; the first error ends them all.
    static func concurrently<Item: Sendable>(
        _ items: [Item], width: Int, _ body: @escaping @Sendable (Item) async throws -> Void
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            var pending = items[...]
            for _ in 0..<min(width, items.count) {
                guard let item = pending.popFirst() else { break }
                group.addTask { try await body(item) }
            }
            while try await group.next() != nil {
                guard let item = pending.popFirst() else { continue }
                group.addTask { try await body(item) }
            }
        }
    }

    /// A bearer token of 32 letters and digits.
    static func token() -> String {
        String((0..<32).map { _ in "abcdefghijklmnopqrstuvwxyz0123456789".randomElement() ?? "x" })
    }

    /// User and system CPU time of this process so far.
    static func ownCPUSeconds() -> Double {
        var usage = rusage()
        getrusage(RUSAGE_SELF.rawValue, &usage)
        return Double(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) + Double(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6
    }

    /// A thousand kiosks hold two thousand connections here and as many in the servers: the soft
    /// limit on descriptors goes up to the hard one (the children inherit it).
    static func raiseDescriptorLimit() {
        var limit = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur < limit.rlim_max else { return }
        limit.rlim_cur = limit.rlim_max
        _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }

    private func fmt(_ value: Double) -> String { BenchCommand.fmt(value) }

    /// Writes a line at once, unbuffered: the run takes minutes and its output often goes to a file.
    static func say(_ line: String) {
        FileHandle.standardOutput.write(Data((line + "\n").utf8))
    }
}

/// The repository of one run: a root of one Ed25519 key, targets Ed25519, snapshot and timestamp
/// ECDSA P-256 (as `SyncFleetBench`), the timestamp key written for the servers, and the
/// standard template published as `round-0`.
struct ScaleRepository {
    let workspace: URL
    let directory: URL
    let publisher: RegistryPublisher
    let rootData: Data
    let timestampKeyFile: URL
    /// The release every kiosk is provisioned with.
    let firstRelease: TargetRelease

    init(workspace: URL) throws {
        self.workspace = workspace
        directory = workspace.appending(path: "repository")
        let made = try BenchRepository(directory: directory, timestampKeyFile: workspace.appending(path: "timestamp.key"))
        timestampKeyFile = made.timestampKeyFile
        publisher = made.publisher
        rootData = try Data(contentsOf: directory.appending(path: RepositoryLayout.root(version: 1)))
        firstRelease = try Self.publish(label: "round-0", publisher: publisher, workspace: workspace)
    }

    /// A copy of the standard bundle that differs in one comment line: a new release with one
    /// new file to fetch, like a typical template fix (as `SyncFleetBench` publishes).
    func publish(label: String) throws {
        _ = try Self.publish(label: label, publisher: publisher, workspace: workspace)
    }

    private static func publish(label: String, publisher: RegistryPublisher, workspace: URL) throws -> TargetRelease {
        let bundle = workspace.appending(path: "bundle-\(label)")
        try FileManager.default.copyItem(at: Installation.templates.appending(path: "standard"), to: bundle)
        defer { try? FileManager.default.removeItem(at: bundle) }
        let file = bundle.appending(path: TemplateBundle.templateFile)
        let text = try String(contentsOf: file, encoding: .utf8)
        try Data((text + "# publication \(label)\n").utf8).write(to: file)
        try BundleManifest.write(directory: bundle)
        let publication = try publisher.publishDirectory(
            bundle, as: FleetScaleBench.templateUnit, kind: .template, scope: .global, label: label)
        guard let release = publication.target?.current else { throw BenchError(.internal, "nothing was published") }
        return release
    }

    /// Puts the first release's files in a kiosk's blob cache as hard links to the repository's
    /// copies: a kiosk comes to the event with its template and fonts, and a thousand copies of
    /// a megabyte of fonts would only measure this machine's disk. Every later release is fetched.
    func seed(cache: BlobCache) throws {
        for (path, file) in firstRelease.files {
            let name = TargetCatalog.targetName(unit: FleetScaleBench.templateUnit, release: firstRelease, path: path)
            let source = directory.appending(path: RepositoryLayout.target(name, sha256: file.sha256))
            let destination = cache.url(for: file)
            try makeDirectory(destination.deletingLastPathComponent())
            guard link(source.path, destination.path) == 0 || errno == EEXIST else {
                throw BenchError(.io, "cannot link \(source.path) into a kiosk's cache: \(String(cString: strerror(errno)))")
            }
        }
    }
}

/// What a signal must undo when the benchmark is interrupted: the servers it started, the
/// PostgreSQL cluster and the temporary directories. Each run registers them and forgets them
/// once it has cleaned up itself.
enum SignalCleanup {
    private struct Tracked {
        var processes: Set<Int32> = []
        var directories: Set<String> = []
        var clusters: [String: PostgresCleanup] = [:]
    }

    /// A cluster's stop, which is safe from any thread (`PostgresServer` is `Sendable`).
    typealias PostgresCleanup = @Sendable () -> Void

    private static let tracked = Mutex(Tracked())

    /// Handles SIGINT and SIGTERM from now on; the handlers last as long as the sources returned.
    static func install() -> [any DispatchSourceSignal] {
        [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                let state = tracked.withLock { $0 }
                for pid in state.processes { kill(pid, SIGKILL) }
                for stop in state.clusters.values { stop() }
                for directory in state.directories { try? FileManager.default.removeItem(atPath: directory) }
                FileHandle.standardError.write(Data("lanyard-bench: interrupted; servers stopped, temporary files removed\n".utf8))
                exit(130)
            }
            source.resume()
            return source
        }
    }

    static func track(process: Int32) { tracked.withLock { _ = $0.processes.insert(process) } }
    static func forget(process: Int32) { tracked.withLock { _ = $0.processes.remove(process) } }
    static func track(directory: String) { tracked.withLock { _ = $0.directories.insert(directory) } }
    static func forget(directory: String) { tracked.withLock { _ = $0.directories.remove(directory) } }
    static func track(cluster: String, stop: @escaping PostgresCleanup) { tracked.withLock { $0.clusters[cluster] = stop } }
    static func forget(cluster: String) { tracked.withLock { _ = $0.clusters.removeValue(forKey: cluster) } }
}
