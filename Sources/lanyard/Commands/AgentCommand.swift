import Agent
import ArgumentParser
import Foundation
import LanyardSupport
import Logging
import Metrics
import Prometheus

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

    @Option(help: "HOST:PORT, or unix:PATH for a unix socket, for the HTTP API (overrides the configuration).")
    var listen: String?

    @Option(help: "Data directory: database and simulator labels (overrides the configuration).")
    var data: String?

    @Option(help: "Log level.")
    var logLevel: Logger.Level = .info

    @Option(help: "File holding the admin token (overrides admin_token and LANYARD_ADMIN_TOKEN).")
    var adminTokenFile: String?

    /// A malformed `--listen` is a usage error (64), named before anything starts.
    func validate() throws {
        guard let listen else { return }
        do { _ = try ListenAddress(parsing: listen) } catch {
            throw ValidationError("--listen takes HOST:PORT, [IPv6]:PORT, :PORT or unix:/absolute/path, not '\(listen)': \(error.message)")
        }
    }

    func run() async throws {
        try await withExitCodes {
            // The agent keeps and reports every instant in UTC and reads no local time. With UTC
            // as the process's default zone, a library that builds a calendar without a zone
            // (Hummingbird's Date-header cache, which then sets GMT itself) does not make
            // Foundation resolve the system zone through ICU: about 2 MB resident.
            NSTimeZone.default = TimeZone.gmt
            let level = logLevel
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
            if let token = try TokenFile.read(adminTokenFile) { configuration.adminToken = token }
            try configuration.validate()
            // Badges to print are rendered by this same executable as a child, under `limits:`.
            var resources = AgentResources.installed
            resources.renderChild = RenderChildLaunch(executable: Installation.executable)
            let server = try await AgentApplication.build(
                configuration: configuration, resources: resources, metrics: registry, logger: logger
            ) {
                address in
                SystemdNotify().ready(status: "serving on \(address)")
            }
            try await server.run()
            SystemdNotify().stopping()
        }
    }
}

/// The agent's render child (`RenderChildClient`), started by the agent itself, never by hand.
struct RenderChildCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "render-child", shouldDisplay: false)

    func run() { RenderChild.run() }
}
