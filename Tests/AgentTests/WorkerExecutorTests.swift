import Agent
import Testing

/// The printer worker's code (rendering, the store's writes) runs on a queue of its own, so a
/// badge being rendered never holds one of the cooperative pool's few threads.
@Suite struct WorkerExecutorTests {
    @Test func theWorkerRunsOnItsOwnQueueAndStillPrints() async throws {
        try await withAgent(AgentOptions()) { agent, client in
            let worker = try #require(agent.core.workers.values.first)
            #expect(await worker.runsOnItsOwnQueue)
            let id = try await submitBadge(client, "QUEUE-1")
            #expect(try await finalState(client, job: id) == "printed")
        }
    }
}
