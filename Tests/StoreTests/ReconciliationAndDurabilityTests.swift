import Foundation
import Store
import Testing

@Suite struct ReconciliationAndDurabilityTests {
    /// Leaves one job in each state, as a power cut would find them, and closes the store.
    static func jobsInEveryState(_ database: TemporaryDatabase) throws -> [JobState: Int64] {
        let store = try database.open()
        var ids: [JobState: Int64] = [:]
        for state in JobState.allCases {
            ids[state] = try JobStateMachineTests.job(in: state, store: store, key: "\(state.rawValue)")
        }
        return ids
    }

    @Test func jobsAndTheirStatesSurviveReopening() throws {
        let database = TemporaryDatabase()
        let ids = try Self.jobsInEveryState(database)
        let before = try database.open()
        let snapshot = try ids.mapValues { id in try #require(try before.job(id: id)) }

        let reopened = try database.open()
        for (state, id) in ids {
            let job = try #require(try reopened.job(id: id))
            #expect(job.state == state)
            #expect(job == snapshot[state], "every field and the whole history come back")
        }
        #expect(try reopened.stateCounts().values.allSatisfy { $0 == 1 })
        #expect(try reopened.appliedMigrations() == LanyardStore.knownMigrations)
    }

    @Test func startupSettlesInterruptedJobsWithoutResendingAny() throws {
        let database = TemporaryDatabase()
        let ids = try Self.jobsInEveryState(database)
        let store = try database.open()
        let sendingID = try #require(ids[.sending])
        let sentID = try #require(ids[.sent])
        let outboxBefore = try store.pendingOutbox(limit: 100).count

        let reconciled = try store.reconcileInterruptedJobs(now: .start.plus(500))
        #expect(reconciled.map(\.job.id) == [sendingID, sentID].sorted())
        let interrupted = try #require(reconciled.first { $0.job.id == sendingID })
        #expect(interrupted.from == .sending && interrupted.job.state == .manualReview)
        #expect(interrupted.note == "interrupted while sending; it may have printed in part or whole")
        #expect(interrupted.job.history.last?.note == interrupted.note)
        let diagnostic = try #require(interrupted.job.diagnostic)
        let fields = try JSONDecoder().decode([String: String].self, from: diagnostic)
        #expect(fields["reason"] == interrupted.note && fields["state_at_restart"] == "sending" && fields["attempts"] == "1")

        let accepted = try #require(reconciled.first { $0.job.id == sentID })
        #expect(accepted.from == .sent && accepted.job.state == .printed)
        #expect(accepted.note == "all bytes were accepted before the restart; not re-sent")

        // Never re-queued: nothing for the worker, the other states untouched, each outcome reported once.
        #expect(try store.claimNextJob(printerID: "printer-sending", now: .start.plus(1000)) == nil)
        #expect(try store.claimNextJob(printerID: "printer-sent", now: .start.plus(1000)) == nil)
        for state in [JobState.queued, .printed, .manualReview, .deadLettered, .cancelled] {
            #expect(try store.job(id: #require(ids[state]))?.state == state)
        }
        #expect(try store.pendingOutbox(limit: 100).count == outboxBefore + 2)
        #expect(try store.reconcileInterruptedJobs(now: .start.plus(600)).isEmpty, "a second run finds nothing")
        #expect(try store.jobs(in: .sending, limit: 10).isEmpty && store.jobs(in: .sent, limit: 10).isEmpty)
    }

    @Test func commitsReachTheDiskBeforeTheyReturn() throws {
        let database = TemporaryDatabase()
        let settings = try database.open().durabilitySettings()
        #expect(settings.journalMode == "wal")
        #expect(settings.synchronous == 2, "synchronous = FULL: a returned commit survives a power cut")
    }

    @Test func concurrentWorkersNeverClaimTheSameJob() async throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        var ids: [Int64] = []
        for index in 0..<40 { ids.append(try store.enqueue(newJob("c\(index)"), maxQueued: 100).job.id) }
        let claimed = try await withThrowingTaskGroup(of: [Int64].self) { group in
            for _ in 0..<4 {
                group.addTask {
                    var mine: [Int64] = []
                    while let job = try store.claimNextJob(printerID: "zd621-front") { mine.append(job.id) }
                    return mine
                }
            }
            var all: [Int64] = []
            for try await batch in group { all += batch }
            return all
        }
        #expect(claimed.sorted() == ids, "every job claimed exactly once")
        #expect(try store.jobs(in: .sending, limit: 100).allSatisfy { $0.attempts == 1 })
    }

    @Test func anAcknowledgedEnqueueIsVisibleToAnotherConnectionAtOnce() throws {
        let database = TemporaryDatabase()
        let writer = try database.open()
        let reader = try database.open()
        let job = try writer.enqueue(newJob("k"), maxQueued: 5).job
        #expect(try reader.job(id: job.id) == job)
        #expect(try reader.enqueue(newJob("k"), maxQueued: 5).isDuplicate, "the key is known across connections")
    }
}
