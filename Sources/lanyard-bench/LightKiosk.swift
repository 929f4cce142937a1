import Agent
import AsyncHTTPClient
import Foundation
import LanyardSupport
import NIOCore
import NIOHTTP1
import NIOPosix
import Sync
import Synchronization

/// One simulated kiosk of the fleet-scale benchmark: a task in this process instead of an agent
/// process, doing over the wire what the agent's sync does, minus rendering and printing. It
/// waits on the registry's long-poll (`HTTPRegistryNotifier`), and when woken runs the agent's
/// refresh: a TUF refresh of its own trusted metadata (`TrustedRepository`, in its own
/// directory) over `HTTPRepositorySource`, then the files of the release of `templates/standard`
/// it is to run fetched into its own blob cache, each checked against its signed length and
/// SHA-256 (`BlobCache`). Holding those files, it counts as on that release. It does not copy
/// the release out of its cache nor dry-run it (the agent's `materialize` and `TemplateDryRun`):
/// that is each real kiosk's own disk and CPU, not the registry's load.
///
/// Each kiosk has its own HTTP clients, configured as an agent process's are
/// (`RegistryHTTPClient.configuration`): one for the long-poll, one for everything else. Clients
/// shared by a thousand kiosks would hold at most eight connections to a server
/// (AsyncHTTPClient's per-host limit) and queue the rest of the long-polls behind them.
actor LightKiosk {
    static let unit = "templates/standard"
    /// The agent's default `registry.poll_seconds`; its long-poll asks for at most 55 s of it.
    static let pollSeconds = 60.0

    let index: Int
    let id: String
    let serverURL: String
    let client: HTTPClient
    let longPollClient: HTTPClient
    nonisolated let uplink: KioskUplink
    /// Sends this kiosk's signed reports with its own Ed25519 key, as the agent does.
    nonisolated let uploader: RegistryUploader
    let source: HTTPRepositorySource
    let notifier: HTTPRegistryNotifier
    let cache: BlobCache
    private var trusted: TrustedRepository
    /// The label of the release whose files the kiosk holds, and its digest.
    private(set) var held: (label: String, digest: String)?

    init(index: Int, serverURL: String, directory: URL, provisionedRoot: Data, agentToken: String) throws {
        self.index = index
        id = String(format: "scale-kiosk-%04d", index)
        self.serverURL = serverURL
        client = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: RegistryHTTPClient.configuration(readTimeout: RegistryHTTPClient.readTimeout))
        longPollClient = HTTPClient(
            eventLoopGroup: MultiThreadedEventLoopGroup.singleton,
            configuration: RegistryHTTPClient.configuration(readTimeout: RegistryHTTPClient.longPollReadTimeout))
        source = HTTPRepositorySource(baseURL: serverURL + "/repository/", client: client)
        notifier = HTTPRegistryNotifier(serverURL: serverURL, client: longPollClient)
        uplink = KioskUplink(serverURL: serverURL, agentID: id, token: agentToken, client: client)
        uploader = try RegistryUploader(
            serverURL: serverURL, agentID: id, credential: .token(agentToken), keyFile: directory.appending(path: "agent.key"),
            client: client)
        cache = BlobCache(directory: directory.appending(path: "cache"))
        trusted = try TrustedRepository(directory: directory.appending(path: "tuf"), provisionedRoot: provisionedRoot, source: source)
    }

    func shutdown() async {
        try? await client.shutdown()
        try? await longPollClient.shutdown()
    }

    /// The timestamp version the kiosk trusts: what its long-poll waits to see exceeded.
    var timestampVersion: Int { Int(trusted.timestampVersion ?? 0) }
    var snapshotVersion: Int? { trusted.snapshotVersion.map { Int($0) } }

    /// One step of the agent's sync for this kiosk: refresh, then fetch and verify the files of
    /// the release it is to run. Returns the label when it is a release the kiosk did not hold.
    @discardableResult
    func syncOnce() async throws(SyncError) -> String? {
        var working = trusted
        try await working.refresh(now: Date())
        trusted = working
        guard let target = working.targets?[Self.unit] else {
            throw SyncError(.targetInvalid, "the repository lists no \(Self.unit)", subject: Self.unit)
        }
        let release = target.release(for: id)
        if held?.digest == release.digest { return nil }
        for (path, file) in release.files.sorted(by: { $0.value.sha256 < $1.value.sha256 }) {
            let name = TargetCatalog.targetName(unit: Self.unit, release: release, path: path)
            try await cache.fetch(file, path: working.location(of: name, file: file), from: source)
        }
        held = (release.label, release.digest)
        return release.label
    }

    /// The agent's sync loop (`SyncService.loop`): a step, then the long-poll; after a failed
    /// step the agent's jittered backoff; after a failed long-poll the agent's poll interval.
    /// Every release taken and every failure goes to `tally`. Ends when the task is cancelled.
    func runSyncLoop(tally: FleetTally) async {
        var failures = 0
        var wokenAt = ContinuousClock.now
        while !Task.isCancelled {
            do {
                if let label = try await syncOnce() { tally.hold(kiosk: index, label: label, wokenAt: wokenAt) }
                failures = 0
            } catch {
                guard !Task.isCancelled else { return }
                failures += 1
                tally.syncFailed(error)
                try? await Task.sleep(for: .seconds(Double.random(in: 0...min(300, pow(2, Double(min(failures, 20)))))))
                wokenAt = ContinuousClock.now
                continue
            }
            do {
                try await notifier.waitForChange(
                    after: timestampVersion, attendees: nil, timeout: min(.seconds(Self.pollSeconds), .seconds(55)))
            } catch {
                guard !Task.isCancelled else { return }
                tally.notifyFailed(error)
                try? await Task.sleep(for: .seconds(Self.pollSeconds))
            }
            wokenAt = ContinuousClock.now
        }
    }

    /// The report the agent would send now: the release it runs, one ready printer, nothing
    /// queued.
    func report() -> AgentReport {
        let templates = held.map { [AgentReport.Template(name: Self.unit, label: $0.label, digest: $0.digest, state: .active)] } ?? []
        return AgentReport(
            agentID: id, sentAt: Date(), publicKey: uploader.key.publicEntry.publicKey, targetsVersion: snapshotVersion,
            freshness: .fresh, templates: templates,
            printers: [AgentReport.Printer(id: "zebra-zd621d-300", activity: "idle", ready: true, conditions: [])], queueDepth: 0,
            rollbacks: [])
    }
}

