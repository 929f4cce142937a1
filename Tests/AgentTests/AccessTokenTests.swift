import Agent
import Foundation
import HTTPTypes
import HummingbirdTesting
import LanyardSupport
import NIOCore
import Testing

/// Tokens with scopes and windows: the admin token keeps working, a token does what its scopes
/// say, and a rotated token is accepted in its overlap and refused after it.
@Suite struct AccessTokenTests {
    static let admin = "Bearer \(AgentHarness.adminToken)"
    static let oldToken = String(repeating: "o", count: 40)
    static let newToken = String(repeating: "n", count: 40)
    static let unknownToken = String(repeating: "u", count: 40)
    static let checkInToken = String(repeating: "c", count: 40)
    static let operatorToken = String(repeating: "a", count: 40)

    static func token(
        _ name: String, _ value: String, _ scopes: Set<TokenScope>, notBefore: Date? = nil, notAfter: Date? = nil
    )
        -> AccessToken
    {
        AccessToken(name: name, scopes: scopes, sha256: AccessToken.digest(of: value), notBefore: notBefore, notAfter: notAfter)
    }

    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }

    func options(listener: AgentAPI.Listener, oldTokenEnds: Date) -> AgentOptions {
        var options = AgentOptions()
        options.listener = listener
        options.tokens = [
            Self.token("crm-2025", Self.oldToken, [.print], notAfter: oldTokenEnds),
            Self.token("crm-2026", Self.newToken, [.print], notBefore: Date().addingTimeInterval(-60)),
            Self.token("door-scanner", Self.checkInToken, [.checkIn]),
            Self.token("ops-script", Self.operatorToken, [.admin]),
        ]
        return options
    }

    @Test func aTokenIsCurrentFromNotBeforeUntilNotAfter() {
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        let token = Self.token("t", Self.oldToken, [.print], notBefore: start, notAfter: start.addingTimeInterval(3600))
        #expect(!token.isCurrent(at: start.addingTimeInterval(-1)))
        #expect(token.isCurrent(at: start))
        #expect(token.isCurrent(at: start.addingTimeInterval(3599)))
        #expect(!token.isCurrent(at: start.addingTimeInterval(3600)))
        #expect(Self.token("open", Self.newToken, [.print]).isCurrent(at: .distantFuture))
    }

    @Test func aRotatedTokenWorksDuringTheOverlapAndNotAfterIt() async throws {
        try await withAgent(options(listener: .integrators, oldTokenEnds: Date().addingTimeInterval(3600))) { _, client in
            let old = try await post(client, "/v1/badges", #"{"attendee": \#(registration("R-old"))}"#, headers: Self.bearer(Self.oldToken))
            #expect(old.status == .accepted, "the old token, in the overlap")
            let new = try await post(client, "/v1/badges", #"{"attendee": \#(registration("R-new"))}"#, headers: Self.bearer(Self.newToken))
            #expect(new.status == .accepted, "the new token, in the overlap")
        }
        try await withAgent(options(listener: .integrators, oldTokenEnds: Date().addingTimeInterval(-1))) { _, client in
            let old = try await post(client, "/v1/badges", #"{"attendee": \#(registration("R-old"))}"#, headers: Self.bearer(Self.oldToken))
            #expect(old.status == .unauthorized)
            #expect((json(old)["error"] as? [String: Any])?["code"] as? String == "agent.token_out_of_window")
            #expect(!String(buffer: old.body).contains(Self.oldToken), "the answer never repeats the token")
            let new = try await post(client, "/v1/badges", #"{"attendee": \#(registration("R-new"))}"#, headers: Self.bearer(Self.newToken))
            #expect(new.status == .accepted, "the new token, after the overlap")
            let metrics = try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: Self.admin])
            #expect(String(buffer: metrics.body).contains(#"lanyard_agent_refusals_total{reason="token_out_of_window"} 1"#))
        }
    }

    @Test func aTokenNotYetDueIsRefusedOnAdminRoutesToo() async throws {
        var options = AgentOptions()
        options.tokens = [Self.token("next-year", Self.operatorToken, [.admin], notBefore: Date().addingTimeInterval(3600))]
        try await withAgent(options) { _, client in
            let early = try await client.execute(uri: "/v1/dead-letters", method: .get, headers: Self.bearer(Self.operatorToken))
            #expect(early.status == .unauthorized)
            #expect((json(early)["error"] as? [String: Any])?["code"] as? String == "agent.token_out_of_window")
        }
    }

    @Test func scopesDecideWhatATokenMayDo() async throws {
        try await withAgent(options(listener: .integrators, oldTokenEnds: Date().addingTimeInterval(3600))) { _, client in
            func code(_ response: TestResponse) -> String? { (json(response)["error"] as? [String: Any])?["code"] as? String }
            let unknown = try await client.execute(uri: "/v1/dead-letters", method: .get, headers: Self.bearer(Self.unknownToken))
            #expect(unknown.status == .unauthorized, "an unknown token is no token")
            let printAdmin = try await client.execute(uri: "/v1/dead-letters", method: .get, headers: Self.bearer(Self.newToken))
            #expect(printAdmin.status == .forbidden && code(printAdmin) == "agent.scope_missing", "print does not reach admin routes")
            let checkInBadge = try await post(
                client, "/v1/badges", #"{"attendee": \#(registration("R-2"))}"#, headers: Self.bearer(Self.checkInToken))
            #expect(checkInBadge.status == .forbidden && code(checkInBadge) == "agent.scope_missing", "check-in does not submit badges")
            let printCheckIn = try await post(client, "/v1/checkins", #"{"payload": "x"}"#, headers: Self.bearer(Self.newToken))
            #expect(printCheckIn.status == .forbidden && code(printCheckIn) == "agent.scope_missing", "print does not check in")
            let checkIn = try await post(client, "/v1/checkins", #"{"payload": "x"}"#, headers: Self.bearer(Self.checkInToken))
            let reached = (json(checkIn)["error"] as? [String: Any])?["detail"] as? String
            #expect(reached == "$.payload", "check-in reaches the check-in, which reads the payload: \(json(checkIn))")
            let anonymous = try await post(client, "/v1/badges", #"{"attendee": \#(registration("R-3"))}"#)
            #expect(anonymous.status == .unauthorized, "nothing is anonymous on the integrators' listener")
            #expect(try await client.execute(uri: "/v1/health", method: .get).status == .ok, "but health")
            #expect(try await client.execute(uri: "/v1/jobs", method: .get).status == .unauthorized)
            #expect(try await client.execute(uri: "/v1/jobs", method: .get, headers: Self.bearer(Self.checkInToken)).status == .ok)
            let operatorRoute = try await client.execute(uri: "/v1/dead-letters", method: .get, headers: Self.bearer(Self.operatorToken))
            #expect(operatorRoute.status == .ok, "an admin-scoped token does what the admin token does")
            let adminBadge = try await post(
                client, "/v1/badges", #"{"attendee": \#(registration("R-4"))}"#, headers: [.authorization: Self.admin])
            #expect(adminBadge.status == .accepted, "the admin token has every scope")
            #expect(try await client.execute(uri: "/v1/dead-letters", method: .get, headers: [.authorization: Self.admin]).status == .ok)
            let metrics = String(
                buffer: try await client.execute(uri: "/metrics", method: .get, headers: [.authorization: Self.admin]).body)
            #expect(metrics.contains(#"lanyard_agent_refusals_total{reason="scope_missing"} 3"#), "\(metrics)")
            #expect(metrics.contains(#"lanyard_agent_refusals_total{reason="unauthorized"}"#))
        }
    }

    @Test func theKioskListenerStillTakesTheKioskPagesBadgesWithoutAToken() async throws {
        try await withAgent(options(listener: .kiosk, oldTokenEnds: Date().addingTimeInterval(3600))) { _, client in
            _ = try await submitBadge(client, "R-kiosk")
            let printAdmin = try await client.execute(uri: "/v1/dead-letters", method: .get, headers: Self.bearer(Self.newToken))
            #expect(printAdmin.status == .forbidden, "scopes hold on every listener")
        }
    }
}

/// Webhook sources limited to addresses: a delivery from elsewhere is refused before its
/// signature is looked at; the address is the connection's, never a forwarding header.
@Suite struct WebhookAllowListTests {
    @Test func addressesAndNetworksMatchAsWritten() throws {
        let network = try #require(AddressRange("10.0.0.0/8"))
        #expect(network.contains("10.200.3.4") && !network.contains("11.0.0.1"))
        #expect(network.contains("::ffff:10.1.2.3"), "an IPv4 client of a dual-stack listener")
        let single = try #require(AddressRange("192.0.2.7"))
        #expect(single.contains("192.0.2.7") && !single.contains("192.0.2.8"))
        let odd = try #require(AddressRange("192.0.2.0/25"))
        #expect(odd.contains("192.0.2.127") && !odd.contains("192.0.2.128"))
        let v6 = try #require(AddressRange("2001:db8::/32"))
        #expect(v6.contains("2001:db8:1::5") && !v6.contains("2001:db9::1") && !v6.contains("10.0.0.1"))
        #expect(try #require(AddressRange("0.0.0.0/0")).contains("203.0.113.9"))
        for bad in ["", "crm.example.org", "10.0.0.0/33", "2001:db8::/129", "10.0.0.0/8/8", "10.0.0.0/-1", "10.0.0/8"] {
            #expect(AddressRange(bad) == nil, "\(bad)")
        }
    }

    func deliver(
        _ client: any TestClientProtocol, delivery: String, secret: String = AgentHarness.webhookSecret
    ) async throws -> TestResponse {
        let body = Data(registration("W-\(delivery)").utf8)
        var headers = signedHeaders(body: body, delivery: delivery, secret: secret)
        headers[HTTPField.Name("X-Forwarded-For")!] = "10.1.2.3"
        return try await post(client, "/v1/webhooks/registrations/crm", body, headers: headers)
    }

    @Test func aDeliveryFromOutsideTheListIsRefusedBeforeItsSignature() async throws {
        var options = AgentOptions()
        options.transport = .live
        options.webhookAllow = ["crm": [try #require(AddressRange("10.0.0.0/8"))]]
        try await withAgent(options) { _, client in
            for (delivery, secret) in [("d-1", AgentHarness.webhookSecret), ("d-2", "a guess")] {
                let refused = try await deliver(client, delivery: delivery, secret: secret)
                #expect(refused.status == .forbidden)
                #expect((json(refused)["error"] as? [String: Any])?["code"] as? String == "agent.address_not_allowed")
            }
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(String(buffer: metrics.body).contains(#"lanyard_agent_refusals_total{reason="address_not_allowed"} 2"#))
        }
    }

    @Test func aDeliveryFromInsideTheListIsTaken() async throws {
        var options = AgentOptions()
        options.transport = .live
        options.webhookAllow = ["crm": [try #require(AddressRange("192.0.2.0/24")), try #require(AddressRange("127.0.0.0/8"))]]
        try await withAgent(options) { _, client in
            let taken = try await deliver(client, delivery: "d-1")
            #expect(taken.status == .accepted)
            let unsigned = try await deliver(client, delivery: "d-2", secret: "a guess")
            #expect(unsigned.status == .unauthorized, "and its signature still counts")
        }
    }
}

/// The boundary's settings in the configuration file: read strictly, each problem named by key.
@Suite struct BoundaryConfigurationTests {
    func load(_ yaml: String) throws -> AgentConfiguration {
        let file = FileManager.default.temporaryDirectory.appending(path: "lanyard-boundary-\(UUID().uuidString).yaml")
        try yaml.write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        return try AgentConfiguration.load(file: file.path, environment: [:])
    }

    static let digest = AccessToken.digest(of: String(repeating: "x", count: 40))

    @Test func theBoundaryIsReadFromTheFile() throws {
        let configuration = try load(
            """
            tls:
              listen: 0.0.0.0:9443
              certificate: /etc/lanyard/tls/agent.pem
              key: /etc/lanyard/tls/agent.key
              client_ca: /etc/lanyard/tls/clients-ca.pem
              client_pins: ["\(String(repeating: "AB:", count: 31))AB"]
            tokens:
              - {name: crm-2025, scopes: [print], sha256: \(Self.digest.uppercased()), not_after: "2026-11-02T12:00:00Z"}
              - {name: crm-2026, scopes: [print, check-in], sha256: \(AccessToken.digest(of: "other")), not_before: 2026-11-01T12:00:00+01:00}
            webhooks:
              secrets: {crm: s3cret}
              allow: {crm: ["10.0.0.0/8", "2001:db8::/32", 192.0.2.7]}
            """)
        let tls = try #require(configuration.tls)
        #expect(tls.listen == "0.0.0.0:9443" && tls.verifiesClients)
        #expect(tls.clientPins == [String(repeating: "ab", count: 32)])
        #expect(configuration.tokens.map(\.name) == ["crm-2025", "crm-2026"])
        #expect(configuration.tokens[0].sha256 == Self.digest)
        #expect(configuration.tokens[0].notAfter == Date(timeIntervalSince1970: 1_793_620_800))
        #expect(configuration.tokens[1].notBefore == Date(timeIntervalSince1970: 1_793_530_800))
        #expect(configuration.tokens[1].scopes == [.print, .checkIn])
        #expect(configuration.webhooks.allow["crm"]?.count == 3)
    }

    @Test(arguments: [
        ("tls: {certificate: a.pem}", "tls"),
        ("tls: {certificate: a.pem, key: a.key, listen: unix:/run/a.sock}", "tls.listen"),
        ("tls: {certificate: a.pem, key: a.key, client_pins: [abc]}", "tls.client_pins"),
        ("tls: {certificate: a.pem, key: a.key, client_certs: a.pem}", "tls.client_certs"),
        ("tokens: [{name: a, scopes: [print], sha256: abc}]", "tokens[0].sha256"),
        ("tokens: [{name: a, scopes: [], sha256: \(digest)}]", "tokens[0].scopes"),
        ("tokens: [{name: a, scopes: [printing], sha256: \(digest)}]", "tokens[0].scopes"),
        ("tokens: [{name: a, scopes: [print], sha256: \(digest), not_after: next week}]", "tokens[0].not_after"),
        (
            "tokens: [{name: a, scopes: [print], sha256: \(digest), not_before: 2026-11-02T00:00:00Z, not_after: 2026-11-01T00:00:00Z}]",
            "tokens[0].not_after"
        ),
        ("tokens: [{name: a, scopes: [print], sha256: \(digest)}, {name: b, scopes: [admin], sha256: \(digest)}]", "tokens[1]"),
        ("webhooks: {secrets: {crm: s}, allow: {crm: [crm.example.org]}}", "webhooks.allow"),
        ("webhooks: {secrets: {crm: s}, allow: {erp: [10.0.0.0/8]}}", "webhooks.allow.erp"),
    ])
    func aWrongSettingIsNamed(_ yaml: String, _ path: String) throws {
        #expect {
            try load(yaml)
        } throws: { error in
            guard let error = error as? AgentError, error.code == .configurationInvalid else { return false }
            return error.message.contains(path) || (error.detail ?? "").hasPrefix(path)
        }
    }
}
