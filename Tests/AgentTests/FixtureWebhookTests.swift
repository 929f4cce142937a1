import Agent
import Attendees
import Badges
import Foundation
import HTTPTypes
import HummingbirdTesting
import Printers
import Raster
import Store
import Testing

/// The issue's end-to-end proof: the 1,200 shared registration fixtures posted one by one as
/// signed webhooks over real HTTP on loopback, to an agent printing to the simulator. Every
/// record intake accepts becomes exactly one printed badge (a repeat of an attendee already
/// spooled is answered as a duplicate and prints nothing); every record intake rejects is
/// dead-lettered with the code and field path the intake policy prescribes for its `_defect`
/// label (as `IntakeFixtureTests` classifies them), its payload kept byte for byte.
@Suite(.serialized) struct FixtureWebhookTests {
    static let fixture = AgentHarness.repositoryRoot.appending(path: "Tests/BadgesTests/Fixtures/registrations.jsonl")

    /// One fixture line and the fields the classification needs.
    struct Record: Sendable {
        var line: Int
        /// The line exactly as in the file: the webhook body.
        var raw: Data
        var defect: String?
        var source: String?
        /// Who the record is: the same source and source_id are the same attendee.
        var attendeeKey: String?
        var ticketType: String?
        var company: String?
    }

