import Foundation
import LanyardSupport
import Store
import Testing

@Suite struct JobQueueTests {
    @Test func theSameKeyTwiceIsOneJob() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let first = try store.enqueue(newJob("scan-42"), maxQueued: 10, now: .start)
        guard case let .accepted(job) = first else {
            Issue.record("the first enqueue is accepted")
            return
        }
        #expect(job.state == .queued && job.attempts == 0 && job.idempotencyKey == "scan-42")
        #expect(job.history == [JobTransition(from: nil, to: .queued, at: .start, note: "enqueued")])

        let again = try store.enqueue(newJob("scan-42", payload: #"{"different":true}"#), maxQueued: 10, now: .start.plus(5))
        #expect(again == .duplicate(job), "the original job comes back, unchanged")
        // Still a duplicate after the job finished, and even on another printer.
        _ = try store.claimNextJob(printerID: "zd621-front", now: .start.plus(6))
        try store.markSent(id: job.id, now: .start.plus(7))
        try store.markPrinted(id: job.id, now: .start.plus(8))
        let late = try store.enqueue(newJob("scan-42", printer: "other"), maxQueued: 10, now: .start.plus(9))
        #expect(late.isDuplicate && late.job.id == job.id && late.job.state == .printed)
        #expect(try store.stateCounts()[.printed] == 1)
        #expect(try store.stateCounts().values.reduce(0, +) == 1)
        #expect(try store.job(idempotencyKey: "scan-42")?.id == job.id)
        #expect(try store.job(idempotencyKey: "unknown") == nil)
    }

    /// A person waiting at the kiosk goes before a batch printed ahead: high, then normal, then
    /// low, each oldest first; the priority survives the round trip through the store.
    @Test func theClaimTakesTheHighestPriorityFirstThenTheOldest() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        for (key, priority) in [("batch-1", JobPriority.low), ("web-1", .normal), ("batch-2", .low), ("door-1", .high), ("web-2", .normal)]
        {
            var job = newJob(key)
            job.priority = priority
            _ = try store.enqueue(job, maxQueued: 10, now: .start)
        }
        var order: [String] = []
        while let job = try store.claimNextJob(printerID: "zd621-front", now: .start.plus(1)) {
            order.append(job.idempotencyKey)
        }
        #expect(order == ["door-1", "web-1", "web-2", "batch-1", "batch-2"])
        #expect(try store.job(idempotencyKey: "door-1")?.priority == .high)
        #expect(try store.job(idempotencyKey: "batch-2")?.priority == .low)
    }

    @Test func theQueueIsBoundedPerPrinter() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        for index in 0..<3 {
            #expect(try !store.enqueue(newJob("a\(index)"), maxQueued: 3, now: .start).isDuplicate)
        }
        #expect(try store.queueDepth(printerID: "zd621-front") == 3)
        let error = expectStoreError(.queueFull) { () throws(StoreError) in
            try store.enqueue(newJob("a3"), maxQueued: 3, now: .start)
        }
        #expect(error?.message.contains("zd621-front") == true)
        #expect(try store.job(idempotencyKey: "a3") == nil, "a refused job leaves no trace")
        // A duplicate is still answered when the queue is full; another printer is not affected.
        #expect(try store.enqueue(newJob("a0"), maxQueued: 3, now: .start).isDuplicate)
        #expect(try !store.enqueue(newJob("b0", printer: "zd421-side"), maxQueued: 3, now: .start).isDuplicate)

