public import Attendees
public import Foundation
internal import GRDB
public import LanyardSupport
public import Sync

/// The changes to an event's attendee list between two of the registry's cursors. The kiosk
/// applies it only on top of `fromCursor`; afterwards it is at `toCursor`.
///
/// JSON (snake_case, as it travels over HTTP):
/// `{"event": "devcon-2026", "from_cursor": 41, "to_cursor": 57, "changes": [...]}`, each change
/// as documented on `AttendeeChange`.
public struct AttendeeDelta: Sendable, Equatable, Codable {
    /// The event's slug, as attendees carry it in `event_slug`.
    public var event: String
    public var fromCursor: Int64
    public var toCursor: Int64
    /// In the order the registry made them; a later change to the same attendee wins.
    public var changes: [AttendeeChange]

    public init(event: String, fromCursor: Int64, toCursor: Int64, changes: [AttendeeChange]) {
        self.event = event
        self.fromCursor = fromCursor
        self.toCursor = toCursor
        self.changes = changes
    }

    enum CodingKeys: String, CodingKey {
        case event, fromCursor = "from_cursor", toCursor = "to_cursor", changes
    }
}

/// One change of an attendee delta, tagged by `op`:
///
/// - `{"op": "upsert", "attendee": {...}}`: the attendee whole, in Badges' contract field names
///   (`Attendee`'s own Codable; its `registered_at` follows the coder's date strategy, so both
///   ends must use the same one).
/// - `{"op": "remove", "attendee_id": "..."}`: the attendee left the event.
/// - `{"op": "check_in_resolved", "resolution": {"attendee_id": "...", "nonce": "...",
///   "kiosk_id": "...", "scanned_at": "2026-09-21T14:13:20.123Z"}}`: the check-in the registry
///   kept for that attendee (the earliest scan anywhere).
///
/// An unknown `op` fails decoding: a kiosk that skipped a change it did not understand would
/// hold a list that differs from the registry's while claiming the same cursor.
public enum AttendeeChange: Sendable, Equatable, Codable {
    case upsert(Attendee)
    case remove(attendeeID: String)
    case checkInResolved(CheckInResolution)

    enum CodingKeys: String, CodingKey {
        case op, attendee, attendeeID = "attendee_id", resolution
    }

    enum Operation: String, Codable {
        case upsert, remove, checkInResolved = "check_in_resolved"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let text = try container.decode(String.self, forKey: .op)
        guard let operation = Operation(rawValue: text) else {
            throw DecodingError.dataCorruptedError(forKey: .op, in: container, debugDescription: "unknown attendee change \"\(text)\"")
        }
        switch operation {
        case .upsert: self = .upsert(try container.decode(Attendee.self, forKey: .attendee))
        case .remove: self = .remove(attendeeID: try container.decode(String.self, forKey: .attendeeID))
        case .checkInResolved: self = .checkInResolved(try container.decode(CheckInResolution.self, forKey: .resolution))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        switch self {
        case .upsert(let attendee):
            try container.encode(Operation.upsert, forKey: .op)
            try container.encode(attendee, forKey: .attendee)
        case .remove(let attendeeID):
            try container.encode(Operation.remove, forKey: .op)
            try container.encode(attendeeID, forKey: .attendeeID)
        case .checkInResolved(let resolution):
            try container.encode(Operation.checkInResolved, forKey: .op)
            try container.encode(resolution, forKey: .resolution)
        }
    }
}

/// What applying a snapshot or a delta did.
public struct AttendeeSyncOutcome: Sendable, Equatable {
    /// The event's cursor once the call returned.
    public var cursor: Int64
    /// Attendees inserted or changed; one identical to the stored row is not rewritten.
    public var written: Int
    /// Attendees removed (for a snapshot: those of the event it did not list).
    public var removed: Int
    /// Check-in resolutions stored.
    public var resolutions: Int
    /// The delta ended at or before the stored cursor: it was applied before, nothing was done.
    public var alreadyApplied: Bool

    public init(cursor: Int64, written: Int, removed: Int, resolutions: Int, alreadyApplied: Bool) {
        self.cursor = cursor
        self.written = written
        self.removed = removed
        self.resolutions = resolutions
        self.alreadyApplied = alreadyApplied
    }
}

extension LanyardStore {
    /// The registry cursor the event's attendee list is at; nil before its first snapshot.
    public func attendeeCursor(event: String) throws(StoreError) -> Int64? {
        try read { db in try Self.cursor(db, event: event) }
    }

