import Agent
import Attendees
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Printers
import Store
import Testing

/// Two agents as peers on loopback (docs/handover.md): a badge the first cannot print by its
/// deadline is handed to the second with its idempotency key, printed there once, and recorded
/// on the first with where and when; the receiving side's records, withdrawals and refusals.
@Suite struct PeerHandoverTests {
    static let peerToken = String(repeating: "p", count: 40)

    /// The receiving agent: a token with the peer scope for the handing one.
    static func receiving() -> AgentOptions {
        var options = AgentOptions()
        options.transport = .live
        options.kioskID = "kiosk-b"
        options.tokens = [
            AccessToken(name: "kiosk-a", scopes: [.peer], sha256: AccessToken.digest(of: peerToken)),
            AccessToken(name: "crm", scopes: [.print], sha256: AccessToken.digest(of: String(repeating: "c", count: 40))),
        ]
        return options
    }

    /// The handing agent: its printer unreachable, the peer at `port` next in its chain.
    static func handing(peerPort: Int, deadline: Double = 0.5) throws -> (AgentOptions, URL) {
        let tokenFile = FileManager.default.temporaryDirectory.appending(path: "lanyard-peer-token-\(UUID().uuidString)")
        try Data(peerToken.utf8).write(to: tokenFile)
        var options = AgentOptions()
        options.kioskID = "kiosk-a"
        options.printer = .address("tcp://127.0.0.1:1", profile: "zebra-zd621d-300")
        options.deadlineSeconds = deadline
        options.destinations = [
            AgentConfiguration.Destination(
                id: "kiosk-b", kind: .peer(URL(string: "http://127.0.0.1:\(peerPort)")!), location: "Kiosk B, by the cloakroom",
                tokenFile: tokenFile.path)
        ]
        return (options, tokenFile)
    }

    @Test func aBadgeNotPrintedByItsDeadlineIsPrintedOnceByThePeerAndRecordedWhereAndWhen() async throws {
        try await withAgent(Self.receiving()) { peer, peerClient in
            let port = try #require(peerClient.port)
            let (options, tokenFile) = try Self.handing(peerPort: port)
            defer { try? FileManager.default.removeItem(at: tokenFile) }
            try await withAgent(options) { agent, client in
                let id = try await submitBadge(client, "peer-1")
                #expect(try await finalState(client, job: id) == "printed")
                let job = try #require(try agent.store.job(id: Int64(id)))
                #expect(job.printerID == "kiosk-b")
                #expect(job.history.contains { $0.note?.contains("moved from") == true }, "the move along the chain is in the history")
                let record = try #require(try agent.store.destinationRecord(jobID: job.id))
                #expect(record.destination == "kiosk-b" && record.printedAt != nil && record.remoteState == "printed")
                #expect(record.remotePlace?.contains("sim") == true || record.remotePlace != nil)
                #expect(job.history.last?.note?.hasPrefix("printed by kiosk-b") == true)

                // The peer made one job under the same key, recorded as handed over by kiosk-a.
                let received = try #require(try peer.store.job(idempotencyKey: job.idempotencyKey))
                #expect(received.state == .printed)
                #expect(try peer.store.handedOverBy(jobID: received.id) == "kiosk-a")
                let labels = await peer.printerSimulator!.waitForLabels(count: 1, timeout: .seconds(5))
                #expect(labels.count == 1)

                // The kiosk's job stream tells the attendee where to collect it.
                let events = try await client.execute(uri: "/v1/jobs/\(id)/events", method: .get)
                let text = String(buffer: events.body)
                #expect(text.contains(#""collect_at":"Kiosk B, by the cloakroom""#), "\(text)")
            }
        }
    }

