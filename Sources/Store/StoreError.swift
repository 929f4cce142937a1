/// A failure of the local database: which operation, and SQLite's own words.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable {
        /// The database file cannot be created or opened (permissions, a full disk, not a database).
        case openFailed = "store.open_failed"
        /// A schema migration failed; the database is left at the previous version.
        case migrationFailed = "store.migration_failed"
        case queryFailed = "store.query_failed"
        /// A value given to the store is out of range (an empty printer key, say).
        case invalidValue = "store.invalid_value"
    }

    public let code: Code
    public let message: String
    /// The database file.
    public let path: String?
    /// SQLite's error text.
    public let cause: String?

    public init(_ code: Code, _ message: String, path: String? = nil, cause: String? = nil) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
    }

    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let path { text += " (\(path))" }
        if let cause { text += " [\(cause)]" }
        return text
    }
}
