public import Badges
public import Foundation
internal import GRDB

/// The event's attendee list, kept locally so check-in works with the network down. Each
/// attendee is stored whole (JSON, the contract's field names) beside folded copies of the
/// searched fields; triggers keep the full-text index in step with every insert, update and
/// delete, inside the same transaction.
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
        if let blank = attendees.firstIndex(where: { $0.attendeeID.isEmpty }) {
            throw StoreError(.invalidValue, "attendee \(blank) of the batch has no attendee_id")
        }
        guard !attendees.isEmpty else { return 0 }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var rows: [[(any DatabaseValueConvertible)?]] = []
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
            let joined = SearchFolding.writtenWithoutSpaces(first + last)
            rows.append([
                attendee.attendeeID, attendee.eventSlug, record, first, last, preferred,
                SearchFolding.fold(attendee.email), SearchFolding.fold(attendee.company ?? ""),
                joined ? last + first : "", joined ? first + last : "",
                SearchFolding.nameText(first: first, last: last, preferred: preferred), stamp,
            ])
        }
        return try write { db in
            var changed = 0
            var start = 0
            while start < rows.count {
                let chunk = rows[start..<min(start + Self.rowsPerStatement, rows.count)]
                let statement = try db.cachedStatement(sql: Self.upsertSQL(rowCount: chunk.count))
                try statement.execute(arguments: StatementArguments(Array(chunk.joined())))
                changed += db.changesCount
                start += chunk.count
            }
            return changed
        }
    }

    /// 1,000 rows of 12 values stay well under SQLite's default limit of 32,766 bound parameters.
    static let rowsPerStatement = 1_000

    static func upsertSQL(rowCount: Int) -> String {
        let row = "(" + Array(repeating: "?", count: 12).joined(separator: ", ") + ")"
        return """
            INSERT INTO attendee (attendee_id, event_slug, record, first_folded, last_folded, preferred_folded,
                                  email_folded, company_folded, family_given_folded, given_family_folded,
                                  name_text, updated_at)
            VALUES \(Array(repeating: row, count: rowCount).joined(separator: ", "))
            ON CONFLICT (attendee_id) DO UPDATE SET
                event_slug = excluded.event_slug, record = excluded.record,
                first_folded = excluded.first_folded, last_folded = excluded.last_folded,
                preferred_folded = excluded.preferred_folded, email_folded = excluded.email_folded,
                company_folded = excluded.company_folded, family_given_folded = excluded.family_given_folded,
                given_family_folded = excluded.given_family_folded, name_text = excluded.name_text,
                updated_at = excluded.updated_at
            WHERE record IS NOT excluded.record
            """
    }

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

    static func decodeAttendee(_ record: Data) throws -> Attendee {
        do { return try JSONDecoder().decode(Attendee.self, from: record) } catch {
            throw StoreError(.corruptRecord, "a cached attendee cannot be read back", cause: "\(error)")
        }
    }
}