    /// Makes the event's attendees exactly `attendees` and records `cursor`, in one transaction:
    /// a failure leaves the previous list and cursor. Attendees of other events are untouched.
    /// A snapshot at the stored cursor is applied again (cheaply: unchanged rows are not
    /// rewritten); one below it is refused with `.snapshotStale`. When an id appears twice, the
    /// later attendee wins.
    ///
    /// The rows first go into a temporary table, then into the cache with one statement: FTS5
    /// writes its pending index data at every statement that starts inside a transaction, so
    /// copying in one statement leaves one new segment per index instead of one per batch. An
    /// empty cache is filled more directly (`load`). Rows are prepared on other threads while
    /// earlier ones are written (`AttendeeRowStream`).
    @discardableResult
    public func applyAttendeeSnapshot(
        event: String, cursor: Int64, attendees: [Attendee],
        now: Date = Date()
    ) throws(StoreError) -> AttendeeSyncOutcome {
        guard !event.isEmpty else { throw StoreError(.invalidValue, "a snapshot needs its event") }
        if let stray = attendees.firstIndex(where: { $0.eventSlug != event }) {
            throw StoreError(
                .invalidValue,
                "attendee \(stray) of the snapshot (\(attendees[stray].attendeeID)) belongs to "
                    + "event \"\(attendees[stray].eventSlug)\", not \"\(event)\"")
        }
        if let blank = attendees.firstIndex(where: { $0.attendeeID.isEmpty }) {
            throw StoreError(.invalidValue, "attendee \(blank) of the snapshot has no attendee_id")
        }
        let listed = Self.lastOfEachID(attendees)
        return try writeThenCheckpoint { db in
            let stored = try Self.cursor(db, event: event)
            if let stored, cursor < stored {
                throw StoreError(
                    .snapshotStale, "the snapshot of \(event) is older than the attendee list already applied",
                    cursor: StoreError.CursorConflict(stored: stored, given: cursor))
            }
            let stream = AttendeeRowStream(listed, now: now, chunkSize: AttendeeRows.batchSize)
            defer { stream.cancel() }
            let written: Int, removed: Int
            if let triggers = try Self.searchTriggersIfEmpty(db) {
                (written, removed) = (try Self.load(db, stream, setting: triggers), 0)
            } else {
                (written, removed) = try Self.replace(db, stream, event: event)
            }
            if written + removed >= Self.rowsPerStatement { try Self.optimizeSearchIndexes(db) }
            try Self.setCursor(db, event: event, cursor: cursor, now: now)
            return AttendeeSyncOutcome(cursor: cursor, written: written, removed: removed, resolutions: 0, alreadyApplied: false)
        }
    }

    /// Applies the registry's changes since `delta.fromCursor`, in one transaction, and moves
    /// the cursor to `delta.toCursor`. A delta ending at or before the stored cursor was applied
    /// already: nothing changes and the outcome says so. A delta from any other cursor than the
    /// stored one (or with none stored) is refused with `.cursorMismatch`, carrying both: the
    /// changes in between are missing and only a snapshot can repair that.
    ///
    /// Each attendee's last change in the delta is its result, so the changes collapse to one
    /// upsert batch (multi-row statements), one delete and one batch of resolutions; the full-text
    /// indexes are left to FTS5's own incremental merging.
    @discardableResult
    public func applyAttendeeDelta(_ delta: AttendeeDelta, now: Date = Date()) throws(StoreError) -> AttendeeSyncOutcome {
        guard !delta.event.isEmpty else { throw StoreError(.invalidValue, "a delta needs its event") }
        guard delta.toCursor >= delta.fromCursor else {
            throw StoreError(.invalidValue, "the delta of \(delta.event) ends (\(delta.toCursor)) before it starts (\(delta.fromCursor))")
        }
        let net = try NetChanges(delta)
        let rows = try AttendeeRows(net.upserts, now: now)
        return try writeThenCheckpoint { db in
            let stored = try Self.cursor(db, event: delta.event)
            if let stored, delta.toCursor <= stored {
                return AttendeeSyncOutcome(cursor: stored, written: 0, removed: 0, resolutions: 0, alreadyApplied: true)
            }
            guard stored == delta.fromCursor else {
                throw StoreError(
                    .cursorMismatch, "the delta of \(delta.event) does not start where the attendee list is",
                    cursor: StoreError.CursorConflict(stored: stored, given: delta.fromCursor))
            }
            let written = try Self.upsertAttendeeRows(db, rows)
            let removed = try Self.removeAttendees(db, ids: net.removals, event: delta.event)
            try Self.storeResolutions(db, net.resolutions, event: delta.event, now: now)
            try Self.setCursor(db, event: delta.event, cursor: delta.toCursor, now: now)
            return AttendeeSyncOutcome(
                cursor: delta.toCursor, written: written, removed: removed,
                resolutions: net.resolutions.count, alreadyApplied: false)
        }
    }