        // Jobs in flight still count; a finished job frees its place.
        let claimed = try #require(try store.claimNextJob(printerID: "zd621-front", now: .start))
        try store.markSent(id: claimed.id)
        expectStoreError(.queueFull) { () throws(StoreError) in try store.enqueue(newJob("a3"), maxQueued: 3, now: .start) }
        try store.markPrinted(id: claimed.id)
        #expect(try store.queueDepth(printerID: "zd621-front") == 2)
        #expect(try store.enqueue(newJob("a3"), maxQueued: 3, now: .start).job.state == .queued)
        expectStoreError(.invalidValue) { () throws(StoreError) in try store.enqueue(newJob("z"), maxQueued: 0) }
        expectStoreError(.invalidValue) { () throws(StoreError) in try store.enqueue(newJob(""), maxQueued: 3) }
        expectStoreError(.invalidValue) { () throws(StoreError) in try store.enqueue(newJob("y", printer: ""), maxQueued: 3) }
    }

    @Test func claimsTakeTheOldestDueJobOfThatPrinter() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let first = try store.enqueue(newJob("1"), maxQueued: 10, now: .start).job.id
        let second = try store.enqueue(newJob("2"), maxQueued: 10, now: .start.plus(1)).job.id
        let elsewhere = try store.enqueue(newJob("x", printer: "zd421-side"), maxQueued: 10, now: .start.plus(2)).job.id
        let third = try store.enqueue(newJob("3"), maxQueued: 10, now: .start.plus(3)).job.id

        let claim1 = try #require(try store.claimNextJob(printerID: "zd621-front", now: .start.plus(10)))
        #expect(claim1.id == first && claim1.state == .sending && claim1.attempts == 1)
        // The first fails and waits until +100; the next ones go ahead meanwhile.
        try store.scheduleRetry(id: first, error: "timeout", at: .start.plus(100), now: .start.plus(11))
        #expect(try store.claimNextJob(printerID: "zd621-front", now: .start.plus(12))?.id == second)
        #expect(try store.claimNextJob(printerID: "zd621-front", now: .start.plus(13))?.id == third)
        #expect(try store.claimNextJob(printerID: "zd621-front", now: .start.plus(99)) == nil)
        // Exactly at its retry time it is due again, and counts its second attempt.
        let retried = try #require(try store.claimNextJob(printerID: "zd621-front", now: .start.plus(100)))
        #expect(retried.id == first && retried.attempts == 2)
        #expect(try store.claimNextJob(printerID: "zd621-front", now: .start.plus(200)) == nil)
        #expect(try store.claimNextJob(printerID: "zd421-side", now: .start.plus(200))?.id == elsewhere)
        #expect(try store.jobs(in: .sending, limit: 10).map(\.id) == [first, second, elsewhere, third])
        #expect(try store.jobs(in: .sending, limit: 2).map(\.id) == [first, second])
    }

    @Test func aRetryMovesAJobBehindNothingButItsTime() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let first = try store.enqueue(newJob("1"), maxQueued: 10, now: .start).job.id
        let second = try store.enqueue(newJob("2"), maxQueued: 10, now: .start).job.id
        _ = try store.claimNextJob(printerID: "zd621-front", now: .start)
        try store.scheduleRetry(id: first, error: "usb stall", at: .start.plus(1), now: .start)
        // Once due, the older job is claimed before the younger one.
        #expect(try store.claimNextJob(printerID: "zd621-front", now: .start.plus(1))?.id == first)
        #expect(try store.claimNextJob(printerID: "zd621-front", now: .start.plus(1))?.id == second)
    }

    @Test func countsCoverEveryState() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        #expect(try store.stateCounts() == Dictionary(uniqueKeysWithValues: JobState.allCases.map { ($0, 0) }))
        for index in 0..<4 { _ = try store.enqueue(newJob("k\(index)"), maxQueued: 10) }
        let claimed = try #require(try store.claimNextJob(printerID: "zd621-front"))
        try store.cancel(id: claimed.id + 1, reason: "duplicate registration")
        let counts = try store.stateCounts()
        #expect(counts[.queued] == 2 && counts[.sending] == 1 && counts[.cancelled] == 1 && counts[.printed] == 0)
        #expect(try store.queueDepth(printerID: "zd621-front") == 3)
        #expect(try store.queueDepth(printerID: "nobody") == 0)
    }

    @Test func everyFinishedJobReportsItsOutcomeThroughTheOutbox() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let printed = try store.enqueue(newJob("p"), maxQueued: 10, now: .start).job.id
        let cancelled = try store.enqueue(newJob("c"), maxQueued: 10, now: .start).job.id
        _ = try store.claimNextJob(printerID: "zd621-front", now: .start)
        #expect(try store.pendingOutbox(limit: 10).isEmpty, "nothing to report while jobs are unfinished")
        try store.markSent(id: printed, templateTier: "event", templateVersion: "7", now: .start.plus(1))
        try store.markPrinted(id: printed, now: .start.plus(2))
        try store.cancel(id: cancelled, reason: "attendee left", now: .start.plus(3))
        let items = try store.pendingOutbox(limit: 10)
        #expect(items.map(\.kind) == [JobOutcome.outboxKind, JobOutcome.outboxKind])
        let outcomes = try items.map { item throws(StoreError) in try JobOutcome.decode(item.payload) }
        #expect(outcomes.map(\.jobID) == [printed, cancelled])
        #expect(outcomes.map(\.state) == [.printed, .cancelled])
        #expect(outcomes[0].templateVersion == "7" && outcomes[0].attempts == 1 && outcomes[0].finishedAt == .start.plus(2))
        #expect(outcomes[0].attendeeID == "3f1c5b8e-0000-4000-8000-000000000001" && outcomes[0].correlationID == "corr-p")
        #expect(Set(items.map(\.nonce)).count == 2)
        let raw = try #require(try JSONSerialization.jsonObject(with: items[0].payload) as? [String: Any])
        #expect(raw["finished_at"] as? String == "2026-09-21T14:13:22.000Z" && raw["state"] as? String == "printed")
        #expect(raw["job_id"] as? Int == Int(printed) && raw["printer_id"] as? String == "zd621-front")
        #expect(raw.keys.allSatisfy { !$0.contains("name") && !$0.contains("email") }, "ids only")
    }
}
