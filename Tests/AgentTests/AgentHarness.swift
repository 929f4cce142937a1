import Agent
import Badges
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Printers
import Prometheus
import ServiceLifecycle
import Store
import Synchronization
import TestSupport
import Testing

/// What an agent under test is made of. The defaults are the agent's own, except a fast status
/// poll (tests would otherwise wait for nothing), a webhook secret for `crm` and an admin token.
struct AgentOptions: Sendable {
    enum Printer: Sendable {
        /// The in-process simulator, exactly as the agent sets it up for `printer.address: sim`.
        case simulator
        /// The same simulator behind a connection whose status replies `PrinterLine` can cut, for a
        /// printer that takes bytes but stops answering. The agent is assembled as `AgentRuntime`
        /// assembles it, with this connection in place of the plain one.
        case simulatorOnLine(PrinterLine)
        /// A printer address with its profile, as in the configuration (`tcp://127.0.0.1:1`: nothing listens).
        case address(String, profile: String)
    }

    /// How requests reach the agent: straight into the router, or over real HTTP on loopback.
    enum Transport: Sendable {
        case router, live
    }

    var printer: Printer = .simulator
    var transport: Transport = .router
    var maxQueued = 100
    var maxAttempts = 3
    var retryBaseMilliseconds = 500
    var breakerFailures = 5
    var breakerCoolDownSeconds: Double = 30
    var pollSeconds = 0.05
    var confirmSeconds: Double = 20
    var webhooksPerMinute = 600
    var webhookSecrets = ["crm": AgentHarness.webhookSecret]
    /// Agent log lines at this level and above reach the test output.
    var logLevel: Logger.Level = .error
    /// Registry sync settings (none: the agent runs on its local templates).
    var registry: RegistrySettings?
    /// This kiosk's id in check-ins and in the fleet.
    var kioskID = "kiosk-1"
    /// Whether the registry sync runs its own loop, as in a running agent; off, a test steps it.
    var runsSync = false
    /// Who may sign in on the staff pages.
    var staff: [StaffMember] = []
    /// Several printers (`printers:`), in place of `printer`.
    var printers: [AgentConfiguration.Printer] = []
    var handoverSeconds: Double = 1
    /// Tokens for integrators and peers, beside the admin token.
    var tokens: [AccessToken] = []
    /// Peer kiosks and office printers off the box, and the deadline that sends badges to them.
    var destinations: [AgentConfiguration.Destination] = []
    var deadlineSeconds: Double = 60
    /// The addresses each webhook source may deliver from.
    var webhookAllow: [String: [AddressRange]] = [:]
    /// The HTTPS listener, run beside the API (`AgentHarness.application.httpsAddress`).
    var tls: TLSSettings?
    /// Which listener's router requests reach over the `.router` transport.
    var listener: AgentAPI.Listener = .kiosk
    /// How long each stage of a badge may take.
    var limits = LimitSettings()
    /// Badges rendered in a render child (the built `lanyard render-child`) rather than in process.
    var renderChild: RenderChildLaunch?
    /// When failed scans adjust a printer's tuning.
    var scanQuality = ScanQualitySettings()
}

/// A running agent: its core (store, event, workers), its data directory and, when it prints to
/// the simulator, the simulator.
struct AgentHarness: Sendable {
    static let webhookSecret = "webhook-secret"
    static let adminToken = "admin-token"
    static let repositoryRoot = Repository.root

    let core: AgentCore
    let application: AgentApplication
    let directory: URL
    let printerSimulator: PrinterSimulator?
    /// Every printer's simulator by printer id (several printers).
    let simulators: [String: PrinterSimulator]
    let options: AgentOptions

