public import Attendees
public import Foundation
internal import GRDB
public import LanyardSupport

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
        let rows = try AttendeeRows(attendees, now: now)
        guard rows.count > 0 else { return 0 }
        return try write { db in
            let changed = try Self.upsertAttendeeRows(db, rows)
            if changed >= Self.rowsPerStatement { try Self.optimizeSearchIndexes(db) }
            return changed
        }
    }

    /// Writes prepared rows inside the caller's transaction, one multi-row statement per batch.
    /// Returns how many rows were inserted or changed.
    static func upsertAttendeeRows(_ db: Database, _ rows: AttendeeRows) throws -> Int {
        var changed = 0
        for batch in rows.batches {
            // The statement is made for exactly this many rows of `columnCount` values.
            let statement = try db.cachedStatement(sql: upsertSQL(rowCount: batch.statementRows))
            statement.setUncheckedArguments(batch.arguments)
            try statement.execute()
            changed += db.changesCount
        }
        return changed
    }

    /// How many rows a multi-row statement for `rows` rows is written for: `rows` rounded up
    /// to a power of two, at most `limit`. Each row count is different SQL; compiling an
    /// 800-row upsert for every delta cost about 15 ms, and caching a statement for every count
    /// deltas bring would grow the cache for as long as the agent runs. So statements come in
    /// these few sizes, and the rows beyond `rows` repeat the last row: an upsert of the same
    /// row twice changes nothing the second time (its record is identical), a removal of the
    /// same id twice removes it once.
    static func statementRows(for rows: Int, limit: Int) -> Int {
        guard rows < limit else { return limit }
        var size = 1
        while size < rows { size *= 2 }
        return min(size, limit)
    }

    /// `values` (`columns` per row) padded to `statementRows` rows by repeating the last row.
    static func padded<Value>(_ values: [Value], columns: Int, to statementRows: Int) -> [Value] {
        let rows = values.count / columns
        guard rows > 0, statementRows > rows else { return values }
        var result = values
        result.reserveCapacity(statementRows * columns)
        let last = values.suffix(columns)
        for _ in rows..<statementRows { result.append(contentsOf: last) }
        return result
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
            throw StoreError(.corruptRecord, "a cached attendee cannot be read back", underlying: error)
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
