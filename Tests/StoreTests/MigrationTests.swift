import Attendees
import Foundation
import Store
import Testing

@Suite struct MigrationTests {
    @Test func theReleasedMigrationStaysFirstAndUnchangedInName() {
        #expect(LanyardStore.knownMigrations.first == "v1-printer-tuning")
        #expect(
            LanyardStore.knownMigrations == [
                "v1-printer-tuning", "v2-print-jobs", "v3-dead-letters", "v4-outbox", "v5-audit-trail",
                "v6-attendee-cache", "v7-webhook-deliveries", "v8-manual-review-decisions", "v9-attendee-search-by-field",
                "v10-attendee-sync", "v11-search-index-memory", "v12-job-template-release", "v13-job-state-time-index",
                "v14-name-corrections", "v15-destinations", "v16-scan-quality",
            ])
    }

    /// A database as the release with only printer tuning left it (a file that release wrote,
    /// kept in Fixtures/) is upgraded in place: its tuning is kept and every new table works.
    @Test func aDatabaseWithOnlyV1IsUpgraded() throws {
        let database = TemporaryDatabase()
        let fixture = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Fixtures/v1-printer-tuning.sqlite")
        try FileManager.default.createDirectory(
            at: URL(filePath: database.path).deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: fixture, to: URL(filePath: database.path))
        do {
            let old = try database.open(migratingUpTo: "v1-printer-tuning")
            #expect(try old.appliedMigrations() == ["v1-printer-tuning"])
            #expect(try old.currentTuning(printerKey: "D4J123")?.darkness == 24)
            expectStoreError(.queryFailed) { () throws(StoreError) in try old.queueDepth(printerID: "p") }
        }
        let upgraded = try database.open()
        #expect(try upgraded.appliedMigrations() == LanyardStore.knownMigrations)
        #expect(try upgraded.currentTuning(printerKey: "D4J123")?.darkness == 24)
        #expect(try upgraded.currentTuning(printerKey: "D4J123")?.recordedAt == .start)
        try upgraded.recordTuning(printerKey: "D4J123", profileID: nil, darkness: 26, speedIPS: nil, reason: "after upgrade")
        #expect(try upgraded.auditEntries(limit: 5).first?.details["previous_darkness"] == "24")
        #expect(try upgraded.enqueue(newJob("after-upgrade"), maxQueued: 5).job.state == .queued)
        #expect(try upgraded.recordDelivery(source: "s", deliveryID: "d"))
        try upgraded.upsertAttendees(SyntheticRoster.attendees(count: 3, seed: 1))
        #expect(try upgraded.attendeeCount() == 3)
    }

    /// An attendee cache as v7 left it — the rows its upsert wrote, with the old single
    /// full-text index kept by its triggers — is searchable after the upgrade, by every
    /// kind of match, and the new triggers keep the new indexes in step.
    @Test func aV7AttendeeCacheIsUpgradedToTheSearchByField() throws {
        let database = TemporaryDatabase()
        let people = [
            AttendeeSearchTests.person(
                1, first: "Zoë", last: "Ångström-Müller", email: "zoe@uppsala.example", company: "Łódź Spółka z o.o."),
            AttendeeSearchTests.person(2, first: "Jürgen", last: "Müller", email: "j.mueller@acme.example", company: "Acme GmbH"),
            AttendeeSearchTests.person(3, first: "娜娜", last: "欧阳", company: "中国科学院计算技术研究所"),
        ]
        // The folded columns as v7's upsert computed them.
        let folded: [[String]] = [
            [
                "zoe", "angstrom muller", "", "zoe@uppsala.example", "lodz spolka z o.o.", "", "",
                "zoe angstrom muller\nangstrom muller zoe",
            ],
            ["jurgen", "muller", "", "j.mueller@acme.example", "acme gmbh", "", "", "jurgen muller\nmuller jurgen"],
            [
                "娜娜", "欧阳", "", "person3@example.org", "中国科学院计算技术研究所", "欧阳娜娜", "娜娜欧阳",
                "娜娜 欧阳\n欧阳 娜娜\n欧阳娜娜\n娜娜欧阳",
            ],
        ]
        do {
            let old = try database.open(migratingUpTo: "v7-webhook-deliveries")
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys]
            for (person, columns) in zip(people, folded) {
                let record = String(decoding: try encoder.encode(person), as: UTF8.self)
                try old.executeRawSQL(
                    """
                    INSERT INTO attendee (attendee_id, event_slug, record, first_folded, last_folded, preferred_folded,
                                          email_folded, company_folded, family_given_folded, given_family_folded,
                                          name_text, updated_at)
                    VALUES (?, ?, CAST(? AS BLOB), ?, ?, ?, ?, ?, ?, ?, ?, '2026-09-21 12:00:00.000')
                    """, arguments: [person.attendeeID, person.eventSlug, record] + columns)
            }
            #expect(try old.tableContents("attendee_search").count == 3, "v7's index holds the rows")
        }

        let upgraded = try database.open()
        #expect(try upgraded.appliedMigrations() == LanyardStore.knownMigrations)
        #expect(try upgraded.attendeeCount() == 3)
        #expect(try upgraded.attendee(id: people[0].attendeeID) == people[0])
        let columns = try #require(try upgraded.tableContents("attendee").first).keys
        #expect(!columns.contains("family_given_folded") && !columns.contains("given_family_folded"))

        func found(_ query: String) throws -> [String] {
            try upgraded.searchAttendees(query, limit: 10).map { "\($0.attendee.sourceID) \($0.kind)" }
        }
        #expect(try found("muller") == ["2 exactName", "1 namePrefix"])
        #expect(try found("欧阳娜娜") == ["3 exactName"])
        #expect(try found("z") == ["1 namePrefix"])
        #expect(try found("ngstr") == ["1 nameContains"])
        #expect(try found("uppsala") == ["1 email"])
        #expect(try found("lodz") == ["1 company"])
        #expect(try found("zoe lodz") == ["1 severalFields"])

        var renamed = people[1]
        renamed.lastName = "Schäfer"
        renamed.email = "j.schaefer@initech.example"
        try upgraded.upsertAttendees([renamed, AttendeeSearchTests.person(4, first: "Ann", last: "Lee")])
        #expect(try found("muller") == ["1 namePrefix"], "the old name left the index")
        #expect(try found("schafer") == ["2 exactName"])
        #expect(try found("mueller").isEmpty, "and the old email too")
        #expect(try found("initech") == ["2 email"])
        #expect(try found("ann") == ["4 exactName"])
    }
}