/// A kiosk's uploads of check-ins and print results: the agent's `RegistryUploader` posts the
/// same wire types, but only from a kiosk's SQLite outbox, which a thousand kiosks in one process
/// cannot each have; this is its request without the outbox.
struct KioskUplink: Sendable {
    let serverURL: String
    let agentID: String
    let token: String
    let client: HTTPClient

    func checkIns(_ items: [CheckInUpload]) async throws(SyncError) -> CheckInBatchResult {
        try await post("check-ins", UploadBatch(items: items), answer: CheckInBatchResult.self)
    }

    func printResults(_ items: [PrintResultUpload]) async throws(SyncError) -> UploadBatchResult {
        try await post("print-results", UploadBatch(items: items), answer: UploadBatchResult.self)
    }

    private func post<Answer: Decodable>(_ endpoint: String, _ batch: some Encodable, answer: Answer.Type) async throws(SyncError) -> Answer
    {
        let url = "\(serverURL)/v1/agents/\(agentID)/\(endpoint)"
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.body = .bytes(ByteBuffer(bytes: WireJSON.encode(batch)))
        let status: UInt
        let body: ByteBuffer
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            status = response.status.code
            body = try await response.body.collect(upTo: 4 << 20)
        } catch {
            throw SyncError(.transport, "the registry server cannot be reached", subject: url, underlying: error)
        }
        guard (200..<300).contains(status) else {
            throw SyncError(
                .transport, "the registry server answered HTTP \(status)", subject: url, cause: String(buffer: body).prefix(300).description
            )
        }
        do { return try WireJSON.decoder.decode(Answer.self, from: Data(body.readableBytesView)) } catch {
            throw SyncError(.transport, "the answer to \(endpoint) does not decode", subject: url, underlying: error)
        }
    }
}

/// What the kiosks report to the benchmark: when each took which release, and how often a step
/// or a long-poll failed. Written by every kiosk task, read by the benchmark while they run.
final class FleetTally: Sendable {
    private struct State {
        /// Per release label and kiosk index, when the kiosk's step that took it began (its
        /// long-poll answered) and when it held the release.
        var holding: [String: [Int: Step]] = [:]
        var syncFailures = 0
        var notifyFailures = 0
        /// The first few distinct failure messages, for the summary.
        var messages: [String] = []
    }

    private let state = Mutex(State())

    struct Step: Sendable {
        var woken: ContinuousClock.Instant
        var held: ContinuousClock.Instant
    }

    func hold(kiosk: Int, label: String, wokenAt: ContinuousClock.Instant) {
        let step = Step(woken: wokenAt, held: .now)
        state.withLock { $0.holding[label, default: [:]][kiosk] = step }
    }

    func syncFailed(_ error: SyncError) {
        state.withLock { state in
            state.syncFailures += 1
            Self.remember("sync: \(error)", in: &state)
        }
    }

    func notifyFailed(_ error: SyncError) {
        state.withLock { state in
            state.notifyFailures += 1
            Self.remember("notify: \(error)", in: &state)
        }
    }

    private static func remember(_ message: String, in state: inout State) {
        if state.messages.count < 5, !state.messages.contains(message) { state.messages.append(message) }
    }

    func count(holding label: String) -> Int { state.withLock { $0.holding[label]?.count ?? 0 } }

    /// The steps by which the kiosks came to hold `label`.
    func steps(holding label: String) -> [Step] {
        state.withLock { $0.holding[label].map { Array($0.values) } ?? [] }
    }

    var failures: (sync: Int, notify: Int, messages: [String]) {
        state.withLock { ($0.syncFailures, $0.notifyFailures, $0.messages) }
    }
}
