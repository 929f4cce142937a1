public import Attendees
public import Foundation
internal import GRDB

/// A check-in made here, with the row id a list of them pages by.
public struct ListedCheckIn: Sendable, Equatable {
    public var id: Int64
    public var checkIn: LocalCheckIn

    public init(id: Int64, checkIn: LocalCheckIn) {
        self.id = id
        self.checkIn = checkIn
    }
}

/// How the jobs that finished within one interval ended.
public struct OutcomeBucket: Sendable, Equatable {
    /// The interval is `start ..< start + bucket length`.
    public var start: Date
    public var printed = 0
    public var deadLettered = 0
    public var manualReview = 0

    public init(start: Date, printed: Int = 0, deadLettered: Int = 0, manualReview: Int = 0) {
        self.start = start
        self.printed = printed
        self.deadLettered = deadLettered
        self.manualReview = manualReview
    }

    /// Printed over every job that ended (printed, dead-lettered or sent to manual review); nil
    /// when none did, which is no failure.
    public var successRatio: Double? {
        let ended = printed + deadLettered + manualReview
        return ended == 0 ? nil : Double(printed) / Double(ended)
    }
}

/// What the operator page reads: the check-ins made here, the attendees named on its lists and
/// how jobs ended over time.
extension LanyardStore {
    /// Check-ins made at this kiosk, the latest recorded first; `before` continues a list from
    /// the id of the last one seen.
    public func recentCheckIns(limit: Int, before: Int64? = nil) throws(StoreError) -> [ListedCheckIn] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT attendee_id, event_slug, kiosk_id, nonce, scanned_at_ms, recorded_at, id FROM check_in
                    WHERE id < ? ORDER BY id DESC LIMIT ?
                    """, arguments: [before ?? Int64.max, max(0, limit)]
            ).map { row in ListedCheckIn(id: row[6], checkIn: Self.localCheckIn(row)) }
        }
    }

    /// The cached attendees among `ids` (an id no longer cached is left out).
    public func attendees(ids: some Collection<String>) throws(StoreError) -> [String: Attendee] {
        let unique = Array(Set(ids))
        guard !unique.isEmpty else { return [:] }
        return try read { db in
            let placeholders = Array(repeating: "?", count: unique.count).joined(separator: ", ")
            let rows = try Row.fetchAll(
                db, sql: "SELECT attendee_id, record FROM attendee WHERE attendee_id IN (\(placeholders))",
                arguments: StatementArguments(unique))
            var found: [String: Attendee] = [:]
            for row in rows { found[row[0]] = try Self.decodeAttendee(row[1]) }
            return found
        }
    }

    /// How the jobs that ended in `count` consecutive intervals of `bucketSeconds` from `start`
    /// ended, one bucket per interval (empty ones included), oldest first. A job ends when it
    /// enters a terminal state, and a terminal state never changes, so its `updated_at` is when
    /// it ended. The bucket is worked out in whole milliseconds (stored instants have no finer
    /// part), so a job that ended exactly on a boundary counts in the bucket that starts there.
    public func jobOutcomes(from start: Date, bucketSeconds: Int, count: Int) throws(StoreError) -> [OutcomeBucket] {
        guard bucketSeconds > 0, count > 0 else { return [] }
        let startMilliseconds = ScanTime.milliseconds(start)
        let bucketMilliseconds = Int64(bucketSeconds) * 1000
        let end = ScanTime.date(milliseconds: startMilliseconds + bucketMilliseconds * Int64(count))
        var buckets = (0..<count).map {
            OutcomeBucket(start: ScanTime.date(milliseconds: startMilliseconds + bucketMilliseconds * Int64($0)))
        }
        let rows = try read { db in
            // julianday() holds an instant as whole milliseconds and returns it as days; rounding
            // the product gives those milliseconds back exactly.
            try Row.fetchAll(
                db,
                sql: """
                    SELECT (CAST(round((julianday(updated_at) - 2440587.5) * 86400000.0) AS INTEGER) - ?) / ? AS bucket,
                        state, COUNT(*)
                    FROM print_job
                    WHERE state IN (?, ?, ?) AND updated_at >= ? AND updated_at < ?
                    GROUP BY bucket, state
                    """,
                arguments: [
                    startMilliseconds, bucketMilliseconds, JobState.printed.rawValue, JobState.deadLettered.rawValue,
                    JobState.manualReview.rawValue, StoredDate(ScanTime.date(milliseconds: startMilliseconds)), StoredDate(end),
                ])
        }
        for row in rows {
            let index: Int = row[0]
            guard buckets.indices.contains(index) else { continue }
            let count: Int = row[2]
            switch JobState(rawValue: row[1]) {
            case .printed: buckets[index].printed += count
            case .deadLettered: buckets[index].deadLettered += count
            case .manualReview: buckets[index].manualReview += count
            default: continue
            }
        }
        return buckets
    }
}
