public import Foundation
internal import GRDB

/// The agent's local SQLite database: printer tuning, the print job queue, dead letters, the
/// outbox, the audit trail, the attendee cache and webhook replay protection.
/// WAL mode, and `synchronous = FULL` so that a commit that returned has reached the disk: the
/// agent acknowledges nothing it could lose in a power cut.
///
/// `DatabasePool` is itself safe to share between threads and tasks (GRDB serialises writes
/// and runs reads concurrently), which is why this wrapper is `Sendable`.
public final class LanyardStore: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating it and its directory if needed) and migrates the database at `path`.
    public convenience init(path: String) throws(StoreError) {
        try self.init(path: path, migratingUpTo: nil)
    }

    /// The agent's database in its data directory: the one file the agent, `lanyard import` and
    /// `lanyard printer tune` share.
    public convenience init(dataDirectory: URL) throws(StoreError) {
        try self.init(path: dataDirectory.appending(path: "lanyard.sqlite").path)
    }

    /// Opens the database with the schema brought only up to `lastMigration` (every migration when
    /// nil): how the tests build a database as an older release left it, to check that today's
    /// code upgrades it.
    package init(path: String, migratingUpTo lastMigration: String?) throws(StoreError) {
        self.path = path
        let directory = URL(filePath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(
                .openFailed, "cannot create the database directory", path: directory.path, underlying: error)
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError(.openFailed, "cannot open the database", path: path, underlying: error)
        }
        do {
            if let lastMigration {
                try Schema.migrator.migrate(pool, upTo: lastMigration)
            } else {
                try Schema.migrator.migrate(pool)
            }
        } catch {
            throw StoreError(.migrationFailed, "cannot bring the database schema up to date", path: path, underlying: error)
        }
    }

    /// Every schema version this code knows, in the order they apply.
    public static var knownMigrations: [String] { Schema.migrator.migrations }

    /// The schema versions applied so far, oldest first.
    public func appliedMigrations() throws(StoreError) -> [String] {
        try read { db in try Schema.migrator.appliedMigrations(db) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.read(body) } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.queryFailed, "reading the database failed", path: path, underlying: error)
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.write(body) } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.queryFailed, "writing the database failed", path: path, underlying: error)
        }
    }
}
