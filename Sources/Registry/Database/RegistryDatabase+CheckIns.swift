public import Foundation
internal import GRDB
public import Sync

extension RegistryDatabase {
    /// Stores a batch of check-ins from one agent in one transaction. A nonce already stored
    /// (from an earlier batch or earlier in this one) is a duplicate and changes nothing. For
    /// each new check-in the attendee's winner is the earliest scan (ties: the smaller nonce,
    /// by bytes); whenever the winner is set or replaced, a change is recorded at the event's
    /// next cursor.
    public func recordCheckIns(
        _ items: [CheckInUpload], agentID: String, receivedAt: Date = Date()
    ) throws(RegistryError) -> CheckInBatchResult {
        try write { db in
            var accepted: [CheckInUpload] = []
            for item in items {
                try db.execute(
                    sql: """
                        INSERT INTO check_in (nonce, agent_id, event, attendee_id, kiosk_id, scanned_at_us, received_at)
                        VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(nonce) DO NOTHING
                        """,
                    arguments: [
                        item.nonce, agentID, item.event, item.attendeeID, item.kioskID,
                        RegistryJSON.microseconds(item.scannedAt), receivedAt,
                    ])
                if db.changesCount > 0 { accepted.append(item) }
            }
            // Earliest first: an attendee scanned twice in one batch gets one change, not two.
            for item in accepted.sorted(by: { Self.precedes(Self.rank($0), Self.rank($1)) }) {
                try resolve(item, db: db, at: receivedAt)
            }
            var resolutions: [CheckInBatchResult.Resolved] = []
            var named = Set<[String]>()
            for item in items where named.insert([item.event, item.attendeeID]).inserted {
                if let (cursor, resolution) = try winner(event: item.event, attendeeID: item.attendeeID, db: db) {
                    resolutions.append(.init(event: item.event, cursor: cursor, resolution: resolution))
                }
            }
            return CheckInBatchResult(accepted: accepted.count, duplicates: items.count - accepted.count, resolutions: resolutions)
        }
    }

    /// The changes of an event's check-in winners after `cursor`, oldest first: what a kiosk
    /// applies in order to end with the same winners as the registry.
    public func checkInResolutions(
        event: String, after cursor: Int64, limit: Int = 1_000
    ) throws(RegistryError)
        -> [(cursor: Int64, resolution: CheckInResolution)]
    {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT cursor, attendee_id, nonce, kiosk_id, scanned_at_us FROM check_in_change
                    WHERE event = ? AND cursor > ? ORDER BY cursor LIMIT ?
                    """, arguments: [event, cursor, max(0, limit)]
            ).map { row in
                (cursor: row["cursor"], resolution: Self.resolution(row))
            }
        }
    }

    /// The check-in that counts for an attendee, and the cursor at which it was decided.
    public func checkInWinner(event: String, attendeeID: String) throws(RegistryError) -> (cursor: Int64, resolution: CheckInResolution)? {
        try read { db in try winner(event: event, attendeeID: attendeeID, db: db) }
    }

    /// The event's latest change cursor (0 before its first check-in).
    public func checkInCursor(event: String) throws(RegistryError) -> Int64 {
        try read { db in try Self.latestCursor(event: event, db: db) }
    }

    /// How many check-ins are stored for an event, winners or not.
    public func checkInCount(event: String) throws(RegistryError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM check_in WHERE event = ?", arguments: [event]) ?? 0 }
    }

    private func resolve(_ item: CheckInUpload, db: Database, at now: Date) throws {
        let scanned = RegistryJSON.microseconds(item.scannedAt)
        if let current = try Row.fetchOne(
            db, sql: "SELECT nonce, scanned_at_us FROM check_in_winner WHERE event = ? AND attendee_id = ?",
            arguments: [item.event, item.attendeeID])
        {
            guard Self.precedes((scanned, item.nonce), (current["scanned_at_us"], current["nonce"])) else { return }
        }
        let cursor = try Self.nextCursor(db)
        try db.execute(
            sql: """
                INSERT INTO check_in_change (event, cursor, attendee_id, nonce, kiosk_id, scanned_at_us, recorded_at)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """, arguments: [item.event, cursor, item.attendeeID, item.nonce, item.kioskID, scanned, now])
        try db.execute(
            sql: """
                INSERT INTO check_in_winner (event, attendee_id, nonce, kiosk_id, scanned_at_us, cursor) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(event, attendee_id) DO UPDATE SET nonce = excluded.nonce, kiosk_id = excluded.kiosk_id,
                    scanned_at_us = excluded.scanned_at_us, cursor = excluded.cursor
                """, arguments: [item.event, item.attendeeID, item.nonce, item.kioskID, scanned, cursor])
    }

    private func winner(event: String, attendeeID: String, db: Database) throws -> (cursor: Int64, resolution: CheckInResolution)? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT cursor, attendee_id, nonce, kiosk_id, scanned_at_us FROM check_in_winner WHERE event = ? AND attendee_id = ?
                """, arguments: [event, attendeeID]
        ).map { row in (cursor: row["cursor"], resolution: Self.resolution(row)) }
    }

    private static func latestCursor(event: String, db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MAX(cursor) FROM check_in_change WHERE event = ?", arguments: [event]) ?? 0
    }

    private static func resolution(_ row: Row) -> CheckInResolution {
        CheckInResolution(
            attendeeID: row["attendee_id"], nonce: row["nonce"], kioskID: row["kiosk_id"],
            scannedAt: RegistryJSON.date(microseconds: row["scanned_at_us"]))
    }

    private static func rank(_ item: CheckInUpload) -> (Int64, String) { (RegistryJSON.microseconds(item.scannedAt), item.nonce) }

    /// Earlier scan first; at the same microsecond, the nonce whose UTF-8 bytes sort first (as
    /// SQLite's BINARY collation would sort them).
    static func precedes(_ a: (Int64, String), _ b: (Int64, String)) -> Bool {
        if a.0 != b.0 { return a.0 < b.0 }
        return a.1.utf8.lexicographicallyPrecedes(b.1.utf8)
    }
}
