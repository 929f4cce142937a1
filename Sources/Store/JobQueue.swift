public import Foundation
internal import GRDB
public import LanyardSupport

/// The spool: accepting jobs, handing them to a printer's worker, and recording what happened.
/// Every method is one transaction, durable when it returns (WAL, `synchronous = FULL`).
extension LanyardStore {
    /// Spools a job, or returns the one already spooled under its idempotency key (whatever its
    /// state): a client retrying after a lost answer never causes a second badge.
    ///
    /// Backpressure: refused with `.queueFull` when the printer already has `maxQueued`
    /// unfinished jobs (queued, sending or sent). A duplicate is answered even then.
    public func enqueue(_ job: NewPrintJob, maxQueued: Int, now: Date = Date()) throws(StoreError) -> EnqueueResult {
        guard !job.idempotencyKey.isEmpty else { throw StoreError(.invalidValue, "a print job needs an idempotency key") }
        guard !job.printerID.isEmpty else { throw StoreError(.invalidValue, "a print job needs a printer id") }
        guard maxQueued > 0 else { throw StoreError(.invalidValue, "the queue bound must be at least 1, not \(maxQueued)") }
        return try write { db in
            if let existing = try JobRow.filter(JobRow.Columns.idempotencyKey == job.idempotencyKey).fetchOne(db) {
                return .duplicate(try Self.jobs(db, rows: [existing])[0])
            }
            let depth = try Self.queueDepth(db, printerID: job.printerID)
            guard depth < maxQueued else {
                throw StoreError(.queueFull, "printer '\(job.printerID)' already has \(depth) unfinished jobs (limit \(maxQueued))")
            }
            let id = try Self.insertJob(db, job, reprintOf: nil, now: now, note: "enqueued")
            return .accepted(try Self.existingJob(db, id: id))
        }
    }

    /// Hands the printer's worker its next job: of the queued ones whose retry time (if any) has
    /// come, the highest priority, then the oldest, moved to `sending` with its attempt counted, in one transaction so two workers
    /// can never claim the same job. Nil when nothing is due. The store does not hold back a claim
    /// while another job of the printer is in flight: one worker per printer, sending one job at
    /// a time, is the agent's rule.
    public func claimNextJob(printerID: String, now: Date = Date()) throws(StoreError) -> PrintJob? {
        try write { db in
            let due = JobRow.Columns.nextAttemptAt == nil || JobRow.Columns.nextAttemptAt <= StoredDate(now)
            guard
                let row =
                    try JobRow
                    .filter(JobRow.Columns.printerID == printerID && JobRow.Columns.state == JobState.queued.rawValue && due)
                    .order(JobRow.Columns.priority.desc, JobRow.Columns.id)
                    .fetchOne(db), let id = row.id
            else { return nil }
            return try Self.move(db, id: id, to: .sending, now: now, note: "attempt \(row.attempts + 1)") { job in
                job.attempts += 1
                job.nextAttemptAt = nil
            }
        }
    }

    /// The printer accepted every byte. The template that rendered the badge is recorded here,
    /// because rendering happens after the claim.
    @discardableResult
    public func markSent(
        id: Int64, templateTier: String? = nil, templateVersion: String? = nil, templateRelease: String? = nil,
        now: Date = Date()
    ) throws(StoreError) -> PrintJob {
        try move(id, to: .sent, now: now, note: nil) { job in
            job.templateTier = templateTier ?? job.templateTier
            job.templateVersion = templateVersion ?? job.templateVersion
            job.templateRelease = templateRelease ?? job.templateRelease
        }
    }

    /// The printer's status confirmed the badge.
    @discardableResult
    public func markPrinted(id: Int64, note: String? = nil, now: Date = Date()) throws(StoreError) -> PrintJob {
        try move(id, to: .printed, now: now, note: note)
    }

