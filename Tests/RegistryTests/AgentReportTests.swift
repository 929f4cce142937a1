import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Sync
import Testing

@testable import Registry

/// Signed agent reports: trust on first use, then only that key, and never an older report.
@Suite struct AgentReportTests {
    /// 2026-11-03T08:00:00Z
    static let rollbackTime = Date(timeIntervalSince1970: 1_793_692_800)

    static func report(
        _ agent: String = "kiosk-a", key: SigningKey, sentAt: Date = Date(), queueDepth: Int = 2,
        printerID: String = "zebra-1"
    ) -> AgentReport {
        AgentReport(
            agentID: agent, sentAt: RegistryJSON.date(microseconds: RegistryJSON.microseconds(sentAt)),
            publicKey: key.publicEntry.publicKey,
            targetsVersion: 1, freshness: .fresh,
            templates: [.init(name: "templates/standard", label: "2026.11-b", digest: String(repeating: "ab", count: 32), state: .active)],
            printers: [.init(id: printerID, activity: "idle", ready: false, conditions: ["paper_out"])],
            queueDepth: queueDepth,
            rollbacks: [
                .init(
                    name: "templates/standard", from: "2026.11-c", to: "2026.11-b", reason: "render failures",
                    at: Self.rollbackTime)
            ])
    }

    static func send(_ client: any TestClientProtocol, _ envelope: SignedEnvelope, agent: String = "kiosk-a") async throws -> TestResponse {
        try await client.execute(
            uri: "/v1/agents/\(agent)/report", method: .post, headers: [.contentType: "application/json"],
            body: ByteBuffer(bytes: try envelope.encoded()))
    }

