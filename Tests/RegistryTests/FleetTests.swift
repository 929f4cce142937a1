import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Sync
import Testing

@testable import Registry

/// The fleet view shows what agents reported, behind the admin token when one is set.
@Suite struct FleetTests {
    @Test func theFleetShowsWhatEachAgentReported() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1")
        try fixture.publishTemplate("standard", text: "v2")
        try await withRegistry(fixture, { $0.adminToken = RegistryFixture.adminToken }) { _, client in
            let key = SigningKey()
            let report = AgentReportTests.report(key: key, sentAt: Date().addingTimeInterval(-5), printerID: "<script>alert(1)</script>")
            #expect(try await AgentReportTests.send(client, try report.signed(with: key)).status == .ok)
            _ = try await PrintResultUploadTests.post(
                client,
                [
                    PrintResultUploadTests.result("p-1", state: "printed"),
                    PrintResultUploadTests.result("p-2", state: "dead_letter"),
                ])

            #expect(try await client.execute(uri: "/v1/fleet", method: .get).status == .unauthorized)
            let fleet = try object(try await client.execute(uri: "/v1/fleet", method: .get, headers: .bearer(RegistryFixture.adminToken)))
            // `registry init` signed snapshot 1; each publication the next.
            #expect((fleet["repository"] as? [String: Any])?["targets_version"] as? Int == 3)
            let agents = try #require(fleet["agents"] as? [[String: Any]])
            #expect(agents.count == 1)
            let agent = try #require(agents.first)
            #expect(agent["agent_id"] as? String == "kiosk-a")
            #expect(agent["key_id"] as? String == key.keyID)
            #expect(agent["targets_version"] as? Int == 1)
            #expect(agent["freshness"] as? String == "fresh")
            #expect(agent["queue_depth"] as? Int == 2)
            #expect(agent["last_seen"] is String)
            #expect((agent["templates"] as? [[String: Any]])?.first?["label"] as? String == "2026.11-b")
            let printer = try #require((agent["printers"] as? [[String: Any]])?.first)
            #expect(printer["ready"] as? Bool == false)
            #expect(printer["conditions"] as? [String] == ["paper_out"])
            #expect((agent["rollbacks"] as? [[String: Any]])?.first?["reason"] as? String == "render failures")
            #expect(agent["print_results"] as? [String: Int] == ["printed": 1, "dead_letter": 1])

            let basic = "Basic " + Data("ops:\(RegistryFixture.adminToken)".utf8).base64EncodedString()
            let page = try await client.execute(uri: "/fleet", method: .get, headers: [.authorization: basic])
            #expect(page.status == .ok)
            #expect(page.headers[.contentType] == "text/html; charset=utf-8")
            let html = String(decoding: page.body.readableBytesView, as: UTF8.self)
            #expect(html.contains("kiosk-a"))
            #expect(html.contains("2026.11-c → 2026.11-b: render failures"))
            #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
            #expect(!html.contains("<script>"), "what kiosks report is escaped")
            #expect(html.contains("1 of 3"), "the agent's targets version beside the registry's")

            let prompt = try await client.execute(uri: "/fleet", method: .get)
            #expect(prompt.status == .unauthorized)
            #expect(prompt.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true, "a browser asks for the token")
        }
    }

    @Test func healthNamesTheServedVersions() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try fixture.publishTemplate("standard", text: "v1")
        try await withRegistry(fixture) { _, client in
            let health = try object(try await client.execute(uri: "/v1/health", method: .get))
            #expect(health["status"] as? String == "ok")
            #expect((health["repository"] as? [String: Any])?["timestamp_version"] as? Int == 2, "init's, then the publication's")
            #expect(health["timestamp_signing"] as? Bool == false)
        }
    }
}
