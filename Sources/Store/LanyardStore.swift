import Foundation
internal import GRDB

/// The agent's local SQLite database: printer tuning now, the job queue and caches as they come.
/// WAL mode, and `synchronous = FULL` so that a commit that returned has reached the disk: the
/// agent acknowledges nothing it could lose in a power cut.
///
/// `DatabasePool` is itself safe to share between threads and tasks (GRDB serialises writes
/// and runs reads concurrently), which is why this wrapper is `Sendable`.
public final class LanyardStore: Sendable {
    let pool: DatabasePool
    public let path: String

    /// Opens (creating it and its directory if needed) and migrates the database at `path`.
    public init(path: String) throws(StoreError) {
        self.path = path
        let directory = URL(filePath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw StoreError(.openFailed, "cannot create the database directory", path: directory.path, cause: "\(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
        } catch {
            throw StoreError(.openFailed, "cannot open the database", path: path, cause: Self.describe(error))
        }
        do {
            try Schema.migrator.migrate(pool)
        } catch {
            throw StoreError(.migrationFailed, "cannot bring the database schema up to date", path: path, cause: Self.describe(error))
        }
    }

    /// The schema versions applied so far, oldest first.
    public func appliedMigrations() throws(StoreError) -> [String] {
        try read { db in try Schema.migrator.appliedMigrations(db) }
    }

    func read<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.read(body) } catch {
            throw StoreError(.queryFailed, "reading the database failed", path: path, cause: Self.describe(error))
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(StoreError) -> T {
        do { return try pool.write(body) } catch let error as StoreError {
            throw error
        } catch {
            throw StoreError(.queryFailed, "writing the database failed", path: path, cause: Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return error.message ?? "\(error.resultCode)" }
        return "\(error)"
    }
}
