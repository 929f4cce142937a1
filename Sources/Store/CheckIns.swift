public import Foundation
internal import GRDB
public import LanyardSupport
public import Sync

/// A check-in made at this kiosk.
public struct LocalCheckIn: Sendable, Equatable {
    public var attendeeID: String
    public var event: String
    public var kioskID: String
    /// Identifies the check-in everywhere: in the outbox item that carries it upstream (whose
    /// nonce it also is) and in the registry's resolution.
    public var nonce: String
    /// When the badge was scanned, to the millisecond: the registry orders check-ins by it.
    public var scannedAt: Date
    public var recordedAt: Date

    public init(attendeeID: String, event: String, kioskID: String, nonce: String, scannedAt: Date, recordedAt: Date) {
        self.attendeeID = attendeeID
        self.event = event
        self.kioskID = kioskID
        self.nonce = nonce
        self.scannedAt = scannedAt
        self.recordedAt = recordedAt
    }
}

/// An earlier check-in of the attendee that a new scan should be told about.
public struct PriorCheckIn: Sendable, Equatable {
    public var kioskID: String
    public var scannedAt: Date
    public var nonce: String
    /// True when the registry reported it as the check-in that counts; false for this kiosk's
    /// own check-in not yet resolved.
    public var resolved: Bool

    public init(kioskID: String, scannedAt: Date, nonce: String, resolved: Bool) {
        self.kioskID = kioskID
        self.scannedAt = scannedAt
        self.nonce = nonce
        self.resolved = resolved
    }
}

/// What this kiosk knows of an attendee's check-ins.
public struct CheckInState: Sendable, Equatable {
    public var attendeeID: String
    /// This kiosk's check-ins, earliest scan first.
    public var local: [LocalCheckIn]
    /// The check-in the registry kept, once a delta reported it.
    public var resolution: CheckInResolution?

    public init(attendeeID: String, local: [LocalCheckIn], resolution: CheckInResolution?) {
        self.attendeeID = attendeeID
        self.local = local
        self.resolution = resolution
    }

    /// This kiosk checked the attendee in, but the registry kept a check-in that is none of
    /// this kiosk's: an earlier scan elsewhere.
    public var superseded: Bool {
        guard let resolution, !local.isEmpty else { return false }
        return !local.contains { $0.nonce == resolution.nonce }
    }

    /// The check-in that counts as far as this kiosk knows: the registry's, else its own
    /// earliest; nil when there is neither.
    public var first: PriorCheckIn? {
        if let resolution {
            return PriorCheckIn(kioskID: resolution.kioskID, scannedAt: resolution.scannedAt, nonce: resolution.nonce, resolved: true)
        }
        return local.first.map { PriorCheckIn(kioskID: $0.kioskID, scannedAt: $0.scannedAt, nonce: $0.nonce, resolved: false) }
    }
}

/// What `recordCheckIn` did.
public struct RecordedCheckIn: Sendable, Equatable {
    public var checkIn: LocalCheckIn
    /// The item queued for the registry; nil when the nonce was recorded before (a retried
    /// request), which queues nothing a second time.
    public var outboxItem: OutboxItem?
    /// The check-in that counted before this one, if there was any.
    public var earlier: PriorCheckIn?

    public init(checkIn: LocalCheckIn, outboxItem: OutboxItem?, earlier: PriorCheckIn?) {
        self.checkIn = checkIn
        self.outboxItem = outboxItem
        self.earlier = earlier
    }
}

extension LanyardStore {
    /// The outbox kind of a check-in; its payload is
    /// `{"attendee_id", "event", "kiosk_id", "nonce", "scanned_at"}` (ISO-8601 UTC, milliseconds).
    public static let checkInOutboxKind = "check_in"

