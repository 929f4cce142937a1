public import Attendees
import Foundation
internal import GRDB

extension LanyardStore {
    /// Records how an attendee's name is to be shown, and a `attendee.name_correction` audit
    /// entry (who and why; the names themselves stay in the correction table, not the audit
    /// trail) in the same transaction. The registration is not changed.
    @discardableResult
    public func recordNameCorrection(_ correction: NameCorrection) throws(StoreError) -> NameCorrection {
        try write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM attendee WHERE attendee_id = ?", arguments: [correction.attendeeID]) != nil
            else {
                throw StoreError(.notFound, "no attendee \(correction.attendeeID)")
            }
            try NameCorrectionRow(correction).insert(db)
            var details = ["by": correction.actor == "kiosk" ? "attendee" : "staff"]
            details["reason"] = correction.reason
            _ = try Self.audit(
                db, action: "attendee.name_correction", actor: correction.actor, subject: "attendee:\(correction.attendeeID)",
                details: details, now: correction.recordedAt)
            return correction
        }
    }

    /// The correction in force for an attendee (the latest), if any.
    public func nameCorrection(attendeeID: String) throws(StoreError) -> NameCorrection? {
        try read { db in
            try NameCorrectionRow.filter(Column("attendee_id") == attendeeID).order(Column("id").desc).fetchOne(db)?.correction
        }
    }

    /// The attendee as their badge shows them: with the correction in force applied.
    public func shown(_ attendee: Attendee) throws(StoreError) -> Attendee {
        try nameCorrection(attendeeID: attendee.attendeeID)?.applied(to: attendee) ?? attendee
    }
}

/// The table row; GRDB stays an implementation detail of this module.
private struct NameCorrectionRow: Codable, FetchableRecord, PersistableRecord, StoredDateRecord {
    static let databaseTableName = "name_correction"

    var attendeeID: String
    var firstName: String
    var lastName: String
    var actor: String
    var reason: String?
    var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case attendeeID = "attendee_id", firstName = "first_name", lastName = "last_name", actor, reason
        case recordedAt = "recorded_at"
    }

    init(_ correction: NameCorrection) {
        (attendeeID, firstName, lastName, actor, reason, recordedAt) =
            (correction.attendeeID, correction.firstName, correction.lastName, correction.actor, correction.reason, correction.recordedAt)
    }

    var correction: NameCorrection {
        NameCorrection(
            attendeeID: attendeeID, firstName: firstName, lastName: lastName, actor: actor, reason: reason, recordedAt: recordedAt)
    }
}
