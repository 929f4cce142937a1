public import Foundation
internal import GRDB
public import LanyardSupport

/// What an operator decided about a job parked in manual review. The job itself stays in
/// `manualReview` (terminal states never change, so its history stays true); the decision is
/// recorded beside it, audited, and takes the job off the open review queue.
public enum ReviewDecision: String, Sendable, Codable, CaseIterable {
    /// The operator saw the badge come out: nothing more to print.
    case printed
    /// The badge did not come out (or came out spoiled): print it again, as an audited reprint.
    case reprint
    /// Nothing is to be printed (the attendee left, the request was a mistake).
    case dismissed
}

/// A decision taken on a job in manual review.
public struct ReviewRecord: Sendable, Equatable {
    public var jobID: Int64
    public var decision: ReviewDecision
    public var actor: String
    public var reason: String
    public var decidedAt: Date
    /// The reprint job a `reprint` decision created.
    public var reprintJobID: Int64?
}

struct ReviewRow: Codable, FetchableRecord, PersistableRecord, StoredDateRecord {
    static let databaseTableName = "manual_review_decision"

    var jobID: Int64
    var decision: String
    var actor: String
    var reason: String
    var decidedAt: Date
    var reprintJobID: Int64?

    enum CodingKeys: String, CodingKey {
        case jobID = "job_id", decision, actor, reason, decidedAt = "decided_at", reprintJobID = "reprint_job_id"
    }
}

extension LanyardStore {
    /// Jobs in manual review that no operator has decided on yet, oldest first: the queue an
    /// operator works through. Each carries its diagnostic (why it is there, as JSON).
    public func openManualReviews(limit: Int) throws(StoreError) -> [PrintJob] {
        try read { db in
            let rows = try JobRow.fetchAll(
                db,
                sql: """
                    SELECT print_job.* FROM print_job
                    LEFT JOIN manual_review_decision d ON d.job_id = print_job.id
                    WHERE print_job.state = ? AND d.job_id IS NULL
                    ORDER BY print_job.updated_at, print_job.id
                    LIMIT ?
                    """, arguments: [JobState.manualReview.rawValue, max(0, limit)])
            return try Self.jobs(db, rows: rows)
        }
    }

    /// The decision taken on a job, if any.
    public func reviewDecision(jobID: Int64) throws(StoreError) -> ReviewRecord? {
        try read { db in try ReviewRow.fetchOne(db, key: jobID).flatMap(Self.record) }
    }

    /// Records an operator's decision on a job in manual review, with its audit entry and, for
    /// `reprint`, the reprint job, all in one transaction. A job is decided once: a second
    /// decision is refused (`invalidTransition`), so two operators cannot both reprint it.
    public func decideManualReview(
        jobID: Int64, decision: ReviewDecision, actor: String, reason: String,
        now: Date = Date()
    ) throws(StoreError) -> (record: ReviewRecord, reprint: PrintJob?) {
        guard !actor.isEmpty, !reason.isEmpty else { throw StoreError(.invalidValue, "a review decision needs an actor and a reason") }
        return try write { db in
            let job = try Self.existingJob(db, id: jobID)
            guard job.state == .manualReview else {
                throw StoreError(.invalidTransition, "job \(jobID) is \(job.state.rawValue), not in manual review")
            }
            if let earlier = try ReviewRow.fetchOne(db, key: jobID) {
                throw StoreError(.invalidTransition, "job \(jobID) was already decided (\(earlier.decision) by \(earlier.actor))")
            }
            var reprint: PrintJob?
            if decision == .reprint {
                switch try Self.insertReprint(
                    db, of: jobID, idempotencyKey: "review:\(jobID)", actor: actor, reason: reason,
                    printerID: nil, now: now)
                {
                case .accepted(let created), .duplicate(let created): reprint = created
                }
            }
            let row = ReviewRow(
                jobID: jobID, decision: decision.rawValue, actor: actor, reason: reason, decidedAt: now,
                reprintJobID: reprint?.id)
            try row.insert(db)
            var details = ["decision": decision.rawValue, "reason": reason, "attempts": String(job.attempts)]
            details["reprint_job"] = reprint.map { String($0.id) }
            _ = try Self.audit(db, action: "job.review", actor: actor, subject: "job:\(jobID)", details: details, now: now)
            return (
                ReviewRecord(
                    jobID: jobID, decision: decision, actor: actor, reason: reason, decidedAt: now,
                    reprintJobID: reprint?.id), reprint
            )
        }
    }

    private static func record(_ row: ReviewRow) -> ReviewRecord? {
        ReviewDecision(rawValue: row.decision).map {
            ReviewRecord(
                jobID: row.jobID, decision: $0, actor: row.actor, reason: row.reason, decidedAt: row.decidedAt,
                reprintJobID: row.reprintJobID)
        }
    }
}
