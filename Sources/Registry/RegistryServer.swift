public import Foundation
public import Hummingbird
public import LanyardHTTP
public import LanyardSupport
public import Logging
public import ServiceLifecycle
import Sync
import TUF

/// The reference registry server: the repository directory over HTTP, long-poll notification
/// of new versions, the timestamp kept fresh, and the kiosks' uploads and reports in its store
/// (SQLite, or PostgreSQL shared with other replicas). The HTTP application and `services` run
/// together under one service group; `close()` ends the store's connections afterwards.
public struct RegistryServer: Sendable {
    public let configuration: RegistryConfiguration
    public let store: any RegistryStore
    public let hub: NotifyHub
    public let watcher: RepositoryWatcher
    public let refresher: TimestampRefresher
    public let files: RepositoryFiles
    /// Who may do what: the bootstrap tokens and the tokens in the store.
    public let access: AccessControl
    /// The publications the server signs itself; nil without publication keys.
    public let publications: RegistryPublications?
    public let startedAt: Date
    let logger: Logger

    /// What wakes this replica's kiosks when another replica records a change (PostgreSQL only).
    let listener: (any Service)?

    /// Checks the repository and the timestamp key, opens (and migrates) the database and reads
    /// the current versions, so the first requests are answered from the real state.
    public init(configuration: RegistryConfiguration, logger: Logger) async throws(RegistryError) {
        try configuration.validate()
        let root: Root
        let versions: RepositoryVersions
        do {
            root = try RegistryPublisher.writer(configuration.repository).state().root
            versions = try RepositoryWatcher.readVersions(repository: configuration.repository)
        } catch {
            throw RegistryError(.configurationInvalid, "the repository cannot be read", detail: "\(error)")
        }
        if let key = configuration.timestampKey, root.role("timestamp")?.keyids.contains(key.keyid) != true {
            throw RegistryError(
                .configurationInvalid, "the timestamp key is not a timestamp key of root version \(root.common.version)",
                detail: "key \(key.keyid.prefix(16))…")
        }
        try RegistryPublications.check(configuration, root: root)
        self.configuration = configuration
        self.logger = logger
        publications = configuration.publishes ? RegistryPublications(configuration: configuration) : nil
        store = try await RegistryStores.open(configuration.state, lastSeenInterval: configuration.lastSeenInterval, logger: logger)
        let postgres = store as? PostgresRegistryStore
        let cursors: Result<[String: Int64], RegistryError>
        do { cursors = .success(try await store.eventCursors()) } catch { cursors = .failure(error) }
        if case .failure = cursors { await store.close() }
        let hub = NotifyHub(current: versions, eventCursors: try cursors.get(), maximumWaiters: configuration.maximumWaiters)
        var announce: (@Sendable (RepositoryVersions) async -> Void)?
        if let postgres { announce = { versions in await postgres.announce(versions) } }
        let watcher = RepositoryWatcher(
            repository: configuration.repository, hub: hub, interval: configuration.watchInterval, logger: logger, announce: announce)
        self.hub = hub
        self.watcher = watcher
        listener = postgres.map { ReplicaListener(store: $0, hub: hub, watcher: watcher, logger: logger) }
        refresher = TimestampRefresher(
            repository: configuration.repository, key: configuration.timestampKey,
            lifetime: configuration.timestampLifetime, interval: configuration.refreshInterval, logger: logger)
        files = RepositoryFiles(directory: configuration.repository)
        access = AccessControl(store: store, agentToken: configuration.agentToken, adminToken: configuration.adminToken)
        startedAt = Date()
    }

    public func router() -> Router<APIRequestContext> {
        RegistryAPI.router(server: self)
    }

    /// The watcher (notify), the refresher and, on PostgreSQL, the listener for the other
    /// replicas, to run beside the HTTP application.
    public var services: [any Service] {
        let replicated: [any Service] = listener.map { [$0] } ?? []
        return replicated + [watcher, refresher]
    }

    /// Gives the hub an event's cursor as the store has it now.
    func refreshCursor(event: String) async throws(RegistryError) {
        await hub.attendeesChanged(event: event, cursor: try await store.eventCursor(event: event))
    }

    /// Ends the store's connections, once the services have stopped.
    public func close() async {
        await store.close()
    }
}
