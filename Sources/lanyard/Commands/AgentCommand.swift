import Agent
import ArgumentParser
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import UnixSignals

struct AgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "agent",
        abstract: "Run the kiosk agent: HTTP API, durable print queue and printer worker.",
        discussion: """
            With no configuration it prints to the first USB printer found, else to the built-in \
            simulator (labels in DATA/sim), with the bundled templates and the sample event's \
            attendees. Health: GET /v1/health; metrics: GET /metrics. See docs/agent.md and \
            systemd/agent.yaml for every setting. SIGTERM stops it gracefully.
            """)

    @Option(help: "Agent configuration YAML (every key optional).")
    var config: String?

    @Option(help: "HOST:PORT for the HTTP API (overrides the configuration).")
    var listen: String?

    @Option(help: "Data directory: database and simulator labels (overrides the configuration).")
    var data: String?

    @Option(help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        try await withExitCodes {
            let level = Logger.Level(rawValue: logLevel) ?? .info
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            let registry = PrometheusCollectorRegistry()
            MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
            let logger = Logger(label: "lanyard.agent")

            var configuration = try AgentConfiguration.load(file: config)
            if let listen { configuration.listen = listen }
            if let data { configuration.dataDirectory = data }
            let (host, port) = try AgentConfiguration.hostAndPort(configuration.listen)

            let started = ContinuousClock.now
            let runtime = try await AgentRuntime.start(
                configuration: configuration,
                resources: AgentResources(templates: Resources.templates, profiles: Resources.profiles,
                                          sampleEvent: Resources.sampleEvent, sampleAttendees: Resources.sampleAttendees,
                                          defaultDataDirectory: StateDirectory.url),
                logger: logger)
            let router = AgentAPI.router(core: runtime.core, metrics: registry)
            let app = Application(
                router: router,
                configuration: .init(address: .hostname(host, port: port), serverName: "lanyard"),
                onServerRunning: { channel in
                    let elapsed = ContinuousClock.now - started
                    let address = channel.localAddress.map { "\($0)" } ?? "\(host):\(port)"
                    logger.notice("agent ready", metadata: [
                        "listen": "\(address)", "printer": "\(runtime.core.defaultPrinter)",
                        "startup_ms": "\(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)",
                    ])
                    SystemdNotify().ready(status: "serving on \(address)")
                },
                logger: logger)
            var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
                .init(service: app), .init(service: SpoolerService(workers: runtime.workers)),
            ]
            if SystemdNotify().watchdogInterval != nil {
                services.append(.init(service: WatchdogService()))
            }
            let group = ServiceGroup(configuration: .init(
                services: services, gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
            try await group.run()
            SystemdNotify().stopping()
        }
    }
}

/// Pings systemd's watchdog (at half its interval) while the agent runs.
struct WatchdogService: Service {
    func run() async throws {
        await cancelWhenGracefulShutdown {
            await SystemdNotify().feedWatchdog()
        }
    }
}
