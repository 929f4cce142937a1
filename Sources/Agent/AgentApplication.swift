import Foundation
public import Hummingbird
public import LanyardHTTP
public import LanyardSupport
public import Logging
import NIOCore
public import Printers
public import Prometheus
import ServiceLifecycle
import Synchronization
import UnixSignals

/// The agent as it runs: its runtime (store, printers, templates, sync), the HTTP server and the
/// services beside it, put together in one place for `lanyard agent`, `lanyard demo`, the tests
/// and the benchmarks. Nothing listens and nothing prints until `run()`.
public struct AgentApplication: Sendable {
    public let runtime: AgentRuntime
    public let listen: ListenAddress
    /// The HTTP API on the configured address.
    public let http: Application<RouterResponder<APIRequestContext>>
    /// The same API over HTTPS for integrators and peers (`tls`), when configured.
    public let https: Application<RouterResponder<APIRequestContext>>?
    /// The printer workers (the spooler); stopped last, after the server took its last request.
    public let spooler: SpoolerService
    /// The registry sync, when the configuration names a registry.
    public var sync: SyncService? { runtime.sync }
    private let bound: BoundAddress
    private let boundHTTPS: BoundAddress
    private let group: ServiceGroup

    /// Builds the runtime and the services. `metrics` is the registry `/metrics` serves (each
    /// agent in a test process has its own); `adaptClient` may put something between a worker and
    /// the printer it opens (a test's line that goes silent). `onReady` runs once the socket is
    /// bound, with the URL or socket path clients use.
    public static func build(
        configuration: AgentConfiguration, resources: AgentResources = .installed,
        metrics: PrometheusCollectorRegistry, adaptClient: (@Sendable (PrinterClient) -> PrinterClient)? = nil,
        logger: Logger, onReady: @escaping @Sendable (String) -> Void = { _ in }
    ) async throws -> AgentApplication {
        let listen: ListenAddress
        do { listen = try ListenAddress(parsing: configuration.listen) } catch {
            throw AgentError(.configurationInvalid, error.message, detail: "listen: \(configuration.listen)")
        }
        let started = ContinuousClock.now
        let agentMetrics = AgentMetrics(factory: PrometheusMetricsFactory(registry: metrics))
        // Certificates and keys are read before the runtime takes the data directory.
        let tlsServer = try configuration.tls.map { try IntegratorTLS.server($0, metrics: agentMetrics, logger: logger) }
        let runtime = try await AgentRuntime.start(
            configuration: configuration, resources: resources, metrics: agentMetrics, adaptClient: adaptClient, logger: logger)
        let bind: BindAddress
        switch listen {
        case .tcp(let host, let port):
            bind = .hostname(host, port: port)
        case .unixSocket(let path):
            try UnixSocketFile.prepare(path)
            bind = .unixDomainSocket(path: path)
        }
        let bound = BoundAddress()
        // The API prints without the pages; an installation missing them says so and goes on.
        var pages: WebPages?
        do { pages = try WebPages(directory: resources.layout.web) } catch {
            logger.warning("kiosk pages not served", metadata: ["directory": "\(resources.layout.web.path)", "error": "\(error)"])
        }
        let http = Application(
            router: AgentAPI.router(core: runtime.core, metrics: metrics, pages: pages),
            configuration: .init(address: bind, serverName: "lanyard"),
            onServerRunning: { channel in
                if case .unixSocket(let path) = listen {
                    // The agent's group (the kiosk page's web server) may connect; nobody else.
                    chmod(path, 0o660)
                }
                let address = listen.clientURL(boundPort: channel.localAddress?.port)
                bound.set(address)
                let elapsed = ContinuousClock.now - started
                logger.notice(
                    "agent ready",
                    metadata: [
                        "listen": "\(address)", "printer": "\(runtime.core.defaultPrinter)",
                        "startup_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                    ])
                onReady(address)
            },
            logger: logger)
        let boundHTTPS = BoundAddress()
        var https: Application<RouterResponder<APIRequestContext>>?
        if let settings = configuration.tls, let tlsServer {
            https = try integratorServer(settings, server: tlsServer, runtime: runtime, metrics: metrics, bound: boundHTTPS, logger: logger)
        }
        let spooler = SpoolerService(workers: runtime.workers, core: runtime.core)
        // The integrators' listener beside the kiosk's, both before the spooler they feed.
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [.init(service: http)]
        if let https { services.append(.init(service: https)) }
        services.append(.init(service: spooler))
        if let sync = runtime.sync {
            services.append(.init(service: sync))
        }
        services.append(.init(service: AlertService(core: runtime.core)))
        if SystemdNotify().watchdogInterval != nil {
            services.append(.init(service: WatchdogService()))
        }
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        return AgentApplication(
            runtime: runtime, listen: listen, http: http, https: https, spooler: spooler, bound: bound, boundHTTPS: boundHTTPS, group: group
        )
    }

    /// The address clients use, once the server listens.
    public var address: String? { bound.address }

    /// `https://HOST:PORT` of the integrators' listener, once it listens.
    public var httpsAddress: String? { boundHTTPS.address }

    /// Serves until SIGTERM, SIGINT or `stop()`, then removes its unix socket, if any.
    public func run() async throws {
        defer { if case .unixSocket(let path) = listen { unlink(path) } }
        do {
            try await group.run()
        } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw AgentError(
                .listenAddressInUse,
                "cannot listen on \(listen): another process is using that address "
                    + "(another agent, or another service on that port); give this agent another one with --listen", detail: "listen")
        }
    }

    public func stop() async { await group.triggerGracefulShutdown() }
}

extension AgentResources {
    /// What ships with the installed `lanyard` (`Installation`).
    public static var installed: AgentResources {
        AgentResources(home: Installation.home, defaultDataDirectory: Installation.stateDirectory)
    }
}

/// The bound address, set from the server's event loop once it listens.
final class BoundAddress: Sendable {
    private let value = Mutex<String?>(nil)
    func set(_ address: String) { value.withLock { $0 = address } }
    var address: String? { value.withLock { $0 } }
}

/// Pings systemd's watchdog (at half its interval) while the agent runs.
struct WatchdogService: Service {
    func run() async throws {
        await cancelWhenGracefulShutdown {
            await SystemdNotify().feedWatchdog()
        }
    }
}
