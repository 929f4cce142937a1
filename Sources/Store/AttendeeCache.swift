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
    @discardableResult
    public func upsertAttendees(_ attendees: [Attendee], now: Date = Date()) throws(StoreError) -> Int {
        if let blank = attendees.firstIndex(where: { $0.attendeeID.isEmpty }) {
            throw StoreError(.invalidValue, "attendee \(blank) of the batch has no attendee_id")
        }
        guard !attendees.isEmpty else { return 0 }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return try write { db in
            let statement = try db.makeStatement(sql: """
                INSERT INTO attendee (attendee_id, event_slug, record, first_folded, last_folded, preferred_folded,
                                      email_folded, company_folded, name_text, updated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                ON CONFLICT (attendee_id) DO UPDATE SET
                    event_slug = excluded.event_slug, record = excluded.record,
                    first_folded = excluded.first_folded, last_folded = excluded.last_folded,
                    preferred_folded = excluded.preferred_folded, email_folded = excluded.email_folded,
                    company_folded = excluded.company_folded, name_text = excluded.name_text,
                    updated_at = excluded.updated_at
                WHERE record IS NOT excluded.record
                """)
            var changed = 0
            for attendee in attendees {
                let record = try encoder.encode(attendee)
                let first = SearchFolding.fold(attendee.firstName ?? "")
                let last = SearchFolding.fold(attendee.lastName ?? "")
                let preferred = SearchFolding.fold(attendee.preferredName ?? "")
                let nameText = SearchFolding.nameText(first: first, last: last, preferred: preferred)
                try statement.execute(arguments: [
                    attendee.attendeeID, attendee.eventSlug, record, first, last, preferred,
                    SearchFolding.fold(attendee.email), SearchFolding.fold(attendee.company ?? ""), nameText, now,
                ])
                changed += db.changesCount
            }
            return changed
        }
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
