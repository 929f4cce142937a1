import Agent
import Attendees
import Badges
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Printers
import Prometheus
import Store
import Testing

/// The agent through its HTTP API, printing to the in-process simulator: badges print once per
/// idempotency key, defective records are dead-lettered with their reason, webhooks must be
/// signed and fresh and never replayed, a printer out of paper holds the queue, and a full
/// queue answers 429.
@Suite(.serialized) struct AgentAPITests {
    static let repositoryRoot = AgentHarness.repositoryRoot

    func withAgent(
        maxQueued: Int = 100, _ body: @escaping @Sendable (AgentHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        var options = AgentOptions()
        options.maxQueued = maxQueued
        try await AgentTests.withAgent(options, body)
    }

    static let registration =
        #"{"source":"crm","source_id":"T-100","event_slug":"devcon-2026","first_name":"Ada","last_name":"Lovelace","email":"ada@example.org","ticket_type":"VIP"}"#

    @Test func aBadgePrintsOnceAndItsRasterIsTheRenderedOne() async throws {
        try await withAgent { harness, client in
            let first = try await post(client, "/v1/badges", #"{"attendee": \#(Self.registration)}"#)
            #expect(first.status == .accepted)
            let id = try #require(json(first)["id"] as? Int)
            #expect(try await finalState(client, job: id) == "printed")
            let again = try await post(client, "/v1/badges", #"{"attendee": \#(Self.registration)}"#)
            #expect(again.status == .ok && json(again)["duplicate"] as? Bool == true && json(again)["id"] as? Int == id)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try harness.simulator.printedLabels.count == 1, "a retried request never prints twice")

            let event = try EventConfiguration.load(file: Self.repositoryRoot.appending(path: "Templates/sample-event.yaml"))
            let attendee = try #require(Intake(event: event).validate(jsonObject: Data(Self.registration.utf8), line: nil).attendee)
            let renderer = try BadgeRenderer(
                bundle: try TemplateBundle.load(directory: Self.repositoryRoot.appending(path: "Templates/standard")),
                dpi: 300, logger: Logger(label: "test"))
            let expected = try renderer.render(fields: BadgeFields.fields(for: attendee, event: event)).bitmap
            #expect(try harness.simulator.printedLabels.first?.bitmap == expected)
            let job = json(try await client.execute(uri: "/v1/jobs/\(id)", method: .get))
            #expect(job["template_tier"] as? String == "fallback")
        }
    }

    @Test func aDefectiveRegistrationIsDeadLetteredWithItsReason() async throws {
        try await withAgent { harness, client in
            let bad =
                #"{"attendee": {"source":"crm","source_id":"T-2","event_slug":"devcon-2026","first_name":"No","email":"not an email","ticket_type":"VIP"}}"#
            let response = try await post(client, "/v1/badges", bad)
            #expect(response.status == .unprocessableContent)
            let error = try #require(json(response)["error"] as? [String: Any])
            #expect(error["code"] as? String == "intake.invalid_email" || (error["code"] as? String ?? "").hasPrefix("intake."))
            #expect(error["dead_letter_id"] as? Int != nil)
            let letters = try harness.core.store.deadLetters(limit: 10)
            #expect(letters.count == 1 && letters[0].stage == .intake)
            #expect(try harness.simulator.printedLabels.isEmpty)
            let garbage = try await post(client, "/v1/badges", "{not json")
            #expect(garbage.status == .badRequest)
        }
    }

    @Test func webhooksMustBeSignedFreshAndNeverReplayed() async throws {
        try await withAgent { _, client in
            let body = Self.registration
            let now = Int(Date().timeIntervalSince1970)
            func headers(_ timestamp: Int, _ secret: String, delivery: String) -> HTTPFields {
                [
                    HTTPField.Name("X-Lanyard-Timestamp")!: "\(timestamp)",
                    HTTPField.Name("X-Lanyard-Signature")!: WebhookSignature.sign(
                        body: Data(body.utf8), timestamp: timestamp, secret: secret),
                    HTTPField.Name("X-Lanyard-Delivery")!: delivery,
                ]
            }
            let good = try await post(
                client, "/v1/webhooks/registrations/crm", body, headers: headers(now, "webhook-secret", delivery: "d-1"))
            #expect(good.status == .accepted)
            let replay = try await post(
                client, "/v1/webhooks/registrations/crm", body, headers: headers(now, "webhook-secret", delivery: "d-1"))
            #expect(replay.status == .unauthorized, "a replayed delivery is refused")
            let wrong = try await post(client, "/v1/webhooks/registrations/crm", body, headers: headers(now, "guess", delivery: "d-2"))
            #expect(wrong.status == .unauthorized)
            let old = try await post(
                client, "/v1/webhooks/registrations/crm", body, headers: headers(now - 3600, "webhook-secret", delivery: "d-3"))
            #expect(old.status == .unauthorized)
            let unsigned = try await post(client, "/v1/webhooks/registrations/crm", body)
            #expect(unsigned.status == .unauthorized)
            let unknown = try await post(
                client, "/v1/webhooks/registrations/other", body, headers: headers(now, "webhook-secret", delivery: "d-4"))
            #expect(unknown.status == .notFound)
        }
    }

    @Test func paperOutHoldsTheQueueAndAFullQueueAnswers429() async throws {
        try await withAgent(maxQueued: 2) { harness, client in
            try harness.simulator.setMode(.paperOut)
            try await Task.sleep(for: .milliseconds(300))
            var ids: [Int] = []
            for number in 1...2 {
                let response = try await post(
                    client, "/v1/badges", #"{"attendee": \#(Self.registration.replacingOccurrences(of: "T-100", with: "Q-\(number)"))}"#)
                #expect(response.status == .accepted)
                ids.append(json(response)["id"] as? Int ?? 0)
            }
            let full = try await post(
                client, "/v1/badges", #"{"attendee": \#(Self.registration.replacingOccurrences(of: "T-100", with: "Q-3"))}"#)
            #expect(full.status == .tooManyRequests && full.headers[.retryAfter] != nil)
            // A ZPL printer out of paper does not answer ~HS, so the worker learns it after one query timeout.
            var activity = ""
            for _ in 0..<200 where activity != "paused" {
                let printers = json(try await client.execute(uri: "/v1/printers", method: .get))["printers"] as? [[String: Any]]
                activity = printers?.first?["activity"] as? String ?? ""
                try await Task.sleep(for: .milliseconds(25))
            }
            #expect(activity == "paused")
            #expect(try harness.simulator.printedLabels.isEmpty, "nothing prints while the paper is out")
            // Readiness says so, with the reason: a kiosk out of paper is not ready for attendees.
            let notReady = try await client.execute(uri: "/v1/ready", method: .get)
            #expect(notReady.status == .serviceUnavailable)
            let reasons = (json(notReady)["not_ready"] as? [String: [String]])?.values.flatMap { $0 } ?? []
            #expect(reasons.contains("paper_out"), "\(json(notReady))")
            // The operator's list of queued jobs shows the two held badges, newest first.
            let queued = json(try await client.execute(uri: "/v1/jobs?state=queued", method: .get))["jobs"] as? [[String: Any]] ?? []
            #expect(queued.compactMap { $0["id"] as? Int } == ids.reversed())
            let unknownState = try await client.execute(uri: "/v1/jobs?state=stuck", method: .get)
            #expect(unknownState.status == .badRequest)
            try harness.simulator.setMode(.ready)
            for id in ids { #expect(try await finalState(client, job: id) == "printed") }
            #expect(try harness.simulator.printedLabels.count == 2)
            let job = json(try await client.execute(uri: "/v1/jobs/\(ids[0])", method: .get))
            #expect(job["attempts"] as? Int == 1, "a paused printer costs no attempt")
            let ready = try await eventually { () async throws -> Bool? in
                try await client.execute(uri: "/v1/ready", method: .get).status == .ok ? true : nil
            }
            #expect(ready == true, "ready again once the paper is back")
        }
    }

    @Test func aScannedTicketPrintsAndAForgedOneIsRefused() async throws {
        try await withAgent { harness, client in
            let event = harness.core.event
            var session = Intake(event: event).makeSession()
            let samples = try session.acceptJSONLines(in: Self.repositoryRoot.appending(path: "Templates/sample-attendees.jsonl"))
            let attendee = try #require(samples.outcomes.compactMap(\.attendee).first, "the sample attendees are in the kiosk's cache")
            let payload = CheckIn.payload(for: attendee, secret: event.checkInSecret)
            let accepted = try await post(client, "/v1/checkins", #"{"payload": "\#(payload)"}"#)
            #expect(accepted.status == .accepted, "\(json(accepted))")
            let forged = payload.dropLast(3) + "AAA"
            let refused = try await post(client, "/v1/checkins", #"{"payload": "\#(forged)"}"#)
            #expect(refused.status == .unauthorized)
        }
    }

    @Test func healthAndMetricsAnswer() async throws {
        try await withAgent { _, client in
            #expect(try await client.execute(uri: "/v1/health", method: .get).status == .ok)
            let metrics = try await client.execute(uri: "/metrics", method: .get)
            #expect(metrics.status == .ok)
            let reprint = try await post(client, "/v1/jobs/1/reprint", "")
            #expect(reprint.status == .unauthorized, "reprints need the admin token")
        }
    }

    /// An agent printing to its simulator says so in health, where the kiosk page and an operator
    /// look; one with a real printer address does not carry the field at all.
    @Test func healthSaysWhenBadgesGoToTheSimulator() async throws {
        try await withAgent { _, client in
            let health = try await get(client, "/v1/health")
            #expect(health["simulated_printer"] as? Bool == true, "\(health)")
        }
        var network = AgentOptions()
        network.printer = .address("tcp://127.0.0.1:1", profile: "zebra-zd621d-300")
        try await AgentTests.withAgent(network) { _, client in
            let health = try await get(client, "/v1/health")
            #expect(health["status"] as? String == "ok")
            #expect(health["simulated_printer"] == nil, "\(health)")
        }
    }
}
