import Agent
import ArgumentParser
import Foundation
import LanyardSupport
import Hummingbird
import Logging
import Registry
import ServiceLifecycle
import Sync
import UnixSignals

struct RegistryServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the registry server: the repository over HTTP, notify, timestamp refresh, kiosk uploads and the fleet view.",
        discussion: """
            Serves the repository directory at /repository/ (any web server could, see \
            docs/registry-server.md), tells long-polling kiosks of a new version at once \
            (/v1/notify), takes check-ins, print results and signed reports from kiosks into \
            STATE/registry.sqlite, and shows the fleet at /fleet. With --timestamp-key it re-signs \
            the timestamp before it expires. Tokens may also be given as $LANYARD_REGISTRY_AGENT_TOKEN \
            and $LANYARD_REGISTRY_ADMIN_TOKEN, which keeps them out of the process list. SIGTERM \
            or SIGINT stops it gracefully.
            """)

    @Option(help: "The repository directory (root/, targets/, blobs/, timestamp.json).")
    var repository: String

    @Option(help: "State directory: the registry's database.")
    var state: String

    @Option(help: "HOST:PORT, or unix:PATH for a unix socket.")
    var listen = "127.0.0.1:8090"

    @Option(help: "The timestamp role's key file: re-sign the timestamp before it expires.")
    var timestampKey: String?

    @Option(help: "Seconds a re-signed timestamp is valid; it is re-signed once less than half remains.")
    var timestampLifetime: Int = 86_400

    @Option(help: "File holding the bearer token kiosks must send with uploads (at least 16 characters).")
    var agentTokenFile: String?

    @Option(help: "File holding the bearer token (or Basic password) for the fleet view (at least 16 characters).")
    var adminTokenFile: String?

    @Option(help: "Deprecated: a token on the command line is visible to every user of the box; use --agent-token-file.")
    var agentToken: String?

    @Option(help: "Deprecated: a token on the command line is visible to every user of the box; use --admin-token-file.")
    var adminToken: String?

    @Option(help: "Log level.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        try await withExitCodes {
            do { try await serve() } catch let error as RegistryError {
                throw CLIError(error.code == .storage ? .ioFailed : .invalidData, error.description)
            } catch let error as SyncError {
                throw CLIError(error.code == .io ? .inputMissing : .invalidData, error.description)
            } catch let error as AgentError {
                throw CLIError(.usage, "--listen: \(error.description)")
            }
        }
    }

    private func serve() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = JSONLogHandler(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "lanyard.registry")
        let environment = ProcessInfo.processInfo.environment
        let repositoryURL = URL(filePath: repository, directoryHint: .isDirectory)
        guard FileManager.default.fileExists(atPath: repositoryURL.appending(path: "root").path) else {
            throw CLIError(.inputMissing, "\(repository) is not a repository: it has no root/ directory")
        }
        var configuration = RegistryConfiguration(repository: repositoryURL, stateDirectory: URL(filePath: state, directoryHint: .isDirectory))
        configuration.timestampKey = try timestampKey.map { path throws(SyncError) in try SigningKey.read(from: URL(filePath: path)) }
        configuration.timestampLifetime = TimeInterval(timestampLifetime)
        configuration.agentToken = try TokenFile.read(agentTokenFile) ?? agentToken
            ?? environment["LANYARD_REGISTRY_AGENT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        configuration.adminToken = try TokenFile.read(adminTokenFile) ?? adminToken
            ?? environment["LANYARD_REGISTRY_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let server = try RegistryServer(configuration: configuration, logger: logger)

        let address = try ListenAddress(parsing: listen)
        let bind: BindAddress
        switch address {
        case .tcp(let host, let port):
            bind = .hostname(host, port: port)
        case .unixSocket(let path):
            try UnixSocketFile.prepare(path)
            bind = .unixDomainSocket(path: path)
        }
        if !address.isLoopback, configuration.agentToken == nil {
            logger.warning("listening beyond loopback without --agent-token: anyone who reaches the port can upload")
        }
        if !address.isLoopback, configuration.adminToken == nil {
            logger.warning("listening beyond loopback without --admin-token: anyone who reaches the port can see the fleet")
        }
        if configuration.timestampKey == nil {
            logger.notice("no --timestamp-key: serving read-only; the timestamp must be re-signed elsewhere before it expires")
        }
        let versions = await server.hub.current
        let signing = configuration.timestampKey != nil
        let app = Application(
            router: server.router(),
            configuration: .init(address: bind, serverName: "lanyard-registry"),
            onServerRunning: { channel in
                let url = address.clientURL(boundPort: channel.localAddress?.port)
                logger.notice("registry ready", metadata: [
                    "listen": "\(url)", "repository": "\(repositoryURL.path)",
                    "timestamp_version": "\(versions.timestampVersion)", "targets_version": "\(versions.targetsVersion)",
                    "timestamp_signing": "\(signing)",
                ])
                SystemdNotify().ready(status: "serving on \(url)")
            },
            logger: logger)
        // Services stop in reverse order: the refresher, then the watcher (which answers every
        // waiting long-poll), then the HTTP server, which then has no request left hanging.
        let group = ServiceGroup(configuration: .init(
            services: [.init(service: app)] + server.services.map { .init(service: $0) },
            gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        defer { if case .unixSocket(let path) = address { unlink(path) } }
        try await group.run()
        SystemdNotify().stopping()
    }
}
