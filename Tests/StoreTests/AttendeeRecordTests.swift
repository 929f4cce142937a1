import Attendees
import Foundation
import Testing

@testable import Store

/// The cache's hand-written attendee JSON must be exactly what `JSONEncoder` with `.sortedKeys`
/// writes: rows stored by earlier releases are compared byte for byte to decide whether an
/// upsert changes them.
@Suite struct AttendeeRecordTests {
    static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }

    static let everything = Attendee(
        attendeeID: "3f1c5b8e-0000-4000-8000-000000000001", source: "crm/eu", sourceID: "A/7", eventSlug: "devcon-2026",
        firstName: "Zoë \"Z\"", lastName: "Ångström\\Müller", preferredName: "Z/Z", email: "zoe@uppsala.example",
        company: "Nordisk Energi A/S", jobTitle: "Head\tof\nthings\u{1}\u{1F}\u{7F}", ticketType: "VIP", accessTier: .vip,
        track: "عربي", sessions: ["keynote", "a/b", ""], dietary: ["vegan"], accessibility: ["wheelchair", "漢字"],
        pronouns: "she/her", locale: "sv-SE", registeredAt: Date(timeIntervalSince1970: 1_790_000_000.123),
        registeredAtUTCOffsetSeconds: -16_200,
        custom: ["seat": "A12", "B": "upper", "é": "accent", "aa": "2", "a": "1", "emoji": "😀\u{2028}"])

    @Test func writesWhatJSONEncoderWrites() throws {
        var attendees = SyntheticRoster.attendees(count: 2_000, seed: 7)
        attendees.append(Self.everything)
        var bare = Self.everything
        (bare.company, bare.firstName, bare.lastName, bare.preferredName, bare.jobTitle) = (nil, nil, nil, nil, nil)
        (bare.track, bare.pronouns, bare.locale, bare.registeredAt, bare.registeredAtUTCOffsetSeconds) = (nil, nil, nil, nil, nil)
        (bare.sessions, bare.dietary, bare.accessibility, bare.custom) = ([], [], [], [:])
        attendees.append(bare)
        for seconds in [0, 12, -5.5, 0.1, 1e-7, 1e16, 812_345_678.123, 1.2345678901234568e17] {
            var dated = bare
            dated.registeredAt = Date(timeIntervalSinceReferenceDate: seconds)
            dated.registeredAtUTCOffsetSeconds = 0
            attendees.append(dated)
        }
        let encoder = Self.encoder()
        for attendee in attendees {
            let ours = try #require(AttendeeRecord.encode(attendee))
            let theirs = try encoder.encode(attendee)
            #expect(ours == theirs, "\(String(decoding: ours, as: UTF8.self)) != \(String(decoding: theirs, as: UTF8.self))")
            #expect(try JSONDecoder().decode(Attendee.self, from: ours) == attendee)
        }
    }

    /// A field added to `Attendee` must be added to `AttendeeRecord.encode` too, or it would be
    /// silently dropped from the cache.
    @Test func knowsEveryFieldOfAttendee() {
        #expect(Mirror(reflecting: Self.everything).children.count == AttendeeRecord.fieldCount)
    }

    /// A batch large enough to be prepared on several threads lands whole and in order: every
    /// attendee readable and findable under its own id.
    @Test func aLargeBatchIsPreparedInPartsAndStoredWhole() throws {
        let attendees = SyntheticRoster.attendees(count: AttendeeRows.attendeesPerPart * 3 + 17, seed: 11)
        let rows = try AttendeeRows(attendees, now: Date(timeIntervalSince1970: 1_790_000_000))
        #expect(rows.count == attendees.count)
        #expect(rows.batches.dropLast().allSatisfy { $0.rowCount == AttendeeRows.batchSize }, "only the last batch is short")
        let database = TemporaryDatabase()
        let store = try database.open()
        #expect(try store.upsertAttendees(attendees) == attendees.count)
        for index in [0, 1, AttendeeRows.attendeesPerPart - 1, AttendeeRows.attendeesPerPart, attendees.count / 2, attendees.count - 1] {
            let attendee = attendees[index]
            #expect(try store.attendee(id: attendee.attendeeID) == attendee)
            #expect(try store.searchAttendees(attendee.email, limit: 20).contains { $0.attendee == attendee }, "\(attendee.email)")
        }
    }

    /// Multi-row statements come in a few sizes, each holding every row it is used for.
    @Test func statementSizesAreFewAndLargeEnough() {
        let sizes = (1...2_500).map { LanyardStore.statementRows(for: $0, limit: 1_000) }
        #expect(Set(sizes).count <= 11)
        #expect(zip(1...2_500, sizes).allSatisfy { rows, size in size >= min(rows, 1_000) && size <= 1_000 })
        #expect(LanyardStore.statementRows(for: 800, limit: 1_000) == 1_000 && LanyardStore.statementRows(for: 100, limit: 1_000) == 128)
        #expect(LanyardStore.padded([1, 2, 3, 4, 5, 6], columns: 2, to: 4) == [1, 2, 3, 4, 5, 6, 5, 6])
        #expect(LanyardStore.padded([1, 2], columns: 2, to: 1) == [1, 2])
    }
}
