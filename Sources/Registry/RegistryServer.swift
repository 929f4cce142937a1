public import Foundation
public import Hummingbird
public import LanyardHTTP
public import LanyardSupport
public import Logging
public import ServiceLifecycle
import Sync

/// The reference registry server: the repository directory over HTTP, long-poll notification
/// of new versions, the timestamp kept fresh, and the kiosks' uploads and reports in SQLite.
/// The HTTP application and `services` run together under one service group.
public struct RegistryServer: Sendable {
    public let configuration: RegistryConfiguration
    public let database: RegistryDatabase
    public let hub: NotifyHub
    public let watcher: RepositoryWatcher
    public let refresher: TimestampRefresher
    public let files: RepositoryFiles
    public let startedAt: Date
    let logger: Logger

    /// Checks the repository and the timestamp key, opens the database and reads the current
    /// versions, so the first requests are answered from the real state.
    public init(configuration: RegistryConfiguration, logger: Logger) throws(RegistryError) {
        try configuration.validate()
        let writer = RepositoryWriter(directory: configuration.repository)
        let root: RootMetadata
        let versions: RepositoryVersions
        do {
            root = try writer.currentRoot().0
            versions = try RepositoryWatcher.readVersions(repository: configuration.repository)
        } catch {
            throw RegistryError(.configurationInvalid, "the repository cannot be read", detail: error.description)
        }
        if let key = configuration.timestampKey, root.keys(for: .timestamp)?.keyIDs.contains(key.keyID) != true {
            throw RegistryError(
                .configurationInvalid, "the timestamp key is not a timestamp key of root version \(root.version)",
                detail: "key \(key.keyID.prefix(16))…")
        }
        self.configuration = configuration
        self.logger = logger
        database = try RegistryDatabase(stateDirectory: configuration.stateDirectory)
        hub = NotifyHub(current: versions, eventCursors: try database.eventCursors(), maximumWaiters: configuration.maximumWaiters)
        watcher = RepositoryWatcher(repository: configuration.repository, hub: hub, interval: configuration.watchInterval, logger: logger)
        refresher = TimestampRefresher(
            repository: configuration.repository, key: configuration.timestampKey,
            lifetime: configuration.timestampLifetime, interval: configuration.refreshInterval, logger: logger)
        files = RepositoryFiles(directory: configuration.repository)
        startedAt = Date()
    }

    public func router() -> Router<APIRequestContext> {
        RegistryAPI.router(server: self)
    }

    /// The watcher (notify) and the refresher, to run beside the HTTP application.
    public var services: [any Service] { [watcher, refresher] }
}