    /// Puts a job that failed before any byte reached the printer back in the queue, not to be
    /// claimed before `nextAttempt`. Only from `sending`: a job whose bytes were all accepted
    /// (`sent`) may have printed and is never re-queued.
    @discardableResult
    public func scheduleRetry(id: Int64, error: String, at nextAttempt: Date, now: Date = Date()) throws(StoreError) -> PrintJob {
        try move(id, to: .queued, now: now, note: error) { job in
            job.lastError = error
            job.nextAttemptAt = nextAttempt
        }
    }

    /// Parks a job whose outcome is unknown for an operator; `diagnostic` (JSON) says what is known.
    @discardableResult
    public func moveToManualReview(
        id: Int64, diagnostic: Data, note: String? = nil,
        now: Date = Date()
    ) throws(StoreError) -> PrintJob {
        do {
            _ = try JSONSerialization.jsonObject(with: diagnostic, options: [.fragmentsAllowed])
        } catch {
            throw StoreError(.invalidValue, "the diagnostic of job \(id) is not JSON", underlying: error)
        }
        return try move(id, to: .manualReview, now: now, note: note) { job in
            job.diagnostic = diagnostic
            if let note { job.lastError = note }
        }
    }

    /// Withdraws a job that has not started sending.
    @discardableResult
    public func cancel(id: Int64, reason: String, now: Date = Date()) throws(StoreError) -> PrintJob {
        try move(id, to: .cancelled, now: now, note: reason)
    }

    /// Gives up on a job that can never succeed as given, keeping its request as a dead letter;
    /// both happen in one transaction.
    @discardableResult
    public func moveToDeadLetters(
        id: Int64, stage: PipelineStage, code: String, reason: String, fieldPath: String? = nil,
        now: Date = Date()
    ) throws(StoreError) -> (job: PrintJob, deadLetter: DeadLetter) {
        try write { db in
            let job = try Self.move(db, id: id, to: .deadLettered, now: now, note: "\(code): \(reason)") { job in
                job.lastError = reason
            }
            let letter = try Self.deadLetter(
                db, payload: job.payload, stage: stage, code: code, reason: reason,
                fieldPath: fieldPath, correlationID: job.correlationID, jobID: id, now: now)
            return (job, letter)
        }
    }

    /// An operator's explicit request to print a finished job's badge again: a new job with the
    /// original's request, pointing at the original (the first job, also when reprinting a
    /// reprint, so counts add up per badge), counted and written to the audit trail in the same
    /// transaction. `idempotencyKey` is the reprint request's own key, so a double click prints
    /// one extra badge, not two. Reprints skip the queue bound: they are rare and deliberate.
    public func enqueueReprint(
        of originalID: Int64, idempotencyKey: String, actor: String, reason: String,
        printerID: String? = nil, now: Date = Date()
    ) throws(StoreError) -> EnqueueResult {
        guard !idempotencyKey.isEmpty else { throw StoreError(.invalidValue, "a reprint needs its own idempotency key") }
        guard !actor.isEmpty, !reason.isEmpty else { throw StoreError(.invalidValue, "a reprint needs an actor and a reason") }
        if let printerID, printerID.isEmpty { throw StoreError(.invalidValue, "the reprint's printer id is empty") }
        return try write { db in
            try Self.insertReprint(
                db, of: originalID, idempotencyKey: idempotencyKey, actor: actor, reason: reason,
                printerID: printerID, now: now)
        }
    }

    /// How many reprints the badge of this job had (counted from its first job).
    public func reprintCount(of id: Int64) throws(StoreError) -> Int {
        try read { db in
            let job = try Self.existingJob(db, id: id)
            return try Self.reprintCount(db, root: job.reprintOf ?? job.id)
        }
    }

    // MARK: - Inside a transaction

