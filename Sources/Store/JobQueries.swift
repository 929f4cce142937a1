internal import GRDB
public import LanyardSupport

/// Read-only views of the spool, for the API, the kiosk pages and metrics.
extension LanyardStore {
    public func job(id: Int64) throws(StoreError) -> PrintJob? {
        try read { db in try Self.job(db, id: id) }
    }

    public func job(idempotencyKey: String) throws(StoreError) -> PrintJob? {
        try read { db in
            let rows = try JobRow.filter(JobRow.Columns.idempotencyKey == idempotencyKey).fetchAll(db)
            return try Self.jobs(db, rows: rows).first
        }
    }

    /// Jobs in one state, oldest first.
    public func jobs(in state: JobState, limit: Int) throws(StoreError) -> [PrintJob] {
        try read { db in
            let rows = try JobRow.filter(JobRow.Columns.state == state.rawValue)
                .order(JobRow.Columns.id)
                .limit(max(0, limit))
                .fetchAll(db)
            return try Self.jobs(db, rows: rows)
        }
    }

    /// Whether any badge of the attendee printed (the reprint policy: a second one needs staff).
    public func hasPrintedBadge(attendeeID: String) throws(StoreError) -> Bool {
        try read { db in
            try JobRow.filter(JobRow.Columns.attendeeID == attendeeID && JobRow.Columns.state == JobState.printed.rawValue)
                .fetchCount(db) > 0
        }
    }

    /// A printer's unfinished jobs (queued, sending, sent): what the queue bound counts.
    public func queueDepth(printerID: String) throws(StoreError) -> Int {
        try read { db in try Self.queueDepth(db, printerID: printerID) }
    }

    /// How many jobs are in each state, every state present (zero included) for metrics.
    public func stateCounts() throws(StoreError) -> [JobState: Int] {
        try read { db in
            var counts = Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) })
            let rows = try Row.fetchAll(db, sql: "SELECT state, COUNT(*) AS n FROM print_job GROUP BY state")
            for row in rows {
                let name: String = row["state"]
                guard let state = JobState(rawValue: name) else {
                    throw StoreError(.corruptRecord, "unknown job state '\(name)' in the database")
                }
                counts[state] = row["n"]
            }
            return counts
        }
    }
}

extension LanyardStore {
    /// The newest jobs, in one state or in any, newest first: what an operator scans for.
    public func recentJobs(state: JobState?, limit: Int) throws(StoreError) -> [PrintJob] {
        try read { db in
            var request = JobRow.order(JobRow.Columns.id.desc).limit(max(0, limit))
            if let state { request = request.filter(JobRow.Columns.state == state.rawValue) }
            return try Self.jobs(db, rows: try request.fetchAll(db))
        }
    }
}
