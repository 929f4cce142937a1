public import Foundation
public import LanyardSupport
internal import PostgresNIO
public import Sync

/// Check-ins when several replicas take uploads at once. The nonces go in first, in byte order
/// (`ON CONFLICT DO NOTHING`: a batch retried on another replica while the first attempt is
/// still open waits for it, then finds its nonces stored); then the cursor rows of the events
/// with new check-ins are locked, which makes every replica's decisions for an event one at a
/// time, so the earliest scan wins whatever the order the uploads arrive in, and every answer
/// names the winner as committed.
extension PostgresRegistryStore {
    public func recordCheckIns(
        _ items: [CheckInUpload], agentID: String, receivedAt: Date
    ) async throws(RegistryError)
        -> CheckInBatchResult
    {
        try await transaction { connection in
            let accepted = try await insertNew(items, nonce: \.nonce, on: connection) { item in
                """
                INSERT INTO check_in (nonce, agent_id, event, attendee_id, kiosk_id, scanned_at_us, received_at)
                VALUES (\(item.nonce), \(agentID), \(item.event), \(item.attendeeID), \(item.kioskID),
                        \(RegistryJSON.microseconds(item.scannedAt)), \(receivedAt))
                ON CONFLICT (nonce) DO NOTHING RETURNING nonce
                """
            }
            var cursors = try await lockCursors(Set(accepted.map(\.event)), on: connection)
            var advanced: [String: Int64] = [:]
            for item in StoreRules.inWinningOrder(accepted) {
                let scanned = RegistryJSON.microseconds(item.scannedAt)
                if let current = try await winner(event: item.event, attendeeID: item.attendeeID, on: connection) {
                    let held = (RegistryJSON.microseconds(current.resolution.scannedAt), current.resolution.nonce)
                    guard StoreRules.precedes((scanned, item.nonce), held) else { continue }
                }
                let cursor = (cursors[item.event] ?? 0) + 1
                cursors[item.event] = cursor
                advanced[item.event] = cursor
                try await connection.query(
                    """
                    INSERT INTO attendee_change (event, cursor, op, attendee_id, nonce, kiosk_id, scanned_at_us, recorded_at)
                    VALUES (\(item.event), \(cursor), 'check_in_resolved', \(item.attendeeID), \(item.nonce), \(item.kioskID),
                            \(scanned), \(receivedAt))
                    """, logger: logger)
                try await connection.query(
                    """
                    INSERT INTO check_in_winner (event, attendee_id, nonce, kiosk_id, scanned_at_us, cursor)
                    VALUES (\(item.event), \(item.attendeeID), \(item.nonce), \(item.kioskID), \(scanned), \(cursor))
                    ON CONFLICT (event, attendee_id) DO UPDATE SET nonce = excluded.nonce, kiosk_id = excluded.kiosk_id,
                        scanned_at_us = excluded.scanned_at_us, cursor = excluded.cursor
                    """, logger: logger)
            }
            try await saveCursors(advanced, on: connection)
            var resolutions: [CheckInBatchResult.Resolved] = []
            for named in StoreRules.namedAttendees(items) {
                if let resolved = try await winner(event: named.event, attendeeID: named.attendeeID, on: connection) {
                    resolutions.append(resolved)
                }
            }
            return CheckInBatchResult(accepted: accepted.count, duplicates: items.count - accepted.count, resolutions: resolutions)
        }
    }

    public func checkInResolutions(
        event: String, after cursor: Int64, limit: Int
    ) async throws(RegistryError)
        -> [CheckInBatchResult.Resolved]
    {
        try await read { connection in
            try await rows(
                """
                SELECT cursor, attendee_id, nonce, kiosk_id, scanned_at_us FROM attendee_change
                WHERE event = \(event) AND cursor > \(cursor) AND op = 'check_in_resolved' ORDER BY cursor LIMIT \(max(0, limit))
                """, on: connection
            ).map { row in try Self.resolved(event: event, row) }
        }
    }

    public func checkInWinner(event: String, attendeeID: String) async throws(RegistryError) -> CheckInBatchResult.Resolved? {
        try await read { connection in try await winner(event: event, attendeeID: attendeeID, on: connection) }
    }

    public func checkInCursor(event: String) async throws(RegistryError) -> Int64 {
        try await read { connection in
            try await rows(
                "SELECT COALESCE(MAX(cursor), 0) FROM attendee_change WHERE event = \(event) AND op = 'check_in_resolved'",
                on: connection
            ).first?.decode(Int64.self) ?? 0
        }
    }

    public func checkInCount(event: String) async throws(RegistryError) -> Int {
        try await read { connection in
            try await rows("SELECT COUNT(*) FROM check_in WHERE event = \(event)", on: connection).first?.decode(Int.self) ?? 0
        }
    }

    private func winner(event: String, attendeeID: String, on connection: PostgresConnection) async throws -> CheckInBatchResult.Resolved? {
        try await rows(
            """
            SELECT cursor, attendee_id, nonce, kiosk_id, scanned_at_us FROM check_in_winner
            WHERE event = \(event) AND attendee_id = \(attendeeID)
            """, on: connection
        ).first.map { row in try Self.resolved(event: event, row) }
    }

    private static func resolved(event: String, _ row: PostgresRow) throws -> CheckInBatchResult.Resolved {
        let (cursor, attendeeID, nonce, kioskID, scanned) = try row.decode((Int64, String, String, String, Int64).self)
        return CheckInBatchResult.Resolved(
            event: event, cursor: cursor,
            resolution: StoreRules.resolution(attendeeID: attendeeID, nonce: nonce, kioskID: kioskID, scannedAt: scanned))
    }
}
