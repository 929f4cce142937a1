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

    /// A database as the release with only printer tuning left it is upgraded in place: its
    /// tuning is kept and every new table works.
    @Test func aDatabaseWithOnlyV1IsUpgraded() throws {
        let database = TemporaryDatabase()
        do {
            let old = try database.open(migratingUpTo: "v1-printer-tuning")
            #expect(try old.appliedMigrations() == ["v1-printer-tuning"])
            try old.recordTuning(printerKey: "D4J123", profileID: "zebra-zd621d-300", darkness: 24, speedIPS: 4,
                                 reason: "glossy stock", at: .start)
            expectStoreError(.queryFailed) { () throws(StoreError) in try old.queueDepth(printerID: "p") }
        }
        let upgraded = try database.open()
        #expect(try upgraded.appliedMigrations() == LanyardStore.knownMigrations)
        #expect(try upgraded.currentTuning(printerKey: "D4J123")?.darkness == 24)
        #expect(try upgraded.enqueue(newJob("after-upgrade"), maxQueued: 5).job.state == .queued)
        #expect(try upgraded.recordDelivery(source: "s", deliveryID: "d"))
        try upgraded.upsertAttendees(SyntheticRoster.attendees(count: 3, seed: 1))
        #expect(try upgraded.attendeeCount() == 3)
    }
}
