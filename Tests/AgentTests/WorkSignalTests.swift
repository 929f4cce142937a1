import Agent
import Testing

/// The printer worker's wait between jobs. An idle worker that returns from its wait at once
/// spins a core for as long as the agent runs, and every functional test still passes; these
/// tests check the wait itself, by what ended it, not by how long it took.
@Suite struct WorkSignalTests {
    /// Starts a wait of `timeout` and returns once it is parked in the signal.
    func parkedWait(_ signal: WorkSignal, upTo timeout: Duration = .seconds(3600)) async throws -> Task<WorkSignal.Wake, Never> {
        let task = Task { await signal.wait(upTo: timeout) }
        // Scheduling only: the wait parks without any timer being involved (on a loaded machine
        // the waiting task may need a moment to be scheduled at all).
        for attempt in 0..<20_000 where !signal.isWaiting {
            if attempt < 1_000 { await Task.yield() } else { try await Task.sleep(for: .milliseconds(1)) }
        }
        try #require(signal.isWaiting, "the wait did not park")
        return task
    }

    @Test func aWaitEndsOnItsSignal() async throws {
        let signal = WorkSignal()
        let wait = try await parkedWait(signal)
        signal.signal()
        #expect(await wait.value == .signalled)
        #expect(!signal.isWaiting)
    }

    @Test func aSignalBeforeTheWaitIsKeptOnceForTheNextWait() async throws {
        let signal = WorkSignal()
        signal.signal()
        signal.signal()
        #expect(await signal.wait(upTo: .seconds(3600)) == .signalled, "a job queued between two waits is not slept through")
        // Two signals before a wait are one: the next wait waits.
        let next = try await parkedWait(signal)
        #expect(signal.isWaiting)
        signal.signal()
        #expect(await next.value == .signalled)
    }

    @Test func aWaitEndsAtItsTime() async {
        let signal = WorkSignal()
        #expect(await signal.wait(upTo: .milliseconds(1)) == .timedOut)
        #expect(await signal.wait(upTo: .zero) == .timedOut)
    }

    /// The defect this type exists for: after a cancelled wait, every later wait returned at once.
    @Test func aCancelledWaitLeavesTheNextWaitWaitingForItsSignal() async throws {
        let signal = WorkSignal()
        let cancelled = try await parkedWait(signal)
        cancelled.cancel()
        #expect(await cancelled.value == .cancelled)
        #expect(!signal.isWaiting)

        for _ in 0..<3 {
            let next = try await parkedWait(signal)
            // It is parked and stays parked: nothing but the signal ends it (its time is an hour).
            await Task.yield()
            #expect(signal.isWaiting)
            signal.signal()
            #expect(await next.value == .signalled)
        }
    }

    @Test func aCancelledWaitLeavesTheNextWaitWaitingForItsTime() async throws {
        let signal = WorkSignal()
        let cancelled = try await parkedWait(signal)
        cancelled.cancel()
        #expect(await cancelled.value == .cancelled)
        #expect(await signal.wait(upTo: .milliseconds(20)) == .timedOut)
    }

    @Test func aWaitThatTimedOutLeavesTheNextOneWaiting() async throws {
        let signal = WorkSignal()
        #expect(await signal.wait(upTo: .milliseconds(1)) == .timedOut)
        let next = try await parkedWait(signal)
        signal.signal()
        #expect(await next.value == .signalled)
    }

    @Test func aWaitInACancelledTaskReturnsAtOnceAndKeepsAPendingSignal() async {
        let signal = WorkSignal()
        let task = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await signal.wait(upTo: .seconds(3600))
        }
        #expect(await task.value == .cancelled)
        signal.signal()
        let cancelledAgain = Task {
            withUnsafeCurrentTask { $0?.cancel() }
            return await signal.wait(upTo: .seconds(3600))
        }
        // A pending signal is work waiting: it ends even a cancelled task's wait, and is used up.
        #expect(await cancelledAgain.value == .signalled)
        #expect(await signal.wait(upTo: .milliseconds(1)) == .timedOut)
    }

    /// Signals from many threads while the worker waits over and over: every signal sent while
    /// nobody waited ends exactly the next wait, and no wait ends twice.
    @Test func signalsFromManyTasksEachEndAWait() async throws {
        let signal = WorkSignal()
        for _ in 0..<200 {
            let wait = try await parkedWait(signal)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<4 { group.addTask { signal.signal() } }
            }
            #expect(await wait.value == .signalled)
            // The other three signals arrived after the wait ended: they are one pending signal.
            #expect(await signal.wait(upTo: .seconds(3600)) == .signalled)
        }
    }
}
