import Foundation
import LanyardSupport
import Store
import Testing

/// Every state change a job can be asked for, from every state: the allowed ones succeed and
/// leave a history entry, every other one throws `.invalidTransition` naming both states and
/// changes nothing.
@Suite struct JobStateMachineTests {
    /// The state machine as the design states it, written out independently of `JobState`.
    static let allowed: Set<String> = [
        "queued->sending", "queued->cancelled", "queued->deadLettered",
        "sending->sent", "sending->queued", "sending->manualReview", "sending->deadLettered",
        "sent->printed", "sent->manualReview",
    ]

    enum Operation: String, CaseIterable {
        case markSent, markPrinted, scheduleRetry, moveToManualReview, moveToDeadLetters, cancel

        var target: JobState {
            switch self {
            case .markSent: .sent
            case .markPrinted: .printed
            case .scheduleRetry: .queued
            case .moveToManualReview: .manualReview
            case .moveToDeadLetters: .deadLettered
            case .cancel: .cancelled
            }
        }

        func apply(_ store: LanyardStore, id: Int64) throws(StoreError) {
            let now = Date.start.plus(100)
            switch self {
            case .markSent: try store.markSent(id: id, templateTier: "event", templateVersion: "3", now: now)
            case .markPrinted: try store.markPrinted(id: id, note: "status ok", now: now)
            case .scheduleRetry: try store.scheduleRetry(id: id, error: "connection refused", at: now.plus(30), now: now)
            case .moveToManualReview: try store.moveToManualReview(id: id, diagnostic: Data(#"{"status":"head open"}"#.utf8), now: now)
            case .moveToDeadLetters:
                _ = try store.moveToDeadLetters(
                    id: id, stage: .render, code: "badges.text_overflow", reason: "name does not fit",
                    fieldPath: "first_name", now: now)
            case .cancel: try store.cancel(id: id, reason: "attendee left", now: now)
            }
        }
    }

    /// Brings a fresh job (alone on its own printer) into `state` through the public API.
    static func job(in state: JobState, store: LanyardStore, key: String) throws -> Int64 {
        let id = try store.enqueue(newJob(key, printer: "printer-\(key)"), maxQueued: 5, now: .start).job.id
        let now = Date.start.plus(10)
        switch state {
        case .queued:
            break
        case .sending:
            _ = try #require(try store.claimNextJob(printerID: "printer-\(key)", now: now))
        case .sent:
            _ = try #require(try store.claimNextJob(printerID: "printer-\(key)", now: now))
            try store.markSent(id: id, now: now)
        case .printed:
            _ = try #require(try store.claimNextJob(printerID: "printer-\(key)", now: now))
            try store.markSent(id: id, now: now)
            try store.markPrinted(id: id, now: now)
        case .manualReview:
            _ = try #require(try store.claimNextJob(printerID: "printer-\(key)", now: now))
            try store.moveToManualReview(id: id, diagnostic: Data("{}".utf8), now: now)
        case .deadLettered:
            _ = try store.moveToDeadLetters(id: id, stage: .intake, code: "x", reason: "y", now: now)
        case .cancelled:
            try store.cancel(id: id, reason: "test", now: now)
        }
        #expect(try store.job(id: id)?.state == state)
        return id
    }

    @Test func theStateMachineIsTheDesignedOne() {
        for from in JobState.allCases {
            for to in JobState.allCases {
                #expect(from.canMove(to: to) == Self.allowed.contains("\(from.rawValue)->\(to.rawValue)"), "\(from) -> \(to)")
            }
        }
        #expect(JobState.allCases.filter(\.isTerminal) == [.printed, .manualReview, .deadLettered, .cancelled])
    }

    @Test(arguments: JobState.allCases)
    func everyOperationFrom(_ state: JobState) throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        for operation in Operation.allCases {
            let id = try Self.job(in: state, store: store, key: "\(state.rawValue)-\(operation.rawValue)")
            let before = try #require(try store.job(id: id))
            let target = operation.target
            if Self.allowed.contains("\(state.rawValue)->\(target.rawValue)") {
                try operation.apply(store, id: id)
                let after = try #require(try store.job(id: id))
                #expect(after.state == target, "\(operation) from \(state)")
                #expect(after.history.count == before.history.count + 1)
                #expect(after.history.last?.from == state && after.history.last?.to == target)
                #expect(after.updatedAt == Date.start.plus(100))
            } else {
                let error = expectStoreError(.invalidTransition) { () throws(StoreError) in try operation.apply(store, id: id) }
                #expect(error?.transition == StoreError.Transition(from: state, to: target), "\(operation) from \(state)")
                #expect(error?.message.contains(state.rawValue) == true && error?.message.contains(target.rawValue) == true)
                #expect(try store.job(id: id) == before, "a refused transition changes nothing")
            }
        }
        // Claiming only ever takes a queued job.
        let id = try Self.job(in: state, store: store, key: "\(state.rawValue)-claim")
        let claimed = try store.claimNextJob(printerID: "printer-\(state.rawValue)-claim", now: Date.start.plus(100))
        #expect((claimed?.id == id) == (state == .queued))
        #expect(try store.job(id: id)?.state == (state == .queued ? .sending : state))
    }