    /// Stages the rows in a temporary table, upserts them into the cache with one statement, then
    /// removes the event's attendees the snapshot does not list. Returns (written, removed).
    private static func replace(_ db: Database, _ stream: AttendeeRowStream, event: String) throws -> (Int, Int) {
        let hadAttendees =
            try Bool.fetchOne(
                db, sql: "SELECT EXISTS (SELECT 1 FROM attendee WHERE event_slug = ?)",
                arguments: [event]) ?? false
        try db.execute(sql: "CREATE TEMP TABLE attendee_snapshot (\(attendeeColumns))")
        while let rows = try stream.next() {
            for batch in rows.batches {
                // The statement is made for exactly this many rows of `columnCount` values.
                let statement = try db.cachedStatement(sql: stageSQL(rowCount: batch.statementRows))
                statement.setUncheckedArguments(batch.arguments)
                try statement.execute()
            }
        }
        try db.execute(
            sql: """
                INSERT INTO attendee (\(attendeeColumns))
                SELECT \(attendeeColumns) FROM temp.attendee_snapshot WHERE true
                \(upsertConflictClause)
                """)
        let written = db.changesCount
        // An event with no attendees before has none to remove: no need to read them all.
        var removed = 0
        if hadAttendees {
            try db.execute(
                sql: """
                    DELETE FROM attendee
                    WHERE event_slug = ? AND attendee_id NOT IN (SELECT attendee_id FROM temp.attendee_snapshot)
                    """, arguments: [event])
            removed = db.changesCount
        }
        try db.execute(sql: "DROP TABLE temp.attendee_snapshot")
        return (written, removed)
    }

    /// Fills an empty cache: the rows go straight into the table with the search triggers set
    /// aside, then each full-text index is filled from the table by one statement, and the
    /// triggers are put back exactly as they were (their SQL read from the schema), all inside
    /// the snapshot's transaction. A kiosk's first snapshot takes this way: no staging copy, no
    /// trigger run per row. Returns how many rows were written.
    private static func load(_ db: Database, _ stream: AttendeeRowStream, setting triggers: [(name: String, sql: String)]) throws -> Int {
        for trigger in triggers { try db.execute(sql: "DROP TRIGGER \"\(trigger.name)\"") }
        var written = 0
        while let rows = try stream.next() {
            for batch in rows.batches {
                let statement = try db.cachedStatement(sql: upsertSQL(rowCount: batch.statementRows))
                statement.setUncheckedArguments(batch.arguments)
                try statement.execute()
                written += db.changesCount
            }
        }
        for index in searchDocuments {
            let document = index.document.replacingOccurrences(of: "new.", with: "")
            try db.execute(sql: "INSERT INTO \(index.table)(rowid, document) SELECT id, \(document) FROM attendee")
        }
        for trigger in triggers { try db.execute(sql: trigger.sql) }
        return written
    }

    /// What the insert trigger puts into each full-text index for a new row (v9's
    /// `attendee_search_insert`), in the trigger's own words.
    static let searchDocuments: [(table: String, document: String)] = [
        ("attendee_name_search", "new.name_text"),
        ("attendee_email_search", "char(10, 10) || new.email_folded"),
        ("attendee_company_search", "char(10, 10) || new.company_folded"),
    ]

    static let searchTriggerNames: Set<String> = [
        "attendee_search_insert", "attendee_search_delete", "attendee_name_search_update", "attendee_email_search_update",
        "attendee_company_search_update",
    ]

    /// The attendee table's triggers when the table is empty and its triggers are the search
    /// triggers this code knows, with an insert trigger that writes exactly `searchDocuments`;
    /// nil otherwise. A later schema that changes them makes `load` step aside, not go wrong.
    private static func searchTriggersIfEmpty(_ db: Database) throws -> [(name: String, sql: String)]? {
        guard try Bool.fetchOne(db, sql: "SELECT NOT EXISTS (SELECT 1 FROM attendee)") == true else { return nil }
        let triggers = try Row.fetchAll(
            db,
            sql: """
                SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'attendee' ORDER BY name
                """
        ).map { row -> (name: String, sql: String) in (row[0], row[1]) }
        guard Set(triggers.map(\.name)) == searchTriggerNames, triggers.count == searchTriggerNames.count,
            let insert = triggers.first(where: { $0.name == "attendee_search_insert" })?.sql,
            insert.components(separatedBy: "INSERT INTO").count - 1 == searchDocuments.count,
            searchDocuments.allSatisfy({ insert.contains("INSERT INTO \($0.table)(rowid, document) VALUES (new.id, \($0.document));") })
        else { return nil }
        return triggers
    }

