import Foundation
import Store
import Testing

/// The manual-review queue: jobs whose outcome is unknown wait for an operator, each decision is
/// taken once, audited, and a reprint decision creates exactly one reprint job.
@Suite struct ManualReviewTests {
    /// A job claimed, sent and then parked for review, as the worker does after a fault.
    func parkedJob(_ store: LanyardStore, key: String, at time: Date) throws -> PrintJob {
        _ = try store.enqueue(newJob(key), maxQueued: 50, now: time)
        let claimed = try #require(try store.claimNextJob(printerID: "zd621-front", now: time))
        _ = try store.markSent(id: claimed.id, now: time)
        return try store.moveToManualReview(
            id: claimed.id, diagnostic: Data(#"{"conditions":["head_open"],"attempts":1}"#.utf8),
            note: "head opened after sending", now: time)
    }

    @Test func openReviewsAreTheUndecidedOnesOldestFirst() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let first = try parkedJob(store, key: "a", at: .start)
        let second = try parkedJob(store, key: "b", at: .start.plus(5))
        _ = try store.enqueue(newJob("still-queued"), maxQueued: 50, now: .start)
        let open = try store.openManualReviews(limit: 10)
        #expect(open.map(\.id) == [first.id, second.id])
        #expect(open.first?.diagnostic.map { String(decoding: $0, as: UTF8.self) }?.contains("head_open") == true)

        _ = try store.decideManualReview(
            jobID: first.id, decision: .printed, actor: "op-7", reason: "badge seen in the tray",
            now: .start.plus(10))
        #expect(try store.openManualReviews(limit: 10).map(\.id) == [second.id])
        #expect(try store.job(id: first.id)?.state == .manualReview, "the job's own state never changes")
        #expect(try store.reviewDecision(jobID: first.id)?.decision == .printed)
    }

    @Test func aReprintDecisionCreatesOneAuditedReprint() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let parked = try parkedJob(store, key: "a", at: .start)
        let (record, reprint) = try store.decideManualReview(
            jobID: parked.id, decision: .reprint, actor: "op-7",
            reason: "tray empty", now: .start.plus(1))
        let created = try #require(reprint)
        #expect(record.reprintJobID == created.id)
        #expect(created.state == .queued)
        #expect(created.reprintOf == parked.id)
        #expect(created.payload == parked.payload)
        #expect(try store.reprintCount(of: parked.id) == 1)

        // A second decision, by anyone, is refused: two operators cannot both reprint.
        expectStoreError(.invalidTransition) { () throws(StoreError) in
            try store.decideManualReview(jobID: parked.id, decision: .reprint, actor: "op-8", reason: "again")
        }
        #expect(try store.reprintCount(of: parked.id) == 1)
        let actions = try store.auditEntries(limit: 10).map(\.action)
        #expect(actions.filter { $0 == "job.review" }.count == 1)
        #expect(actions.filter { $0 == "job.reprint" }.count == 1)
        let review = try #require(try store.auditEntries(limit: 10).first { $0.action == "job.review" })
        #expect(review.subject == "job:\(parked.id)")
        #expect(review.details["decision"] == "reprint")
        #expect(review.details["reprint_job"] == String(created.id))
    }

    @Test func onlyJobsInReviewCanBeDecided() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let queued = try store.enqueue(newJob("q"), maxQueued: 50, now: .start).job
        expectStoreError(.invalidTransition) { () throws(StoreError) in
            try store.decideManualReview(jobID: queued.id, decision: .dismissed, actor: "op", reason: "no")
        }
        expectStoreError(.notFound) { () throws(StoreError) in
            try store.decideManualReview(jobID: 999, decision: .dismissed, actor: "op", reason: "no")
        }
        let parked = try parkedJob(store, key: "p", at: .start)
        expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.decideManualReview(jobID: parked.id, decision: .dismissed, actor: "", reason: "no")
        }
        #expect(try store.auditEntries(limit: 10).isEmpty)
    }
}
