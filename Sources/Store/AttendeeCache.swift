public import Badges
public import Foundation
internal import GRDB

/// The event's attendee list, kept locally so check-in works with the network down. Each
/// attendee is stored whole (JSON, the contract's field names) beside folded copies of the
/// searched fields and its name document (`SearchFolding.nameDocument`); triggers keep the
/// three full-text indexes in step with every insert, update and delete, inside the same
/// transaction.
extension LanyardStore {
    /// Inserts or replaces attendees by `attendeeID`, all in one transaction (a snapshot is
    /// applied whole or not at all). Returns how many rows were inserted or changed; an attendee
    /// identical to the stored one is left untouched, so re-applying a snapshot is cheap.
    ///
    /// Rows go in as multi-row statements of `rowsPerStatement`: FTS5 writes its pending index
    /// data at every statement boundary inside a transaction, so one statement per attendee
    /// would make the full-text index several times slower to build.
    @discardableResult
    public func upsertAttendees(_ attendees: [Attendee], now: Date = Date()) throws(StoreError) -> Int {
        let rows = try Self.attendeeRows(attendees, now: now)
        guard !rows.isEmpty else { return 0 }
        return try write { db in
            let changed = try Self.upsertAttendeeRows(db, rows)
            if changed >= Self.rowsPerStatement { try Self.optimizeSearchIndexes(db) }
            return changed
        }
    }

    /// Attendees as cache rows (the values of `upsertSQL`'s columns, in order), prepared before
    /// any transaction opens so the database is held only for the writing. Refuses an attendee
    /// without an id, naming its position in the batch.
    static func attendeeRows(_ attendees: [Attendee], now: Date) throws(StoreError) -> [[DatabaseValue]] {
        if let blank = attendees.firstIndex(where: { $0.attendeeID.isEmpty }) {
            throw StoreError(.invalidValue, "attendee \(blank) of the batch has no attendee_id")
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var rows: [[DatabaseValue]] = []
        rows.reserveCapacity(attendees.count)
        let stamp = now.databaseValue
        for attendee in attendees {
            let record: Data
            do { record = try encoder.encode(attendee) } catch {
                throw StoreError(.invalidValue, "attendee \(attendee.attendeeID) cannot be encoded", cause: "\(error)")
            }
            let first = SearchFolding.fold(attendee.firstName ?? "")
            let last = SearchFolding.fold(attendee.lastName ?? "")
            let preferred = SearchFolding.fold(attendee.preferredName ?? "")
            rows.append([
                attendee.attendeeID.databaseValue, attendee.eventSlug.databaseValue, record.databaseValue,
                first.databaseValue, last.databaseValue, preferred.databaseValue,
                SearchFolding.fold(attendee.email).databaseValue, SearchFolding.fold(attendee.company ?? "").databaseValue,
                SearchFolding.nameDocument(first: first, last: last, preferred: preferred).databaseValue, stamp,
            ])
        }
        return rows
    }

    /// Writes prepared rows inside the caller's transaction, as multi-row statements of
    /// `rowsPerStatement`. Returns how many rows were inserted or changed.
    static func upsertAttendeeRows(_ db: Database, _ rows: [[DatabaseValue]]) throws -> Int {
        var changed = 0
        var start = 0
        while start < rows.count {
            let chunk = rows[start..<min(start + rowsPerStatement, rows.count)]
            let statement = try db.cachedStatement(sql: upsertSQL(rowCount: chunk.count))
            try statement.execute(arguments: StatementArguments(Array(chunk.joined())))
            changed += db.changesCount
            start += chunk.count
        }
        return changed
    }

    /// Merges each full-text index into one segment. FTS5 adds a segment per statement that
    /// wrote to it (a bulk upsert: one per `rowsPerStatement` rows) and merges them only
    /// gradually, and a search looks every trigram up in every segment: with the eleven
    /// segments 100,000 attendees loaded in ten batches leave, a search of several words took
    /// about twice as long. So an upsert that changed `rowsPerStatement` rows or more ends with
    /// this, in its transaction; it rewrites the indexes, about a second for 100,000 attendees.
    /// Smaller upserts leave it to FTS5's automatic merging.
    static func optimizeSearchIndexes(_ db: Database) throws {
        for table in ["attendee_name_search", "attendee_email_search", "attendee_company_search"] {
            try db.execute(sql: "INSERT INTO \(table)(\(table)) VALUES ('optimize')")
        }
    }

    /// 1,000 rows of 10 values stay well under SQLite's default limit of 32,766 bound parameters.
    static let rowsPerStatement = 1_000

    /// The cache's columns that an upsert writes, in the order `attendeeRows` gives values.
    static let attendeeColumns = """
        attendee_id, event_slug, record, first_folded, last_folded, preferred_folded, email_folded, company_folded, \
        name_text, updated_at
        """

    static func upsertSQL(rowCount: Int) -> String {
        let row = "(" + Array(repeating: "?", count: 10).joined(separator: ", ") + ")"
        return """
            INSERT INTO attendee (\(attendeeColumns))
            VALUES \(Array(repeating: row, count: rowCount).joined(separator: ", "))
            \(upsertConflictClause)
            """
    }

    /// An attendee already cached takes the new values only when its record changed, so the
    /// update triggers (and the full-text indexes) see only real changes.
    static let upsertConflictClause = """
        ON CONFLICT (attendee_id) DO UPDATE SET
            event_slug = excluded.event_slug, record = excluded.record,
            first_folded = excluded.first_folded, last_folded = excluded.last_folded,
            preferred_folded = excluded.preferred_folded, email_folded = excluded.email_folded,
            company_folded = excluded.company_folded, name_text = excluded.name_text,
            updated_at = excluded.updated_at
        WHERE record IS NOT excluded.record
        """

    public func attendee(id: String) throws(StoreError) -> Attendee? {
        try read { db in
            guard let record = try Data.fetchOne(db, sql: "SELECT record FROM attendee WHERE attendee_id = ?", arguments: [id])
            else { return nil }
            return try Self.decodeAttendee(record)
        }
    }

    public func attendeeCount() throws(StoreError) -> Int {
        try read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attendee") ?? 0 }
    }

    static func decodeAttendee(_ record: Data, using decoder: JSONDecoder = JSONDecoder()) throws -> Attendee {
        do { return try decoder.decode(Attendee.self, from: record) } catch {
            throw StoreError(.corruptRecord, "a cached attendee cannot be read back", cause: "\(error)")
        }
    }
}

extension LanyardStore {
    /// Runs SQL as given, in one write transaction, with `arguments` bound in order: how the
    /// migration tests put rows in an older schema (an attendee cache as v7 left it) before
    /// today's migrations upgrade it. Nothing outside the package can call it.
    package func executeRawSQL(_ sql: String, arguments: [String?] = []) throws(StoreError) {
        try write { db in try db.execute(sql: sql, arguments: StatementArguments(arguments)) }
    }
}
