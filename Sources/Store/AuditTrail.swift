public import Foundation
internal import GRDB
public import LanyardSupport

/// One operator or system action worth answering for later: a reprint, a cancellation, a
/// replayed dead letter, a tuning change.
///
/// The trail holds ids only, never an attendee's name or email: it is kept longer than the
/// attendee cache and may be exported for an incident review, and personal data must not outlive
/// the event in it. `subject` is an id such as "job:42" or "attendee:<uuid>"; `details` values
/// are ids, counts, codes and short operator reasons, which callers must keep free of names.
public struct AuditEntry: Sendable, Equatable, Identifiable {
    public var id: Int64
    public var at: Date
    /// What happened, as a stable dotted name ("job.reprint").
    public var action: String
    /// Who did it: an operator id, a technician badge id, or "system".
    public var actor: String
    public var subject: String
    public var details: [String: String]

    public init(id: Int64, at: Date, action: String, actor: String, subject: String, details: [String: String]) {
        self.id = id
        self.at = at
        self.action = action
        self.actor = actor
        self.subject = subject
        self.details = details
    }
}

struct AuditRow: Codable, FetchableRecord, MutablePersistableRecord, StoredDateRecord {
    static let databaseTableName = "audit_entry"

    var id: Int64?
    var at: Date
    var action: String
    var actor: String
    var subject: String
    /// `details` as a JSON object with sorted keys.
    var details: String

    mutating func didInsert(_ inserted: InsertionSuccess) {
        id = inserted.rowID
    }

    func entry() throws -> AuditEntry {
        guard let values = try? JSONDecoder().decode([String: String].self, from: Data(details.utf8)) else {
            throw StoreError(.corruptRecord, "audit entry \(id ?? 0) has unreadable details")
        }
        return AuditEntry(id: id ?? 0, at: at, action: action, actor: actor, subject: subject, details: values)
    }
}

extension LanyardStore {
    /// Records an action; durable when this returns. See `AuditEntry` for why only ids belong here.
    @discardableResult
    public func audit(
        action: String, actor: String, subject: String, details: [String: String] = [:],
        now: Date = Date()
    ) throws(StoreError) -> AuditEntry {
        try write { db in try Self.audit(db, action: action, actor: actor, subject: subject, details: details, now: now) }
    }

    /// The most recent entries, newest first.
    public func auditEntries(limit: Int) throws(StoreError) -> [AuditEntry] {
        try read { db in
            try AuditRow.order(Column("id").desc).limit(max(0, limit)).fetchAll(db).map { row in try row.entry() }
        }
    }

    /// The newest entry for an action on a subject ("template.activated" on "template:vip").
    public func latestAuditEntry(action: String, subject: String) throws(StoreError) -> AuditEntry? {
        try read { db in
            try AuditRow.filter(Column("action") == action && Column("subject") == subject)
                .order(Column("id").desc).fetchOne(db)?.entry()
        }
    }

    /// Inside a caller's transaction, so the entry commits with the action it records.
    static func audit(
        _ db: Database, action: String, actor: String, subject: String, details: [String: String],
        now: Date
    ) throws -> AuditEntry {
        guard !action.isEmpty, !actor.isEmpty, !subject.isEmpty else {
            throw StoreError(.invalidValue, "an audit entry needs an action, an actor and a subject")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var row = AuditRow(
            at: now, action: action, actor: actor, subject: subject,
            details: String(decoding: try encoder.encode(details), as: UTF8.self))
        try row.insert(db)
        return try AuditRow.fetchOne(db, key: row.id)?.entry() ?? row.entry()
    }
}
