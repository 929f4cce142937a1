import Agent
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Store
import Testing

/// The manual-review queue through the API: only with the admin token, one decision per job, and
/// a reprint decision puts exactly one reprint on the queue.
@Suite(.serialized) struct ManualReviewAPITests {
    let api = AgentAPITests()

    /// A job parked for review on a printer no worker serves, so nothing else touches it.
    func parkedJob(_ store: LanyardStore) throws -> PrintJob {
        _ = try store.enqueue(NewPrintJob(idempotencyKey: "parked", correlationID: "corr-parked", attendeeID: "a-1",
                                          printerID: "elsewhere", payload: Data(AgentAPITests.registration.utf8)), maxQueued: 10)
        let claimed = try #require(try store.claimNextJob(printerID: "elsewhere"))
        _ = try store.markSent(id: claimed.id)
        return try store.moveToManualReview(id: claimed.id, diagnostic: Data(#"{"conditions":["head_open"]}"#.utf8),
                                            note: "head opened after sending")
    }

    @Test func anOperatorDecidesOnceAndAReprintIsQueued() async throws {
        try await api.withAgent { harness, client in
            let parked = try parkedJob(harness.runtime.core.store)
            let admin: HTTPFields = [.authorization: "Bearer admin-token"]

            #expect(try await client.execute(uri: "/v1/manual-review", method: .get).status == .unauthorized)
            let listed = api.json(try await client.execute(uri: "/v1/manual-review", method: .get, headers: admin))
            let jobs = try #require(listed["jobs"] as? [[String: Any]])
            #expect(jobs.map { $0["id"] as? Int } == [Int(parked.id)])
            #expect((jobs.first?["diagnostic"] as? [String: Any])?["conditions"] as? [String] == ["head_open"])

            let invalid = try await api.post(client, "/v1/manual-review/\(parked.id)/decision", #"{"decision":"burn"}"#, headers: admin)
            #expect(invalid.status == .badRequest)
            let noReason = try await api.post(client, "/v1/manual-review/\(parked.id)/decision", #"{"decision":"reprint"}"#, headers: admin)
            #expect(noReason.status == .badRequest)

            let decided = try await api.post(client, "/v1/manual-review/\(parked.id)/decision",
                                             #"{"decision":"reprint","reason":"tray empty","actor":"op-7"}"#, headers: admin)
            #expect(decided.status == .ok)
            let reprint = try #require(api.json(decided)["reprint"] as? [String: Any])
            #expect(reprint["reprint_of"] as? Int == Int(parked.id))
            #expect(reprint["state"] as? String == "queued")

            let again = try await api.post(client, "/v1/manual-review/\(parked.id)/decision",
                                           #"{"decision":"reprint","reason":"again"}"#, headers: admin)
            #expect(again.status == .conflict, "a job is decided once")
            #expect(try harness.runtime.core.store.reprintCount(of: parked.id) == 1)
            let emptied = api.json(try await client.execute(uri: "/v1/manual-review", method: .get, headers: admin))
            #expect((emptied["jobs"] as? [[String: Any]])?.isEmpty == true)
            #expect(try harness.runtime.core.store.auditEntries(limit: 5).contains { $0.action == "job.review" && $0.actor == "op-7" })
        }
    }
}
