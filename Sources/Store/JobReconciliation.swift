public import Foundation
internal import GRDB

extension LanyardStore {
    static let interruptedWhileSending = "interrupted while sending; it may have printed in part or whole"
    static let acceptedBeforeRestart = "all bytes were accepted before the restart; not re-sent"

    /// Settles the jobs a crash or power cut left in flight. Call once at startup, before any
    /// worker claims a job. Nothing is ever re-queued, because the first invariant of the spool
    /// is that a badge is never printed twice without an operator asking:
    ///
    /// - `sending` -> `manualReview`: some bytes may have reached the printer, so the badge may
    ///   exist in part or whole; only a person at the printer can tell, and an explicit reprint
    ///   is the way to a second copy.
    /// - `sent` -> `printed`: the printer accepted every byte before the restart, and a printer
    ///   that holds a complete label format prints it (a paper-out pauses it; it does not lose
    ///   it). Only the status confirmation was missed, so the job counts as printed and is not
    ///   sent again.
    ///
    /// Both moves, their history entries and their outcome reports commit in one transaction.
    ///
    /// Jobs at a destination off the box (`resumedBy`: a peer kiosk, an IPP printer) are left as
    /// they are: their worker asks the destination what became of each and resumes from there.
    public func reconcileInterruptedJobs(
        resumedBy destinations: Set<String> = [], now: Date = Date()
    ) throws(StoreError)
        -> [ReconciledJob]
    {
        try write { db in
            let rows =
                try JobRow
                .filter([JobState.sending.rawValue, JobState.sent.rawValue].contains(JobRow.Columns.state))
                .order(JobRow.Columns.id)
                .fetchAll(db)
                .filter { !destinations.contains($0.printerID) }
            var reconciled: [ReconciledJob] = []
            for row in rows {
                guard let id = row.id else { continue }
                switch row.state {
                case .sending:
                    let diagnostic = try Self.interruptionDiagnostic(row, now: now)
                    let job = try Self.move(db, id: id, to: .manualReview, now: now, note: Self.interruptedWhileSending) { job in
                        job.diagnostic = diagnostic
                        job.lastError = Self.interruptedWhileSending
                    }
                    reconciled.append(ReconciledJob(job: job, from: .sending, note: Self.interruptedWhileSending))
                case .sent:
                    let job = try Self.move(db, id: id, to: .printed, now: now, note: Self.acceptedBeforeRestart)
                    reconciled.append(ReconciledJob(job: job, from: .sent, note: Self.acceptedBeforeRestart))
                case .queued, .printed, .manualReview, .deadLettered, .cancelled:
                    continue
                }
            }
            return reconciled
        }
    }

    private static func interruptionDiagnostic(_ row: JobRow, now: Date) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try encoder.encode([
            "reason": interruptedWhileSending,
            "state_at_restart": JobState.sending.rawValue,
            "attempts": String(row.attempts),
            "printer_id": row.printerID,
            "interrupted_since": row.updatedAt.formatted(.iso8601),
            "reconciled_at": now.formatted(.iso8601),
        ])
    }
}
