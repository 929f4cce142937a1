import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import Registry

/// Print results: idempotent by nonce, states as the agent names them.
@Suite struct PrintResultUploadTests {
    static func post(
        _ client: any TestClientProtocol, agent: String = "kiosk-a", headers: HTTPFields = [.contentType: "application/json"],
        _ items: [[String: Any]]
    ) async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/agents/\(agent)/print-results", method: .post, headers: headers, body: try jsonBody(["items": items]))
    }

    static func result(_ nonce: String, state: String, job: Any = 41) -> [String: Any] {
        [
            "nonce": nonce, "job_id": job, "attendee_id": "att-1", "state": state, "template": "templates/standard",
            "template_version": "2026.11-b", "tier": "event", "finished_at": "2026-11-03T09:00:03.120Z",
        ]
    }

    @Test func aResentBatchIsCountedAsDuplicates() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { server, client in
            let batch = [
                Self.result("p-1", state: "printed"), Self.result("p-2", state: "dead_letter", job: "job-42"),
                Self.result("p-3", state: "manual_review"), Self.result("p-4", state: "printed"),
            ]
            let first = try object(try await Self.post(client, batch))
            #expect(first["accepted"] as? Int == 4)
            #expect(first["duplicates"] as? Int == 0)
            let again = try object(try await Self.post(client, batch + [Self.result("p-5", state: "cancelled")]))
            #expect(again["accepted"] as? Int == 1)
            #expect(again["duplicates"] as? Int == 4)
            #expect(
                try await server.store.printResultCounts(agentID: "kiosk-a") == [
                    "printed": 2, "dead_letter": 1, "manual_review": 1, "cancelled": 1,
                ])

            let unknown = try await Self.post(client, [Self.result("p-6", state: "exploded")])
            #expect(unknown.status == .badRequest)
            #expect((try object(unknown)["error"] as? [String: Any])?["detail"] as? String == "$.items[0].state")
            var minimal = Self.result("p-7", state: "printed")
            for key in ["attendee_id", "template", "template_version", "tier"] { minimal[key] = nil }
            #expect(
                try object(try await Self.post(client, [minimal]))["accepted"] as? Int == 1, "only nonce, job, state and time are required")
        }
    }

    @Test func uploadsNeedTheAgentTokenAndReadsNeedNone() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1")
        try await withRegistry(fixture, { $0.agentToken = RegistryFixture.agentToken }) { server, client in
            let missing = try await Self.post(client, [Self.result("p-1", state: "printed")])
            #expect(missing.status == .unauthorized)
            #expect(try errorCode(missing) == "registry.unauthorized")
            #expect(missing.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            let wrong = try await Self.post(client, headers: .bearer("agent-token-0123456780"), [Self.result("p-1", state: "printed")])
            #expect(wrong.status == .unauthorized)
            let checkIns = try await client.execute(
                uri: "/v1/agents/kiosk-a/check-ins", method: .post, headers: .bearer("nope"),
                body: try jsonBody(["items": []]))
            #expect(checkIns.status == .unauthorized)
            #expect(try await server.store.printResultCounts(agentID: "kiosk-a").isEmpty)

            let right = try await Self.post(client, headers: .bearer(RegistryFixture.agentToken), [Self.result("p-1", state: "printed")])
            #expect(right.status == .ok)

            #expect(try await client.execute(uri: "/repository/metadata/timestamp.json", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/v1/notify?after=0", method: .get).status == .ok)
            #expect(try await client.execute(uri: "/v1/health", method: .get).status == .ok)
        }
    }
}
