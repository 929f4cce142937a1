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
    /// A job parked for review on a printer no worker serves, so nothing else touches it.
    func parkedJob(_ store: LanyardStore) throws -> PrintJob {
        _ = try store.enqueue(
            NewPrintJob(
                idempotencyKey: "parked", correlationID: "corr-parked", attendeeID: "a-1",
                printerID: "elsewhere", payload: Data(AgentAPITests.registration.utf8)), maxQueued: 10)
        let claimed = try #require(try store.claimNextJob(printerID: "elsewhere"))
        _ = try store.markSent(id: claimed.id)
        return try store.moveToManualReview(
            id: claimed.id, diagnostic: Data(#"{"conditions":["head_open"]}"#.utf8),
            note: "head opened after sending")
    }

    @Test func anOperatorDecidesOnceAndAReprintIsQueued() async throws {
        try await withAgent { harness, client in
            let parked = try parkedJob(harness.store)
            let admin: HTTPFields = [.authorization: "Bearer \(AgentHarness.adminToken)"]

            #expect(try await client.execute(uri: "/v1/manual-review", method: .get).status == .unauthorized)
            let listed = json(try await client.execute(uri: "/v1/manual-review", method: .get, headers: admin))
            let jobs = try #require(listed["jobs"] as? [[String: Any]])
            #expect(jobs.map { $0["id"] as? Int } == [Int(parked.id)])
            #expect((jobs.first?["diagnostic"] as? [String: Any])?["conditions"] as? [String] == ["head_open"])

            let invalid = try await post(client, "/v1/manual-review/\(parked.id)/decision", #"{"decision":"burn"}"#, headers: admin)
            #expect(invalid.status == .badRequest)
            let noReason = try await post(client, "/v1/manual-review/\(parked.id)/decision", #"{"decision":"reprint"}"#, headers: admin)
            #expect(noReason.status == .badRequest)

            let decided = try await post(
                client, "/v1/manual-review/\(parked.id)/decision",
                #"{"decision":"reprint","reason":"tray empty","actor":"op-7"}"#, headers: admin)
            #expect(decided.status == .ok)
            let reprint = try #require(json(decided)["reprint"] as? [String: Any])
            #expect(reprint["reprint_of"] as? Int == Int(parked.id))
            #expect(reprint["state"] as? String == "queued")

            let again = try await post(
                client, "/v1/manual-review/\(parked.id)/decision",
                #"{"decision":"reprint","reason":"again"}"#, headers: admin)
            #expect(again.status == .conflict, "a job is decided once")
            #expect(try harness.store.reprintCount(of: parked.id) == 1)
            let emptied = json(try await client.execute(uri: "/v1/manual-review", method: .get, headers: admin))
            #expect((emptied["jobs"] as? [[String: Any]])?.isEmpty == true)
            #expect(try harness.store.auditEntries(limit: 5).contains { $0.action == "job.review" && $0.actor == "op-7" })
        }
    }
}
