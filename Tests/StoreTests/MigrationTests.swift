import Foundation
import Store
import Testing

@Suite struct MigrationTests {
    @Test func theReleasedMigrationStaysFirstAndUnchangedInName() {
        #expect(LanyardStore.knownMigrations.first == "v1-printer-tuning")
        #expect(LanyardStore.knownMigrations == [
            "v1-printer-tuning", "v2-print-jobs", "v3-dead-letters", "v4-outbox", "v5-audit-trail",
            "v6-attendee-cache", "v7-webhook-deliveries", "v8-manual-review-decisions",
        ])
    }

    /// A database as the release with only printer tuning left it (a file that release wrote,
    /// kept in Fixtures/) is upgraded in place: its tuning is kept and every new table works.
    @Test func aDatabaseWithOnlyV1IsUpgraded() throws {
        let database = TemporaryDatabase()
        let fixture = URL(filePath: #filePath).deletingLastPathComponent().appending(path: "Fixtures/v1-printer-tuning.sqlite")
        try FileManager.default.createDirectory(at: URL(filePath: database.path).deletingLastPathComponent(), withIntermediateDirectories: true)
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
}