    @Test func offersAreIdempotentAndAWithdrawalBeforeTheOfferMakesNothing() async throws {
        try await withAgent(Self.receiving()) { peer, client in
            let auth: HTTPFields = [.authorization: "Bearer \(Self.peerToken)", .contentType: "application/json"]
            let attendee = Attendee(
                attendeeID: "peer-offer-1", source: "crm", sourceID: "offer-1", eventSlug: "devcon-2026", firstName: "Grace",
                lastName: "Hopper",
                email: "x@example.org", ticketType: "General", accessTier: .general)
            let offer = try JSONEncoder().encode(
                PeerOffer(idempotencyKey: "attendee:offer 1/x", correlationID: "c-1", from: "kiosk-a", attendee: attendee))
            let first = try await client.execute(uri: "/v1/peer/handovers", method: .post, headers: auth, body: ByteBuffer(bytes: offer))
            #expect(first.status == .created)
            let again = try await client.execute(uri: "/v1/peer/handovers", method: .post, headers: auth, body: ByteBuffer(bytes: offer))
            #expect(again.status == .ok)
            let one = try JSONDecoder().decode(PeerHandoverStatus.self, from: Data(first.body.readableBytesView))
            let two = try JSONDecoder().decode(PeerHandoverStatus.self, from: Data(again.body.readableBytesView))
            #expect(one.jobID == two.jobID, "a second offer of a key answers with its job")
            let status = try await client.execute(uri: "/v1/peer/handovers/attendee%3Aoffer%201%2Fx", method: .get, headers: auth)
            #expect(status.status == .ok, "\(String(buffer: status.body))")

            // Withdrawn before its offer arrives: the late offer makes nothing.
            let withdraw = try await client.execute(
                uri: "/v1/peer/handovers/attendee%3Alate/withdraw", method: .post, headers: auth,
                body: ByteBuffer(string: #"{"from": "kiosk-a"}"#))
            #expect(try JSONDecoder().decode(PeerHandoverStatus.self, from: Data(withdraw.body.readableBytesView)).state == "withdrawn")
            let late = try JSONEncoder().encode(
                PeerOffer(idempotencyKey: "attendee:late", correlationID: "c-2", from: "kiosk-a", attendee: attendee))
            let lateAnswer = try await client.execute(
                uri: "/v1/peer/handovers", method: .post, headers: auth, body: ByteBuffer(bytes: late))
            #expect(try JSONDecoder().decode(PeerHandoverStatus.self, from: Data(lateAnswer.body.readableBytesView)).state == "withdrawn")
            #expect(try peer.store.job(idempotencyKey: "attendee:late") == nil)

            // A token without the peer scope, or none, is refused.
            let print: HTTPFields = [.authorization: "Bearer \(String(repeating: "c", count: 40))", .contentType: "application/json"]
            let refused = try await client.execute(uri: "/v1/peer/handovers", method: .post, headers: print, body: ByteBuffer(bytes: offer))
            #expect(refused.status == .forbidden)
            let anonymous = try await client.execute(
                uri: "/v1/peer/handovers", method: .post, headers: [.contentType: "application/json"], body: ByteBuffer(bytes: offer))
            #expect(anonymous.status == .unauthorized)
        }
    }

    @Test func theReceivingStoreCancelsAQueuedJobOnWithdrawalAndKeepsOneThatStarted() throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-peer-store-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let store = try LanyardStore(dataDirectory: directory)
        func offer(_ key: String) throws -> HandoverReceipt {
            try store.receiveHandover(
                NewPrintJob(idempotencyKey: key, correlationID: "c", printerID: "p", payload: Data("{}".utf8)), from: "kiosk-a",
                maxQueued: 10)
        }
        guard case .accepted(let queued) = try offer("k-queued") else {
            Issue.record("not accepted")
            return
        }
        #expect(try store.withdrawHandover(idempotencyKey: "k-queued", from: "kiosk-a") == .withdrawn)
        #expect(try store.job(id: queued.id)?.state == .cancelled)

        guard case .accepted(let started) = try offer("k-started") else {
            Issue.record("not accepted")
            return
        }
        _ = try store.claimNextJob(printerID: "p")
        guard case .kept(let kept) = try store.withdrawHandover(idempotencyKey: "k-started", from: "kiosk-a") else {
            Issue.record("a job that started sending was withdrawn")
            return
        }
        #expect(kept.id == started.id && kept.state == .sending)
        if case .duplicate(let again) = try offer("k-started") { #expect(again.id == started.id) } else { Issue.record("not a duplicate") }
    }

    @Test func aPeerThatCannotBeReachedLeavesTheBadgeFlaggedToTheOperator() async throws {
        // Nothing listens on port 1: every offer certainly fails to arrive.
        let (options, tokenFile) = try Self.handing(peerPort: 1, deadline: 0.3)
        defer { try? FileManager.default.removeItem(at: tokenFile) }
        try await withAgent(options) { agent, client in
            let id = try await submitBadge(client, "peer-down-1")
            let flagged = try await eventually {
                try agent.store.auditEntries(limit: 50).first { $0.action == "job.overdue" && $0.subject == "job:\(id)" }
            }
            #expect(flagged != nil, "a badge with nowhere left to go is flagged")
            let job = try #require(try agent.store.job(id: Int64(id)))
            #expect(job.printerID == "kiosk-b" && [.queued, .sending].contains(job.state), "it waits at the peer")
            #expect(
                job.history.contains { $0.from == .sending && $0.to == .queued && $0.note?.hasPrefix("kiosk-b: peer") == true },
                "an offer that never arrived puts the badge back in the queue, free to move: \(job.history)")
            let overview = json(
                try await client.execute(
                    uri: "/v1/operator/overview", method: .get, headers: [.authorization: "Bearer \(AgentHarness.adminToken)"]))
            #expect(String(describing: overview["overdue"] ?? "").contains("\(id)"), "the operator's page lists it")
        }
    }

    /// Peers over mutual TLS: the receiving agent's HTTPS listener asks for a certificate from the
    /// fleet's CA; a handing agent with one hands over, one with a certificate of another CA
    /// never reaches it (the handshake fails, so the offer certainly did not arrive).
    @Test(arguments: ["client", "stranger"]) func peersOverMutualTLS(identity: String) async throws {
        let pki = try TestPKI()
        var receiving = Self.receiving()
        receiving.transport = .router
        receiving.tls = TLSSettings(
            listen: "127.0.0.1:0", certificate: pki.path("server.pem"), key: pki.path("server.key"), clientCA: pki.path("ca.pem"))
        try await withAgent(receiving) { peer, _ in
            let base = try #require(try await eventually { peer.application.httpsAddress })
            let portText = base.split(separator: ":").last.map(String.init) ?? ""
            let port = try #require(Int(portText))
            var (options, tokenFile) = try Self.handing(peerPort: port, deadline: 0.3)
            defer { try? FileManager.default.removeItem(at: tokenFile) }
            options.destinations[0].kind = .peer(URL(string: "https://127.0.0.1:\(port)")!)
            options.destinations[0].ca = pki.path("ca.pem")
            options.destinations[0].certificate = pki.path("\(identity).pem")
            options.destinations[0].key = pki.path("\(identity).key")
            try await withAgent(options) { agent, client in
                let id = try await submitBadge(client, "peer-tls-\(identity)")
                if identity == "client" {
                    #expect(try await finalState(client, job: id) == "printed")
                    let handed = try #require(try agent.store.job(id: Int64(id)))
                    #expect(try peer.store.job(idempotencyKey: handed.idempotencyKey) != nil)
                } else {
                    // Refused at the handshake: the peer never sees the offer, the handing agent
                    // finds it unreachable and keeps the badge, unsent.
                    let unreachable = try await eventually { agent.core.destinations["kiosk-b"]?.status.reachable == false ? true : nil }
                    #expect(unreachable == true)
                    let job = try #require(try agent.store.job(id: Int64(id)))
                    #expect(job.printerID == "kiosk-b" && [.queued, .sending].contains(job.state))
                    #expect(try peer.store.job(idempotencyKey: job.idempotencyKey) == nil)
                }
            }
        }
    }
}
