public import Foundation
internal import GRDB

extension LanyardStore {
    /// Hands a queued job to another printer (its printer out of paper too long, an operator's
    /// move): only while it is `queued`, never once sending has begun, and with its idempotency
    /// key, so the badge still prints once. The job's history and the audit trail say from
    /// where, to where and why, in the same transaction.
    @discardableResult
    public func reassign(
        id: Int64, to printerID: String, actor: String, reason: String, now: Date = Date()
    ) throws(StoreError) -> PrintJob {
        guard !printerID.isEmpty else { throw StoreError(.invalidValue, "a job moves to a named printer") }
        return try write { db in try Self.reassign(db, id: id, to: printerID, actor: actor, reason: reason, now: now) }
    }

    static func reassign(_ db: Database, id: Int64, to printerID: String, actor: String, reason: String, now: Date) throws -> PrintJob {
        guard var row = try JobRow.fetchOne(db, key: id) else { throw StoreError(.notFound, "there is no print job \(id)") }
        guard row.state == .queued else {
            throw StoreError(
                .invalidTransition, "job \(id) is \(row.state.rawValue); only a queued job moves to another printer",
                transition: StoreError.Transition(from: row.state, to: .queued))
        }
        let from = row.printerID
        guard from != printerID else { return try Self.existingJob(db, id: id) }
        row.printerID = printerID
        row.updatedAt = now
        try row.update(db)
        var transition = TransitionRow(
            jobID: id, from: .queued, to: .queued, at: now, note: "moved from \(from) to \(printerID): \(reason)")
        try transition.insert(db)
        _ = try Self.audit(
            db, action: "job.moved", actor: actor, subject: "job:\(id)",
            details: ["from": from, "to": printerID, "reason": reason], now: now)
        return try Self.existingJob(db, id: id)
    }

    /// A printer's queued jobs, oldest first: what a hand-over moves.
    public func queuedJobs(printerID: String, limit: Int = 1000) throws(StoreError) -> [PrintJob] {
        try read { db in
            let rows = try JobRow.filter(JobRow.Columns.printerID == printerID && JobRow.Columns.state == JobState.queued.rawValue)
                .order(JobRow.Columns.id).limit(max(0, limit)).fetchAll(db)
            return try Self.jobs(db, rows: rows)
        }
    }
}
