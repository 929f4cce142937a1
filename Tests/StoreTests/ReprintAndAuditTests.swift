import Attendees
import Foundation
import Store
import Testing

@Suite struct ReprintAndAuditTests {
    static let attendeeID = "3f1c5b8e-0000-4000-8000-000000000001"

    func printedJob(_ store: LanyardStore, key: String = "scan-1") throws -> PrintJob {
        let id = try store.enqueue(newJob(key), maxQueued: 10, now: .start).job.id
        _ = try store.claimNextJob(printerID: "zd621-front", now: .start)
        try store.markSent(id: id, now: .start)
        return try store.markPrinted(id: id, now: .start)
    }

    @Test func aReprintIsANewJobPointingAtTheFirstCountedAndAudited() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let original = try printedJob(store)
        #expect(try store.reprintCount(of: original.id) == 0)

        let reprint = try store.enqueueReprint(
            of: original.id, idempotencyKey: "reprint-1", actor: "operator-7",
            reason: "ribbon wrinkle", now: .start.plus(60))
        guard case let .accepted(job) = reprint else {
            Issue.record("the reprint is accepted")
            return
        }
        #expect(job.id != original.id && job.state == .queued && job.reprintOf == original.id)
        #expect(job.payload == original.payload && job.attendeeID == original.attendeeID && job.printerID == original.printerID)
        #expect(try store.reprintCount(of: original.id) == 1)

        // The same reprint request twice is one reprint.
        let doubleClick = try store.enqueueReprint(
            of: original.id, idempotencyKey: "reprint-1", actor: "operator-7",
            reason: "ribbon wrinkle", now: .start.plus(61))
        #expect(doubleClick == .duplicate(job))
        #expect(try store.reprintCount(of: original.id) == 1)

        // A reprint of the reprint counts against the first job, on the printer asked for.
        _ = try store.claimNextJob(printerID: "zd621-front", now: .start.plus(62))
        try store.markSent(id: job.id, now: .start.plus(63))
        try store.markPrinted(id: job.id, now: .start.plus(64))
        let again = try store.enqueueReprint(
            of: job.id, idempotencyKey: "reprint-2", actor: "operator-9",
            reason: "badge lost", printerID: "zd421-side", now: .start.plus(70)
        ).job
        #expect(again.reprintOf == original.id && again.printerID == "zd421-side")
        #expect(try store.reprintCount(of: original.id) == 2 && store.reprintCount(of: again.id) == 2)

        let entries = try store.auditEntries(limit: 10)
        #expect(entries.count == 2, "one entry per accepted reprint, none for the duplicate")
        #expect(entries.map(\.action) == ["job.reprint", "job.reprint"])
        #expect(entries[0].actor == "operator-9" && entries[0].subject == "job:\(again.id)" && entries[0].at == .start.plus(70))
        #expect(entries[0].details["reprint_number"] == "2" && entries[0].details["original_job"] == String(job.id))
        #expect(entries[0].details["first_job"] == String(original.id) && entries[0].details["reason"] == "badge lost")
        #expect(entries[1].details["attendee_id"] == Self.attendeeID)
        #expect(again.history.first?.note?.contains("operator-9") == true)
    }

    @Test func onlyFinishedJobsCanBeReprinted() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let queued = try store.enqueue(newJob("q"), maxQueued: 10).job.id
        expectStoreError(.jobNotFinished) { () throws(StoreError) in
            try store.enqueueReprint(of: queued, idempotencyKey: "r", actor: "op", reason: "why")
        }
        expectStoreError(.notFound) { () throws(StoreError) in
            try store.enqueueReprint(of: 999, idempotencyKey: "r", actor: "op", reason: "why")
        }
        expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.enqueueReprint(of: queued, idempotencyKey: "r", actor: "", reason: "why")
        }
        expectStoreError(.notFound) { () throws(StoreError) in try store.reprintCount(of: 999) }
        #expect(try store.auditEntries(limit: 10).isEmpty)
        // A cancelled or reviewed job can be reprinted: an operator decided it should exist.
        try store.cancel(id: queued, reason: "wrong printer")
        #expect(try store.enqueueReprint(of: queued, idempotencyKey: "r", actor: "op", reason: "why").job.reprintOf == queued)
    }

    /// The audit trail holds ids only: after caching an attendee and reprinting their badge, none
    /// of their name parts or their email is anywhere in the audit table.
    @Test func auditingAReprintWritesNoNameOrEmail() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let attendee = Attendee(
            attendeeID: Self.attendeeID, source: "tito", sourceID: "T-1", eventSlug: "swiftconf",
            firstName: "Wilhelmina", lastName: "Oyelaran-Hargreaves", preferredName: "Mina",
            email: "w.oyelaran@example.org", company: "Acme", ticketType: "Speaker", accessTier: .speaker)
        try store.upsertAttendees([attendee])
        let original = try printedJob(store)
        _ = try store.enqueueReprint(of: original.id, idempotencyKey: "reprint-1", actor: "operator-7", reason: "smudged")

        // The table as stored, every column of every row.
        let rows = try store.tableContents("audit_entry")
        #expect(rows.count == 1)
        #expect(try store.tableContents("attendee").description.contains("Wilhelmina"), "the name is in the store, just not here")
        let stored = rows.flatMap { $0.keys.map { $0 } + $0.values.map { $0 } }.joined(separator: "\n")
        #expect(stored.contains(Self.attendeeID), "the attendee's id is there, so the dump does see the entry")
        for secret in ["Wilhelmina", "Oyelaran", "Hargreaves", "Mina", "w.oyelaran", "wilhelmina", "oyelaran", "mina"] {
            #expect(!stored.contains(secret), "the audit trail contains '\(secret)'")
        }
    }

    @Test func auditEntriesAreNewestFirstAndValidated() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        try store.audit(action: "printer.tune", actor: "tech-2", subject: "printer:D4J123", details: ["darkness": "22"], now: .start)
        try store.audit(action: "job.cancel", actor: "operator-1", subject: "job:5", now: .start.plus(1))
        let entries = try store.auditEntries(limit: 10)
        #expect(entries.map(\.action) == ["job.cancel", "printer.tune"])
        #expect(entries[1].details == ["darkness": "22"] && entries[0].details.isEmpty)
        #expect(try store.auditEntries(limit: 1).map(\.action) == ["job.cancel"])
        expectStoreError(.invalidValue) { () throws(StoreError) in try store.audit(action: "", actor: "x", subject: "y") }
    }
}
