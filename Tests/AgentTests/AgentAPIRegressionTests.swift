import Agent
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import Prometheus
import Store
import TestSupport
import Testing

/// Answers that broke docs/openapi.yaml, found by the process-level proofs
/// (Tests/Tools/agent_crash.py and agent_fuzz.py) and fixed in AgentAPI:
///
/// - job states came out as the store's raw values (`manualReview`, `deadLettered`), so a client
///   waiting for `manual_review` waited forever;
/// - a rejected registration (422) had no `correlation_id`;
/// - an empty `Idempotency-Key` reached the store and came back as 409;
/// - a reprint of an unfinished job and a second replay of a dead letter answered 503, a server
///   failure, for what is the request conflicting with the record's state (409).
///
/// The printer worker never runs here, so every job stays where the test puts it.
@Suite struct AgentAPIRegressionTests {
    static let repositoryRoot = Repository.root
    static let adminToken = "regression-admin-token"
    static let registration =
        #"{"source":"crm","source_id":"R-1","event_slug":"devcon-2026","first_name":"Ada","last_name":"Lovelace","email":"ada@example.org","ticket_type":"VIP"}"#

    func withAgent(_ body: @escaping @Sendable (AgentRuntime, any TestClientProtocol) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appending(path: "lanyard-regression-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var configuration = AgentConfiguration()
        configuration.dataDirectory = directory.path
        configuration.printer.address = "sim"
        configuration.adminToken = Self.adminToken
        let root = Self.repositoryRoot
        let runtime = try await AgentRuntime.start(
            configuration: configuration,
            resources: AgentResources(home: root, defaultDataDirectory: directory),
            logger: Logger(label: "lanyard.tests"))
        let app = Application(router: AgentAPI.router(core: runtime.core, metrics: PrometheusCollectorRegistry()))
        try await app.test(.router) { client in try await body(runtime, client) }
    }

    func post(_ client: any TestClientProtocol, _ uri: String, _ body: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        var fields = headers
        fields[.contentType] = "application/json"
        fields[.authorization] = "Bearer \(Self.adminToken)"
        return try await client.execute(uri: uri, method: .post, headers: fields, body: ByteBuffer(string: body))
    }

    func json(_ response: TestResponse) -> [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]) ?? [:]
    }

    func error(_ response: TestResponse) -> [String: Any] {
        json(response)["error"] as? [String: Any] ?? [:]
    }

    /// The names in the `Job.state` enum of docs/openapi.yaml.
    func documentedStates() throws -> Set<String> {
        let spec = try String(contentsOf: Self.repositoryRoot.appending(path: "docs/openapi.yaml"), encoding: .utf8)
        let line = try #require(spec.split(separator: "\n").first { $0.contains("state: {") && $0.contains("enum: [") })
        let list = try #require(line.split(separator: "[").last?.split(separator: "]").first)
        return Set(list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
    }

    @Test func jobStatesAreAnsweredByTheirDocumentedNames() async throws {
        let documented = try documentedStates()
        #expect(documented.count == JobState.allCases.count)
        try await withAgent { runtime, client in
            let store = runtime.core.store
            let printer = runtime.core.defaultPrinter
            var seen: [String] = []
            for (number, settle) in [("1", "interrupted"), ("2", "dead")] {
                let response = try await post(
                    client, "/v1/badges",
                    #"{"attendee": \#(Self.registration.replacingOccurrences(of: "R-1", with: "R-\(number)"))}"#)
                #expect(response.status == .accepted)
                let claimed = try #require(try store.claimNextJob(printerID: printer))
                if settle == "interrupted" {
                    // As after a kill -9 mid-send: startup reconciliation parks it for a person.
                    #expect(try store.reconcileInterruptedJobs().map(\.job.state) == [.manualReview])
                } else {
                    try store.moveToDeadLetters(id: claimed.id, stage: .render, code: "render.all_tiers_failed", reason: "test")
                }
                let job = json(try await client.execute(uri: "/v1/jobs/\(claimed.id)", method: .get))
                seen.append(job["state"] as? String ?? "")
            }
            #expect(seen == ["manual_review", "dead_lettered"])
            #expect(seen.allSatisfy { documented.contains($0) })
        }
    }

    @Test func aRejectedRegistrationCarriesTheCorrelationID() async throws {
        try await withAgent { _, client in
            let response = try await post(
                client, "/v1/badges", #"{"attendee": {"source":"crm","source_id":"R-9"}}"#,
                headers: [AgentAPI.correlationHeader: "kiosk-7-req-42"])
            #expect(response.status == .unprocessableContent)
            #expect(error(response)["correlation_id"] as? String == "kiosk-7-req-42")
            #expect(error(response)["dead_letter_id"] as? Int != nil)
        }
    }

    @Test func anEmptyIdempotencyKeyIsABadRequest() async throws {
        try await withAgent { runtime, client in
            let header = try await post(
                client, "/v1/badges", #"{"attendee": \#(Self.registration)}"#,
                headers: [HTTPField.Name("Idempotency-Key")!: ""])
            #expect(header.status == .badRequest)
            #expect(error(header)["code"] as? String == AgentErrorCode.requestInvalid.rawValue)
            let field = try await post(client, "/v1/badges", #"{"attendee": \#(Self.registration), "idempotency_key": ""}"#)
            #expect(field.status == .badRequest)
            #expect(try runtime.core.store.queueDepth(printerID: runtime.core.defaultPrinter) == 0)
        }
    }

    @Test func reprintingAnUnfinishedJobIsAConflict() async throws {
        try await withAgent { _, client in
            let queued = try await post(client, "/v1/badges", #"{"attendee": \#(Self.registration)}"#)
            let id = try #require(json(queued)["id"] as? Int)
            let reprint = try await post(client, "/v1/jobs/\(id)/reprint", "")
            #expect(reprint.status == .conflict)
            #expect(error(reprint)["code"] as? String == StoreErrorCode.jobNotFinished.rawValue)
        }
    }

    @Test func replayingADeadLetterTwiceIsAConflict() async throws {
        try await withAgent { _, client in
            let rejected = try await post(client, "/v1/badges", #"{"attendee": {"source":"crm","source_id":"R-8"}}"#)
            let letter = try #require(error(rejected)["dead_letter_id"] as? Int)
            let first = try await post(client, "/v1/dead-letters/\(letter)/replay", "")
            #expect(first.status == .unprocessableContent, "still defective: dead-lettered again")
            let second = try await post(client, "/v1/dead-letters/\(letter)/replay", "")
            #expect(second.status == .conflict)
            #expect(error(second)["code"] as? String == StoreErrorCode.alreadyReplayed.rawValue)
        }
    }
}
