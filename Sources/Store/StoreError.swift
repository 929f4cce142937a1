/// A failure of the local database: which operation, and SQLite's own words.
public struct StoreError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Codable, CaseIterable {
        /// The database file cannot be created or opened (permissions, a full disk, not a database).
        case openFailed = "store.open_failed"
        /// A schema migration failed; the database is left at the previous version.
        case migrationFailed = "store.migration_failed"
        case queryFailed = "store.query_failed"
        /// A value given to the store is out of range (an empty printer key, say).
        case invalidValue = "store.invalid_value"
        /// A printer already has as many unfinished jobs as it may; the caller should answer
        /// "busy, retry later" instead of growing the queue without bound.
        case queueFull = "store.queue_full"
        /// A job was asked to move between two states the job state machine does not connect.
        case invalidTransition = "store.invalid_transition"
        /// No job, dead letter or other record has the given id.
        case notFound = "store.not_found"
        /// A reprint was asked for a job that has not finished yet: it will print anyway.
        case jobNotFinished = "store.job_not_finished"
        /// A dead letter was already replayed once; a second replay could duplicate its effect.
        case alreadyReplayed = "store.already_replayed"
        /// A stored row cannot be decoded (an attendee's JSON, an unknown state name).
        case corruptRecord = "store.corrupt_record"
        /// An attendee delta starts from another cursor than the stored one (or none is stored):
        /// changes are missing in between, so the sync loop must fetch a snapshot instead.
        case cursorMismatch = "store.cursor_mismatch"
        /// A snapshot older than the attendee list already applied; applying it would go back
        /// in time (a reordered or replayed response).
        case snapshotStale = "store.snapshot_stale"
    }

    /// The stored sync cursor of an event (nil: none yet) and the one a refused snapshot or
    /// delta was built on.
    public struct CursorConflict: Sendable, Equatable, CustomStringConvertible {
        public let stored: Int64?
        public let given: Int64

        public init(stored: Int64?, given: Int64) {
            self.stored = stored
            self.given = given
        }

        public var description: String { "stored cursor \(stored.map(String.init) ?? "none"), given \(given)" }
    }

    /// The two ends of a refused job state change.
    public struct Transition: Sendable, Equatable, CustomStringConvertible {
        public let from: JobState
        public let to: JobState

        public init(from: JobState, to: JobState) {
            self.from = from
            self.to = to
        }

        public var description: String { "\(from.rawValue) -> \(to.rawValue)" }
    }

    public let code: Code
    public let message: String
    /// The database file.
    public let path: String?
    /// SQLite's error text.
    public let cause: String?
    /// For `.invalidTransition`: the state the job was in and the one asked for.
    public let transition: Transition?
    /// For `.cursorMismatch` and `.snapshotStale`: both cursors, so the caller can decide what
    /// to fetch next without parsing the message.
    public let cursor: CursorConflict?

    public init(
        _ code: Code, _ message: String, path: String? = nil, cause: String? = nil, transition: Transition? = nil,
        cursor: CursorConflict? = nil
    ) {
        self.code = code
        self.message = message
        self.path = path
        self.cause = cause
        self.transition = transition
        self.cursor = cursor
    }

    public var description: String {
        var text = "\(code.rawValue): \(message)"
        if let transition { text += " (\(transition))" }
        if let cursor { text += " (\(cursor))" }
        if let path { text += " (\(path))" }
        if let cause { text += " [\(cause)]" }
        return text
    }
}