    @Test func operationsOnAnUnknownJobAreNotFound() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        for operation in Operation.allCases {
            expectStoreError(.notFound) { () throws(StoreError) in try operation.apply(store, id: 4711) }
        }
        #expect(try store.job(id: 4711) == nil)
    }

    @Test func theHappyPathKeepsAFullHistoryAndTheTemplate() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let id = try store.enqueue(newJob("happy"), maxQueued: 5, now: .start).job.id
        _ = try store.claimNextJob(printerID: "zd621-front", now: .start.plus(1))
        try store.scheduleRetry(id: id, error: "printer busy", at: .start.plus(5), now: .start.plus(2))
        #expect(try store.claimNextJob(printerID: "zd621-front", now: .start.plus(4)) == nil, "not before its retry time")
        let second = try #require(try store.claimNextJob(printerID: "zd621-front", now: .start.plus(5)))
        #expect(second.attempts == 2 && second.nextAttemptAt == nil && second.lastError == "printer busy")
        try store.markSent(id: id, templateTier: "track", templateVersion: "2024.3", now: .start.plus(6))
        let printed = try store.markPrinted(id: id, note: "~HS: ok", now: .start.plus(7))
        #expect(printed.state == .printed && printed.templateTier == "track" && printed.templateVersion == "2024.3")
        #expect(printed.history.map(\.to) == [.queued, .sending, .queued, .sending, .sent, .printed])
        #expect(printed.history.map(\.from) == [nil, .queued, .sending, .queued, .sending, .sent])
        #expect(printed.history.map(\.at) == [0, 1, 2, 5, 6, 7].map { Date.start.plus($0) })
        #expect(printed.history[2].note == "printer busy" && printed.history.last?.note == "~HS: ok")
        #expect(printed.createdAt == .start && printed.updatedAt == .start.plus(7))
    }

    @Test func manualReviewKeepsItsDiagnosticAndRefusesNonJSON() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let id = try Self.job(in: .sent, store: store, key: "review")
        expectStoreError(.invalidValue) { () throws(StoreError) in
            try store.moveToManualReview(id: id, diagnostic: Data("head open".utf8))
        }
        #expect(try store.job(id: id)?.state == .sent)
        let diagnostic = Data(#"{"hqes":"00000000 00000004","status":"head open"}"#.utf8)
        let job = try store.moveToManualReview(id: id, diagnostic: diagnostic, note: "printer reported an error after sending")
        #expect(job.state == .manualReview && job.diagnostic == diagnostic)
        #expect(job.lastError == "printer reported an error after sending")
    }

    @Test func deadLetteringAJobKeepsItsRequest() throws {
        let database = TemporaryDatabase()
        let store = try database.open()
        let id = try Self.job(in: .sending, store: store, key: "dead")
        let (job, letter) = try store.moveToDeadLetters(
            id: id, stage: .render, code: "badges.text_overflow",
            reason: "the name does not fit", fieldPath: "last_name",
            now: .start.plus(20))
        #expect(job.state == .deadLettered && job.lastError == "the name does not fit")
        #expect(letter.jobID == id && letter.payload == job.payload && letter.correlationID == job.correlationID)
        #expect(letter.stage == .render && letter.fieldPath == "last_name")
        #expect(try store.deadLetters(limit: 10) == [letter])
    }
}
