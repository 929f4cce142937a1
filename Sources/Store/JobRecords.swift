import Foundation
internal import GRDB
import LanyardSupport

/// The `print_job` row; GRDB stays an implementation detail of this module.
struct JobRow: Codable, FetchableRecord, MutablePersistableRecord, StoredDateRecord {
    static let databaseTableName = "print_job"

    var id: Int64?
    var idempotencyKey: String
    var correlationID: String
    var attendeeID: String?
    var printerID: String
    var state: JobState
    var payload: Data
    var attempts: Int
    var nextAttemptAt: Date?
    var lastError: String?
    var diagnostic: Data?
    var templateTier: String?
    var templateVersion: String?
    var templateRelease: String?
    var reprintOf: Int64?
    var priority: Int
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id, idempotencyKey = "idempotency_key", correlationID = "correlation_id", attendeeID = "attendee_id"
        case printerID = "printer_id", state, payload, attempts, nextAttemptAt = "next_attempt_at"
        case lastError = "last_error", diagnostic, templateTier = "template_tier", templateVersion = "template_version"
        case templateRelease = "template_release", reprintOf = "reprint_of", createdAt = "created_at", updatedAt = "updated_at"
        case priority
    }

    enum Columns {
        static let id = Column(CodingKeys.id)
        static let idempotencyKey = Column(CodingKeys.idempotencyKey)
        static let printerID = Column(CodingKeys.printerID)
        static let state = Column(CodingKeys.state)
        static let nextAttemptAt = Column(CodingKeys.nextAttemptAt)
        static let reprintOf = Column(CodingKeys.reprintOf)
        static let attendeeID = Column(CodingKeys.attendeeID)
        static let priority = Column(CodingKeys.priority)
    }

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    func job(history: [JobTransition]) -> PrintJob {
        PrintJob(
            id: id ?? 0, idempotencyKey: idempotencyKey, correlationID: correlationID, attendeeID: attendeeID,
            printerID: printerID, state: state, payload: payload, attempts: attempts, nextAttemptAt: nextAttemptAt,
            lastError: lastError, diagnostic: diagnostic, templateTier: templateTier,
            templateVersion: templateVersion, templateRelease: templateRelease, reprintOf: reprintOf, priority: JobPriority(rank: priority),
            createdAt: createdAt, updatedAt: updatedAt, history: history)
    }
}

/// The `print_job_transition` row: one entry of a job's history.
struct TransitionRow: Codable, FetchableRecord, MutablePersistableRecord, StoredDateRecord {
    static let databaseTableName = "print_job_transition"

    var id: Int64?
    var jobID: Int64
    var from: JobState?
    var to: JobState
    var at: Date
    var note: String?

    enum CodingKeys: String, CodingKey {
        case id, jobID = "job_id", from = "from_state", to = "to_state", at, note
    }

    var transition: JobTransition { JobTransition(from: from, to: to, at: at, note: note) }
}

extension LanyardStore {
    /// Attaches each job's history, read in one query for the whole batch.
    static func jobs(_ db: Database, rows: [JobRow]) throws -> [PrintJob] {
        let ids = rows.compactMap(\.id)
        guard !ids.isEmpty else { return [] }
        let transitions =
            try TransitionRow
            .filter(ids.contains(Column(TransitionRow.CodingKeys.jobID)))
            .order(Column(TransitionRow.CodingKeys.id))
            .fetchAll(db)
        let byJob = Dictionary(grouping: transitions, by: \.jobID)
        return rows.map { row in row.job(history: (byJob[row.id ?? 0] ?? []).map(\.transition)) }
    }

    static func job(_ db: Database, id: Int64) throws -> PrintJob? {
        guard let row = try JobRow.fetchOne(db, key: id) else { return nil }
        return try jobs(db, rows: [row]).first
    }

    static func existingJob(_ db: Database, id: Int64) throws -> PrintJob {
        guard let job = try job(db, id: id) else { throw StoreError(.notFound, "there is no print job \(id)") }
        return job
    }
}