    /// `enqueueReprint` inside a caller's transaction (a manual-review decision reprints and
    /// records the decision together).
    static func insertReprint(
        _ db: Database, of originalID: Int64, idempotencyKey: String, actor: String, reason: String,
        printerID: String?, now: Date
    ) throws -> EnqueueResult {
        if let existing = try JobRow.filter(JobRow.Columns.idempotencyKey == idempotencyKey).fetchOne(db) {
            return .duplicate(try jobs(db, rows: [existing])[0])
        }
        let original = try existingJob(db, id: originalID)
        guard original.state.isTerminal else {
            throw StoreError(.jobNotFinished, "job \(originalID) is still \(original.state.rawValue); it needs no reprint")
        }
        let root = original.reprintOf ?? original.id
        let request = NewPrintJob(
            idempotencyKey: idempotencyKey, correlationID: original.correlationID,
            attendeeID: original.attendeeID, printerID: printerID ?? original.printerID,
            payload: original.payload, priority: original.priority)
        let id = try insertJob(db, request, reprintOf: root, now: now, note: "reprint of job \(originalID) by \(actor)")
        let count = try reprintCount(db, root: root)
        var details = [
            "original_job": String(originalID), "first_job": String(root), "reprint_number": String(count),
            "printer_id": request.printerID, "reason": reason,
        ]
        details["attendee_id"] = original.attendeeID
        _ = try audit(db, action: "job.reprint", actor: actor, subject: "job:\(id)", details: details, now: now)
        return .accepted(try existingJob(db, id: id))
    }

    func move(
        _ id: Int64, to target: JobState, now: Date, note: String?,
        _ change: (inout JobRow) -> Void = { _ in }
    ) throws(StoreError) -> PrintJob {
        try write { db in try Self.move(db, id: id, to: target, now: now, note: note, change) }
    }

    /// The one place a job's state changes: checks the transition, applies `change`, appends the
    /// history entry and, for a terminal state, the outcome for the registry.
    static func move(
        _ db: Database, id: Int64, to target: JobState, now: Date, note: String?,
        _ change: (inout JobRow) -> Void = { _ in }
    ) throws -> PrintJob {
        guard var row = try JobRow.fetchOne(db, key: id) else { throw StoreError(.notFound, "there is no print job \(id)") }
        let from = row.state
        guard from.canMove(to: target) else {
            throw StoreError(
                .invalidTransition, "job \(id) cannot go from \(from.rawValue) to \(target.rawValue)",
                transition: StoreError.Transition(from: from, to: target))
        }
        row.state = target
        row.updatedAt = now
        change(&row)
        try row.update(db)
        var transition = TransitionRow(jobID: id, from: from, to: target, at: now, note: note)
        try transition.insert(db)
        if target.isTerminal {
            let outcome = JobOutcome(
                jobID: id, idempotencyKey: row.idempotencyKey, correlationID: row.correlationID,
                attendeeID: row.attendeeID, printerID: row.printerID, state: target,
                attempts: row.attempts, templateTier: row.templateTier,
                templateVersion: row.templateVersion, reprintOf: row.reprintOf, finishedAt: now)
            _ = try appendOutbox(db, kind: JobOutcome.outboxKind, payload: try outcome.encoded(), now: now)
        }
        return try existingJob(db, id: id)
    }

    static func insertJob(_ db: Database, _ job: NewPrintJob, reprintOf: Int64?, now: Date, note: String) throws -> Int64 {
        var row = JobRow(
            idempotencyKey: job.idempotencyKey, correlationID: job.correlationID, attendeeID: job.attendeeID,
            printerID: job.printerID, state: .queued, payload: job.payload, attempts: 0, reprintOf: reprintOf,
            priority: job.priority.rank, createdAt: now, updatedAt: now)
        try row.insert(db)
        guard let id = row.id else { throw StoreError(.queryFailed, "the new print job got no id") }
        var transition = TransitionRow(jobID: id, from: nil, to: .queued, at: now, note: note)
        try transition.insert(db)
        return id
    }

    static func queueDepth(_ db: Database, printerID: String) throws -> Int {
        try JobRow
            .filter(JobRow.Columns.printerID == printerID && JobState.unfinished.map(\.rawValue).contains(JobRow.Columns.state))
            .fetchCount(db)
    }

    static func reprintCount(_ db: Database, root: Int64) throws -> Int {
        try JobRow.filter(JobRow.Columns.reprintOf == root).fetchCount(db)
    }
}