    /// Records a check-in and queues it for the registry, in one transaction: either both are
    /// durable or neither. `nonce` defaults to 16 random bytes in hex; the outbox item carries
    /// the same nonce, so the registry recognises a re-sent check-in. Recording a nonce again
    /// for the same attendee changes nothing and returns the stored check-in (a retried
    /// request); for another attendee it is refused. `scannedAt` is kept to the millisecond.
    @discardableResult
    public func recordCheckIn(
        attendeeID: String, event: String, kioskID: String, scannedAt: Date,
        nonce: String? = nil, now: Date = Date()
    ) throws(StoreError) -> RecordedCheckIn {
        guard !attendeeID.isEmpty, !event.isEmpty, !kioskID.isEmpty else {
            throw StoreError(.invalidValue, "a check-in needs an attendee, an event and a kiosk id")
        }
        if let nonce, nonce.isEmpty { throw StoreError(.invalidValue, "a check-in's nonce cannot be empty") }
        let nonce = nonce ?? Self.randomNonce()
        let milliseconds = ScanTime.milliseconds(scannedAt)
        let checkIn = LocalCheckIn(
            attendeeID: attendeeID, event: event, kioskID: kioskID, nonce: nonce,
            scannedAt: ScanTime.date(milliseconds: milliseconds), recordedAt: now)
        let payload: Data
        do {
            payload = try JSONSerialization.data(
                withJSONObject: [
                    "attendee_id": attendeeID, "event": event, "kiosk_id": kioskID, "nonce": nonce,
                    "scanned_at": ScanTime.text(milliseconds: milliseconds),
                ], options: [.sortedKeys])
        } catch {
            throw StoreError(.invalidValue, "the check-in of \(attendeeID) cannot be encoded", underlying: error)
        }
        return try write { db in
            if let stored = try Self.checkIn(db, nonce: nonce) {
                guard stored.attendeeID == attendeeID, stored.event == event else {
                    throw StoreError(.invalidValue, "nonce \(nonce) belongs to another check-in (attendee \(stored.attendeeID))")
                }
                let state = try Self.checkInState(db, attendeeID: attendeeID)
                return RecordedCheckIn(checkIn: stored, outboxItem: nil, earlier: state?.earlier(than: nonce))
            }
            let earlier = try Self.checkInState(db, attendeeID: attendeeID)?.first
            try db.execute(
                sql: """
                    INSERT INTO check_in (nonce, attendee_id, event_slug, kiosk_id, scanned_at_ms, recorded_at)
                    VALUES (?, ?, ?, ?, ?, ?)
                    """, arguments: [nonce, attendeeID, event, kioskID, milliseconds, StoredDate(now)])
            var row = OutboxRow(kind: Self.checkInOutboxKind, payload: payload, nonce: nonce, createdAt: now)
            do { try row.insert(db) } catch let error as DatabaseError where error.resultCode == .SQLITE_CONSTRAINT {
                throw StoreError(.invalidValue, "nonce \(nonce) is already used by another outbox item", underlying: error)
            }
            // Read back, so the caller holds the values exactly as any later read returns them.
            return RecordedCheckIn(
                checkIn: try Self.checkIn(db, nonce: nonce) ?? checkIn,
                outboxItem: try OutboxRow.fetchOne(db, key: row.id)?.item ?? row.item, earlier: earlier)
        }
    }

    /// The attendee's check-ins here and the registry's resolution; nil when there is neither.
    public func checkInState(attendeeID: String) throws(StoreError) -> CheckInState? {
        try read { db in try Self.checkInState(db, attendeeID: attendeeID) }
    }

    static func checkInState(_ db: Database, attendeeID: String) throws -> CheckInState? {
        let local = try Row.fetchAll(
            db,
            sql: """
                SELECT attendee_id, event_slug, kiosk_id, nonce, scanned_at_ms, recorded_at FROM check_in
                WHERE attendee_id = ? ORDER BY scanned_at_ms, id
                """, arguments: [attendeeID]
        ).map(localCheckIn)
        let resolution = try Row.fetchOne(
            db,
            sql: """
                SELECT attendee_id, nonce, kiosk_id, scanned_at_ms FROM check_in_resolution WHERE attendee_id = ?
                """, arguments: [attendeeID]
        ).map { row in
            CheckInResolution(attendeeID: row[0], nonce: row[1], kioskID: row[2], scannedAt: ScanTime.date(milliseconds: row[3]))
        }
        guard !local.isEmpty || resolution != nil else { return nil }
        return CheckInState(attendeeID: attendeeID, local: local, resolution: resolution)
    }

    static func checkIn(_ db: Database, nonce: String) throws -> LocalCheckIn? {
        try Row.fetchOne(
            db,
            sql: """
                SELECT attendee_id, event_slug, kiosk_id, nonce, scanned_at_ms, recorded_at FROM check_in WHERE nonce = ?
                """, arguments: [nonce]
        ).map(localCheckIn)
    }

    /// A check-in from a row whose first six columns are those `checkIn(_:nonce:)` selects.
    static func localCheckIn(_ row: Row) -> LocalCheckIn {
        LocalCheckIn(
            attendeeID: row[0], event: row[1], kioskID: row[2], nonce: row[3],
            scannedAt: ScanTime.date(milliseconds: row[4]), recordedAt: (row[5] as StoredDate?)?.date ?? .distantPast)
    }

