import Attendees
import Badges
import Foundation
import Testing

/// The shared registration fixtures: every JSONL record is classified by its `_defect` label and
/// its outcome checked against the intake policy; the CSV export must agree with the JSONL.
@Suite("Intake over the registration fixtures")
struct IntakeFixtureTests {
    typealias Support = IntakeTestSupport

    struct RawRecord {
        var line: Int
        var fields: [String: Any]
        var defect: String? { fields["_defect"] as? String }
        func string(_ key: String) -> String? { fields[key] as? String }
        var sourceKey: String? {
            guard let source = string("source"), let id = fields["source_id"] else { return nil }
            return "\(source)|\(id)"
        }
    }

    static func rawRecords() throws -> [RawRecord] {
        let data = try Data(contentsOf: try Support.fixtureURL("registrations", "jsonl"))
        return try JSONLReader(data: data).map { line in
            let object = try JSONSerialization.jsonObject(with: line.bytes)
            return RawRecord(line: line.number, fields: try #require(object as? [String: Any]))
        }
    }

    static func jsonlOutcomes() throws -> (records: [RawRecord], outcomes: [IntakeOutcome]) {
        var session = try Support.intake().makeSession()
        let batch = try session.acceptJSONLines(in: try Support.fixtureURL("registrations", "jsonl"))
        let records = try rawRecords()
        #expect(batch.outcomes.count == records.count)
        return (records, batch.outcomes)
    }

    @Test("Every labelled record gets the outcome the policy prescribes")
    func everyRecordClassified() throws {
        let (records, outcomes) = try Self.jsonlOutcomes()
        #expect(records.count == 1200)
        let tierKeys = Set(EventConfiguration.defaultTierMapping.keys.map { $0.lowercased() })
        var acceptedKeys: Set<String> = []
        var checked: [String: Int] = [:]

        for (record, outcome) in zip(records, outcomes) {
            let context = Comment(rawValue: "line \(record.line) (\(record.defect ?? "clean")): \(outcome.issues)")
            let attendee = outcome.attendee
            let warningCodes = Set(outcome.warnings.map(\.code))
            let firstTime = record.sourceKey.map { !acceptedKeys.contains($0) } ?? true
            checked[record.defect ?? "clean", default: 0] += 1

            switch record.defect {
            case nil:
                #expect(attendee != nil, context)
                #expect(outcome.issues.isEmpty, context)
            case "email-case":
                let raw = try #require(record.string("email")).trimmingCharacters(in: .whitespaces)
                let at = try #require(raw.firstIndex(of: "@"))
                #expect(attendee?.email == String(raw[..<at]) + raw[at...].lowercased(), context)
                #expect(outcome.has(.recased, at: "email"), context)
            case "padding":
                #expect(
                    attendee?.firstName == record.string("first_name")?.trimmingCharacters(in: .whitespaces),
                    context)
                #expect(
                    attendee?.lastName == record.string("last_name")?.trimmingCharacters(in: .whitespaces),
                    context)
                #expect(outcome.has(.strippedCharacters, at: "first_name"), context)
                #expect(outcome.has(.strippedCharacters, at: "last_name"), context)
            case "sessions-string":
                let raw = try #require(record.string("sessions"))
                #expect(attendee?.sessions == raw.split(separator: ",").map(String.init), context)
                #expect(outcome.has(.coerced, at: "sessions"), context)
            case "null-sessions":
                #expect(attendee?.sessions == [], context)
                #expect(outcome.has(.coerced, at: "sessions"), context)
            case "unknown-field":
                #expect(attendee != nil, context)
                #expect(outcome.has(.unknownField, at: "favourite_colour"), context)
            case "no-first-name":
                #expect(attendee != nil && attendee?.firstName == nil, context)
            case "no-last-name":
                #expect(attendee != nil && attendee?.lastName == nil, context)
            case "unknown-ticket":
                let raw = try #require(record.string("ticket_type"))
                let normalised = TextNormalization.normalize(raw).value.lowercased()
                if tierKeys.contains(normalised) {
                    #expect(
                        attendee?.accessTier.rawValue == (normalised == "general admission" ? "general" : normalised),
                        context)
                } else {
                    #expect(outcome.errorCodes == [.unknownTicketType], context)
                    #expect(outcome.has(.unknownTicketType, at: "ticket_type"), context)
                }
            case "caps", "lower":
                let rawFirst = try #require(record.string("first_name"))
                let rawLast = try #require(record.string("last_name"))
                #expect(attendee != nil, context)
                if NameCasing.isLatinScript(rawFirst) {
                    for (path, raw, cased) in [
                        ("first_name", rawFirst, attendee?.firstName),
                        ("last_name", rawLast, attendee?.lastName),
                    ] {
                        #expect(outcome.has(.recased, at: path), context)
                        #expect(cased != raw, context)
                        #expect(cased?.lowercased() == raw.lowercased(), context)
                        #expect(cased?.first?.isUppercase == true, context)
                    }
                } else {
                    #expect(!warningCodes.contains(.recased), context)
                    #expect(attendee?.firstName == rawFirst, context)
                    #expect(attendee?.lastName == rawLast, context)
                }
            case "bad-email":
                #expect(outcome.errorCodes == [.invalidEmail], context)
                #expect(outcome.has(.invalidEmail, at: "email"), context)
            case "no-email":
                #expect(outcome.errorCodes == [.missingField], context)
                #expect(outcome.has(.missingField, at: "email"), context)
            case "long-company":
                let raw = try #require(record.string("company"))
                if raw.unicodeScalars.count <= 256 {
                    #expect(attendee?.company == raw, context)
                } else {
                    #expect(outcome.has(.tooLong, at: "company"), context)
                }
            case "number-as-string":
                #expect(outcome.has(.coerced, at: "source_id"), context)
                if firstTime {
                    #expect(attendee?.sourceID == "123456", context)
                } else {
                    #expect(outcome.errorCodes == [.duplicate], context)
                }
            case "control-chars":
                #expect(attendee != nil, context)
                #expect(outcome.has(.strippedCharacters, at: "first_name"), context)
                #expect(outcome.has(.strippedCharacters, at: "company"), context)
                let cleaned = (attendee?.firstName ?? "") + (attendee?.company ?? "")
                #expect(
                    !cleaned.unicodeScalars.contains {
                        TextNormalization.isControl($0) || TextNormalization.isBidiControl($0) || $0 == "\u{200B}"
                    }, context)
            case "duplicate":
                #expect(!firstTime, "the fixture's duplicate must follow its original")
                #expect(outcome.errorCodes == [.duplicate], context)
                #expect(outcome.has(.duplicate, at: "source_id"), context)
            case "no-source-id":
                #expect(outcome.errorCodes == [.missingField], context)
                #expect(outcome.has(.missingField, at: "source_id"), context)
                #expect(outcome.errors.first?.recordID == "line \(record.line)", context)
            case "naive-timestamp":
                #expect(attendee?.registeredAtUTCOffsetSeconds == nil, context)
                #expect(attendee?.registeredAt != nil, context)
                #expect(outcome.has(.naiveTimestamp, at: "registered_at"), context)
            case "empty-name":
                #expect(outcome.errorCodes == [.emptyName], context)
            case let other?:
                Issue.record("unclassified fixture label \(other) on line \(record.line)")
            }
            if let attendee {
                acceptedKeys.insert("\(attendee.source)|\(attendee.sourceID)")
                #expect(outcome.errors.isEmpty, context)
            } else {
                #expect(!outcome.errors.isEmpty, context)
            }
            for issue in outcome.issues {
                #expect(issue.line == record.line, context)
                if let sourceID = record.fields["source_id"] {
                    #expect(issue.recordID == "\(sourceID)", context)
                }
            }
        }
        #expect(checked["clean"] == 994)
        #expect(checked.count == 20, "19 defect labels plus clean records")
    }

    @Test("Accepted fixture attendees have stable, unique ids and mapped tiers")
    func acceptedAttendees() throws {
        let (records, outcomes) = try Self.jsonlOutcomes()
        let accepted = outcomes.compactMap(\.attendee)
        #expect(Set(accepted.map(\.attendeeID)).count == accepted.count)
        for (record, outcome) in zip(records, outcomes) {
            guard let attendee = outcome.attendee, record.defect == nil else { continue }
            #expect(attendee.attendeeID == StableAttendeeID.derive(source: attendee.source, sourceID: attendee.sourceID))
            #expect(attendee.ticketType == record.string("ticket_type"))
            #expect(EventConfiguration.defaultTierMapping[attendee.ticketType] == attendee.accessTier)
            #expect(attendee.registeredAtUTCOffsetSeconds != nil)
        }
    }

    @Test("Every CSV row is accepted and matches the JSONL attendee with the same source_id")
    func csvMatchesJSONL() throws {
        var session = try Support.intake().makeSession()
        let batch = try session.acceptCSV(in: try Support.fixtureURL("registrations", "csv"))
        #expect(batch.outcomes.count == 994)
        #expect(batch.outcomes.allSatisfy { $0.isAccepted && $0.errors.isEmpty })
        #expect(batch.fileIssues.map(\.fieldPath) == ["Order #"])
        #expect(batch.fileIssues.allSatisfy { $0.code == .unknownField && $0.severity == .warning })

        let (_, outcomes) = try Self.jsonlOutcomes()
        var jsonBySourceID: [String: Attendee] = [:]
        for attendee in outcomes.compactMap(\.attendee) where jsonBySourceID[attendee.sourceID] == nil {
            jsonBySourceID[attendee.sourceID] = attendee
        }
        var compared = 0
        for csv in batch.outcomes.compactMap(\.attendee) {
            #expect(csv.source == "csv")
            guard let json = jsonBySourceID[csv.sourceID] else { continue }
            compared += 1
            let context = Comment(rawValue: csv.sourceID)
            #expect(csv.firstName == json.firstName, context)
            #expect(csv.lastName == json.lastName, context)
            #expect(csv.email == json.email, context)
            #expect(csv.accessTier == json.accessTier, context)
            #expect(csv.ticketType == json.ticketType, context)
            #expect(csv.company == json.company, context)
            #expect(csv.jobTitle == json.jobTitle, context)
            #expect(csv.track == json.track, context)
            #expect(csv.pronouns == json.pronouns, context)
            #expect(csv.dietary == json.dietary, context)
            #expect(csv.registeredAt == json.registeredAt, context)
            #expect(csv.registeredAtUTCOffsetSeconds == json.registeredAtUTCOffsetSeconds, context)
            #expect(csv.attendeeID != json.attendeeID, "the source is part of the stable id")
        }
        #expect(compared == 994)
    }
}
