import ArgumentParser
import Foundation
import LanyardSupport
import Logging
import Registry
import Sync
import TUF

struct RegistryServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the registry server: the repository over HTTP, notify, timestamp refresh, kiosk uploads and the fleet view.",
        discussion: """
            Serves the repository directory at /repository/ (any web server could, see \
            docs/registry-server.md), tells long-polling kiosks of a new version at once \
            (/v1/notify), takes check-ins, print results and signed reports from kiosks into \
            STATE/registry.sqlite, and shows the fleet at /fleet. With --timestamp-key it re-signs \
            the timestamp before it expires; with --publish-key it also signs publications sent by \
            holders of a publisher token (lanyard registry publish --registry). Tokens may also be \
            given as $LANYARD_REGISTRY_AGENT_TOKEN and $LANYARD_REGISTRY_ADMIN_TOKEN, which keeps \
            them out of the process list. SIGTERM or SIGINT stops it gracefully.
            """)

    @Option(help: "The repository directory (root/, targets/, blobs/, timestamp.json).")
    var repository: String

    @OptionGroup var store: RegistryStoreOptions

    @Option(help: "Seconds between looks at timestamp.json for a new version.")
    var watchInterval: Double = 0.2

    @Option(help: "HOST:PORT, or unix:PATH for a unix socket.")
    var listen = "127.0.0.1:8090"

    @Option(help: "The timestamp role's key file: re-sign the timestamp before it expires.")
    var timestampKey: String?

    @Option(help: "Seconds a re-signed timestamp is valid; it is re-signed once less than half remains.")
    var timestampLifetime: Int = 86_400

    @Option(
        name: .customLong("publish-key"),
        help: "Key file of a targets role (targets, or a delegated one) to sign publications sent to POST /v1/publications (repeat).")
    var publishKeys: [String] = []

    @Option(
        name: .customLong("snapshot-key"),
        help: "Key file of the snapshot role for those publications (repeat; default: the timestamp key).")
    var snapshotKeys: [String] = []

    @Option(help: "Days until the targets and snapshot metadata of a publication through the server expire.")
    var targetsExpiresDays: Double = 90

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

    /// A malformed `--listen` is a usage error (64), named before anything starts.
    func validate() throws {
        do { _ = try ListenAddress(parsing: listen) } catch {
            throw ValidationError("--listen takes HOST:PORT, [IPv6]:PORT, :PORT or unix:/absolute/path, not '\(listen)': \(error.message)")
        }
        guard watchInterval.isFinite, watchInterval >= 0.01, watchInterval <= 86_400 else {
            throw ValidationError("--watch-interval takes 0.01 to 86400 seconds")
        }
    }

    func run() async throws {
        try await withExitCodes {
            let level = logLevel
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
            let repositoryURL = URL(filePath: repository, directoryHint: .isDirectory)
            guard FileManager.default.fileExists(atPath: repositoryURL.appending(path: RepositoryLayout.root(version: 1)).path) else {
                let root = RepositoryLayout.root(version: 1)
                throw CLIError(.inputMissing, "\(repository) is not a repository: it has no \(root) ('lanyard registry init')")
            }
            let environment = ProcessInfo.processInfo.environment
            var configuration = RegistryConfiguration(repository: repositoryURL, state: try store.location(environment: environment))
            configuration.watchInterval = .milliseconds(Int64((watchInterval * 1000).rounded()))
            configuration.timestampKey = try timestampKey.map { path throws(TUFError) in try TUFSigningKey.read(from: URL(filePath: path)) }
            configuration.timestampLifetime = TimeInterval(timestampLifetime)
            configuration.publishKeys = try RegistryKeys.read(publishKeys)
            configuration.snapshotKeys = try RegistryKeys.read(snapshotKeys)
            configuration.publicationLifetime = targetsExpiresDays * 86_400
            configuration.agentToken =
                try TokenFile.read(agentTokenFile) ?? agentToken
                ?? environment["LANYARD_REGISTRY_AGENT_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            configuration.adminToken =
                try TokenFile.read(adminTokenFile) ?? adminToken
                ?? environment["LANYARD_REGISTRY_ADMIN_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            let application = try await RegistryApplication.build(
                configuration: configuration, listen: try ListenAddress(parsing: listen), logger: Logger(label: "lanyard.registry")
            ) { url in SystemdNotify().ready(status: "serving on \(url)") }
            try await application.run()
            SystemdNotify().stopping()
        }
    }
}
