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
            for item in StoreRules.inWinningOrder(accepted) {
                try resolve(item, db: db, at: receivedAt)
            }
            let resolutions = try StoreRules.namedAttendees(items).compactMap { named in
                try winner(event: named.event, attendeeID: named.attendeeID, db: db)
            }
            return CheckInBatchResult(accepted: accepted.count, duplicates: items.count - accepted.count, resolutions: resolutions)
        }
    }

    /// The changes of an event's check-in winners after `cursor`, oldest first: what a kiosk
    /// applies in order to end with the same winners as the registry.
    public func checkInResolutions(
        event: String, after cursor: Int64, limit: Int = 1_000
    ) throws(RegistryError) -> [CheckInBatchResult.Resolved] {
        try read { db in
            try Row.fetchAll(
                db,
                sql: """
                    SELECT cursor, attendee_id, nonce, kiosk_id, scanned_at_us FROM check_in_change
                    WHERE event = ? AND cursor > ? ORDER BY cursor LIMIT ?
                    """, arguments: [event, cursor, max(0, limit)]
            ).map { row in Self.resolved(event: event, row) }
        }
    }

    /// The check-in that counts for an attendee, and the cursor at which it was decided.
    public func checkInWinner(event: String, attendeeID: String) throws(RegistryError) -> CheckInBatchResult.Resolved? {
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
            guard StoreRules.precedes((scanned, item.nonce), (current["scanned_at_us"], current["nonce"])) else { return }
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

    private func winner(event: String, attendeeID: String, db: Database) throws -> CheckInBatchResult.Resolved? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT cursor, attendee_id, nonce, kiosk_id, scanned_at_us FROM check_in_winner WHERE event = ? AND attendee_id = ?
                """, arguments: [event, attendeeID]
        ).map { row in Self.resolved(event: event, row) }
    }

    private static func latestCursor(event: String, db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT MAX(cursor) FROM check_in_change WHERE event = ?", arguments: [event]) ?? 0
    }

    private static func resolved(event: String, _ row: Row) -> CheckInBatchResult.Resolved {
        CheckInBatchResult.Resolved(
            event: event, cursor: row["cursor"],
            resolution: StoreRules.resolution(
                attendeeID: row["attendee_id"], nonce: row["nonce"], kioskID: row["kiosk_id"], scannedAt: row["scanned_at_us"]))
    }
}