    /// Records resolutions the registry gave in answer to an upload of check-ins (outside any
    /// delta: the event's cursor is not moved; the next delta carries them again, harmlessly).
    public func recordCheckInResolutions(_ resolutions: [CheckInResolution], event: String, now: Date = Date()) throws(StoreError) {
        guard !resolutions.isEmpty else { return }
        try write { db in try Self.storeResolutions(db, resolutions, event: event, now: now) }
    }

    /// Stores the registry's resolutions inside the caller's transaction, replacing an earlier
    /// one for the same attendee. The table's CHECKs refuse an empty attendee id, nonce or
    /// kiosk id, which fails the whole delta.
    static func storeResolutions(_ db: Database, _ resolutions: [CheckInResolution], event: String, now: Date) throws {
        let columns = 6
        let perStatement = 1_000
        var start = 0
        while start < resolutions.count {
            let chunk = resolutions[start..<min(start + perStatement, resolutions.count)]
            let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
            let size = statementRows(for: chunk.count, limit: perStatement)
            let sql = """
                INSERT INTO check_in_resolution (attendee_id, event_slug, nonce, kiosk_id, scanned_at_ms, received_at)
                VALUES \(Array(repeating: row, count: size).joined(separator: ", "))
                ON CONFLICT (attendee_id) DO UPDATE SET
                    event_slug = excluded.event_slug, nonce = excluded.nonce, kiosk_id = excluded.kiosk_id,
                    scanned_at_ms = excluded.scanned_at_ms, received_at = excluded.received_at
                """
            let statement = try db.cachedStatement(sql: sql)
            var values: [DatabaseValue] = []
            values.reserveCapacity(chunk.count * columns)
            for resolution in chunk {
                values += [
                    resolution.attendeeID.databaseValue, event.databaseValue, resolution.nonce.databaseValue,
                    resolution.kioskID.databaseValue, ScanTime.milliseconds(resolution.scannedAt).databaseValue,
                    StoredDate(now).databaseValue,
                ]
            }
            do { try statement.execute(arguments: StatementArguments(padded(values, columns: columns, to: size))) } catch let error
                as DatabaseError
                where error.resultCode == .SQLITE_CONSTRAINT
            {
                throw StoreError(
                    .invalidValue, "a check-in resolution of the delta has an empty attendee id, nonce or kiosk id",
                    underlying: error)
            }
            start += chunk.count
        }
    }

    /// 16 random bytes from the system's generator, in lower-case hex.
    static func randomNonce() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            return String(byte, radix: 16).leftPadded(to: 2)
        }.joined()
    }
}

extension CheckInState {
    /// The check-in that counted before the one with `nonce` was recorded: the registry's if it
    /// is another, else this kiosk's earliest other one.
    func earlier(than nonce: String) -> PriorCheckIn? {
        if let resolution, resolution.nonce != nonce {
            return PriorCheckIn(kioskID: resolution.kioskID, scannedAt: resolution.scannedAt, nonce: resolution.nonce, resolved: true)
        }
        return local.first { $0.nonce != nonce }
            .map { PriorCheckIn(kioskID: $0.kioskID, scannedAt: $0.scannedAt, nonce: $0.nonce, resolved: false) }
    }
}

private extension String {
    func leftPadded(to length: Int) -> String {
        count >= length ? self : String(repeating: "0", count: length - count) + self
    }
}

/// Scan instants are kept as whole milliseconds since 1970 (an INTEGER column) and written as
/// ISO-8601 text with exactly three decimals. Both are computed from the integer, so the text,
/// the stored value and the `Date` handed back agree to the millisecond; going through a
/// floating-point `Date` and a date formatter can lose the last millisecond to rounding.
/// Public so that the agent's API writes scan times exactly as the outbox does.
public enum ScanTime {
    static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded())
    }

    static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// "2026-09-21T14:13:20.123Z": UTC, always three decimals (`Timestamps`, the one encoding).
    public static func text(_ date: Date) -> String { Timestamps.iso8601(date) }

    static func text(milliseconds: Int64) -> String { Timestamps.iso8601(date(milliseconds: milliseconds)) }

    /// An ISO-8601 instant with or without decimals, to the millisecond.
    public static func parse(_ text: String) -> Date? { Timestamps.parse(text) }
}
