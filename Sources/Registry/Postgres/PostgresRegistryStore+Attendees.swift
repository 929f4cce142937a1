public import Foundation
public import LanyardSupport
internal import PostgresNIO
public import Sync

/// The events' attendee lists and the change log when several replicas share them. A push holds
/// its event's cursor row from the first change to the commit (`PostgresSchema`), so the log a
/// kiosk pages through with "after N" has no hole that a later commit could fill.
extension PostgresRegistryStore {
    public func recordAttendeeChanges(
        _ changes: [AttendeePush], event: String, at now: Date, audit: AuditEntry?
    ) async throws(RegistryError)
        -> AttendeePushResult
    {
        try await transaction { connection in
            let start = try await lockCursors([event], on: connection)[event] ?? 0
            var cursor = start
            var result = AttendeePushResult(cursor: 0, upserted: 0, removed: 0, unchanged: 0)
            for change in changes {
                switch change {
                case .upsert(let attendeeID, let registration):
                    let stored = try await rows(
                        "SELECT registration FROM attendee WHERE event = \(event) AND attendee_id = \(attendeeID)", on: connection
                    ).first?.decode(String.self)
                    guard stored != registration else {
                        result.unchanged += 1
                        continue
                    }
                    cursor += 1
                    try await connection.query(
                        """
                        INSERT INTO attendee (event, attendee_id, registration, cursor) VALUES (\(event), \(attendeeID), \(registration), \(cursor))
                        ON CONFLICT (event, attendee_id) DO UPDATE SET registration = excluded.registration, cursor = excluded.cursor
                        """, logger: logger)
                    try await connection.query(
                        """
                        INSERT INTO attendee_change (event, cursor, op, attendee_id, registration, recorded_at)
                        VALUES (\(event), \(cursor), 'upsert', \(attendeeID), \(registration), \(now))
                        """, logger: logger)
                    result.upserted += 1
                case .remove(let attendeeID):
                    let removed = try await rows(
                        "DELETE FROM attendee WHERE event = \(event) AND attendee_id = \(attendeeID) RETURNING attendee_id", on: connection)
                    guard !removed.isEmpty else {
                        result.unchanged += 1
                        continue
                    }
                    cursor += 1
                    try await connection.query(
                        """
                        INSERT INTO attendee_change (event, cursor, op, attendee_id, recorded_at)
                        VALUES (\(event), \(cursor), 'remove', \(attendeeID), \(now))
                        """, logger: logger)
                    result.removed += 1
                }
            }
            if cursor > start { try await saveCursors([event: cursor], on: connection) }
            result.cursor = cursor
            if let audit { try await append(audit.with(result), on: connection) }
            return result
        }
    }

    public func attendeeChanges(event: String, since: Int64, limit: Int) async throws(RegistryError) -> AttendeeChangePage {
        try await read { connection in
            let last = try await rows("SELECT cursor FROM event_cursor WHERE event = \(event)", on: connection).first?.decode(Int64.self)
            try StoreRules.checkCursor(since, last: last ?? 0)
            let entries = try await rows(
                """
                SELECT cursor, op, attendee_id, registration, nonce, kiosk_id, scanned_at_us FROM attendee_change
                WHERE event = \(event) AND cursor > \(since) ORDER BY cursor LIMIT \(max(1, limit) + 1)
                """, on: connection
            ).compactMap { row in
                let (cursor, op, attendeeID, registration, nonce, kioskID, scanned) = try row.decode(
                    (Int64, String, String, String?, String?, String?, Int64?).self)
                return StoreRules.entry(
                    cursor: cursor, op: op, attendeeID: attendeeID, registration: registration, nonce: nonce, kioskID: kioskID,
                    scannedAt: scanned)
            }
            return StoreRules.page(event: event, since: since, limit: limit, entries: entries)
        }
    }

    /// Read in one repeatable-read transaction: the list and the cursor from the same instant.
    public func attendeeSnapshot(event: String) async throws(RegistryError) -> AttendeeSnapshot {
        try await transaction { connection in
            try await connection.query("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY", logger: logger)
            let cursor = try await rows("SELECT cursor FROM event_cursor WHERE event = \(event)", on: connection).first?.decode(Int64.self)
            let registrations = try await rows(
                "SELECT registration FROM attendee WHERE event = \(event) ORDER BY attendee_id", on: connection
            ).map { row in try row.decode(String.self) }
            return AttendeeSnapshot(cursor: cursor ?? 0, registrations: registrations)
        }
    }
}
