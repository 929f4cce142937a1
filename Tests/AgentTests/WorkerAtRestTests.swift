import Agent
import Foundation
import Testing

/// An agent at rest: its printer worker parks in its wait and asks the printer for its status
/// once per poll interval, not in a loop. (An idle worker whose wait returned at once kept every
/// functional test green while it spun a whole core.)
@Suite struct WorkerAtRestTests {
    /// Waits until the worker is idle and parked in its wait for a job.
    func parked(_ worker: PrinterWorker) async throws {
        let parked = try await eventually(polls: 2_000, interval: .milliseconds(5)) {
            worker.state.activity == .idle && worker.jobQueued.isWaiting ? true : nil
        }
        try #require(parked == true, "the worker never parked in its wait (activity: \(worker.state.activity))")
    }

    @Test func anIdleWorkerWaitsForAJobOrItsPollIntervalWithoutAskingThePrinter() async throws {
        let line = PrinterLine()
        var options = AgentOptions()
        options.printer = .simulatorOnLine(line)
        // An hour between polls: at rest, nothing but a queued job may make the worker read.
        options.pollSeconds = 3600
        try await withAgent(options) { agent, client in
            let worker = try #require(agent.core.workers.values.first)
            try await parked(worker)
            let readsAtRest = line.reads
            #expect(readsAtRest >= 1, "the worker read the printer's status before it went idle")
            // The wait is what is checked, not how long anything takes: a spinning worker reads
            // the printer thousands of times a second and is not parked when looked at.
            try await Task.sleep(for: .milliseconds(300))
            #expect(line.reads == readsAtRest, "an idle worker kept asking the printer for its status")
            #expect(worker.jobQueued.isWaiting)

            // A queued job ends the wait at once (no hour passes), prints, and the worker parks again.
            let id = try await submitBadge(client, "AT-REST-1")
            #expect(try await finalState(client, job: id) == "printed")
            try await parked(worker)
            let readsAfterJob = line.reads
            try await Task.sleep(for: .milliseconds(300))
            #expect(line.reads == readsAfterJob, "after a job the worker went back to waiting, not polling")
        }
    }
}
