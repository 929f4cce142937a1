import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import LanyardSupport
import Sync
import Synchronization
import Testing

@testable import Registry

/// Tokens and roles on the HTTP API: each role reaches what it needs and nothing else, a revoked
/// token is refused, a rotated one is accepted through its overlap only, and changes are audited
/// with who and why.
@Suite struct AccessTests {
    static let event = "devcon-2026"

    /// One token per role, made on the server's own store as `lanyard registry token create` does.
    struct Tokens {
        var kiosk: AccessToken
        var viewer: AccessToken
        var operations: AccessToken
        var publisher: AccessToken
    }

    static func tokens(_ server: RegistryServer) async throws -> Tokens {
        let admin = TokenAdministration(store: server.store, actor: "test")
        func make(_ holder: String, _ role: AccessRole) async throws -> AccessToken {
            let made = try await admin.create(holder: holder, roles: [role], lifetime: nil, reason: "access tests")
            return made.token
        }
        let tokens = Tokens(
            kiosk: try await make("kiosk at door A", .kiosk), viewer: try await make("Grace (viewer)", .viewer),
            operations: try await make("Ada (operator)", .operator), publisher: try await make("central operations", .publisher))
        await server.access.invalidate()
        return tokens
    }

    static func upload(_ client: any TestClientProtocol, token: AccessToken?) async throws -> TestResponse {
        let item: [String: Any] = [
            "nonce": UUID().uuidString, "attendee_id": "att-1", "event": event, "kiosk_id": "door-a", "scanned_at": "2026-11-03T09:00:00Z",
        ]
        var headers: HTTPFields = [.contentType: "application/json"]
        if let token { headers[.authorization] = "Bearer \(token.text)" }
        return try await client.execute(
            uri: "/v1/agents/kiosk-a/check-ins", method: .post, headers: headers, body: try jsonBody(["items": [item]]))
    }

    static func push(_ client: any TestClientProtocol, token: AccessToken, reason: String?) async throws -> TestResponse {
        var headers = HTTPFields.bearer(token.text)
        if let reason { headers[RegistryAPI.reasonHeader] = reason }
        let registration: [String: Any] = [
            "attendee_id": "00000000-0000-4000-8000-000000000001", "first_name": "Ada", "last_name": "Lovelace",
            "email": "ada@example.org", "ticket_type": "General",
        ]
        return try await client.execute(
            uri: "/v1/events/\(event)/attendees", method: .post, headers: headers,
            body: try jsonBody(["changes": [["op": "upsert", "registration": registration]]]))
    }

    static func get(_ client: any TestClientProtocol, _ uri: String, token: AccessToken?) async throws -> TestResponse {
        try await client.execute(uri: uri, method: .get, headers: token.map { .bearer($0.text) } ?? [:])
    }

