import Foundation
import Logging
internal import PostgresNIO
import ServiceLifecycle

/// A replica's ear on the others: one dedicated connection LISTENing on the replicas' channel,
/// reconnecting with backoff when it drops. A notice of an event's new cursor wakes the kiosks
/// waiting on this replica for that event; a notice of a new repository version makes the
/// repository watcher examine `timestamp.json` at once instead of at its next interval.
///
/// Notifications are not stored: one sent while this connection was down is lost. So after each
/// (re)connection, once listening, the listener reads every event's cursor from the database and
/// has the watcher look at the repository; and the notify endpoint reads the waited-on event's
/// cursor from the database at the start and end of each long-poll. A missed notice delays a
/// kiosk by at most one poll; it never leaves it behind.
final class ReplicaListener: Service, Sendable {
    let store: PostgresRegistryStore
    let hub: NotifyHub
    let watcher: RepositoryWatcher
    let logger: Logger
    static let firstBackoff: Duration = .milliseconds(100)
    static let maximumBackoff: Duration = .seconds(10)

    init(store: PostgresRegistryStore, hub: NotifyHub, watcher: RepositoryWatcher, logger: Logger) {
        self.store = store
        self.hub = hub
        self.watcher = watcher
        self.logger = logger
    }

    func run() async throws {
        await cancelWhenGracefulShutdown {
            var backoff = Self.firstBackoff
            while !Task.isCancelled {
                if await self.listenUntilDropped() { backoff = Self.firstBackoff }
                guard !Task.isCancelled else { break }
                try? await Task.sleep(for: backoff)
                backoff = min(backoff * 2, Self.maximumBackoff)
            }
        }
    }

    /// One connection: LISTEN, catch up, then every notice until the connection ends or the
    /// task is cancelled. True when it got as far as listening.
    private func listenUntilDropped() async -> Bool {
        let connection: PostgresConnection
        do {
            connection = try await PostgresConnection.connect(
                configuration: try PostgresRegistryStore.connectionConfiguration(store.location), id: 0, logger: logger)
        } catch {
            if !Task.isCancelled {
                logger.warning(
                    "cannot connect to listen for the other replicas", metadata: ["error": "\(PostgresRegistryStore.describe(error))"])
            }
            return false
        }
        let listened = await listen(on: connection)
        try? await connection.close()
        return listened
    }

    private func listen(on connection: PostgresConnection) async -> Bool {
        var listening = false
        do {
            try await connection.listen(on: PostgresRegistryStore.channel) { notices in
                listening = true
                logger.debug("listening for the other replicas", metadata: ["channel": "\(PostgresRegistryStore.channel)"])
                await catchUp()
                for try await notice in notices {
                    await deliver(notice.payload)
                }
            }
        } catch {
            if !Task.isCancelled {
                logger.warning("listening for the other replicas stopped", metadata: ["error": "\(PostgresRegistryStore.describe(error))"])
            }
        }
        return listening
    }

    /// What notices may have been missed while not listening, read from the durable state.
    private func catchUp() async {
        watcher.wake()
        do {
            for (event, cursor) in try await store.eventCursors() {
                await hub.attendeesChanged(event: event, cursor: cursor)
            }
        } catch {
            logger.warning("cannot read the events' cursors", metadata: ["error": "\(error)"])
        }
    }

    func deliver(_ payload: String) async {
        switch ReplicaNotice(payload: payload) {
        case .attendees(let event, let cursor): await hub.attendeesChanged(event: event, cursor: cursor)
        case .repository: watcher.wake()
        case nil: logger.debug("unknown notice ignored", metadata: ["payload": "\(payload.prefix(200))"])
        }
    }
}
