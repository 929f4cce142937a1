public import Foundation
public import LanyardSupport
public import Logging
internal import NIOSSL
internal import PostgresNIO
import Sync

/// The registry's state in PostgreSQL, shared by any number of stateless server replicas
/// (docs/registry-server.md, "Several replicas on PostgreSQL"). Each method is one transaction
/// on a connection of the pool; the database decides what concurrent replicas would otherwise
/// race on: a nonce is stored once (`ON CONFLICT DO NOTHING`), an event's changes take its
/// cursors one writer at a time (`PostgresSchema`), and every change it commits is announced
/// to the other replicas with NOTIFY in the same transaction (delivered only if it commits).
public final class PostgresRegistryStore: RegistryStore {
    /// The NOTIFY channel every replica listens on.
    static let channel = "lanyard_registry"

    public let location: PostgresLocation
    /// A duplicate report (the very same report again) refreshes the agent's `last_seen` at
    /// most this often: when hundreds of kiosks retry at once, their rows are not all rewritten.
    public let lastSeenInterval: TimeInterval
    let client: PostgresClient
    let logger: Logger
    /// The pool's own task (`PostgresClient.run()`), running from `connect` to `close`: the
    /// migrations and the first reads are made before the server's service group starts.
    private let running: Task<Void, Never>

    private init(location: PostgresLocation, lastSeenInterval: TimeInterval, logger: Logger) {
        self.location = location
        self.lastSeenInterval = lastSeenInterval
        self.logger = logger
        client = PostgresClient(configuration: Self.clientConfiguration(location), backgroundLogger: logger)
        running = Task { [client] in await client.run() }
    }

    /// Connects, creates or migrates the schema, and answers once the database can be used.
    public static func connect(
        _ location: PostgresLocation, lastSeenInterval: TimeInterval = 30, logger: Logger
    ) async throws(RegistryError) -> PostgresRegistryStore {
        let store = PostgresRegistryStore(location: location, lastSeenInterval: lastSeenInterval, logger: logger)
        let migrated: Result<Void, any Error>
        do { migrated = .success(try await PostgresSchema.migrate(store.client, logger: logger)) } catch { migrated = .failure(error) }
        if case .failure(let error) = migrated {
            await store.close()
            if let error = error as? RegistryError { throw error }
            throw RegistryError(
                .storage, "cannot open or migrate the registry database", detail: "\(location): \(describe(cause(of: error)))")
        }
        return store
    }

    public var isShared: Bool { true }

    public func close() async {
        running.cancel()
        await running.value
    }

