import Foundation
import LanyardSupport
import Sync

/// The decisions both stores make alike, kept out of their SQL so the two cannot drift: which
/// check-in counts, what a report does to an agent's record, how a page of the change log is cut.
enum StoreRules {
    /// A check-in's place in the order that decides the winner.
    static func rank(_ item: CheckInUpload) -> (Int64, String) { (RegistryJSON.microseconds(item.scannedAt), item.nonce) }

    /// Earlier scan first; at the same microsecond, the nonce whose UTF-8 bytes sort first (as
    /// SQLite's BINARY collation and PostgreSQL's "C" collation sort them).
    static func precedes(_ a: (Int64, String), _ b: (Int64, String)) -> Bool {
        if a.0 != b.0 { return a.0 < b.0 }
        return a.1.utf8.lexicographicallyPrecedes(b.1.utf8)
    }

    /// The new check-ins of a batch, earliest first: an attendee scanned twice in one batch gets
    /// one change, not two.
    static func inWinningOrder(_ items: [CheckInUpload]) -> [CheckInUpload] {
        items.sorted { precedes(rank($0), rank($1)) }
    }

    /// Each (event, attendee) a batch names, once, in the order first named: whose winner the
    /// answer tells.
    static func namedAttendees(_ items: [CheckInUpload]) -> [(event: String, attendeeID: String)] {
        var named = Set<[String]>()
        return items.filter { named.insert([$0.event, $0.attendeeID]).inserted }.map { ($0.event, $0.attendeeID) }
    }

    /// The agent's record as stored: the key its first report carried, its last accepted report.
    struct KnownAgent {
        var publicKey: String
        var sentAtMicroseconds: Int64
        var payload: Data
    }

    enum ReportDecision: Equatable {
        /// No record yet: the report's key is trusted from now on.
        case firstReport
        /// The very same report again (a lost answer): only `last_seen` may move.
        case duplicate
        /// A newer report: it replaces the stored one.
        case accept
    }

    /// What a verified report does to the agent's record; a key other than the one first seen
    /// and a report not newer than the last one accepted are refused.
    static func decide(_ report: AgentReport, payload: Data, known: KnownAgent?) throws(RegistryError) -> ReportDecision {
        guard let known else { return .firstReport }
        let key = report.publicKey.lowercased()
        guard known.publicKey == key else {
            throw RegistryError(
                .agentKeyMismatch,
                "agent \(report.agentID) reported before with another key; an operator must forget the agent before it can use a new one",
                detail: "known key \(known.publicKey.prefix(16))…, this report \(key.prefix(16))…")
        }
        let sentAt = RegistryJSON.microseconds(report.sentAt)
        if sentAt == known.sentAtMicroseconds, known.payload == payload { return .duplicate }
        guard sentAt > known.sentAtMicroseconds else {
            throw RegistryError(
                .reportReplayed, "the report is not newer than the last one accepted from \(report.agentID)",
                detail: "sent_at \(Timestamps.iso8601(report.sentAt)), last accepted "
                    + Timestamps.iso8601(RegistryJSON.date(microseconds: known.sentAtMicroseconds)))
        }
        return .accept
    }

    /// Refuses a cursor the store never gave out: the kiosk's list came from elsewhere (another
    /// registry, a database restored from an older backup) and no delta can follow it.
    static func checkCursor(_ since: Int64, last: Int64) throws(RegistryError) {
        guard since >= 0, since <= last else {
            throw RegistryError(
                .cursorAhead, "cursor \(since) is not one this registry gave out (its last is \(last))", detail: "since")
        }
    }

    /// A page from up to `limit + 1` entries read after `since`: the extra one only says more follow.
    static func page(event: String, since: Int64, limit: Int, entries: [AttendeeChangeEntry]) -> AttendeeChangePage {
        let changes = Array(entries.prefix(max(1, limit)))
        return AttendeeChangePage(
            event: event, fromCursor: since, toCursor: changes.last?.cursor ?? since, more: entries.count > changes.count,
            changes: changes)
    }

    /// One row of the change log, as both stores read it.
    static func entry(
        cursor: Int64, op: String, attendeeID: String, registration: String?, nonce: String?, kioskID: String?, scannedAt: Int64?
    ) -> AttendeeChangeEntry? {
        guard let operation = AttendeeChangeEntry.Operation(rawValue: op) else { return nil }
        return AttendeeChangeEntry(
            cursor: cursor, op: operation, attendeeID: attendeeID, registration: registration, nonce: nonce, kioskID: kioskID,
            scannedAt: scannedAt.map(RegistryJSON.date(microseconds:)))
    }

    static func resolution(attendeeID: String, nonce: String, kioskID: String, scannedAt: Int64) -> CheckInResolution {
        CheckInResolution(attendeeID: attendeeID, nonce: nonce, kioskID: kioskID, scannedAt: RegistryJSON.date(microseconds: scannedAt))
    }
}
