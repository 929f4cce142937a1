public import Foundation
internal import GRDB
public import Sync

/// What a push of attendee changes did.
public struct AttendeePushResult: Sendable, Equatable, Encodable {
    /// The event's cursor after the push: a snapshot or a kiosk at it has every change pushed.
    public var cursor: Int64
    public var upserted: Int
    public var removed: Int
    /// Upserts identical to the stored registration and removals of attendees the event does
    /// not have: they record no change, so kiosks are not sent what they hold already.
    public var unchanged: Int
}

/// The events' attendee lists and the change log kiosks follow (docs/registry-protocol.md,
/// "Attendee changes").
extension RegistryDatabase {
    /// Applies pushed changes to an event's attendee list in one transaction, each real change
    /// recorded in the log at the next cursor, in the order given.
    public func recordAttendeeChanges(
        _ changes: [AttendeePush], event: String, at now: Date = Date(), audit: AuditEntry? = nil
    ) throws(RegistryError) -> AttendeePushResult {
        try write { db in
            var result = AttendeePushResult(cursor: 0, upserted: 0, removed: 0, unchanged: 0)
            for change in changes {
                switch change {
                case .upsert(let attendeeID, let registration):
                    let stored = try String.fetchOne(
                        db, sql: "SELECT registration FROM attendee WHERE event = ? AND attendee_id = ?",
                        arguments: [event, attendeeID])
                    guard stored != registration else {
                        result.unchanged += 1
                        continue
                    }
                    let cursor = try Self.nextCursor(db)
                    try db.execute(
                        sql: """
                            INSERT INTO attendee (event, attendee_id, registration, cursor) VALUES (?, ?, ?, ?)
                            ON CONFLICT(event, attendee_id) DO UPDATE SET registration = excluded.registration, cursor = excluded.cursor
                            """, arguments: [event, attendeeID, registration, cursor])
                    try db.execute(
                        sql: """
                            INSERT INTO attendee_change (cursor, event, attendee_id, op, registration, recorded_at) VALUES (?, ?, ?, 'upsert', ?, ?)
                            """, arguments: [cursor, event, attendeeID, registration, now])
                    result.upserted += 1
                case .remove(let attendeeID):
                    try db.execute(sql: "DELETE FROM attendee WHERE event = ? AND attendee_id = ?", arguments: [event, attendeeID])
                    guard db.changesCount > 0 else {
                        result.unchanged += 1
                        continue
                    }
                    let cursor = try Self.nextCursor(db)
                    try db.execute(
                        sql: """
                            INSERT INTO attendee_change (cursor, event, attendee_id, op, registration, recorded_at) VALUES (?, ?, ?, 'remove', NULL, ?)
                            """, arguments: [cursor, event, attendeeID, now])
                    result.removed += 1
                }
            }
            result.cursor = try Self.eventCursor(event, db: db)
            if let audit { try Self.append(audit.with(result), db: db) }
            return result
        }
    }

    /// The event's changes after `since`, oldest first, at most `limit` of them: attendee
    /// upserts and removals and check-in winners, merged by cursor. A cursor beyond the last one
    /// the registry gave out is refused (`cursorAhead`): the kiosk's list came from elsewhere
    /// (another registry, a database restored from an older backup) and no delta can follow it.
    public func attendeeChanges(event: String, since: Int64, limit: Int = 1_000) throws(RegistryError) -> AttendeeChangePage {
        try read { db in
            try StoreRules.checkCursor(since, last: try Self.currentCursor(db))
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT cursor, op, attendee_id, registration, NULL AS nonce, NULL AS kiosk_id, NULL AS scanned_at_us
                    FROM attendee_change WHERE event = ? AND cursor > ?
                    UNION ALL
                    SELECT cursor, 'check_in_resolved', attendee_id, NULL, nonce, kiosk_id, scanned_at_us
                    FROM check_in_change WHERE event = ? AND cursor > ?
                    ORDER BY cursor LIMIT ?
                    """, arguments: [event, since, event, since, max(1, limit) + 1])
            let entries = rows.compactMap { row in
                StoreRules.entry(
                    cursor: row["cursor"], op: row["op"], attendeeID: row["attendee_id"], registration: row["registration"],
                    nonce: row["nonce"], kioskID: row["kiosk_id"], scannedAt: row["scanned_at_us"])
            }
            return StoreRules.page(event: event, since: since, limit: limit, entries: entries)
        }
    }

    /// The event's attendee list as one consistent read: every registration, by attendee id,
    /// and the cursor they stand at (the registry's last cursor at that moment, so a kiosk that
    /// applies the list as a snapshot at that cursor then follows the log from there).
    public func attendeeSnapshot(event: String) throws(RegistryError) -> AttendeeSnapshot {
        try read { db in
            let cursor = try Self.currentCursor(db)
            let registrations = try String.fetchAll(
                db, sql: "SELECT registration FROM attendee WHERE event = ? ORDER BY attendee_id",
                arguments: [event])
            return AttendeeSnapshot(cursor: cursor, registrations: registrations)
        }
    }

    /// The latest change cursor of one event (0 before its first change).
    public func eventCursor(event: String) throws(RegistryError) -> Int64 {
        try read { db in try Self.eventCursor(event, db: db) }
    }

    /// Per event, its latest change cursor: what the notification endpoint starts from.
    public func eventCursors() throws(RegistryError) -> [String: Int64] {
        try read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                    SELECT event, MAX(cursor) AS cursor FROM (
                        SELECT event, cursor FROM attendee_change UNION ALL SELECT event, cursor FROM check_in_change
                    ) GROUP BY event
                    """)
            return Dictionary(rows.map { ($0["event"], $0["cursor"]) }, uniquingKeysWith: max)
        }
    }

    /// Takes the next cursor of the one sequence (inside the caller's write transaction).
    static func nextCursor(_ db: Database) throws -> Int64 {
        try db.execute(sql: "UPDATE change_cursor SET cursor = cursor + 1 WHERE id = 1")
        return try currentCursor(db)
    }

    static func currentCursor(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db, sql: "SELECT cursor FROM change_cursor WHERE id = 1") ?? 0
    }

    static func eventCursor(_ event: String, db: Database) throws -> Int64 {
        try Int64.fetchOne(
            db,
            sql: """
                SELECT MAX(cursor) FROM (
                    SELECT MAX(cursor) AS cursor FROM attendee_change WHERE event = ?
                    UNION ALL SELECT MAX(cursor) FROM check_in_change WHERE event = ?
                )
                """, arguments: [event, event]) ?? 0
    }
}