    @Test func theFirstKeyIsTrustedAndAnotherIsRefused() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { server, client in
            let key = SigningKey()
            let now = Date()
            let first = try await Self.send(client, try Self.report(key: key, sentAt: now.addingTimeInterval(-60)).signed(with: key))
            #expect(first.status == .ok)
            #expect(try object(first)["outcome"] as? String == "first_report")
            #expect(try object(first)["key_id"] as? String == key.keyID)

            let second = try await Self.send(
                client, try Self.report(key: key, sentAt: now.addingTimeInterval(-30), queueDepth: 5).signed(with: key))
            #expect(try object(second)["outcome"] as? String == "accepted")
            #expect(try await server.store.fleet().first?.report.queueDepth == 5)

            let intruder = SigningKey()
            let refused = try await Self.send(client, try Self.report(key: intruder, sentAt: now).signed(with: intruder))
            #expect(refused.status == .forbidden)
            #expect(try errorCode(refused) == "registry.agent_key_mismatch")
            #expect(try await server.store.fleet().first?.report.queueDepth == 5, "a refused report changes nothing")
        }
    }

    @Test func anOlderReportIsARefusedReplayAndTheSameOneIsHarmless() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { server, client in
            let key = SigningKey()
            let now = Date()
            let older = try Self.report(key: key, sentAt: now.addingTimeInterval(-120), queueDepth: 9).signed(with: key)
            let newer = try Self.report(key: key, sentAt: now.addingTimeInterval(-60), queueDepth: 1).signed(with: key)
            #expect(try await Self.send(client, older).status == .ok)
            #expect(try await Self.send(client, newer).status == .ok)

            let replay = try await Self.send(client, older)
            #expect(replay.status == .conflict)
            #expect(try errorCode(replay) == "registry.report_replayed")
            #expect(try await server.store.fleet().first?.report.queueDepth == 1)

            let resent = try await Self.send(client, newer)
            #expect(resent.status == .ok, "the same report again (its answer was lost) is not a replay")
            #expect(try object(resent)["outcome"] as? String == "duplicate")

            var sameInstant = Self.report(key: key, sentAt: now.addingTimeInterval(-60), queueDepth: 7)
            sameInstant.sentAt = try RegistryJSON.decode(AgentReport.self, from: newer.payload, what: "report").sentAt
            let conflicting = try await Self.send(client, try sameInstant.signed(with: key))
            #expect(conflicting.status == .conflict, "another report claiming the same instant")
            #expect(try await server.store.fleet().first?.reportsReceived == 2)
        }
    }

    @Test func reportsThatDoNotVerifyAreRefused() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { server, client in
            let key = SigningKey()
            let other = SigningKey()

            // Signed by one key, naming another.
            var forged = SignedEnvelope(
                payloadType: AgentReport.payloadType, payload: RegistryJSON.encode(Self.report(key: other, sentAt: Date())))
            try forged.sign(with: [key])
            let wrongSigner = try await Self.send(client, forged)
            #expect(wrongSigner.status == .unauthorized)
            #expect(try errorCode(wrongSigner) == "registry.signature_invalid")

            // A byte of the payload changed after signing.
            var tampered = try Self.report(key: key, sentAt: Date()).signed(with: key)
            tampered.payload = Data(
                String(decoding: tampered.payload, as: UTF8.self).replacingOccurrences(
                    of: "\"queue_depth\":2",
                    with: "\"queue_depth\":0"
                ).utf8)
            #expect(try errorCode(try await Self.send(client, tampered)) == "registry.signature_invalid")

            // About another agent than the URL says.
            let elsewhere = try await Self.send(client, try Self.report("kiosk-b", key: key).signed(with: key), agent: "kiosk-a")
            #expect(elsewhere.status == .badRequest)
            #expect((try object(elsewhere)["error"] as? [String: Any])?["detail"] as? String == "$.agent_id")

            // Another payload type (a signed timestamp is not a report).
            var wrongType = try Self.report(key: key).signed(with: key)
            wrongType.payloadType = SignedEnvelope.payloadType(for: .timestamp)
            #expect(try await Self.send(client, wrongType).status == .badRequest)

            // From a clock an hour ahead: it would lock out every honest report for an hour.
            let ahead = try await Self.send(client, try Self.report(key: key, sentAt: Date().addingTimeInterval(3_600)).signed(with: key))
            #expect(ahead.status == .badRequest)
            #expect((try object(ahead)["error"] as? [String: Any])?["detail"] as? String == "$.sent_at")

            let garbage = try await client.execute(
                uri: "/v1/agents/kiosk-a/report", method: .post, headers: [.contentType: "application/json"],
                body: ByteBuffer(string: "{\"payload\": 3}"))
            #expect(garbage.status == .badRequest)
            // A page of another site, riding on a browser's cached sign-in, changes nothing.
            let crossSite = try await client.execute(
                uri: "/v1/agents/kiosk-a/report", method: .post,
                headers: [.contentType: "application/json", .origin: "https://attacker.example"],
                body: ByteBuffer(string: "{\"payload\": 3}"))
            #expect(crossSite.status == .forbidden)
            let formBody = try await client.execute(
                uri: "/v1/agents/kiosk-a/report", method: .post, headers: [.contentType: "text/plain"],
                body: ByteBuffer(string: "{\"payload\": 3}"))
            #expect(formBody.status == .unsupportedMediaType)
            #expect(try await server.store.fleet().isEmpty, "nothing was trusted on first use from a bad report")
        }
    }

    @Test func anOperatorCanForgetAnAgentsKeyOnlyWithTheAdminToken() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let old = SigningKey()
        let reinstalled = SigningKey()
        try await withRegistry(fixture) { _, client in
            #expect(try await Self.send(client, try Self.report(key: old).signed(with: old)).status == .ok)
            let disabled = try await client.execute(uri: "/v1/fleet/agents/kiosk-a", method: .delete)
            #expect(disabled.status == .unauthorized, "without an admin token configured nobody may reset trust")
        }
        try await withRegistry(fixture, { $0.adminToken = RegistryFixture.adminToken }) { server, client in
            #expect(try await Self.send(client, try Self.report(key: reinstalled).signed(with: reinstalled)).status == .forbidden)
            #expect(
                try await client.execute(uri: "/v1/fleet/agents/kiosk-a", method: .delete, headers: .bearer("wrong-token-000000000")).status
                    == .unauthorized)
            let forgotten = try await client.execute(
                uri: "/v1/fleet/agents/kiosk-a", method: .delete, headers: .bearer(RegistryFixture.adminToken))
            #expect(forgotten.status == .ok)
            let fresh = try await Self.send(client, try Self.report(key: reinstalled).signed(with: reinstalled))
            #expect(try object(fresh)["outcome"] as? String == "first_report")
            #expect(try await server.store.fleet().first?.keyID == reinstalled.keyID)
            #expect(
                try await client.execute(uri: "/v1/fleet/agents/kiosk-z", method: .delete, headers: .bearer(RegistryFixture.adminToken))
                    .status
                    == .notFound)
        }
    }
}
