public import Foundation
internal import GRDB

/// The registry's SQLite database (`<state>/registry.sqlite`): check-ins and their resolution,
/// print results, and the agents with their keys and latest reports. WAL mode, and
/// `synchronous = FULL`: an upload the registry acknowledged is one the kiosk deletes from its
/// outbox, so it must survive a power cut.
///
/// `DatabasePool` serialises writes and runs reads concurrently and may be shared between
/// tasks, which is why this wrapper is `Sendable`.
public final class RegistryDatabase: Sendable {
    let pool: DatabasePool
    public let path: String

    public static let fileName = "registry.sqlite"

    public convenience init(stateDirectory: URL) throws(RegistryError) {
        try self.init(path: stateDirectory.appending(path: Self.fileName).path)
    }

    public init(path: String) throws(RegistryError) {
        self.path = path
        let directory = URL(filePath: path).deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw RegistryError(.storage, "cannot create the state directory", detail: "\(directory.path): \(error.localizedDescription)")
        }
        var configuration = Configuration()
        configuration.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        configuration.busyMode = .timeout(5)
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try RegistrySchema.migrator.migrate(pool)
        } catch {
            throw RegistryError(.storage, "cannot open or migrate the registry database", detail: "\(path): \(Self.describe(error))")
        }
    }

    /// Every schema version this code knows, in the order they apply.
    public static var knownMigrations: [String] { RegistrySchema.migrator.migrations }

    func read<T>(_ body: (Database) throws -> T) throws(RegistryError) -> T {
        do { return try pool.read(body) } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(.storage, "reading the registry database failed", detail: Self.describe(error))
        }
    }

    func write<T>(_ body: (Database) throws -> T) throws(RegistryError) -> T {
        do { return try pool.write(body) } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError(.storage, "writing the registry database failed", detail: Self.describe(error))
        }
    }

    static func describe(_ error: any Error) -> String {
        if let error = error as? DatabaseError { return "\(error.resultCode): \(error.message ?? "")" }
        return "\(error)"
    }
}
