public import Foundation
internal import GRDB

/// Where a badge printed off the box went, as the handing agent records it: the destination,
/// whether an offer to a peer may have reached it without an answer, the remote job (the peer's
/// job id, the IPP printer's job id), its last known state, and where and when it printed.
public struct DestinationRecord: Sendable, Equatable {
    public var jobID: Int64
    public var destination: String
    /// An offer was sent to a peer and no answer came back: the peer may hold the job, so the
    /// job goes nowhere else until the peer confirms a withdrawal (docs/handover.md).
    public var offerUncertain: Bool
    public var remoteRef: String?
    public var remoteState: String?
    /// The remote printer that printed it (the peer's printer id, the IPP printer's name).
    public var remotePlace: String?
    public var printedAt: Date?
    public var updatedAt: Date
}

/// What a peer's offer became on the receiving agent.
public enum HandoverReceipt: Sendable, Equatable {
    /// A new job on this agent's queue.
    case accepted(PrintJob)
    /// The key is known here: the job it already made, in whatever state.
    case duplicate(PrintJob)
    /// The handing agent withdrew this key before its offer arrived: no job is made.
    case withdrawn
}

/// A withdrawal's answer on the receiving agent.
public enum HandoverWithdrawal: Sendable, Equatable {
    /// Nothing of this key will print here: its queued job was cancelled, or no job had been
    /// made and a late offer will be refused.
    case withdrawn
    /// The job has started (or finished) here and stays: the handing agent follows it.
    case kept(PrintJob)
}

extension LanyardStore {
    // MARK: - The handing agent

    public func destinationRecord(jobID: Int64) throws(StoreError) -> DestinationRecord? {
        try read { db in try Self.destinationRecord(db, jobID: jobID) }
    }