    var simulator: PrinterSimulator {
        get throws { try #require(printerSimulator, "this agent prints to a simulator") }
    }

    var store: LanyardStore { core.store }

    /// The `lanyard` executable `swift build --build-tests` puts beside the test bundle: what an
    /// agent under test starts as its render child.
    static let lanyardExecutable: URL? = {
        let candidates = [
            URL(filePath: CommandLine.arguments[0]).deletingLastPathComponent(),
            Bundle.main.bundleURL, Bundle.main.bundleURL.deletingLastPathComponent(),
        ].map { $0.appending(path: "lanyard") }
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    static var resources: AgentResources {
        AgentResources(home: repositoryRoot, defaultDataDirectory: FileManager.default.temporaryDirectory)
    }
}

/// Runs `body` against an agent with a fresh data directory and its printer workers running, then
/// stops the workers (waiting for them) and removes the directory.
func withAgent(
    _ options: AgentOptions = AgentOptions(),
    _ body: @escaping @Sendable (AgentHarness, any TestClientProtocol) async throws -> Void
) async throws {
    let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-agent-\(UUID().uuidString)")
    defer { try? FileManager.default.removeItem(at: directory) }
    var configuration = AgentConfiguration()
    configuration.dataDirectory = directory.path
    configuration.printer.pollSeconds = options.pollSeconds
    configuration.printer.confirmSeconds = options.confirmSeconds
    configuration.queue.maxQueued = options.maxQueued
    configuration.queue.maxAttempts = options.maxAttempts
    configuration.queue.retryBaseMilliseconds = options.retryBaseMilliseconds
    configuration.queue.breakerFailures = options.breakerFailures
    configuration.queue.breakerCoolDownSeconds = options.breakerCoolDownSeconds
    configuration.webhooks.secrets = options.webhookSecrets
    configuration.webhooks.perMinute = options.webhooksPerMinute
    configuration.adminToken = AgentHarness.adminToken
    if let registry = options.registry { configuration.registry = registry }
    configuration.kioskID = options.kioskID
    configuration.staff = options.staff
    configuration.printers = options.printers
    configuration.queue.handoverSeconds = options.handoverSeconds
    configuration.tokens = options.tokens
    configuration.destinations = options.destinations
    configuration.queue.deadlineSeconds = options.deadlineSeconds
    configuration.webhooks.allow = options.webhookAllow
    configuration.tls = options.tls
    configuration.limits = options.limits
    configuration.scanQuality = options.scanQuality
    switch options.printer {
    case .simulator, .simulatorOnLine:
        configuration.printer.address = "sim"
    case .address(let address, let profile):
        configuration.printer.address = address
        configuration.printer.profile = profile
    }
    var logger = Logger(label: "lanyard.tests")
    logger.logLevel = options.logLevel
    var resources = AgentHarness.resources
    resources.defaultDataDirectory = directory
    resources.renderChild = options.renderChild
    // Each agent its own registry: agents in tests run side by side and must not mix figures.
    let registry = PrometheusCollectorRegistry()
    var adaptClient: (@Sendable (PrinterClient) -> PrinterClient)?
    if case .simulatorOnLine(let line) = options.printer {
        // The simulator behind a line that can go silent; status queries time out quickly.
        adaptClient = { client in
            PrinterClient(
                connection: LineConnection(inner: client.connection, line: line), profile: client.profile,
                language: client.language, queryTimeout: .milliseconds(300))
        }
    }
    let application = try await AgentApplication.build(
        configuration: configuration, resources: resources, metrics: registry,
        adaptClient: adaptClient, logger: logger)
    let runtime = application.runtime
    // The agent's own services beside its HTTP API: the spooler always, the registry sync when the
    // test lets it run on its own (others step it with `syncOnce()`).
    var services: [any Service] = [application.spooler]
    if options.runsSync, let sync = application.sync { services.append(sync) }
    if let https = application.https { services.append(https) }
    let background = ServiceGroup(configuration: .init(services: services, logger: logger))
    let running = Task { try await background.run() }
    let harness = AgentHarness(
        core: runtime.core, application: application, directory: directory, printerSimulator: runtime.simulator,
        simulators: runtime.simulators, options: options)
    var failure: (any Error)?
    do {
        switch options.transport {
        case .router where options.listener == .integrators:
            let integrators = Application(router: AgentAPI.router(core: runtime.core, metrics: registry, listener: .integrators))
            try await integrators.test(.router) { client in try await body(harness, client) }
        case .router: try await application.http.test(.router) { client in try await body(harness, client) }
        case .live: try await application.http.test(.live) { client in try await body(harness, client) }
        }
    } catch {
        failure = error
    }
    // The workers stop before the data directory goes.
    await background.triggerGracefulShutdown()
    _ = try? await running.value
    if let failure { throw failure }
}

/// The status side of the wire to a simulated printer, switchable by a test: a printer that
/// prints what it is sent but whose replies never come back (a hung status channel, a printer
/// that answers nothing). Shared by every connection the worker opens.
final class PrinterLine: Sendable {
    enum State: Sendable, Equatable {
        /// Replies pass.
        case answering
        /// Replies are swallowed: every query meets silence.
        case silent
        /// Replies pass until the printer has taken a job (a write of at least 1 KiB), then it is silent.
        case silentAfterNextJob
    }

    private let current: Mutex<State>
    private let readCount = Atomic<Int>(0)

    init(_ state: State = .answering) { current = Mutex(state) }

    /// Reads the worker has made of the printer (status queries and confirmations).
    var reads: Int { readCount.load(ordering: .relaxed) }

    func countRead() { readCount.add(1, ordering: .relaxed) }

    var state: State {
        get { current.withLock { $0 } }
        set { current.withLock { $0 = newValue } }
    }

    func tookBytes(_ count: Int) {
        current.withLock { state in
            if state == .silentAfterNextJob, count >= 1024 { state = .silent }
        }
    }
}

/// A printer connection (the simulator's) seen through a `PrinterLine`: writes always reach the simulator;
/// reads return its replies only while the line answers. A silent read waits out its timeout and
/// returns nothing, as a printer that does not answer does.
final class LineConnection: PrinterConnection {
    let inner: any PrinterConnection
    let line: PrinterLine

    init(inner: any PrinterConnection, line: PrinterLine) {
        self.inner = inner
        self.line = line
    }

    var address: PrinterAddress { inner.address }
    var canRead: Bool { true }

    func write(_ bytes: [UInt8], timeout: Duration) async throws(TransportError) {
        try await inner.write(bytes, timeout: timeout)
        line.tookBytes(bytes.count)
    }

    func read(timeout: Duration, until isComplete: @Sendable ([UInt8]) -> Bool) async throws(TransportError) -> [UInt8] {
        line.countRead()
        guard line.state == .silent else { return try await inner.read(timeout: timeout, until: isComplete) }
        try? await Task.sleep(for: timeout)
        // What the printer did say is lost on the line.
        _ = try await inner.read(timeout: .zero) { _ in false }
        return []
    }

    func close() async { await inner.close() }
}

// MARK: - Talking to the API

func json(_ response: TestResponse) -> [String: Any] {
    (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
}

func post(_ client: any TestClientProtocol, _ uri: String, _ body: String, headers: HTTPFields = [:]) async throws -> TestResponse {
    try await post(client, uri, Data(body.utf8), headers: headers)
}

func post(_ client: any TestClientProtocol, _ uri: String, _ body: Data, headers: HTTPFields = [:]) async throws -> TestResponse {
    var fields = headers
    fields[.contentType] = "application/json"
    return try await client.execute(uri: uri, method: .post, headers: fields, body: ByteBuffer(bytes: body))
}

func get(_ client: any TestClientProtocol, _ uri: String) async throws -> [String: Any] {
    json(try await client.execute(uri: uri, method: .get))
}

/// The job as `GET /v1/jobs/:id` shows it.
func job(_ client: any TestClientProtocol, _ id: Int) async throws -> [String: Any] {
    try await get(client, "/v1/jobs/\(id)")
}

/// The agent's one printer as `GET /v1/printers` shows it.
func printer(_ client: any TestClientProtocol) async throws -> [String: Any] {
    let printers = try await get(client, "/v1/printers")["printers"] as? [[String: Any]] ?? []
    return printers.first ?? [:]
}

let terminalStates: Set<String> = ["printed", "manual_review", "dead_lettered", "cancelled"]

/// Polls the job until it is terminal (bounded, so a stuck queue fails the test).
func finalState(_ client: any TestClientProtocol, job id: Int, polls: Int = 800) async throws -> String {
    for _ in 0..<polls {
        let state = try await job(client, id)["state"] as? String ?? ""
        if terminalStates.contains(state) { return state }
        try await Task.sleep(for: .milliseconds(25))
    }
    return "not finished"
}

/// Polls `probe` until it gives a value, at most `polls` times `interval` apart. Nil when it never
/// did: the caller's `#require` then fails the test instead of hanging it.
func eventually<T>(
    polls: Int = 800, interval: Duration = .milliseconds(25),
    _ probe: () async throws -> T?
) async throws -> T? {
    for _ in 0..<polls {
        if let value = try await probe() { return value }
        try await Task.sleep(for: interval)
    }
    return nil
}

/// A registration the sample event accepts, one attendee per `sourceID`, each with its own name
/// so every badge is a different raster.
func registration(_ sourceID: String, first: String = "Ada") -> String {
    #"{"source":"crm","source_id":"\#(sourceID)","event_slug":"devcon-2026","first_name":"\#(first)","last_name":"Lovelace \#(sourceID)","email":"ada@example.org","ticket_type":"VIP"}"#
}

/// Posts one badge request; the new job's id.
func submitBadge(_ client: any TestClientProtocol, _ sourceID: String) async throws -> Int {
    let response = try await post(client, "/v1/badges", #"{"attendee": \#(registration(sourceID))}"#)
    #expect(response.status == .accepted, "\(json(response))")
    return try #require(json(response)["id"] as? Int)
}

/// Headers of a signed webhook delivery.
func signedHeaders(
    body: Data, delivery: String, secret: String = AgentHarness.webhookSecret,
    timestamp: Int = Int(Date().timeIntervalSince1970)
) -> HTTPFields {
    [
        HTTPField.Name(WebhookSignature.timestampHeader)!: "\(timestamp)",
        HTTPField.Name(WebhookSignature.signatureHeader)!: WebhookSignature.sign(body: body, timestamp: timestamp, secret: secret),
        HTTPField.Name(WebhookSignature.deliveryHeader)!: delivery,
    ]
}