    static func clientConfiguration(_ location: PostgresLocation) -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        switch location.endpoint {
        case .unixSocket(let directory, let port):
            configuration = .init(
                unixSocketPath: socketPath(directory, port), username: location.user, password: location.password,
                database: location.database)
        case .tcp(let host, let port):
            let tls: PostgresClient.Configuration.TLS =
                switch location.tls {
                case .disable: .disable
                case .prefer: .prefer(.makeClientConfiguration())
                case .require: .require(.makeClientConfiguration())
                }
            configuration = .init(
                host: host, port: port, username: location.user, password: location.password, database: location.database, tls: tls)
        }
        configuration.options.additionalStartupParameters = [("application_name", "lanyard-registry")]
        return configuration
    }

    /// The same place for the one connection a replica listens on (`ReplicaListener`).
    static func connectionConfiguration(_ location: PostgresLocation) throws -> PostgresConnection.Configuration {
        let client = clientConfiguration(location)
        var configuration: PostgresConnection.Configuration
        if let path = client.unixSocketPath {
            configuration = .init(unixSocketPath: path, username: client.username, password: client.password, database: client.database)
        } else {
            let context = location.tls == .disable ? nil : try NIOSSLContext(configuration: .makeClientConfiguration())
            configuration = .init(
                host: client.host ?? "", port: client.port ?? 5432, username: client.username, password: client.password,
                database: client.database, tls: context.map { location.tls == .require ? .require($0) : .prefer($0) } ?? .disable)
        }
        configuration.options.additionalStartupParameters = client.options.additionalStartupParameters
        return configuration
    }

    /// The server's socket file in its socket directory, as libpq names it.
    static func socketPath(_ directory: String, _ port: Int) -> String { "\(directory)/.s.PGSQL.\(port)" }

    // MARK: Transactions

    /// SQLSTATEs after which the whole transaction is simply run again: a serialization failure
    /// and a deadlock the server broke by aborting this side.
    private static let retryable: Set<String> = ["40001", "40P01"]
    private static let attempts = 5

    /// Runs `body` in one transaction, again from the start after a serialization failure or a
    /// deadlock; a `RegistryError` thrown by `body` rolls back and is thrown as it is.
    func transaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws(RegistryError) -> T {
        var attempt = 0
        while true {
            attempt += 1
            let outcome: Result<T, any Error>
            do { outcome = .success(try await client.withTransaction(logger: logger) { connection in try await body(connection) }) } catch {
                outcome = .failure(error)
            }
            switch outcome {
            case .success(let value): return value
            case .failure(let error):
                let cause = Self.cause(of: error)
                if let error = cause as? RegistryError { throw error }
                if attempt < Self.attempts, let state = (cause as? PSQLError)?.serverInfo?[.sqlState], Self.retryable.contains(state) {
                    logger.debug("registry transaction retried", metadata: ["sqlstate": "\(state)", "attempt": "\(attempt)"])
                    continue
                }
                throw RegistryError(.storage, "writing the registry database failed", detail: Self.describe(cause))
            }
        }
    }

    /// Runs reads on one connection of the pool, outside any explicit transaction.
    func read<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws(RegistryError) -> T {
        let outcome: Result<T, any Error>
        do { outcome = .success(try await client.withConnection { connection in try await body(connection) }) } catch {
            outcome = .failure(error)
        }
        switch outcome {
        case .success(let value): return value
        case .failure(let error as RegistryError): throw error
        case .failure(let error): throw RegistryError(.storage, "reading the registry database failed", detail: Self.describe(error))
        }
    }

    /// What failed inside a transaction: the closure's error, else the commit's or the BEGIN's.
    static func cause(of error: any Error) -> any Error {
        guard let error = error as? PostgresTransactionError else { return error }
        return error.closureError ?? error.commitError ?? error.beginError ?? error
    }

    static func describe(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        if let info = error.serverInfo {
            return "\(info[.sqlState] ?? "?"): \(info[.message] ?? "")"
        }
        return "\(error.code)"
    }

    /// Every row of a query, read into memory (the registry's queries are bounded).
    func rows(_ query: PostgresQuery, on connection: PostgresConnection) async throws -> [PostgresRow] {
        try await connection.query(query, logger: logger).collect()
    }

    /// Inserts each item once, in nonce order (so two batches sharing nonces never wait on each
    /// other crosswise), and answers the items that were new: `insert` ends in `ON CONFLICT DO
    /// NOTHING RETURNING`, so a nonce already stored, by whichever replica, returns no row.
    func insertNew<Item>(
        _ items: [Item], nonce: (Item) -> String, on connection: PostgresConnection, _ insert: (Item) -> PostgresQuery
    ) async throws -> [Item] {
        var inserted: [Item] = []
        for item in items.sorted(by: { nonce($0).utf8.lexicographicallyPrecedes(nonce($1).utf8) }) {
            if try await !rows(insert(item), on: connection).isEmpty { inserted.append(item) }
        }
        return inserted
    }

    // MARK: Notifications

    /// Tells every replica (this one included) that an event's log moved to `cursor`; inside
    /// a transaction, the notification goes out only when it commits.
    func notifyAttendees(event: String, cursor: Int64, on connection: PostgresConnection) async throws {
        try await connection.query(
            "SELECT pg_notify(\(Self.channel), \(ReplicaNotice.attendees(event: event, cursor: cursor).encoded()))", logger: logger)
    }

    /// Tells every replica that this one read new versions from the repository directory.
    public func announce(_ versions: RepositoryVersions) async {
        let payload = ReplicaNotice.repository(versions).encoded()
        do { try await client.query("SELECT pg_notify(\(Self.channel), \(payload))", logger: logger) } catch {
            logger.warning("cannot tell the other replicas of the new repository version", metadata: ["error": "\(Self.describe(error))"])
        }
    }

    // MARK: Event cursors

    /// Locks the cursor rows of `events` (created at 0 when new), in byte order so that two
    /// transactions never wait on each other crosswise, and answers their current values.
    func lockCursors(_ events: Set<String>, on connection: PostgresConnection) async throws -> [String: Int64] {
        var cursors: [String: Int64] = [:]
        for event in events.sorted(by: { $0.utf8.lexicographicallyPrecedes($1.utf8) }) {
            try await connection.query(
                "INSERT INTO event_cursor (event, cursor) VALUES (\(event), 0) ON CONFLICT (event) DO NOTHING", logger: logger)
            let row = try await rows("SELECT cursor FROM event_cursor WHERE event = \(event) FOR UPDATE", on: connection).first
            cursors[event] = try row?.decode(Int64.self) ?? 0
        }
        return cursors
    }

    /// Writes the cursors a transaction advanced and announces them.
    func saveCursors(_ cursors: [String: Int64], on connection: PostgresConnection) async throws {
        for (event, cursor) in cursors.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            try await connection.query("UPDATE event_cursor SET cursor = \(cursor) WHERE event = \(event)", logger: logger)
            try await notifyAttendees(event: event, cursor: cursor, on: connection)
        }
    }

    public func eventCursor(event: String) async throws(RegistryError) -> Int64 {
        try await read { connection in
            try await rows("SELECT cursor FROM event_cursor WHERE event = \(event)", on: connection).first?.decode(Int64.self) ?? 0
        }
    }

    public func eventCursors() async throws(RegistryError) -> [String: Int64] {
        try await read { connection in
            var cursors: [String: Int64] = [:]
            for row in try await rows("SELECT event, cursor FROM event_cursor WHERE cursor > 0", on: connection) {
                let (event, cursor) = try row.decode((String, Int64).self)
                cursors[event] = cursor
            }
            return cursors
        }
    }
}