    static func records() throws -> [Record] {
        let data = try Data(contentsOf: fixture)
        var records: [Record] = []
        for (index, line) in data.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            let raw = Data(line)
            let fields = try #require(try JSONSerialization.jsonObject(with: raw) as? [String: Any], "line \(index + 1)")
            let source = fields["source"] as? String
            let sourceID = fields["source_id"].flatMap { $0 is NSNull ? nil : "\($0)" }
            records.append(
                Record(
                    line: index + 1, raw: raw, defect: fields["_defect"] as? String, source: source,
                    attendeeKey: source.flatMap { source in sourceID.map { "\(source)|\($0)" } },
                    ticketType: fields["ticket_type"] as? String, company: fields["company"] as? String))
        }
        return records
    }

    /// Why intake must refuse the record on its own (a webhook is one record, not a batch), as the
    /// intake policy prescribes for each defect label; nil when it must be accepted. A repeated
    /// attendee is a valid record: not printing it twice is the queue's idempotency, not intake's.
    static func expectedRejection(_ record: Record) -> (code: IntakeIssueCode, field: String)? {
        switch record.defect {
        case "bad-email": return (.invalidEmail, "email")
        case "no-email": return (.missingField, "email")
        case "no-source-id": return (.missingField, "source_id")
        case "empty-name": return (.emptyName, "$")
        case "unknown-ticket":
            let tiers = Set(EventConfiguration.defaultTierMapping.keys.map { $0.lowercased() })
            let ticket = TextNormalization.normalize(record.ticketType ?? "").value.lowercased()
            return tiers.contains(ticket) ? nil : (.unknownTicketType, "ticket_type")
        case "long-company":
            let company = record.company ?? ""
            return company.unicodeScalars.count > 256 ? (.tooLong, "company") : nil
        default:
            return nil
        }
    }

    /// The fixture's labels (nil: a clean record), as `IntakeFixtureTests` knows them.
    static let knownLabels: Set<String?> = [
        nil, "email-case", "padding", "sessions-string", "null-sessions", "unknown-field", "no-first-name", "no-last-name",
        "unknown-ticket", "caps", "lower", "long-company", "number-as-string", "control-chars", "duplicate", "naive-timestamp",
        "bad-email", "no-email", "no-source-id", "empty-name",
    ]

    @Test func everyFixtureRegistrationPostedAsASignedWebhookPrintsOnceOrIsDeadLettered() async throws {
        let records = try Self.records()
        #expect(records.count == 1200)
        for record in records where !Self.knownLabels.contains(record.defect) {
            Issue.record("unclassified fixture label \(record.defect ?? "") on line \(record.line)")
        }
        let sources = Set(records.compactMap(\.source))
        var options = AgentOptions()
        options.transport = .live
        options.maxQueued = records.count
        options.webhooksPerMinute = 100_000
        options.webhookSecrets = Dictionary(uniqueKeysWithValues: sources.map { ($0, "secret-of-\($0)") })

        try await withAgent(options) { harness, client in
            var firstJob: [String: Int] = [:]
            var outcomes: [String: Int] = [:]
            var rejectedByCode: [String: Int] = [:]
            for record in records {
                let source = record.source ?? "crm"
                let context = Comment(rawValue: "line \(record.line) (\(record.defect ?? "clean"))")
                let response = try await post(
                    client, "/v1/webhooks/registrations/\(source)", record.raw,
                    headers: signedHeaders(
                        body: record.raw, delivery: "fixture-\(record.line)",
                        secret: "secret-of-\(source)"))
                let body = json(response)
                if let rejection = Self.expectedRejection(record) {
                    outcomes["dead_lettered", default: 0] += 1
                    rejectedByCode[rejection.code.rawValue, default: 0] += 1
                    #expect(response.status == .unprocessableContent, context)
                    let error = body["error"] as? [String: Any] ?? [:]
                    #expect(error["code"] as? String == rejection.code.rawValue, context)
                    let id = try #require(error["dead_letter_id"] as? Int, context)
                    let letter = try #require(try harness.store.deadLetter(id: Int64(id)), context)
                    #expect(letter.stage == .intake, context)
                    #expect(letter.code == rejection.code.rawValue, context)
                    #expect(letter.fieldPath == rejection.field, context)
                    #expect(letter.payload == record.raw, "the payload is kept byte for byte; \(context)")
                    #expect(letter.jobID == nil, context)
                } else if let key = record.attendeeKey, let original = firstJob[key] {
                    outcomes["duplicate", default: 0] += 1
                    #expect(response.status == .ok, context)
                    #expect(body["duplicate"] as? Bool == true, context)
                    #expect(body["id"] as? Int == original, "a repeat of an attendee answers with the first job; \(context)")
                } else {
                    outcomes["queued", default: 0] += 1
                    #expect(response.status == .accepted, "\(body); \(context)")
                    let key = try #require(record.attendeeKey, context)
                    firstJob[key] = try #require(body["id"] as? Int, context)
                }
            }
            #expect(outcomes.values.reduce(0, +) == records.count)

            var states: [String: Int] = [:]
            for id in firstJob.values.sorted() {
                let state = try await finalState(client, job: id, polls: 4000)
                states[state, default: 0] += 1
                let finished = try await job(client, id)
                #expect(state == "printed" && finished["attempts"] as? Int == 1, "job \(id): \(finished)")
            }
            #expect(states == ["printed": firstJob.count], "\(states)")

            let labels = try harness.simulator.printedLabels
            #expect(labels.count == firstJob.count, "one label per distinct attendee accepted")
            // Every badge differs (names, QR codes), so a label printed twice would show as a repeat.
            #expect(Set(labels.map { $0.bitmap.bytes.hashValue }).count == labels.count)
            let counts = try harness.store.stateCounts()
            #expect(counts[.printed] == firstJob.count)
            #expect(counts.filter { $0.key != .printed }.values.allSatisfy { $0 == 0 }, "\(counts)")
            let letters = try harness.store.deadLetters(limit: 10_000)
            #expect(letters.count == outcomes["dead_lettered"] ?? 0)
            #expect(letters.allSatisfy { $0.stage == .intake }, "no badge failed to render")

            print(
                "fixture webhooks: \(records.count) posted; \(outcomes["queued"] ?? 0) queued and printed once, "
                    + "\(outcomes["duplicate"] ?? 0) answered as duplicates, \(outcomes["dead_lettered"] ?? 0) dead-lettered "
                    + "(\(rejectedByCode.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", "))); "
                    + "\(labels.count) labels printed")
        }
    }

    /// A sender told 429 retries the same delivery (same delivery id, fresh signature) after
    /// `Retry-After`, as `WebhookSignature` documents; that retry must be taken, or the
    /// registration is lost.
    @Test func aDeliveryRefusedForBackpressureIsTakenWhenRetried() async throws {
        var options = AgentOptions()
        options.maxQueued = 1
        try await withAgent(options) { harness, client in
            let simulator = try harness.simulator
            try simulator.setMode(.paperOut)
            let first = Data(registration("W-1").utf8)
            let accepted = try await post(
                client, "/v1/webhooks/registrations/crm", first, headers: signedHeaders(body: first, delivery: "w-1"))
            #expect(accepted.status == .accepted)
            let second = Data(registration("W-2").utf8)
            let refused = try await post(
                client, "/v1/webhooks/registrations/crm", second, headers: signedHeaders(body: second, delivery: "w-2"))
            #expect(refused.status == .tooManyRequests && refused.headers[.retryAfter] != nil)

            try simulator.setMode(.ready)
            #expect(try await finalState(client, job: try #require(json(accepted)["id"] as? Int)) == "printed")
            let retried = try await post(
                client, "/v1/webhooks/registrations/crm", second, headers: signedHeaders(body: second, delivery: "w-2"))
            #expect(retried.status == .accepted, "\(json(retried))")
        }
    }
}