    @Test func eachRoleReachesWhatItNeedsAndNothingElse() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { server, client in
            let tokens = try await Self.tokens(server)
            // A kiosk uploads; it does not see the fleet or push attendees.
            #expect(try await Self.upload(client, token: tokens.kiosk).status == .ok)
            let kioskFleet = try await Self.get(client, "/v1/fleet", token: tokens.kiosk)
            #expect(kioskFleet.status == .forbidden)
            #expect(try errorCode(kioskFleet) == "registry.forbidden")
            #expect(try await Self.push(client, token: tokens.kiosk, reason: "x").status == .forbidden)

            // Once a kiosk token exists, uploads need one; the viewer's is not one.
            #expect(try await Self.upload(client, token: nil).status == .unauthorized)
            #expect(try await Self.upload(client, token: tokens.viewer).status == .forbidden)

            // A viewer reads the fleet and the audit log and changes nothing.
            #expect(try await Self.get(client, "/v1/fleet", token: tokens.viewer).status == .ok)
            #expect(try await Self.get(client, "/v1/audit", token: tokens.viewer).status == .ok)
            #expect(try await Self.get(client, "/v1/fleet", token: nil).status == .unauthorized)
            #expect(try await Self.push(client, token: tokens.viewer, reason: "x").status == .forbidden)

            // Attendee pushes are the operator's, not the publisher's.
            #expect(try await Self.push(client, token: tokens.publisher, reason: "x").status == .forbidden)
            let pushed = try await Self.push(client, token: tokens.operations, reason: "late registrations <from the desk>")
            #expect(pushed.status == .ok)
            #expect(try await server.store.attendeeSnapshot(event: Self.event).registrations.count == 1)

            // Refusals change nothing: one push in the log, by the operator, with the reason.
            let log = try await server.store.auditLog(before: nil, limit: 10).filter { $0.action == .attendeesPushed }
            #expect(log.count == 1)
            #expect(log.first?.actor == "Ada (operator)" && log.first?.tokenID == tokens.operations.id)
            #expect(log.first?.reason == "late registrations <from the desk>")
            #expect(log.first?.detail["upserted"] == "1")
            #expect(log.first?.correlationID?.isEmpty == false)

            // The fleet page shows it to people, escaped like everything else on it.
            let page = try await Self.get(client, "/fleet", token: tokens.viewer)
            let html = String(decoding: page.body.readableBytesView, as: UTF8.self)
            #expect(html.contains("Ada (operator)") && html.contains("attendees.pushed"))
            #expect(html.contains("late registrations &lt;from the desk&gt;") && !html.contains("<from the desk>"))
        }
    }

    @Test func theFleetPageOpensForAViewerAsABrowserSignsIn() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { server, client in
            let tokens = try await Self.tokens(server)
            func page(_ token: AccessToken) async throws -> TestResponse {
                let basic = "Basic " + Data("viewer:\(token.text)".utf8).base64EncodedString()
                return try await client.execute(uri: "/fleet", method: .get, headers: [.authorization: basic])
            }
            #expect(try await page(tokens.viewer).status == .ok)
            #expect(try await page(tokens.operations).status == .ok)
            #expect(try await page(tokens.kiosk).status == .forbidden)
            let prompt = try await client.execute(uri: "/fleet", method: .get)
            #expect(prompt.status == .unauthorized)
            #expect(prompt.headers[.wwwAuthenticate]?.hasPrefix("Basic") == true)
        }
    }

    @Test func aRevokedTokenIsRefusedAndForgettingAnAgentIsAudited() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        try await withRegistry(fixture) { server, client in
            let tokens = try await Self.tokens(server)
            let admin = TokenAdministration(store: server.store, actor: "Ada (command line)")
            _ = try await admin.revoke(id: tokens.viewer.id, reason: "left the team")
            await server.access.invalidate()
            let refused = try await Self.get(client, "/v1/fleet", token: tokens.viewer)
            #expect(refused.status == .unauthorized)
            #expect(try object(refused)["error"].flatMap { ($0 as? [String: Any])?["message"] as? String }?.contains("revoked") == true)

            let forged = AccessToken(id: tokens.operations.id, secret: String(repeating: "A", count: 43))
            #expect(try await Self.get(client, "/v1/fleet", token: forged).status == .unauthorized, "the id alone is not enough")

            // Forgetting an agent needs the operator role and is recorded with the reason.
            let report = try await client.execute(
                uri: "/v1/fleet/agents/kiosk-9", method: .delete,
                headers: [.authorization: "Bearer \(tokens.operations.text)", RegistryAPI.reasonHeader: "re-imaged"])
            #expect(report.status == .notFound, "no such agent: nothing to forget, nothing audited")
            let entries = try await server.store.auditLog(before: nil, limit: 10)
            #expect(entries.map(\.action) == [.tokenRevoked, .tokenCreated, .tokenCreated, .tokenCreated, .tokenCreated])
        }
    }

    /// The overlap is a window in time: the clock is the access control's own, moved by hand.
    @Test func aRotatedTokenIsAcceptedThroughItsOverlapOnly() async throws {
        let fixture = try RegistryFixture()
        defer { fixture.remove() }
        let store = SQLiteRegistryStore(database: try RegistryDatabase(stateDirectory: fixture.state))
        let clock = RegistryStoreContractTests.TestClock()
        let admin = TokenAdministration(store: store, actor: "test") { clock.now }
        let access = AccessControl(store: store, agentToken: nil, adminToken: nil, cacheLifetime: 0) { clock.now }
        let (old, _) = try await admin.create(holder: "badge printer fleet", roles: [.kiosk], lifetime: nil, reason: "setup")
        let (new, _, _) = try await admin.rotate(id: old.id, overlap: 3_600, lifetime: nil, reason: "rotation")

        clock.advance(3_599)
        #expect(try await access.authorize(old.text, for: .upload)?.tokenID == old.id, "inside the overlap")
        #expect(try await access.authorize(new.text, for: .upload)?.name == "badge printer fleet")
        clock.advance(1)
        let expired = await #expect(throws: RegistryError.self) { try await access.authorize(old.text, for: .upload) }
        #expect(expired?.code == .unauthorized)
        #expect(expired?.message.contains("expired") == true)
        #expect(try await access.authorize(new.text, for: .upload)?.tokenID == new.id)
        // Kiosk tokens exist, so anonymous uploads are refused; nothing grants the fleet view, so it is open.
        #expect(await #expect(throws: RegistryError.self) { try await access.authorize(nil, for: .upload) }?.code == .unauthorized)
        #expect(try await access.authorize(nil, for: .view) == nil)
        #expect(await #expect(throws: RegistryError.self) { try await access.authorize(nil, for: .pushAttendees) }?.code == .unauthorized)
    }

    @Test func aTokenReadsBackFromItsTextAndNeverShowsItsSecret() {
        let token = AccessToken.generate()
        #expect(AccessToken(parsing: token.text) == token)
        #expect(token.text.count == 4 + 16 + 1 + 43)
        #expect(!token.description.contains(token.secret) && !"\(token)".contains(token.secret))
        #expect(AccessToken.generate() != token)
        for bad in [
            "", "lyt_", "lyt_0123_abc", "lyt_0123456789ABCDEF_" + String(repeating: "a", count: 43), "admin-token-0123456789",
            "lyt_0123456789abcdef_" + String(repeating: "a", count: 42), "lyt_0123456789abcdef_" + String(repeating: "+", count: 43),
        ] {
            #expect(AccessToken(parsing: bad) == nil, "\(bad)")
        }
    }
}