    /// A delta reduced to its effect: per attendee the last upsert or removal, per attendee the
    /// last resolution. Upserts and removals of one id replace each other, so applying only the
    /// last is the same as applying all in order.
    struct NetChanges {
        var upserts: [Attendee] = []
        var removals: [String] = []
        var resolutions: [CheckInResolution] = []

        init(_ delta: AttendeeDelta) throws(StoreError) {
            var last: [String: Int] = [:]
            var lastResolution: [String: Int] = [:]
            for (index, change) in delta.changes.enumerated() {
                switch change {
                case .upsert(let attendee):
                    guard !attendee.attendeeID.isEmpty else {
                        throw StoreError(.invalidValue, "change \(index) of the delta upserts an attendee without attendee_id")
                    }
                    guard attendee.eventSlug == delta.event else {
                        throw StoreError(
                            .invalidValue,
                            "change \(index) of the delta upserts \(attendee.attendeeID) of event "
                                + "\"\(attendee.eventSlug)\" into \"\(delta.event)\"")
                    }
                    last[attendee.attendeeID] = index
                case .remove(let attendeeID):
                    guard !attendeeID.isEmpty else {
                        throw StoreError(.invalidValue, "change \(index) of the delta removes an attendee without attendee_id")
                    }
                    last[attendeeID] = index
                case .checkInResolved(let resolution):
                    lastResolution[resolution.attendeeID] = index
                }
            }
            for (index, change) in delta.changes.enumerated() {
                switch change {
                case .upsert(let attendee) where last[attendee.attendeeID] == index: upserts.append(attendee)
                case .remove(let attendeeID) where last[attendeeID] == index: removals.append(attendeeID)
                case .checkInResolved(let resolution) where lastResolution[resolution.attendeeID] == index: resolutions.append(resolution)
                default: break
                }
            }
        }
    }

    /// The attendees in order, each id kept only at its last occurrence's value (and position).
    static func lastOfEachID(_ attendees: [Attendee]) -> [Attendee] {
        var seen = Set<String>(minimumCapacity: attendees.count)
        var kept: [Attendee] = []
        kept.reserveCapacity(attendees.count)
        for attendee in attendees.reversed() where seen.insert(attendee.attendeeID).inserted {
            kept.append(attendee)
        }
        return kept.count == attendees.count ? attendees : kept.reversed()
    }

    static func cursor(_ db: Database, event: String) throws -> Int64? {
        try Int64.fetchOne(db, sql: "SELECT cursor FROM attendee_sync_cursor WHERE event_slug = ?", arguments: [event])
    }

    static func setCursor(_ db: Database, event: String, cursor: Int64, now: Date) throws {
        try db.execute(
            sql: """
                INSERT INTO attendee_sync_cursor (event_slug, cursor, updated_at) VALUES (?, ?, ?)
                ON CONFLICT (event_slug) DO UPDATE SET cursor = excluded.cursor, updated_at = excluded.updated_at
                """, arguments: [event, cursor, StoredDate(now)])
    }

    /// Deletes the event's attendees among `ids`; the delete trigger takes them out of the search.
    static func removeAttendees(_ db: Database, ids: [String], event: String) throws -> Int {
        var removed = 0
        var start = 0
        while start < ids.count {
            let chunk = Array(ids[start..<min(start + maxIDsPerStatement, ids.count)])
            let size = statementRows(for: chunk.count, limit: maxIDsPerStatement)
            let marks = Array(repeating: "?", count: size).joined(separator: ", ")
            let statement = try db.cachedStatement(sql: "DELETE FROM attendee WHERE event_slug = ? AND attendee_id IN (\(marks))")
            try statement.execute(arguments: StatementArguments([event] + padded(chunk, columns: 1, to: size)))
            removed += db.changesCount
            start += chunk.count
        }
        return removed
    }

    /// Under SQLite's default limit of 32,766 bound parameters, with room for the event.
    static let maxIDsPerStatement = 10_000

    static func stageSQL(rowCount: Int) -> String {
        let row = "(" + Array(repeating: "?", count: 10).joined(separator: ", ") + ")"
        return "INSERT INTO temp.attendee_snapshot (\(attendeeColumns)) VALUES "
            + Array(repeating: row, count: rowCount).joined(separator: ", ")
    }
}