    /// Before an offer leaves: the peer may hold the job from now on until it answers.
    public func recordOffer(jobID: Int64, destination: String, now: Date = Date()) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: """
                    INSERT INTO job_destination (job_id, destination, offer_uncertain, updated_at) VALUES (?, ?, 1, ?)
                    ON CONFLICT(job_id) DO UPDATE SET destination = excluded.destination, offer_uncertain = 1,
                        remote_ref = NULL, remote_state = NULL, remote_place = NULL, printed_at = NULL, updated_at = excluded.updated_at
                    """, arguments: [jobID, destination, StoredDate(now)])
        }
    }

    /// The request certainly did not reach the destination (no connection was made), or the
    /// destination confirmed a withdrawal: the job is free to go elsewhere.
    public func clearOffer(jobID: Int64, now: Date = Date()) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE job_destination SET offer_uncertain = 0, updated_at = ? WHERE job_id = ?",
                arguments: [StoredDate(now), jobID])
        }
    }

    /// The destination took the job (`sending` -> `sent`): its own reference is kept beside it,
    /// in the same transaction.
    @discardableResult
    public func markHandedOver(
        id: Int64, destination: String, remoteRef: String, remoteState: String, note: String, now: Date = Date()
    ) throws(StoreError) -> PrintJob {
        try write { db in
            let job = try Self.move(db, id: id, to: .sent, now: now, note: note)
            try db.execute(
                sql: """
                    INSERT INTO job_destination (job_id, destination, offer_uncertain, remote_ref, remote_state, updated_at)
                    VALUES (?, ?, 0, ?, ?, ?)
                    ON CONFLICT(job_id) DO UPDATE SET destination = excluded.destination, offer_uncertain = 0,
                        remote_ref = excluded.remote_ref, remote_state = excluded.remote_state, updated_at = excluded.updated_at
                    """, arguments: [id, destination, remoteRef, remoteState, StoredDate(now)])
            return job
        }
    }

    /// The last state the destination reported for a job it holds.
    public func recordRemoteState(jobID: Int64, state: String, now: Date = Date()) throws(StoreError) {
        try write { db in
            try db.execute(
                sql: "UPDATE job_destination SET remote_state = ?, updated_at = ? WHERE job_id = ? AND remote_state IS NOT ?",
                arguments: [state, StoredDate(now), jobID, state])
        }
    }

    /// The destination confirmed the badge: printed, where and when, in one transaction.
    @discardableResult
    public func markPrintedAway(
        id: Int64, place: String?, printedAt: Date, note: String, now: Date = Date()
    ) throws(StoreError) -> PrintJob {
        try write { db in
            let job = try Self.move(db, id: id, to: .printed, now: now, note: note)
            try db.execute(
                sql: """
                    UPDATE job_destination SET remote_state = 'printed', remote_place = ?, printed_at = ?, updated_at = ?
                    WHERE job_id = ?
                    """, arguments: [place, StoredDate(printedAt), StoredDate(now), id])
            return job
        }
    }

    /// A job a destination holds back (`sending` after a withdrawal it confirmed) goes on to
    /// `printerID`, queued again, with the move in its history and the audit trail.
    @discardableResult
    public func takeBack(
        id: Int64, to printerID: String, actor: String, reason: String, now: Date = Date()
    ) throws(StoreError)
        -> PrintJob
    {
        try write { db in
            guard let row = try JobRow.fetchOne(db, key: id) else { throw StoreError(.notFound, "there is no print job \(id)") }
            if row.state == .sending {
                _ = try Self.move(db, id: id, to: .queued, now: now, note: "withdrawn from \(row.printerID)") { job in
                    job.nextAttemptAt = nil
                }
            }
            try db.execute(sql: "DELETE FROM job_destination WHERE job_id = ?", arguments: [id])
            return try Self.reassign(db, id: id, to: printerID, actor: actor, reason: reason, now: now)
        }
    }

    /// A destination's jobs in the given states, oldest first: what its worker resumes.
    public func jobs(printerID: String, in states: [JobState], limit: Int = 1000) throws(StoreError) -> [PrintJob] {
        try read { db in
            let rows = try JobRow.filter(JobRow.Columns.printerID == printerID && states.map(\.rawValue).contains(JobRow.Columns.state))
                .order(JobRow.Columns.id).limit(max(0, limit)).fetchAll(db)
            return try Self.jobs(db, rows: rows)
        }
    }

    /// Every job not finished yet, oldest first: what the deadline looks at.
    public func unfinishedJobs(limit: Int = 5000) throws(StoreError) -> [PrintJob] {
        try read { db in
            let rows = try JobRow.filter(JobState.unfinished.map(\.rawValue).contains(JobRow.Columns.state))
                .order(JobRow.Columns.id).limit(max(0, limit)).fetchAll(db)
            return try Self.jobs(db, rows: rows)
        }
    }

    // MARK: - The receiving agent

    /// A peer's offer: a job under the peer's idempotency key, recorded as handed over by `from`,
    /// in one transaction, durable before the peer is answered. A key already known answers with
    /// its job; a key the peer withdrew answers `withdrawn` and makes nothing.
    public func receiveHandover(
        _ job: NewPrintJob, from: String, maxQueued: Int, now: Date = Date()
    ) throws(StoreError)
        -> HandoverReceipt
    {
        guard !from.isEmpty else { throw StoreError(.invalidValue, "a handed-over job names the agent it came from") }
        return try write { db in
            if try Row.fetchOne(db, sql: "SELECT 1 FROM peer_withdrawal WHERE idempotency_key = ?", arguments: [job.idempotencyKey])
                != nil
            {
                return .withdrawn
            }
            if let existing = try JobRow.filter(JobRow.Columns.idempotencyKey == job.idempotencyKey).fetchOne(db) {
                return .duplicate(try Self.jobs(db, rows: [existing])[0])
            }
            let depth = try Self.queueDepth(db, printerID: job.printerID)
            guard depth < maxQueued else {
                throw StoreError(.queueFull, "printer '\(job.printerID)' already has \(depth) unfinished jobs (limit \(maxQueued))")
            }
            let id = try Self.insertJob(db, job, reprintOf: nil, now: now, note: "handed over by \(from)")
            try db.execute(
                sql: "INSERT INTO peer_receipt (job_id, from_agent, received_at) VALUES (?, ?, ?)",
                arguments: [id, from, StoredDate(now)])
            return .accepted(try Self.existingJob(db, id: id))
        }
    }

    /// The handing agent takes its offer back: a job still queued here is cancelled; a key never
    /// seen is remembered, so its offer, if still on its way, makes nothing.
    public func withdrawHandover(idempotencyKey: String, from: String, now: Date = Date()) throws(StoreError) -> HandoverWithdrawal {
        try write { db in
            if let row = try JobRow.filter(JobRow.Columns.idempotencyKey == idempotencyKey).fetchOne(db), let id = row.id {
                guard row.state == .queued || row.state == .cancelled else { return .kept(try Self.existingJob(db, id: id)) }
                if row.state == .queued {
                    _ = try Self.move(db, id: id, to: .cancelled, now: now, note: "withdrawn by \(from), which prints it elsewhere")
                }
                return .withdrawn
            }
            try db.execute(
                sql: "INSERT OR IGNORE INTO peer_withdrawal (idempotency_key, from_agent, withdrawn_at) VALUES (?, ?, ?)",
                arguments: [idempotencyKey, from, StoredDate(now)])
            return .withdrawn
        }
    }

    /// Whether `idempotencyKey` was withdrawn before any job was made for it.
    public func handoverWithdrawn(idempotencyKey: String) throws(StoreError) -> Bool {
        try read { db in
            try Row.fetchOne(db, sql: "SELECT 1 FROM peer_withdrawal WHERE idempotency_key = ?", arguments: [idempotencyKey]) != nil
        }
    }

    /// The peer that handed this job over, or nil for a job of this agent's own.
    public func handedOverBy(jobID: Int64) throws(StoreError) -> String? {
        try read { db in
            try String.fetchOne(db, sql: "SELECT from_agent FROM peer_receipt WHERE job_id = ?", arguments: [jobID])
        }
    }

    // MARK: - Inside a transaction

    static func destinationRecord(_ db: Database, jobID: Int64) throws -> DestinationRecord? {
        guard
            let row = try Row.fetchOne(
                db,
                sql: """
                    SELECT job_id, destination, offer_uncertain, remote_ref, remote_state, remote_place, printed_at, updated_at
                    FROM job_destination WHERE job_id = ?
                    """, arguments: [jobID])
        else { return nil }
        let printedAt: StoredDate? = row["printed_at"]
        let updatedAt: StoredDate? = row["updated_at"]
        return DestinationRecord(
            jobID: row["job_id"], destination: row["destination"], offerUncertain: (row["offer_uncertain"] as Int) != 0,
            remoteRef: row["remote_ref"], remoteState: row["remote_state"], remotePlace: row["remote_place"],
            printedAt: printedAt?.date, updatedAt: updatedAt?.date ?? Date(timeIntervalSince1970: 0))
    }
}

extension PrintJob {
    /// When the job arrived where it waits now: its acceptance, or its last move (a move is the
    /// only `queued` -> `queued` entry of a history). The chain's deadline counts from here.
    public var arrivedAt: Date {
        history.last { $0.from == .queued && $0.to == .queued }?.at ?? createdAt
    }
}
